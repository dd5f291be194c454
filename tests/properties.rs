//! Property tests over the engine's invariants.

use cors_lab::engine::check_cors_safelisted_request_header;
use cors_lab::engine::cors_check;
use cors_lab::engine::evaluate;
use cors_lab::engine::profile;
use cors_lab::engine::HeaderList;
use cors_lab::engine::Origin;
use cors_lab::engine::{check_preflight_response, PreflightAsk};
use cors_lab::scenario::{
    AddressSpace, Api, Browser, Credentials, CrossOrigin, Mode, NetworkErrorKind, Redirect,
    RequestSpec, Respond, RuleMatch, Scenario, ServerRule,
};
use proptest::prelude::*;

fn tuple_origin() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("http"), Just("https")],
        prop_oneof![
            Just("a.example"),
            Just("b.example"),
            Just("A.Example"),
            Just("bücher.example"),
            Just("127.0.0.1"),
            Just("[::1]")
        ],
        prop_oneof![
            Just(None),
            Just(Some(80u16)),
            Just(Some(443)),
            Just(Some(8080))
        ],
    )
        .prop_map(|(scheme, host, port)| match port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        })
}

fn browser() -> impl Strategy<Value = Browser> {
    prop_oneof![
        Just(Browser::Chrome),
        Just(Browser::Firefox),
        Just(Browser::Safari)
    ]
}

fn parse(text: &str) -> Origin {
    Origin::parse_page(text).unwrap_or(Origin::Opaque)
}

proptest! {
    #[test]
    fn same_origin_is_an_equivalence_on_tuple_origins(a in tuple_origin(), b in tuple_origin(), c in tuple_origin()) {
        let (a, b, c) = (parse(&a), parse(&b), parse(&c));
        prop_assert!(a.is_same_origin(&a));
        prop_assert_eq!(a.is_same_origin(&b), b.is_same_origin(&a));
        if a.is_same_origin(&b) && b.is_same_origin(&c) {
            prop_assert!(a.is_same_origin(&c));
        }
    }

    #[test]
    fn origin_serialisation_round_trips(text in tuple_origin()) {
        let origin = parse(&text);
        let serialized = origin.serialize();
        let again = parse(&serialized);
        prop_assert!(again.is_same_origin(&origin));
        prop_assert_eq!(again.serialize(), serialized.clone());
        prop_assert!(!serialized.ends_with('/'));
    }

    #[test]
    fn a_value_over_128_bytes_is_never_safelisted(
        name in prop_oneof![Just("Accept"), Just("Accept-Language"), Just("Content-Language"), Just("Content-Type"), Just("Range")],
        extra in 1usize..200,
        browser in browser(),
    ) {
        let value = format!("text/plain;{}", "a".repeat(118 + extra));
        prop_assert!(value.len() > 128);
        prop_assert!(check_cors_safelisted_request_header(name, &value, &profile(browser)).is_err());
    }

    #[test]
    fn a_wildcard_never_satisfies_a_credentialed_request(
        origin in tuple_origin(),
        acac in prop_oneof![Just(None), Just(Some("true"))],
        browser in browser(),
        method in prop_oneof![Just("PUT"), Just("DELETE"), Just("patch")],
    ) {
        let origin = parse(&origin).serialize();
        let mut headers = HeaderList::default();
        headers.append("Access-Control-Allow-Origin", "*");
        if let Some(value) = acac {
            headers.append("Access-Control-Allow-Credentials", value);
        }
        prop_assert!(cors_check(&origin, true, &headers, browser).is_err());
        // Nor do `*` methods or headers in a preflight for a credentialed request.
        let mut preflight = HeaderList::default();
        preflight.append("Access-Control-Allow-Origin", &origin);
        preflight.append("Access-Control-Allow-Credentials", "true");
        preflight.append("Access-Control-Allow-Methods", "*");
        preflight.append("Access-Control-Allow-Headers", "*");
        let ask = PreflightAsk { origin: origin.clone(), method: method.to_owned(), unsafe_headers: vec![], credentials: true, use_cors_preflight: false };
        prop_assert!(check_preflight_response(&ask, 204, &preflight, false, &profile(browser)).is_err());
        let ask = PreflightAsk { method: "GET".into(), unsafe_headers: vec!["x-custom".into()], ..ask };
        prop_assert!(check_preflight_response(&ask, 204, &preflight, false, &profile(browser)).is_err());
    }
}

fn header_pair() -> impl Strategy<Value = (String, String)> {
    (
        prop_oneof![
            Just("Content-Type".to_owned()),
            Just("X-Custom".to_owned()),
            Just("Accept".to_owned()),
            Just("Authorization".to_owned()),
            "[ -~]{0,12}"
        ],
        prop_oneof![
            Just("text/plain".to_owned()),
            Just("application/json".to_owned()),
            Just("*".to_owned()),
            "\\PC{0,40}"
        ],
    )
}

