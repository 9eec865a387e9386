//! Reading one generation: the index folder, the report, the manifest, the
//! vocabulary, a document's rows by the offsets the manifest records, and
//! every row of a table as a stream. A [`Reader`] is pinned to the
//! generation `OUT/current` named when it opened: a build finishing
//! meanwhile switches `current` but never removes a generation a reader
//! holds (a shared lock on its `.readers.lock`).

use super::checked::Checked;
use super::codec;
use super::segments::{segment_name, segment_path};
use super::{
    CURRENT, DocFile, GENERATIONS, MANIFEST, MANIFEST_SUM, Manifest, PIN,
    RECOMMENDATION_GROUPS_FILE, REPORT, REPOSITORY, Report, RowLocation, SEARCH, STARTED,
    StoreError, THEMES_FILE, VOCABULARY, io_err,
};
use crate::export::Vocabulary;
use std::fs::File;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// A view of one generation of an output folder.
#[derive(Debug)]
pub struct Reader {
    /// The generation's folder (the output folder itself for the layout of
    /// builds older than generations).
    dir: PathBuf,
    generation: String,
    /// Held (shared) while the reader lives.
    _pin: Option<File>,
}

/// Attempts at pinning the current generation while builds switch it.
const PIN_ATTEMPTS: usize = 20;

impl Reader {
    /// The generation `OUT/current` points to, pinned; or the files of an
    /// output folder written before generations existed (`legacy`).
    pub fn open(out: &Path) -> Result<Reader, StoreError> {
        for _ in 0..PIN_ATTEMPTS {
            let target = match std::fs::read_link(out.join(CURRENT)) {
                Ok(t) => t,
                Err(_) if [SEARCH, REPOSITORY].iter().any(|n| out.join(n).is_dir()) => {
                    return Ok(Reader {
                        dir: out.to_path_buf(),
                        generation: "legacy".into(),
                        _pin: None,
                    });
                }
                Err(_) => return Err(StoreError::NoBuild(out.display().to_string())),
            };
            let dir = out.join(&target);
            let generation = target
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if let Some(pin) = pin(&dir) {
                return Ok(Reader {
                    dir,
                    generation,
                    _pin: pin,
                });
            }
            // Removed while we looked: `current` has moved on.
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        Err(StoreError::NoBuild(out.display().to_string()))
    }

    /// The generation's name (its folder under `.gen/`, or "legacy").
    pub fn generation(&self) -> &str {
        &self.generation
    }

    /// Whether the generation holds every file of the layout that is not
    /// a document's rows (those [`Reader::verify`] checks): an index whose
    /// segments open, `themes.jsonl`, `recommendation_groups.jsonl`, the report, the manifest and its
    /// checksum, and the vocabulary.
    pub(super) fn layout_intact(&self) -> bool {
        let repo = self.repository_dir();
        // Its files' checksums were read by `verify` before the build began.
        crate::index::check_opens(&self.search_dir()).is_ok()
            && [
                repo.join(THEMES_FILE),
                repo.join(RECOMMENDATION_GROUPS_FILE),
                self.dir.join(REPORT),
                self.dir.join(MANIFEST),
                self.dir.join(MANIFEST_SUM),
                self.dir.join(VOCABULARY),
            ]
            .iter()
            .all(|p| p.is_file())
    }

    /// The folder of the generation's search index.
    pub fn search_dir(&self) -> PathBuf {
        self.dir.join(SEARCH)
    }

    pub(super) fn repository_dir(&self) -> PathBuf {
        self.dir.join(REPOSITORY)
    }

    /// The bytes of one of the generation's own files.
    pub(super) fn read_raw(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        let p = self.dir.join(name);
        std::fs::read(&p).map_err(io_err(&p))
    }

    fn read_json<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, StoreError> {
        let bytes = self.read_raw(name)?;
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Unreadable {
            path: self.dir.join(name).display().to_string(),
            message: e.to_string(),
        })
    }

    /// `report.json`.
    pub fn report(&self) -> Result<Report, StoreError> {
        self.read_json(REPORT)
    }

