//! Writing a generation and making it current: documents' rows pushed in
//! repository order into segments (rendered now, or carried over from the
//! last generation), then the report, manifest and vocabulary, the index's
//! unused files removed, everything synced, and one atomic rename of a link
//! over `OUT/current`.

use super::codec::EncodedRows;
use super::segments::SegmentWriter;
use super::{
    Aggregates, BuildLock, CURRENT, DocFile, GENERATIONS, MANIFEST, MANIFEST_SUM, Manifest, PIN,
    PUBLIC_NAMES, RECOMMENDATION_GROUPS_FILE, REPORT, REPOSITORY, Reader, Report, RowLocation,
    SEARCH, STARTED, StoreError, THEMES_FILE, VOCABULARY, gc, io_err, pretty,
};
use crate::export::Vocabulary;
use std::path::{Path, PathBuf};

/// Where a pushed document's rows come from.
#[derive(Debug, Clone, Copy)]
pub enum RowSource<'a> {
    /// Rendered in this build (and encoded: [`EncodedRows::encode`]).
    Rendered(&'a EncodedRows),
    /// Carried over: where its rows are in the generation the writer was
    /// begun from.
    Carried(&'a RowLocation),
}

impl RowSource<'_> {
    /// Length of the document's rows in `file`.
    pub(super) fn len(&self, file: DocFile) -> u64 {
        match self {
            RowSource::Rendered(r) => r.get(file).len() as u64,
            RowSource::Carried(loc) => loc.range(file).length,
        }
    }
}

/// A generation being written. Dropped without [`commit`](Self::commit)
/// (an error, a panic), it removes what it wrote; killed, it leaves a
/// folder no reader sees, removed by the next build.
#[derive(Debug)]
pub struct GenerationWriter<'l> {
    lock: &'l BuildLock,
    dir: PathBuf,
    id: String,
    rows: SegmentWriter,
    /// The segments written, once the rows are finished.
    segments: Option<Vec<super::SegmentRecord>>,
    committed: bool,
}

impl<'l> GenerationWriter<'l> {
    pub(super) fn create(
        lock: &'l BuildLock,
        previous: Option<(&Reader, &Manifest)>,
    ) -> Result<GenerationWriter<'l>, StoreError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let id = format!("{nanos}-{}", std::process::id());
        let dir = lock.out().join(GENERATIONS).join(&id);
        for d in [dir.join(SEARCH), dir.join(REPOSITORY)] {
            std::fs::create_dir_all(&d).map_err(io_err(&d))?;
        }
        let pin = dir.join(PIN);
        std::fs::write(&pin, b"").map_err(io_err(&pin))?;
        let rows = SegmentWriter::new(&dir.join(REPOSITORY), previous)?;
        Ok(GenerationWriter {
            lock,
            dir,
            id,
            rows,
            segments: None,
            committed: false,
        })
    }

    /// The folder the search index is written into.
    pub fn search_dir(&self) -> PathBuf {
        self.dir.join(SEARCH)
    }

    /// Add the next document's rows (documents come in repository order);
    /// returns where they are in this generation.
    pub fn push(&mut self, doc_id: &str, rows: RowSource<'_>) -> Result<RowLocation, StoreError> {
        assert!(
            self.segments.is_none(),
            "a document pushed after the rows were read back"
        );
        self.rows.push(doc_id, rows)
    }

    /// Every row of table `file` written so far, in repository order (for
    /// the tables aggregated over documents). No document can be pushed
    /// after this.
    pub fn rows(&mut self, file: DocFile) -> Result<super::RowLines, StoreError> {
        self.finish_rows()?;
        super::reader::table_lines(&self.dir.join(REPOSITORY), file)
    }

    /// The segment files of table `file` written, in order, with their
    /// SHA-256. No document can be pushed after this.
    pub fn segment_files(&mut self, file: DocFile) -> Result<Vec<super::SegmentFile>, StoreError> {
        let repo = self.dir.join(REPOSITORY);
        Ok(super::reader::segment_files(
            &repo,
            file,
            self.finish_rows()?,
        ))
    }

    /// The grouping cache of the build's code under rule set
    /// `rules_version`.
    pub fn grouping_cache(&self, rules_version: &str) -> super::GroupingCache {
        super::GroupingCache::new(self.lock.out(), rules_version)
    }

    fn finish_rows(&mut self) -> Result<&[super::SegmentRecord], StoreError> {
        if self.segments.is_none() {
            self.segments = Some(self.rows.finish()?);
        }
        Ok(self.segments.as_deref().unwrap_or_default())
    }

    /// Finish the generation and make it current: the last segment, the
    /// aggregated tables, the report, the manifest (its segments filled in here)
    /// and the vocabulary are written; the index's unused files removed;
    /// everything synced; then `OUT/current` is switched to it. Returns the
    /// manifest written. What no generation uses any more is removed by
    /// [`BuildLock::collect`], once the build has let go of the last
    /// generation.
    pub fn commit(
        mut self,
        report: &Report,
        mut manifest: Manifest,
        vocabulary: &Vocabulary,
        aggregates: Aggregates,
    ) -> Result<Manifest, StoreError> {
        manifest.segments = match self.segments.take() {
            Some(s) => s,
            None => self.rows.finish()?,
        };
        let manifest_bytes = pretty(&manifest);
        let repo = self.dir.join(REPOSITORY);
        let files: [(PathBuf, Vec<u8>); 6] = [
            (repo.join(THEMES_FILE), aggregates.themes),
            (
                repo.join(RECOMMENDATION_GROUPS_FILE),
                aggregates.recommendation_groups,
            ),
            (self.dir.join(REPORT), pretty(report)),
            (
                self.dir.join(MANIFEST_SUM),
                manifest_sum_line(&manifest_bytes),
            ),
            (self.dir.join(MANIFEST), manifest_bytes),
            (self.dir.join(VOCABULARY), vocabulary.to_bytes()),
        ];
        for (path, bytes) in &files {
            std::fs::write(path, bytes).map_err(io_err(path))?;
        }
        let out = self.lock.out();
        let mark = out.join(STARTED);
        if mark.exists() {
            std::fs::rename(&mark, self.dir.join(STARTED)).map_err(io_err(&mark))?;
        }
        gc::prune_search(&self.dir.join(SEARCH))?;
        sync_tree(&self.dir)?;
        self.switch()?;
        self.committed = true;
        Ok(manifest)
    }

    /// Rename a link to this generation over `OUT/current` (atomic), and
    /// make sure the public names link through `current`.
    fn switch(&self) -> Result<(), StoreError> {
        let out = self.lock.out();
        let tmp_link = out.join(format!(".{CURRENT}-{}", self.id));
        let target = Path::new(GENERATIONS).join(&self.id);
        let _ = std::fs::remove_file(&tmp_link);
        symlink(&target, &tmp_link)?;
        let current = out.join(CURRENT);
        std::fs::rename(&tmp_link, &current).map_err(io_err(&current))?;
        for name in PUBLIC_NAMES {
            ensure_public_link(out, name)?;
        }
        sync_dir(out);
        tracing::debug!("{} now points to {}", current.display(), target.display());
        Ok(())
    }
}

