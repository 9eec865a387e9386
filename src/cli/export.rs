//! `ystorfa export`: complete, documented exports of the learning
//! repository for researchers (see `crate::export::research`).

use super::EXIT_OK;
use crate::export::{self, ExportManifest, Filters, Format, Rendered, Repository};
use crate::model::DocKind;
use crate::store::{self, DocFile, Reader};
use anyhow::Context;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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

pub(super) fn parse_kind(s: &str) -> Result<DocKind, String> {
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
    let repo = load(&args.out)?;
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
        .unwrap_or_else(|| store::default_export_dir(&args.out, args.format.ext()));
    write_export(&to, &args.out, &rendered, args.force)?;
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

/// The repository's rows and rules version, all from one generation (a
/// build finishing meanwhile cannot mix two).
fn load(out: &Path) -> anyhow::Result<Repository> {
    let reader = Reader::open(out)?;
    let mut repo = Repository {
        rules_version: String::new(),
        documents: reader.read_all(DocFile::Documents)?,
        passages: reader.read_all(DocFile::Passages)?,
        recommendations: reader.read_all(DocFile::Recommendations)?,
        action_plans: if reader.has_table(DocFile::ActionPlans) {
            reader.read_all(DocFile::ActionPlans)?
        } else {
            tracing::warn!(
                "the repository was built by an older ystorfa, without action plans: \
                 run ystorfa build again to export them"
            );
            Vec::new()
        },
        tags: reader.read_all(DocFile::Tags)?,
    };
    repo.rules_version = match reader.report() {
        Ok(r) => r.rules_version,
        // Built by an older version: the tags say which rules.
        Err(_) => repo
            .tags
            .first()
            .map(|t| t.rules_version.to_string())
            .unwrap_or_default(),
    };
    Ok(repo)
}

/// The manifest of a previous export in `dir`, if there is one.
fn previous_export(dir: &Path) -> Option<ExportManifest> {
    let bytes = std::fs::read(dir.join(export::MANIFEST)).ok()?;
    let m: ExportManifest = serde_json::from_slice(&bytes).ok()?;
    (m.tool == export::EXPORT_TOOL).then_some(m)
}

/// Write `rendered` into `dir` (created if missing), each file atomically,
/// the manifest last. A non-empty `dir` must hold a previous export (whose
/// files are replaced; files of it this export does not write are removed),
/// unless `force`. `out` is the build folder, never written into.
fn write_export(dir: &Path, out: &Path, rendered: &Rendered, force: bool) -> anyhow::Result<()> {
    if store::is_build_owned(out, dir) {
        anyhow::bail!(
            "{} is part of the build output; export somewhere else",
            dir.display()
        );
    }
    let non_empty = std::fs::read_dir(dir)
        .map(|mut rd| rd.next().is_some())
        .unwrap_or(false);
    if non_empty {
        match previous_export(dir) {
            Some(old) => {
                let new: BTreeSet<&str> = rendered.files.iter().map(|(n, _)| n.as_str()).collect();
                for f in &old.files {
                    for name in [&f.name, &f.schema] {
                        let plain = !name.contains(['/', '\\']) && !name.starts_with('.');
                        if plain && !new.contains(name.as_str()) {
                            let _ = std::fs::remove_file(dir.join(name));
                        }
                    }
                }
            }
            None if force => {}
            None => anyhow::bail!(
                "{} is not empty and is not a ystorfa export: choose another --to, or pass --force to write into it anyway",
                dir.display()
            ),
        }
    }
    for (name, bytes) in &rendered.files {
        store::write_atomic(&dir.join(name), bytes)?;
    }
    Ok(())
}
