//! Server snippets: the CORS configuration a request needs, as copyable code
//! for six server stacks.
//!
//! Pure and deterministic. [`cors_config`] reads the headers the server sent
//! (from the trace's wire exchanges) with every [`crate::engine::Fix`]
//! applied, so the snippet is exactly what the engine found to work; it never
//! re-decides CORS. [`snippet`] renders that configuration for one framework.

mod config;
mod frameworks;

pub use config::{cors_config, CorsConfig};

/// A server stack a snippet is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framework {
    /// Node.js Express with the `cors` package.
    Express,
    /// FastAPI (Starlette's `CORSMiddleware`).
    FastApi,
    /// Spring (a `CorsConfiguration` bean).
    Spring,
    /// Go's standard `net/http`.
    GoNetHttp,
    /// nginx `add_header`.
    Nginx,
    /// Rust axum with tower-http's `CorsLayer`.
    Axum,
}

impl Framework {
    /// Every framework, in the order the app shows them.
    pub const ALL: [Framework; 6] = [
        Framework::Express,
        Framework::FastApi,
        Framework::Spring,
        Framework::GoNetHttp,
        Framework::Nginx,
        Framework::Axum,
    ];

    /// A stable lower-case id (used in test hooks: `snippet-tab-<id>`).
    pub fn id(self) -> &'static str {
        match self {
            Framework::Express => "express",
            Framework::FastApi => "fastapi",
            Framework::Spring => "spring",
            Framework::GoNetHttp => "go",
            Framework::Nginx => "nginx",
            Framework::Axum => "axum",
        }
    }

    /// The name shown on its tab.
    pub fn label(self) -> &'static str {
        match self {
            Framework::Express => "Express",
            Framework::FastApi => "FastAPI",
            Framework::Spring => "Spring",
            Framework::GoNetHttp => "Go net/http",
            Framework::Nginx => "nginx",
            Framework::Axum => "axum",
        }
    }
}

