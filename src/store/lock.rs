//! The build lock: one build at a time writes to an output folder. Only
//! its holder can begin a generation, keep the current one, use the
//! extraction cache or log a run.

use super::generation::GenerationWriter;
use super::{
    ExtractCache, LOCK, MANIFEST, REPORT, RUNS, Reader, RunRecord, STARTED, StoreError, VOCABULARY,
    gc, io_err, pretty, write_atomic,
};
use super::{Manifest, Report};
use crate::export::Vocabulary;
use std::path::{Path, PathBuf};

/// An exclusive lock on an output folder, held for the whole build and
/// released when dropped, or by the operating system when the process dies
/// (so a killed build never leaves a stale lock behind).
#[derive(Debug)]
pub struct BuildLock {
    out: PathBuf,
    _file: std::fs::File,
}

impl BuildLock {
    /// Take the lock on `out` (created if missing), or fail at once with
    /// [`StoreError::Locked`] when another build holds it.
    pub fn acquire(out: &Path) -> Result<BuildLock, StoreError> {
        std::fs::create_dir_all(out).map_err(io_err(out))?;
        let path = out.join(LOCK);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(BuildLock {
                out: out.to_path_buf(),
                _file: file,
            }),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(StoreError::Locked(out.display().to_string()))
            }
            Err(std::fs::TryLockError::Error(e)) => Err(io_err(&path)(e)),
        }
    }

    /// The output folder.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// The last good generation, if there is one.
    pub fn last(&self) -> Option<Reader> {
        Reader::open(&self.out).ok()
    }

    /// The extraction cache.
    pub fn cache(&self) -> ExtractCache {
        ExtractCache::new(&self.out)
    }

    /// Mark this build's start (file system time); the mark goes into the
    /// generation this build commits ([`Reader::started_ns`]).
    pub fn mark_start(&self) -> Result<(), StoreError> {
        write_atomic(&self.out.join(STARTED), b"")
    }

    /// Begin a new generation; `previous` is the generation carried
    /// documents are taken from, with its manifest.
    pub fn begin(
        &self,
        previous: Option<(&Reader, &Manifest)>,
    ) -> Result<GenerationWriter<'_>, StoreError> {
        GenerationWriter::create(self, previous)
    }

    /// Keep the current generation when it already holds exactly this
    /// report, manifest (its segments included) and vocabulary: then
    /// nothing is written but the leftovers of killed builds are removed.
    /// False when something differs (a new generation is needed).
    pub fn keep(
        &self,
        current: &Reader,
        report: &Report,
        manifest: &Manifest,
        vocabulary: &Vocabulary,
    ) -> Result<bool, StoreError> {
        let same = |name: &str, bytes: &[u8]| current.read_raw(name).ok().as_deref() == Some(bytes);
        let kept = same(MANIFEST, &pretty(manifest))
            && same(REPORT, &pretty(report))
            && same(VOCABULARY, &vocabulary.to_bytes())
            && current.layout_intact();
        if kept {
            // A public name someone removed is put back; the generation
            // behind it is whole.
            for name in super::PUBLIC_NAMES {
                super::generation::ensure_public_link(&self.out, name)?;
            }
            let _ = std::fs::remove_file(self.out.join(STARTED));
            gc::sweep(&self.out);
            // What a killed build cached for inputs since put back.
            self.prune_caches(manifest);
            // Checked by this build before it began, and swept around
            // since (a killed build's links change the files' times).
            current.record_checked(manifest);
        }
        Ok(kept)
    }

    /// Remove what failed and killed builds left behind (generations
    /// never made current, temporary links) and generations no reader
    /// holds any more, before this build writes.
    pub fn sweep(&self) {
        gc::sweep(&self.out);
    }

    /// Remove what no generation uses: generations that are neither
    /// current nor held by a reader (drop this build's own [`Reader`] of
    /// the last generation first), leftovers of killed builds, and cache
    /// entries of files not in `manifest` (the current generation's).
    pub fn collect(&self, manifest: &Manifest) -> Result<(), StoreError> {
        gc::sweep(&self.out);
        self.prune_caches(manifest);
        Ok(())
    }

    /// Stamp the files of the current generation (described by
    /// `manifest`, just committed, with the last generation removed) as
    /// they are now, so that the next build does not read again those it
    /// finds unchanged. Call it last: removing a generation changes the
    /// times of the files it shared.
    pub fn stamp_current(&self, manifest: &Manifest) {
        if let Some(current) = self.last() {
            current.record_checked(manifest);
        }
    }

    /// Remove cache entries that `manifest` (the current generation's)
    /// does not use, caches of other code, and entries killed builds left
    /// half written.
    fn prune_caches(&self, manifest: &Manifest) {
        let keep = manifest
            .files
            .iter()
            .filter(|e| !matches!(e.status, super::EntryStatus::Failed { .. }))
            .map(|e| e.sha256.as_str())
            .collect();
        self.cache().prune(&self.out, &keep);
        super::GroupingCache::new(&self.out, &manifest.rules_version)
            .prune(&super::gc::recommendation_segments(manifest));
    }

    /// Append one line to `OUT/runs.jsonl` (best effort: the log of runs
    /// is for people, a build does not fail for it).
    pub fn append_run(&self, run: &RunRecord) {
        use std::io::Write;
        let Ok(line) = serde_json::to_string(run) else {
            return;
        };
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.out.join(RUNS))
        {
            let _ = writeln!(f, "{line}");
        }
    }
}
