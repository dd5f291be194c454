//! The server as people write it: a framework's CORS configuration, read
//! from the file people paste (an Express app, a FastAPI/Starlette app, a
//! Django `settings.py`, a Flask app, an nginx or Apache block, a tower-http
//! `CorsLayer` chain), and the response that server sends to any request.
//!
//! Pure (no I/O, no clock) and apart from the engine: [`parse`] reads a
//! configuration into a [`Config`], [`Config::respond`] answers one
//! [`Request`] with a status and the CORS-relevant headers
//! (`Access-Control-*` and `Vary`; other headers are not modelled).
//! Each model follows the framework's source (the version pinned in
//! `scripts/setup`) and `tests/frameworks.rs` compares it with the real
//! framework on loopback.

use std::fmt;

mod apache;
mod case;
mod django;
mod express;
mod fix;
mod flask;
mod nginx;
mod pattern;
mod rules;
mod source;
mod starlette;
mod tower;

pub use self::fix::{config_fix, ConfigFix};
pub use self::rules::{
    backend, evaluate, pasted_rule, read_rule, rule_errors, Models, PastedError, RuleError,
};
pub use self::tower::{Rule as TowerRule, Tower};

/// A server framework (or web server) this module models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framework {
    /// Express 5 with the `cors` package.
    Express,
    /// FastAPI / Starlette `CORSMiddleware`.
    Fastapi,
    /// Django with django-cors-headers.
    Django,
    /// Flask with Flask-CORS.
    Flask,
    /// nginx (`add_header`, `map`, `if`, `return`, `proxy_pass`).
    Nginx,
    /// Apache httpd (mod_headers, mod_setenvif, mod_rewrite, mod_proxy).
    Apache,
    /// tower-http's `CorsLayer` (axum and other tower servers).
    TowerHttp,
}

impl Framework {
    /// Every modelled framework.
    pub const ALL: [Framework; 7] = [
        Framework::Express,
        Framework::Fastapi,
        Framework::Django,
        Framework::Flask,
        Framework::Nginx,
        Framework::Apache,
        Framework::TowerHttp,
    ];

    /// The name `--framework` takes and `respond` prints.
    pub fn id(self) -> &'static str {
        match self {
            Framework::Express => "express",
            Framework::Fastapi => "fastapi",
            Framework::Django => "django",
            Framework::Flask => "flask",
            Framework::Nginx => "nginx",
            Framework::Apache => "apache",
            Framework::TowerHttp => "tower-http",
        }
    }

    /// The framework named `name` (its id, or `starlette`, `axum`, `httpd`).
    pub fn from_name(name: &str) -> Option<Framework> {
        let name = name.trim().to_ascii_lowercase();
        Framework::ALL
            .into_iter()
            .find(|f| f.id() == name)
            .or(match name.as_str() {
                "starlette" => Some(Framework::Fastapi),
                "axum" | "tower" | "tower_http" => Some(Framework::TowerHttp),
                "httpd" | "apache2" => Some(Framework::Apache),
                _ => None,
            })
    }

    /// The framework a configuration is written for, when the text shows
    /// it (an import, a middleware name, a directive only it has).
    pub fn detect(text: &str) -> Option<Framework> {
        let has = |needle: &str| text.contains(needle);
        if has("CorsLayer") {
            Some(Framework::TowerHttp)
        } else if has("CORSMiddleware") {
            Some(Framework::Fastapi)
        } else if has("corsheaders") || has("CORS_ALLOWED_ORIGINS") || has("CORS_ALLOW_ALL_ORIGINS")
        {
            Some(Framework::Django)
        } else if has("flask_cors") || has("CORS(app") {
            Some(Framework::Flask)
        } else if has("require(\"cors\")")
            || has("require('cors')")
            || has("from 'cors'")
            || has("from \"cors\"")
        {
            Some(Framework::Express)
        } else if has("add_header") || has("proxy_pass") || has("server {") || has("location ") {
            Some(Framework::Nginx)
        } else if has("Header ") || has("<VirtualHost") || has("SetEnvIf") || has("RewriteRule") {
            Some(Framework::Apache)
        } else {
            None
        }
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One request as it reaches the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method, as sent (`OPTIONS` for a preflight).
    pub method: String,
    /// The URL path (no query).
    pub path: String,
    /// The request headers, in order.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether this is a CORS preflight: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`.
    pub fn is_preflight(&self) -> bool {
        self.method == "OPTIONS"
            && self.header("Origin").is_some()
            && self.header("Access-Control-Request-Method").is_some()
    }
}

