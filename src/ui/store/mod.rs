//! The app's one store: [`AppState`], the [`Action`]s that change it, and
//! [`reduce`], a pure function from a state and an action to the next state
//! and the [`Effect`]s to run.
//!
//! Nothing here touches the page: storage, the address bar, the theme, the
//! download and the course progress are written by [`effects::run`], at the
//! edge, from the effects the reducer returns. What the page says (the URL
//! fragment, what is stored) comes in as data ([`Start`], action payloads).
//! The engine's traces are the only thing the reducer reads about CORS; it
//! decides nothing about it.

pub mod effects;

use std::rc::Rc;

use super::authoring;
use super::course;
use super::library;
use super::paste::OpenPasted;
use super::share::{self, HashRequest};
use super::state::{apply, step_stage, Edit, Evaluated};
use crate::engine::{RequestTrace, Stage};
use crate::scenario::{Browser, Scenario};

/// What fills the page; exactly one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The editors and the trace.
    #[default]
    Lab,
    /// The lesson library.
    Library,
    /// The course path and its progress.
    Course,
    /// One stage per screen in large type (falls back to the lab when the
    /// scenario has no request to show).
    Presenter,
    /// "Why is my request blocked?" above the lab.
    Paste,
}

/// The request and stage the learner is looking at: the only copy the app keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Selection {
    /// Index into the scenario's requests.
    pub request: usize,
    /// The stage shown; `None` = the failing stage, else the first.
    pub stage: Option<Stage>,
}

/// The share link shown under the toolbar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareLink {
    /// The whole address, with its `#s=` fragment.
    pub href: String,
    /// Where the link leaves out a secret value.
    pub redacted: Vec<String>,
}

/// Everything the page shows, in one value.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// The scenario and the engine's traces of it.
    pub eval: Evaluated,
    /// The request and stage shown.
    pub selection: Selection,
    /// What fills the page.
    pub mode: Mode,
    /// The library's entries, listed when it opens (`None` outside it).
    pub library: Option<Rc<Vec<library::Entry>>>,
    /// A message above the page (a load that failed, a warning).
    pub notice: Option<String>,
    /// The share link, once asked for (any edit hides it).
    pub share_link: Option<ShareLink>,
    /// Whether share links and saved files keep secret values.
    pub include_secrets: bool,
    /// `light`, `dark`, or `None` to follow the system.
    pub theme: Option<String>,
    /// The "send again after" delay, in seconds.
    pub delay_s: u32,
    /// The scenario the last load replaced ("Back to the previous scenario").
    pub previous: Option<Rc<Scenario>>,
    /// The bundled lessons' ids and titles, in menu order.
    pub bundled: Rc<Vec<(String, String)>>,
    /// The bundled lesson being read ([`Effect::LoadLesson`]), by id.
    pub loading: Option<String>,
    /// Whether the scenario only stands in for the lesson the page opened
    /// with while that lesson is read: the lab is not shown, and it is not
    /// kept as the scenario to go back to.
    pub standing_in: bool,
    /// Whether the learner predicts before the steps are shown.
    pub predict_first: bool,
    /// Whether the prediction has been revealed.
    pub revealed: bool,
    /// The course lessons completed.
    pub progress: Vec<String>,
    /// False until the first frame is painted: the first render draws only
    /// the lesson, the verdict and the stages.
    pub settled: bool,
    /// Where the scenario holds secrets a share link leaves out (listed once
    /// per scenario, after the first paint: listing redacts the scenario).
    pub secrets: Rc<Vec<String>>,
    /// A first visit (no link, nothing stored, no course progress): the
    /// welcome with its three ways in shows above the example lesson until
    /// the learner picks one, or does anything else.
    pub welcome: bool,
}

/// What the page held when the app started, read at the edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Start {
    /// The URL fragment, read.
    pub hash: HashRequest,
    /// The stored scenario: none, or why it did not load.
    pub stored: Result<Option<Scenario>, String>,
    /// The stored theme.
    pub theme: Option<String>,
    /// The stored course progress, and why it did not load.
    pub progress: (Vec<String>, Option<String>),
    /// The bundled lessons' ids and titles.
    pub bundled: Vec<(String, String)>,
}

