//! Fingerprints the extractor's source so that cached extraction results
//! (`OUT/cache/extract/`) are never reused across a change of the code that
//! made them.

use std::path::Path;

fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *hash ^= u64::from(*b);
        *hash = hash.wrapping_mul(0x100_0000_01b3);
    }
}

fn main() {
    let mut files = vec![Path::new("src/model.rs").to_path_buf()];
    if let Ok(rd) = std::fs::read_dir("src/extract") {
        for e in rd.flatten() {
            if e.path().extension().is_some_and(|x| x == "rs") {
                files.push(e.path());
            }
        }
    }
    files.sort();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        fnv1a(&mut hash, f.to_string_lossy().as_bytes());
        fnv1a(&mut hash, &std::fs::read(f).unwrap_or_default());
    }
    println!("cargo:rerun-if-changed=src/extract");
    println!("cargo:rustc-env=YSTORFA_EXTRACT_FINGERPRINT={hash:016x}");
}