    /// `manifest.json`.
    pub fn manifest(&self) -> Result<Manifest, StoreError> {
        self.read_json(MANIFEST)
    }

    /// `manifest.json`, checked against the checksum the build wrote with
    /// it: [`StoreError::Damaged`] when it was edited or damaged since,
    /// [`StoreError::Unreadable`] when it has no checksum (written by an
    /// older version).
    pub fn checked_manifest(&self) -> Result<Manifest, StoreError> {
        let bytes = self.read_raw(MANIFEST)?;
        let path = self.dir.join(MANIFEST).display().to_string();
        let Ok(line) = self.read_raw(MANIFEST_SUM) else {
            return Err(StoreError::Unreadable {
                path,
                message: "written before manifests had a checksum".into(),
            });
        };
        if line != super::generation::manifest_sum_line(&bytes) {
            return Err(StoreError::Damaged {
                path,
                message: format!("it does not match its checksum ({MANIFEST_SUM})"),
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Unreadable {
            path,
            message: e.to_string(),
        })
    }

    /// `vocabulary.json`, or `None` for a generation written before it
    /// existed.
    pub fn vocabulary(&self) -> Result<Option<Vocabulary>, StoreError> {
        if !self.dir.join(VOCABULARY).is_file() {
            return Ok(None);
        }
        self.read_json(VOCABULARY).map(Some)
    }

    /// `themes.jsonl`.
    pub fn themes(&self) -> Result<Vec<u8>, StoreError> {
        self.read_raw(&Path::new(REPOSITORY).join(THEMES_FILE).to_string_lossy())
    }

    /// `recommendation_groups.jsonl`; empty for a generation written before
    /// recommendations were grouped.
    pub fn recommendation_groups(&self) -> Result<Vec<u8>, StoreError> {
        let path = self.groups_path();
        if !path.is_file() {
            return Ok(Vec::new());
        }
        std::fs::read(&path).map_err(io_err(&path))
    }

    /// Where this generation's `recommendation_groups.jsonl` is.
    fn groups_path(&self) -> PathBuf {
        self.dir.join(REPOSITORY).join(RECOMMENDATION_GROUPS_FILE)
    }

    /// `recommendation_groups.jsonl` line by line, each with where it
    /// starts and how long it is (its newline included), for
    /// [`Reader::recommendation_group_at`]; nothing for a generation written
    /// before recommendations were grouped.
    pub fn recommendation_group_lines(&self) -> Result<GroupLines, StoreError> {
        let path = self.groups_path();
        let file = match File::open(&path) {
            Ok(f) => Some(std::io::BufReader::with_capacity(1 << 20, f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(&path)(e)),
        };
        Ok(GroupLines {
            path,
            file,
            offset: 0,
            line: 0,
        })
    }

    /// One line of `recommendation_groups.jsonl`, where
    /// [`Reader::recommendation_group_lines`] said it is.
    pub fn recommendation_group_at(&self, at: &LineAt) -> Result<Vec<u8>, StoreError> {
        let path = self.groups_path();
        let f = File::open(&path).map_err(io_err(&path))?;
        let mut buf = vec![0u8; at.length as usize];
        read_exact_at(&f, &mut buf, at.offset).map_err(io_err(&path))?;
        Ok(buf)
    }

    /// One document's rows of `file` (each line ending with a newline), by
    /// the location the manifest records.
    pub fn doc_rows(&self, loc: &RowLocation, file: DocFile) -> Result<Vec<u8>, StoreError> {
        let range = loc.range(file);
        if range.length == 0 {
            // No rows (or a table the generation was written without).
            return Ok(Vec::new());
        }
        let path = segment_path(&self.repository_dir(), file, loc.segment);
        let f = File::open(&path).map_err(io_err(&path))?;
        let mut buf = vec![0u8; range.length as usize];
        read_exact_at(&f, &mut buf, range.offset).map_err(io_err(&path))?;
        codec::decode(file, buf, &path.display().to_string())
    }

    /// Whether the generation has table `file` (a generation written
    /// before the table existed has not).
    pub fn has_table(&self, file: DocFile) -> bool {
        let repo = self.repository_dir();
        repo.join(file.whole_file_name()).is_file() || repo.join(file.name()).is_dir()
    }

    /// Every row of `file`, in repository order.
    pub fn rows(&self, file: DocFile) -> Result<RowLines, StoreError> {
        table_lines(&self.repository_dir(), file)
    }

    /// Every row of `file` parsed as `T`; an unparsable row is an error
    /// naming its file and line.
    pub fn read_all<T: serde::de::DeserializeOwned>(
        &self,
        file: DocFile,
    ) -> Result<Vec<T>, StoreError> {
        let mut lines = self.rows(file)?;
        let mut rows = Vec::new();
        while let Some(line) = lines.next() {
            let line = line?;
            rows.push(
                serde_json::from_slice(&line).map_err(|e| StoreError::Unreadable {
                    path: lines.position(),
                    message: e.to_string(),
                })?,
            );
        }
        Ok(rows)
    }

    /// When the build that wrote this generation started (file system
    /// time, nanoseconds; 0 when unknown).
    pub fn started_ns(&self) -> u128 {
        std::fs::metadata(self.dir.join(STARTED))
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos())
    }

    /// Check that the repository files are as `manifest` describes them
    /// (every segment's files there with their recorded lengths and
    /// checksums, and the documents' rows tiling them) and that every
    /// segment of the index opens and every index file matches the
    /// checksum in its footer. Otherwise why not.
    ///
    /// A file whose stamp is as it was when the build that wrote the
    /// generation (or the last build that checked it) stamped it is not
    /// read again (see `checked`). Returns how many files were read.
    pub fn verify(&self, manifest: &Manifest) -> Result<usize, String> {
        use rayon::prelude::*;
        manifest.check_tiling()?;
        let checked = self.checked();
        let unchanged = |p: &Path| {
            p.strip_prefix(&self.dir)
                .is_ok_and(|name| checked.unchanged(&self.dir, &name.to_string_lossy()))
        };
        // Gigabytes at the scale of England and Wales: the index's files and
        // the repository's are read at once, the segments on every thread.
        let repo = self.repository_dir();
        let search = self.search_dir();
        // Every segment of the index must open and every index file match
        // its checksum (a segment file lost or damaged since the build
        // would fail searches, or be carried forward broken).
        let (index, repository) = rayon::join(
            || {
                crate::index::check_complete(&search, &|name| unchanged(&search.join(name)))
                    .map_err(|e| format!("{}: {e}", search.display()))
            },
            || {
                // Every segment checked, the first damaged one said.
                let segments: Vec<Result<usize, String>> = manifest
                    .segments
                    .par_iter()
                    .enumerate()
                    .map(|(seq, s)| verify_segment(&repo, seq as u32, s, &unchanged))
                    .collect();
                segments.into_iter().sum::<Result<usize, String>>()
            },
        );
        Ok(index? + repository?)
    }

    /// The stamps of this generation's files when last known good.
    fn checked(&self) -> Checked {
        match self.out() {
            Some(out) => Checked::load(out, &self.generation),
            None => Checked::default(),
        }
    }

    /// The output folder holding this generation (none for the layout of
    /// builds older than generations, which keeps no stamps).
    fn out(&self) -> Option<&Path> {
        (self.generation != "legacy")
            .then(|| self.dir.parent().and_then(Path::parent))
            .flatten()
    }

    /// Stamp the files [`Reader::verify`] checks, as they are now (known
    /// good: just written or checked), for the next build.
    pub(super) fn record_checked(&self, manifest: &Manifest) {
        let Some(out) = self.out() else {
            return;
        };
        let search = self.search_dir();
        let index = crate::index::live_files(&search).unwrap_or_default();
        let repo = self.repository_dir();
        let names = index
            .into_iter()
            .map(|n| search.join(n))
            .chain(
                (0..manifest.segments.len() as u32)
                    .flat_map(|seq| DocFile::ALL.map(|f| segment_path(&repo, f, seq))),
            )
            .filter_map(|p| {
                Some(
                    p.strip_prefix(&self.dir)
                        .ok()?
                        .to_string_lossy()
                        .to_string(),
                )
            });
        Checked::record(out, &self.generation, &self.dir, names);
    }

    /// The segment files of table `file`, in order, with the SHA-256 the
    /// manifest records for each (none for a generation written before
    /// segments: its single file).
    pub fn segment_files(&self, file: DocFile) -> Result<Vec<SegmentFile>, StoreError> {
        let repo = self.repository_dir();
        let whole = repo.join(file.whole_file_name());
        if whole.is_file() {
            return Ok(vec![SegmentFile {
                path: whole,
                sha256: None,
            }]);
        }
        Ok(segment_files(&repo, file, &self.manifest()?.segments))
    }

    /// Names of the generation's segment files of `file` the manifest
    /// accounts for.
    pub(super) fn segment_names(manifest: &Manifest, file: DocFile) -> Vec<String> {
        (0..manifest.segments.len() as u32)
            .map(|seq| segment_name(seq, file))
            .collect()
    }
}

/// Take a shared lock on the generation in `dir`: `Some(pin)` when it is
/// there (`Some(None)` for a generation written before pins), `None` when
/// it is being removed or gone.
fn pin(dir: &Path) -> Option<Option<File>> {
    let path = dir.join(PIN);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(_) if dir.join(MANIFEST).is_file() => return Some(None),
        Err(_) => return None,
    };
    match file.try_lock_shared() {
        // Still there once held: not removed between open and lock.
        Ok(()) if path.exists() => Some(Some(file)),
        _ => None,
    }
}

/// True when a reader holds the generation in `dir` (its pin is locked).
pub(super) fn pinned(dir: &Path) -> bool {
    File::open(dir.join(PIN)).is_ok_and(|f| match f.try_lock() {
        Ok(()) => false,
        Err(std::fs::TryLockError::WouldBlock) => true,
        Err(std::fs::TryLockError::Error(_)) => false,
    })
}

/// The rows of a table, line by line (without the newline), across its
/// segment files in order.
pub struct RowLines {
    /// Files still to read, last first.
    paths: Vec<PathBuf>,
    current: Option<(PathBuf, Box<dyn BufRead + Send>)>,
    line: usize,
}

impl std::fmt::Debug for RowLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowLines")
            .field("paths", &self.paths)
            .field("current", &self.current.as_ref().map(|(p, _)| p))
            .field("line", &self.line)
            .finish()
    }
}

