//! Tests of the app's store (src/ui/store): the pure reducer, its effects,
//! the start-up order and the keys. No DOM: the reducer writes nothing, so
//! each test feeds it actions and checks the state and the effects it
//! returns. They run in headless Chromium with the other wasm tests because
//! the app's modules (and so the store's types) exist only on wasm.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a test that cannot set up should fail loudly

use std::rc::Rc;

use cors_lab::engine::{evaluate, Stage};
use cors_lab::scenario::{parse_scenario, Scenario};
use cors_lab::ui::course::COURSE;
use cors_lab::ui::default_scenario;
use cors_lab::ui::paste::OpenPasted;
use cors_lab::ui::share::{self, decode_scenario, HashRequest};
use cors_lab::ui::state::Edit;
use cors_lab::ui::store::{key_action, reduce, Action, AppState, Effect, Mode, Start};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn start_with(hash: HashRequest, stored: Result<Option<Scenario>, String>) -> Start {
    Start {
        hash,
        stored,
        theme: None,
        progress: (Vec::new(), None),
        bundled: share::bundled_titles(),
    }
}

/// The state the app opens with on an empty page (the default scenario).
fn fresh() -> AppState {
    AppState::start(start_with(HashRequest::None, Ok(None)), default_scenario()).0
}

/// Applies `actions` in order; the effects of each, in order.
fn run(state: AppState, actions: Vec<Action>) -> (AppState, Vec<Vec<Effect>>) {
    let mut effects = Vec::new();
    let state = actions.into_iter().fold(state, |state, action| {
        let (next, done) = reduce(&state, action);
        effects.push(done);
        next
    });
    (state, effects)
}

/// Every lesson's text as `build.rs` wrote it (what the app reads from a
/// lesson's page or its `lessons/<id>.json`).
const LESSON_TEXTS: &[&str] = include!(concat!(env!("OUT_DIR"), "/lesson_texts.rs"));

fn lesson_text(id: &str) -> &'static str {
    LESSON_TEXTS
        .iter()
        .find(|text| parse_scenario(text).is_ok_and(|s| s.id == id))
        .unwrap_or_else(|| panic!("{id} is a lesson"))
}

fn lesson(id: &str) -> Scenario {
    parse_scenario(lesson_text(id)).expect("a lesson loads")
}

/// What the edge reports once lesson `id`'s text has been read.
fn loaded(id: &str) -> Action {
    Action::LessonLoaded {
        id: id.to_owned(),
        text: Ok(lesson_text(id).to_owned()),
    }
}