/// A change the page asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// An edit of the scenario.
    Edit(Edit),
    /// Select request `index` (its stage resets).
    SelectRequest(usize),
    /// Show this stage.
    Stage(Stage),
    /// Move `delta` stages.
    Step(isize),
    /// The URL fragment changed to this.
    HashChanged(String),
    /// Open a bundled scenario by id.
    Open(String),
    /// Lesson `id`'s text has been read ([`Effect::LoadLesson`]), or why not.
    LessonLoaded {
        /// The lesson's id.
        id: String,
        /// Its text, or why it did not arrive.
        text: Result<String, String>,
    },
    /// Make the share link (it goes into the address bar too).
    Share,
    /// The address bar now holds the share link: this address.
    ShareShown(ShareLink),
    /// Whether share links keep secret values.
    IncludeSecrets(bool),
    /// The theme: `None` follows the system.
    Theme(Option<String>),
    /// The "send again after" delay, in seconds.
    Delay(u32),
    /// Back to the default scenario.
    Reset,
    /// Show this notice.
    Notice(String),
    /// Hide the notice.
    DismissNotice,
    /// Back to the scenario the last load replaced.
    Restore,
    /// Switch to this mode.
    Show(Mode),
    /// Open a lesson from the library or the course (predict first).
    OpenLesson(String),
    /// Whether the learner predicts before the steps are shown.
    PredictFirst(bool),
    /// Show the steps (after predicting).
    Reveal,
    /// Forget the course progress.
    ResetCourse,
    /// Download the scenario as a scenario file.
    Export,
    /// Open this scenario file text.
    Import(String),
    /// Open a diagnosed paste in the stepper, at its failing step.
    OpenPasted(Box<OpenPasted>),
    /// The first frame has been painted: render the rest.
    Settled,
}

/// A write to the page, run by [`effects::run`].
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Keep this scenario in local storage (it reopens on reload).
    StoreScenario(Rc<Scenario>),
    /// Replace the address bar's fragment, without a `hashchange` (empty = none).
    ReplaceHash(String),
    /// Put this share fragment in the address bar, then report the address
    /// ([`Action::ShareShown`]).
    ShowShareLink {
        /// `s=…`.
        fragment: String,
        /// Where the link leaves out a secret value.
        redacted: Vec<String>,
    },
    /// Apply the theme to the page, and store it if `store`.
    Theme {
        /// `light`, `dark` or `None` (the system's).
        theme: Option<String>,
        /// Whether to store the choice.
        store: bool,
    },
    /// Store the course progress.
    StoreProgress(Vec<String>),
    /// Read bundled lesson `id`'s text (from the page, else its file), then
    /// report it ([`Action::LessonLoaded`]).
    LoadLesson(String),
    /// Offer this file as a download (a refusal comes back as a notice).
    Download {
        /// The file name.
        name: String,
        /// The file's text.
        text: String,
    },
}

/// The themes the page has.
fn valid_theme(theme: Option<String>) -> Option<String> {
    theme.filter(|t| t == "light" || t == "dark")
}

impl AppState {
    /// The state the app opens with: the URL fragment first, then the stored
    /// scenario, then `default`; each problem on the way becomes a notice.
    pub fn start(start: Start, default: Scenario) -> (AppState, Vec<Effect>) {
        let welcome = matches!(start.hash, HashRequest::None)
            && matches!(start.stored, Ok(None))
            && start.progress.0.is_empty();
        let loading = match &start.hash {
            HashRequest::Bundled(id) => Some(id.clone()),
            _ => None,
        };
        let (scenario, notice) = match start.hash {
            HashRequest::Shared(scenario) | HashRequest::Lesson(scenario) => (*scenario, None),
            other => {
                let notice = match other {
                    HashRequest::Broken(why) => Some(why),
                    _ => None,
                };
                match start.stored {
                    Ok(Some(scenario)) => (scenario, notice),
                    Ok(None) => (default, notice),
                    Err(why) => (default, Some(why)),
                }
            }
        };
        let (progress, course_notice) = start.progress;
        let theme = valid_theme(start.theme);
        let state = AppState {
            eval: Evaluated::new(scenario),
            selection: Selection::default(),
            mode: Mode::Lab,
            library: None,
            notice: notice.or(course_notice),
            share_link: None,
            include_secrets: false,
            theme: theme.clone(),
            delay_s: 10,
            previous: None,
            bundled: Rc::new(start.bundled),
            standing_in: loading.is_some(),
            loading,
            predict_first: false,
            revealed: false,
            progress,
            settled: false,
            secrets: Rc::default(),
            welcome,
        };
        let mut effects = vec![
            Effect::Theme {
                theme,
                store: false,
            },
            Effect::StoreScenario(state.eval.scenario.clone()),
        ];
        effects.extend(state.loading.clone().map(Effect::LoadLesson));
        (state, effects)
    }

