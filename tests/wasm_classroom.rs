//! Component tests of classroom mode (library; predict, then reveal), run in
//! headless Chromium like tests/wasm_app.rs: each mounts the app into a fresh
//! `<div>` after clearing local storage and the URL fragment.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::panic)] // a test that cannot set up should fail loudly

use cors_lab::engine::evaluate;
use cors_lab::scenario::{Outcome, PreflightUse};
use cors_lab::ui::library::{entries, matches, summary};
use cors_lab::ui::predict::{header_at_fault, header_choices, score, Prediction, NONE};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "wasm/support.rs"]
mod support;
use support::{attrs, find, flush, fresh_root, mount, render_app, window};

async fn choose(root: &Element, selector: &str, value: &str) {
    let select = find(root, selector)
        .dyn_into::<HtmlSelectElement>()
        .expect("a select");
    select.set_value(value);
    assert_eq!(select.value(), value, "{selector} offers {value}");
    let event = web_sys::Event::new("change").expect("an event");
    select.dispatch_event(&event).expect("dispatched");
    flush().await;
}

async fn type_into(root: &Element, selector: &str, text: &str) {
    let input = find(root, selector)
        .dyn_into::<HtmlInputElement>()
        .expect("an input");
    input.set_value(text);
    let event = web_sys::InputEvent::new("input").expect("an event");
    input.dispatch_event(&event).expect("dispatched");
    flush().await;
}

async fn open_library(root: &Element) {
    find(root, "[data-testid=library-toggle]").click();
    flush().await;
}

#[wasm_bindgen_test]
fn summary_is_the_first_sentence() {
    assert_eq!(
        summary("A POST is not simple. So it is preflighted.\n\nMore."),
        "A POST is not simple."
    );
    assert_eq!(summary("One line\nwrapped\n\nNext"), "One line wrapped");
}

#[wasm_bindgen_test]
async fn library_lists_exactly_the_bundled_ids() {
    let mut bundled: Vec<String> = support::lessons().into_iter().map(|l| l.id).collect();
    let root = mount().await;
    open_library(&root).await;
    let mut listed = attrs(&root, "[data-testid=library-entry]", "data-id");
    bundled.sort();
    listed.sort();
    assert_eq!(listed, bundled);
    // Every lesson has a level, so nothing lands in "Other".
    assert!(root
        .query_selector("[data-testid=level-other]")
        .expect("ok")
        .is_none());
}

#[wasm_bindgen_test]
async fn library_search_narrows_the_list_and_a_tag_filters_it() {
    let all = entries();
    let root = mount().await;
    open_library(&root).await;
    type_into(
        &root,
        "[data-testid=library-search]",
        "wildcard credentials",
    )
    .await;
    let listed = attrs(&root, "[data-testid=library-entry]", "data-id");
    let expected: Vec<String> = all
        .iter()
        .filter(|e| matches(e, "wildcard credentials", ""))
        .map(|e| e.id.clone())
        .collect();
    assert!(!listed.is_empty() && listed.len() < all.len());
    assert!(listed.contains(&"credentials-with-wildcard-origin".to_owned()));
    let (mut listed_sorted, mut expected_sorted) = (listed, expected);
    listed_sorted.sort();
    expected_sorted.sort();
    assert_eq!(listed_sorted, expected_sorted);
    type_into(&root, "[data-testid=library-search]", "").await;
    choose(&root, "[data-testid=library-tag]", "redirect").await;
    let tagged = attrs(&root, "[data-testid=library-entry]", "data-id");
    assert!(!tagged.is_empty());
    for id in &tagged {
        let entry = all.iter().find(|e| &e.id == id).expect("a listed id");
        assert!(entry.tags.iter().any(|t| t == "redirect"), "{id}");
    }
}

#[wasm_bindgen_test]
async fn opening_from_the_library_asks_for_a_prediction_first() {
    let root = mount().await;
    open_library(&root).await;
    find(
        &root,
        "[data-testid=library-entry][data-id=put-needs-preflight] button",
    )
    .click();
    flush().await;
    assert_eq!(
        window().location().hash().expect("a hash"),
        "#scenario=put-needs-preflight"
    );
    assert!(root
        .query_selector("[data-testid=library]")
        .expect("ok")
        .is_none());
    assert!(root
        .query_selector("[data-testid=predict]")
        .expect("ok")
        .is_some());
    assert!(
        root.query_selector("[data-testid=verdict]")
            .expect("ok")
            .is_none(),
        "the steps stay hidden until the reveal"
    );
}