/// What the application (or, behind nginx/Apache, the upstream) does with
/// a request that reaches it. The configuration alone does not say which
/// routes exist or fail, so the caller does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Backend {
    /// How the route handler ends.
    pub outcome: Outcome,
    /// CORS headers the handler or upstream adds itself (they reach the
    /// client alongside the framework's, which is how headers double).
    pub headers: Vec<(String, String)>,
}

/// How a route handler ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// The route exists and answers 200.
    #[default]
    Ok,
    /// The handler raises an unhandled exception (500); an upstream
    /// answers 500.
    Error,
    /// There is no such route (404).
    NotFound,
    /// The upstream cannot be reached (nginx and Apache answer 502; an
    /// application framework has no upstream and treats it as `Error`).
    Down,
}

impl Outcome {
    /// The name `respond --handler` takes.
    pub fn from_name(name: &str) -> Option<Outcome> {
        match name {
            "ok" => Some(Outcome::Ok),
            "error" => Some(Outcome::Error),
            "missing" | "not-found" => Some(Outcome::NotFound),
            "down" => Some(Outcome::Down),
            _ => None,
        }
    }

    /// The status an application or upstream answers with.
    pub fn status(self) -> u16 {
        match self {
            Outcome::Ok => 200,
            Outcome::Error | Outcome::Down => 500,
            Outcome::NotFound => 404,
        }
    }
}

/// What the server sends back: the status and its CORS-relevant headers
/// (`Access-Control-*` and `Vary`) in the order sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The CORS-relevant response headers, names as the server spells them.
    pub headers: Vec<(String, String)>,
}

impl Answer {
    fn new(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
        }
    }

    /// Sets `name` (replacing every earlier value).
    fn set(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.into()));
    }

    /// Adds one more `name` header line.
    fn add(&mut self, name: &str, value: impl Into<String>) {
        self.headers.push((name.to_owned(), value.into()));
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Keeps only the CORS-relevant headers.
    fn relevant(mut self) -> Answer {
        self.headers.retain(|(name, _)| is_cors_relevant(name));
        self
    }
}

/// Whether a response header is one the models answer for: any
/// `Access-Control-*` header, and `Vary`.
pub fn is_cors_relevant(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("access-control-") || name == "vary"
}

/// A configuration that cannot be read, at a line and column (1-based,
/// columns in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The line of the problem.
    pub line: usize,
    /// The column of the problem.
    pub column: usize,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl ConfigError {
    /// An error at byte `offset` of `source`.
    pub(crate) fn at(source: &str, offset: usize, message: impl Into<String>) -> ConfigError {
        let before = source.get(..offset.min(source.len())).unwrap_or(source);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ConfigError {
            line,
            column,
            message: message.into(),
        }
    }

    /// `line L, column C`.
    pub fn position(&self) -> String {
        format!("line {}, column {}", self.line, self.column)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position(), self.message)
    }
}

impl std::error::Error for ConfigError {}

/// A parsed configuration of one framework.
#[derive(Debug, Clone)]
pub enum Config {
    /// Express + `cors`.
    Express(express::Express),
    /// Starlette `CORSMiddleware`.
    Fastapi(starlette::Starlette),
    /// django-cors-headers settings.
    Django(django::Django),
    /// Flask-CORS.
    Flask(flask::Flask),
    /// nginx.
    Nginx(nginx::Nginx),
    /// Apache httpd.
    Apache(apache::Apache),
    /// tower-http `CorsLayer`.
    TowerHttp(tower::Tower),
}

/// Reads `text` as `framework`'s configuration.
pub fn parse(framework: Framework, text: &str) -> Result<Config, ConfigError> {
    Ok(match framework {
        Framework::Express => Config::Express(express::parse(text)?),
        Framework::Fastapi => Config::Fastapi(starlette::parse(text)?),
        Framework::Django => Config::Django(django::parse(text)?),
        Framework::Flask => Config::Flask(flask::parse(text)?),
        Framework::Nginx => Config::Nginx(nginx::parse(text)?),
        Framework::Apache => Config::Apache(apache::parse(text)?),
        Framework::TowerHttp => Config::TowerHttp(tower::parse(text)?),
    })
}

