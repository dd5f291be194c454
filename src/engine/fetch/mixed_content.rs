//! [Mixed Content](https://w3c.github.io/webappsec-mixed-content/): an
//! https page's request for an http (or ws) URL is upgraded to https when
//! it is upgradeable content (an image) and otherwise blocked before
//! anything is sent, unless the URL is potentially trustworthy.
//!
//! Not modelled: a redirect to an http URL in the middle of a chain (each
//! hop is checked again by browsers), audio and video (no such `api`), a
//! page in a frame whose ancestors are insecure, and forms (browsers warn
//! about an insecure form target instead of blocking it).

use std::net::IpAddr;

use url::{Host, Url};

use super::FetchContext;
use crate::engine::failure::Failure;
use crate::engine::origin::Origin;
use crate::engine::request::Request;
use crate::engine::step::{MixedContentResolution, StepKind};
use crate::scenario::Api;

/// Main fetch's "Upgrade a mixed content request to a potentially
/// trustworthy URL, if appropriate", then "should fetching request be
/// blocked as mixed content": `Ok(Some(url))` is the upgraded URL,
/// `Ok(None)` leaves the request alone, `Err` is the network error.
/// Records one step when the request is insecure content on a secure page.
pub(super) fn check_mixed_content(
    ctx: &mut FetchContext<'_>,
    request: &Request,
) -> Result<Option<Url>, Failure> {
    // ([should-block-fetch](https://w3c.github.io/webappsec-mixed-content/#should-block-fetch))
    // 1. "Return allowed if … request's client's … is not a secure context" (here: the page is not https).
    let secure_page =
        matches!(ctx.page, Origin::Tuple(url::Origin::Tuple(scheme, ..)) if scheme == "https");
    // Forms navigate; see the module's Not modelled.
    if !secure_page || request.api == Api::Form {
        return Ok(None);
    }
    // 2. "Return allowed if … request's URL is a potentially trustworthy URL."
    if !matches!(request.url.scheme(), "http" | "ws") {
        return Ok(None);
    }
    let page_url = format!("{}/", ctx.page.serialize());
    let loopback_is_mixed_content = ctx.profile.loopback_is_mixed_content;
    let mut record = |resolution| {
        ctx.record(StepKind::MixedContent {
            page_url: page_url.clone(),
            url: request.url.as_str().to_owned(),
            resolution,
        })
    };
    // Browser: WebKit does not count these hosts over http as potentially
    // trustworthy here (`SecurityOrigin::isLocalHostOrLoopbackIPAddress`:
    // loopback addresses, `localhost` and names under `.localhost`;
    // webkit.org/b/171934).
    let trustworthy = is_potentially_trustworthy_host(&request.url);
    let loopback_is_mixed = trustworthy && loopback_is_mixed_content;
    if trustworthy && !loopback_is_mixed {
        record(MixedContentResolution::Trustworthy);
        return Ok(None);
    }
    // Not modelled: WebKit's upgrade of an http image on a loopback host
    // (`MixedContentChecker::canModifyRequest` allows it; not observed here):
    // the engine upgrades it as any other image.
    // [Upgrade](https://w3c.github.io/webappsec-mixed-content/#upgrade-algorithm):
    // "If request's destination is "image" (and its initiator is not
    // "imageset"), … "audio" or "video": set request's URL's scheme to "https"".
    // Only the scheme changes: the port stays (observed in both browsers).
    if request.api == Api::Img {
        let mut upgraded = request.url.clone();
        if upgraded.set_scheme("https").is_ok() {
            record(MixedContentResolution::Upgraded {
                to: upgraded.as_str().to_owned(),
            });
            return Ok(Some(upgraded));
        }
    }
    // 3. Otherwise blockable: "Return blocked."
    record(if loopback_is_mixed {
        MixedContentResolution::LoopbackBlocked
    } else {
        MixedContentResolution::Blocked
    });
    Err(Failure::MixedContentBlocked { page_url })
}

/// [Potentially trustworthy](https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy)
/// for an http URL's host: `localhost` and names under `.localhost`, and
/// loopback addresses (`127.0.0.0/8`, `::1`).
fn is_potentially_trustworthy_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_addresses_are_potentially_trustworthy() {
        for (url, trustworthy) in [
            ("http://localhost:8081/x", true),
            ("http://api.localhost/x", true),
            ("http://127.0.0.1:8081/x", true),
            ("http://127.8.9.10/x", true),
            ("http://[::1]:8081/x", true),
            ("http://api.example.com/x", false),
            ("http://10.0.0.1/x", false),
            ("http://localhost.example/x", false),
        ] {
            let parsed = Url::parse(url).ok();
            assert_eq!(
                parsed.as_ref().map(is_potentially_trustworthy_host),
                Some(trustworthy),
                "{url}"
            );
        }
    }
}
