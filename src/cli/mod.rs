//! The command layer: argument parsing (clap derive, one file per
//! subcommand), file I/O, human messages on stderr, data on stdout, exit
//! codes (0 success, 1 partial failure or no match, 2 fatal error).
//! Messages for people go through `tracing` ([`log`]), set up once here.

use clap::{ArgAction, Parser, Subcommand};
use std::path::PathBuf;

mod build;
mod eval;
mod export;
mod extract;
mod inspect;
pub mod log;
mod patterns;
mod rules;
mod search;
#[cfg(feature = "serve")]
mod serve;

/// ystorfa: a searchable, evidence-linked learning repository from
/// safeguarding reviews and VAWDASV strategies.
#[derive(Debug, Parser)]
#[command(name = "ystorfa", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Say more on stderr: -v debug, -vv trace (RUST_LOG, when set, decides instead).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
    /// Say nothing on stderr but errors (no progress bar).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the search index and learning repository from review documents.
    Build(build::Args),
    /// Print one document's text, pages separated by a form feed.
    Extract(extract::Args),
    /// Search the index built by `build`.
    Search(search::Args),
    /// Show one document's sections, tags with their evidence, and recommendations.
    Inspect(inspect::Args),
    /// Measure recommendations and themes against labelled documents.
    Eval(eval::Args),
    /// List the recurring recommendations of a build: recommendations of
    /// different documents that ask for the same thing, with why grouped.
    Patterns(patterns::Args),
    /// Check or test a rule file.
    #[command(subcommand)]
    Rules(rules::Command),
    /// Export the learning repository for researchers: every row as JSON
    /// Lines, JSON or CSV, with the theme codebook, a theme × document
    /// matrix and a JSON Schema per file.
    Export(export::Args),
    /// Serve the search and browse page (and its JSON API) over the output
    /// of `build`, reloading when a new build finishes.
    #[cfg(feature = "serve")]
    Serve(serve::Args),
    /// Internal: serve extraction requests for `build` (one JSON line in,
    /// one out). Not for people; see `pipeline::worker`.
    #[command(name = "extract-worker", hide = true)]
    ExtractWorker(WorkerArgs),
}

/// Arguments of the hidden `extract-worker` subcommand.
#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// Address-space limit of this worker in MiB (0: none).
    #[arg(long, default_value_t = 0)]
    pub max_memory_mb: u64,
}

/// Exit codes, as ripgrep uses them.
pub const EXIT_OK: i32 = 0;
pub const EXIT_PARTIAL: i32 = 1;
pub const EXIT_FATAL: i32 = 2;

/// Parse the command line, run, and return the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_FATAL } else { EXIT_OK };
        }
    };
    let verbosity = log::Verbosity::from_flags(cli.quiet, cli.verbose);
    // A worker's stderr is read by its supervisor as the reason it died:
    // it logs nothing.
    if !matches!(cli.command, Command::ExtractWorker(_)) {
        log::init(verbosity);
    }
    let result = match cli.command {
        Command::Build(a) => build::run(a, verbosity),
        Command::Extract(a) => extract::run(a),
        Command::Search(a) => search::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Eval(a) => eval::run(a, verbosity),
        Command::Patterns(a) => patterns::run(a),
        Command::Rules(c) => rules::run(c),
        Command::Export(a) => export::run(a),
        #[cfg(feature = "serve")]
        Command::Serve(a) => serve::run(a),
        Command::ExtractWorker(a) => crate::pipeline::worker::run_worker(a.max_memory_mb)
            .map(|()| EXIT_OK)
            .map_err(anyhow::Error::from),
    };
    match result {
        Ok(code) => code,
        // A closed stdout (`ystorfa search x | head`) is not an error.
        Err(e) if is_broken_pipe(&e) => EXIT_OK,
        Err(e) => {
            // The command's outcome, not a log line: always printed.
            eprintln!("ystorfa: error: {e:#}");
            EXIT_FATAL
        }
    }
}

/// Load the rule file given with `--rules`, or the default rules.
pub(crate) fn load_rules(path: Option<&PathBuf>) -> anyhow::Result<crate::rules::RuleSet> {
    use anyhow::Context;
    match path {
        None => Ok(crate::rules::RuleSet::default_rules()),
        Some(p) => {
            let src = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read rule file {}", p.display()))?;
            Ok(crate::rules::RuleSet::from_toml(
                &src,
                &p.display().to_string(),
            )?)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                .is_some_and(|k| k == std::io::ErrorKind::BrokenPipe)
    })
}
