//! The repository's per-document tables, cut into segments: segment `n` of
//! table `t` is `repository/<t>/<n:06>.jsonl` (`.jsonl.zst` for a
//! compressed table: see `codec`), every table cut after the
//! same documents, so the segment folders concatenated in name order are
//! the tables.
//!
//! A segment ends after a document whose id hashes to a boundary (about one
//! in [`SEGMENT_EVERY`]) or when it holds [`SEGMENT_MAX`] documents. Where
//! segments end therefore depends only on the documents in repository
//! order: a clean and an incremental build of the same inputs cut the same
//! segments, byte for byte. When every document of a segment is carried
//! over and the last generation had exactly that segment, its files are
//! hard-linked instead of written: adding one document rewrites one
//! segment, not the repository.

use super::generation::RowSource;
use super::{DocFile, Reader, RowLocation, RowRange, SegmentRecord, StoreError, io_err};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// One document in about this many ends a segment. Unit tests cut small
/// segments so that every build they make has several.
pub(super) const SEGMENT_EVERY: u64 = if cfg!(test) { 2 } else { 32 };
/// Most documents in one segment.
pub(super) const SEGMENT_MAX: u32 = if cfg!(test) { 4 } else { 256 };

/// The file of segment `seq` of `file` under the repository folder `repo`.
pub(super) fn segment_path(repo: &Path, file: DocFile, seq: u32) -> PathBuf {
    repo.join(file.name()).join(segment_name(seq, file))
}

/// `NNNNNN.jsonl`, or `NNNNNN.jsonl.zst` for a compressed table.
pub(super) fn segment_name(seq: u32, file: DocFile) -> String {
    format!("{seq:06}.{}", file.segment_extension())
}

/// True when a segment ends after document `doc_id`, its `docs`-th.
pub(super) fn ends_segment(doc_id: &str, docs: u32) -> bool {
    docs >= SEGMENT_MAX || mix(fnv1a(doc_id.as_bytes())).is_multiple_of(SEGMENT_EVERY)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// SplitMix64's finaliser: every bit of the input moves the low bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The last generation's repository, which carried rows come from.
#[derive(Debug)]
struct Previous {
    repo: PathBuf,
    segments: Vec<SegmentRecord>,
    /// The files of the segment read last (carried documents come in order).
    open: Option<(u32, BTreeMap<DocFile, File>)>,
}

impl Previous {
    fn file(&mut self, seq: u32, file: DocFile) -> Result<&mut File, StoreError> {
        if self.open.as_ref().is_none_or(|(s, _)| *s != seq) {
            let mut files = BTreeMap::new();
            for f in DocFile::ALL {
                let p = segment_path(&self.repo, f, seq);
                files.insert(f, File::open(&p).map_err(io_err(&p))?);
            }
            self.open = Some((seq, files));
        }
        let (_, files) = self.open.as_mut().expect("opened above");
        Ok(files.get_mut(&file).expect("every table is opened"))
    }

    /// Copy a carried document's rows of `file` to the end of `dst`.
    fn copy(&mut self, loc: &RowLocation, file: DocFile, dst: &mut File) -> Result<(), StoreError> {
        let RowRange { offset, length } = loc.range(file);
        let path = segment_path(&self.repo, file, loc.segment);
        let src = self.file(loc.segment, file)?;
        let copied = (|| {
            src.seek(SeekFrom::Start(offset))?;
            let n = std::io::copy(&mut (&*src).take(length), dst)?;
            if n != length {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("the last build's file ended after {n} of {length} bytes at {offset}"),
                ));
            }
            Ok(())
        })();
        copied.map_err(io_err(&path))
    }

    /// True when `carried` (in order) is exactly segment `seq` of the last
    /// generation, whose files can then be shared.
    fn is_whole_segment(&self, carried: &[RowLocation]) -> bool {
        let Some(seq) = carried.first().map(|l| l.segment) else {
            return false;
        };
        let Some(record) = self.segments.get(seq as usize) else {
            return false;
        };
        if record.documents as usize != carried.len() || carried.iter().any(|l| l.segment != seq) {
            return false;
        }
        DocFile::ALL.iter().all(|&f| {
            let mut at = 0;
            carried.iter().all(|l| {
                let r = l.range(f);
                let ok = r.offset == at;
                at += r.length;
                ok
            }) && record.bytes.get(&f).copied().unwrap_or(0) == at
        })
    }
}

/// The segment being written.
#[derive(Debug, Default)]
struct Open {
    docs: u32,
    bytes: BTreeMap<DocFile, u64>,
    /// Created once a document is rendered into the segment (or the
    /// segment cannot be shared); until then carried documents wait in
    /// `carried`, in case the whole segment can be linked.
    files: Option<BTreeMap<DocFile, File>>,
    carried: Vec<RowLocation>,
}

/// Writes the per-document tables of a new generation, segment by segment.
#[derive(Debug)]
pub(super) struct SegmentWriter {
    repo: PathBuf,
    previous: Option<Previous>,
    done: Vec<SegmentRecord>,
    open: Open,
}

impl SegmentWriter {
    pub(super) fn new(
        repo: &Path,
        previous: Option<(&Reader, &super::Manifest)>,
    ) -> Result<SegmentWriter, StoreError> {
        for f in DocFile::ALL {
            let d = repo.join(f.name());
            std::fs::create_dir_all(&d).map_err(io_err(&d))?;
        }
        let previous = previous.map(|(r, m)| Previous {
            repo: r.repository_dir(),
            segments: m.segments.clone(),
            open: None,
        });
        Ok(SegmentWriter {
            repo: repo.to_path_buf(),
            previous,
            done: Vec::new(),
            open: Open::default(),
        })
    }

