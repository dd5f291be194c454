//! [Response tainting](https://fetch.spec.whatwg.org/#concept-request-response-tainting),
//! the request's origin it decides, and the
//! [filtered response](https://fetch.spec.whatwg.org/#concept-filtered-response)
//! the script is handed at the end.

use url::Url;

use crate::engine::headers::HeaderList;
use crate::engine::origin::Origin;
use crate::engine::outcome::Delivered;
use crate::engine::response::readable_header_names;

/// [Response tainting](https://fetch.spec.whatwg.org/#concept-request-response-tainting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tainting {
    Basic,
    Cors,
    Opaque,
}

/// [Request's redirect-taint](https://fetch.spec.whatwg.org/#concept-request-tainted-origin):
/// not same-origin when some hop went to another origin while the request's
/// origin differs from the hop's source ("cross-site" and "same-site" both
/// make the Origin `null`, so the site distinction is not needed here).
fn is_redirect_tainted(page: &Origin, url_list: &[Url]) -> bool {
    url_list.windows(2).any(|pair| match pair {
        [last, url] => {
            let (last, url) = (Origin::of_url(last), Origin::of_url(url));
            !url.is_same_origin(&last) && !page.is_same_origin(&last)
        }
        _ => false,
    })
}

/// [Serializing a request origin](https://fetch.spec.whatwg.org/#serializing-a-request-origin):
/// "1. If request's redirect-taint is not "same-origin", then return "null".
/// 2. Return request's origin, serialized."
pub(super) fn serialize_request_origin(page: &Origin, url_list: &[Url]) -> String {
    if is_redirect_tainted(page, url_list) {
        "null".to_owned()
    } else {
        page.serialize()
    }
}

/// Main fetch's last steps: "If response is not a network error and
/// response is not a filtered response, then set response to the following
/// filtered response: basic … CORS … opaque"; returns what the script gets
/// and the response header names it may read
/// ([basic](https://fetch.spec.whatwg.org/#concept-filtered-response-basic),
/// [CORS](https://fetch.spec.whatwg.org/#concept-filtered-response-cors),
/// [opaque](https://fetch.spec.whatwg.org/#concept-filtered-response-opaque)).
pub(super) fn filtered_response(
    tainting: Tainting,
    headers: &HeaderList,
    credentials: bool,
) -> (Delivered, Vec<String>) {
    match tainting {
        Tainting::Basic => (
            Delivered::Readable,
            readable_header_names(headers, false, credentials),
        ),
        Tainting::Cors => (
            Delivered::Readable,
            readable_header_names(headers, true, credentials),
        ),
        Tainting::Opaque => (Delivered::Opaque, Vec::new()),
    }
}
