//! One renderer per framework. Each writes only options the framework
//! really has (names checked against its documentation) and leaves out what
//! the configuration does not need.

use std::fmt::Write as _;

use super::CorsConfig;
use crate::engine::HeaderList;

/// A double-quoted string literal for JS, Python, Java, Go and Rust (header
/// values never hold control characters, so `\` and `"` are all to escape).
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|item| quoted(item))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Express with the `cors` package: `origin`, `methods`, `allowedHeaders`,
/// `exposedHeaders`, `credentials`, `maxAge`. It answers the preflight itself.
pub(super) fn express(config: &CorsConfig) -> String {
    let mut options = Vec::new();
    if let Some(origin) = &config.allow_origin {
        options.push(format!("  origin: {},", quoted(origin)));
    }
    if !config.allow_methods.is_empty() {
        options.push(format!(
            "  methods: [{}],",
            quoted_list(&config.allow_methods)
        ));
    }
    if !config.allow_headers.is_empty() {
        options.push(format!(
            "  allowedHeaders: [{}],",
            quoted_list(&config.allow_headers)
        ));
    }
    if !config.expose_headers.is_empty() {
        options.push(format!(
            "  exposedHeaders: [{}],",
            quoted_list(&config.expose_headers)
        ));
    }
    if config.allow_credentials {
        options.push("  credentials: true,".to_owned());
    }
    if let Some(seconds) = number(config.max_age.as_deref()) {
        options.push(format!("  maxAge: {seconds},"));
    }
    format!(
        "const cors = require(\"cors\");\n\n\
         // Answers the OPTIONS preflight and adds the headers to every response.\n\
         app.use({}, cors({{\n{}\n}}));\n",
        quoted(&config.path),
        options.join("\n")
    )
}

/// FastAPI / Starlette `CORSMiddleware`: `allow_origins`, `allow_methods`,
/// `allow_headers`, `allow_credentials`, `expose_headers`, `max_age`.
pub(super) fn fastapi(config: &CorsConfig) -> String {
    let mut options = Vec::new();
    if let Some(origin) = &config.allow_origin {
        options.push(format!("    allow_origins=[{}],", quoted(origin)));
    }
    let methods = config.methods_including_request();
    if !methods.is_empty() {
        options.push(format!("    allow_methods=[{}],", quoted_list(&methods)));
    }
    if !config.allow_headers.is_empty() {
        options.push(format!(
            "    allow_headers=[{}],",
            quoted_list(&config.allow_headers)
        ));
    }
    if config.allow_credentials {
        options.push("    allow_credentials=True,".to_owned());
    }
    if !config.expose_headers.is_empty() {
        options.push(format!(
            "    expose_headers=[{}],",
            quoted_list(&config.expose_headers)
        ));
    }
    if let Some(seconds) = number(config.max_age.as_deref()) {
        options.push(format!("    max_age={seconds},"));
    }
    format!(
        "from fastapi.middleware.cors import CORSMiddleware\n\n\
         # Starlette refuses a preflight whose method is not in allow_methods.\n\
         app.add_middleware(\n    CORSMiddleware,\n{}\n)\n",
        options.join("\n")
    )
}

/// Spring: a `CorsConfiguration` registered for the path (the setters take
/// strings, so any method name fits, unlike `@CrossOrigin`'s enum).
pub(super) fn spring(config: &CorsConfig) -> String {
    let mut lines = vec!["    CorsConfiguration config = new CorsConfiguration();".to_owned()];
    if let Some(origin) = &config.allow_origin {
        lines.push(format!(
            "    config.setAllowedOrigins(List.of({}));",
            quoted(origin)
        ));
    }
    let methods = config.methods_including_request();
    if !methods.is_empty() {
        lines.push(format!(
            "    config.setAllowedMethods(List.of({}));",
            quoted_list(&methods)
        ));
    }
    if !config.allow_headers.is_empty() {
        lines.push(format!(
            "    config.setAllowedHeaders(List.of({}));",
            quoted_list(&config.allow_headers)
        ));
    }
    if !config.expose_headers.is_empty() {
        lines.push(format!(
            "    config.setExposedHeaders(List.of({}));",
            quoted_list(&config.expose_headers)
        ));
    }
    if config.allow_credentials {
        lines.push("    config.setAllowCredentials(true);".to_owned());
    }
    if let Some(seconds) = number(config.max_age.as_deref()) {
        lines.push(format!("    config.setMaxAge({seconds}L);"));
    }
    format!(
        "// Not run by CORS Lab's framework harness (no Spring here): written from\n\
         // Spring's CorsConfiguration documentation, unchecked against a server.\n\
         @Bean\nCorsConfigurationSource corsConfigurationSource() {{\n{}\n    \
         UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();\n    \
         source.registerCorsConfiguration({}, config);\n    return source;\n}}\n",
        lines.join("\n"),
        quoted(&config.path)
    )
}

