//! `ystorfa build`: the batch job over a folder of reviews and strategies.

use super::{EXIT_OK, EXIT_PARTIAL};
use crate::extract::Limits;
use crate::pipeline;
use anyhow::Context;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input files or folders, walked recursively for .pdf, .txt and .md files.
    #[arg(default_value = "corpus")]
    pub inputs: Vec<PathBuf>,
    /// Output folder: the search index goes to OUT/search, the learning
    /// repository to OUT/repository, the per-file status to OUT/report.json.
    #[arg(long, default_value = "index")]
    pub out: PathBuf,
    /// Rule file (TOML) to use instead of the built-in default rules.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Print nothing but failures and the summary line.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every document as it finishes, with its warnings.
    #[arg(short, long)]
    pub verbose: bool,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let rules = super::load_rules(args.rules.as_ref())?;
    let files = pipeline::discover(&args.inputs).context("cannot read the inputs")?;
    if files.is_empty() {
        anyhow::bail!(
            "no .pdf, .txt or .md files found in {}",
            args.inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let total = files.len();
    let done = AtomicUsize::new(0);
    let progress = !args.quiet && std::io::stderr().is_terminal();
    let verbose = args.verbose;
    let on_done = |p: &Path, r: &Result<_, pipeline::DocFailure>| {
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        match r {
            Err(f) => eprintln!(
                "ystorfa: {}: failed ({:?} stage): {}",
                f.file, f.stage, f.reason
            ),
            Ok(d) if verbose => {
                let d: &crate::model::ProcessedDoc = d;
                eprintln!(
                    "ystorfa: [{n}/{total}] {} ({} pages, {} passages, {} recommendations)",
                    pipeline::display_path(p),
                    d.document.pages,
                    d.document.passages.len(),
                    d.recommendations.len()
                );
                for w in &d.document.warnings {
                    eprintln!("ystorfa: {}: warning: {w}", d.document.file);
                }
            }
            Ok(_) if progress => eprint!("\rystorfa: [{n}/{total}] processed"),
            Ok(_) => {}
        }
    };
    let summary = pipeline::build_files(&files, &args.out, &rules, &Limits::default(), &on_done)
        .with_context(|| format!("cannot write the outputs in {}", args.out.display()))?;
    if progress {
        eprintln!();
    }
    if !args.quiet {
        eprintln!(
            "ystorfa: wrote {}/search, {}/repository and {}/report.json",
            args.out.display(),
            args.out.display(),
            args.out.display()
        );
    }
    println!("{}", summary.line());
    Ok(if summary.failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    })
}
