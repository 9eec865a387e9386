//! Pipeline: the batch job. Finds input files, runs every stage over each
//! document in parallel (one failure never stops the others), reuses what
//! the last build already did (the [`manifest`] of content hashes, the
//! extraction cache, and unchanged documents carried over whole from the
//! last generation), and writes the search index and learning repository
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
mod write;

pub use output::OutputLock;
pub use worker::Isolation;

use crate::extract::{self, Limits};
use crate::model::*;
use crate::rules::RuleSet;
use crate::{export, index, segment, tag};
use manifest::{DocRecord, ExtractCache, Manifest, ManifestEntry};
use output::{Generation, write_atomic};
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
    let doc = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        segment::segment(ex, rules.anatomy())
    }))
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
    pub result: Result<DocOutput, DocFailure>,
}

/// A document bound for the new generation: processed in this build, or
/// carried over as it was from the last one (unchanged file, same rules,
/// same code), in which case nothing of it is recomputed: its index entries
/// and repository rows are taken from the last generation.
#[derive(Debug)]
pub struct DocOutput {
    pub record: DocRecord,
    /// `None` when carried over.
    pub processed: Option<ProcessedDoc>,
}

impl DocOutput {
    fn processed(pd: ProcessedDoc) -> DocOutput {
        let mut themes = pd.themes.clone();
        themes.sort_unstable();
        themes.dedup();
        DocOutput {
            record: DocRecord::of(&pd, themes),
            processed: Some(pd),
        }
    }

    /// True when carried over from the last generation.
    pub fn carried_over(&self) -> bool {
        self.processed.is_none()
    }
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
    /// Process every document again instead of carrying unchanged ones
    /// over from the last build (the extraction cache is still used).
    pub rebuild: bool,
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

/// A file modified less than this long before the last build started is
/// hashed again even when its size and modification time match (as git
/// does with "racily clean" files): a file rewritten within the file
/// system's timestamp granularity keeps its modification time.
const RACY_NS: u128 = 2_000_000_000;

/// What the last build left for this one.
struct LastBuild<'a> {
    by_file: std::collections::BTreeMap<&'a str, &'a ManifestEntry>,
    /// Its documents may be carried over.
    carry_over: bool,
    /// Files that failed in it, unchanged, fail again without being retried
    /// (same code; for a failure while tagging, the same rules too).
    carry_failures: bool,
    carry_tag_failures: bool,
    /// When it started (file system time, nanoseconds; 0 when unknown).
    started_ns: u128,
}

/// Where a build marks its start (file system time), moved into its
/// generation when committed.
const STARTED: &str = ".started";

