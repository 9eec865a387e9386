//! The real `ystorfa serve` binary in a temp directory: it starts only with
//! a build to serve, refuses non-loopback addresses without a token, and
//! keeps answering (from the previous build) while a new build replaces the
//! index, then serves the new one.
#![cfg(feature = "serve")]

mod common;

use common::server::{get, serve};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ystorfa"))
}

fn corpus_pdf(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(name)
}

fn build(input: &Path, out: &Path) {
    let o = Command::new(bin())
        .args(["build", "-q", "--in-process"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run build");
    assert!(
        o.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn status_of(base: &str) -> serde_json::Value {
    let (code, body) = get(&format!("{base}/api/status"));
    assert_eq!(code, 200, "{body}");
    serde_json::from_str(&body).expect("json")
}

#[test]
fn serves_a_build_and_switches_to_the_next_without_a_gap() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for name in [
        "dhr-glanmor-overview-2024-ffion.pdf",
        "cpr-glanmor-concise-2024-child-g.pdf",
    ] {
        std::fs::copy(corpus_pdf(name), input.join(name)).unwrap();
    }
    let out = tmp.path().join("out");
    build(&input, &out);
    let server = serve(&out);
    let base = &server.base;

    let first = status_of(base);
    assert_eq!(first["documents"], 2);
    let (code, page) = get(&format!("{base}/search?q=%22coercive+control%22"));
    assert_eq!(code, 200);
    assert!(page.contains("<mark>"), "{page}");
    let (code, api) = get(&format!("{base}/api/search?q=risk&kind=dhr"));
    assert_eq!(code, 200, "{api}");
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert!(api["total_documents"].as_u64().unwrap() >= 1);

    // A new document arrives; a build runs while people keep searching.
    std::fs::copy(
        corpus_pdf("apr-glanmor-2024-mr-b.pdf"),
        input.join("apr-glanmor-2024-mr-b.pdf"),
    )
    .unwrap();
    let builder = {
        let (input, out) = (input.clone(), out.clone());
        std::thread::spawn(move || build(&input, &out))
    };
    let started = Instant::now();
    let mut answered = 0;
    loop {
        let (code, body) = get(&format!("{base}/api/search?q=risk"));
        assert_eq!(code, 200, "a search failed during the build: {body}");
        answered += 1;
        let s = status_of(base);
        if s["documents"] == 3 {
            assert_ne!(s["generation"], first["generation"]);
            break;
        }
        assert_eq!(s["documents"], 2, "only whole generations are served");
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the new build was never served"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    builder.join().expect("build thread");
    assert!(answered > 0);
    let (code, docs) = get(&format!("{base}/documents"));
    assert_eq!(code, 200);
    assert!(docs.contains("Adult Practice Review"), "{docs}");
}

#[test]
fn refuses_to_start_without_a_build_or_off_loopback_without_a_token() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = Command::new(bin())
        .args(["serve", "--bind", "127.0.0.1:0", "--out"])
        .arg(tmp.path())
        .env_remove("YSTORFA_TOKEN")
        .output()
        .expect("run serve");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("run `ystorfa build"), "{err}");

    let o = Command::new(bin())
        .args(["serve", "--bind", "0.0.0.0:0", "--out"])
        .arg(tmp.path())
        .env_remove("YSTORFA_TOKEN")
        .output()
        .expect("run serve");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("without an access token"), "{err}");
    assert!(err.contains("YSTORFA_TOKEN"), "{err}");
}