impl RowLines {
    /// The line number of the row returned last in its file.
    pub fn line(&self) -> usize {
        self.line
    }

    /// `file:line` of the row returned last (for messages).
    pub fn position(&self) -> String {
        match &self.current {
            Some((p, _)) => format!("{}:{}", p.display(), self.line),
            None => String::new(),
        }
    }
}

impl Iterator for RowLines {
    type Item = Result<Vec<u8>, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.current.is_none() {
                let p = self.paths.pop()?;
                match File::open(&p).and_then(|f| codec::lines_of(&p, f)) {
                    Ok(r) => self.current = Some((p, r)),
                    Err(e) => return Some(Err(io_err(&p)(e))),
                }
                self.line = 0;
            }
            let (path, r) = self.current.as_mut().expect("opened above");
            let mut buf = Vec::new();
            match r.read_until(b'\n', &mut buf) {
                Ok(0) => self.current = None,
                Ok(_) => {
                    self.line += 1;
                    if buf.last() == Some(&b'\n') {
                        buf.pop();
                    }
                    if buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(Ok(buf));
                }
                Err(e) => return Some(Err(io_err(path)(e))),
            }
        }
    }
}

#[cfg(unix)]
fn read_exact_at(f: &File, buf: &mut [u8], off: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, off)
}

