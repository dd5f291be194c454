//! Server rules written as a framework's configuration (the scenario
//! format's `framework` field), answered by the models: the engine takes
//! [`Models`] through its [`FrameworkServers`] trait, so it stays free of
//! every framework while a lesson runs "your Express app as written".

use std::cell::RefCell;

use super::{parse, Backend, Config, ConfigError, Framework, Outcome, Request};
use crate::engine::{evaluate_with, FrameworkServers, Trace, WireRequest};
use crate::scenario::{Browser, FrameworkRule, HeaderPair, Scenario};

/// The framework models, as the engine's [`FrameworkServers`]: each
/// configuration is read once per `Models` (the fix planner's re-runs ask
/// the same rules again).
#[derive(Debug, Default)]
pub struct Models {
    read: RefCell<Vec<(String, String, Option<Config>)>>,
}

impl Models {
    /// The configuration of `rule`, read once; `None` when its framework is
    /// unknown or its text unreadable ([`rule_errors`] says why).
    fn config(&self, rule: &FrameworkRule) -> Option<Config> {
        if let Some((_, _, config)) = self
            .read
            .borrow()
            .iter()
            .find(|(name, text, _)| *name == rule.name && *text == rule.config)
        {
            return config.clone();
        }
        let config = read_rule(rule).ok();
        self.read
            .borrow_mut()
            .push((rule.name.clone(), rule.config.clone(), config.clone()));
        config
    }
}

impl FrameworkServers for Models {
    fn answer(
        &self,
        rule: &FrameworkRule,
        request: &WireRequest,
    ) -> Option<(u16, Vec<HeaderPair>)> {
        let config = self.config(rule)?;
        let answer = config.respond(
            &Request {
                method: request.method.clone(),
                path: path_of(&request.url),
                headers: request.headers.0.clone(),
            },
            &backend(rule),
        );
        Some((answer.status, answer.headers))
    }
}

/// What a rule's route or upstream does, from its `handler` and
/// `upstream_headers` (an unknown handler is `ok`; [`rule_errors`] names it).
pub fn backend(rule: &FrameworkRule) -> Backend {
    Backend {
        outcome: rule
            .handler
            .as_deref()
            .and_then(Outcome::from_name)
            .unwrap_or_default(),
        headers: rule.upstream_headers.clone(),
    }
}

/// The path of `url` (the whole text when it is not a URL).
fn path_of(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| url.to_owned(), |u| u.path().to_owned())
}

/// Reads `rule`'s configuration as its framework's.
pub fn read_rule(rule: &FrameworkRule) -> Result<Config, RuleError> {
    let framework = Framework::from_name(&rule.name).ok_or_else(|| RuleError::Unknown {
        name: rule.name.clone(),
    })?;
    parse(framework, &rule.config).map_err(RuleError::Config)
}

/// Why a framework rule cannot answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleError {
    /// `name` is no modelled framework.
    Unknown {
        /// The name as written.
        name: String,
    },
    /// The configuration cannot be read.
    Config(ConfigError),
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RuleError::Unknown { name } => write!(
                f,
                "unknown framework {name:?} (one of: {})",
                Framework::ALL.map(Framework::id).join(", ")
            ),
            RuleError::Config(error) => write!(f, "its config, {error}"),
        }
    }
}

/// Why a pasted configuration cannot answer a paste's requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PastedError {
    /// The framework named is no modelled framework.
    Unknown {
        /// The name as given.
        name: String,
    },
    /// No framework was named and the text does not show which it is.
    Undetected,
    /// The configuration cannot be read.
    Config(ConfigError),
}

impl std::fmt::Display for PastedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PastedError::Unknown { name } => write!(
                f,
                "unknown framework '{name}' (one of: {})",
                Framework::ALL.map(Framework::id).join(", ")
            ),
            PastedError::Undetected => {
                f.write_str("cannot tell which framework this configuration is for")
            }
            PastedError::Config(error) => write!(f, "{error}"),
        }
    }
}

