//! Fingerprints the source so that nothing a build saved is reused across a
//! change of the code that made it:
//!
//! * `YSTORFA_EXTRACT_FINGERPRINT`: the extractor (`src/model.rs`,
//!   `src/extract/`), naming the extraction cache (`OUT/cache/extract/`);
//! * `YSTORFA_OUTPUT_FINGERPRINT`: every stage that shapes the index and
//!   the repository (with the store's encoding of rows, `src/store/codec.rs`,
//!   and `Cargo.lock`, for the dependencies' versions; without the files
//!   of `src/index/` that only read an index),
//!   recorded in the manifest: an unchanged document's index entries and
//!   repository rows are carried over from the last build only when it
//!   was made by the same code;
//! * `YSTORFA_AGGREGATE_FINGERPRINT`: what builds the tables aggregated
//!   over all documents (`src/patterns/`, `src/pipeline/aggregate.rs`),
//!   which every build that writes a generation makes again: left out of
//!   the output fingerprint, so a change of grouping does not process
//!   every document again, and recorded beside it, so a build with new
//!   grouping code does not keep the last generation as it is. With the
//!   output fingerprint (which covers the index's analysis) it names the
//!   grouping cache.

use std::path::{Path, PathBuf};

fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *hash ^= u64::from(*b);
        *hash = hash.wrapping_mul(0x100_0000_01b3);
    }
}

/// `.rs` files under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
}

fn fingerprint(mut files: Vec<PathBuf>) -> String {
    files.sort();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        fnv1a(&mut hash, f.to_string_lossy().as_bytes());
        fnv1a(&mut hash, &std::fs::read(f).unwrap_or_default());
    }
    format!("{hash:016x}")
}

fn main() {
    let mut extract = vec![PathBuf::from("src/model.rs")];
    rust_files(Path::new("src/extract"), &mut extract);
    let mut output = extract.clone();
    for stage in [
        "segment", "rules", "tag", "index", "export", "patterns", "pipeline",
    ] {
        rust_files(&Path::new("src").join(stage), &mut output);
        output.push(Path::new("src").join(format!("{stage}.rs")));
    }
    // How the store encodes rows shapes the repository's bytes too.
    output.push(PathBuf::from("src/store/codec.rs"));
    output.push(PathBuf::from("Cargo.lock"));
    output.retain(|p| p.exists());
    // The index's read side (searching, counting, ranking, snippets, and
    // the tests) does not shape what a build writes: a change to it must
    // not process every document again.
    let read_side = [
        "search", "collect", "rank", "docmap", "facets", "skip", "query", "snippet", "tests",
        "fixtures",
    ];
    output.retain(|p| {
        !read_side
            .iter()
            .any(|f| p == &Path::new("src/index").join(format!("{f}.rs")))
    });
    let aggregate_sources =
        |p: &PathBuf| p.starts_with("src/patterns") || p == Path::new("src/pipeline/aggregate.rs");
    let aggregate: Vec<PathBuf> = output
        .iter()
        .filter(|p| aggregate_sources(p))
        .cloned()
        .collect();
    output.retain(|p| !aggregate_sources(p));
    for dir in [
        "src/extract",
        "src/segment",
        "src/rules",
        "src/tag",
        "src/index",
        "src/export",
        "src/patterns",
        "src/pipeline",
    ] {
        println!("cargo:rerun-if-changed={dir}");
    }
    println!(
        "cargo:rustc-env=YSTORFA_EXTRACT_FINGERPRINT={}",
        fingerprint(extract)
    );
    println!(
        "cargo:rustc-env=YSTORFA_OUTPUT_FINGERPRINT={}",
        fingerprint(output)
    );
    println!(
        "cargo:rustc-env=YSTORFA_AGGREGATE_FINGERPRINT={}",
        fingerprint(aggregate)
    );
}