/// Process one file, reusing the last build's work where the content is unchanged.
fn process_path(
    path: &Path,
    last: &LastBuild,
    cache: &ExtractCache,
    rules: &RuleSet,
    opts: &BuildOptions,
    extractor: &Extractor,
) -> FileOutcome {
    let file = display_path(path);
    let prev = last.by_file.get(file.as_str()).copied();
    let carry_over = last.carry_over;
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
        Some(p)
            if p.size == size
                && p.mtime_ns == mtime_ns
                && mtime_ns > 0
                && mtime_ns.saturating_add(RACY_NS) < last.started_ns
                && !p.sha256.is_empty() =>
        {
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
        && last.carry_failures
        && (p.stage != Some(Stage::Tag) || last.carry_tag_failures)
    {
        outcome.carried_failure = true;
        outcome.result = Err(DocFailure {
            file: file.clone(),
            stage: p.stage.unwrap_or(Stage::Extract),
            reason: p.reason.clone().unwrap_or_default(),
        });
        return outcome;
    }
    if let Some(p) = prev
        && carry_over
        && outcome.change == Change::Unchanged
        && p.status == "ok"
        && let Some(record) = &p.output
    {
        tracing::trace!("{file}: carried over from the last build");
        outcome.result = Ok(DocOutput {
            record: record.clone(),
            processed: None,
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
    outcome.result = analyse(&ex, rules).map(DocOutput::processed);
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
    /// Unchanged documents processed again (from the extraction cache)
    /// because the rules, the tool or its code changed.
    pub retagged: usize,
    /// Files parsed in this build.
    pub extracted: usize,
    /// Documents segmented and tagged from the extraction cache.
    pub from_cache: usize,
    /// Unchanged documents carried over from the last build as they were
    /// (not segmented, tagged, indexed or rendered again).
    pub carried_over: usize,
    /// True when nothing changed and the last build's outputs were kept
    /// as they are (no new generation written).
    pub kept_outputs: bool,
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
            "{} added, {} changed, {} removed, {} unchanged ({} re-tagged), {} failed; {} files read, {} from the extraction cache, {} carried over from the last build",
            self.added,
            self.changed,
            self.removed,
            self.unchanged,
            self.retagged,
            self.failures.len(),
            self.extracted,
            self.from_cache,
            self.carried_over
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
    #[error("{0} (`ystorfa build --rebuild` builds everything again)")]
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

/// Run the whole batch job over `files`: process what changed, carry the
/// rest over, write a new generation and swap it in (or keep the current
/// one when nothing changed).
pub fn build_files(
    files: &[PathBuf],
    out: &Path,
    rules: &RuleSet,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildSummary, BuildError> {
    let started = Instant::now();
    let _lock = OutputLock::acquire(out)?;
    let prev_gen = output::current_generation(out);
    let prev_dir = prev_gen.as_deref().unwrap_or(out);
    let prev = Manifest::load(prev_dir);
    tracing::debug!(
        "{} input files; the last build's manifest lists {}",
        files.len(),
        prev.files.len()
    );
    let previous = match (&prev_gen, opts.rebuild) {
        (_, true) => {
            tracing::debug!("--rebuild: every document is processed again");
            None
        }
        (None, false) => None,
        (Some(dir), false) => match write::Previous::check(dir, &prev, rules) {
            Ok(p) => Some(p),
            Err(why) => {
                tracing::debug!("nothing is carried over from the last build: {why}");
                None
            }
        },
    };
    let same_code = prev.tool_version == env!("CARGO_PKG_VERSION")
        && prev.output_fingerprint == manifest::OUTPUT_FINGERPRINT;
    let last = LastBuild {
        by_file: prev.by_file(),
        carry_over: previous.is_some(),
        carry_failures: same_code && !opts.retry_failed && !opts.rebuild,
        carry_tag_failures: prev.rules_version == rules.version(),
        started_ns: manifest::stat(&prev_dir.join(STARTED)).map_or(0, |(_, t)| t),
    };
    // Mark this build's start; the mark goes into its generation.
    let started_mark = out.join(STARTED);
    write_atomic(&started_mark, b"")?;
    let cache = ExtractCache::new(out);
    let extractor = match &opts.isolation {
        Some(iso) => Extractor::Workers(worker::Pool::new(iso.clone())),
        None => Extractor::InProcess,
    };
    let outcomes: Vec<FileOutcome> = files
        .par_iter()
        .map(|p| {
            let o = process_path(p, &last, &cache, rules, opts, &extractor);
            progress.file_done(&o);
            o
        })
        .collect();
    let mut summary = BuildSummary::default();
    let mut docs: Vec<(String, DocOutput)> = Vec::new();
    // The path of each document, should it have to be processed again.
    let mut paths: std::collections::HashMap<String, PathBuf> = Default::default();
    let mut rows = Vec::new();
    let mut entries = Vec::new();
    // Index in `docs` of the document each manifest entry describes.
    let mut entry_doc: Vec<Option<String>> = Vec::new();
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
            output: None,
        };
        let mut doc_at = None;
        match o.result {
            Ok(d) => {
                if let Some(first) = first_path.get(&d.record.doc_id) {
                    let reason = format!("same content as {first}");
                    rows.push(serde_json::json!({
                        "file": o.file, "status": "skipped", "reason": reason,
                    }));
                    entry.status = "skipped".into();
                    entry.reason = Some(reason);
                } else {
                    if d.carried_over() {
                        summary.carried_over += 1;
                    } else {
                        summary.from_cache += !o.extracted as usize;
                        summary.retagged += (o.change == Change::Unchanged) as usize;
                    }
                    first_path.insert(d.record.doc_id.clone(), o.file.clone());
                    rows.push(serde_json::json!({
                        "file": o.file, "status": "ok", "doc_id": d.record.doc_id,
                        "pages": d.record.pages,
                        "warnings": d.record.warnings,
                    }));
                    doc_at = Some(d.record.doc_id.clone());
                    paths.insert(d.record.doc_id.clone(), o.path.clone());
                    docs.push((o.file.clone(), d));
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
        entry_doc.push(doc_at);
    }
    let now: std::collections::BTreeSet<&str> = entries.iter().map(|e| e.file.as_str()).collect();
    summary.removed = prev
        .files
        .iter()
        .filter(|e| !now.contains(e.file.as_str()))
        .count();
    summary.documents = docs.len();
    for (_, d) in &docs {
        let r = &d.record;
        summary.pages += u64::from(r.pages);
        summary.passages += r.passages;
        summary.tags += r.tags;
        summary.recommendations += r.recommendations;
        summary.warnings += r.warnings.len();
    }
    let report = serde_json::json!({
        "tool_version": env!("CARGO_PKG_VERSION"),
        "rules_version": rules.version(),
        "files": rows,
    });
    let vocabulary = export::Vocabulary::of(rules);

    // Documents in the repository's order.
    docs.sort_by(|(fa, a), (fb, b)| {
        export::repository_key(fa, &a.record.doc_id)
            .cmp(&export::repository_key(fb, &b.record.doc_id))
    });
    let mut sorted: Vec<DocOutput> = docs.into_iter().map(|(_, d)| d).collect();

    let manifest_of = |sorted: &[DocOutput], mut entries: Vec<ManifestEntry>| {
        let by_id: std::collections::HashMap<&str, &DocRecord> = sorted
            .iter()
            .map(|d| (d.record.doc_id.as_str(), &d.record))
            .collect();
        for (e, id) in entries.iter_mut().zip(&entry_doc) {
            e.output = id.as_deref().map(|id| by_id[id].clone());
        }
        Manifest {
            tool_version: env!("CARGO_PKG_VERSION").into(),
            extract_fingerprint: manifest::EXTRACT_FINGERPRINT.into(),
            output_fingerprint: manifest::OUTPUT_FINGERPRINT.into(),
            rules_version: rules.version().into(),
            files: entries,
        }
    };
    let report_bytes = pretty(&report);
    // Nothing changed: every document carried over, none removed, and the
    // same report, manifest and vocabulary: the current generation stays.
    let prev_docs = prev.files.iter().filter(|e| e.status == "ok").count();
    if let (Some(dir), Some(_)) = (&prev_gen, &previous)
        && sorted.iter().all(DocOutput::carried_over)
        && sorted.len() == prev_docs
    {
        let manifest_bytes = pretty(&manifest_of(&sorted, entries.clone()));
        let same =
            |name: &str, bytes: &[u8]| std::fs::read(dir.join(name)).ok().as_deref() == Some(bytes);
        if same("manifest.json", &manifest_bytes)
            && same("report.json", &report_bytes)
            && same(export::VOCABULARY, &vocabulary.to_bytes())
        {
            tracing::debug!("nothing changed: the current outputs are kept");
            output::remove_stale(out)?;
            summary.kept_outputs = true;
            summary.seconds = started.elapsed().as_secs_f64();
            append_run_log(out, &summary);
            return Ok(summary);
        }
    }
    progress.phase("writing the index and repository");
    let generation = match write_outputs(out, previous.as_ref(), &mut sorted) {
        Ok(g) => g,
        Err(e) if previous.is_some() => {
            // The last generation passed its checks but could not be used
            // (a damaged segment file, say): process the documents it would
            // have supplied again, from the extraction cache, and write
            // everything afresh.
            tracing::warn!(
                "cannot carry documents over from the last build ({e}); processing them again"
            );
            let again = LastBuild {
                by_file: Default::default(),
                carry_over: false,
                carry_failures: false,
                carry_tag_failures: false,
                started_ns: 0,
            };
            for d in sorted.iter_mut().filter(|d| d.carried_over()) {
                let path = &paths[&d.record.doc_id];
                match process_path(path, &again, &cache, rules, opts, &extractor).result {
                    Ok(p) if p.record.doc_id == d.record.doc_id => {
                        *d = p;
                        summary.carried_over -= 1;
                        summary.from_cache += 1;
                    }
                    _ => return Err(e),
                }
            }
            write_outputs(out, None, &mut sorted)?
        }
        Err(e) => return Err(e),
    };
    // Stop the workers now: none is left behind, whatever happens next.
    drop(extractor);
    let t = Instant::now();
    let manifest = manifest_of(&sorted, entries);
    write_atomic(&generation.dir.join("report.json"), &report_bytes)?;
    write_atomic(&generation.dir.join("manifest.json"), &pretty(&manifest))?;
    write_atomic(
        &generation.dir.join(export::VOCABULARY),
        &vocabulary.to_bytes(),
    )?;
    // The mark of this build's start goes with its outputs.
    std::fs::rename(&started_mark, generation.dir.join(STARTED))
        .map_err(output::io_err(&started_mark))?;
    generation.commit(out)?;
    output::remove_stale(out)?;
    tracing::debug!(
        "report, manifest and vocabulary written, generation synced and made current in {:.2}s",
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

/// Create a generation and write its index and repository (carrying
/// documents over from `previous`); on failure the partial generation is
/// removed.
fn write_outputs(
    out: &Path,
    previous: Option<&write::Previous>,
    docs: &mut [DocOutput],
) -> Result<Generation, BuildError> {
    let generation = Generation::create(out)?;
    let result = (|| {
        let t = Instant::now();
        write::write_index(&generation.dir, previous, docs)?;
        tracing::debug!("index written in {:.2}s", t.elapsed().as_secs_f64());
        let t = Instant::now();
        write::write_repository(&generation.dir, previous, docs)?;
        tracing::debug!("repository written in {:.2}s", t.elapsed().as_secs_f64());
        Ok(())
    })();
    match result {
        Ok(()) => Ok(generation),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&generation.dir);
            Err(e)
        }
    }
}

/// Pretty JSON with a final newline.
fn pretty<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).expect("serialises");
    b.push(b'\n');
    b
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
        "from_cache": s.from_cache, "carried_over": s.carried_over,
        "kept_outputs": s.kept_outputs,
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

    /// What a researcher takes away, and what the next build relies on.
    fn outputs(out: &Path) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = export::FILES
            .iter()
            .map(|f| format!("repository/{f}"))
            .chain(["report.json".into(), "manifest.json".into()])
            .map(|f| {
                let bytes = std::fs::read(out.join(&f)).unwrap();
                (f, bytes)
            })
            .collect();
        v.push((
            "vocabulary.json".into(),
            std::fs::read(out.join("current").join(export::VOCABULARY)).unwrap(),
        ));
        v
    }

    fn assert_same_outputs(a: &Path, b: &Path) {
        for ((name, x), (_, y)) in outputs(a).iter().zip(outputs(b)) {
            assert!(
                *x == y,
                "{name} differs:\n{}\n---\n{}",
                String::from_utf8_lossy(x),
                String::from_utf8_lossy(&y)
            );
        }
        let ids = |out: &Path| {
            let idx = index::SearchIndex::open(&out.join("search")).unwrap();
            let res = idx
                .search(&index::SearchRequest {
                    query: "fictional".into(),
                    limit: 100,
                    ..Default::default()
                })
                .unwrap();
            let mut v: Vec<(String, String, usize)> = res
                .documents
                .iter()
                .map(|d| (d.doc_id.clone(), d.file.clone(), d.matched_passages))
                .collect();
            v.sort();
            v
        };
        assert_eq!(ids(a), ids(b), "the indexes hold other documents");
    }

    fn clean_build(input: &Path, dir: &Path, rules: &RuleSet) -> PathBuf {
        let out = dir.join(format!(
            "clean-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        build_dir(input, &out, rules, false);
        out
    }

    fn write_docs(input: &Path, docs: &[(&str, &str)]) {
        std::fs::create_dir_all(input).unwrap();
        for (name, extra) in docs {
            std::fs::write(input.join(name), format!("{FICTIONAL}\n{extra}\n")).unwrap();
        }
    }

    #[test]
    fn unchanged_documents_are_carried_over_and_the_bytes_match_a_clean_build() {
        let tmp = tempfile::tempdir().unwrap();
        let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
        write_docs(
            &input,
            &[
                ("a.txt", "A fictional note on housing."),
                ("b.txt", "A fictional note on stalking."),
                ("d.txt", "A fictional note on MARAC referrals."),
            ],
        );
        let rules = RuleSet::default_rules();
        let s1 = build_dir(&input, &out, &rules, false);
        assert_eq!((s1.documents, s1.carried_over), (3, 0));
        let first = output::current_generation(&out).unwrap();

        // Nothing changed: the outputs are kept, no generation is written.
        let s2 = build_dir(&input, &out, &rules, false);
        assert!(s2.kept_outputs);
        assert_eq!((s2.carried_over, s2.retagged, s2.extracted), (3, 0, 0));
        assert_eq!(output::current_generation(&out).unwrap(), first);

        // Change one, remove one, add one: only those are processed.
        write_docs(
            &input,
            &[
                ("a.txt", "A fictional note on housing, revised."),
                ("c.txt", "A fictional note on coercive control."),
            ],
        );
        std::fs::remove_file(input.join("b.txt")).unwrap();
        let s3 = build_dir(&input, &out, &rules, false);
        assert_eq!(
            (
                s3.added,
                s3.changed,
                s3.removed,
                s3.carried_over,
                s3.extracted
            ),
            (1, 1, 1, 1, 2)
        );
        assert!(!s3.kept_outputs);
        assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));

        // A file moved to another path is the same document under a new
        // name: processed again (its rows name the file), from the cache.
        std::fs::rename(input.join("d.txt"), input.join("z.txt")).unwrap();
        let s4 = build_dir(&input, &out, &rules, false);
        assert_eq!(
            (
                s4.added,
                s4.removed,
                s4.carried_over,
                s4.extracted,
                s4.from_cache
            ),
            (1, 1, 2, 0, 1)
        );
        assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));
    }

    #[test]
    fn a_last_generation_that_does_not_match_its_manifest_is_not_carried_over() {
        let tmp = tempfile::tempdir().unwrap();
        let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
        write_docs(
            &input,
            &[
                ("a.txt", "A fictional note on housing."),
                ("b.txt", "A fictional note on stalking."),
            ],
        );
        let rules = RuleSet::default_rules();
        build_dir(&input, &out, &rules, false);
        // Damage the record of where a.txt's rows are.
        let path = output::current_generation(&out)
            .unwrap()
            .join("manifest.json");
        let mut m: Manifest = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        m.files[0].output.as_mut().unwrap().rows[1][0] += 1;
        std::fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
        write_docs(
            &input,
            &[("c.txt", "A fictional note on coercive control.")],
        );
        let s = build_dir(&input, &out, &rules, false);
        assert_eq!((s.carried_over, s.from_cache, s.extracted), (0, 2, 1));
        assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));

        // The same when its rows were cut short.
        let gen_dir = output::current_generation(&out).unwrap();
        let tags = gen_dir.join("repository/passages.jsonl");
        let bytes = std::fs::read(&tags).unwrap();
        std::fs::remove_file(&tags).unwrap();
        std::fs::write(&tags, &bytes[..bytes.len() / 2]).unwrap();
        write_docs(&input, &[("d.txt", "A fictional note on MARAC.")]);
        let s = build_dir(&input, &out, &rules, false);
        assert_eq!(s.carried_over, 0);
        assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));
    }

    #[test]
    fn rebuild_processes_every_document_again() {
        let tmp = tempfile::tempdir().unwrap();
        let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
        write_docs(&input, &[("a.txt", "A fictional note on housing.")]);
        let rules = RuleSet::default_rules();
        build_dir(&input, &out, &rules, false);
        let opts = BuildOptions {
            rebuild: true,
            ..Default::default()
        };
        let s = build(
            std::slice::from_ref(&input),
            &out,
            &rules,
            &opts,
            &NoProgress,
        )
        .unwrap();
        assert_eq!((s.carried_over, s.retagged, s.extracted), (0, 1, 0));
        assert!(!s.kept_outputs);
    }

    #[test]
    fn a_copy_that_sorts_first_takes_over_a_carried_document() {
        let tmp = tempfile::tempdir().unwrap();
        let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
        write_docs(
            &input,
            &[
                ("m.txt", "A fictional note on housing."),
                ("n.txt", "A fictional note on stalking."),
            ],
        );
        let rules = RuleSet::default_rules();
        build_dir(&input, &out, &rules, false);
        // The same content as m.txt under a path that sorts before it: the
        // new path keeps the document, m.txt is reported as skipped.
        std::fs::copy(input.join("m.txt"), input.join("a-copy.txt")).unwrap();
        let s = build_dir(&input, &out, &rules, false);
        assert_eq!((s.documents, s.carried_over, s.from_cache), (2, 1, 1));
        assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));
        let report = std::fs::read_to_string(out.join("report.json")).unwrap();
        assert!(report.contains("same content as"), "{report}");
        // And back: the copy removed, m.txt keeps the document again.
        std::fs::remove_file(input.join("a-copy.txt")).unwrap();
        let s = build_dir(&input, &out, &rules, false);
        assert_eq!((s.documents, s.removed), (2, 1));
        assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));
    }

    #[test]
    fn a_file_rewritten_within_the_timestamp_granularity_is_hashed_again() {
        let tmp = tempfile::tempdir().unwrap();
        let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
        write_docs(&input, &[("a.txt", "A fictional note on housing.")]);
        let rules = RuleSet::default_rules();
        build_dir(&input, &out, &rules, false);
        // Same size, and the modification time put back as it was: only the
        // bytes differ (a rewrite within one tick of a coarse clock).
        let path = input.join("a.txt");
        let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
        write_docs(&input, &[("a.txt", "A fictional note on hostels.")]);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let s = build_dir(&input, &out, &rules, false);
        assert_eq!((s.changed, s.extracted), (1, 1));
        assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));
    }

    /// One change to the inputs or the rules between two builds.
    #[derive(Debug, Clone)]
    enum Step {
        /// Write file `k` with content variant `v` (the same variant in two
        /// files makes a duplicate; variant 0 has no text and fails).
        Write(usize, usize),
        Remove(usize),
        /// Build with the edited rules (true) or the default ones.
        Rules(bool),
        /// Build with --rebuild.
        Rebuild,
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        prop_oneof![
            4 => (0..5usize, 0..5usize).prop_map(|(k, v)| Step::Write(k, v)),
            2 => (0..5usize).prop_map(Step::Remove),
            1 => any::<bool>().prop_map(Step::Rules),
            1 => Just(Step::Rebuild),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 12,
            failure_persistence: None,
            ..Default::default()
        })]

        /// After any sequence of changes, an incremental build writes the
        /// same repository, report and manifest, and indexes the same
        /// documents, as a clean build of the final state.
        #[test]
        fn incremental_equals_clean_after_any_sequence(steps in proptest::collection::vec(step(), 1..7)) {
            let tmp = tempfile::tempdir().unwrap();
            let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
            std::fs::create_dir_all(&input).unwrap();
            let default = RuleSet::default_rules();
            let edited = RuleSet::from_toml(
                &format!("{}\n# edited\n", crate::rules::DEFAULT_RULES),
                "edited.toml",
            )
            .unwrap();
            let texts = [
                "",
                "A fictional note on housing and homelessness.",
                "A fictional note on stalking and harassment.",
                "A fictional note on coercive control; the victim was isolated.",
                "A fictional note on MARAC referrals and risk assessment.",
            ];
            let mut use_edited = false;
            write_docs(&input, &[("f0.txt", texts[1])]);
            build_dir(&input, &out, &default, false);
            for s in &steps {
                let mut rebuild = false;
                match s {
                    Step::Write(k, v) => {
                        let p = input.join(format!("f{k}.txt"));
                        if *v == 0 {
                            std::fs::write(&p, "  \n").unwrap();
                        } else {
                            std::fs::write(&p, format!("{FICTIONAL}\n{}\n", texts[*v])).unwrap();
                        }
                    }
                    Step::Remove(k) => {
                        let _ = std::fs::remove_file(input.join(format!("f{k}.txt")));
                    }
                    Step::Rules(e) => use_edited = *e,
                    Step::Rebuild => rebuild = true,
                }
                if std::fs::read_dir(&input).unwrap().count() == 0 {
                    write_docs(&input, &[("f0.txt", texts[1])]);
                }
                let rules = if use_edited { &edited } else { &default };
                let opts = BuildOptions { rebuild, ..Default::default() };
                build(std::slice::from_ref(&input), &out, rules, &opts, &NoProgress).unwrap();
                assert_same_outputs(&out, &clean_build(&input, tmp.path(), rules));
            }
        }
    }

    #[test]
    fn a_damaged_last_index_is_not_fatal_everything_is_processed_again() {
        let tmp = tempfile::tempdir().unwrap();
        let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
        write_docs(
            &input,
            &[
                ("a.txt", "A fictional note on housing."),
                ("b.txt", "A fictional note on stalking."),
            ],
        );
        let rules = RuleSet::default_rules();
        build_dir(&input, &out, &rules, false);
        // Truncate the segment files of the last generation's index (its
        // meta.json still opens, so the checks pass).
        let search = output::current_generation(&out).unwrap().join("search");
        for e in std::fs::read_dir(&search).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if !name.ends_with(".json") && !name.starts_with('.') {
                std::fs::remove_file(e.path()).unwrap();
                std::fs::write(e.path(), b"").unwrap();
            }
        }
        std::fs::remove_file(input.join("b.txt")).unwrap();
        write_docs(
            &input,
            &[("c.txt", "A fictional note on coercive control.")],
        );
        let s = build_dir(&input, &out, &rules, false);
        assert_eq!((s.documents, s.carried_over, s.from_cache), (2, 0, 1));
        assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));
    }

    #[test]
    fn failures_are_retried_when_the_code_changed_or_on_rebuild() {
        let tmp = tempfile::tempdir().unwrap();
        let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
        write_docs(&input, &[("a.txt", "A fictional note on housing.")]);
        std::fs::write(input.join("bad.pdf"), b"%PDF-1.7 broken").unwrap();
        let rules = RuleSet::default_rules();
        build_dir(&input, &out, &rules, false);
        let s = build_dir(&input, &out, &rules, false);
        assert_eq!((s.failures.len(), s.extracted), (1, 0), "carried over");
        // The last build made by other code: the failure is tried again.
        let path = output::current_generation(&out)
            .unwrap()
            .join("manifest.json");
        let mut m: Manifest = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        m.output_fingerprint = "other code".into();
        std::fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
        let s = build_dir(&input, &out, &rules, false);
        assert_eq!((s.failures.len(), s.extracted), (1, 1), "retried");
        let opts = BuildOptions {
            rebuild: true,
            ..Default::default()
        };
        let s = build(
            std::slice::from_ref(&input),
            &out,
            &rules,
            &opts,
            &NoProgress,
        )
        .unwrap();
        assert_eq!((s.failures.len(), s.extracted), (1, 1), "--rebuild retries");
    }
}
