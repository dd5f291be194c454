//! How verify makes each `respond.network_error` kind real (issue 13):
//! which hosts must not resolve, which get a certificate the browser does
//! not trust, which ports nobody listens on, and which scenarios verify
//! cannot reproduce as written (with the reason).

use std::collections::BTreeSet;

use crate::scenario::{NetworkErrorKind, Scenario};

use super::RealBrowser;

/// The hosts of every rule that fails with `kind`.
pub(super) fn hosts_failing(scenario: &Scenario, kind: NetworkErrorKind) -> Vec<String> {
    let hosts: BTreeSet<String> = scenario
        .server
        .iter()
        .filter(|rule| rule.respond.network_error == Some(kind))
        .filter_map(|rule| url::Url::parse(&rule.matcher.url).ok())
        .filter_map(|url| url.host_str().map(str::to_owned))
        .collect();
    hosts.into_iter().collect()
}

/// The ports of `refused` rules: nothing may listen on them.
pub(super) fn refused_ports(scenario: &Scenario) -> BTreeSet<u16> {
    scenario
        .server
        .iter()
        .filter(|rule| rule.respond.network_error == Some(NetworkErrorKind::Refused))
        .filter_map(|rule| url::Url::parse(&rule.matcher.url).ok())
        .filter_map(|url| url.port_or_known_default())
        .collect()
}

/// Why verify cannot reproduce the scenario's failure kinds as written, if
/// it cannot.
pub(super) fn kinds_problem(scenario: &Scenario) -> Option<String> {
    let page_port = url::Url::parse(&scenario.page)
        .ok()
        .and_then(|url| url.port_or_known_default());
    let refused = refused_ports(scenario);
    // A refused port is refused for every host on the worker's address:
    // no other rule, and not the page, may need it.
    let answering = scenario
        .server
        .iter()
        .filter(|rule| rule.respond.network_error != Some(NetworkErrorKind::Refused))
        .filter_map(|rule| url::Url::parse(&rule.matcher.url).ok())
        .filter_map(|url| url.port_or_known_default())
        .chain(page_port);
    for port in answering {
        if refused.contains(&port) {
            return Some(format!(
                "port {port} has a `refused` rule and also answers (the page or another rule): verify refuses a whole port, so give the refused URL a port of its own"
            ));
        }
    }
    let waits_forever = scenario
        .server
        .iter()
        .filter(|rule| rule.respond.network_error == Some(NetworkErrorKind::Timeout))
        .filter_map(|rule| url::Url::parse(&rule.matcher.url).ok())
        .any(|silent| {
            scenario.requests.iter().any(|request| {
                request.timeout_ms.is_none()
                    && url::Url::parse(&request.url).is_ok_and(|url| url == silent)
            })
        });
    if waits_forever {
        return Some(
            "a request answered by a `timeout` rule needs `timeout_ms`: neither browser gives up on its own within a test (the browser's own limit is not modelled)"
                .to_owned(),
        );
    }
    None
}

/// Why `browser` cannot show the scenario's failure kinds here, if it cannot.
pub(super) fn browser_limit(scenario: &Scenario, browser: RealBrowser) -> Option<String> {
    // Not reproduced in WebKitGTK: its names resolve through the system's
    // resolver for the whole run, and its certificate trust is not per host.
    if browser == RealBrowser::Webkit
        && (!hosts_failing(scenario, NetworkErrorKind::Dns).is_empty()
            || !hosts_failing(scenario, NetworkErrorKind::Tls).is_empty())
    {
        return Some(
            "a `dns` or `tls` rule is not reproduced in WebKitGTK here (one resolver for the run, no per-host certificate trust)"
                .to_owned(),
        );
    }
    let has_tls = scenario
        .server
        .iter()
        .any(|rule| rule.respond.network_error == Some(NetworkErrorKind::Tls));
    // Firefox trusts certificates per user context, not per host: a
    // context that refuses the `tls` host refuses the others too.
    let other_https = || {
        super::page_run::scenario_urls(scenario, &format!("{}/", scenario.page))
            .iter()
            .filter(|url| matches!(url.scheme(), "https" | "wss"))
            .filter_map(|url| url.host_str().map(str::to_owned))
            .any(|host| !hosts_failing(scenario, NetworkErrorKind::Tls).contains(&host))
    };
    // Firefox resolves `localhost` itself, to 127.0.0.1, never asking the
    // worker's resolver; nothing of verify listens there (observed: a
    // granted `http://localhost:9005` call ended in `CORS request did not
    // succeed` while Chromium, mapping it to the worker, reached it).
    let names_localhost = || {
        super::page_run::scenario_urls(scenario, &format!("{}/", scenario.page))
            .iter()
            .any(|url| url.host_str() == Some("localhost"))
    };
    if browser == RealBrowser::Firefox && names_localhost() {
        return Some(
            "Firefox resolves `localhost` itself, to 127.0.0.1, where verify's worker (127.0.0.N) does not listen: give the server a name (and `address_spaces` its space)"
                .to_owned(),
        );
    }
    if browser == RealBrowser::Firefox && has_tls && other_https() {
        return Some(
            "Firefox is told to distrust certificates per user context, not per host: a `tls` rule's scenario may use https only for the `tls` host"
                .to_owned(),
        );
    }
    None
}

/// Whether the scenario needs a browser of its own: names that must not
/// resolve are given at launch (Chromium's resolver rules, Firefox's own
/// resolver), and a browser's DNS cache outlives a scenario; so are the
/// address spaces of Local Network Access (`super::address_spaces`).
pub(super) fn needs_own_browser(scenario: &Scenario) -> bool {
    !hosts_failing(scenario, NetworkErrorKind::Dns).is_empty()
        || super::address_spaces::port_spaces(scenario).is_ok_and(|spaces| !spaces.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(server: &str, requests: &str) -> Scenario {
        let text = format!(
            r#"{{"format":"cors-scenario/1","id":"k","page":"http://app.example:8000","server":{server},"requests":{requests}}}"#
        );
        crate::scenario::parse_scenario(&text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn a_refused_port_may_not_answer_anything_else() {
        let alone = scenario(
            r#"[{"match":{"url":"http://api.example:9001/x"},"respond":{"network_error":"refused"}}]"#,
            r#"[{"url":"http://api.example:9001/x"}]"#,
        );
        assert_eq!(kinds_problem(&alone), None);
        assert_eq!(
            refused_ports(&alone).into_iter().collect::<Vec<_>>(),
            [9001]
        );
        let shared = scenario(
            r#"[{"match":{"url":"http://api.example:8000/x"},"respond":{"network_error":"refused"}}]"#,
            r#"[{"url":"http://api.example:8000/x"}]"#,
        );
        assert!(kinds_problem(&shared).is_some_and(|p| p.contains("port 8000")));
    }

    #[test]
    fn a_timeout_needs_the_page_to_give_up_and_dns_its_own_browser() {
        let waiting = scenario(
            r#"[{"match":{"url":"http://api.example:9001/x"},"respond":{"network_error":"timeout"}},
                {"match":{"url":"http://nowhere.example/x"},"respond":{"network_error":"dns"}}]"#,
            r#"[{"url":"http://api.example:9001/x"}]"#,
        );
        assert!(kinds_problem(&waiting).is_some_and(|p| p.contains("timeout_ms")));
        assert!(needs_own_browser(&waiting));
        assert_eq!(
            hosts_failing(&waiting, NetworkErrorKind::Dns),
            ["nowhere.example"]
        );
    }
}
