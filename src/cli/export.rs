//! `ystorfa export`: complete, documented exports of the learning
//! repository for researchers (see `crate::export::research`).

use super::EXIT_OK;
use crate::export::{self, Filters, Format, Repository};
use crate::model::DocKind;
use anyhow::Context;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The build's output folder (the repository is read from OUT/repository).
    #[arg(long, default_value = "index")]
    pub out: PathBuf,
    /// Format of the data files.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Folder to write to [default: OUT/export-FORMAT].
    #[arg(long)]
    pub to: Option<PathBuf>,
    /// Write into a non-empty folder that is not a previous export.
    #[arg(long)]
    pub force: bool,
    /// The rule file the repository was built with [default: built-in rules].
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Only documents carrying this theme (repeatable: any of them).
    #[arg(long = "theme", value_name = "ID")]
    pub themes: Vec<String>,
    /// Only documents of this kind (repeatable: any of them).
    #[arg(long = "kind", value_name = "KIND", value_parser = parse_kind)]
    pub kinds: Vec<DocKind>,
    /// Only documents of this year or later.
    #[arg(long)]
    pub year_from: Option<i32>,
    /// Only documents of this year or earlier.
    #[arg(long)]
    pub year_to: Option<i32>,
    /// Only this document id (repeatable).
    #[arg(long = "doc", value_name = "ID")]
    pub docs: Vec<String>,
}

fn parse_kind(s: &str) -> Result<DocKind, String> {
    DocKind::ALL
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| {
            let all: Vec<&str> = DocKind::ALL.iter().map(|k| k.as_str()).collect();
            format!("unknown kind {s:?}; one of {}", all.join(", "))
        })
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let (src, origin) = match &args.rules {
        None => (
            crate::rules::DEFAULT_RULES.to_string(),
            "the built-in rules".to_string(),
        ),
        Some(p) => (
            std::fs::read_to_string(p)
                .with_context(|| format!("cannot read rule file {}", p.display()))?,
            p.display().to_string(),
        ),
    };
    let rules = super::load_rules(args.rules.as_ref())?;
    let repo = Repository::load(&args.out)?;
    let filters = Filters {
        themes: args.themes,
        kinds: args.kinds,
        year_from: args.year_from,
        year_to: args.year_to,
        docs: args.docs,
    };
    let rendered = export::render(&repo, &rules, &src, &origin, &filters, args.format)?;
    let to = args
        .to
        .unwrap_or_else(|| export::default_export_dir(&args.out, args.format));
    export::write_export(&to, &args.out, &rendered, args.force)?;
    let rows: usize = rendered.manifest.files.iter().map(|f| f.rows).sum();
    if rendered.manifest.files.first().is_some_and(|f| f.rows == 0) {
        tracing::warn!("no document matches the filters; the data files hold only the codebook");
    }
    tracing::info!(
        "wrote {} data files with their schemas and {} to {}",
        rendered.manifest.files.len(),
        export::MANIFEST,
        to.display()
    );
    println!(
        "exported {} files, {rows} rows ({}) to {}",
        rendered.files.len(),
        rendered.counts(),
        to.display()
    );
    Ok(EXIT_OK)
}