/// The default lesson (a JSON POST the preflight refuses), as the engine sees it.
fn default_trace() -> cors_lab::engine::RequestTrace {
    let scenario = cors_lab::ui::default_scenario();
    evaluate(&scenario, None).requests[0].clone()
}

#[wasm_bindgen_test]
fn score_explains_each_miss_from_the_trace() {
    let trace = default_trace();
    assert_eq!(trace.result.preflight, PreflightUse::Sent);
    assert_eq!(trace.result.outcome, Outcome::Blocked);
    assert_eq!(header_at_fault(&trace), "access-control-allow-headers");
    let choices = header_choices(&trace, &["Content-Type".to_owned()]);
    assert!(choices.contains(&"access-control-allow-headers".to_owned()));
    assert!(choices.contains(&"content-type".to_owned()));
    assert_eq!(choices.last().map(String::as_str), Some(NONE));
    let wrong = Prediction {
        preflight: Some(false),
        readable: Some(true),
        header: Some(NONE.to_owned()),
    };
    let marks = score(&wrong, &trace);
    assert_eq!(marks.len(), 3);
    assert!(marks.iter().all(|m| !m.right));
    assert!(marks[0]
        .explanation
        .contains("preflight (OPTIONS) was sent"));
    assert!(marks[1].explanation.contains(&trace.result.console[0]));
    assert!(marks[2]
        .explanation
        .contains("access-control-allow-headers"));
    let right = Prediction {
        preflight: Some(true),
        readable: Some(false),
        header: Some("access-control-allow-headers".to_owned()),
    };
    assert!(score(&right, &trace).iter().all(|m| m.right));
}

async fn predict_and_reveal(preflight: &str, readable: &str, header: &str) -> Element {
    let root = mount().await;
    find(&root, "[data-testid=predict-first]").click();
    flush().await;
    assert!(root
        .query_selector("[data-testid=verdict]")
        .expect("ok")
        .is_none());
    choose(&root, "[data-testid=predict-preflight]", preflight).await;
    choose(&root, "[data-testid=predict-readable]", readable).await;
    choose(&root, "[data-testid=predict-header]", header).await;
    find(&root, "[data-testid=reveal]").click();
    flush().await;
    assert!(
        root.query_selector("[data-testid=verdict]")
            .expect("ok")
            .is_some(),
        "the steps are revealed"
    );
    root
}

#[wasm_bindgen_test]
async fn a_wrong_prediction_is_marked_and_explained() {
    let root = predict_and_reveal("no", "yes", "content-type").await;
    assert_eq!(
        attrs(&root, "[data-testid=predict-marks] li", "data-right"),
        vec!["false", "false", "false"]
    );
    assert_eq!(
        find(&root, "[data-testid=predict-score]")
            .text_content()
            .as_deref(),
        Some("0 of 3 right")
    );
    let marks = find(&root, "[data-testid=predict-marks]")
        .text_content()
        .unwrap_or_default();
    assert!(marks.contains("access-control-allow-headers"), "{marks}");
}

#[wasm_bindgen_test]
async fn a_right_prediction_scores_full_marks() {
    let root = predict_and_reveal("yes", "no", "access-control-allow-headers").await;
    assert_eq!(
        attrs(&root, "[data-testid=predict-marks] li", "data-right"),
        vec!["true", "true", "true"]
    );
    assert_eq!(
        find(&root, "[data-testid=predict-score]")
            .text_content()
            .as_deref(),
        Some("3 of 3 right")
    );
}

#[wasm_bindgen_test]
fn every_course_lesson_is_bundled_once() {
    use cors_lab::ui::course::COURSE;
    let ids: Vec<String> = entries().into_iter().map(|e| e.id).collect();
    for id in COURSE {
        assert!(ids.iter().any(|i| i == id), "{id} is bundled");
    }
    let mut unique = COURSE.to_vec();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), COURSE.len(), "no lesson twice");
}

#[wasm_bindgen_test]
async fn corrupt_course_progress_gives_a_notice_and_starts_empty() {
    use cors_lab::ui::course::{load_progress, parse_progress, PROGRESS_KEY};
    assert!(parse_progress("[\"a\"]").is_ok());
    let root = fresh_root();
    let storage = window().local_storage().ok().flatten().expect("storage");
    storage
        .set_item(PROGRESS_KEY, "{not json")
        .expect("can store");
    let (done, notice) = load_progress();
    assert!(done.is_empty());
    assert!(notice.is_some());
    render_app(&root).await;
    let text = find(&root, "[data-testid=notice]")
        .text_content()
        .unwrap_or_default();
    assert!(text.contains("course progress"), "{text}");
    find(&root, "[data-testid=course-toggle]").click();
    flush().await;
    assert_eq!(
        find(&root, "[data-testid=course-progress]")
            .text_content()
            .as_deref(),
        Some(format!("0 of {} lessons done", cors_lab::ui::course::COURSE.len()).as_str())
    );
}

