//! The extraction cache: each document's extracted pages by content hash,
//! under `OUT/cache/extract/<fingerprint>/`, so an unchanged file, or a
//! change of rules only, never re-reads a PDF. Each entry starts with the
//! SHA-256 of the JSON after it: a changed byte is a miss, never silent
//! wrong text.

use super::checked::CHECKED;
use super::generation::TMP_PREFIX;
use super::grouping::GROUPING;
use super::manifest::EXTRACT_FINGERPRINT;
use super::{CACHE, StoreError, io_err, write_atomic};
use crate::model::{ExtractedDoc, sha256_hex};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Length of an entry's checksum line (hex SHA-256, then a newline).
const CHECKSUM_HEX: usize = 64;

/// Sub-folder of `OUT/cache` holding extractions.
const EXTRACT: &str = "extract";

/// Extraction results by content hash, under `OUT/cache/extract/<fingerprint>/`.
#[derive(Debug, Clone)]
pub struct ExtractCache {
    dir: PathBuf,
}

impl ExtractCache {
    pub(super) fn new(out: &Path) -> ExtractCache {
        ExtractCache {
            dir: out.join(CACHE).join(EXTRACT).join(EXTRACT_FINGERPRINT),
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
    /// the path it is now found under. A damaged entry (its checksum does
    /// not match, it does not parse, or it is of other content) counts as a
    /// miss, said at -v: the file is extracted again and the entry replaced.
    pub fn get(&self, sha256: &str, file: &str) -> Option<ExtractedDoc> {
        let path = self.path(sha256, file);
        let bytes = std::fs::read(&path).ok()?;
        let damaged = |why: &str| {
            tracing::debug!("{}: {why}; extracting {file} again", path.display());
            None
        };
        let Some((sum, body)) = bytes
            .split_first_chunk::<CHECKSUM_HEX>()
            .and_then(|(sum, rest)| Some((sum, rest.strip_prefix(b"\n")?)))
        else {
            return damaged("no checksum line");
        };
        if sum.as_slice() != sha256_hex(body).as_bytes() {
            return damaged("its checksum does not match its contents");
        }
        let Ok(mut doc) = serde_json::from_slice::<ExtractedDoc>(body) else {
            return damaged("unreadable");
        };
        if doc.sha256 != sha256 {
            return damaged("it is of other content");
        }
        doc.file = file.to_string();
        Some(doc)
    }

    /// Store an extraction (atomically: a killed build leaves no torn
    /// entry), after a line with the SHA-256 of the JSON that follows.
    pub fn put(&self, doc: &ExtractedDoc) -> Result<(), StoreError> {
        let body = serde_json::to_vec(doc).map_err(|e| io_err(&self.dir)(e.into()))?;
        let mut bytes = sha256_hex(&body).into_bytes();
        bytes.push(b'\n');
        bytes.extend(body);
        write_atomic(&self.path(&doc.sha256, &doc.file), &bytes)
    }

    /// Remove entries not in `keep` and caches of other extractor versions.
    /// Anything else in `OUT/cache` is not the cache's: left alone (said at
    /// -v). Housekeeping only: a removal that fails is a warning, never the
    /// build's failure (its outputs are committed by now).
    pub(super) fn prune(&self, out: &Path, keep: &BTreeSet<&str>) {
        remove_stale(
            self.other_versions()
                .into_iter()
                .chain(self.unused(keep))
                .chain(half_written(&self.dir)),
        );
        for path in Self::strangers(out).into_iter().chain(self.unknown()) {
            tracing::debug!(
                "{}: not an extraction cache entry; left alone",
                path.display()
            );
        }
    }

    /// Whether `name` is an entry's name: `<sha256 hex>.<ext>.json`.
    fn is_entry(path: &Path) -> Option<&str> {
        let name = path.file_name()?.to_str()?;
        let (sha, rest) = name.split_once('.')?;
        let ok = !sha.is_empty()
            && sha.bytes().all(|b| b.is_ascii_hexdigit())
            && rest.ends_with(".json")
            && path.is_file();
        ok.then_some(sha)
    }

    fn entries(&self) -> Vec<PathBuf> {
        children(&self.dir)
    }

    /// Entries whose content hash is not in `keep`.
    pub(super) fn unused(&self, keep: &BTreeSet<&str>) -> Vec<PathBuf> {
        self.entries()
            .into_iter()
            .filter(|p| Self::is_entry(p).is_some_and(|sha| !keep.contains(sha)))
            .collect()
    }

    /// What the cache folder holds that is not an entry (a folder, a file
    /// someone put there).
    pub(super) fn unknown(&self) -> Vec<PathBuf> {
        self.entries()
            .into_iter()
            .filter(|p| Self::is_entry(p).is_none())
            .collect()
    }

    /// Folders of other extractor versions beside this one's.
    pub(super) fn other_versions(&self) -> Vec<PathBuf> {
        beside(&self.dir)
    }

    /// What `OUT/cache` holds that is neither the extraction cache nor
    /// the grouping cache.
    pub(super) fn strangers(out: &Path) -> Vec<PathBuf> {
        children(&out.join(CACHE))
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .is_none_or(|n| n != EXTRACT && n != GROUPING && n != CHECKED)
            })
            .collect()
    }
}

/// What folder `dir` holds, sorted (nothing when it cannot be read).
pub(super) fn children(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

/// Files a build killed while writing an entry left in cache folder `dir`
/// (`write_atomic`'s temporary files).
pub(super) fn half_written(dir: &Path) -> Vec<PathBuf> {
    children(dir)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(TMP_PREFIX))
                && p.is_file()
        })
        .collect()
}

/// What the folder above `dir` holds beside it: a cache's other versions.
pub(super) fn beside(dir: &Path) -> Vec<PathBuf> {
    dir.parent()
        .map(children)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p != dir)
        .collect()
}

/// Remove stale cache entries and folders. Housekeeping only: a removal
/// that fails is a warning.
pub(super) fn remove_stale(paths: impl IntoIterator<Item = PathBuf>) {
    for path in paths {
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        if let Err(e) = removed {
            tracing::warn!(
                "cannot remove the stale cache entry {}: {e}",
                path.display()
            );
        }
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
        let keep = ["bb"].into_iter().collect();
        assert_eq!(c.unused(&keep).len(), 1);
        c.prune(tmp.path(), &keep);
        assert!(c.get("aa", "a.txt").is_none());
        assert!(c.get("bb", "a.txt").is_some());
        assert!(c.unused(&keep).is_empty());
    }

    #[test]
    fn a_damaged_entry_is_a_miss() {
        let tmp = tempfile::tempdir().unwrap();
        let c = ExtractCache::new(tmp.path());
        c.put(&doc("aa")).unwrap();
        std::fs::write(c.path("aa", "a.txt"), b"{ torn").unwrap();
        assert!(c.get("aa", "a.txt").is_none());
        // One byte changed in a well-formed entry: still a miss.
        let mut d = doc("bb");
        d.warnings.push(crate::model::Warning {
            page: None,
            message: "fictional text".into(),
        });
        c.put(&d).unwrap();
        assert_eq!(c.get("bb", "a.txt"), Some(d));
        let path = c.path("bb", "a.txt");
        let bytes = std::fs::read(&path).unwrap();
        let flipped = String::from_utf8(bytes)
            .unwrap()
            .replace("fictional", "factional");
        std::fs::write(&path, flipped).unwrap();
        assert!(
            c.get("bb", "a.txt").is_none(),
            "a changed byte is never silent wrong text"
        );
    }
}
