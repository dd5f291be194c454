//! `diagnose` never panics: random bytes, random text built from the
//! formats' own pieces, huge input, malformed and truncated HARs, and every
//! prefix of every fixture give a diagnosis or a clear error.
#![allow(clippy::unwrap_used)] // unreadable fixtures should fail loudly

use std::path::PathBuf;

use cors_lab::diagnose::diagnose;
use proptest::prelude::*;

fn fixtures() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/diagnose-fixtures");
    let mut found: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_name()?.to_str()?.to_owned();
            (name != "README.md").then(|| (name, std::fs::read_to_string(&path).unwrap()))
        })
        .collect();
    found.sort();
    assert!(found.len() >= 15, "fixtures missing");
    found
}

/// A result, or an error that says something.
fn check(input: &str) {
    if let Err(e) = diagnose(input) {
        assert!(!e.message.is_empty());
    }
}

#[test]
fn every_prefix_of_every_fixture() {
    for (name, text) in fixtures() {
        let step = if name.ends_with(".har") { 7 } else { 1 };
        let mut cut = 0;
        while cut <= text.len() {
            if let Some(prefix) = text.get(..cut) {
                check(prefix);
            }
            cut += step;
        }
        let _ = name;
    }
}

#[test]
fn huge_inputs() {
    check(&"A".repeat(20_000_000));
    check(&"curl 'http://a.test/' -H 'Origin: http://b.test' \\\n".repeat(20_000));
    check(&"\n".repeat(5_000_000));
    check(&format!(
        "fetch('u', {{ body: JSON.stringify({}1{}) }})",
        "[".repeat(1_000_000),
        "]".repeat(1_000_000)
    ));
    check(&"{".repeat(1_000_000));
    check(&format!(
        "{{\"log\":{{\"entries\":[{}]}}}}",
        "{".repeat(200_000)
    ));
}

#[test]
fn malformed_hars() {
    for text in [
        "{}",
        "{\"log\":{}}",
        "{\"log\":{\"entries\":{}}}",
        "{\"log\":{\"entries\":[{}]}}",
        "{\"log\":{\"entries\":[{\"request\":{}}]}}",
        "{\"log\":{\"entries\":[{\"request\":{\"method\":\"GET\",\"url\":\"::\",\"headers\":[{\"name\":\"Origin\",\"value\":\"x\"}]},\"response\":{\"status\":99999}}]}}",
        "{\"log\":{\"entries\":[{\"request\":{\"method\":\"OPTIONS\",\"url\":\"http://a.test/\",\"headers\":[{\"name\":\"Access-Control-Request-Method\",\"value\":\"\u{0}\"},{\"name\":\"Origin\",\"value\":\"null\"}]},\"response\":{\"status\":-1}}]}}",
    ] {
        check(text);
    }
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("curl ".to_owned()),
        Just("^\"".to_owned()),
        Just(" -H '".to_owned()),
        Just("Origin: http://a.test".to_owned()),
        Just("Access-Control-Allow-Origin: *".to_owned()),
        Just("HTTP/1.1 204 No Content\n".to_owned()),
        Just("OPTIONS /x HTTP/1.1\nHost: b.test:8080\n".to_owned()),
        Just("Access-Control-Request-Method: PUT\n".to_owned()),
        Just("fetch(\"http://b.test/\", {\"method\": \"PUT\", headers: {".to_owned()),
        Just("Access to fetch at 'http://b.test/' from origin 'http://a.test' has been blocked by CORS policy: ".to_owned()),
        Just("Response to preflight request doesn't pass access control check: ".to_owned()),
        Just("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ".to_owned()),
        Just("{\"log\":{\"entries\":[".to_owned()),
        Just("\n\n".to_owned()),
        Just("> ".to_owned()),
        Just("< ".to_owned()),
        Just("$'\\x".to_owned()),
        "\\PC{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_text_from_format_pieces(pieces in prop::collection::vec(piece(), 0..40)) {
        check(&pieces.concat());
    }

    #[test]
    fn fixtures_with_a_random_cut_and_splice(index in 0usize..64, cut in 0usize..40_000, insert in "\\PC{0,20}") {
        let all = fixtures();
        let (_, text) = &all[index % all.len()];
        let mut cut = cut % (text.len() + 1);
        while !text.is_char_boundary(cut) { cut -= 1; }
        check(&format!("{}{insert}{}", &text[..cut], &text[cut..]));
    }
}