/// Opens the course list, then the course lesson `id` from it.
async fn open_course_lesson(root: &Element, id: &str) {
    find(root, "[data-testid=course-toggle]").click();
    flush().await;
    find(
        root,
        &format!("[data-testid=course-lesson][data-id={id}] button"),
    )
    .click();
    flush().await;
}

#[wasm_bindgen_test]
async fn revealing_a_course_lesson_marks_it_done_and_keeps_it() {
    use cors_lab::ui::course::{load_progress, COURSE};
    let root = mount().await;
    let first = COURSE[0];
    open_course_lesson(&root, first).await;
    assert!(root
        .query_selector("[data-testid=predict]")
        .expect("ok")
        .is_some());
    find(&root, "[data-testid=reveal]").click();
    flush().await;
    assert_eq!(load_progress(), (vec![first.to_owned()], None));
    find(&root, "[data-testid=course-toggle]").click();
    flush().await;
    assert_eq!(
        attrs(
            &root,
            &format!("[data-testid=course-lesson][data-id={first}]"),
            "data-done"
        ),
        vec!["true"]
    );
    assert_eq!(
        find(&root, "[data-testid=course-progress]")
            .text_content()
            .as_deref(),
        Some(format!("1 of {} lessons done", COURSE.len()).as_str())
    );
}

#[wasm_bindgen_test]
async fn next_and_previous_walk_the_course_path() {
    use cors_lab::ui::course::{load_progress, neighbours, COURSE};
    assert_eq!(neighbours(COURSE[0]), Some((None, Some(COURSE[1]))));
    assert_eq!(
        neighbours(COURSE[COURSE.len() - 1]),
        Some((Some(COURSE[COURSE.len() - 2]), None))
    );
    assert_eq!(neighbours("not-a-course-lesson"), None);
    let root = mount().await;
    // A lesson that is not on the path has no course navigation.
    let off_path = "no-cors-gives-opaque-response";
    assert!(!COURSE.contains(&off_path));
    open_library(&root).await;
    find(
        &root,
        &format!("[data-testid=library-entry][data-id={off_path}] button"),
    )
    .click();
    flush().await;
    assert!(root
        .query_selector("[data-testid=course-nav]")
        .expect("ok")
        .is_none());
    let first = COURSE[0];
    open_course_lesson(&root, first).await;
    assert!(root
        .query_selector("[data-testid=course-previous]")
        .expect("ok")
        .is_none());
    let next = find(&root, "[data-testid=course-next]");
    assert_eq!(
        next.tag_name(),
        "BUTTON",
        "a real button: keyboard reachable"
    );
    assert!(next
        .get_attribute("aria-label")
        .unwrap_or_default()
        .starts_with("Next lesson: "));
    find(&root, "[data-testid=reveal]").click();
    flush().await;
    find(&root, "[data-testid=course-next]").click();
    flush().await;
    let title = find(&root, "#scenario-title")
        .text_content()
        .unwrap_or_default();
    let second = support::lesson(COURSE[1]);
    assert_eq!(Some(title), second.title);
    assert!(window()
        .location()
        .hash()
        .unwrap_or_default()
        .ends_with(COURSE[1]));
    // It opens as the course list does: predict first, progress on reveal.
    assert!(root
        .query_selector("[data-testid=predict]")
        .expect("ok")
        .is_some());
    assert_eq!(load_progress(), (vec![first.to_owned()], None));
    find(&root, "[data-testid=reveal]").click();
    flush().await;
    assert_eq!(
        load_progress(),
        (vec![first.to_owned(), COURSE[1].to_owned()], None)
    );
    find(&root, "[data-testid=course-previous]").click();
    flush().await;
    assert_eq!(
        attrs(&root, "[data-testid=course-next]", "data-id"),
        vec![COURSE[1]]
    );
}

fn key(name: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(name);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
        .expect("a key event");
    window()
        .document()
        .expect("a document")
        .body()
        .expect("a body")
        .dispatch_event(&event)
        .expect("dispatched");
}

