//! For the wasm app only: writes each lesson of `scenarios/` to `OUT_DIR`
//! without the JSON's insignificant whitespace, which `src/ui/bundled.rs`
//! embeds. Same values, same key order (serde_json `preserve_order`); about
//! 1.6 KB gzip less of issue 16's size budget. Native builds embed nothing,
//! unless the `ssr` feature (the pre-render step) is on.

use std::error::Error;
use std::path::PathBuf;
use std::{env, fs};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=scenarios");
    // The wasm app, and the native pre-render step (`ssr`), embed the lessons.
    let wasm = env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32");
    if !wasm && env::var_os("CARGO_FEATURE_SSR").is_none() {
        return Ok(());
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or("cargo sets OUT_DIR")?).join("scenarios");
    fs::create_dir_all(&out)?;
    for entry in fs::read_dir("scenarios")? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = fs::read_to_string(&path)?;
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let name = path.file_name().ok_or("a file name")?;
            fs::write(out.join(name), serde_json::to_string(&value)?)?;
        }
    }
    Ok(())
}
