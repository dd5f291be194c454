//! The native command-line tool: `cors-lab check`, `verify`, `diagnose` and
//! `respond`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(name = "cors-lab", version, about = "A browser-exact CORS simulator")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Explain, step by step, what the browser does with each scenario.
    Check(check::CheckArgs),
    /// Replay scenarios in a real headless browser and diff with the engine.
    Verify(verify::VerifyArgs),
    /// Why is my request blocked? Reads a curl command, fetch code, HTTP
    /// headers, a HAR file or console lines and names the header to fix.
    Diagnose(diagnose::DiagnoseArgs),
    /// What a server configured as written (an Express app, FastAPI,
    /// Django settings, Flask, nginx, Apache, tower-http) answers to one
    /// request: status and CORS headers, as JSON.
    Respond(respond::RespondArgs),
}

/// `println!` for the tool's output, without its panic when stdout is closed
/// (`cors-lab diagnose big.har | head` closes the pipe early): a write error
/// only ends the output.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `print!` without a newline, like [`out!`].
macro_rules! out_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

mod check;
mod diagnose;
pub mod files;
mod respond;
mod verify;

/// Runs the tool and returns its exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Diagnose(args) => diagnose::run(&args),
        Command::Respond(args) => respond::run(&args),
    }
}