    /// The browser whose trace the page shows (the scenario's, Chrome by default).
    pub fn browser(&self) -> Browser {
        self.eval.scenario.browser.unwrap_or_default()
    }

    /// The engine's trace of the selected request, if there is one.
    pub fn selected_trace(&self) -> Option<&RequestTrace> {
        self.eval
            .trace(self.browser())
            .requests
            .get(self.selection.request)
    }

    /// Switches to `mode`; the library lists its entries when it opens.
    fn show(&mut self, mode: Mode) {
        if mode == Mode::Library && self.library.is_none() {
            self.library = Some(Rc::new(library::entries()));
        } else if mode != Mode::Library {
            self.library = None;
        }
        self.mode = mode;
    }

    /// A new scenario: re-evaluated, its secrets listed once the page has settled.
    fn set_scenario(&mut self, scenario: Scenario) {
        self.eval = Evaluated::new(scenario);
        self.list_secrets();
    }

    fn list_secrets(&mut self) {
        self.secrets = if self.settled {
            Rc::new(share::secret_locations(&self.eval.scenario))
        } else {
            Rc::default()
        };
    }

    /// Replaces the scenario; the one it replaces can be brought back, so
    /// opening a lesson loses nothing. The selection and the link reset.
    fn load(&mut self, scenario: Scenario, effects: &mut Vec<Effect>) {
        if scenario != *self.eval.scenario && !self.standing_in {
            self.previous = Some(self.eval.scenario.clone());
        }
        self.standing_in = false;
        self.loading = None;
        self.set_scenario(scenario);
        self.selection = Selection::default();
        self.share_link = None;
        self.revealed = false;
        effects.push(Effect::StoreScenario(self.eval.scenario.clone()));
    }

    /// Reads bundled lesson `id` ([`Effect::LoadLesson`]); it opens when it
    /// arrives ([`Action::LessonLoaded`]).
    fn load_lesson(&mut self, id: String, effects: &mut Vec<Effect>) {
        self.loading = Some(id.clone());
        effects.push(Effect::LoadLesson(id));
    }

    /// [`AppState::load`], then the address bar shows `fragment`.
    fn load_at(&mut self, scenario: Scenario, fragment: String, effects: &mut Vec<Effect>) {
        self.load(scenario, effects);
        effects.push(Effect::ReplaceHash(fragment));
    }
}