#[cfg(not(unix))]
fn read_exact_at(f: &File, buf: &mut [u8], off: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = f;
    f.seek(SeekFrom::Start(off))?;
    f.read_exact(buf)
}

/// Check that segment `seq`'s files under `repo` have the lengths and
/// checksums `s` records (the checksum only when `unchanged` does not
/// vouch for the file); returns how many were read.
fn verify_segment(
    repo: &Path,
    seq: u32,
    s: &super::SegmentRecord,
    unchanged: &dyn Fn(&Path) -> bool,
) -> Result<usize, String> {
    let mut read = 0;
    for f in DocFile::ALL {
        let p = segment_path(repo, f, seq);
        let len = std::fs::metadata(&p)
            .map_err(|e| format!("{}: {e}", p.display()))?
            .len();
        if Some(&len) != s.bytes.get(&f) {
            return Err(format!("{} is not as recorded", p.display()));
        }
        let Some(want) = s.sha256.get(&f) else {
            return Err(format!("no checksum is recorded for {}", p.display()));
        };
        if unchanged(&p) {
            continue;
        }
        read += 1;
        let sum = File::open(&p)
            .and_then(crate::model::sha256_hex_of)
            .map_err(|e| format!("{}: {e}", p.display()))?;
        if &sum != want {
            return Err(format!(
                "{} has changed since the build that wrote it",
                p.display()
            ));
        }
    }
    Ok(read)
}

