//! Pipeline: the batch job. Finds input files, runs every stage over each
//! document in parallel (one failure never stops the others), and writes the
//! search index and learning repository into the output folder, swapping
//! them in only when complete.

use crate::extract::{self, Limits};
use crate::model::*;
use crate::rules::RuleSet;
use crate::{export, index, segment, tag};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// File extensions the pipeline reads.
pub const INPUT_EXTENSIONS: [&str; 3] = ["pdf", "txt", "md"];

/// Which stage failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Read,
    Extract,
    Segment,
    Tag,
}

/// One document that could not be processed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, thiserror::Error)]
#[error("{file}: {stage:?}: {reason}")]
pub struct DocFailure {
    pub file: String,
    pub stage: Stage,
    pub reason: String,
}

/// Walk inputs (files or folders, recursively) for `.pdf`, `.txt`, `.md`
/// files, returned sorted and without duplicates. A missing input is an error.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, std::io::Error> {
    let mut out = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", input.display())))?;
        if meta.is_file() {
            out.push(input.clone());
            continue;
        }
        for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
            let entry = entry.map_err(std::io::Error::other)?;
            if entry.file_type().is_file() && has_input_extension(entry.path()) {
                out.push(entry.path().to_path_buf());
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn has_input_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .map(|e| INPUT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

/// A path as shown in outputs: forward slashes, no leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Run extract → segment → tag over one document's bytes. Pure.
pub fn process_bytes(
    file: &str,
    bytes: &[u8],
    rules: &RuleSet,
    limits: &Limits,
) -> Result<ProcessedDoc, DocFailure> {
    let fail = |stage, reason: String| DocFailure {
        file: file.to_string(),
        stage,
        reason,
    };
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let ex = extract::extract(file, bytes, limits)
            .map_err(|e| fail(Stage::Extract, e.to_string()))?;
        let doc = segment::segment(&ex);
        if doc.text.trim().is_empty() {
            return Err(fail(Stage::Extract, "the document yields no text".into()));
        }
        Ok(tag::tag(doc, rules))
    }));
    match caught {
        Ok(r) => r,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(fail(
                Stage::Extract,
                format!("internal error (panic): {msg}"),
            ))
        }
    }
}

/// Read and process one file.
pub fn process_file(
    path: &Path,
    rules: &RuleSet,
    limits: &Limits,
) -> Result<ProcessedDoc, DocFailure> {
    let file = display_path(path);
    let bytes = std::fs::read(path).map_err(|e| DocFailure {
        file: file.clone(),
        stage: Stage::Read,
        reason: e.to_string(),
    })?;
    process_bytes(&file, &bytes, rules, limits)
}

/// What a build did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BuildSummary {
    pub documents: usize,
    pub pages: u64,
    pub passages: usize,
    pub tags: usize,
    pub recommendations: usize,
    pub failures: Vec<DocFailure>,
    pub warnings: usize,
    pub seconds: f64,
}

impl BuildSummary {
    /// The one-line summary printed after a build.
    pub fn line(&self) -> String {
        format!(
            "{} documents, {} pages, {} passages, {} tags, {} recommendations, {} failures in {:.2}s",
            self.documents,
            self.pages,
            self.passages,
            self.tags,
            self.recommendations,
            self.failures.len(),
            self.seconds
        )
    }
}

/// Process every file in parallel; results come back in the order of `files`.
pub fn process_all(
    files: &[PathBuf],
    rules: &RuleSet,
    limits: &Limits,
    on_done: &(dyn Fn(&Path, &Result<ProcessedDoc, DocFailure>) + Sync),
) -> Vec<Result<ProcessedDoc, DocFailure>> {
    files
        .par_iter()
        .map(|p| {
            let r = process_file(p, rules, limits);
            on_done(p, &r);
            r
        })
        .collect()
}

