//! The pre-render step (native, the `ssr` feature): the first view of every
//! bundled lesson as HTML, rendered by the app's own components over the
//! engine's trace (see `cors_lab::ui::first_view`). `scripts/prerender`
//! (Trunk's post_build hook) runs it and puts each into a page.
//!
//!   cors-lab-prerender OUT_DIR
//!
//! writes `OUT_DIR/index.html` (the first visit's view: the default lesson),
//! `OUT_DIR/lessons/<id>.html` (each bundled lesson), body fragments only,
//! and `OUT_DIR/lessons/<id>.json`, each lesson's text (whitespace removed),
//! which the app reads when the lesson is opened (`cors_lab::ui::bundled`).

use std::error::Error;
use std::path::{Path, PathBuf};
use std::{env, fs};

use cors_lab::scenario::parse_scenario;
use cors_lab::ui::bundled::BUNDLED;
use cors_lab::ui::{default_scenario, first_view};

fn main() -> Result<(), Box<dyn Error>> {
    let out = PathBuf::from(
        env::args_os()
            .nth(1)
            .ok_or("usage: cors-lab-prerender OUT_DIR")?,
    );
    fs::create_dir_all(out.join("lessons"))?;
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        write(&out.join("index.html"), default_scenario()).await?;
        for text in BUNDLED {
            let lesson = parse_scenario(text).map_err(|e| format!("a bundled lesson: {e}"))?;
            let lessons = out.join("lessons");
            let json = lessons.join(format!("{}.json", lesson.id));
            fs::write(&json, text).map_err(|e| format!("{}: {e}", json.display()))?;
            write(&lessons.join(format!("{}.html", lesson.id)), lesson).await?;
        }
        Ok::<(), Box<dyn Error>>(())
    })?;
    println!("cors-lab-prerender: {} lessons", BUNDLED.len());
    Ok(())
}

async fn write(path: &Path, lesson: cors_lab::scenario::Scenario) -> Result<(), Box<dyn Error>> {
    let html = first_view::render(first_view::first_state(lesson)).await;
    fs::write(path, html).map_err(|e| format!("{}: {e}", path.display()).into())
}
