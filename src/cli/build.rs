//! `ystorfa build`: the batch job over a folder of reviews and strategies.

use super::log::{self, Verbosity};
use super::{EXIT_OK, EXIT_PARTIAL};
use crate::extract::Limits;
use crate::pipeline;
use anyhow::Context;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tracing::{debug, error, info};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input files or folders, walked recursively for .pdf, .txt, .md and .docx files.
    #[arg(default_value = "corpus")]
    pub inputs: Vec<PathBuf>,
    /// Output folder: the search index goes to OUT/search, the learning
    /// repository to OUT/repository, the per-file status to OUT/report.json.
    #[arg(long, default_value = "index")]
    pub out: PathBuf,
    /// Rule file (TOML) to use instead of the built-in default rules.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Process again the files that failed in the last build (unchanged
    /// failed files are otherwise reported again without being re-read).
    #[arg(long)]
    pub retry_failed: bool,
    /// Wall time allowed to extract one document, in seconds, and again to
    /// tag it; a document that takes longer fails (its extraction worker is
    /// killed, its tagging stops) and the build goes on.
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// Memory allowed per document, in MB: the address space of each
    /// extraction worker, and what segmenting and tagging a document would
    /// need (estimated from its text, about 12 bytes per byte, before the
    /// work starts); a document that needs more fails alone. 0: no limit.
    #[arg(long, value_name = "MB", default_value_t = 4096)]
    pub max_memory: u64,
    /// Process every document again (segment, tag, index, render) instead
    /// of carrying unchanged ones over from the last build; files are still
    /// not re-read when the extraction cache has them.
    #[arg(long)]
    pub rebuild: bool,
    /// Extract in this process instead of supervised worker processes
    /// (for debugging: a hang, abort or out-of-memory then stops the build).
    #[arg(long)]
    pub in_process: bool,
}

/// Shows the build's progress: failures as errors (always shown, they are
/// the build's result for that file), each document at debug level (`-v`)
/// with its warnings, and the progress bar on a terminal.
struct Reporter {
    done: AtomicUsize,
    total: usize,
    bar: log::Progress,
}

impl pipeline::Progress for Reporter {
    fn file_done(&self, o: &pipeline::FileOutcome) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.total;
        match &o.outcome {
            pipeline::Outcome::Failed(f) if o.carried_failure => error!(
                "{}: failed in the last build ({:?} stage): {} (unchanged; --retry-failed to try again)",
                f.file, f.stage, f.reason
            ),
            pipeline::Outcome::Failed(f) => {
                error!("{}: failed ({:?} stage): {}", f.file, f.stage, f.reason)
            }
            pipeline::Outcome::Duplicate(first) => {
                debug!(
                    "[{n}/{total}] {} {:?}: the same content as {first}",
                    o.file, o.change
                )
            }
            pipeline::Outcome::Document(d) => {
                let how = if d.carried_over() {
                    ", carried over"
                } else if o.extracted {
                    ""
                } else {
                    ", from the extraction cache"
                };
                let r = &d.record;
                debug!(
                    "[{n}/{total}] {} {:?}{how} ({} pages, {} passages, {} recommendations)",
                    o.file, o.change, r.pages, r.passages, r.recommendations
                );
                for w in &r.warnings {
                    debug!("{}: warning: {w}", o.file);
                }
            }
        }
        self.bar.inc(&o.file);
    }

    fn phase(&self, what: &str) {
        debug!("{what}");
        self.bar.set_message(what);
    }
}

pub fn run(args: Args, verbosity: Verbosity) -> anyhow::Result<i32> {
    let rules = super::load_rules(args.rules.as_ref())?;
    let files = pipeline::discover(&args.inputs).context("cannot read the inputs")?;
    if files.is_empty() {
        anyhow::bail!(
            "no .pdf, .txt, .md or .docx files found in {}",
            args.inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let total = files.len();
    let reporter = Reporter {
        done: AtomicUsize::new(0),
        total,
        bar: log::Progress::new(total as u64, "documents", verbosity),
    };
    let isolation = if args.in_process {
        None
    } else {
        Some(
            pipeline::Isolation::current_exe(Duration::from_secs(args.timeout), args.max_memory)
                .context("cannot find the ystorfa executable to run extraction workers (try --in-process)")?,
        )
    };
    let opts = pipeline::BuildOptions {
        limits: Limits::default(),
        analysis: pipeline::AnalysisLimits {
            time: Some(Duration::from_secs(args.timeout)),
            memory: (args.max_memory > 0).then(|| args.max_memory.saturating_mul(1 << 20)),
        },
        retry_failed: args.retry_failed,
        rebuild: args.rebuild,
        isolation,
    };
    let summary = pipeline::build_files(&files, &args.out, &rules, &opts, &reporter)
        .with_context(|| format!("cannot write the outputs in {}", args.out.display()))?;
    drop(reporter);
    let outputs = crate::store::describe_outputs(&args.out);
    if summary.kept_outputs {
        info!("nothing changed: {outputs} are kept as they were");
    } else {
        info!("wrote {outputs}");
    }
    info!("{}", summary.changes_line());
    println!("{}", summary.line());
    Ok(if summary.failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    })
}