/// The code that configures `config` in `framework`.
pub fn snippet(framework: Framework, config: &CorsConfig) -> String {
    match framework {
        Framework::Express => frameworks::express(config),
        Framework::FastApi => frameworks::fastapi(config),
        Framework::Spring => frameworks::spring(config),
        Framework::GoNetHttp => frameworks::go_net_http(config),
        Framework::Nginx => frameworks::nginx(config),
        Framework::Axum => frameworks::axum(config),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::evaluate;
    use crate::scenario::parse_scenario;

    /// The configuration for a bundled scenario's first request.
    fn config_of(file: &str) -> CorsConfig {
        let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        let scenario = parse_scenario(&text).unwrap();
        let trace = evaluate(&scenario, None);
        cors_config(&scenario.requests[0], &trace.requests[0])
    }

    #[test]
    fn config_applies_the_missing_allow_headers_fix() {
        let config = config_of("json-post-without-allow-headers.json");
        assert_eq!(config.path, "/users");
        assert!(config.preflighted);
        assert_eq!(config.allow_headers, vec!["content-type".to_owned()]);
        assert_eq!(
            config.allow_origin.as_deref(),
            Some("https://app.example.com")
        );
        assert_eq!(
            config.preflight_headers.get("Access-Control-Allow-Headers"),
            Some("content-type".to_owned())
        );
    }

    #[test]
    fn config_applies_the_allow_credentials_fix() {
        let config = config_of("credentials-missing-allow-credentials.json");
        assert!(config.allow_credentials);
        assert_eq!(
            config
                .actual_headers
                .get("Access-Control-Allow-Credentials"),
            Some("true".to_owned())
        );
    }

    #[test]
    fn a_simple_request_has_no_preflight_branch() {
        let config = config_of("get-without-allow-origin-is-blocked.json");
        assert!(!config.preflighted);
        assert!(config.allow_origin.is_some());
        assert!(!snippet(Framework::GoNetHttp, &config).contains("MethodOptions"));
        assert!(!snippet(Framework::Nginx, &config).contains("OPTIONS"));
    }

    /// A configuration with every option set.
    fn full() -> CorsConfig {
        let mut preflight = HeaderList::default();
        preflight.append("Access-Control-Allow-Origin", "https://app.example.com");
        preflight.append("Access-Control-Allow-Methods", "PUT, patch");
        preflight.append("Access-Control-Allow-Headers", "Content-Type, X-Token");
        preflight.append("Access-Control-Allow-Credentials", "true");
        preflight.append("Access-Control-Max-Age", "600");
        let mut actual = HeaderList::default();
        actual.append("Access-Control-Allow-Origin", "https://app.example.com");
        actual.append("Access-Control-Allow-Credentials", "true");
        actual.append("Access-Control-Expose-Headers", "X-Total");
        CorsConfig {
            path: "/items".into(),
            request_method: "POST".into(),
            preflighted: true,
            preflight_headers: preflight,
            actual_headers: actual,
            allow_origin: Some("https://app.example.com".into()),
            allow_credentials: true,
            allow_methods: vec!["PUT".into(), "patch".into()],
            allow_headers: vec!["Content-Type".into(), "X-Token".into()],
            expose_headers: vec!["X-Total".into()],
            max_age: Some("600".into()),
        }
    }

    use crate::engine::HeaderList;

    #[test]
    fn express_uses_the_cors_package_option_names() {
        let code = snippet(Framework::Express, &full());
        for line in [
            "require(\"cors\")",
            "app.use(\"/items\", cors({",
            "origin: \"https://app.example.com\",",
            "methods: [\"PUT\", \"patch\"],",
            "allowedHeaders: [\"Content-Type\", \"X-Token\"],",
            "exposedHeaders: [\"X-Total\"],",
            "credentials: true,",
            "maxAge: 600,",
        ] {
            assert!(code.contains(line), "{line} in\n{code}");
        }
    }

    #[test]
    fn fastapi_uses_cors_middleware_names_and_lists_the_request_method() {
        let code = snippet(Framework::FastApi, &full());
        for line in [
            "from fastapi.middleware.cors import CORSMiddleware",
            "CORSMiddleware,",
            "allow_origins=[\"https://app.example.com\"],",
            "allow_methods=[\"PUT\", \"patch\", \"POST\"],",
            "allow_headers=[\"Content-Type\", \"X-Token\"],",
            "allow_credentials=True,",
            "expose_headers=[\"X-Total\"],",
            "max_age=600,",
        ] {
            assert!(code.contains(line), "{line} in\n{code}");
        }
    }

    #[test]
    fn spring_uses_cors_configuration_setters() {
        let code = snippet(Framework::Spring, &full());
        for line in [
            "new CorsConfiguration()",
            "config.setAllowedOrigins(List.of(\"https://app.example.com\"));",
            "config.setAllowedMethods(List.of(\"PUT\", \"patch\", \"POST\"));",
            "config.setAllowedHeaders(List.of(\"Content-Type\", \"X-Token\"));",
            "config.setExposedHeaders(List.of(\"X-Total\"));",
            "config.setAllowCredentials(true);",
            "config.setMaxAge(600L);",
            "source.registerCorsConfiguration(\"/items\", config);",
        ] {
            assert!(code.contains(line), "{line} in\n{code}");
        }
    }

    #[test]
    fn go_and_nginx_send_the_exact_headers_per_response() {
        let go = snippet(Framework::GoNetHttp, &full());
        assert!(go.contains("if r.Method == http.MethodOptions"));
        assert!(go.contains(
            "\t\t\tw.Header().Set(\"Access-Control-Allow-Headers\", \"Content-Type, X-Token\")"
        ));
        assert!(go.contains("\t\tw.Header().Set(\"Access-Control-Expose-Headers\", \"X-Total\")"));
        assert!(go.contains("w.WriteHeader(http.StatusNoContent)"));
        let nginx = snippet(Framework::Nginx, &full());
        assert!(nginx.contains("location = /items {"));
        assert!(nginx.contains(
            "        add_header Access-Control-Max-Age \"600\" always;\n        return 204;"
        ));
        assert!(nginx.contains("    add_header Access-Control-Expose-Headers \"X-Total\" always;"));
    }

    #[test]
    fn axum_uses_cors_layer_with_lower_case_header_names() {
        let code = snippet(Framework::Axum, &full());
        for line in [
            "use tower_http::cors::{CorsLayer};",
            ".allow_origin(HeaderValue::from_static(\"https://app.example.com\"))",
            ".allow_methods([Method::PUT, Method::from_bytes(b\"patch\").unwrap()])",
            ".allow_headers([HeaderName::from_static(\"content-type\"), HeaderName::from_static(\"x-token\")])",
            ".expose_headers([HeaderName::from_static(\"x-total\")])",
            ".allow_credentials(true)",
            ".max_age(Duration::from_secs(600))",
        ] {
            assert!(code.contains(line), "{line} in\n{code}");
        }
    }

    #[test]
    fn wildcards_become_any_in_axum_and_quotes_are_escaped() {
        let config = CorsConfig {
            allow_origin: Some("*".into()),
            allow_headers: vec!["*".into()],
            ..CorsConfig::default()
        };
        let code = snippet(Framework::Axum, &config);
        assert!(code.contains("use tower_http::cors::{Any, CorsLayer};"));
        assert!(code.contains(".allow_origin(Any)"));
        assert!(code.contains(".allow_headers(Any)"));
        let odd = CorsConfig {
            allow_origin: Some("a\"b\\c".into()),
            ..CorsConfig::default()
        };
        assert!(snippet(Framework::Express, &odd).contains(r#"origin: "a\"b\\c","#));
    }
}
