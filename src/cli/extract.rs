//! `ystorfa extract`: one document's text.

use super::EXIT_OK;
use crate::extract::{self, Limits};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The document (.pdf, .txt, .md or .docx).
    pub file: PathBuf,
    /// Print pages → blocks → lines with bounding boxes, fonts and warnings as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let bytes = crate::pipeline::read_input(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let name = crate::pipeline::display_path(&args.file);
    let doc = extract::extract(&name, &bytes, &Limits::default()).with_context(|| name.clone())?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        out.write_all(doc.plain_text().as_bytes())?;
    }
    for w in &doc.warnings {
        tracing::warn!("{name}: {w}");
    }
    Ok(EXIT_OK)
}
