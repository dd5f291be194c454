//! The words of main fetch's steps: the origin, the page's policy, the path,
//! the classification, the cache, the preflight, the CORS check, the request
//! and its redirects.

use url::Url;

use super::StepText;
use crate::engine::browser::{MaxAgeReason, DEFAULT_MAX_AGE};
use crate::engine::cache::CacheMiss;
use crate::engine::csp::PolicyCheck;
use crate::engine::failure::{CorsError, Failure, Phase};
use crate::engine::origin::OriginPart;
use crate::engine::safelist::{UnsafeHeader, UnsafeReason};
use crate::engine::step::{PathTaken, RedirectStep, StepKind};

pub(super) fn narrate(kind: &StepKind) -> StepText {
    match kind {
        StepKind::SameOrigin {
            page,
            target,
            differs,
        } => same_origin(page, target, differs),
        StepKind::PageCsp { check, url } => page_csp(check, url),
        StepKind::Path {
            after_redirect,
            path,
        } => path_taken(*after_redirect, path),
        StepKind::OriginTainted => StepText::titled("Origin becomes null")
            .compared("the redirect chain")
            .found("a cross-origin hop taints the request: Origin: null from now on")
            .why("After a redirect through another origin, the browser no longer vouches for the page's origin.")
            .highlight("null"),
        StepKind::Classification {
            method,
            header_names,
            method_safelisted,
            use_cors_preflight,
            unsafe_headers,
            needs_preflight,
        } => classification(
            method,
            header_names,
            *method_safelisted,
            *use_cors_preflight,
            unsafe_headers,
            *needs_preflight,
        ),
        StepKind::CacheHit { origin, url } => StepText::titled("Preflight cache")
            .compared(format!("cache entries for {origin} → {url}"))
            .found("a fresh entry covers this method and these headers: no preflight is sent")
            .why("This is why DevTools shows no OPTIONS request the second time."),
        StepKind::CacheMiss { origin, url, miss } => cache_miss(origin, url, miss),
        StepKind::PreflightSent { url, headers } => StepText::titled("Preflight sent")
            .compared(format!("OPTIONS {url}"))
            .found(
                headers
                    .iter()
                    .map(|(n, v)| format!("{n}: {v}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
            .why("The preflight carries no cookies and no credentials, only the questions: may this origin use this method and these headers?"),
        StepKind::PreflightAllowed {
            status,
            allow_methods,
            allow_headers,
            method,
            unsafe_headers,
            max_age,
        } => StepText::titled("Preflight response")
            .compared(format!(
                "status {status}; Allow-Methods {allow_methods:?}; Allow-Headers {allow_headers:?}"
            ))
            .found(format!(
                "the preflight allows {method} {}",
                if unsafe_headers.is_empty() {
                    String::new()
                } else {
                    format!("with {}", unsafe_headers.join(", "))
                }
            ))
            .why(max_age_reason(max_age)),
        StepKind::WildcardCoveredAuthorization => StepText::titled("Authorization and *")
            .found("`*` covered Authorization here, but the spec says it must not: list Authorization explicitly")
            .why("Browsers are moving to the spec rule; this request will break when they do.")
            .highlight("authorization"),
        StepKind::PreflightRejected { status, failure } => {
            let text = StepText::titled("Preflight response")
                .compared(format!("status {status}"))
                .found(describe_preflight_failure(failure));
            match preflight_failure_detail(failure) {
                Some(detail) => text.highlight(detail),
                None => text,
            }
        }
        StepKind::CorsCheck {
            phase,
            origin,
            credentials,
            allow_origin,
            result,
        } => cors_check(*phase, origin, *credentials, allow_origin.as_deref(), result),
        StepKind::Answered {
            method,
            url,
            status,
        } => StepText::titled("Request sent")
            .compared(format!("{method} {url}"))
            .found(format!("status {status}"))
            .why("The server always receives the request and answers it; CORS only decides whether the script may read the answer."),
        StepKind::Redirect(redirect) => redirect_step(redirect),
        _ => StepText::default(),
    }
}

fn same_origin(page: &str, target: &str, differs: &[OriginPart]) -> StepText {
    let parts: Vec<&str> = differs
        .iter()
        .map(|p| match p {
            OriginPart::Scheme => "scheme",
            OriginPart::Host => "host",
            OriginPart::Port => "port",
            OriginPart::Opaque => "opaque origin",
        })
        .collect();
    let text =
        StepText::titled("Same origin?").compared(format!("page {page} vs request {target}"));
    if parts.is_empty() {
        text.found("same scheme, host and port: same origin")
            .why("Same-origin requests need no CORS at all.")
    } else {
        text.found(format!(
            "cross-origin: the {} differ{}",
            parts.join(" and "),
            if parts.len() == 1 { "s" } else { "" }
        ))
        .why("Any difference in scheme, host or port makes the request cross-origin, even between subdomains of one site.")
        .highlight(parts.join(", "))
    }
}

/// What every CSP step teaches.
const CSP_IS_NOT_CORS: &str = "This is CSP, the page's own policy (where may this page connect or load from?), not CORS, the server's (may this origin read my response?).";

fn page_csp(check: &PolicyCheck, url: &str) -> StepText {
    let effective = &check.effective_directive;
    let text = StepText::titled("The page's Content Security Policy");
    let Some((name, value)) = &check.directive else {
        return text
            .compared(format!("{effective} for {url}"))
            .found(format!(
                "the policy sets neither {effective} nor a fallback for it: not restricted"
            ))
            .why(CSP_IS_NOT_CORS);
    };
    let directive = format!("{name} {value}");
    let compared = if check.is_fallback() {
        format!("{url} against `{directive}` ({effective} is not set, so {name} is used)")
    } else {
        format!("{url} against `{directive}`")
    };
    let text = text.compared(compared);
    match &check.matched_by {
        Some(source) => text
            .found(format!("allowed: `{source}` matches the URL"))
            .why(CSP_IS_NOT_CORS),
        None => {
            let target = Url::parse(url)
                .map_or_else(|_| url.to_owned(), |u| u.origin().ascii_serialization());
            text.found(format!(
                "blocked: no source in `{directive}` matches {url}, so the browser refuses before sending anything"
            ))
            .why(format!("{CSP_IS_NOT_CORS} No preflight, no request on the wire, and no Access-Control-* header on {target} can change it: only the page's policy can (list {target} in {effective})."))
            .highlight(directive)
        }
    }
}

fn path_taken(after_redirect: bool, path: &PathTaken) -> StepText {
    let text = StepText::titled(if after_redirect {
        "Which path after the redirect?"
    } else {
        "Which path?"
    });
    match path {
        PathTaken::SameOrigin => text.found("same origin: a plain fetch, no CORS involved"),
        PathTaken::SameOriginModeRefused => text
            .found("mode same-origin and a cross-origin URL: network error")
            .why("same-origin mode refuses any other origin."),
        PathTaken::NoCorsRedirectNotFollow => {
            text.found("no-cors with a redirect mode other than follow: network error")
        }
        PathTaken::NoCors => text
            .found("no-cors: the response will be opaque, no CORS check")
            .why("The script gets a response it cannot read: status 0, no headers, no body."),
        PathTaken::UnsupportedScheme { scheme } => text.found(format!(
            "scheme {scheme} cannot be fetched cross-origin: network error"
        )),
        PathTaken::Cors => text
            .found("cross-origin: a CORS request")
            .why("The response will be shared with the script only if it passes the CORS check."),
    }
}

/// Explains a CORS-unsafe header in plain words.
pub fn describe_unsafe(header: &UnsafeHeader) -> String {
    match &header.reason {
        UnsafeReason::NameNotSafelisted => format!("{} is not a CORS-safelisted header name", header.name),
        UnsafeReason::ValueTooLong { length } => format!("{}'s value is {length} bytes; the limit is 128 (byte 129 is over it)", header.name),
        UnsafeReason::UnsafeByte { byte, position } => {
            format!("{}'s value has the byte {:?} (0x{:02X}) at position {position}, which is not allowed", header.name, byte, u32::from(*byte))
        }
        UnsafeReason::MimeUnparsable => format!("{}'s value {:?} does not parse as a MIME type", header.name, header.value),
        UnsafeReason::MimeEssence { essence } => format!(
            "{} is {essence}; only application/x-www-form-urlencoded, multipart/form-data and text/plain are safelisted",
            header.name
        ),
        UnsafeReason::RangeNotSimple => format!("range {:?} is not a single bytes=start-[end] range", header.value),
        UnsafeReason::RangeNotSafelistedByBrowser => "this browser never safelists Range (the spec does, for bytes=N-[M])".to_owned(),
        UnsafeReason::TotalTooLong { total } => format!("the safelisted headers add up to {total} bytes, over the 1024-byte total"),
    }
}

/// What to highlight for an unsafe header: the part of
/// [`describe_unsafe`]'s sentence that decided it (the 129th byte, the
/// offending byte, the MIME essence, the 1024-byte total), else its name.
pub(super) fn deciding_detail(header: &UnsafeHeader) -> String {
    match &header.reason {
        UnsafeReason::ValueTooLong { .. } => "byte 129".to_owned(),
        UnsafeReason::UnsafeByte { byte, .. } => format!("0x{:02X}", u32::from(*byte)),
        UnsafeReason::MimeEssence { essence } => essence.clone(),
        UnsafeReason::TotalTooLong { .. } => "1024".to_owned(),
        _ => header.name.clone(),
    }
}

fn classification(
    method: &str,
    header_names: &[String],
    method_safelisted: bool,
    use_cors_preflight: bool,
    unsafe_headers: &[UnsafeHeader],
    needs_preflight: bool,
) -> StepText {
    let text = StepText::titled("Simple or preflighted?").compared(format!(
        "method {method} and headers {}",
        header_names.join(", ")
    ));
    if !needs_preflight {
        return text
            .found("a simple request: no preflight needed")
            .why("GET, HEAD or POST with only CORS-safelisted headers: a form could send it, so the browser sends it directly and checks the response.");
    }
    let mut reasons = Vec::new();
    if !method_safelisted {
        reasons.push(format!("method {method} is not GET, HEAD or POST"));
    }
    if use_cors_preflight {
        reasons.push("the use-CORS-preflight flag is set (an XHR upload listener)".to_owned());
    }
    reasons.extend(unsafe_headers.iter().map(describe_unsafe));
    let first = unsafe_headers
        .first()
        .map(deciding_detail)
        .unwrap_or_else(|| method.to_owned());
    text.found(format!("needs a preflight: {}", reasons.join("; ")))
        .why("A request a plain HTML form could not send must first be approved by an OPTIONS preflight.")
        .highlight(first)
}

fn cache_miss(origin: &str, url: &str, miss: &CacheMiss) -> StepText {
    let text =
        StepText::titled("Preflight cache").compared(format!("cache entries for {origin} → {url}"));
    match miss {
        CacheMiss::NoEntry => text.found("no entry: a preflight must be sent"),
        CacheMiss::Expired { expired_ms } => text
            .found(format!(
                "the entry expired at {}: a preflight must be sent again",
                super::seconds(*expired_ms)
            ))
            .highlight("expired"),
        CacheMiss::NotCovered { method, headers } => {
            let mut missing: Vec<String> = method.iter().map(|m| format!("method {m}")).collect();
            missing.extend(headers.iter().map(|h| format!("header {h}")));
            text.found(format!(
                "fresh entries do not cover {}: a preflight must be sent",
                missing.join(", ")
            ))
            .highlight(missing.join(", "))
        }
    }
}

/// How the preflight's max-age was arrived at.
pub(super) fn max_age_reason(reason: &MaxAgeReason) -> String {
    let default = format!("the default of {DEFAULT_MAX_AGE} s applies");
    match reason {
        MaxAgeReason::Absent => format!("no Access-Control-Max-Age: {default}"),
        MaxAgeReason::Empty => format!("an empty Access-Control-Max-Age: {default}"),
        MaxAgeReason::Unparsable { value } => {
            format!("Access-Control-Max-Age {value:?} does not parse: {default}")
        }
        MaxAgeReason::NotPositive { value } => {
            format!("Access-Control-Max-Age {value}: the result is not cached")
        }
        MaxAgeReason::NotAllDigits { value } => {
            format!("Access-Control-Max-Age {value:?} is not all digits: the result is not cached")
        }
        MaxAgeReason::Given { seconds } => format!("Access-Control-Max-Age: {seconds} s"),
        MaxAgeReason::Capped { seconds, cap } => format!(
            "Access-Control-Max-Age: {seconds} s, capped at this browser's limit of {cap} s"
        ),
    }
}

/// The deciding detail of a failed preflight: the status, the token that
/// does not parse, or the method or header name not allowed.
pub(super) fn preflight_failure_detail(failure: &Failure) -> Option<String> {
    match failure {
        Failure::PreflightInvalidStatus { status } | Failure::PreflightRedirect { status } => {
            Some(status.to_string())
        }
        Failure::InvalidAllowMethods { token, .. } | Failure::InvalidAllowHeaders { token, .. } => {
            Some(token.clone())
        }
        Failure::MethodNotAllowed { method } => Some(method.clone()),
        Failure::HeaderNotAllowed { header } => Some(header.clone()),
        _ => None,
    }
}

pub(super) fn describe_preflight_failure(failure: &Failure) -> String {
    match failure {
        Failure::PreflightInvalidStatus { status } => {
            format!("status {status} is not an ok status (200–299)")
        }
        Failure::PreflightRedirect { status } => {
            format!("status {status} redirects, and preflights never follow redirects")
        }
        Failure::InvalidAllowMethods { token, .. } => {
            format!("Access-Control-Allow-Methods does not parse: {token:?} is not a token")
        }
        Failure::InvalidAllowHeaders { token, .. } => {
            format!("Access-Control-Allow-Headers does not parse: {token:?} is not a token")
        }
        Failure::MethodNotAllowed { method } => {
            format!("method {method} is not in Access-Control-Allow-Methods")
        }
        Failure::HeaderNotAllowed { header } => {
            format!("header {header} is not in Access-Control-Allow-Headers")
        }
        // A CORS check failure is recorded as a `CorsCheck` step; nothing else fails a preflight.
        _ => "the preflight response does not pass".to_owned(),
    }
}

fn cors_check(
    phase: Phase,
    origin: &str,
    credentials: bool,
    allow_origin: Option<&str>,
    result: &Result<(), CorsError>,
) -> StepText {
    let title = match phase {
        Phase::Preflight => "CORS check on the preflight",
        Phase::Actual => "CORS check",
    };
    let text = StepText::titled(title).compared(format!(
        "Access-Control-Allow-Origin {} against the request's origin {origin}{}",
        allow_origin.map_or_else(|| "(absent)".to_owned(), |v| format!("{v:?}")),
        if credentials {
            ", with credentials"
        } else {
            ""
        }
    ));
    match result {
        Ok(()) => text.found(match allow_origin {
            Some("*") => "`*` allows any origin for a request without credentials",
            _ if credentials => "the exact origin, and Access-Control-Allow-Credentials: true",
            _ => "the exact origin",
        }),
        Err(error) => {
            let (found, highlight) = match error {
                CorsError::MissingAllowOrigin => ("no Access-Control-Allow-Origin header".to_owned(), "Access-Control-Allow-Origin".to_owned()),
                CorsError::WildcardOriginNotAllowed => ("`*` is not allowed when credentials are included".to_owned(), "*".to_owned()),
                CorsError::MultipleAllowOriginValues { value, .. } => (format!("{value:?} holds more than one value; exactly one origin is allowed"), value.clone()),
                CorsError::InvalidAllowOriginValue { value } => (format!("{value:?} is not an origin"), value.clone()),
                CorsError::AllowOriginMismatch { value } => (format!("{value:?} is not byte-for-byte {origin:?}"), value.clone()),
                CorsError::InvalidAllowCredentials { value } => (
                    format!("Access-Control-Allow-Credentials is {value:?}; with credentials it must be exactly \"true\""),
                    "Access-Control-Allow-Credentials".to_owned(),
                ),
            };
            text.found(found)
                .highlight(highlight)
                .why("The browser received the response but will not hand it to the script.")
        }
    }
}

fn redirect_step(redirect: &RedirectStep) -> StepText {
    let text = StepText::titled("Redirect");
    match redirect {
        RedirectStep::ModeError { status } => {
            text.found(format!("status {status} with redirect mode error: network error"))
        }
        RedirectStep::Manual { status } => text
            .found(format!(
                "status {status} with redirect mode manual: an opaque-redirect response"
            ))
            .why("The script sees type \"opaqueredirect\", status 0 and no headers."),
        RedirectStep::InvalidLocation { location } => text.found(format!(
            "Location {location:?} is not an http(s) URL: network error"
        )),
        RedirectStep::TooMany => text.found("a 21st redirect: network error"),
        RedirectStep::Credentials { next } => text
            .compared(format!("Location {next}"))
            .found("the redirect URL contains a username or password: network error")
            .highlight(next.clone()),
        RedirectStep::Followed {
            status,
            location,
            method,
            next,
        } => StepText::titled("Redirect followed")
            .compared(format!("status {status}, Location {location}"))
            .found(format!("the browser now fetches {method} {next}"))
            .why("Each hop runs main fetch again: its own CORS check, and its own preflight if needed."),
    }
}
