//! Python's `str.lower()` and `str.upper()` (Unicode's default case
//! mappings). In the app they are the browser's own
//! (`String.prototype.toLowerCase`/`toUpperCase`, the same mappings), as
//! `ui::library` does: Rust's would ship Unicode's case tables in the wasm.

/// `text.lower()`.
pub(crate) fn lower(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::JsString::from(text).to_lower_case())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.to_lowercase()
    }
}

/// `text.upper()`.
pub(crate) fn upper(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::JsString::from(text).to_upper_case())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.to_uppercase()
    }
}
