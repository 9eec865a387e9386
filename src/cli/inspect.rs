//! `ystorfa inspect`: one document's sections, tags and recommendations.

use super::EXIT_OK;
use crate::extract::Limits;
use crate::pipeline;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The document (.pdf, .txt or .md).
    pub file: PathBuf,
    /// Rule file (TOML) to use instead of the built-in default rules.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let rules = super::load_rules(args.rules.as_ref())?;
    let d = pipeline::process_file(&args.file, &rules, &Limits::default())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&d)?);
    } else {
        println!(
            "{} [{}] {} pages",
            d.document.title, d.document.kind, d.document.pages
        );
    }
    Ok(EXIT_OK)
}
