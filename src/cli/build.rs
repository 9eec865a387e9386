//! `ystorfa build`: the batch job.

use super::{EXIT_OK, EXIT_PARTIAL};
use crate::extract::Limits;
use crate::pipeline;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input files or folders, walked recursively for .pdf, .txt and .md files.
    #[arg(default_value = "corpus")]
    pub inputs: Vec<PathBuf>,
    /// Output folder for the search index and the learning repository.
    #[arg(long, default_value = "index")]
    pub out: PathBuf,
    /// Rule file (TOML) to use instead of the built-in default rules.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let rules = super::load_rules(args.rules.as_ref())?;
    let quiet = args.quiet;
    let on_done = move |p: &std::path::Path, r: &Result<_, pipeline::DocFailure>| {
        if let Err(f) = r {
            eprintln!("ystorfa: {}: failed at {:?}: {}", f.file, f.stage, f.reason);
        } else if !quiet {
            eprintln!("  done {}", pipeline::display_path(p));
        }
    };
    let summary = pipeline::build(
        &args.inputs,
        &args.out,
        &rules,
        &Limits::default(),
        &on_done,
    )?;
    if !quiet {
        eprintln!("ystorfa: wrote {}", args.out.display());
    }
    println!("{}", summary.line());
    Ok(if summary.failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    })
}
