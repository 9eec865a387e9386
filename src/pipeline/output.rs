//! The output folder: one build at a time (a lock), and generations swapped
//! in atomically so that a killed build never leaves a half-written index or
//! repository where readers look.
//!
//! ```text
//! OUT/.ystorfa.lock          held by the running build (released by the OS if it dies)
//! OUT/.gen/<id>/             one complete generation: search/ repository/ report.json manifest.json vocabulary.json
//! OUT/current -> .gen/<id>   the last good generation; flipped with one rename
//! OUT/search -> current/search, OUT/repository -> current/repository,
//! OUT/report.json, OUT/manifest.json -> current/...   fixed links, made once
//! OUT/cache/extract/         cached extraction results by content hash
//! ```
//!
//! A new generation is written completely (and synced) beside the current
//! one; then a symlink to it is renamed over `OUT/current`, which readers
//! see either before or after, never half-way. Generations that are not
//! current (older ones, or one a killed build left behind) are removed at
//! the end of the next successful build.

use super::BuildError;
use std::path::{Path, PathBuf};

/// The names readers use, each a link into `current`.
pub const PUBLIC_NAMES: [&str; 4] = ["search", "repository", "report.json", "manifest.json"];

pub(super) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// An exclusive lock on an output folder, held for the whole build and
/// released when dropped, or by the operating system when the process dies
/// (so a killed build never leaves a stale lock behind).
#[derive(Debug)]
pub struct OutputLock {
    _file: std::fs::File,
}

impl OutputLock {
    /// Take the lock on `out` (created if missing), or fail at once with
    /// [`BuildError::Locked`] when another build holds it.
    pub fn acquire(out: &Path) -> Result<OutputLock, BuildError> {
        std::fs::create_dir_all(out).map_err(io_err(out))?;
        let path = out.join(".ystorfa.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(OutputLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(BuildError::Locked(out.display().to_string()))
            }
            Err(std::fs::TryLockError::Error(e)) => Err(io_err(&path)(e)),
        }
    }
}

/// Write `bytes` to `path` through a temporary file in the same folder,
/// synced and renamed into place: readers see the old or the new file whole.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(dir))?;
    tmp.write_all(bytes).map_err(io_err(path))?;
    tmp.as_file().sync_all().map_err(io_err(path))?;
    tmp.persist(path).map_err(|e| io_err(path)(e.error))?;
    Ok(())
}

/// A generation being written.
#[derive(Debug)]
pub struct Generation {
    pub dir: PathBuf,
    id: String,
}

