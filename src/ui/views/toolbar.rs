//! The header's toolbar, in three groups: lessons (the menu, the course,
//! the library, reset), share and save (the link, the file out and in), and
//! view (the paste panel, predict-first, the presenter, the theme).

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::ui::app::Store;
use crate::ui::authoring;
use crate::ui::store::{Action, Mode};

/// The toolbar.
pub(super) fn toolbar(store: &Store) -> Html {
    let (state, dispatch) = (&store.state, &store.dispatch);
    let current = state.eval.scenario.id.clone();
    let on_open = dispatch
        .reform(|e: Event| Action::Open(e.target_unchecked_into::<HtmlSelectElement>().value()));
    let on_theme = dispatch.reform(|e: Event| {
        let value = e.target_unchecked_into::<HtmlSelectElement>().value();
        Action::Theme((value == "light" || value == "dark").then_some(value))
    });
    let theme = state.theme.clone().unwrap_or_default();
    let on_secrets = dispatch.reform(|e: Event| {
        Action::IncludeSecrets(e.target_unchecked_into::<HtmlInputElement>().checked())
    });
    let toggle = |mode: Mode| {
        let next = if state.mode == mode { Mode::Lab } else { mode };
        dispatch.reform(move |_| Action::Show(next))
    };
    let on_import = dispatch.reform(Action::Import);
    let on_file = Callback::from(move |e: Event| {
        let input = e.target_unchecked_into::<HtmlInputElement>();
        authoring::read_first_file(input.files(), on_import.clone());
        input.set_value("");
    });
    let on_predict = dispatch.reform(|e: Event| {
        Action::PredictFirst(e.target_unchecked_into::<HtmlInputElement>().checked())
    });
    let back_or = |mode: Mode, label: &'static str| {
        if state.mode == mode {
            "Back to the lab"
        } else {
            label
        }
    };
    let settled = state.settled;
    html! {
        <nav class="toolbar" aria-label="Tools">
            <div class="tool-group" role="group" aria-label="Lessons">
                <label for="open-scenario" class="visually-hidden">{ "Lesson" }</label>
                <select id="open-scenario" data-testid="open-scenario" onchange={on_open}>
                    if !state.bundled.iter().any(|(id, _)| *id == current) {
                        <option value="" selected=true>{ "(your scenario)" }</option>
                    }
                    // Before the first paint, only the open lesson's option (the menu shows it).
                    { for state.bundled.iter().filter(|(id, _)| settled || *id == current).map(|(id, title)| html! {
                        <option value={id.clone()} selected={*id == current}>{ title.clone() }</option>
                    }) }
                </select>
                <button type="button" data-testid="course-toggle" onclick={toggle(Mode::Course)}>
                    { back_or(Mode::Course, "Course") }</button>
                <button type="button" data-testid="library-toggle" onclick={toggle(Mode::Library)}>
                    { back_or(Mode::Library, "Library") }</button>
                <button type="button" data-testid="reset" onclick={dispatch.reform(|_| Action::Reset)}>
                    { "Reset" }</button>
                if state.previous.is_some() {
                    <button type="button" data-testid="restore" onclick={dispatch.reform(|_| Action::Restore)}>
                        { "Back to the previous scenario" }</button>
                }
            </div>
            <div class="tool-group" role="group" aria-label="Share and save">
                <button type="button" data-testid="share" onclick={dispatch.reform(|_| Action::Share)}>
                    { "Share link" }</button>
                <button type="button" data-testid="export" onclick={dispatch.reform(|_| Action::Export)}>
                    { "Save file" }</button>
                <label class="file-button">
                    { "Open file" }
                    <input type="file" class="visually-hidden" accept=".json,application/json"
                           data-testid="import-file" onchange={on_file} />
                </label>
                if !state.secrets.is_empty() {
                    <label class="inline-check" data-testid="include-secrets-label">
                        <input type="checkbox" data-testid="include-secrets"
                               checked={state.include_secrets} onchange={on_secrets} />
                        { secrets_label(&state.secrets) }
                    </label>
                }
            </div>
            <div class="tool-group" role="group" aria-label="View">
                <button type="button" data-testid="paste-toggle"
                        aria-pressed={(state.mode == Mode::Paste).to_string()}
                        onclick={toggle(Mode::Paste)}>{ "Debug a request" }</button>
                <label class="inline-check">
                    <input type="checkbox" data-testid="predict-first" checked={state.predict_first} onchange={on_predict} />
                    { " Predict first" }
                </label>
                <button type="button" data-testid="present"
                        onclick={dispatch.reform(|_| Action::Show(Mode::Presenter))}>{ "Present" }</button>
                <label for="theme" class="visually-hidden">{ "Theme" }</label>
                <select id="theme" data-testid="theme" onchange={on_theme}>
                    <option value="" selected={theme.is_empty()}>{ "System theme" }</option>
                    <option value="light" selected={theme == "light"}>{ "Light" }</option>
                    <option value="dark" selected={theme == "dark"}>{ "Dark" }</option>
                </select>
            </div>
            if let Some(link) = &state.share_link {
                <div class="share-result">
                    <label for="share-link">{ "Link to this exact scenario" }</label>
                    <input id="share-link" data-testid="share-link" readonly=true value={link.href.clone()} />
                    if !link.redacted.is_empty() {
                        <p class="muted small" data-testid="share-redacted">
                            { format!("Left out of the link: {}.", link.redacted.join(", ")) }
                        </p>
                    }
                </div>
            }
        </nav>
    }
}

/// The opt-in's text: exactly which secret values a share link would include.
fn secrets_label(locations: &[String]) -> String {
    format!(
        " include these secret values in share links: {}",
        locations.join(", ")
    )
}
