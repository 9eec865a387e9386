//! What a build records about each file as it is settled, in order: the
//! manifest entry, the `report.json` row, the build summary's figures, and
//! each document's themes (for `themes.jsonl`). The first file (in
//! repository order) with a given document keeps it; later ones with the
//! same content are reported as skipped.

use super::plan::{Action, Change, Planned};
use super::process::DocFailure;
use super::stream::Prepared;
use super::{BuildError, BuildSummary};
use crate::index::IndexDoc;
use crate::store::EncodedRows;
use crate::store::{
    DocRecord, EntryStatus, FileReport, FileStatus, Manifest, ManifestEntry, Report, RowLocation,
};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

/// A document bound for the new generation: processed in this build, or
/// carried over as it was from the last one (unchanged file, same rules,
/// same code), in which case nothing of it is recomputed: its index entries
/// and repository rows are taken from the last generation.
#[derive(Debug)]
pub struct DocOutput {
    pub record: DocRecord,
    /// Rows and index documents; `None` when carried over (or once placed).
    pub(super) prepared: Option<Box<Prepared>>,
}

impl DocOutput {
    pub(super) fn carried(record: DocRecord) -> DocOutput {
        DocOutput {
            record,
            prepared: None,
        }
    }

    pub(super) fn processed(record: DocRecord, rows: EncodedRows, index: IndexDoc) -> DocOutput {
        DocOutput {
            record,
            prepared: Some(Box::new(Prepared { rows, index })),
        }
    }

    /// True when carried over from the last generation.
    pub fn carried_over(&self) -> bool {
        self.prepared.is_none()
    }
}

/// What became of one input file.
#[derive(Debug)]
pub enum Outcome {
    /// A document (processed or carried over).
    Document(DocOutput),
    /// It could not be processed.
    Failed(DocFailure),
    /// The same content as this earlier file, which holds the document.
    Duplicate(String),
}

/// What happened to one input file in a build.
#[derive(Debug)]
pub struct FileOutcome {
    pub path: PathBuf,
    pub file: String,
    pub sha256: String,
    pub size: u64,
    pub mtime_ns: u128,
    pub change: Change,
    /// True when the PDF or text was parsed in this build (not from the cache).
    pub extracted: bool,
    /// True when an earlier failure was carried over without retrying.
    pub carried_failure: bool,
    pub outcome: Outcome,
}

impl FileOutcome {
    pub(super) fn of(p: &Planned, outcome: Outcome, extracted: bool) -> FileOutcome {
        FileOutcome {
            path: p.path.clone(),
            file: p.file.clone(),
            sha256: p.sha256.clone(),
            size: p.size,
            mtime_ns: p.mtime_ns,
            change: p.change,
            extracted,
            carried_failure: matches!(p.action, Action::CarriedFailure(_)),
            outcome,
        }
    }
}

/// Puts a document's rows (and index entries) in the new generation and
/// says where its rows now are.
pub(super) type Place<'a> = dyn FnMut(&str, &mut DocOutput) -> Result<RowLocation, BuildError> + 'a;

/// What a build recorded.
#[derive(Debug, Default)]
pub(super) struct Ledger {
    entries: Vec<ManifestEntry>,
    files: Vec<FileReport>,
    summary: BuildSummary,
    /// Each document's id and themes, in repository order.
    themes: Vec<(String, Vec<String>)>,
    /// Document id → the file holding it.
    taken: HashMap<String, String>,
}

/// The outputs a build records beside the index and the rows.
#[derive(Debug)]
pub(super) struct Recorded {
    pub(super) report: Report,
    pub(super) manifest: Manifest,
    /// `themes.jsonl`.
    pub(super) themes: Vec<u8>,
    pub(super) summary: BuildSummary,
}

impl Ledger {
    pub(super) fn new() -> Ledger {
        Ledger::default()
    }

