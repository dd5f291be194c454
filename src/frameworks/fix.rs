//! The fix in the user's own terms: for a request that a framework rule
//! made fail, the change to that framework's configuration (the option to
//! add, the value to change, the directive to write) rather than the
//! headers. Each candidate edit is read back by the model and the scenario
//! re-run by the engine; only an edit with which the engine allows the
//! request is offered (`tests/frameworks/config_fixes.rs` then runs it in
//! the real framework).

mod options;
mod servers;

use super::{read_rule, Framework};
use crate::engine::{CorsHeader, FixAction, WireResponse};
use crate::scenario::{Outcome, Scenario};

/// A changed configuration that lets a request through.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigFix {
    /// The server rule whose configuration changes.
    pub rule: usize,
    /// Its framework.
    #[serde(serialize_with = "framework_id")]
    pub framework: Framework,
    /// Each change in the framework's terms, e.g. ``add "https://b.example"
    /// to `origin` ``.
    pub edits: Vec<String>,
    /// The whole configuration with every edit made.
    pub config: String,
}

impl ConfigFix {
    /// The edit as lines of a diff against `before` (the configuration as
    /// written): `- ` for a line taken out, `+ ` for a line put in, with
    /// the unchanged lines between left out.
    pub fn diff(&self, before: &str) -> Vec<String> {
        let old: Vec<&str> = before.lines().collect();
        let new: Vec<&str> = self.config.lines().collect();
        // The unchanged lines at both ends; the middle is what changed.
        let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
        let tail = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take_while(|(a, b)| a == b)
            .count()
            .min(old.len().min(new.len()) - head);
        let removed = old.get(head..old.len() - tail).unwrap_or_default();
        let added = new.get(head..new.len() - tail).unwrap_or_default();
        removed
            .iter()
            .map(|l| format!("- {l}"))
            .chain(added.iter().map(|l| format!("+ {l}")))
            .collect()
    }
}

/// What the failing request needs the server to send, from the engine's
/// fixes (`Send` actions only; the engine decides them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Needs {
    pub(crate) origin: Option<String>,
    pub(crate) credentials: bool,
    pub(crate) methods: Vec<String>,
    pub(crate) headers: Vec<String>,
    pub(crate) expose: Vec<String>,
}

impl Needs {
    fn from_fixes(fixes: &[crate::engine::Fix]) -> Needs {
        let mut needs = Needs::default();
        for fix in fixes {
            let FixAction::Send(header) = &fix.action else {
                continue;
            };
            match header {
                CorsHeader::AllowOrigin(crate::engine::AllowOrigin::Exact(origin)) => {
                    needs.origin = Some(origin.clone());
                }
                CorsHeader::AllowCredentials => needs.credentials = true,
                CorsHeader::AllowMethods(m) => needs.methods.extend(m.iter().cloned()),
                CorsHeader::AllowHeaders(h) => needs.headers.extend(h.iter().cloned()),
                CorsHeader::ExposeHeaders(h) => needs.expose.extend(h.iter().cloned()),
                _ => {}
            }
        }
        needs
    }
}

fn framework_id<S: serde::Serializer>(framework: &Framework, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(framework.id())
}

/// One candidate: the edited text and its edits in words.
pub(crate) type Candidate = (String, Vec<String>);

