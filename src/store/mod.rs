//! Store: the one owner of the output folder. It alone knows its layout
//! (every file and folder name below), takes the build lock, writes a
//! generation and switches readers to it atomically, keeps the extraction
//! cache, types `report.json` and `manifest.json`, removes what no
//! generation uses, and gives readers a [`Reader`] pinned to one
//! generation. Rows are opaque bytes here (JSON Lines rendered by
//! `export`): new fields in a row need no change in the store.
//!
//! ```text
//! OUT/.ystorfa.lock              held by the running build (released by the OS if it dies)
//! OUT/.gen/<id>/                 one complete generation:
//!     search/                    the tantivy passage index (only files its meta.json names)
//!     repository/<table>/NNNNNN.jsonl
//!                                the per-document tables (DocFile::ALL), cut into segments:
//!                                concatenated in name order, a segment folder is the table
//!     repository/themes.jsonl    per theme, the documents carrying it
//!     repository/recommendation_groups.jsonl
//!                                recurring recommendations across documents
//!     report.json manifest.json vocabulary.json
//!     manifest.json.sha256       the manifest's checksum (`sha256sum -c` reads it)
//!     .started                   when the build that wrote it started (racily-clean check)
//!     .readers.lock              shared-locked by each reader pinned to the generation
//! OUT/current -> .gen/<id>       the last good generation; flipped with one rename
//! OUT/search, OUT/repository, OUT/report.json, OUT/manifest.json -> current/...
//! OUT/cache/extract/<fingerprint>/<sha256>.<ext>.json   extraction results by content
//! OUT/cache/grouping/<key>/<sha256>.bin   each segment of recommendations as grouping
//!                                reads it, by the segment file's SHA-256
//! OUT/cache/checked/<id>.json    the current generation's files as last known good
//!                                (size, times, inode): unchanged ones are not read again
//! OUT/runs.jsonl                 one line per build (timings live only here)
//! OUT/export-<format>/           `ystorfa export`'s default destination (not the store's)
//! ```
//!
//! A build holds the [`BuildLock`], reads the last generation through a
//! [`Reader`], writes a new one with a [`GenerationWriter`] (documents
//! pushed in repository order, each either rendered now or carried over
//! from the last generation) and commits it: everything written and
//! synced, then one rename of a link over `OUT/current`. A killed build
//! never changes what readers see; its leftovers are removed by the next.
//!
//! Repository segments end after a document whose id hashes to a boundary
//! (or at a maximum length), so where they end depends only on the
//! documents, in order: an incremental build cuts the same segments as a
//! clean build, and a segment whose documents are all unchanged is shared
//! with the last generation by a hard link instead of being copied.

mod cache;
mod checked;
mod codec;
mod gc;
mod generation;
mod grouping;
mod lock;
mod manifest;
mod reader;
mod report;
mod segments;

pub use cache::ExtractCache;
pub use codec::EncodedRows;
pub use gc::{audit, live_search_files};
pub use generation::{GenerationWriter, RowSource, write_atomic};
pub use grouping::GroupingCache;
pub use lock::BuildLock;
pub use manifest::{
    AGGREGATE_FINGERPRINT, DocRecord, EXTRACT_FINGERPRINT, EntryStatus, Manifest, ManifestEntry,
    OUTPUT_FINGERPRINT, RowLocation, RowRange, SegmentRecord,
};
pub use reader::{GroupLines, LineAt, Reader, RowLines, SegmentFile};
pub use report::{FileReport, FileStatus, Report, RunRecord, Stage};
pub use segments::repository_files;

use std::path::{Path, PathBuf};

/// The per-document tables of the repository, one line per row, in the
/// order a document's rows are pushed. This is the one list: adding a
/// table is adding a variant here (and its rows in `export::DocRows`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DocFile {
    Documents,
    Passages,
    Recommendations,
    ActionPlans,
    Tags,
    Evidence,
}

impl DocFile {
    /// Every per-document table, in order.
    pub const ALL: [DocFile; 6] = [
        DocFile::Documents,
        DocFile::Passages,
        DocFile::Recommendations,
        DocFile::ActionPlans,
        DocFile::Tags,
        DocFile::Evidence,
    ];

