//! Pipeline: the batch job. Finds input files ([`discover`]), compares them
//! with the last build (`plan`: the manifest's content hashes), and
//! streams every document through the stages into a new generation of the
//! output folder (`stream`): unchanged documents are carried over whole
//! from the last generation, the others processed (from the extraction
//! cache when it has them), in parallel, a bounded window at a time, and
//! settled in repository order (`ledger`). The output folder is the
//! store's: the pipeline writes through [`crate::store`], which swaps the
//! generation in atomically when complete.
//!
//! Extraction (the stage that parses untrusted PDFs) runs either in process
//! (panics caught) or, with [`BuildOptions::isolation`] set, in supervised
//! worker processes ([`worker`]) under a wall-time and memory limit, so a
//! document that hangs, aborts or exhausts memory fails alone.

mod aggregate;
mod discover;
mod ledger;
mod memory;
mod plan;
mod process;
mod shortage;
mod stream;
pub mod worker;

pub use crate::store::Stage;
pub use aggregate::regroup;
pub use discover::{INPUT_EXTENSIONS, discover, display_path, read_input, sort_for_repository};
pub use ledger::{DocOutput, FileOutcome, Outcome};
pub use memory::write_processed;
pub use plan::Change;
pub use process::{
    AnalysisLimits, DocFailure, MEMORY_PER_TEXT_BYTE, analyse, extract_bytes, process_bytes,
    process_file,
};
pub use shortage::Shortage;
pub use worker::Isolation;

