//! What a generation's files looked like when they were last known to be
//! as the build that wrote them left them (`OUT/cache/checked/<generation>.json`):
//! for each repository segment and index file, its size, modification
//! and change times, inode and device. The next build checks the last
//! generation before carrying its documents over; a file whose stamp is
//! the same has not been written, replaced, truncated, or had its times
//! set since, and is not read again (gigabytes at the scale of England and
//! Wales); every other file is read against its checksum. As git does for
//! a work tree, a file modified within [`RACY_NS`] of being stamped gets
//! no stamp (a write in the same tick of the file system's clock would
//! leave its times as they were).
//!
//! A cache: losing it costs one build reading every file.

use super::cache::{children, remove_stale};
use super::{CACHE, write_atomic};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The cache folder of stamps, under `OUT/cache/`.
pub(super) const CHECKED: &str = "checked";

/// A file modified less than this long before it was stamped gets no
/// stamp.
const RACY_NS: i128 = 2_000_000_000;

/// A file's stamp (Unix metadata: elsewhere there are none, and every
/// file is read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct Stamp {
    bytes: u64,
    modified_ns: i128,
    changed_ns: i128,
    inode: u64,
    device: u64,
}

impl Stamp {
    #[cfg(unix)]
    fn of(path: &Path) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        Some(Stamp {
            bytes: m.len(),
            modified_ns: ns(m.mtime(), m.mtime_nsec()),
            changed_ns: ns(m.ctime(), m.ctime_nsec()),
            inode: m.ino(),
            device: m.dev(),
        })
    }

    #[cfg(not(unix))]
    fn of(_: &Path) -> Option<Stamp> {
        None
    }
}

/// The stamps of one generation's files, by path inside the generation.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct Checked {
    files: BTreeMap<String, Stamp>,
}

impl Checked {
    /// The stamps recorded for `generation` of the output folder `out`
    /// (none when missing or unreadable: every file is read).
    pub(super) fn load(out: &Path, generation: &str) -> Checked {
        std::fs::read(path(out, generation))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Whether the file `name` of the generation in `dir` is as it was
    /// when stamped.
    pub(super) fn unchanged(&self, dir: &Path, name: &str) -> bool {
        self.files
            .get(name)
            .is_some_and(|s| Stamp::of(&dir.join(name)).as_ref() == Some(s))
    }

    /// Stamp `names` (files of the generation in `dir`, known good now)
    /// and keep the stamps as `generation`'s, the only ones kept.
    /// Housekeeping: a failure is a warning (the next build reads every
    /// file).
    pub(super) fn record(
        out: &Path,
        generation: &str,
        dir: &Path,
        names: impl IntoIterator<Item = String>,
    ) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        let files = names
            .into_iter()
            .filter_map(|n| {
                let s = Stamp::of(&dir.join(&n))?;
                (s.modified_ns + RACY_NS < now).then_some((n, s))
            })
            .collect();
        let bytes = serde_json::to_vec(&Checked { files }).expect("stamps serialise");
        let keep = path(out, generation);
        if let Err(e) = write_atomic(&keep, &bytes) {
            tracing::warn!(
                "cannot keep what this build checked ({e}); the next build reads every file again"
            );
        }
        remove_stale(children(&folder(out)).into_iter().filter(|p| p != &keep));
    }

    /// What `OUT/cache/checked/` holds beside the stamps of `generation`
    /// (stamps of generations gone, files a killed build half wrote).
    pub(super) fn unused(out: &Path, generation: Option<&str>) -> Vec<PathBuf> {
        let keep = generation.map(|g| path(out, g));
        children(&folder(out))
            .into_iter()
            .filter(|p| Some(p) != keep.as_ref())
            .collect()
    }
}

fn folder(out: &Path) -> PathBuf {
    out.join(CACHE).join(CHECKED)
}

fn path(out: &Path, generation: &str) -> PathBuf {
    folder(out).join(format!("{generation}.json"))
}