    /// The table's name: its folder under `repository/`, and its file
    /// name (`<name>.jsonl`) when whole.
    pub fn name(self) -> &'static str {
        match self {
            DocFile::Documents => "documents",
            DocFile::Passages => "passages",
            DocFile::Recommendations => "recommendations",
            DocFile::ActionPlans => "action_plans",
            DocFile::Tags => "tags",
            DocFile::Evidence => "evidence",
        }
    }

    /// The table's rows among a document's rendered rows.
    pub fn rows(self, rows: &crate::export::DocRows) -> &[u8] {
        match self {
            DocFile::Documents => &rows.documents,
            DocFile::Passages => &rows.passages,
            DocFile::Recommendations => &rows.recommendations,
            DocFile::ActionPlans => &rows.action_plans,
            DocFile::Tags => &rows.tags,
            DocFile::Evidence => &rows.evidence,
        }
    }

    /// True for the tables stored as zstd-compressed JSON Lines
    /// (`NNNNNN.jsonl.zst`, one frame per document): the two large ones,
    /// which are most of the repository's bytes.
    pub fn compressed(self) -> bool {
        matches!(self, DocFile::Passages | DocFile::Tags)
    }

    /// The extension of the table's segment files.
    pub(crate) fn segment_extension(self) -> &'static str {
        if self.compressed() {
            "jsonl.zst"
        } else {
            "jsonl"
        }
    }

    /// `<name>.jsonl`: the whole table as one file (in memory, in exports,
    /// and in the single-file layout of older builds).
    pub fn whole_file_name(self) -> String {
        format!("{}.jsonl", self.name())
    }
}

/// File name of `themes.jsonl`: per theme, the documents carrying it.
pub const THEMES_FILE: &str = "themes.jsonl";
/// File name of the recurring recommendations (`patterns`).
pub const RECOMMENDATION_GROUPS_FILE: &str = "recommendation_groups.jsonl";

/// The tables a build aggregates over all documents, written when the
/// generation is committed.
#[derive(Debug, Default)]
pub struct Aggregates {
    /// `themes.jsonl`.
    pub themes: Vec<u8>,
    /// `recommendation_groups.jsonl`.
    pub recommendation_groups: Vec<u8>,
}

// Names inside the output folder: known here only.
const LOCK: &str = ".ystorfa.lock";
const GENERATIONS: &str = ".gen";
const CURRENT: &str = "current";
const SEARCH: &str = "search";
const REPOSITORY: &str = "repository";
const REPORT: &str = "report.json";
const MANIFEST: &str = "manifest.json";
const MANIFEST_SUM: &str = "manifest.json.sha256";
const VOCABULARY: &str = "vocabulary.json";
const STARTED: &str = ".started";
const PIN: &str = ".readers.lock";
const RUNS: &str = "runs.jsonl";
const CACHE: &str = "cache";
const EXPORT_PREFIX: &str = "export-";

/// The names readers use in `OUT`, each a link into `current`.
const PUBLIC_NAMES: [&str; 4] = [SEARCH, REPOSITORY, REPORT, MANIFEST];

/// Errors of the output folder.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "another ystorfa build is writing to {0} (it holds {0}/.ystorfa.lock); wait for it to finish"
    )]
    Locked(String),
    #[error(
        "no learning repository in {0}: run ystorfa build first (run `ystorfa build --out {0}`)"
    )]
    NoBuild(String),
    #[error("{path}: not readable by this version of ystorfa: {message}")]
    Unreadable { path: String, message: String },
    /// A file of a generation is not as the build that wrote it left it.
    #[error("{path}: damaged: {message}")]
    Damaged { path: String, message: String },
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What `build` wrote, for the message that says so: `OUT/search`,
/// `OUT/repository` and `OUT/report.json`.
pub fn describe_outputs(out: &Path) -> String {
    format!(
        "{}, {} and {}",
        out.join(SEARCH).display(),
        out.join(REPOSITORY).display(),
        out.join(REPORT).display()
    )
}

/// Where `ystorfa export` writes by default: `OUT/export-<extension>`.
pub fn default_export_dir(out: &Path, extension: &str) -> PathBuf {
    out.join(format!("{EXPORT_PREFIX}{extension}"))
}

/// True when `dir` is the output folder `out` itself or lies inside a part
/// of it the store writes (generations, the public links, the cache), so
/// an export there would be overwritten or removed by a build.
pub fn is_build_owned(out: &Path, dir: &Path) -> bool {
    let (Ok(d), Ok(o)) = (dir.canonicalize(), out.canonicalize()) else {
        return false;
    };
    d == o
        || [GENERATIONS, REPOSITORY, SEARCH, CURRENT, CACHE]
            .iter()
            .filter_map(|n| o.join(n).canonicalize().ok())
            .any(|p| d.starts_with(&p))
}

/// The name of the generation `OUT/current` points to, if any.
pub fn current_generation_name(out: &Path) -> Option<String> {
    let target = std::fs::read_link(out.join(CURRENT)).ok()?;
    target.file_name().map(|n| n.to_string_lossy().to_string())
}

/// JSON Schemas of the store's own files, from their types: (file name,
/// schema), for people and tools that read `report.json` and
/// `manifest.json`.
pub fn schemas() -> Vec<(&'static str, schemars::Schema)> {
    vec![
        (REPORT, schemars::schema_for!(Report)),
        (MANIFEST, schemars::schema_for!(Manifest)),
        (RUNS, schemars::schema_for!(RunRecord)),
    ]
}

/// Pretty JSON with a final newline (deterministic).
fn pretty<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).expect("the store's types serialise");
    b.push(b'\n');
    b
}

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