/// Go `net/http`: a middleware that sends the exact headers, answering the
/// preflight with 204 itself.
pub(super) fn go_net_http(config: &CorsConfig) -> String {
    let set = |headers: &HeaderList, indent: &str| {
        headers
            .0
            .iter()
            .fold(String::new(), |mut out, (name, value)| {
                let _ = writeln!(
                    out,
                    "{indent}w.Header().Set({}, {})",
                    quoted(name),
                    quoted(value)
                );
                out
            })
    };
    let mut body = String::new();
    if config.preflighted {
        let _ = write!(
            body,
            "\t\tif r.Method == http.MethodOptions && r.Header.Get(\"Access-Control-Request-Method\") != \"\" {{\n{}\t\t\tw.WriteHeader(http.StatusNoContent)\n\t\t\treturn\n\t\t}}\n",
            set(&config.preflight_headers, "\t\t\t")
        );
    }
    body.push_str(&set(&config.actual_headers, "\t\t"));
    format!(
        "// Not run by CORS Lab's framework harness (no Go toolchain here):\n\
         // written from net/http's documentation, unchecked against a server.\n\
         // withCORS wraps the handler for {}.\n\
         func withCORS(next http.Handler) http.Handler {{\n\
         \treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {{\n\
         {body}\t\tnext.ServeHTTP(w, r)\n\t}})\n}}\n",
        config.path
    )
}

/// nginx: `add_header … always` (so error statuses get them too), and a
/// 204 answer to the preflight.
pub(super) fn nginx(config: &CorsConfig) -> String {
    let add = |headers: &HeaderList, indent: &str| {
        headers
            .0
            .iter()
            .fold(String::new(), |mut out, (name, value)| {
                let _ = writeln!(out, "{indent}add_header {name} {} always;", quoted(value));
                out
            })
    };
    let mut body = String::new();
    if config.preflighted {
        let _ = write!(
            body,
            "    if ($request_method = OPTIONS) {{\n{}        return 204;\n    }}\n",
            add(&config.preflight_headers, "        ")
        );
    }
    body.push_str(&add(&config.actual_headers, "    "));
    format!(
        "location = {} {{\n{body}    # … your proxy_pass or root as before\n}}\n",
        config.path
    )
}

/// axum with tower-http's `CorsLayer`: `allow_origin`, `allow_methods`,
/// `allow_headers`, `expose_headers`, `allow_credentials`, `max_age`.
pub(super) fn axum(config: &CorsConfig) -> String {
    let mut calls = vec!["let cors = CorsLayer::new()".to_owned()];
    let mut uses_any = false;
    if let Some(origin) = &config.allow_origin {
        calls.push(if origin == "*" {
            uses_any = true;
            "    .allow_origin(Any)".to_owned()
        } else {
            format!(
                "    .allow_origin(HeaderValue::from_static({}))",
                quoted(origin)
            )
        });
    }
    let header_names = |names: &[String], any: &mut bool| {
        if names.iter().any(|n| n == "*") {
            *any = true;
            "Any".to_owned()
        } else {
            let names: Vec<String> = names
                .iter()
                .map(|n| {
                    format!(
                        "HeaderName::from_static({})",
                        quoted(&n.to_ascii_lowercase())
                    )
                })
                .collect();
            format!("[{}]", names.join(", "))
        }
    };
    if !config.allow_methods.is_empty() {
        let methods = if config.allow_methods.iter().any(|m| m == "*") {
            uses_any = true;
            "Any".to_owned()
        } else {
            let methods: Vec<String> = config
                .allow_methods
                .iter()
                .map(|m| rust_method(m))
                .collect();
            format!("[{}]", methods.join(", "))
        };
        calls.push(format!("    .allow_methods({methods})"));
    }
    if !config.allow_headers.is_empty() {
        calls.push(format!(
            "    .allow_headers({})",
            header_names(&config.allow_headers, &mut uses_any)
        ));
    }
    if !config.expose_headers.is_empty() {
        calls.push(format!(
            "    .expose_headers({})",
            header_names(&config.expose_headers, &mut uses_any)
        ));
    }
    if config.allow_credentials {
        calls.push("    .allow_credentials(true)".to_owned());
    }
    if let Some(seconds) = number(config.max_age.as_deref()) {
        calls.push(format!("    .max_age(Duration::from_secs({seconds}))"));
    }
    let any = if uses_any { "Any, " } else { "" };
    format!(
        "use std::time::Duration;\n\
         use axum::http::{{HeaderName, HeaderValue, Method}};\n\
         use tower_http::cors::{{{any}CorsLayer}};\n\n\
         // Answers the OPTIONS preflight and adds the headers to every response.\n\
         {};\n\
         let app = Router::new().route({}, /* your handler */).layer(cors);\n",
        calls.join("\n"),
        quoted(&config.path)
    )
}

/// `http::Method`'s constant for a standard method, else `from_bytes`.
fn rust_method(method: &str) -> String {
    match method {
        "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "CONNECT" | "OPTIONS" | "TRACE" | "PATCH" => {
            format!("Method::{method}")
        }
        other => format!("Method::from_bytes(b{}).unwrap()", quoted(other)),
    }
}

/// A Max-Age value as a plain number of seconds, if it is one.
fn number(value: Option<&str>) -> Option<u64> {
    value.and_then(|v| v.trim().parse().ok())
}
