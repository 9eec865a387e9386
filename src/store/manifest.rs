//! `manifest.json`: what the last build saw and where it put each document.
//! Every input file by path, size, modification time and SHA-256 with its
//! status; for each document in the generation, its figures and where its
//! rows are ([`RowLocation`]); the repository's segments; and the versions
//! and fingerprints that say whether its work can be reused.

use super::DocFile;
use super::report::Stage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Identifies the extractor's code: cached results from other code are not reused.
pub const EXTRACT_FINGERPRINT: &str = env!("YSTORFA_EXTRACT_FINGERPRINT");

/// Identifies the code of every stage that shapes the index and the
/// repository (and the dependencies' versions): a document's output is
/// carried over from the last build only when that build ran the same code.
pub const OUTPUT_FINGERPRINT: &str = env!("YSTORFA_OUTPUT_FINGERPRINT");

/// Identifies the code that builds the tables aggregated over every
/// document (the recurring recommendations): made again by every build,
/// so not part of [`OUTPUT_FINGERPRINT`]; recorded so that a build with
/// other grouping code writes a new generation instead of keeping the last.
pub const AGGREGATE_FINGERPRINT: &str = env!("YSTORFA_AGGREGATE_FINGERPRINT");

/// A byte range of a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RowRange {
    /// Byte offset of the first row.
    pub offset: u64,
    /// Length in bytes (every row's line, each ending with a newline).
    pub length: u64,
}

/// Where one document's rows are: the segment, and in each per-document
/// table's file of that segment, the byte range of its rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RowLocation {
    /// Number of the segment (`repository/<table>/NNNNNN.jsonl`).
    pub segment: u32,
    /// By table name (`documents`, `passages`, ...).
    pub ranges: BTreeMap<DocFile, RowRange>,
}

impl RowLocation {
    /// The range of the document's rows in `file` (empty when unknown).
    pub fn range(&self, file: DocFile) -> RowRange {
        self.ranges.get(&file).copied().unwrap_or_default()
    }
}

/// One segment of the repository: how many documents it holds and the
/// length of each of its table files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SegmentRecord {
    pub documents: u32,
    /// Bytes of each table's file, by table name.
    pub bytes: BTreeMap<DocFile, u64>,
    /// Lower-case hex SHA-256 of each table's file, by table name: checked
    /// before the segment's rows are carried into a new generation.
    #[serde(default)]
    pub sha256: BTreeMap<DocFile, String>,
}

/// What one document contributed to the generation that recorded it: the
/// figures the summary and `report.json` need, its themes (for
/// `themes.jsonl`), and where its rows are, so an unchanged document is
/// carried into the next generation without being segmented, tagged,
/// indexed or rendered again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DocRecord {
    pub doc_id: String,
    pub pages: u32,
    pub passages: usize,
    pub tags: usize,
    pub recommendations: usize,
    pub warnings: Vec<String>,
    /// Sorted, without repeats, as in `documents`.
    pub themes: Vec<String>,
    /// Where its rows are in the repository.
    pub rows: RowLocation,
}

impl DocRecord {
    /// The record of a processed document (rows not yet placed).
    pub fn of(pd: &crate::model::ProcessedDoc, themes: Vec<String>) -> DocRecord {
        DocRecord {
            doc_id: pd.document.id.clone(),
            pages: pd.document.pages,
            passages: pd.document.passages.len(),
            tags: pd.tags.len(),
            recommendations: pd.counted_recommendations(),
            warnings: pd.document.warnings.iter().map(|w| w.to_string()).collect(),
            themes,
            rows: RowLocation::default(),
        }
    }
}

/// What became of an input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum EntryStatus {
    /// A document of the generation: what it contributed.
    Ok { output: DocRecord },
    /// It could not be processed.
    Failed { stage: Stage, reason: String },
    /// Its content is another file's (`reason` names it).
    Skipped { reason: String },
}

