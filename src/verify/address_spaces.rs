//! How verify makes Local Network Access real (issue 13, family 4): every
//! name resolves to the worker's one loopback address, so a browser sees the
//! page and every server in the `loopback` space. For a scenario whose
//! engine trace meets LNA, verify launches a browser of its own that is told
//! the address space of each port of that address (Chromium
//! `--ip-address-space-overrides`, Firefox `network.lna.address_space.*.override`),
//! as the engine derives them (`address_spaces`, else the host), and sets
//! the page's `lna_permissions` in its fresh context (CDP
//! `Browser.setPermission`, BiDi `permissions.setPermission`).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::engine::local_network::address_space_of;
use crate::scenario::{AddressSpace, Scenario};

use super::page_run::{page_origin, scenario_urls};
use super::RealBrowser;

/// The address space of each port of the worker's address that is not
/// loopback (the space every port has without an override), when some URL
/// of the scenario is less public than its page, so that LNA applies; empty
/// when it never applies (the shared browser runs the scenario).
pub(super) fn port_spaces(scenario: &Scenario) -> Result<BTreeMap<u16, AddressSpace>, String> {
    let (origin, sandboxed) = page_origin(scenario);
    let Ok(page) = url::Url::parse(&origin) else {
        return Ok(BTreeMap::new());
    };
    // An opaque page (served from verify's own origin) has no address space here.
    if sandboxed {
        return Ok(BTreeMap::new());
    }
    let page_space = address_space_of(&page, &scenario.address_spaces);
    let urls = scenario_urls(scenario, &origin);
    let meets_lna = urls
        .iter()
        .any(|url| address_space_of(url, &scenario.address_spaces).is_less_public_than(page_space));
    if !meets_lna {
        return Ok(BTreeMap::new());
    }
    let mut spaces: BTreeMap<u16, (AddressSpace, String)> = BTreeMap::new();
    for url in &urls {
        let Some(port) = url.port_or_known_default() else {
            continue;
        };
        let space = address_space_of(url, &scenario.address_spaces);
        let origin = url.origin().ascii_serialization();
        match spaces.get(&port) {
            Some((seen, other)) if *seen != space => {
                return Err(format!(
                    "{other} ({}) and {origin} ({}) share port {port}: verify serves every host on one address, and a browser gives an address space to an address and port, so give them ports of their own",
                    seen.as_str(),
                    space.as_str()
                ))
            }
            Some(_) => {}
            None => {
                spaces.insert(port, (space, origin));
            }
        }
    }
    Ok(spaces
        .into_iter()
        .filter(|(_, (space, _))| *space != AddressSpace::Loopback)
        .map(|(port, (space, _))| (port, space))
        .collect())
}

/// How long Firefox's Local Network Access prompt waits for an answer
/// (`network.lna.prompt.timeout`, 300 000 ms by default) before it denies:
/// nobody answers it here, and `prompt` must end within a request.
pub(super) const FIREFOX_PROMPT_TIMEOUT_MS: u64 = 1000;

/// Chromium's `--ip-address-space-overrides` value: `IP:PORT=space,…`.
pub(super) fn chromium_overrides(ip: Ipv4Addr, spaces: &BTreeMap<u16, AddressSpace>) -> String {
    spaces
        .iter()
        .map(|(port, space)| format!("{ip}:{port}={}", space.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Firefox's `user.js` preferences for `spaces`: Firefox names the spaces
/// `public`, `private` (LNA's `local`) and `local` (LNA's `loopback`), one
/// comma-separated `IP:PORT` list each.
pub(super) fn firefox_overrides(
    ip: Ipv4Addr,
    spaces: &BTreeMap<u16, AddressSpace>,
) -> Vec<(&'static str, String)> {
    [
        (
            AddressSpace::Public,
            "network.lna.address_space.public.override",
        ),
        (
            AddressSpace::Local,
            "network.lna.address_space.private.override",
        ),
        (
            AddressSpace::Loopback,
            "network.lna.address_space.local.override",
        ),
    ]
    .into_iter()
    .filter_map(|(wanted, pref)| {
        let list: Vec<String> = spaces
            .iter()
            .filter(|(_, space)| **space == wanted)
            .map(|(port, _)| format!("{ip}:{port}"))
            .collect();
        (!list.is_empty()).then(|| (pref, list.join(",")))
    })
    .collect()
}

/// Why `browser` cannot show the scenario's Local Network Access here, if it cannot.
pub(super) fn browser_limit(scenario: &Scenario, browser: RealBrowser) -> Option<String> {
    let spaces = port_spaces(scenario).ok()?;
    // No Local Network Access is known in WebKit: the engine's Safari
    // profile lets every such request through, and so would WebKitGTK, but
    // verify cannot give WebKitGTK's pages any address space but loopback
    // (it has no override), so the comparison would show nothing.
    (browser == RealBrowser::Webkit && !spaces.is_empty()).then(|| {
        "Local Network Access: none is known in WebKit (the Safari profile lets the request through), and WebKitGTK here cannot be given a public page, so nothing would be compared"
            .to_owned()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn scenario(page: &str, spaces: &str, url: &str) -> Scenario {
        let text = format!(
            r#"{{"format":"cors-scenario/1","id":"s","page":"{page}","address_spaces":{spaces},
                "server":[],"requests":[{{"url":"{url}"}}]}}"#
        );
        crate::scenario::parse_scenario(&text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn only_a_scenario_meeting_lna_gets_overrides_and_loopback_needs_none() {
        let plain = scenario("https://app.example", "{}", "https://api.example:9001/x");
        assert!(port_spaces(&plain).unwrap().is_empty());
        let lna = scenario(
            "https://app.example",
            r#"{"https://api.example:9001":"loopback"}"#,
            "https://api.example:9001/x",
        );
        let spaces = port_spaces(&lna).unwrap();
        assert_eq!(
            spaces.into_iter().collect::<Vec<_>>(),
            [(443, AddressSpace::Public)]
        );
        let ip = Ipv4Addr::new(127, 0, 0, 7);
        assert_eq!(
            chromium_overrides(ip, &port_spaces(&lna).unwrap()),
            "127.0.0.7:443=public"
        );
        assert_eq!(
            firefox_overrides(ip, &port_spaces(&lna).unwrap()),
            [(
                "network.lna.address_space.public.override",
                "127.0.0.7:443".to_owned()
            )]
        );
        assert!(browser_limit(&lna, RealBrowser::Webkit).is_some());
        assert!(browser_limit(&plain, RealBrowser::Webkit).is_none());
    }

    #[test]
    fn two_spaces_on_one_port_cannot_be_verified() {
        let shared = scenario(
            "https://app.example",
            r#"{"https://api.example":"loopback"}"#,
            "https://api.example/x",
        );
        let problem = port_spaces(&shared).unwrap_err();
        assert!(problem.contains("port 443"), "{problem}");
    }
}