    /// The file holding document `id`, once settled.
    pub(super) fn taken_by(&self, id: &str) -> Option<&str> {
        self.taken.get(id).map(String::as_str)
    }

    /// Settle one file (files come in repository order); `place` puts an
    /// accepted document in the generation.
    pub(super) fn settle(
        &mut self,
        o: &mut FileOutcome,
        place: &mut Place,
    ) -> Result<(), BuildError> {
        let s = &mut self.summary;
        match o.change {
            Change::Added => s.added += 1,
            Change::Changed => s.changed += 1,
            Change::Unchanged => s.unchanged += 1,
        }
        s.extracted += usize::from(o.extracted);
        let first = match &o.outcome {
            Outcome::Document(d) => self.taken.get(&d.record.doc_id).cloned(),
            Outcome::Duplicate(first) => Some(first.clone()),
            Outcome::Failed(_) => None,
        };
        let status = match (&mut o.outcome, first) {
            (_, Some(first)) => EntryStatus::Skipped {
                reason: format!("same content as {first}"),
            },
            (Outcome::Failed(f), None) => {
                self.summary.failures.push(f.clone());
                EntryStatus::Failed {
                    stage: f.stage,
                    reason: f.reason.clone(),
                }
            }
            (Outcome::Document(d), None) => {
                let id = d.record.doc_id.clone();
                if d.carried_over() {
                    self.summary.carried_over += 1;
                } else {
                    self.summary.from_cache += usize::from(!o.extracted);
                    self.summary.retagged += usize::from(o.change == Change::Unchanged);
                }
                d.record.rows = place(&id, d)?;
                self.add_document(&d.record, &o.file);
                EntryStatus::Ok {
                    output: d.record.clone(),
                }
            }
            (Outcome::Duplicate(_), None) => unreachable!("a duplicate names its first file"),
        };
        self.files.push(FileReport {
            file: o.file.clone(),
            status: match &status {
                EntryStatus::Ok { output } => FileStatus::Ok {
                    doc_id: output.doc_id.clone(),
                    pages: output.pages,
                    warnings: output.warnings.clone(),
                },
                EntryStatus::Failed { stage, reason } => FileStatus::Failed {
                    stage: *stage,
                    reason: reason.clone(),
                },
                EntryStatus::Skipped { reason } => FileStatus::Skipped {
                    reason: reason.clone(),
                },
            },
        });
        self.entries.push(ManifestEntry {
            file: o.file.clone(),
            sha256: o.sha256.clone(),
            size: o.size,
            mtime_ns: o.mtime_ns,
            status,
        });
        Ok(())
    }

    fn add_document(&mut self, r: &DocRecord, file: &str) {
        let s = &mut self.summary;
        s.documents += 1;
        s.pages += u64::from(r.pages);
        s.passages += r.passages;
        s.tags += r.tags;
        s.recommendations += r.recommendations;
        s.warnings += r.warnings.len();
        self.taken.insert(r.doc_id.clone(), file.to_string());
        self.themes.push((r.doc_id.clone(), r.themes.clone()));
    }

    /// The report, manifest (without segments: the generation adds them),
    /// theme rows and summary of everything settled; `last` is the last
    /// build's manifest (for the files removed since).
    pub(super) fn finish(self, last: &Manifest, rules_version: &str) -> Recorded {
        let mut summary = self.summary;
        let now: BTreeSet<&str> = self.entries.iter().map(|e| e.file.as_str()).collect();
        summary.removed = last
            .files
            .iter()
            .filter(|e| !now.contains(e.file.as_str()))
            .count();
        let themes = crate::export::theme_rows(
            self.themes
                .iter()
                .map(|(id, t)| (id.as_str(), t.as_slice())),
        );
        Recorded {
            report: Report {
                tool_version: env!("CARGO_PKG_VERSION").into(),
                rules_version: rules_version.into(),
                files: self.files,
            },
            manifest: Manifest::new(rules_version, self.entries),
            themes,
            summary,
        }
    }
}
