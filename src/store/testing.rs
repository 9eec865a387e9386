//! Test helpers of other modules' tests that look inside or damage an
//! output folder (never in a release build): the layout stays the store's.

use super::*;

/// The folder of the current generation.
fn current(out: &Path) -> PathBuf {
    let name = current_generation_name(out).expect("a current generation");
    out.join(GENERATIONS).join(name)
}

/// Every file a researcher takes away and the next build relies on, by
/// path in the current generation: the repository (each segment), the
/// report, the manifest and the vocabulary.
pub(crate) fn outputs(out: &Path) -> Vec<(String, Vec<u8>)> {
    let dir = current(out);
    let mut v: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir.join(REPOSITORY))
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e.path().strip_prefix(&dir).unwrap().display().to_string();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    for name in [REPORT, MANIFEST, VOCABULARY] {
        v.push((name.into(), std::fs::read(dir.join(name)).unwrap()));
    }
    v
}

/// Rewrite the current generation's manifest through `f`, with its
/// checksum (as a build of other code would have written it).
pub(crate) fn edit_manifest(out: &Path, f: impl FnOnce(&mut Manifest)) {
    let dir = current(out);
    let path = dir.join(MANIFEST);
    let mut m: Manifest = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    f(&mut m);
    let bytes = pretty(&m);
    std::fs::write(
        dir.join(MANIFEST_SUM),
        generation::manifest_sum_line(&bytes),
    )
    .unwrap();
    std::fs::write(&path, bytes).unwrap();
}

/// Cut the first segment of `file` in the current generation to half its
/// length (a new file: the last generation's links are not touched).
pub(crate) fn truncate_segment(out: &Path, file: DocFile) {
    let path = segments::segment_path(&current(out).join(REPOSITORY), file, 0);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
}

/// Empty every segment file of the current index (its `meta.json` still
/// opens).
pub(crate) fn truncate_index(out: &Path) {
    let search = current(out).join(SEARCH);
    for e in std::fs::read_dir(&search).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !name.ends_with(".json") && !name.starts_with('.') {
            std::fs::remove_file(e.path()).unwrap();
            std::fs::write(e.path(), b"").unwrap();
        }
    }
}

/// Remove every segment file of `file` in the current generation.
pub(crate) fn remove_table(out: &Path, file: DocFile) {
    std::fs::remove_dir_all(current(out).join(REPOSITORY).join(file.name())).unwrap();
}
