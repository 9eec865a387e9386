//! The real public documents in ../shared/corpus: every one builds, with
//! text, and the expected kinds come out. Needs ../shared (skips without it,
//! fails in CI without it).

mod common;

use assert_cmd::Command;
use common::table;

#[test]
fn every_shared_document_builds_with_text() {
    let Some(corpus) = common::shared("corpus") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    Command::cargo_bin("ystorfa")
        .unwrap()
        .args(["build", "-q"])
        .arg(&corpus)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let files = report["files"].as_array().unwrap();
    let expected = walkdir::WalkDir::new(&corpus)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            matches!(
                e.path().extension().and_then(|x| x.to_str()),
                Some("pdf" | "txt" | "md")
            )
        })
        .count();
    assert_eq!(files.len(), expected, "one report row per input file");
    for f in files {
        assert_eq!(f["status"], "ok", "{}", f);
    }
    let docs: Vec<serde_json::Value> = table(&out, "documents")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for d in &docs {
        let file = d["file"].as_str().unwrap();
        let name = file.rsplit('/').next().unwrap();
        let kind = d["kind"].as_str().unwrap();
        if name.starts_with("pfd-") {
            assert_eq!(kind, "pfd", "{file}");
        } else if name.contains("strategy") || name.contains("framework") {
            assert_eq!(kind, "strategy", "{file}");
        }
    }
}
