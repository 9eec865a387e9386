//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

#[allow(dead_code)]
pub mod damage;
#[cfg(feature = "serve")]
#[allow(dead_code)]
pub mod server;

/// `../shared/<sub>` beside the checkout, where the real documents and
/// benchmarks live. Returns None (after saying so) on a newcomer's machine
/// without it; panics in CI (`CI=true`), where a missing folder must not
/// let tests pass silently.
#[allow(dead_code)]
pub fn shared(sub: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(sub);
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
        panic!(
            "{} is missing, and CI=true: this test needs it",
            p.display()
        );
    }
    eprintln!(
        "SKIPPED: {} is missing (tests on real documents skipped)",
        p.display()
    );
    None
}

/// A repository table as `build` writes it: the files of its folder
/// (`repository/<table>/`) concatenated in name order, decompressed
/// (`zstdcat`) when they are `.jsonl.zst`.
#[allow(dead_code)]
pub fn table(out: &Path, name: &str) -> String {
    let dir = out.join("repository").join(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            if f.extension().is_some_and(|x| x == "zst") {
                let bytes = zstd::decode_all(std::fs::File::open(f).unwrap()).unwrap();
                String::from_utf8(bytes).unwrap()
            } else {
                std::fs::read_to_string(f).unwrap()
            }
        })
        .collect()
}

/// Every file under `dir` (recursively) by relative path, with its bytes.
#[allow(dead_code)]
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e.path().strip_prefix(dir).unwrap().display().to_string();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}