fn stored_scenarios(effects: &[Effect]) -> Vec<Rc<Scenario>> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::StoreScenario(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[wasm_bindgen_test]
fn the_link_wins_over_storage_and_storage_over_the_default() {
    let shared = lesson(COURSE[3]);
    let stored = lesson(COURSE[4]);
    let (state, effects) = AppState::start(
        start_with(
            HashRequest::Shared(Box::new(shared.clone())),
            Ok(Some(stored.clone())),
        ),
        default_scenario(),
    );
    assert_eq!(*state.eval.scenario, shared);
    assert_eq!(state.notice, None);
    assert_eq!(
        effects,
        vec![
            Effect::Theme {
                theme: None,
                store: false
            },
            Effect::StoreScenario(state.eval.scenario.clone()),
        ],
        "the opened scenario is stored, the theme applied but not rewritten"
    );

    let broken = HashRequest::Broken("damaged".to_owned());
    let (state, _) = AppState::start(
        start_with(broken, Ok(Some(stored.clone()))),
        default_scenario(),
    );
    assert_eq!(*state.eval.scenario, stored);
    assert_eq!(state.notice.as_deref(), Some("damaged"));

    let (state, _) = AppState::start(
        start_with(HashRequest::None, Err("corrupt".to_owned())),
        default_scenario(),
    );
    assert_eq!(*state.eval.scenario, default_scenario());
    assert_eq!(state.notice.as_deref(), Some("corrupt"));
}

#[wasm_bindgen_test]
fn a_stored_theme_the_page_does_not_have_is_ignored() {
    let mut start = start_with(HashRequest::None, Ok(None));
    start.theme = Some("neon".to_owned());
    assert_eq!(AppState::start(start, default_scenario()).0.theme, None);
    let (state, effects) = reduce(&fresh(), Action::Theme(Some("dark".to_owned())));
    assert_eq!(state.theme.as_deref(), Some("dark"));
    assert_eq!(
        effects,
        vec![Effect::Theme {
            theme: Some("dark".to_owned()),
            store: true
        }]
    );
}

#[wasm_bindgen_test]
fn an_edit_reevaluates_stores_and_clears_the_link() {
    let state = fresh();
    let (state, effects) = run(
        state,
        vec![
            Action::ShareShown(cors_lab::ui::store::ShareLink {
                href: "x#s=1".to_owned(),
                redacted: Vec::new(),
            }),
            Action::Edit(Edit::Page("https://other.example".to_owned())),
        ],
    );
    assert_eq!(state.eval.scenario.page, "https://other.example");
    assert_eq!(state.share_link, None);
    let browser = Some(state.browser());
    let trace = state.eval.trace(state.browser());
    assert_eq!(
        *trace,
        evaluate(&state.eval.scenario, browser),
        "the trace is the edited scenario's"
    );
    assert_ne!(*trace, evaluate(&default_scenario(), browser));
    assert_eq!(
        effects[1],
        vec![
            Effect::StoreScenario(state.eval.scenario.clone()),
            Effect::ReplaceHash(String::new()),
        ]
    );
}

#[wasm_bindgen_test]
fn send_again_selects_the_new_request_and_removing_it_keeps_the_selection_in_range() {
    let (state, _) = run(
        fresh(),
        vec![
            Action::Stage(Stage::Verdict),
            Action::Edit(Edit::SendAgain {
                from: 0,
                delay_ms: 5000,
            }),
        ],
    );
    assert_eq!(state.eval.scenario.requests.len(), 2);
    assert_eq!(state.selection.request, 1);
    assert_eq!(
        state.selection.stage, None,
        "the new request opens on its default stage"
    );
    let (state, _) = reduce(&state, Action::Edit(Edit::RemoveRequest(1)));
    assert_eq!(state.eval.scenario.requests.len(), 1);
    assert_eq!(state.selection.request, 0);
}

#[wasm_bindgen_test]
fn stepping_moves_within_the_stages_and_stops_at_the_ends() {
    let state = fresh();
    let stages = cors_lab::ui::stages(&state.eval, 0);
    assert!(stages.len() > 2, "{stages:?}");
    let (first, _) = reduce(&state, Action::Step(-1000));
    assert_eq!(first.selection.stage, stages.first().copied());
    let (second, effects) = reduce(&first, Action::Step(1));
    assert_eq!(second.selection.stage, stages.get(1).copied());
    assert!(effects.is_empty(), "stepping writes nothing");
    let (unchanged, _) = reduce(&first, Action::Step(-1));
    assert_eq!(unchanged, first, "no stage before the first");
    let (picked, _) = reduce(&second, Action::SelectRequest(0));
    assert_eq!(
        picked.selection.stage, None,
        "another request starts at its default"
    );
}

#[wasm_bindgen_test]
fn one_mode_at_a_time() {
    let (state, _) = run(
        fresh(),
        vec![Action::Show(Mode::Paste), Action::Show(Mode::Library)],
    );
    assert_eq!(
        state.mode,
        Mode::Library,
        "the library replaces the paste panel"
    );
    let (state, _) = reduce(&state, Action::Show(Mode::Presenter));
    assert_eq!(state.mode, Mode::Presenter);
    assert_eq!(state.library, None, "dropped when the library closes");
    assert_eq!(
        key_action("Escape", state.mode),
        Some(Action::Show(Mode::Lab))
    );
    assert_eq!(key_action("PageDown", state.mode), Some(Action::Step(1)));
    assert_eq!(key_action("Escape", Mode::Lab), None);
    assert_eq!(key_action("PageDown", Mode::Lab), None);
    assert_eq!(key_action("ArrowRight", Mode::Lab), Some(Action::Step(1)));
    assert_eq!(key_action("Home", Mode::Course), Some(Action::Step(-1000)));
}

#[wasm_bindgen_test]
fn opening_a_lesson_predicts_first_and_can_be_undone() {
    let id = COURSE[2];
    let (state, effects) = run(
        fresh(),
        vec![
            Action::Show(Mode::Library),
            Action::OpenLesson(id.to_owned()),
        ],
    );
    assert_eq!(state.mode, Mode::Lab);
    assert!(state.predict_first);
    assert_eq!(effects[1], vec![Effect::LoadLesson(id.to_owned())]);
    assert_eq!(state.loading.as_deref(), Some(id), "read, then opened");
    let (state, effects) = reduce(&state, loaded(id));
    assert_eq!(state.loading, None);
    assert!(state.predict_first);
    assert!(!state.revealed);
    assert_eq!(state.eval.scenario.id, id);
    assert_eq!(
        effects.last(),
        Some(&Effect::ReplaceHash(format!("scenario={id}")))
    );
    assert_eq!(
        stored_scenarios(&effects),
        vec![state.eval.scenario.clone()]
    );
    let (state, effects) = reduce(&state, Action::Restore);
    assert_eq!(*state.eval.scenario, default_scenario());
    assert_eq!(effects.last(), Some(&Effect::ReplaceHash(String::new())));
    assert_eq!(
        state.previous.as_deref().map(|s| s.id.as_str()),
        Some(id),
        "restoring can itself be undone"
    );
}

#[wasm_bindgen_test]
fn revealing_a_course_lesson_records_progress_once() {
    let id = COURSE[0];
    let (state, effects) = run(
        fresh(),
        vec![
            Action::OpenLesson(id.to_owned()),
            loaded(id),
            Action::Reveal,
            Action::Reveal,
        ],
    );
    assert!(state.revealed);
    assert_eq!(state.progress, vec![id.to_owned()]);
    assert_eq!(effects[2], vec![Effect::StoreProgress(vec![id.to_owned()])]);
    assert!(effects[3].is_empty(), "already recorded");
    let (state, effects) = reduce(&state, Action::ResetCourse);
    assert!(state.progress.is_empty());
    assert_eq!(effects, vec![Effect::StoreProgress(Vec::new())]);
}

#[wasm_bindgen_test]
fn a_lesson_the_page_opens_with_stands_in_until_it_is_read() {
    let id = COURSE[5];
    let stored = lesson(COURSE[4]);
    let (state, effects) = AppState::start(
        start_with(
            HashRequest::Bundled(id.to_owned()),
            Ok(Some(stored.clone())),
        ),
        default_scenario(),
    );
    assert!(
        state.standing_in,
        "no verdict of the stored scenario is shown"
    );
    assert!(!state.welcome);
    assert_eq!(state.loading.as_deref(), Some(id));
    assert_eq!(effects.last(), Some(&Effect::LoadLesson(id.to_owned())));
    let (state, effects) = reduce(&state, loaded(id));
    assert_eq!(*state.eval.scenario, lesson(id));
    assert!(!state.standing_in);
    assert_eq!(
        state.previous, None,
        "what stood in is not a scenario to go back to"
    );
    assert_eq!(
        effects.last(),
        Some(&Effect::ReplaceHash(format!("scenario={id}")))
    );
    // A lesson the page carries opens at once.
    let (state, effects) = AppState::start(
        start_with(HashRequest::Lesson(Box::new(lesson(id))), Ok(None)),
        default_scenario(),
    );
    assert!(!state.standing_in);
    assert_eq!(state.loading, None);
    assert_eq!(state.eval.scenario.id, id);
    assert!(!effects.iter().any(|e| matches!(e, Effect::LoadLesson(_))));
}

#[wasm_bindgen_test]
fn a_lesson_that_does_not_arrive_is_a_notice_and_keeps_the_work() {
    let id = COURSE[6];
    let (state, _) = run(
        fresh(),
        vec![
            Action::Edit(Edit::Page("https://mine.example".to_owned())),
            Action::Open(id.to_owned()),
        ],
    );
    let mine = state.eval.scenario.clone();
    let (failed, effects) = reduce(
        &state,
        Action::LessonLoaded {
            id: id.to_owned(),
            text: Err(format!("/lessons/{id}.json answered 404")),
        },
    );
    let notice = failed.notice.clone().unwrap_or_default();
    assert!(notice.contains("could not be loaded"), "{notice}");
    assert!(notice.contains("answered 404"), "{notice}");
    assert_eq!(failed.eval.scenario, mine);
    assert_eq!(failed.loading, None);
    assert!(effects.is_empty());
    // A file that holds another lesson, or no scenario, is refused too.
    for text in [lesson_text(COURSE[0]), "{\"format\": 1}"] {
        let (refused, _) = reduce(
            &state,
            Action::LessonLoaded {
                id: id.to_owned(),
                text: Ok(text.to_owned()),
            },
        );
        assert_eq!(refused.eval.scenario, mine);
        assert!(refused
            .notice
            .is_some_and(|n| n.contains("could not be loaded")));
    }
}

#[wasm_bindgen_test]
fn a_lesson_opened_since_wins_over_one_still_arriving() {
    let (first, second) = (COURSE[1], COURSE[2]);
    let (state, _) = run(
        fresh(),
        vec![
            Action::Open(first.to_owned()),
            Action::OpenLesson(second.to_owned()),
            loaded(first),
        ],
    );
    assert_ne!(state.eval.scenario.id, first, "superseded");
    assert_eq!(state.loading.as_deref(), Some(second));
    let (state, _) = reduce(&state, loaded(second));
    assert_eq!(state.eval.scenario.id, second);
    // A reset while a lesson is read wins too.
    let (state, _) = run(
        fresh(),
        vec![Action::Open(first.to_owned()), Action::Reset, loaded(first)],
    );
    assert_eq!(*state.eval.scenario, default_scenario());
}

#[wasm_bindgen_test]
fn a_share_link_leaves_out_secrets_unless_asked() {
    let mut scenario = default_scenario();
    scenario.requests[0]
        .headers
        .push(("authorization".to_owned(), "Bearer secret".to_owned()));
    let (state, _) = reduce(
        &fresh(),
        Action::OpenPasted(Box::new(OpenPasted {
            scenario: scenario.clone(),
            stage: Some(Stage::Verdict),
        })),
    );
    assert_eq!(
        state.selection.stage,
        Some(Stage::Verdict),
        "opens at the failing step"
    );
    assert!(
        state.secrets.is_empty(),
        "not listed before the first paint"
    );
    let (state, _) = reduce(&state, Action::Settled);
    assert_eq!(state.secrets.len(), 1, "{:?}", state.secrets);

    let fragment_of = |effects: &[Effect]| match effects {
        [Effect::ShowShareLink { fragment, redacted }] => (fragment.clone(), redacted.clone()),
        other => panic!("one share effect, got {other:?}"),
    };
    let (_, effects) = reduce(&state, Action::Share);
    let (fragment, redacted) = fragment_of(&effects);
    assert_eq!(redacted.len(), 1);
    let decoded = decode_scenario(fragment.trim_start_matches("s=")).expect("decodes");
    assert_ne!(decoded, scenario, "the secret is left out");

    let (state, _) = reduce(&state, Action::IncludeSecrets(true));
    let (_, effects) = reduce(&state, Action::Share);
    let (fragment, redacted) = fragment_of(&effects);
    assert!(redacted.is_empty());
    let decoded = decode_scenario(fragment.trim_start_matches("s=")).expect("decodes");
    assert_eq!(decoded, scenario, "asked for: the exact scenario");
}

#[wasm_bindgen_test]
fn a_bad_file_or_link_is_a_notice_and_keeps_the_work() {
    let edited = reduce(
        &fresh(),
        Action::Edit(Edit::Page("https://mine.example".to_owned())),
    )
    .0;
    let (state, effects) = reduce(&edited, Action::Import("{ not json".to_owned()));
    assert!(state.notice.is_some());
    assert_eq!(state.eval.scenario, edited.eval.scenario);
    assert!(effects.is_empty());
    let (state, effects) = reduce(
        &edited,
        Action::HashChanged("#scenario=no-such-lesson".to_owned()),
    );
    assert!(state
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("no-such-lesson")));
    assert_eq!(state.eval.scenario, edited.eval.scenario);
    assert!(effects.is_empty());
    let (state, _) = reduce(&state, Action::DismissNotice);
    assert_eq!(state.notice, None);
}

#[wasm_bindgen_test]
fn export_offers_a_file_that_opens_again() {
    let state = fresh();
    let (_, effects) = reduce(&state, Action::Export);
    let [Effect::Download { name, text }] = effects.as_slice() else {
        panic!("one download, got {effects:?}");
    };
    assert!(name.ends_with(".json"), "{name}");
    let (opened, effects) = reduce(&state, Action::Import(text.clone()));
    assert_eq!(opened.eval.scenario.requests, state.eval.scenario.requests);
    assert_eq!(opened.notice, None);
    assert_eq!(effects.last(), Some(&Effect::ReplaceHash(String::new())));
}