impl Generation {
    /// A new, empty generation folder under `OUT/.gen/`.
    pub fn create(out: &Path) -> Result<Generation, BuildError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let id = format!("{nanos}-{}", std::process::id());
        let dir = out.join(".gen").join(&id);
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        Ok(Generation { dir, id })
    }

    /// Make this generation the current one: sync it, then rename a link to
    /// it over `OUT/current` (atomic), and make sure the public names link
    /// through `current`.
    pub fn commit(self, out: &Path) -> Result<(), BuildError> {
        sync_tree(&self.dir)?;
        let tmp_link = out.join(format!(".current-{}", self.id));
        let target = Path::new(".gen").join(&self.id);
        let _ = std::fs::remove_file(&tmp_link);
        symlink(&target, &tmp_link)?;
        let current = out.join("current");
        std::fs::rename(&tmp_link, &current).map_err(io_err(&current))?;
        for name in PUBLIC_NAMES {
            ensure_public_link(out, name)?;
        }
        sync_dir(out);
        tracing::debug!("{} now points to .gen/{}", current.display(), self.id);
        Ok(())
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> Result<(), BuildError> {
    std::os::unix::fs::symlink(target, link).map_err(io_err(link))
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> Result<(), BuildError> {
    let _ = target;
    Err(io_err(link)(std::io::Error::other(
        "ystorfa's output folder needs symbolic links (Linux, macOS)",
    )))
}

/// `OUT/<name>` must be a link to `current/<name>`. An older layout's real
/// file or folder there is replaced.
fn ensure_public_link(out: &Path, name: &str) -> Result<(), BuildError> {
    let link = out.join(name);
    let want = Path::new("current").join(name);
    match std::fs::symlink_metadata(&link) {
        Ok(m) if m.file_type().is_symlink() => {
            if std::fs::read_link(&link).ok().as_deref() == Some(want.as_path()) {
                return Ok(());
            }
            std::fs::remove_file(&link).map_err(io_err(&link))?;
        }
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(&link).map_err(io_err(&link))?,
        Ok(_) => std::fs::remove_file(&link).map_err(io_err(&link))?,
        Err(_) => {}
    }
    // Made under a temporary name and renamed, so the name is never missing
    // for a reader once it has existed.
    let tmp = out.join(format!(".{name}-link-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    symlink(&want, &tmp)?;
    std::fs::rename(&tmp, &link).map_err(io_err(&link))
}

/// The generation `OUT/current` points to, if any.
pub fn current_generation(out: &Path) -> Option<PathBuf> {
    let target = std::fs::read_link(out.join("current")).ok()?;
    let dir = out.join(target);
    dir.is_dir().then_some(dir)
}

/// Remove every generation but the current one, and leftovers of killed
/// builds (temporary links, the staging folders of older versions).
pub fn remove_stale(out: &Path) -> Result<(), BuildError> {
    let current = current_generation(out).and_then(|p| p.file_name().map(|n| n.to_owned()));
    let gens = out.join(".gen");
    if let Ok(rd) = std::fs::read_dir(&gens) {
        for e in rd.flatten() {
            if Some(e.file_name()) != current {
                std::fs::remove_dir_all(e.path()).map_err(io_err(&e.path()))?;
            }
        }
    }
    if let Ok(rd) = std::fs::read_dir(out) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let stale = name.starts_with(".current-")
                || name.starts_with(".staging-")
                || (name.starts_with('.') && name.contains("-link-"));
            if stale {
                let p = e.path();
                if p.is_dir() && !p.is_symlink() {
                    std::fs::remove_dir_all(&p).map_err(io_err(&p))?;
                } else {
                    std::fs::remove_file(&p).map_err(io_err(&p))?;
                }
            }
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    // Best effort: not every platform can open a folder to sync it.
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// fsync every file and folder of a finished generation before it becomes
/// current, so a power cut cannot leave `current` pointing at empty files.
fn sync_tree(dir: &Path) -> Result<(), BuildError> {
    for e in walkdir::WalkDir::new(dir) {
        let e = e.map_err(|e| io_err(dir)(std::io::Error::other(e)))?;
        if e.file_type().is_file() {
            let f = std::fs::File::open(e.path()).map_err(io_err(e.path()))?;
            f.sync_all().map_err(io_err(e.path()))?;
        } else if e.file_type().is_dir() {
            sync_dir(e.path());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_build_holds_an_output_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let first = OutputLock::acquire(tmp.path()).unwrap();
        let err = OutputLock::acquire(tmp.path()).unwrap_err();
        assert!(matches!(err, BuildError::Locked(_)), "{err}");
        assert!(err.to_string().contains("another ystorfa build"));
        drop(first);
        OutputLock::acquire(tmp.path()).expect("released when dropped");
    }

    fn write_gen(out: &Path, text: &str) -> Generation {
        let g = Generation::create(out).unwrap();
        for name in PUBLIC_NAMES {
            if name.ends_with(".json") {
                write_atomic(&g.dir.join(name), text.as_bytes()).unwrap();
            } else {
                write_atomic(&g.dir.join(name).join("x.txt"), text.as_bytes()).unwrap();
            }
        }
        g
    }

    #[test]
    fn a_committed_generation_is_what_readers_see_and_old_ones_go() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        write_gen(out, "one").commit(out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("repository/x.txt")).unwrap(),
            "one"
        );
        // A generation written but never committed (a killed build) is invisible.
        let _killed = write_gen(out, "half");
        assert_eq!(
            std::fs::read_to_string(out.join("report.json")).unwrap(),
            "one"
        );
        write_gen(out, "two").commit(out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("search/x.txt")).unwrap(),
            "two"
        );
        remove_stale(out).unwrap();
        assert_eq!(std::fs::read_dir(out.join(".gen")).unwrap().count(), 1);
        assert_eq!(
            std::fs::read_to_string(out.join("manifest.json")).unwrap(),
            "two"
        );
    }

    #[test]
    fn an_older_layout_with_real_folders_is_replaced_by_links() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        std::fs::create_dir_all(out.join("repository")).unwrap();
        std::fs::write(out.join("repository/old.jsonl"), "old").unwrap();
        std::fs::write(out.join("report.json"), "old").unwrap();
        write_gen(out, "new").commit(out).unwrap();
        assert!(out.join("repository").is_symlink());
        assert!(!out.join("repository/old.jsonl").exists());
        assert_eq!(
            std::fs::read_to_string(out.join("report.json")).unwrap(),
            "new"
        );
    }
}
