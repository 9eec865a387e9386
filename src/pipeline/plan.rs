//! Planning a build: compare every input file with the last build (size
//! and modification time, else its SHA-256) and decide, before any
//! document is processed, what each file needs: carried over as it was,
//! its earlier failure reported again, processed, or (the same content as
//! an earlier file) decided when that one is settled.

use super::process::DocFailure;
use super::{BuildOptions, display_path};
use crate::index;
use crate::model::sha256_hex;
use crate::rules::RuleSet;
use crate::store::{
    BuildLock, DocRecord, EntryStatus, Manifest, ManifestEntry, Reader, Stage, StoreError,
};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// How an input file compares with the last build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Changed,
    Unchanged,
}

/// A file modified less than this long before the last build started is
/// hashed again even when its size and modification time match (as git
/// does with "racily clean" files): a file rewritten within the file
/// system's timestamp granularity keeps its modification time.
const RACY_NS: u128 = 2_000_000_000;

/// What the last build left for this one.
pub(super) struct LastBuild {
    /// Its generation, pinned while this build reads it.
    pub(super) reader: Option<Reader>,
    pub(super) manifest: Manifest,
    /// Its documents may be carried over.
    pub(super) carry_over: bool,
    /// Files that failed in it, unchanged, fail again without being retried
    /// (same code; for a failure while tagging, the same rules too).
    carry_failures: bool,
    carry_tag_failures: bool,
    /// When it started (file system time, nanoseconds; 0 when unknown).
    started_ns: u128,
}

impl LastBuild {
    /// What the current generation of the locked output folder offers.
    pub(super) fn load(lock: &BuildLock, rules: &RuleSet, opts: &BuildOptions) -> LastBuild {
        let reader = lock.last();
        let manifest = match reader.as_ref().map(Reader::checked_manifest) {
            Some(Ok(m)) => m,
            // Nothing it says can be trusted: every file is new to this build.
            Some(Err(e)) => {
                NoCarry::of(e).say();
                Manifest::default()
            }
            None => Manifest::default(),
        };
        let carry_over = match &reader {
            _ if opts.rebuild => {
                tracing::debug!("--rebuild: every document is processed again");
                false
            }
            None => false,
            Some(r) => match carry_check(r, &manifest, rules) {
                Ok(()) => true,
                Err(why) => {
                    why.say();
                    false
                }
            },
        };
        let same_code = manifest.tool_version == env!("CARGO_PKG_VERSION")
            && manifest.output_fingerprint == crate::store::OUTPUT_FINGERPRINT;
        LastBuild {
            started_ns: reader.as_ref().map_or(0, Reader::started_ns),
            carry_failures: same_code && !opts.retry_failed && !opts.rebuild,
            carry_tag_failures: manifest.rules_version == rules.version(),
            reader,
            manifest,
            carry_over,
        }
    }

    /// Nothing of the last build is carried over (its generation is unusable).
    pub(super) fn forget_outputs(&mut self) {
        self.carry_over = false;
    }
}

/// Whether documents of the generation `r` (described by `manifest`) can be
/// carried into a build with `rules`: written by the same tool, code and
/// rules; its index opens with the current schema; its repository files
/// are as the manifest describes. Otherwise why not (every document is then
/// processed again, from the extraction cache).
fn carry_check(r: &Reader, manifest: &Manifest, rules: &RuleSet) -> Result<(), NoCarry> {
    if manifest.files.is_empty() {
        return Err(NoCarry::Changed("there is no last build".into()));
    }
    if manifest.rules_version != rules.version() {
        return Err(NoCarry::Changed(format!(
            "the rules changed (version {} -> {})",
            manifest.rules_version,
            rules.version()
        )));
    }
    if !manifest.same_code() {
        return Err(NoCarry::Changed(
            "the last build was made by another version of ystorfa".into(),
        ));
    }
    let idx =
        index::open(&r.search_dir()).map_err(|e| NoCarry::Damaged(format!("its index: {e}")))?;
    if idx.schema() != index::schema() {
        return Err(NoCarry::Changed("its index has another schema".into()));
    }
    let read = r.verify(manifest).map_err(NoCarry::Damaged)?;
    tracing::debug!("the last build's files checked: {read} read, the others unchanged since");
    Ok(())
}

/// Why nothing of the last build is carried over.
#[derive(Debug)]
enum NoCarry {
    /// The rules or the code changed, or there is none: expected.
    Changed(String),
    /// Something in it is not as the build that wrote it left it: said
    /// at the default verbosity, as people should know.
    Damaged(String),
}

impl NoCarry {
    fn of(e: StoreError) -> NoCarry {
        match e {
            StoreError::Damaged { .. } => NoCarry::Damaged(e.to_string()),
            e => NoCarry::Changed(e.to_string()),
        }
    }

    fn say(&self) {
        match self {
            NoCarry::Changed(why) => {
                tracing::debug!("nothing is carried over from the last build: {why}")
            }
            NoCarry::Damaged(why) => tracing::warn!(
                "the last build's outputs are damaged ({why}): every document is processed again, from the extraction cache, and the damage is not carried forward"
            ),
        }
    }
}

