//! A generation written from documents already processed in memory (tests,
//! demos): the same index, repository, report, manifest and vocabulary a
//! build of their files writes, without reading any file.

use super::BuildError;
use crate::export::{self, Vocabulary};
use crate::index::{self, PassageWriter};
use crate::model::ProcessedDoc;
use crate::rules::RuleSet;
use crate::store::{
    BuildLock, DocRecord, EncodedRows, EntryStatus, FileReport, FileStatus, Manifest,
    ManifestEntry, Report, RowSource,
};
use std::path::Path;

/// Write `docs` (processed with `rules`) as a new generation of the output
/// folder `out` and make it current.
pub fn write_processed(
    out: &Path,
    docs: &[ProcessedDoc],
    rules: &RuleSet,
) -> Result<(), BuildError> {
    let lock = BuildLock::acquire(out)?;
    let mut generation = lock.begin(None)?;
    let mut index = PassageWriter::create(&generation.search_dir())?;
    let mut sorted: Vec<&ProcessedDoc> = docs.iter().collect();
    sorted.sort_by(|a, b| export::repository_order(a, b));
    let mut entries = Vec::with_capacity(sorted.len());
    let mut files = Vec::with_capacity(sorted.len());
    let mut themes = Vec::with_capacity(sorted.len());
    for pd in sorted {
        let d = &pd.document;
        let rows = export::doc_rows(pd);
        index.add(index::prepare(pd))?;
        let mut output = DocRecord::of(pd, rows.themes.clone());
        output.rows = generation.push(&d.id, RowSource::Rendered(&EncodedRows::encode(&rows)))?;
        files.push(FileReport {
            file: d.file.clone(),
            status: FileStatus::Ok {
                doc_id: d.id.clone(),
                pages: d.pages,
                warnings: output.warnings.clone(),
            },
        });
        entries.push(ManifestEntry {
            file: d.file.clone(),
            sha256: d.sha256.clone(),
            size: 0,
            mtime_ns: 0,
            status: EntryStatus::Ok { output },
        });
        themes.push((d.id.clone(), rows.themes));
    }
    index.finish()?;
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        rules_version: rules.version().into(),
        files,
    };
    let theme_rows = export::theme_rows(themes.iter().map(|(id, t)| (id.as_str(), t.as_slice())));
    let aggregates = super::aggregate::aggregate(&mut generation, rules, theme_rows)?;
    generation.commit(
        &report,
        Manifest::new(rules.version(), entries),
        &Vocabulary::of(rules),
        aggregates,
    )?;
    Ok(())
}