/// One input file as the build saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ManifestEntry {
    /// The input path as walked.
    pub file: String,
    /// Lower-case hex SHA-256 of the file's bytes (`sha256sum` prints the same).
    pub sha256: String,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch: with the size, lets
    /// an unchanged file be recognised without reading it.
    pub mtime_ns: u128,
    #[serde(flatten)]
    pub status: EntryStatus,
}

impl ManifestEntry {
    /// The document record of an entry whose status is ok.
    pub fn output(&self) -> Option<&DocRecord> {
        match &self.status {
            EntryStatus::Ok { output } => Some(output),
            _ => None,
        }
    }
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Manifest {
    pub tool_version: String,
    /// [`EXTRACT_FINGERPRINT`] of the build that wrote the generation.
    pub extract_fingerprint: String,
    /// [`OUTPUT_FINGERPRINT`] of the build that wrote the generation.
    pub output_fingerprint: String,
    /// [`AGGREGATE_FINGERPRINT`] of the build that wrote the generation.
    #[serde(default)]
    pub aggregate_fingerprint: String,
    pub rules_version: String,
    /// The repository's segments, in order.
    pub segments: Vec<SegmentRecord>,
    /// Every input file, in input order.
    pub files: Vec<ManifestEntry>,
}

impl Manifest {
    /// A manifest of this code and `rules_version` (no segments yet).
    pub fn new(rules_version: &str, files: Vec<ManifestEntry>) -> Manifest {
        Manifest {
            tool_version: env!("CARGO_PKG_VERSION").into(),
            extract_fingerprint: EXTRACT_FINGERPRINT.into(),
            output_fingerprint: OUTPUT_FINGERPRINT.into(),
            aggregate_fingerprint: AGGREGATE_FINGERPRINT.into(),
            rules_version: rules_version.into(),
            segments: Vec::new(),
            files,
        }
    }

    /// Entries by input path.
    pub fn by_file(&self) -> BTreeMap<&str, &ManifestEntry> {
        self.files.iter().map(|e| (e.file.as_str(), e)).collect()
    }

    /// The records of the documents, in repository order.
    pub fn documents(&self) -> impl Iterator<Item = &DocRecord> {
        self.files.iter().filter_map(ManifestEntry::output)
    }

    /// True when written by this tool with the same code.
    pub fn same_code(&self) -> bool {
        self.tool_version == env!("CARGO_PKG_VERSION")
            && self.output_fingerprint == OUTPUT_FINGERPRINT
            && self.extract_fingerprint == EXTRACT_FINGERPRINT
    }

    /// Check that the documents' row locations tile the segments exactly:
    /// in each segment, in order, every document's rows start where the
    /// last one's ended, from 0 to the segment's recorded length.
    pub fn check_tiling(&self) -> Result<(), String> {
        let mut seg = 0usize;
        let mut docs = 0u32;
        let mut at: BTreeMap<DocFile, u64> = BTreeMap::new();
        let close = |seg: usize, docs: u32, at: &BTreeMap<DocFile, u64>| {
            let s = self.segments.get(seg).ok_or("a document in no segment")?;
            let whole = DocFile::ALL
                .iter()
                .all(|f| at.get(f).copied().unwrap_or(0) == s.bytes.get(f).copied().unwrap_or(0));
            if s.documents != docs || !whole {
                return Err(format!(
                    "segment {seg} does not hold what its documents say"
                ));
            }
            Ok(())
        };
        for r in self.documents() {
            let s = r.rows.segment as usize;
            if s != seg {
                if s != seg + 1 || docs == 0 {
                    return Err(format!("{}: its segment {s} is out of order", r.doc_id));
                }
                close(seg, docs, &at)?;
                (seg, docs) = (s, 0);
                at.clear();
            }
            for f in DocFile::ALL {
                let range = r.rows.range(f);
                let pos = at.entry(f).or_default();
                if range.offset != *pos {
                    return Err(format!("{}: its rows are not where recorded", r.doc_id));
                }
                *pos += range.length;
            }
            docs += 1;
        }
        if docs > 0 {
            close(seg, docs, &at)?;
            seg += 1;
        }
        if seg != self.segments.len() {
            return Err("segments without documents".into());
        }
        Ok(())
    }
}