/// Errors that stop a whole build.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Index(#[from] index::IndexError),
    #[error(
        "another ystorfa build is writing to {0} (it holds {0}/.ystorfa.lock); wait for it to finish"
    )]
    Locked(String),
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

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Write the search index and repository of `docs` into `out`. Everything is
/// first written to a staging folder inside `out`, then swapped in by rename,
/// so a killed build leaves the previous outputs in place.
pub fn write_outputs(
    out: &Path,
    docs: &[ProcessedDoc],
    report: &serde_json::Value,
) -> Result<index::IndexStats, BuildError> {
    std::fs::create_dir_all(out).map_err(io_err(out))?;
    let staging = out.join(format!(".staging-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
    }
    let search_dir = staging.join("search");
    let repo_dir = staging.join("repository");
    std::fs::create_dir_all(&search_dir).map_err(io_err(&search_dir))?;
    std::fs::create_dir_all(&repo_dir).map_err(io_err(&repo_dir))?;
    let stats = index::build_in_dir(&search_dir, docs)?;
    for (name, bytes) in export::repository_files(docs) {
        let p = repo_dir.join(&name);
        std::fs::write(&p, bytes).map_err(io_err(&p))?;
    }
    let report_path = staging.join("report.json");
    let mut report_bytes = serde_json::to_vec_pretty(report).expect("report serialises");
    report_bytes.push(b'\n');
    std::fs::write(&report_path, report_bytes).map_err(io_err(&report_path))?;
    for name in ["search", "repository", "report.json"] {
        swap_in(&staging.join(name), &out.join(name))?;
    }
    std::fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
    Ok(stats)
}

/// Replace `dst` with `src`: rename the old one aside, rename the new one in,
/// then delete the old one.
fn swap_in(src: &Path, dst: &Path) -> Result<(), BuildError> {
    let old = dst.with_extension("old");
    if old.exists() {
        remove_any(&old)?;
    }
    if dst.exists() {
        std::fs::rename(dst, &old).map_err(io_err(dst))?;
    }
    std::fs::rename(src, dst).map_err(io_err(dst))?;
    if old.exists() {
        remove_any(&old)?;
    }
    Ok(())
}

fn remove_any(p: &Path) -> Result<(), BuildError> {
    if p.is_dir() {
        std::fs::remove_dir_all(p).map_err(io_err(p))
    } else {
        std::fs::remove_file(p).map_err(io_err(p))
    }
}

/// Run the whole batch job over the files found in `inputs`.
pub fn build(
    inputs: &[PathBuf],
    out: &Path,
    rules: &RuleSet,
    limits: &Limits,
    on_done: &(dyn Fn(&Path, &Result<ProcessedDoc, DocFailure>) + Sync),
) -> Result<BuildSummary, BuildError> {
    let files = discover(inputs).map_err(|e| BuildError::Io {
        path: inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        source: e,
    })?;
    build_files(&files, out, rules, limits, on_done)
}

/// Run the whole batch job over `files`.
pub fn build_files(
    files: &[PathBuf],
    out: &Path,
    rules: &RuleSet,
    limits: &Limits,
    on_done: &(dyn Fn(&Path, &Result<ProcessedDoc, DocFailure>) + Sync),
) -> Result<BuildSummary, BuildError> {
    let started = Instant::now();
    let _lock = OutputLock::acquire(out)?;
    let results = process_all(files, rules, limits, on_done);
    let mut docs = Vec::new();
    let mut summary = BuildSummary::default();
    let mut rows = Vec::new();
    for r in results {
        match r {
            Ok(d) => {
                rows.push(serde_json::json!({
                    "file": d.document.file, "status": "ok", "doc_id": d.document.id,
                    "pages": d.document.pages,
                    "warnings": d.document.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
                }));
                docs.push(d);
            }
            Err(f) => {
                rows.push(serde_json::json!({
                    "file": f.file, "status": "failed", "stage": f.stage, "reason": f.reason,
                }));
                summary.failures.push(f);
            }
        }
    }
    // The same content under two paths is one document: keep the first path.
    let mut seen = std::collections::BTreeSet::new();
    docs.retain(|d| seen.insert(d.document.id.clone()));
    summary.documents = docs.len();
    for d in &docs {
        summary.pages += d.document.pages as u64;
        summary.passages += d.document.passages.len();
        summary.tags += d.tags.len();
        summary.recommendations += d.recommendations.len();
        summary.warnings += d.document.warnings.len();
    }
    let report = serde_json::json!({
        "tool_version": env!("CARGO_PKG_VERSION"),
        "rules_version": rules.version(),
        "files": rows,
    });
    write_outputs(out, &docs, &report)?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
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

    #[test]
    fn discover_walks_folders_sorted_and_filters_extensions() {
        let tmp = tempfile::tempdir().unwrap();
        for f in [
            "b/2.pdf",
            "a.txt",
            "c.md",
            "README",
            "notes.docx",
            "b/1.PDF",
        ] {
            let p = tmp.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"x").unwrap();
        }
        let found: Vec<String> = discover(&[tmp.path().to_path_buf()])
            .unwrap()
            .iter()
            .map(|p| {
                p.strip_prefix(tmp.path())
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(found, ["a.txt", "b/1.PDF", "b/2.pdf", "c.md"]);
    }

    #[test]
    fn a_panicking_or_failing_document_is_reported_not_propagated() {
        let rules = RuleSet::default_rules();
        let err =
            process_bytes("x.pdf", b"%PDF-1.4 garbage", &rules, &Limits::default()).unwrap_err();
        assert_eq!(err.file, "x.pdf");
        assert_eq!(err.stage, Stage::Extract);
        let err = process_bytes("empty.txt", b"   \n", &rules, &Limits::default()).unwrap_err();
        assert!(err.reason.contains("no text"), "{}", err.reason);
    }
}