/// One segment's file of a table, with the SHA-256 the manifest records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentFile {
    pub path: PathBuf,
    pub sha256: Option<String>,
}

impl SegmentFile {
    /// Its rows.
    pub fn lines(&self) -> RowLines {
        RowLines {
            paths: vec![self.path.clone()],
            current: None,
            line: 0,
        }
    }
}

/// The files of table `file` of the segments `segments` of the repository
/// folder `repo`.
pub(super) fn segment_files(
    repo: &Path,
    file: DocFile,
    segments: &[super::SegmentRecord],
) -> Vec<SegmentFile> {
    segments
        .iter()
        .enumerate()
        .map(|(seq, s)| SegmentFile {
            path: super::segments::segment_path(repo, file, seq as u32),
            sha256: s.sha256.get(&file).cloned(),
        })
        .collect()
}

/// Every row of table `file` of the repository folder `repo`, in
/// repository order (its segments in name order, or its single file).
pub(super) fn table_lines(repo: &Path, file: DocFile) -> Result<RowLines, StoreError> {
    let whole = repo.join(file.whole_file_name());
    let paths = if whole.is_file() {
        vec![whole]
    } else {
        let dir = repo.join(file.name());
        let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(io_err(&dir))?
            .flatten()
            .map(|e| e.path())
            // Compressed or not, by name: a generation written before
            // a table was compressed still reads whole.
            .filter(|p| {
                p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.ends_with(".jsonl") || n.ends_with(".jsonl.zst")
                })
            })
            .collect();
        v.sort();
        v
    };
    Ok(RowLines {
        paths: paths.into_iter().rev().collect(),
        current: None,
        line: 0,
    })
}

/// Where one line of a file is (bytes, its newline included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineAt {
    pub offset: u64,
    pub length: u64,
}

/// The lines of `recommendation_groups.jsonl` with where each is
/// ([`Reader::recommendation_group_lines`]).
#[derive(Debug)]
pub struct GroupLines {
    path: PathBuf,
    file: Option<std::io::BufReader<File>>,
    offset: u64,
    line: usize,
}

impl GroupLines {
    /// `file:line` of the line returned last (for messages).
    pub fn position(&self) -> String {
        format!("{}:{}", self.path.display(), self.line)
    }
}

impl Iterator for GroupLines {
    type Item = Result<(Vec<u8>, LineAt), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        let file = self.file.as_mut()?;
        let mut buf = Vec::new();
        match std::io::BufRead::read_until(file, b'\n', &mut buf) {
            Ok(0) => None,
            Ok(n) => {
                let at = LineAt {
                    offset: self.offset,
                    length: n as u64,
                };
                self.offset += n as u64;
                self.line += 1;
                Some(Ok((buf, at)))
            }
            Err(e) => Some(Err(io_err(&self.path)(e))),
        }
    }
}

/// The generations folder of `out`.
pub(super) fn generations_dir(out: &Path) -> PathBuf {
    out.join(GENERATIONS)
}
