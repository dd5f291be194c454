//! The smallest page the size budget could describe: Yew mounts one
//! component that loads the default lesson (`parse_scenario`), runs the
//! engine (`evaluate`) and shows the verdict and the console lines, with no
//! editors, stepper, diagram, fixes, lessons library or paste panel.
//! `scripts/size-floor` builds it as Trunk builds the app (release profile,
//! wasm-bindgen, `wasm-opt -Oz`) and prints its gzip size: the floor under
//! which no app made of these parts (the `url` crate's IDNA, serde, Yew,
//! the engine) can go. Figures in BENCHMARKS.md.

#[cfg(target_arch = "wasm32")]
mod page {
    use cors_lab::engine::evaluate;
    use cors_lab::scenario::parse_scenario;
    use cors_lab::ui::DEFAULT_SCENARIO;
    use yew::prelude::*;

    #[function_component(Verdict)]
    fn verdict() -> Html {
        let result = parse_scenario(DEFAULT_SCENARIO)
            .map(|scenario| evaluate(&scenario, None))
            .map_err(|error| error.to_string());
        match result {
            Ok(trace) => html! {
                <ol>
                    { for trace.requests.iter().map(|request| html! {
                        <li>
                            <p>{ format!("{:?}", request.result.outcome) }</p>
                            { for request.result.console.iter().map(|line| html! { <pre>{ line.clone() }</pre> }) }
                        </li>
                    }) }
                </ol>
            },
            Err(error) => html! { <p>{ error }</p> },
        }
    }

    pub(crate) fn start() {
        yew::Renderer::<Verdict>::new().render();
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    page::start();
}

/// Only a wasm build means anything; this keeps native builds working.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
