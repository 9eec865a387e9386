//! Writing a generation's index and repository, carrying unchanged
//! documents over from the last generation instead of recomputing them.
//!
//! The last generation is never modified: its index segments are shared by
//! hard links (tantivy only ever writes new files), and an unchanged
//! document's rows are copied byte for byte from its repository files at
//! the ranges its manifest entry records ([`DocRecord::rows`]). Every
//! repository file is the concatenation of its documents' rows in a fixed
//! order, so the bytes are the same as rendering every document again: an
//! incremental build writes exactly what a clean build of the same inputs
//! writes.

use super::manifest::{DocRecord, EXTRACT_FINGERPRINT, Manifest, OUTPUT_FINGERPRINT};
use super::output::io_err;
use super::{BuildError, DocOutput};
use crate::export::{self, DOC_FILES, FILES};
use crate::index;
use crate::model::ProcessedDoc;
use crate::rules::RuleSet;
use rayon::prelude::*;
use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Documents rendered in parallel at a time (bounds the memory held by
/// rendered rows).
const RENDER_BATCH: usize = 64;

/// The last generation, checked to be one whose documents can be carried over.
#[derive(Debug)]
pub(super) struct Previous {
    dir: PathBuf,
    /// Ids of the documents in its index.
    doc_ids: Vec<String>,
}

impl Previous {
    /// The generation `dir` (described by `manifest`), when its documents
    /// can be carried into a build with `rules`: written by the same tool,
    /// code and rules; its index opens with the current schema; every
    /// document has a record whose row ranges lie inside the repository
    /// files and start with that document's rows. Otherwise `None`, and why
    /// (every document is then processed again, from the extraction cache).
    pub(super) fn check(
        dir: &Path,
        manifest: &Manifest,
        rules: &RuleSet,
    ) -> Result<Previous, String> {
        if manifest.files.is_empty() {
            return Err("there is no last build".into());
        }
        if manifest.rules_version != rules.version() {
            return Err(format!(
                "the rules changed (version {} -> {})",
                manifest.rules_version,
                rules.version()
            ));
        }
        if manifest.tool_version != env!("CARGO_PKG_VERSION")
            || manifest.output_fingerprint != OUTPUT_FINGERPRINT
            || manifest.extract_fingerprint != EXTRACT_FINGERPRINT
        {
            return Err("the last build was made by another version of ystorfa".into());
        }
        let search = dir.join("search");
        let idx = index::open(&search).map_err(|e| format!("its index: {e}"))?;
        if idx.schema() != index::schema() {
            return Err("its index has another schema".into());
        }
        let mut files = Vec::with_capacity(DOC_FILES);
        for name in &FILES[..DOC_FILES] {
            let p = dir.join("repository").join(name);
            let f = File::open(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            let len = f
                .metadata()
                .map_err(|e| format!("{}: {e}", p.display()))?
                .len();
            files.push((f, len));
        }
        let mut doc_ids = Vec::new();
        for e in manifest.files.iter().filter(|e| e.status == "ok") {
            let Some(r) = &e.output else {
                return Err(format!("{}: no record of its output", e.file));
            };
            check_rows(r, &files).map_err(|why| format!("{}: {why}", e.file))?;
            doc_ids.push(r.doc_id.clone());
        }
        Ok(Previous {
            dir: dir.to_path_buf(),
            doc_ids,
        })
    }
}

/// The row ranges of `r` lie inside `files` and begin with its rows.
fn check_rows(r: &DocRecord, files: &[(File, u64)]) -> Result<(), String> {
    let id = &r.doc_id;
    let heads = [
        format!("{{\"id\":\"{id}\""),
        format!("{{\"doc_id\":\"{id}\""),
        format!("{{\"id\":\"{id}-"),
        format!("{{\"doc_id\":\"{id}\""),
    ];
    for (i, ((f, size), head)) in files.iter().zip(&heads).enumerate() {
        let [off, len] = r.rows[i];
        if off.checked_add(len).is_none_or(|end| end > *size) {
            return Err(format!("its rows lie outside {}", FILES[i]));
        }
        if len == 0 {
            if i == 0 {
                return Err("no document row".into());
            }
            continue;
        }
        let mut buf = vec![0u8; head.len().min(len as usize)];
        read_exact_at(f, &mut buf, off).map_err(|e| format!("{}: {e}", FILES[i]))?;
        if buf != head.as_bytes() {
            return Err(format!("its rows in {} are not where recorded", FILES[i]));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn read_exact_at(f: &File, buf: &mut [u8], off: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, off)
}

#[cfg(not(unix))]
fn read_exact_at(f: &File, buf: &mut [u8], off: u64) -> std::io::Result<()> {
    let mut f = f;
    f.seek(SeekFrom::Start(off))?;
    f.read_exact(buf)
}

/// Write the search index of `docs` into `gen_dir/search`: the last
/// generation's index with the documents not carried over deleted and the
/// processed ones added, or (nothing carried over) a fresh one.
pub(super) fn write_index(
    gen_dir: &Path,
    previous: Option<&Previous>,
    docs: &[DocOutput],
) -> Result<(), BuildError> {
    let search = gen_dir.join("search");
    std::fs::create_dir_all(&search).map_err(io_err(&search))?;
    let add: Vec<&ProcessedDoc> = docs.iter().filter_map(|d| d.processed.as_ref()).collect();
    match previous {
        Some(prev) if docs.iter().any(DocOutput::carried_over) => {
            let carried: HashSet<&str> = docs
                .iter()
                .filter(|d| d.carried_over())
                .map(|d| d.record.doc_id.as_str())
                .collect();
            let remove: Vec<&str> = prev
                .doc_ids
                .iter()
                .map(String::as_str)
                .filter(|id| !carried.contains(id))
                .collect();
            tracing::debug!(
                "index: {} documents carried over, {} removed, {} added",
                carried.len(),
                remove.len(),
                add.len()
            );
            index::update_in_dir(&search, &prev.dir.join("search"), &remove, &add)?;
        }
        _ => {
            index::build_in_dir(&search, add)?;
        }
    }
    Ok(())
}

/// Write the repository files of `docs` into `gen_dir/repository`, in
/// repository order (file path, then id; `docs` is sorted so): processed
/// documents rendered, carried ones copied from the last generation. Each
/// record's [`DocRecord::rows`] is set to where its rows now are.
pub(super) fn write_repository(
    gen_dir: &Path,
    previous: Option<&Previous>,
    docs: &mut [DocOutput],
) -> Result<(), BuildError> {
    let repo = gen_dir.join("repository");
    std::fs::create_dir_all(&repo).map_err(io_err(&repo))?;
    let prev_files: Option<Vec<(File, u64, PathBuf)>> = match previous {
        Some(prev) if docs.iter().any(DocOutput::carried_over) => {
            let mut v = Vec::with_capacity(DOC_FILES);
            for name in &FILES[..DOC_FILES] {
                let p = prev.dir.join("repository").join(name);
                let f = File::open(&p).map_err(io_err(&p))?;
                let len = f.metadata().map_err(io_err(&p))?.len();
                v.push((f, len, p));
            }
            Some(v)
        }
        _ => None,
    };
    // Everything carried over, in the same order: the files are the same
    // bytes, so they are shared, not copied.
    if let Some(prev) = &prev_files
        && docs.iter().all(DocOutput::carried_over)
        && (0..DOC_FILES).all(|i| {
            let mut at = 0;
            docs.iter().all(|d| {
                let [off, len] = d.record.rows[i];
                let ok = off == at;
                at += len;
                ok
            }) && at == prev[i].1
        })
    {
        for (i, (_, _, from)) in prev.iter().enumerate() {
            let to = repo.join(FILES[i]);
            if std::fs::hard_link(from, &to).is_err() {
                std::fs::copy(from, &to).map_err(io_err(&to))?;
            }
        }
    } else {
        let mut outs = Vec::with_capacity(DOC_FILES);
        for name in &FILES[..DOC_FILES] {
            let p = repo.join(name);
            outs.push((File::create(&p).map_err(io_err(&p))?, p));
        }
        let mut pos = [0u64; DOC_FILES];
        for batch in docs.chunks_mut(RENDER_BATCH) {
            let rendered: Vec<Option<export::DocRows>> = batch
                .par_iter()
                .map(|d| d.processed.as_ref().map(export::doc_rows))
                .collect();
            for (d, rows) in batch.iter_mut().zip(rendered) {
                for i in 0..DOC_FILES {
                    let (out, out_path) = &mut outs[i];
                    let len = match &rows {
                        Some(r) => {
                            out.write_all(&r.chunks[i]).map_err(io_err(out_path))?;
                            r.chunks[i].len() as u64
                        }
                        None => {
                            let (src, _, src_path) = &prev_files
                                .as_ref()
                                .expect("carried documents come with the last generation")[i];
                            copy_range(src, d.record.rows[i], out).map_err(|e| BuildError::Io {
                                path: format!("{} -> {}", src_path.display(), out_path.display()),
                                source: e,
                            })?
                        }
                    };
                    d.record.rows[i] = [pos[i], len];
                    pos[i] += len;
                }
            }
        }
    }
    let themes = export::theme_rows(
        docs.iter()
            .map(|d| (d.record.doc_id.as_str(), d.record.themes.as_slice())),
    );
    let p = repo.join(FILES[DOC_FILES]);
    std::fs::write(&p, themes).map_err(io_err(&p))?;
    Ok(())
}

/// Copy `[offset, length]` of `src` to the end of `dst` (in the kernel where
/// the platform can), returning the length.
fn copy_range(src: &File, [off, len]: [u64; 2], dst: &mut File) -> std::io::Result<u64> {
    let mut src = src;
    src.seek(SeekFrom::Start(off))?;
    let n = std::io::copy(&mut src.take(len), dst)?;
    if n != len {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("the last build's file ended after {n} of {len} bytes at {off}"),
        ));
    }
    Ok(n)
}