#[wasm_bindgen_test]
async fn presenter_moves_by_clicker_and_arrow_keys_and_escape_leaves() {
    use cors_lab::ui::trace::{stage_id, stages_of};
    let trace = default_trace();
    let stages: Vec<&str> = stages_of(&trace.steps).into_iter().map(stage_id).collect();
    assert!(stages.len() >= 3);
    let root = mount().await;
    find(&root, "[data-testid=present]").click();
    flush().await;
    assert!(
        root.query_selector("[data-testid=page-origin]")
            .expect("ok")
            .is_none(),
        "editors hidden"
    );
    let presenter = || find(&root, "[data-testid=presenter]");
    let first = presenter().get_attribute("data-stage").unwrap_or_default();
    assert!(
        stages.contains(&first.as_str()),
        "opens on a stage of the trace"
    );
    key("Home");
    flush().await;
    assert_eq!(
        presenter().get_attribute("data-stage").as_deref(),
        Some(stages[0])
    );
    assert_eq!(
        find(&root, "[data-testid=presenter-count]").text_content(),
        Some(format!("1 / {}", stages.len()))
    );
    key("PageDown");
    flush().await;
    assert_eq!(
        presenter().get_attribute("data-stage").as_deref(),
        Some(stages[1])
    );
    key("ArrowRight");
    flush().await;
    assert_eq!(
        presenter().get_attribute("data-stage").as_deref(),
        Some(stages[2])
    );
    key("PageUp");
    flush().await;
    assert_eq!(
        presenter().get_attribute("data-stage").as_deref(),
        Some(stages[1])
    );
    key("Escape");
    flush().await;
    assert!(root
        .query_selector("[data-testid=presenter]")
        .expect("ok")
        .is_none());
    assert!(root
        .query_selector("[data-testid=page-origin]")
        .expect("ok")
        .is_some());
}

#[wasm_bindgen_test]
fn export_then_import_of_an_edited_scenario_gives_the_same_state() {
    use cors_lab::ui::authoring::{export_scenario, file_name, import_scenario};
    use cors_lab::ui::state::{apply, Evaluated};
    let original = Evaluated::new(cors_lab::ui::default_scenario());
    let edited = apply(
        &original.scenario,
        original.trace(cors_lab::scenario::Browser::Chrome),
        cors_lab::ui::state::Edit::Page("https://other.example.com".to_owned()),
    );
    let edited = Evaluated::new(edited);
    let text = export_scenario(
        &edited.scenario,
        edited.trace(cors_lab::scenario::Browser::Chrome),
        false,
    );
    assert!(
        text.starts_with("{\n  \"format\": \"cors-scenario/1\""),
        "{text}"
    );
    let (imported, warnings) = import_scenario(&text).expect("the export opens again");
    assert!(warnings.is_empty(), "{warnings:?}");
    let reopened = Evaluated::new(imported.clone());
    for browser in cors_lab::scenario::Browser::ALL {
        assert_eq!(
            reopened.trace(browser),
            edited.trace(browser),
            "the same {browser:?} trace"
        );
    }
    assert_eq!(imported.page, "https://other.example.com");
    // `expect` is the engine's Chrome result of each request.
    let expect = imported.expect.clone().expect("expect is filled in");
    let results: Vec<_> = edited
        .trace(cors_lab::scenario::Browser::Chrome)
        .requests
        .iter()
        .map(|r| r.result.to_expectation())
        .collect();
    assert_eq!(expect, results);
    let mut without_expect = imported;
    without_expect.expect = edited.scenario.expect.clone();
    assert_eq!(&without_expect, &*edited.scenario);
    assert_eq!(
        file_name(&edited.scenario),
        "json-post-without-allow-headers.json"
    );
}

#[wasm_bindgen_test]
fn export_redacts_secrets_unless_opted_in_and_import_reports_problems() {
    use cors_lab::ui::authoring::{export_scenario, import_scenario};
    let mut scenario = cors_lab::ui::default_scenario();
    scenario.requests[0]
        .headers
        .push(("Authorization".to_owned(), "Bearer s3cret".to_owned()));
    let trace = evaluate(&scenario, None);
    assert!(!export_scenario(&scenario, &trace, false).contains("s3cret"));
    assert!(export_scenario(&scenario, &trace, true).contains("s3cret"));
    let broken = import_scenario("{\n  \"format\": \"cors-scenario/1\",\n  \"id\": 7\n}")
        .expect_err("a number is not an id");
    assert!(broken.contains("line 3"), "{broken}");
    assert!(broken.contains("current work is kept"), "{broken}");
    let text =
        export_scenario(&scenario, &trace, true).replacen("{", "{\n  \"colour\": \"red\",", 1);
    let (_, warnings) = import_scenario(&text).expect("unknown fields only warn");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("colour"), "{warnings:?}");
}