    /// Add the next document; returns where its rows are.
    pub(super) fn push(
        &mut self,
        doc_id: &str,
        rows: RowSource<'_>,
    ) -> Result<RowLocation, StoreError> {
        let seq = self.done.len() as u32;
        let mut loc = RowLocation {
            segment: seq,
            ranges: BTreeMap::new(),
        };
        for f in DocFile::ALL {
            let at = self.open.bytes.entry(f).or_default();
            let length = rows.len(f);
            loc.ranges.insert(
                f,
                RowRange {
                    offset: *at,
                    length,
                },
            );
            *at += length;
        }
        match rows {
            RowSource::Carried(from) if self.open.files.is_none() => {
                self.open.carried.push(from.clone())
            }
            RowSource::Carried(from) => self.copy(from)?,
            RowSource::Rendered(r) => {
                self.materialise()?;
                let files = self.open.files.as_mut().expect("materialised");
                for (f, out) in files.iter_mut() {
                    let path = segment_path(&self.repo, *f, seq);
                    out.write_all(r.get(*f)).map_err(io_err(&path))?;
                }
            }
        }
        self.open.docs += 1;
        if ends_segment(doc_id, self.open.docs) {
            self.close()?;
        }
        Ok(loc)
    }

    /// Close the last segment; the records of every segment written.
    pub(super) fn finish(&mut self) -> Result<Vec<SegmentRecord>, StoreError> {
        self.close()?;
        Ok(std::mem::take(&mut self.done))
    }

    /// Create the open segment's files and copy the carried documents
    /// waiting for them.
    fn materialise(&mut self) -> Result<(), StoreError> {
        if self.open.files.is_some() {
            return Ok(());
        }
        let seq = self.done.len() as u32;
        let mut files = BTreeMap::new();
        for f in DocFile::ALL {
            let p = segment_path(&self.repo, f, seq);
            files.insert(f, File::create(&p).map_err(io_err(&p))?);
        }
        self.open.files = Some(files);
        for from in std::mem::take(&mut self.open.carried) {
            self.copy(&from)?;
        }
        Ok(())
    }

    /// Copy a carried document's rows into the open segment's files.
    fn copy(&mut self, from: &RowLocation) -> Result<(), StoreError> {
        let prev = self.previous.as_mut().ok_or_else(|| {
            io_err(&self.repo)(std::io::Error::other(
                "a carried document without a last generation",
            ))
        })?;
        let files = self.open.files.as_mut().expect("materialised");
        for (f, out) in files.iter_mut() {
            prev.copy(from, *f, out)?;
        }
        Ok(())
    }

    /// End the open segment: share the last generation's files when it is
    /// one of its segments unchanged, else write what is not written yet.
    fn close(&mut self) -> Result<(), StoreError> {
        if self.open.docs == 0 {
            return Ok(());
        }
        let seq = self.done.len() as u32;
        let shared = self.open.files.is_none()
            && self
                .previous
                .as_ref()
                .is_some_and(|p| p.is_whole_segment(&self.open.carried));
        // A shared segment keeps the checksums its files were checked
        // against when this build began; written ones are summed now.
        let mut sha256 = BTreeMap::new();
        if shared {
            let prev = self.previous.as_ref().expect("checked");
            let from_seq = self.open.carried[0].segment;
            if let Some(r) = prev.segments.get(from_seq as usize) {
                sha256 = r.sha256.clone();
            }
            for f in DocFile::ALL {
                let from = segment_path(&prev.repo, f, from_seq);
                let to = segment_path(&self.repo, f, seq);
                if std::fs::hard_link(&from, &to).is_err() {
                    std::fs::copy(&from, &to).map_err(io_err(&to))?;
                }
            }
        } else {
            self.materialise()?;
        }
        let open = std::mem::take(&mut self.open);
        drop(open.files);
        for f in DocFile::ALL {
            if sha256.contains_key(&f) {
                continue;
            }
            let path = segment_path(&self.repo, f, seq);
            let sum = File::open(&path)
                .and_then(crate::model::sha256_hex_of)
                .map_err(io_err(&path))?;
            sha256.insert(f, sum);
        }
        self.done.push(SegmentRecord {
            documents: open.docs,
            bytes: open.bytes,
            sha256,
        });
        Ok(())
    }
}

/// The repository of `docs` rendered in memory, as whole tables: (file
/// name, bytes), the per-document tables in [`DocFile::ALL`] order, then
/// `themes.jsonl`. What a build writes, concatenated (tests, in-memory
/// snapshots of the served page).
pub fn repository_files(docs: &[crate::model::ProcessedDoc]) -> Vec<(String, Vec<u8>)> {
    let mut sorted: Vec<&crate::model::ProcessedDoc> = docs.iter().collect();
    sorted.sort_by(|a, b| crate::export::repository_order(a, b));
    let mut tables: BTreeMap<DocFile, Vec<u8>> = BTreeMap::new();
    let mut themes = Vec::new();
    for pd in &sorted {
        let rows = crate::export::doc_rows(pd);
        for f in DocFile::ALL {
            tables
                .entry(f)
                .or_default()
                .extend_from_slice(f.rows(&rows));
        }
        themes.push((pd.document.id.as_str(), rows.themes));
    }
    let theme_rows = crate::export::theme_rows(themes.iter().map(|(id, t)| (*id, t.as_slice())));
    DocFile::ALL
        .iter()
        .map(|f| {
            let bytes = tables.remove(f).unwrap_or_default();
            (f.whole_file_name(), bytes)
        })
        .chain([(super::THEMES_FILE.to_string(), theme_rows)])
        .collect()
}