/// What a file needs in this build.
#[derive(Debug, Clone)]
pub(super) enum Action {
    /// Carried over from the last generation as it was.
    Carry(DocRecord),
    /// Failed before, unchanged: reported again without being retried.
    CarriedFailure(DocFailure),
    /// Could not even be read or hashed.
    Failed(DocFailure),
    /// Segmented and tagged (extracted first, unless the cache has it).
    Process,
}

/// One input file, compared with the last build.
#[derive(Debug, Clone)]
pub(super) struct Planned {
    pub(super) path: PathBuf,
    pub(super) file: String,
    pub(super) sha256: String,
    pub(super) size: u64,
    pub(super) mtime_ns: u128,
    pub(super) change: Change,
    pub(super) action: Action,
    /// An earlier file has the same content: this one is settled after it
    /// (skipped when it holds the document, else processed).
    pub(super) duplicate: bool,
}

/// Plan every file (in parallel: stat, and hash what may have changed).
pub(super) fn plan(files: &[PathBuf], last: &LastBuild) -> Vec<Planned> {
    let by_file = last.manifest.by_file();
    let mut planned: Vec<Planned> = files
        .par_iter()
        .map(|p| plan_file(p, by_file.get(display_path(p).as_str()).copied(), last))
        .collect();
    // The same content under two paths is one document: the first path (in
    // repository order) keeps it.
    let mut seen = HashSet::new();
    for p in &mut planned {
        if p.sha256.is_empty() {
            continue;
        }
        p.duplicate = !seen.insert(p.sha256.clone());
        if p.duplicate && matches!(p.action, Action::Carry(_)) {
            p.action = Action::Process;
        }
    }
    planned
}

fn plan_file(path: &Path, prev: Option<&ManifestEntry>, last: &LastBuild) -> Planned {
    let file = display_path(path);
    let mut p = Planned {
        path: path.to_path_buf(),
        file: file.clone(),
        sha256: String::new(),
        size: 0,
        mtime_ns: 0,
        change: Change::Added,
        action: Action::Process,
        duplicate: false,
    };
    let read_fail =
        |e: std::io::Error| Action::Failed(DocFailure::new(&file, Stage::Read, e.to_string()));
    match stat(path) {
        Ok((size, mtime_ns)) => (p.size, p.mtime_ns) = (size, mtime_ns),
        Err(e) => {
            p.action = read_fail(e);
            return p;
        }
    }
    p.sha256 = match prev {
        Some(e)
            if e.size == p.size
                && e.mtime_ns == p.mtime_ns
                && p.mtime_ns > 0
                && p.mtime_ns.saturating_add(RACY_NS) < last.started_ns
                && !e.sha256.is_empty() =>
        {
            e.sha256.clone()
        }
        _ => match super::read_input(path) {
            Ok(b) => sha256_hex(&b),
            Err(e) => {
                p.action = read_fail(e);
                return p;
            }
        },
    };
    p.change = match prev {
        None => Change::Added,
        Some(e) if e.sha256 == p.sha256 => Change::Unchanged,
        Some(_) => Change::Changed,
    };
    if p.change == Change::Unchanged
        && let Some(e) = prev
    {
        p.action = match &e.status {
            EntryStatus::Failed { stage, reason }
                if last.carry_failures && (*stage != Stage::Tag || last.carry_tag_failures) =>
            {
                Action::CarriedFailure(DocFailure::new(&file, *stage, reason.clone()))
            }
            EntryStatus::Ok { output } if last.carry_over => Action::Carry(output.clone()),
            _ => Action::Process,
        };
    }
    p
}

/// Size and modification time of a file, to compare with the manifest.
fn stat(path: &Path) -> std::io::Result<(u64, u128)> {
    let m = std::fs::metadata(path)?;
    let mtime = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok((m.len(), mtime))
}

/// The ids of the last generation's documents that this build does not
/// carry over (removed from the index it updates).
pub(super) fn not_carried<'a>(last: &'a Manifest, planned: &[Planned]) -> Vec<&'a str> {
    let carried: HashSet<&str> = planned
        .iter()
        .filter_map(|p| match &p.action {
            Action::Carry(r) => Some(r.doc_id.as_str()),
            _ => None,
        })
        .collect();
    let ids: BTreeMap<&str, ()> = last
        .documents()
        .map(|r| (r.doc_id.as_str(), ()))
        .filter(|(id, _)| !carried.contains(id))
        .collect();
    ids.into_keys().collect()
}

/// The same plan with nothing carried over: documents it carried are
/// processed instead (from the extraction cache).
pub(super) fn without_carrying(planned: Vec<Planned>) -> Vec<Planned> {
    planned
        .into_iter()
        .map(|mut p| {
            if matches!(p.action, Action::Carry(_)) {
                p.action = Action::Process;
            }
            p
        })
        .collect()
}
