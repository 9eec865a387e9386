//! Garbage collection: what no generation uses goes. Generations that are
//! not current (unless a reader holds one), leftovers of killed builds
//! (temporary links, half-written generations), the index files tantivy
//! merged away, and cache entries of documents no longer in the manifest.
//! [`audit`] lists whatever is left that the layout does not account for
//! (tests and benchmarks check it is nothing).

use super::reader::{generations_dir, pinned};
use super::{
    CACHE, CURRENT, DocFile, EXPORT_PREFIX, EntryStatus, ExtractCache, GENERATIONS, GroupingCache,
    LOCK, MANIFEST, MANIFEST_SUM, Manifest, PIN, PUBLIC_NAMES, RECOMMENDATION_GROUPS_FILE, REPORT,
    REPOSITORY, RUNS, Reader, SEARCH, STARTED, StoreError, THEMES_FILE, VOCABULARY,
    current_generation_name, io_err,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The files of the index in `search` that it uses (its `meta.json` names
/// them), with tantivy's own bookkeeping files.
pub fn live_search_files(search: &Path) -> Result<BTreeSet<String>, StoreError> {
    crate::index::live_files(search).map_err(|e| StoreError::Unreadable {
        path: search.display().to_string(),
        message: e.to_string(),
    })
}

/// Remove the files of the index in `search` that it does not use
/// (segments merged away); returns how many.
pub(super) fn prune_search(search: &Path) -> Result<usize, StoreError> {
    let live = live_search_files(search)?;
    let mut removed = 0;
    for path in unused_search_files(search, &live) {
        std::fs::remove_file(&path).map_err(io_err(&path))?;
        removed += 1;
    }
    if removed > 0 {
        tracing::debug!("removed {removed} index files merged away");
    }
    Ok(removed)
}

fn unused_search_files(search: &Path, live: &BTreeSet<String>) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(search)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            !live.contains(&name) && !crate::index::is_lock_file(&name)
        })
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

/// Temporary names of killed builds in `OUT` (`.current-<id>`, `.<name>-link-<pid>`).
fn is_leftover(name: &str) -> bool {
    name.starts_with(&format!(".{CURRENT}-")) || (name.starts_with('.') && name.contains("-link-"))
}

/// Remove every generation but the current one and those readers hold,
/// and the leftovers of killed builds. Best effort: what cannot be removed
/// now is tried again by the next build.
pub(super) fn sweep(out: &Path) {
    let current = current_generation_name(out);
    for dir in stale_generations(out, current.as_deref()) {
        if let Err(e) = remove_generation(&dir) {
            tracing::warn!("cannot remove the old generation {}: {e}", dir.display());
        }
    }
    for e in std::fs::read_dir(out).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if is_leftover(&name) {
            let p = e.path();
            let _ = if p.is_dir() && !p.is_symlink() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
        }
    }
}

/// Generations that are neither current nor held by a reader.
fn stale_generations(out: &Path, current: Option<&str>) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(generations_dir(out))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| Some(e.file_name().to_string_lossy().as_ref()) != current)
        .map(|e| e.path())
        .filter(|p| !pinned(p))
        .collect();
    v.sort();
    v
}

/// Remove a generation no reader holds: lock its pin, move it out of the
/// way (a reader arriving late finds nothing), then delete it.
fn remove_generation(dir: &Path) -> Result<(), StoreError> {
    let lock = std::fs::File::open(dir.join(PIN)).ok();
    if let Some(f) = &lock
        && f.try_lock().is_err()
    {
        return Ok(());
    }
    let name = dir.file_name().map(|n| n.to_string_lossy().to_string());
    let trash = dir.with_file_name(format!(".removing-{}", name.unwrap_or_default()));
    let target = match std::fs::rename(dir, &trash) {
        Ok(()) => trash,
        Err(_) => dir.to_path_buf(),
    };
    std::fs::remove_dir_all(&target).map_err(io_err(&target))
}

/// Every path under `out` the layout does not account for: files of no
/// generation (stale generations no reader holds, leftovers of killed
/// builds), index files the current index does not use, repository files
/// its manifest does not list, cache entries of documents no longer in
/// it, and anything put in the cache folder by hand (which builds leave
/// alone). Empty after any sequence of completed builds in a folder only
/// ystorfa writes.
pub fn audit(out: &Path) -> Vec<PathBuf> {
    let mut odd = Vec::new();
    let current = current_generation_name(out);
    for e in std::fs::read_dir(out).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let p = e.path();
        let known = match name.as_str() {
            LOCK | RUNS | CACHE | GENERATIONS => true,
            CURRENT => p.is_symlink(),
            n if PUBLIC_NAMES.contains(&n) => p.is_symlink(),
            n => n.starts_with(EXPORT_PREFIX) && p.is_dir(),
        };
        if !known {
            odd.push(p);
        }
    }
    odd.extend(stale_generations(out, current.as_deref()));
    let Ok(reader) = Reader::open(out) else {
        return odd;
    };
    let manifest = reader.manifest().unwrap_or_default();
    if let Some(name) = current {
        odd.extend(audit_generation(
            &generations_dir(out).join(name),
            &manifest,
        ));
    }
    let cache = ExtractCache::new(out);
    let keep: BTreeSet<&str> = manifest
        .files
        .iter()
        .filter(|e| !matches!(e.status, EntryStatus::Failed { .. }))
        .map(|e| e.sha256.as_str())
        .collect();
    odd.extend(cache.unused(&keep));
    odd.extend(cache.unknown());
    odd.extend(cache.other_versions());
    odd.extend(ExtractCache::strangers(out));
    let grouping = GroupingCache::new(out, &manifest.rules_version);
    odd.extend(grouping.unused(&recommendation_segments(&manifest)));
    odd.extend(grouping.unknown());
    odd.extend(grouping.other_versions());
    odd.extend(super::checked::Checked::unused(
        out,
        Some(reader.generation()),
    ));
    odd.sort();
    odd
}

/// The SHA-256 of each segment of `recommendations.jsonl` the manifest
/// lists: the grouping cache entries in use.
pub(super) fn recommendation_segments(manifest: &Manifest) -> BTreeSet<&str> {
    manifest
        .segments
        .iter()
        .filter_map(|s| s.sha256.get(&DocFile::Recommendations))
        .map(String::as_str)
        .collect()
}

/// What in one generation its layout and manifest do not account for.
fn audit_generation(dir: &Path, manifest: &Manifest) -> Vec<PathBuf> {
    let mut odd = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let ok = [
            SEARCH,
            REPOSITORY,
            REPORT,
            MANIFEST,
            MANIFEST_SUM,
            VOCABULARY,
            STARTED,
            PIN,
        ];
        if !ok.contains(&name.as_str()) {
            odd.push(e.path());
        }
    }
    let search = dir.join(SEARCH);
    match live_search_files(&search) {
        Ok(live) => odd.extend(unused_search_files(&search, &live)),
        Err(_) => odd.push(search),
    }
    let repo = dir.join(REPOSITORY);
    for e in std::fs::read_dir(&repo).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name == THEMES_FILE || name == RECOMMENDATION_GROUPS_FILE {
            continue;
        }
        let Some(&table) = DocFile::ALL.iter().find(|f| f.name() == name) else {
            odd.push(e.path());
            continue;
        };
        let segments: BTreeSet<String> =
            Reader::segment_names(manifest, table).into_iter().collect();
        for s in std::fs::read_dir(e.path()).into_iter().flatten().flatten() {
            if !segments.contains(s.file_name().to_string_lossy().as_ref()) {
                odd.push(s.path());
            }
        }
    }
    odd
}
