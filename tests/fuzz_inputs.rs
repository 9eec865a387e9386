//! Replays the fuzz targets' committed inputs (`fuzz/seeds/TARGET/`, and
//! minimised findings kept as regression inputs in `fuzz/regressions/TARGET/`)
//! through the very bodies the fuzz targets run (`fuzz/fuzz_targets/common.rs`),
//! in the normal test suite and without libFuzzer. As under the fuzzer, a
//! panic anywhere but inside lopdf fails, even one the extractor catches.

#[allow(dead_code)]
#[path = "../fuzz/fuzz_targets/common.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Panics seen outside lopdf (file:line: message), from any thread.
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record_panics() {
    std::panic::set_hook(Box::new(|info| {
        if common::in_lopdf(info) {
            return;
        }
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        PANICS.lock().unwrap().push(format!("{at}: {msg}"));
    }));
}

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut out = Vec::new();
    for dir in ["seeds", "regressions"] {
        if let Ok(rd) = std::fs::read_dir(root.join(dir).join(target)) {
            out.extend(rd.map(|e| e.unwrap().path()).filter(|p| p.is_file()));
        }
    }
    out.sort();
    out
}

/// A fuzz target's name and body.
type Target = (&'static str, fn(&[u8]));

#[test]
fn committed_fuzz_inputs_run_without_panics() {
    record_panics();
    let targets: [Target; 4] = [
        ("extract_pdf", common::extract_pdf),
        ("extract_docx", common::extract_docx),
        ("content_stream", common::content_stream),
        ("to_unicode_cmap", common::to_unicode_cmap),
    ];
    let mut failures = Vec::new();
    for (target, body) in targets {
        let files = inputs(target);
        assert!(!files.is_empty(), "fuzz/seeds/{target}/ has inputs");
        for f in files {
            let data = std::fs::read(&f).unwrap();
            let escaped = std::panic::catch_unwind(|| body(&data)).is_err();
            let panics = std::mem::take(&mut *PANICS.lock().unwrap());
            if escaped || !panics.is_empty() {
                failures.push(format!("{target} {}: {panics:?}", f.display()));
            }
        }
    }
    let _ = std::panic::take_hook();
    assert!(failures.is_empty(), "panics:\n{}", failures.join("\n"));
}

/// The hand-written seeds are real PDFs the extractor reads, so the fuzzer
/// starts from inputs that reach the interpreter, not the parser's errors.
#[test]
fn hand_written_pdf_seeds_extract() {
    for f in inputs("extract_pdf") {
        let data = std::fs::read(&f).unwrap();
        let doc = ystorfa::extract::extract("seed.pdf", &data, &Default::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(
            !doc.plain_text().trim().is_empty(),
            "{}: no text",
            f.display()
        );
    }
    let pdf = common::page_with_content(b"BT /F1 12 Tf 72 720 Td (FICTIONAL EXAMPLE) Tj ET", b"");
    let doc = ystorfa::extract::extract("page.pdf", &pdf, &Default::default()).unwrap();
    assert!(doc.plain_text().contains("FICTIONAL EXAMPLE"));
}

/// The Word seeds are Word documents the reader reads, so the fuzzer
/// starts inside the XML, not at the ZIP's errors.
#[test]
fn word_seeds_extract() {
    for f in inputs("extract_docx") {
        let data = std::fs::read(&f).unwrap();
        let doc = ystorfa::extract::extract("seed.docx", &data, &Default::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let text = doc.plain_text();
        assert!(
            text.contains("1. Glanmor Police"),
            "{}: {text}",
            f.display()
        );
    }
}
