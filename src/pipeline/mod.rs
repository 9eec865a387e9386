//! Pipeline: the batch job. Finds input files, runs every stage over each
//! document in parallel (one failure never stops the others), reuses what
//! the last build already did (the [`manifest`] of content hashes and the
//! extraction cache), and writes the search index and learning repository
//! as a new generation of the output folder, swapped in atomically only
//! when complete ([`output`]).
//!
//! Extraction (the stage that parses untrusted PDFs) runs either in process
//! (panics caught) or, with [`BuildOptions::isolation`] set, in supervised
//! worker processes ([`worker`]) under a wall-time and memory limit, so a
//! document that hangs, aborts or exhausts memory fails alone.

pub mod manifest;
pub mod output;
pub mod worker;

pub use output::OutputLock;
pub use worker::Isolation;

use crate::extract::{self, Limits};
use crate::model::*;
use crate::rules::RuleSet;
use crate::{export, index, segment, tag};
use manifest::{ExtractCache, Manifest, ManifestEntry};
use output::{Generation, io_err, write_atomic};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// File extensions the pipeline reads.
pub const INPUT_EXTENSIONS: [&str; 3] = ["pdf", "txt", "md"];

/// Which stage failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Extract one document's bytes; a panic is caught and becomes a failure.
pub fn extract_bytes(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<ExtractedDoc, DocFailure> {
    let fail = |reason: String| DocFailure {
        file: file.to_string(),
        stage: Stage::Extract,
        reason,
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        extract::extract(file, bytes, limits)
    })) {
        Ok(Ok(ex)) => Ok(ex),
        Ok(Err(e)) => Err(fail(e.to_string())),
        Err(p) => Err(fail(format!(
            "internal error (panic): {}",
            panic_message(p)
        ))),
    }
}

/// Segment and tag an extracted document; a document with no text is a
/// failure (never a silently empty document), and a panic is caught.
pub fn analyse(ex: &ExtractedDoc, rules: &RuleSet) -> Result<ProcessedDoc, DocFailure> {
    let fail = |stage, reason: String| DocFailure {
        file: ex.file.clone(),
        stage,
        reason,
    };
    let doc = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| segment::segment(ex)))
        .map_err(|p| {
            fail(
                Stage::Segment,
                format!("internal error (panic): {}", panic_message(p)),
            )
        })?;
    if doc.text.trim().is_empty() {
        let why = if ex.pages.iter().any(|p| p.needs_ocr) {
            "the document has no text layer (scanned?): it needs OCR"
        } else {
            "the document yields no text"
        };
        return Err(fail(Stage::Extract, why.into()));
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tag::tag(doc, rules))).map_err(|p| {
        fail(
            Stage::Tag,
            format!("internal error (panic): {}", panic_message(p)),
        )
    })
}

/// Run extract → segment → tag over one document's bytes. Pure.
pub fn process_bytes(
    file: &str,
    bytes: &[u8],
    rules: &RuleSet,
    limits: &Limits,
) -> Result<ProcessedDoc, DocFailure> {
    analyse(&extract_bytes(file, bytes, limits)?, rules)
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

/// How an input file compares with the last build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Changed,
    Unchanged,
}

/// What happened to one input file in a build.
#[derive(Debug)]
pub struct FileOutcome {
    pub path: PathBuf,
    pub file: String,
    pub sha256: String,
    pub size: u64,
    pub mtime_ns: u128,
    pub change: Change,
    /// True when the PDF or text was parsed in this build (not from the cache).
    pub extracted: bool,
    /// True when an earlier failure was carried over without retrying.
    pub carried_failure: bool,
    pub result: Result<ProcessedDoc, DocFailure>,
}

/// What a build reports while it runs. The command layer decides how to
/// show it (a progress bar, log lines); the pipeline never prints.
/// Called from the build's worker threads, in completion order.
pub trait Progress: Sync {
    /// One input file is done (processed, reused or failed).
    fn file_done(&self, _outcome: &FileOutcome) {}
    /// Every file is done; the build now does `what` (for people).
    fn phase(&self, _what: &str) {}
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Options of a build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub limits: Limits,
    /// Retry files that failed in the last build although they are unchanged.
    pub retry_failed: bool,
    /// Extract in supervised worker processes (`None`: in this process,
    /// with panics caught but no protection from hangs, aborts or
    /// out-of-memory).
    pub isolation: Option<Isolation>,
}

/// Where extraction runs in a build.
enum Extractor {
    InProcess,
    Workers(worker::Pool),
}

