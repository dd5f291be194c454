//! `cors-lab respond`: what a server, configured as people write it, sends
//! back to one request (the framework models of [`crate::frameworks`]).

use std::process::ExitCode;

use clap::Args;

use crate::frameworks::{self, Backend, Outcome, Request};

/// `cors-lab respond` arguments.
#[derive(Debug, Args)]
pub(crate) struct RespondArgs {
    /// The configuration as written: the app file, settings.py, the
    /// nginx server block, the Apache lines, or the CorsLayer chain.
    #[arg(long)]
    config: std::path::PathBuf,
    /// express, fastapi, django, flask, nginx, apache or tower-http
    /// (read from the file when left out).
    #[arg(long)]
    framework: Option<String>,
    /// The request's method (OPTIONS for a preflight).
    #[arg(long, default_value = "GET")]
    method: String,
    /// The request's URL (only its path is used).
    #[arg(long)]
    url: String,
    /// A request header, `Name: value` (repeatable).
    #[arg(long = "header")]
    headers: Vec<String>,
    /// What the route (or upstream) does: ok, error (500), missing (404)
    /// or down (unreachable upstream).
    #[arg(long, default_value = "ok")]
    handler: String,
}

pub(crate) fn run(args: &RespondArgs) -> ExitCode {
    match respond(args) {
        Ok(json) => {
            out!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("cors-lab respond: {message}");
            ExitCode::from(2)
        }
    }
}

fn respond(args: &RespondArgs) -> Result<String, String> {
    let text = std::fs::read_to_string(&args.config)
        .map_err(|e| format!("cannot read {}: {e}", args.config.display()))?;
    let framework = super::files::framework_of(args.framework.as_deref(), &text, &args.config)?;
    let config = frameworks::parse(framework, &text)
        .map_err(|e| format!("{}: {e}", args.config.display()))?;
    let url = url::Url::parse(&args.url)
        .or_else(|_| url::Url::parse("http://localhost/").and_then(|base| base.join(&args.url)));
    let path = url
        .map(|u| u.path().to_owned())
        .map_err(|e| format!("--url {}: {e}", args.url))?;
    let headers = args
        .headers
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                .filter(|(n, _)| !n.is_empty())
                .ok_or_else(|| format!("--header {h:?}: expected 'Name: value'"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let outcome = Outcome::from_name(&args.handler).ok_or_else(|| {
        format!(
            "--handler {}: expected ok, error, missing or down",
            args.handler
        )
    })?;
    let request = Request {
        method: args.method.to_ascii_uppercase(),
        path,
        headers,
    };
    let answer = config.respond(
        &request,
        &Backend {
            outcome,
            headers: Vec::new(),
        },
    );
    let json = serde_json::json!({
        "framework": framework.id(),
        "status": answer.status,
        "headers": answer.headers.iter().map(|(n, v)| [n, v]).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&json).map_err(|e| e.to_string())
}
