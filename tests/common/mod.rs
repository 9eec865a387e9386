//! Helpers shared by the integration tests.

use std::path::PathBuf;

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