impl Drop for GenerationWriter<'_> {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The line of `manifest.json.sha256` for a manifest's bytes, as
/// `sha256sum` writes it.
pub(super) fn manifest_sum_line(manifest: &[u8]) -> Vec<u8> {
    let sum = crate::model::sha256_hex_of(manifest).unwrap_or_default();
    format!("{sum}  {MANIFEST}\n").into_bytes()
}

/// How the temporary files of [`write_atomic`] begin: one a killed build
/// left behind is known by it.
pub(super) const TMP_PREFIX: &str = ".tmp";

/// Write `bytes` to `path` through a temporary file in the same folder,
/// synced and renamed into place: readers see the old or the new file whole.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .tempfile_in(dir)
        .map_err(io_err(dir))?;
    tmp.write_all(bytes).map_err(io_err(path))?;
    tmp.as_file().sync_all().map_err(io_err(path))?;
    tmp.persist(path).map_err(|e| io_err(path)(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> Result<(), StoreError> {
    std::os::unix::fs::symlink(target, link).map_err(io_err(link))
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> Result<(), StoreError> {
    let _ = target;
    Err(io_err(link)(std::io::Error::other(
        "ystorfa's output folder needs symbolic links (Linux, macOS)",
    )))
}

/// `OUT/<name>` must be a link to `current/<name>`. An older layout's real
/// file or folder there is replaced.
pub(super) fn ensure_public_link(out: &Path, name: &str) -> Result<(), StoreError> {
    let link = out.join(name);
    let want = Path::new(CURRENT).join(name);
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

pub(super) fn sync_dir(dir: &Path) {
    // Best effort: not every platform can open a folder to sync it.
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// fsync every file and folder of a finished generation before it becomes
/// current, so a power cut cannot leave `current` pointing at empty files.
/// A file with another link is shared with the last generation (made
/// current after this sync, in an earlier build): its bytes are on disk
/// already, and only the folder holding the new link is synced. The files
/// are synced on every thread (the large table of groups beside thousands
/// of small segments).
fn sync_tree(dir: &Path) -> Result<(), StoreError> {
    use rayon::prelude::*;
    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(dir) {
        let e = e.map_err(|e| io_err(dir)(std::io::Error::other(e)))?;
        if e.file_type().is_file() {
            if !linked_elsewhere(&e) {
                files.push(e.into_path());
            }
        } else if e.file_type().is_dir() {
            sync_dir(e.path());
        }
    }
    files.par_iter().try_for_each(|p| {
        let f = std::fs::File::open(p).map_err(io_err(p))?;
        f.sync_all().map_err(io_err(p))
    })
}

#[cfg(unix)]
fn linked_elsewhere(e: &walkdir::DirEntry) -> bool {
    use std::os::unix::fs::MetadataExt;
    e.metadata().is_ok_and(|m| m.nlink() > 1)
}

#[cfg(not(unix))]
fn linked_elsewhere(_: &walkdir::DirEntry) -> bool {
    false
}