/// Process one file, reusing the last build's work where the content is unchanged.
fn process_path(
    path: &Path,
    prev: Option<&ManifestEntry>,
    cache: &ExtractCache,
    rules: &RuleSet,
    opts: &BuildOptions,
    extractor: &Extractor,
) -> FileOutcome {
    let file = display_path(path);
    let mut outcome = FileOutcome {
        path: path.to_path_buf(),
        file: file.clone(),
        sha256: String::new(),
        size: 0,
        mtime_ns: 0,
        change: Change::Added,
        extracted: false,
        carried_failure: false,
        result: Err(DocFailure {
            file: file.clone(),
            stage: Stage::Read,
            reason: String::new(),
        }),
    };
    let read_fail = |e: std::io::Error| DocFailure {
        file: file.clone(),
        stage: Stage::Read,
        reason: e.to_string(),
    };
    let (size, mtime_ns) = match manifest::stat(path) {
        Ok(s) => s,
        Err(e) => {
            outcome.result = Err(read_fail(e));
            return outcome;
        }
    };
    outcome.size = size;
    outcome.mtime_ns = mtime_ns;
    let mut bytes = None;
    outcome.sha256 = match prev {
        Some(p) if p.size == size && p.mtime_ns == mtime_ns && !p.sha256.is_empty() => {
            p.sha256.clone()
        }
        _ => match std::fs::read(path) {
            Ok(b) => {
                let h = sha256_hex(&b);
                bytes = Some(b);
                h
            }
            Err(e) => {
                outcome.result = Err(read_fail(e));
                return outcome;
            }
        },
    };
    outcome.change = match prev {
        None => Change::Added,
        Some(p) if p.sha256 == outcome.sha256 => Change::Unchanged,
        Some(_) => Change::Changed,
    };
    if let Some(p) = prev
        && outcome.change == Change::Unchanged
        && p.status == "failed"
        && !opts.retry_failed
    {
        outcome.carried_failure = true;
        outcome.result = Err(DocFailure {
            file: file.clone(),
            stage: p.stage.unwrap_or(Stage::Extract),
            reason: p.reason.clone().unwrap_or_default(),
        });
        return outcome;
    }
    let ex = match cache.get(&outcome.sha256, &file) {
        Some(ex) => {
            tracing::trace!("{file}: extraction from the cache");
            ex
        }
        None => {
            let t = Instant::now();
            let extracted = match extractor {
                // The worker reads the file itself: big PDFs are not piped.
                Extractor::Workers(pool) => {
                    drop(bytes);
                    pool.extract(path, &file, &opts.limits)
                }
                Extractor::InProcess => {
                    let b = match bytes {
                        Some(b) => b,
                        None => match std::fs::read(path) {
                            Ok(b) => b,
                            Err(e) => {
                                outcome.result = Err(read_fail(e));
                                return outcome;
                            }
                        },
                    };
                    extract_bytes(&file, &b, &opts.limits)
                }
            };
            outcome.extracted = true;
            tracing::trace!("{file}: extracted in {:.3}s", t.elapsed().as_secs_f64());
            match extracted {
                Ok(ex) => {
                    // The cache only saves time: a failure to write it is not the document's.
                    let _ = cache.put(&ex);
                    ex
                }
                Err(f) => {
                    outcome.result = Err(f);
                    return outcome;
                }
            }
        }
    };
    outcome.result = analyse(&ex, rules);
    outcome
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
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Unchanged documents tagged again because the rules (or the tool) changed.
    pub retagged: usize,
    /// Files parsed in this build; the others came from the extraction cache.
    pub extracted: usize,
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

    /// What changed since the last build, for people.
    pub fn changes_line(&self) -> String {
        format!(
            "{} added, {} changed, {} removed, {} unchanged ({} re-tagged), {} failed; {} files read, the rest from the cache",
            self.added,
            self.changed,
            self.removed,
            self.unchanged,
            self.retagged,
            self.failures.len(),
            self.extracted
        )
    }
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

/// Run the whole batch job over the files found in `inputs`.
pub fn build(
    inputs: &[PathBuf],
    out: &Path,
    rules: &RuleSet,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildSummary, BuildError> {
    let files = discover(inputs).map_err(|e| BuildError::Io {
        path: inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        source: e,
    })?;
    build_files(&files, out, rules, opts, progress)
}

/// Run the whole batch job over `files`: process what changed, reuse the
/// rest, write a new generation and swap it in.
pub fn build_files(
    files: &[PathBuf],
    out: &Path,
    rules: &RuleSet,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildSummary, BuildError> {
    let started = Instant::now();
    let _lock = OutputLock::acquire(out)?;
    let prev = Manifest::load(out);
    let prev_by_file = prev.by_file();
    tracing::debug!(
        "{} input files; the last build's manifest lists {}",
        files.len(),
        prev.files.len()
    );
    let cache = ExtractCache::new(out);
    let extractor = match &opts.isolation {
        Some(iso) => Extractor::Workers(worker::Pool::new(iso.clone())),
        None => Extractor::InProcess,
    };
    let outcomes: Vec<FileOutcome> = files
        .par_iter()
        .map(|p| {
            let o = process_path(
                p,
                prev_by_file.get(display_path(p).as_str()).copied(),
                &cache,
                rules,
                opts,
                &extractor,
            );
            progress.file_done(&o);
            o
        })
        .collect();
    progress.phase("writing the index and repository");
    // Stop the workers now: none is left behind, whatever happens next.
    drop(extractor);
    let rules_changed =
        prev.rules_version != rules.version() || prev.tool_version != env!("CARGO_PKG_VERSION");
    let mut summary = BuildSummary::default();
    let mut docs: Vec<ProcessedDoc> = Vec::new();
    let mut rows = Vec::new();
    let mut entries = Vec::new();
    // The same content under two paths is one document: the first path
    // (in sorted order) keeps it, the others are reported as skipped.
    let mut first_path: std::collections::BTreeMap<String, String> = Default::default();
    for o in outcomes {
        match o.change {
            Change::Added => summary.added += 1,
            Change::Changed => summary.changed += 1,
            Change::Unchanged => summary.unchanged += 1,
        }
        summary.extracted += o.extracted as usize;
        let mut entry = ManifestEntry {
            file: o.file.clone(),
            sha256: o.sha256.clone(),
            size: o.size,
            mtime_ns: o.mtime_ns,
            status: "ok".into(),
            stage: None,
            reason: None,
        };
        match o.result {
            Ok(d) => {
                if let Some(first) = first_path.get(&d.document.id) {
                    let reason = format!("same content as {first}");
                    rows.push(serde_json::json!({
                        "file": o.file, "status": "skipped", "reason": reason,
                    }));
                    entry.status = "skipped".into();
                    entry.reason = Some(reason);
                } else {
                    if o.change == Change::Unchanged && rules_changed {
                        summary.retagged += 1;
                    }
                    first_path.insert(d.document.id.clone(), o.file.clone());
                    rows.push(serde_json::json!({
                        "file": o.file, "status": "ok", "doc_id": d.document.id,
                        "pages": d.document.pages,
                        "warnings": d.document.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
                    }));
                    docs.push(d);
                }
            }
            Err(f) => {
                rows.push(serde_json::json!({
                    "file": f.file, "status": "failed", "stage": f.stage, "reason": f.reason,
                }));
                entry.status = "failed".into();
                entry.stage = Some(f.stage);
                entry.reason = Some(f.reason.clone());
                summary.failures.push(f);
            }
        }
        entries.push(entry);
    }
    let now: std::collections::BTreeSet<&str> = entries.iter().map(|e| e.file.as_str()).collect();
    summary.removed = prev
        .files
        .iter()
        .filter(|e| !now.contains(e.file.as_str()))
        .count();
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
    let manifest = Manifest {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        extract_fingerprint: manifest::EXTRACT_FINGERPRINT.into(),
        rules_version: rules.version().into(),
        files: entries,
    };
    let t = Instant::now();
    let vocabulary = export::Vocabulary::of(rules);
    write_generation(out, &docs, &report, &manifest, &vocabulary)?;
    tracing::debug!(
        "index, repository, report, manifest and vocabulary written in {:.2}s",
        t.elapsed().as_secs_f64()
    );
    let keep = manifest
        .files
        .iter()
        .filter(|e| e.status != "failed")
        .map(|e| e.sha256.clone())
        .collect();
    cache.prune(&keep)?;
    summary.seconds = started.elapsed().as_secs_f64();
    append_run_log(out, &summary);
    Ok(summary)
}

/// Write the index, repository, report and manifest as a new generation and
/// make it current. Nothing readers see changes until the final rename.
pub fn write_generation(
    out: &Path,
    docs: &[ProcessedDoc],
    report: &serde_json::Value,
    manifest: &Manifest,
    vocabulary: &export::Vocabulary,
) -> Result<index::IndexStats, BuildError> {
    let generation = Generation::create(out)?;
    let search_dir = generation.dir.join("search");
    std::fs::create_dir_all(&search_dir).map_err(io_err(&search_dir))?;
    let stats = index::build_in_dir(&search_dir, docs)?;
    let repo_dir = generation.dir.join("repository");
    for (name, bytes) in export::repository_files(docs) {
        write_atomic(&repo_dir.join(&name), &bytes)?;
    }
    let mut report_bytes = serde_json::to_vec_pretty(report).expect("report serialises");
    report_bytes.push(b'\n');
    write_atomic(&generation.dir.join("report.json"), &report_bytes)?;
    let mut manifest_bytes = serde_json::to_vec_pretty(manifest).expect("manifest serialises");
    manifest_bytes.push(b'\n');
    write_atomic(&generation.dir.join("manifest.json"), &manifest_bytes)?;
    write_atomic(
        &generation.dir.join(export::VOCABULARY),
        &vocabulary.to_bytes(),
    )?;
    generation.commit(out)?;
    output::remove_stale(out)?;
    Ok(stats)
}

/// Timings and changes go to `OUT/runs.jsonl`, never into the exports, so
/// that exports stay byte-identical across builds.
fn append_run_log(out: &Path, s: &BuildSummary) {
    use std::io::Write;
    let when = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let line = serde_json::json!({
        "finished_unix": when,
        "seconds": s.seconds,
        "documents": s.documents,
        "added": s.added, "changed": s.changed, "removed": s.removed,
        "unchanged": s.unchanged, "retagged": s.retagged,
        "failed": s.failures.len(), "extracted": s.extracted,
    });
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out.join("runs.jsonl"))
    {
        let _ = writeln!(f, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_failing_document_is_reported_not_propagated() {
        let rules = RuleSet::default_rules();
        let err =
            process_bytes("x.pdf", b"%PDF-1.4 garbage", &rules, &Limits::default()).unwrap_err();
        assert_eq!(err.file, "x.pdf");
        assert_eq!(err.stage, Stage::Extract);
        let err = process_bytes("empty.txt", b"   \n", &rules, &Limits::default()).unwrap_err();
        assert!(err.reason.contains("no text"), "{}", err.reason);
    }

    const FICTIONAL: &str = "FICTIONAL EXAMPLE\n\n1. Introduction\n\nThis fictional review concerns coercive control.\n";

    fn build_dir(input: &Path, out: &Path, rules: &RuleSet, retry: bool) -> BuildSummary {
        let opts = BuildOptions {
            retry_failed: retry,
            ..Default::default()
        };
        build(&[input.to_path_buf()], out, rules, &opts, &NoProgress).unwrap()
    }

    #[test]
    fn second_build_reuses_everything_and_reports_changes() {
        let tmp = tempfile::tempdir().unwrap();
        let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
        std::fs::create_dir_all(&input).unwrap();
        std::fs::write(input.join("a.txt"), FICTIONAL).unwrap();
        std::fs::write(
            input.join("b.txt"),
            format!("{FICTIONAL}\nA second fictional paragraph.\n"),
        )
        .unwrap();
        let rules = RuleSet::default_rules();
        let s1 = build_dir(&input, &out, &rules, false);
        assert_eq!((s1.added, s1.extracted, s1.documents), (2, 2, 2));
        let s2 = build_dir(&input, &out, &rules, false);
        assert_eq!(
            (s2.added, s2.unchanged, s2.extracted, s2.retagged),
            (0, 2, 0, 0)
        );
        std::fs::remove_file(input.join("b.txt")).unwrap();
        std::fs::write(input.join("c.txt"), format!("{FICTIONAL}\nA third.\n")).unwrap();
        let s3 = build_dir(&input, &out, &rules, false);
        assert_eq!(
            (s3.added, s3.removed, s3.unchanged, s3.extracted),
            (1, 1, 1, 1)
        );
        // Rules changed: everything is re-tagged from the cache, no file is re-read.
        let src = format!("{}\n# edited\n", crate::rules::DEFAULT_RULES);
        let edited = RuleSet::from_toml(&src, "edited.toml").unwrap();
        let s4 = build_dir(&input, &out, &edited, false);
        assert_eq!((s4.retagged, s4.extracted), (2, 0));
    }

    #[test]
    fn a_failed_file_is_not_retried_unless_asked_and_duplicates_are_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
        std::fs::create_dir_all(&input).unwrap();
        std::fs::write(input.join("bad.pdf"), b"%PDF-1.7 broken").unwrap();
        std::fs::write(input.join("a.txt"), FICTIONAL).unwrap();
        std::fs::write(input.join("copy.txt"), FICTIONAL).unwrap();
        let rules = RuleSet::default_rules();
        let s1 = build_dir(&input, &out, &rules, false);
        assert_eq!((s1.documents, s1.failures.len()), (1, 1));
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
        let statuses: Vec<&str> = report["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["ok", "failed", "skipped"]);
        let s2 = build_dir(&input, &out, &rules, false);
        assert_eq!(
            (s2.failures.len(), s2.extracted),
            (1, 0),
            "carried over, not retried"
        );
        let s3 = build_dir(&input, &out, &rules, true);
        assert_eq!(
            (s3.failures.len(), s3.extracted),
            (1, 1),
            "--retry-failed reads it again"
        );
    }
}