/// The next state after `action`, and the effects to run: pure (the same
/// state and action always give the same result, and nothing is written).
pub fn reduce(state: &AppState, action: Action) -> (AppState, Vec<Effect>) {
    let mut next = state.clone();
    let mut effects = Vec::new();
    // The welcome stays only while the page settles or changes its theme.
    next.welcome &= matches!(action, Action::Settled | Action::Theme(_));
    match action {
        Action::Edit(edit) => edit_scenario(&mut next, edit, &mut effects),
        Action::SelectRequest(request) => {
            next.selection = Selection {
                request,
                stage: None,
            }
        }
        Action::Stage(stage) => next.selection.stage = Some(stage),
        Action::Step(delta) => {
            let stage = next
                .selected_trace()
                .and_then(|trace| step_stage(trace, state.selection.stage, delta));
            if stage.is_some() {
                next.selection.stage = stage;
            }
        }
        Action::HashChanged(hash) => match share::read_hash(&hash) {
            HashRequest::Shared(scenario) | HashRequest::Lesson(scenario) => {
                next.notice = None;
                next.load(*scenario, &mut effects);
            }
            HashRequest::Bundled(id) => {
                next.notice = None;
                next.load_lesson(id, &mut effects);
            }
            HashRequest::Broken(why) => next.notice = Some(why),
            HashRequest::None => {}
        },
        Action::Open(id) => next.load_lesson(id, &mut effects),
        Action::LessonLoaded { id, text } => {
            // A lesson opened since (or a scenario loaded) replaces this one.
            if state.loading.as_deref() == Some(id.as_str()) {
                next.loading = None;
                match share::read_lesson(&id, text) {
                    Ok(scenario) => {
                        next.notice = None;
                        next.load_at(scenario, format!("scenario={id}"), &mut effects);
                    }
                    Err(why) => {
                        next.standing_in = false;
                        next.notice = Some(why);
                    }
                }
            }
        }
        Action::Share => {
            let (scenario, redacted) = if state.include_secrets {
                ((*state.eval.scenario).clone(), Vec::new())
            } else {
                share::redact_secrets(&state.eval.scenario)
            };
            effects.push(Effect::ShowShareLink {
                fragment: share::share_fragment(&scenario),
                redacted: redacted.into_iter().map(|r| r.location).collect(),
            });
        }
        Action::ShareShown(link) => next.share_link = Some(link),
        Action::IncludeSecrets(include) => {
            next.include_secrets = include;
            next.share_link = None;
        }
        Action::Theme(theme) => {
            next.theme = valid_theme(theme);
            effects.push(Effect::Theme {
                theme: next.theme.clone(),
                store: true,
            });
        }
        Action::Delay(seconds) => next.delay_s = seconds,
        Action::Reset => {
            next.notice = None;
            next.load_at(super::default_scenario(), String::new(), &mut effects);
        }
        Action::Notice(text) => next.notice = Some(text),
        Action::DismissNotice => next.notice = None,
        Action::Restore => {
            if let Some(previous) = next.previous.take() {
                next.load_at((*previous).clone(), String::new(), &mut effects);
            }
        }
        Action::Show(mode) => next.show(mode),
        Action::OpenLesson(id) => {
            next.show(Mode::Lab);
            next.predict_first = true;
            next.load_lesson(id, &mut effects);
        }
        Action::PredictFirst(on) => {
            next.predict_first = on;
            next.revealed = false;
        }
        Action::Reveal => {
            next.revealed = true;
            if course::complete(&mut next.progress, &state.eval.scenario.id) {
                effects.push(Effect::StoreProgress(next.progress.clone()));
            }
        }
        Action::ResetCourse => {
            next.progress.clear();
            effects.push(Effect::StoreProgress(Vec::new()));
        }
        Action::Export => {
            let scenario = &state.eval.scenario;
            effects.push(Effect::Download {
                name: authoring::file_name(scenario),
                text: authoring::export_scenario(
                    scenario,
                    state.eval.trace(Browser::Chrome),
                    state.include_secrets,
                ),
            });
        }
        Action::Import(text) => match authoring::import_scenario(&text) {
            Ok((scenario, warnings)) => {
                next.load_at(scenario, String::new(), &mut effects);
                next.notice = (!warnings.is_empty()).then(|| {
                    format!(
                        "Opened, with warnings: unknown fields {}",
                        warnings.join(", ")
                    )
                });
            }
            Err(why) => next.notice = Some(why),
        },
        Action::OpenPasted(pasted) => {
            next.notice = None;
            next.load_at(pasted.scenario, String::new(), &mut effects);
            next.selection.stage = pasted.stage;
            // A pasted Authorization or token stays out of links until the user opts in again.
            next.include_secrets = false;
        }
        Action::Settled => {
            if !next.settled {
                next.settled = true;
                next.list_secrets();
            }
        }
    }
    (next, effects)
}

/// An edit: the scenario is re-evaluated and kept, and the address bar
/// drops its link (a reload must show the edited scenario, not the link).
fn edit_scenario(next: &mut AppState, edit: Edit, effects: &mut Vec<Effect>) {
    let adds = matches!(edit, Edit::SendAgain { .. });
    let scenario = apply(&next.eval.scenario, next.eval.trace(next.browser()), edit);
    next.set_scenario(scenario);
    let last = next.eval.scenario.requests.len().saturating_sub(1);
    if adds {
        next.selection = Selection {
            request: last,
            stage: None,
        };
    }
    next.selection.request = next.selection.request.min(last);
    next.share_link = None;
    effects.push(Effect::StoreScenario(next.eval.scenario.clone()));
    effects.push(Effect::ReplaceHash(String::new()));
}

/// What a key pressed outside the editors asks for in `mode` (`None`: not the app's key).
pub fn key_action(key: &str, mode: Mode) -> Option<Action> {
    let presenting = mode == Mode::Presenter;
    let delta = match key {
        "ArrowRight" => 1,
        "ArrowLeft" => -1,
        "Home" => -1000,
        "End" => 1000,
        // A clicker sends PageDown/PageUp; arrows up and down too on a projector.
        "PageDown" | "ArrowDown" | " " if presenting => 1,
        "PageUp" | "ArrowUp" if presenting => -1,
        "Escape" if presenting => return Some(Action::Show(Mode::Lab)),
        _ => return None,
    };
    Some(Action::Step(delta))
}
