//! What the last build saw, and what it can reuse: the manifest records each
//! input file by content hash (SHA-256) with the rule-set and tool versions;
//! the extraction cache keeps each document's extracted pages by content
//! hash, so an unchanged file, or a change of rules only, never re-reads a PDF.

use super::output::{io_err, write_atomic};
use super::{BuildError, Stage};
use crate::model::ExtractedDoc;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Identifies the extractor's code: cached results from other code are not reused.
pub const EXTRACT_FINGERPRINT: &str = env!("YSTORFA_EXTRACT_FINGERPRINT");

/// Identifies the code of every stage that shapes the index and the
/// repository (and the dependencies' versions): a document's output is
/// carried over from the last build only when that build ran the same code.
pub const OUTPUT_FINGERPRINT: &str = env!("YSTORFA_OUTPUT_FINGERPRINT");

/// What one document contributed to the generation that recorded it: the
/// figures the summary and `report.json` need, its themes (for
/// `themes.jsonl`), and where its rows are in the repository files, so an
/// unchanged document is carried into the next generation without being
/// segmented, tagged, indexed or rendered again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocRecord {
    pub doc_id: String,
    pub pages: u32,
    pub passages: usize,
    pub tags: usize,
    pub recommendations: usize,
    pub warnings: Vec<String>,
    /// Sorted, without repeats, as in `documents.jsonl`.
    pub themes: Vec<String>,
    /// `[offset, length]` in bytes of the document's rows in
    /// `documents.jsonl`, `passages.jsonl`, `recommendations.jsonl` and
    /// `tags.jsonl`.
    pub rows: [[u64; 2]; crate::export::DOC_FILES],
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
            rows: Default::default(),
        }
    }
}

/// One input file as the last build saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// The input path as walked.
    pub file: String,
    /// Lower-case hex SHA-256 of the file's bytes (`sha256sum` prints the same).
    pub sha256: String,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch: with the size, lets
    /// an unchanged file be recognised without reading it.
    pub mtime_ns: u128,
    /// "ok", "failed" or "skipped".
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a document in the generation ("ok"): what it contributed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<DocRecord>,
}

/// `OUT/manifest.json`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub tool_version: String,
    pub extract_fingerprint: String,
    /// [`OUTPUT_FINGERPRINT`] of the build that wrote the generation.
    #[serde(default)]
    pub output_fingerprint: String,
    pub rules_version: String,
    pub files: Vec<ManifestEntry>,
}

impl Manifest {
    /// The manifest of the current generation, or an empty one (first build,
    /// or an unreadable manifest: then everything is simply rebuilt).
    pub fn load(out: &Path) -> Manifest {
        std::fs::read(out.join("manifest.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub fn by_file(&self) -> BTreeMap<&str, &ManifestEntry> {
        self.files.iter().map(|e| (e.file.as_str(), e)).collect()
    }
}

/// Size and modification time of a file, to compare with the manifest.
pub fn stat(path: &Path) -> std::io::Result<(u64, u128)> {
    let m = std::fs::metadata(path)?;
    let mtime = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok((m.len(), mtime))
}

/// Extraction results by content hash, under `OUT/cache/extract/<fingerprint>/`.
#[derive(Debug, Clone)]
pub struct ExtractCache {
    dir: PathBuf,
}

impl ExtractCache {
    pub fn new(out: &Path) -> ExtractCache {
        ExtractCache {
            dir: out.join("cache").join("extract").join(EXTRACT_FINGERPRINT),
        }
    }

    /// The entry of content `sha256` found under the name `file`: the
    /// extension is part of the key, since it decides how the bytes are read
    /// (the same bytes as `.md` and as `.txt` are different documents).
    fn path(&self, sha256: &str, file: &str) -> PathBuf {
        let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
        let ext: String = match name.rsplit_once('.') {
            Some((_, e)) => e
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(12)
                .collect::<String>()
                .to_ascii_lowercase(),
            None => String::new(),
        };
        let ext = if ext.is_empty() { "none".into() } else { ext };
        self.dir.join(format!("{sha256}.{ext}.json"))
    }

    /// The cached extraction of the file with this hash, with `file` set to
    /// the path it is now found under. A damaged entry counts as a miss.
    pub fn get(&self, sha256: &str, file: &str) -> Option<ExtractedDoc> {
        let bytes = std::fs::read(self.path(sha256, file)).ok()?;
        let mut doc: ExtractedDoc = serde_json::from_slice(&bytes).ok()?;
        if doc.sha256 != sha256 {
            return None;
        }
        doc.file = file.to_string();
        Some(doc)
    }

    /// Store an extraction (atomically: a killed build leaves no torn entry).
    pub fn put(&self, doc: &ExtractedDoc) -> Result<(), BuildError> {
        let bytes = serde_json::to_vec(doc).map_err(|e| io_err(&self.dir)(e.into()))?;
        write_atomic(&self.path(&doc.sha256, &doc.file), &bytes)
    }

    /// Remove entries not in `keep`, and caches of other extractor versions.
    pub fn prune(&self, keep: &std::collections::BTreeSet<String>) -> Result<(), BuildError> {
        if let Some(parent) = self.dir.parent()
            && let Ok(rd) = std::fs::read_dir(parent)
        {
            for e in rd.flatten() {
                if e.path() != self.dir {
                    std::fs::remove_dir_all(e.path()).map_err(io_err(&e.path()))?;
                }
            }
        }
        if let Ok(rd) = std::fs::read_dir(&self.dir) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                let sha = name.split('.').next().unwrap_or(&name);
                if !keep.contains(sha) {
                    std::fs::remove_file(e.path()).map_err(io_err(&e.path()))?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SourceFormat, SourceMeta};

    fn doc(sha: &str) -> ExtractedDoc {
        ExtractedDoc {
            file: "a.txt".into(),
            sha256: sha.into(),
            format: SourceFormat::Text,
            meta: SourceMeta::default(),
            pages: vec![],
            warnings: vec![],
        }
    }

    #[test]
    fn cache_round_trip_renames_and_prunes() {
        let tmp = tempfile::tempdir().unwrap();
        let c = ExtractCache::new(tmp.path());
        c.put(&doc("aa")).unwrap();
        c.put(&doc("bb")).unwrap();
        assert_eq!(c.get("aa", "moved/a.txt").unwrap().file, "moved/a.txt");
        // Another extension is another way of reading the bytes: a miss.
        assert!(c.get("aa", "a.md").is_none());
        assert!(c.get("cc", "x").is_none());
        c.prune(&["bb".to_string()].into_iter().collect()).unwrap();
        assert!(c.get("aa", "a.txt").is_none());
        assert!(c.get("bb", "a.txt").is_some());
    }

    #[test]
    fn a_damaged_entry_is_a_miss() {
        let tmp = tempfile::tempdir().unwrap();
        let c = ExtractCache::new(tmp.path());
        c.put(&doc("aa")).unwrap();
        std::fs::write(c.path("aa", "a.txt"), b"{ torn").unwrap();
        assert!(c.get("aa", "a.txt").is_none());
    }
}
