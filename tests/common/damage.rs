//! Damage to an output folder, as a failing disk, a stray editor or a
//! careless copy would do it: one byte flipped in a file of each kind the
//! next build relies on, and a published name removed. Files are rewritten
//! through a new inode, since generations share files by hard links.

use std::path::{Path, PathBuf};

/// One kind of damage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// A byte in the middle of the largest index segment file.
    IndexSegment,
    /// A byte in the middle of the first repository segment of documents.
    RepositoryRow,
    /// A byte in the middle of the manifest.
    Manifest,
    /// A byte in the middle of an extraction cache entry.
    CacheEntry,
    /// `OUT/report.json` (a link into the current generation) removed.
    PublishedLink,
}

impl Damage {
    pub const ALL: [Damage; 5] = [
        Damage::IndexSegment,
        Damage::RepositoryRow,
        Damage::Manifest,
        Damage::CacheEntry,
        Damage::PublishedLink,
    ];

    /// Do it to the output folder `out`.
    pub fn apply(self, out: &Path) {
        match self {
            Damage::IndexSegment => flip_middle(&largest_index_file(out)),
            Damage::RepositoryRow => {
                flip_middle(&resolve(&out.join("repository/documents/000000.jsonl")))
            }
            Damage::Manifest => flip_middle(&resolve(&out.join("manifest.json"))),
            // A build killed between creating the cache's folder and
            // writing its first entry leaves nothing to damage.
            Damage::CacheEntry => {
                if let Some(entry) = first_cache_entry(out) {
                    flip_middle(&entry);
                }
            }
            Damage::PublishedLink => std::fs::remove_file(out.join("report.json")).unwrap(),
        }
    }
}

fn resolve(p: &Path) -> PathBuf {
    p.canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Flip the lowest bit of the byte in the middle of `path` (an ASCII byte
/// stays ASCII), through a new inode.
pub fn flip_middle(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    assert!(!bytes.is_empty(), "{} is empty", path.display());
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::remove_file(path).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn largest_index_file(out: &Path) -> PathBuf {
    let search = resolve(&out.join("search"));
    std::fs::read_dir(&search)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            !name.ends_with(".json") && !name.ends_with(".lock") && !name.starts_with('.')
        })
        .max_by_key(|p| (std::fs::metadata(p).unwrap().len(), p.clone()))
        .expect("an index segment file")
}

fn first_cache_entry(out: &Path) -> Option<PathBuf> {
    let mut entries: Vec<PathBuf> = walk(&out.join("cache"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    entries.sort();
    entries.into_iter().next()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            v.extend(walk(&p));
        } else {
            v.push(p);
        }
    }
    v
}