/// The configuration fix for request `index` of `scenario`: a change to the
/// framework rule that answered it with which the engine allows it. `None`
/// when the request is allowed, no framework rule answered it, the page is
/// the attacker's (no fix may let it in), or no change to the
/// configuration alone lets it through.
pub fn config_fix(scenario: &Scenario, index: usize) -> Option<ConfigFix> {
    if scenario.attacker_page {
        return None;
    }
    let trace = super::evaluate(scenario, None);
    let request = trace.requests.get(index)?;
    if request.result.outcome == Outcome::Allowed {
        return None;
    }
    let needs = Needs::from_fixes(&request.fixes);
    let rules: Vec<usize> = request
        .exchanges
        .iter()
        .filter_map(|e| match e.response {
            WireResponse::Http { rule, .. } => rule,
            WireResponse::NetworkError { rule, .. } => Some(rule),
        })
        .filter(|&r| {
            scenario
                .server
                .get(r)
                .is_some_and(|r| r.framework.is_some())
        })
        .collect();
    let rule = *rules.first()?;
    let framework_rule = scenario.server.get(rule)?.framework.as_ref()?;
    let framework = read_rule(framework_rule).ok()?.framework();
    let text = &framework_rule.config;
    let candidates = match framework {
        Framework::Nginx => servers::nginx(text, framework_rule),
        Framework::Apache => servers::apache(text, &needs),
        Framework::TowerHttp => Vec::new(),
        _ => options::candidates(framework, text, &needs),
    };
    candidates.into_iter().find_map(|(config, edits)| {
        let mut changed = scenario.clone();
        let target = changed.server.get_mut(rule)?.framework.as_mut()?;
        target.config.clone_from(&config);
        super::parse(framework, &config).ok()?;
        let after = super::evaluate(&changed, None);
        (after.requests.get(index)?.result.outcome == Outcome::Allowed).then_some(ConfigFix {
            rule,
            framework,
            edits,
            config,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_scenario;

    fn lesson(name: &str) -> Scenario {
        let path = format!(
            "{}/scenarios/frameworks/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        parse_scenario(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn each_framework_lesson_gets_its_fix_in_its_own_terms() {
        let cases = [
            (
                "framework-express-fixed-origin-sent-to-every-caller",
                "origin: [\"https://app.example.com\", \"https://admin.example.com\"]",
            ),
            (
                "framework-express-rejected-preflight-still-gets-204",
                "origin: [\"https://app.example.com\", \"https://partner.example.com\"]",
            ),
            (
                "framework-express-allowlist-callback-error-is-a-500",
                "const allowlist = [\"https://app.example.com\", \"https://partner.example.com\"];",
            ),
            (
                "framework-fastapi-methods-default-to-get",
                "allow_methods=[\"GET\", \"PUT\"]",
            ),
            (
                "framework-django-rejected-preflight-is-200-with-only-vary",
                "CORS_ALLOWED_ORIGINS = [\"https://app.example.com\", \"https://partner.example.com\"]",
            ),
            (
                "framework-nginx-add-header-vanishes-on-errors",
                "add_header Access-Control-Allow-Origin \"https://app.example.com\" always;",
            ),
            (
                "framework-nginx-location-add-header-drops-cors",
                "    location /reports {\n        add_header Access-Control-Allow-Origin \"https://app.example.com\";",
            ),
            (
                "framework-nginx-and-upstream-both-send-allow-origin",
                "proxy_hide_header Access-Control-Allow-Origin;",
            ),
            (
                "framework-apache-header-set-lost-when-backend-is-down",
                "Header always set Access-Control-Allow-Origin",
            ),
            (
                "framework-apache-http-origin-without-setenvif-sends-null",
                "Header always set Access-Control-Allow-Origin \"https://app.example.com\"",
            ),
        ];
        for (name, expected) in cases {
            let scenario = lesson(name);
            let fix = config_fix(&scenario, 0).unwrap_or_else(|| panic!("{name}: no fix"));
            assert!(fix.config.contains(expected), "{name}:\n{}", fix.config);
            assert!(!fix.edits.is_empty(), "{name}");
            let before = &scenario.server[fix.rule].framework.as_ref().unwrap().config;
            let diff = fix.diff(before);
            assert!(diff.iter().any(|l| l.starts_with("+ ")), "{name}: {diff:?}");
        }
    }

    #[test]
    fn no_fix_lets_the_attacker_in_or_repairs_an_exception() {
        for name in [
            "security-express-unanchored-origin-regex",
            "framework-fastapi-exception-hides-cors-headers",
        ] {
            assert_eq!(config_fix(&lesson(name), 0), None, "{name}");
        }
    }
}
