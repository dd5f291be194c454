//! Older Chrome wordings, still pasted from Q&A sites, rewritten into
//! today's frame so `console`'s templates (rendered by the engine) read
//! them; the status they carry is kept.
//!
//! - Chrome before 69: `XMLHttpRequest cannot load URL. REASON Origin 'O' is
//!   therefore not allowed access. The response had HTTP status code 405.`
//!   (`Fetch API cannot load URL. …` for fetch).
//! - Chrome 69–74: `Failed to load URL: REASON Origin 'O' is therefore not
//!   allowed access. The response had HTTP status code 405.`
//! - Before Chrome 65: `Response for preflight has invalid HTTP status code
//!   405` and `Response for preflight is invalid (redirect)`.

use super::build::UNKNOWN_ORIGIN;

/// A line in today's wording, and the status the old one named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rewritten {
    /// The line as Chrome prints it today.
    pub(crate) line: String,
    /// `The response had HTTP status code N.`, or the preflight's status.
    pub(crate) status: Option<u16>,
}

const NOT_ALLOWED: &str = " is therefore not allowed access.";
const HAD_STATUS: &str = "The response had HTTP status code ";
const PREFLIGHT_STATUS: &str = "Response for preflight has invalid HTTP status code ";
const PREFLIGHT_REDIRECT: &str = "Response for preflight is invalid (redirect)";
const PREFLIGHT_PREFIX: &str = "Response to preflight request doesn't pass access control check: ";

/// The API and URL of an old line's opening, and the rest after it.
fn opening(line: &str) -> Option<(&'static str, &str, &str)> {
    for (prefix, api, end) in [
        ("XMLHttpRequest cannot load ", "XMLHttpRequest", ". "),
        ("Fetch API cannot load ", "fetch", ". "),
        ("Failed to load ", "XMLHttpRequest", ": "),
    ] {
        let Some(at) = line.find(prefix) else {
            continue;
        };
        let rest = line.get(at + prefix.len()..)?;
        // `Failed to load resource: …` is today's network line, not this.
        if rest.starts_with("resource:") {
            return None;
        }
        let cut = rest.find(end)?;
        return Some((api, rest.get(..cut)?, rest.get(cut + end.len()..)?));
    }
    None
}

/// The number at the start of `text`.
fn number(text: &str) -> Option<u16> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Rewrites an old Chrome line, or `None` when `line` is not one.
pub(crate) fn rewrite_legacy(line: &str) -> Option<Rewritten> {
    let (api, url, rest) = opening(line)?;
    let frame = |origin: &str, reason: &str| {
        format!("Access to {api} at '{url}' from origin '{origin}' has been blocked by CORS policy: {reason}")
    };
    if let Some(at) = rest.find(PREFLIGHT_STATUS) {
        let status = rest.get(at + PREFLIGHT_STATUS.len()..).and_then(number);
        return Some(Rewritten {
            line: frame(
                UNKNOWN_ORIGIN,
                &format!("{PREFLIGHT_PREFIX}It does not have HTTP ok status."),
            ),
            status,
        });
    }
    if rest.contains(PREFLIGHT_REDIRECT) {
        return Some(Rewritten {
            line: frame(
                UNKNOWN_ORIGIN,
                &format!("{PREFLIGHT_PREFIX}Redirect is not allowed for a preflight request."),
            ),
            status: None,
        });
    }
    let end = rest.find(NOT_ALLOWED)?;
    let before = rest.get(..end)?;
    let origin_at = before.rfind(" Origin '")?;
    let reason = before.get(..origin_at)?.trim();
    let origin = before
        .get(origin_at + " Origin '".len()..)?
        .trim_end_matches('\'');
    let status = rest
        .find(HAD_STATUS)
        .and_then(|at| rest.get(at + HAD_STATUS.len()..))
        .and_then(number);
    Some(Rewritten {
        line: frame(origin, reason),
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_old_frame_becomes_todays_with_its_status() {
        let old = "XMLHttpRequest cannot load http://api.test/x. No 'Access-Control-Allow-Origin' header is present on the requested resource. Origin 'http://localhost:3000' is therefore not allowed access. The response had HTTP status code 405.";
        assert_eq!(
            rewrite_legacy(old),
            Some(Rewritten {
                line: "Access to XMLHttpRequest at 'http://api.test/x' from origin 'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.".into(),
                status: Some(405),
            })
        );
        let failed = "Failed to load http://api.test/x: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource. Origin 'http://a.test' is therefore not allowed access. The response had HTTP status code 401.";
        let rewritten = rewrite_legacy(failed).expect("rewritten");
        assert!(rewritten.line.contains("from origin 'http://a.test' has been blocked by CORS policy: Response to preflight request"), "{}", rewritten.line);
        assert_eq!(rewritten.status, Some(401));
        let preflight = "XMLHttpRequest cannot load http://api.test/x. Response for preflight has invalid HTTP status code 405";
        assert_eq!(rewrite_legacy(preflight).and_then(|r| r.status), Some(405));
    }

    #[test]
    fn todays_lines_are_left_alone() {
        for line in [
            "Failed to load resource: net::ERR_FAILED",
            "Access to fetch at 'http://a.test/' from origin 'http://b.test' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            "Fetch API cannot load http://a.test/x due to access control checks.",
        ] {
            assert_eq!(rewrite_legacy(line), None, "{line}");
        }
    }
}