use crate::extract::Limits;
use crate::rules::RuleSet;
use crate::store::{BuildLock, RunRecord, StoreError};
use std::path::{Path, PathBuf};
use std::time::Instant;

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
    /// Per-document bounds on segmenting and tagging (in either mode).
    pub analysis: AnalysisLimits,
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

    /// The build's line in the log of runs.
    fn run_record(&self) -> RunRecord {
        RunRecord {
            finished_unix: unix_now(),
            seconds: self.seconds,
            documents: self.documents,
            added: self.added,
            changed: self.changed,
            removed: self.removed,
            unchanged: self.unchanged,
            retagged: self.retagged,
            failed: self.failures.len(),
            extracted: self.extracted,
            from_cache: self.from_cache,
            carried_over: self.carried_over,
            kept_outputs: self.kept_outputs,
            error: None,
        }
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
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
    Store(#[from] StoreError),
    #[error("{0} (`ystorfa build --rebuild` builds everything again)")]
    Index(#[from] crate::index::IndexError),
    /// No extraction worker could be started: the machine's fault, not the
    /// documents'; nothing of this build is kept.
    #[error(
        "{0}; nothing was changed (check the limits this build runs under, e.g. `ulimit -v`, against --max-memory)"
    )]
    Worker(#[from] worker::StartFailure),
    /// The machine ran short of disk space or file descriptors: not the
    /// documents' fault, nor the last build's.
    #[error("{}{shortage}; nothing was changed: {}", .path.as_ref().map(|p| format!("{p}: ")).unwrap_or_default(), .shortage.remedy())]
    Shortage {
        shortage: Shortage,
        /// Where it was met, when the error says.
        path: Option<String>,
    },
}

impl BuildError {
    /// The same error, said as the shortage behind it when the machine ran
    /// short of something (at the path the error names, if it does).
    fn classify(self) -> BuildError {
        match &self {
            BuildError::Shortage { .. } => return self,
            // A worker that cannot start for want of file descriptors.
            BuildError::Worker(s) => {
                return match Shortage::in_text(&s.reason) {
                    Some(shortage) => BuildError::Shortage {
                        shortage,
                        path: Some(s.exe.clone()),
                    },
                    None => self,
                };
            }
            _ => {}
        }
        let Some((shortage, at)) = Shortage::of_error(&self) else {
            return self;
        };
        let path = match (at, &self) {
            (Some(p), _) => Some(p.display().to_string()),
            (None, BuildError::Io { path, .. })
            | (None, BuildError::Store(StoreError::Io { path, .. })) => Some(path.clone()),
            (None, _) => None,
        };
        BuildError::Shortage { shortage, path }
    }

    /// Whether the machine, not the documents or the last build, stopped
    /// the build (then processing the last build's documents again would
    /// not help).
    fn is_the_machines(&self) -> bool {
        matches!(self, BuildError::Shortage { .. } | BuildError::Worker(_))
    }
}

/// Run the whole batch job over the files found in `inputs`.
pub fn build(
    inputs: &[PathBuf],
    out: &Path,
    rules: &RuleSet,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildSummary, BuildError> {
    let t = Instant::now();
    let files = discover(inputs).map_err(|e| BuildError::Io {
        path: inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        source: e,
    })?;
    tracing::debug!(
        "{} input files found in {:.2}s",
        files.len(),
        t.elapsed().as_secs_f64()
    );
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
    let lock = BuildLock::acquire(out)?;
    match run(&lock, files, rules, opts, progress) {
        Ok(summary) => Ok(finish(&lock, summary, started)),
        Err(e) => {
            let e = e.classify();
            lock.append_run(&RunRecord {
                finished_unix: unix_now(),
                seconds: started.elapsed().as_secs_f64(),
                error: Some(e.to_string()),
                ..RunRecord::default()
            });
            Err(e)
        }
    }
}

/// The build under its lock (see [`build_files`]).
fn run(
    lock: &BuildLock,
    files: &[PathBuf],
    rules: &RuleSet,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildSummary, BuildError> {
    // What failed or killed builds left behind goes first: on a full disk,
    // that is room this build may need.
    let t = Instant::now();
    lock.sweep();
    let mut last = plan::LastBuild::load(lock, rules, opts);
    tracing::debug!(
        "the last build's outputs opened and checked in {:.2}s",
        t.elapsed().as_secs_f64()
    );
    lock.mark_start()?;
    let mut files = files.to_vec();
    sort_for_repository(&mut files);
    let t = Instant::now();
    let planned = plan::plan(&files, &last);
    tracing::debug!(
        "{} input files planned in {:.2}s; the last build's manifest lists {}",
        files.len(),
        t.elapsed().as_secs_f64(),
        last.manifest.files.len()
    );
    let vocabulary = crate::export::Vocabulary::of(rules);
    if let Some(summary) = keep_if_unchanged(lock, &planned, &last, rules, &vocabulary, progress)? {
        return Ok(summary);
    }
    let mut job = stream::Job {
        rules,
        opts,
        cache: lock.cache(),
        extractor: match &opts.isolation {
            Some(iso) => stream::Extractor::Workers(worker::Pool::new(iso.clone())),
            None => stream::Extractor::InProcess,
        },
        progress,
        extracted: Default::default(),
        fatal: Default::default(),
    };
    let written = stream::write(&job, lock, &planned, &last).map_err(|e| e.classify());
    let (generation, ledger) = match written {
        Ok(written) => written,
        Err(e) if last.carry_over && !e.is_the_machines() => {
            // The last generation passed its checks but could not be used
            // (a damaged segment file, say): process the documents it would
            // have supplied again, from the extraction cache.
            tracing::warn!(
                "cannot carry documents over from the last build ({e}); processing them again"
            );
            progress.phase("processing the documents of the last build again");
            last.forget_outputs();
            job.progress = &NoProgress;
            let again = plan::without_carrying(planned);
            stream::write(&job, lock, &again, &last)?
        }
        Err(e) => return Err(e),
    };
    // Stop the workers now: none is left behind, whatever happens next.
    drop(job);
    progress.phase("writing the report and manifest");
    let recorded = ledger.finish(&last.manifest, rules.version());
    progress.phase("grouping recurring recommendations");
    let mut generation = generation;
    let aggregates = aggregate::aggregate(&mut generation, rules, recorded.themes)?;
    let t = Instant::now();
    let manifest =
        generation.commit(&recorded.report, recorded.manifest, &vocabulary, aggregates)?;
    tracing::debug!(
        "report, manifest and vocabulary written, generation synced and made current in {:.2}s",
        t.elapsed().as_secs_f64()
    );
    // Let go of the last generation, remove what nothing uses, then stamp
    // what the new one holds for the next build's check.
    let t = Instant::now();
    drop(last);
    lock.collect(&manifest)?;
    lock.stamp_current(&manifest);
    tracing::debug!(
        "what no generation uses removed in {:.2}s",
        t.elapsed().as_secs_f64()
    );
    Ok(recorded.summary)
}

/// When nothing changed (every file settled without processing, and the
/// same report, manifest and vocabulary as the current generation's), keep
/// the current generation: no new one is written.
fn keep_if_unchanged(
    lock: &BuildLock,
    planned: &[plan::Planned],
    last: &plan::LastBuild,
    rules: &RuleSet,
    vocabulary: &crate::export::Vocabulary,
    progress: &dyn Progress,
) -> Result<Option<BuildSummary>, BuildError> {
    let Some(reader) = last.reader.as_ref().filter(|_| last.carry_over) else {
        return Ok(None);
    };
    let Some((ledger, outcomes)) = stream::settle_without_processing(planned) else {
        return Ok(None);
    };
    let recorded = ledger.finish(&last.manifest, rules.version());
    let mut manifest = recorded.manifest;
    manifest.segments = last.manifest.segments.clone();
    if !lock.keep(reader, &recorded.report, &manifest, vocabulary)? {
        return Ok(None);
    }
    tracing::debug!("nothing changed: the current outputs are kept");
    for o in &outcomes {
        progress.file_done(o);
    }
    let mut summary = recorded.summary;
    summary.kept_outputs = true;
    Ok(Some(summary))
}

/// Time the build and log it in the output folder's log of runs.
fn finish(lock: &BuildLock, mut summary: BuildSummary, started: Instant) -> BuildSummary {
    summary.seconds = started.elapsed().as_secs_f64();
    lock.append_run(&summary.run_record());
    summary
}

#[cfg(test)]
mod tests;