fn any_scenario() -> impl Strategy<Value = Scenario> {
    let rule = (
        prop_oneof![
            Just(None),
            Just(Some("OPTIONS".to_owned())),
            Just(Some("GET".to_owned()))
        ],
        prop_oneof![Just(200u16), Just(204), Just(302), Just(404), Just(500)],
        prop::collection::vec(
            prop_oneof![
                Just(("Access-Control-Allow-Origin".to_owned(), "*".to_owned())),
                Just((
                    "Access-Control-Allow-Origin".to_owned(),
                    "{{request.origin}}".to_owned()
                )),
                Just(("Access-Control-Allow-Methods".to_owned(), "*".to_owned())),
                Just((
                    "Access-Control-Allow-Headers".to_owned(),
                    "x-custom, content-type".to_owned()
                )),
                Just((
                    "Access-Control-Allow-Credentials".to_owned(),
                    "true".to_owned()
                )),
                Just(("Access-Control-Max-Age".to_owned(), "60".to_owned())),
                Just(("Location".to_owned(), "https://b.example/next".to_owned())),
                header_pair(),
            ],
            0..5,
        ),
        0..NetworkErrorKind::ALL.len() * 2,
    )
        .prop_map(|(method, status, headers, network_error)| ServerRule {
            matcher: RuleMatch {
                method,
                url: "https://b.example/x".to_owned(),
            },
            respond: Respond {
                status,
                headers,
                body: String::new(),
                network_error: NetworkErrorKind::ALL
                    .get(network_error)
                    .copied()
                    .filter(|_| status == 500),
            },
            framework: None,
        });
    let request = (
        prop_oneof![
            Just(Api::Fetch),
            Just(Api::Xhr),
            Just(Api::Img),
            Just(Api::Script),
            Just(Api::Stylesheet),
            Just(Api::Eventsource),
            Just(Api::Form),
            Just(Api::Websocket)
        ],
        prop_oneof![
            Just("GET".to_owned()),
            Just("put".to_owned()),
            Just("patch".to_owned()),
            Just("TRACE".to_owned()),
            "[ -~]{0,8}"
        ],
        prop::collection::vec(header_pair(), 0..4),
        prop_oneof![Just(Mode::Cors), Just(Mode::NoCors), Just(Mode::SameOrigin)],
        prop_oneof![
            Just(Credentials::Omit),
            Just(Credentials::SameOrigin),
            Just(Credentials::Include)
        ],
        prop_oneof![
            Just(Redirect::Follow),
            Just(Redirect::Error),
            Just(Redirect::Manual)
        ],
        prop_oneof![
            Just("https://b.example/x".to_owned()),
            Just("https://a.example/x".to_owned()),
            "\\PC{0,20}"
        ],
        0u64..20_000,
    )
        .prop_map(
            |(api, method, headers, mode, credentials, redirect, url, at)| RequestSpec {
                api,
                url,
                method,
                headers,
                body: None,
                mode,
                credentials,
                redirect,
                crossorigin: match at % 3 {
                    0 => None,
                    1 => Some(CrossOrigin::Anonymous),
                    _ => Some(CrossOrigin::UseCredentials),
                },
                upload_listener: at % 2 == 0,
                timeout_ms: (at % 5 == 0).then_some(1000),
                at_ms: Some(at),
                target_address_space: match at % 5 {
                    0 => Some(AddressSpace::Loopback),
                    1 => Some(AddressSpace::Local),
                    _ => None,
                },
            },
        );
    (
        prop_oneof![
            Just("https://a.example".to_owned()),
            Just("null".to_owned()),
            "\\PC{0,12}"
        ],
        prop::collection::vec(rule, 0..4),
        prop::collection::vec(request, 1..4),
    )
        .prop_map(|(page, server, requests)| Scenario {
            format: "cors-scenario/1".into(),
            id: "generated".into(),
            title: None,
            lesson: None,
            level: None,
            tags: vec![],
            browser: None,
            page,
            server,
            requests,
            expect: None,
            source: None,
            not_modelled: vec![],
            attacker_page: false,
            page_csp: None,
            address_spaces: Default::default(),
            lna_permissions: Default::default(),
            page_coep: None,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_engine_is_deterministic_and_total(scenario in any_scenario(), browser in browser()) {
        let first = evaluate(&scenario, Some(browser));
        let second = evaluate(&scenario, Some(browser));
        prop_assert_eq!(&first, &second);
        if first.scenario_error.is_none() {
            prop_assert_eq!(first.requests.len(), scenario.requests.len());
        }
    }
}