/// A pasted configuration as the framework rule that answers every
/// request of a paste (`diagnose --config`, the app's paste panel): the
/// framework `name`d (any name [`Framework::from_name`] takes), else the
/// one the text shows; the text is read now, so an unreadable one is
/// refused with its line and column before anything runs.
pub fn pasted_rule(text: &str, name: Option<&str>) -> Result<FrameworkRule, PastedError> {
    let framework = match name {
        Some(name) => Framework::from_name(name).ok_or_else(|| PastedError::Unknown {
            name: name.to_owned(),
        })?,
        None => Framework::detect(text).ok_or(PastedError::Undetected)?,
    };
    parse(framework, text).map_err(PastedError::Config)?;
    Ok(FrameworkRule {
        name: framework.id().to_owned(),
        config: text.to_owned(),
        handler: None,
        upstream_headers: Vec::new(),
    })
}

/// Every framework rule of `scenario` that cannot answer, e.g.
/// `server[0].framework: its config, line 2, column 5: …`.
pub fn rule_errors(scenario: &Scenario) -> Vec<String> {
    let mut errors = Vec::new();
    for (index, rule) in scenario.server.iter().enumerate() {
        let Some(framework) = &rule.framework else {
            continue;
        };
        if let Err(error) = read_rule(framework) {
            errors.push(format!("server[{index}].framework: {error}"));
        }
        if let Some(handler) = &framework.handler {
            if Outcome::from_name(handler).is_none() {
                errors.push(format!(
                    "server[{index}].framework.handler: {handler:?} is not one of ok, error, missing, down"
                ));
            }
        }
    }
    errors
}

/// The engine's trace of `scenario`, framework rules answered by their
/// models: what every caller that runs scenarios uses.
pub fn evaluate(scenario: &Scenario, browser: Option<Browser>) -> Trace {
    evaluate_with(scenario, browser, &Models::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_scenario;

    fn lesson(config: &str, handler: &str) -> Scenario {
        let text = serde_json::json!({
            "format": "cors-scenario/1",
            "id": "t",
            "page": "https://app.example",
            "server": [{"match": {"url": "https://api.example/x"},
                        "framework": {"name": "express", "config": config, "handler": handler}}],
            "requests": [{"url": "https://api.example/x", "method": "PUT"}]
        });
        parse_scenario(&text.to_string()).unwrap()
    }

    #[test]
    fn a_framework_rule_answers_with_its_models_headers() {
        let scenario = lesson(
            "const cors = require('cors');\napp.use(cors({ origin: 'https://app.example' }));",
            "ok",
        );
        assert!(rule_errors(&scenario).is_empty());
        let trace = evaluate(&scenario, None);
        let request = &trace.requests[0];
        assert_eq!(
            request.result.outcome,
            crate::scenario::Outcome::Allowed,
            "{:?}",
            request.exchanges
        );
        // Without the models the rule answers with its (empty) `respond`.
        let plain = crate::engine::evaluate(&scenario, None);
        assert_eq!(
            plain.requests[0].result.outcome,
            crate::scenario::Outcome::Blocked
        );
    }

    #[test]
    fn the_fix_for_a_framework_rule_edits_a_copy_of_what_it_sent() {
        // The Express README's allowlist callback erroring: a bare 500.
        let scenario = lesson(
            "const cors = require('cors');\napp.use(cors({ origin: ['https://other.example'] }));",
            "ok",
        );
        let trace = evaluate(&scenario, None);
        let request = &trace.requests[0];
        assert_eq!(request.result.outcome, crate::scenario::Outcome::Blocked);
        assert!(!request.fixes.is_empty());
    }

    #[test]
    fn unreadable_rules_are_named_with_their_place() {
        let scenario = lesson("app.use(cors({ origin: [ }));", "sometimes");
        let errors = rule_errors(&scenario);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("server[0].framework: its config, line 1"));
        assert!(errors[1].contains("handler"));
    }
}