impl Config {
    /// Which framework this is.
    pub fn framework(&self) -> Framework {
        match self {
            Config::Express(_) => Framework::Express,
            Config::Fastapi(_) => Framework::Fastapi,
            Config::Django(_) => Framework::Django,
            Config::Flask(_) => Framework::Flask,
            Config::Nginx(_) => Framework::Nginx,
            Config::Apache(_) => Framework::Apache,
            Config::TowerHttp(_) => Framework::TowerHttp,
        }
    }

    /// What the server answers to `request` when its route ends as
    /// `backend` says.
    pub fn respond(&self, request: &Request, backend: &Backend) -> Answer {
        let answer = match self {
            Config::Express(c) => c.respond(request, backend),
            Config::Fastapi(c) => c.respond(request, backend),
            Config::Django(c) => c.respond(request, backend),
            Config::Flask(c) => c.respond(request, backend),
            Config::Nginx(c) => c.respond(request, backend),
            Config::Apache(c) => c.respond(request, backend),
            Config::TowerHttp(c) => c.respond(request, backend),
        };
        answer.relevant()
    }
}

/// The backend's own answer: its status and headers (used by the
/// application frameworks before their CORS code adds to it).
fn backend_answer(backend: &Backend, status: u16) -> Answer {
    Answer {
        status,
        headers: backend.headers.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_framework_from_its_file() {
        let cases = [
            (
                "const cors = require('cors');\napp.use(cors());",
                Framework::Express,
            ),
            (
                "app.add_middleware(CORSMiddleware, allow_origins=['*'])",
                Framework::Fastapi,
            ),
            (
                "CORS_ALLOWED_ORIGINS = ['https://a.example']",
                Framework::Django,
            ),
            ("from flask_cors import CORS\nCORS(app)", Framework::Flask),
            ("location / { add_header X 1; }", Framework::Nginx),
            (
                "Header always set Access-Control-Allow-Origin \"*\"",
                Framework::Apache,
            ),
            ("let cors = CorsLayer::permissive();", Framework::TowerHttp),
        ];
        for (text, framework) in cases {
            assert_eq!(Framework::detect(text), Some(framework), "{text}");
        }
        assert_eq!(Framework::detect("hello"), None);
    }

    #[test]
    fn unreadable_configurations_name_their_line_and_column() {
        let nginx = parse(Framework::Nginx, "server {\n    add_header A b\n}\n").unwrap_err();
        assert_eq!((nginx.line, nginx.column), (2, 5), "{nginx}");
        let apache = parse(Framework::Apache, "<Location /a>\nHeader set A b\n").unwrap_err();
        assert_eq!((apache.line, apache.column), (1, 1), "{apache}");
        let header_i = parse(Framework::Apache, "\n  Header set A \"%{Origin}i\"\n").unwrap_err();
        assert_eq!((header_i.line, header_i.column), (2, 3), "{header_i}");
        let tower = parse(
            Framework::TowerHttp,
            "let cors = CorsLayer::new()\n    .allow_origin(Any)\n    .allow_credentials(true);",
        )
        .unwrap_err();
        assert_eq!(tower.line, 1, "{tower}");
        let syntax = parse(
            Framework::TowerHttp,
            "CorsLayer::new()\n  .allow_origin(Any,,)",
        )
        .unwrap_err();
        assert_eq!(syntax.line, 2, "{syntax}");
        let django = parse(
            Framework::Django,
            "CORS_ALLOWED_ORIGINS = [\n  f'https://{x}',\n]",
        )
        .unwrap_err();
        assert_eq!((django.line, django.column), (2, 3), "{django}");
    }

    #[test]
    fn starlette_answers_a_put_preflight_400_when_methods_default_to_get() {
        let config = parse(
            Framework::Fastapi,
            "app.add_middleware(CORSMiddleware, allow_origins=['https://a.example'])",
        )
        .unwrap();
        let request = Request {
            method: "OPTIONS".into(),
            path: "/x".into(),
            headers: vec![
                ("Origin".into(), "https://a.example".into()),
                ("Access-Control-Request-Method".into(), "PUT".into()),
            ],
        };
        let answer = config.respond(&request, &Backend::default());
        assert_eq!(answer.status, 400);
        assert_eq!(answer.get("Access-Control-Allow-Methods"), Some("GET"));
    }
}
