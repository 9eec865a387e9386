//! `ystorfa search` end to end over an index of one fictional document:
//! human output, `--json`, and the exit codes (0 hits, 1 none, 2 error).

use assert_cmd::Command;
use predicates::prelude::*;
use ystorfa::model::ProcessedDoc;

/// One fictional DHR with two passages, built from JSON so the test does
/// not depend on the extract/segment/tag stages.
fn fictional_doc() -> ProcessedDoc {
    let text = "5 Analysis\n\nThe fictional panel found the risk assessment was never revisited.";
    let heading_end = "5 Analysis".len();
    let para_start = heading_end + 2;
    serde_json::from_value(serde_json::json!({
        "document": {
            "id": "d0000000000000001",
            "file": "fictional/dhr-example.txt",
            "sha256": "00",
            "title": "Fictional DHR Example",
            "kind": "dhr",
            "year": 2022,
            "area": null,
            "language": "en",
            "pages": 4,
            "text": text,
            "page_starts": [0],
            "page_labels": [null],
            "sections": [{
                "index": 0, "heading": "5 Analysis", "number": "5", "level": 1,
                "kind": "analysis", "trail": ["5 Analysis"], "page": 4,
                "start": 0, "end": text.len()
            }],
            "passages": [
                {"index": 0, "kind": "heading", "section": 0, "page": 4,
                 "start": 0, "end": heading_end, "marker": null, "sentences": []},
                {"index": 1, "kind": "paragraph", "section": 0, "page": 4,
                 "start": para_start, "end": text.len(), "marker": null, "sentences": []}
            ],
            "warnings": []
        },
        "tags": [],
        "recommendations": [],
        "theme_scores": [],
        "themes": []
    }))
    .expect("fixture deserialises")
}

fn built() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let search = dir.path().join("search");
    std::fs::create_dir_all(&search).expect("mkdir");
    ystorfa::index::build_in_dir(&search, &[fictional_doc()]).expect("index builds");
    dir
}

fn ystorfa() -> Command {
    Command::cargo_bin("ystorfa").expect("binary")
}

#[test]
fn hits_print_grouped_with_markers_and_exit_0() {
    let dir = built();
    ystorfa()
        .args(["search", "risk assessments", "--out"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Fictional DHR Example (dhr, 2022)",
        ))
        .stdout(predicate::str::contains("p.4 · 5 Analysis"))
        .stdout(predicate::str::contains("[risk assessment]"));
}

#[test]
fn json_output_has_the_results_shape() {
    let dir = built();
    let out = ystorfa()
        .args(["search", "\"risk assessment\"", "--json", "--out"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["documents"][0]["matched_passages"], 1);
    assert_eq!(v["total_documents"], 1);
    let hit = &v["documents"][0]["hits"][0];
    assert_eq!(hit["page"], 4);
    assert_eq!(hit["section"], "5 Analysis");
    assert!(
        hit["snippet_html"]
            .as_str()
            .is_some_and(|s| s.contains("<mark>risk assessment</mark>"))
    );
}

#[test]
fn no_hits_exit_1() {
    let dir = built();
    ystorfa()
        .args(["search", "kind:pfd", "--out"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no passage matches"));
}

#[test]
fn bad_query_exits_2_with_a_message() {
    let dir = built();
    ystorfa()
        .args(["search", "year:[2019 TO", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("invalid query"))
        .stderr(predicate::str::contains("year:[2019 TO"));
}

#[test]
fn missing_index_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    ystorfa()
        .args(["search", "risk", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ystorfa build"));
}

#[test]
fn filter_flags_narrow_and_an_empty_query_lists_what_they_keep() {
    let dir = built();
    let json = |args: &[&str]| -> serde_json::Value {
        let out = ystorfa()
            .arg("search")
            .args(args)
            .args(["--json", "--out"])
            .arg(dir.path())
            .output()
            .expect("runs");
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let kept = json(&[
        "risk",
        "--kind",
        "dhr",
        "--year-from",
        "2020",
        "--year-to",
        "2022",
    ]);
    assert_eq!(kept["total_documents"], 1);
    assert_eq!(kept["filters"]["kinds"][0], "dhr");
    assert_eq!(json(&["risk", "--kind", "pfd"])["total_documents"], 0);
    assert_eq!(json(&["risk", "--year-from", "2023"])["total_documents"], 0);
    let all = json(&["", "--kind", "dhr"]);
    assert!(all["total_documents"].as_u64().unwrap() >= 1, "{all}");
    // Paging past the only document still counts the whole result set.
    let past = json(&["risk", "--offset", "1"]);
    assert_eq!(past["total_documents"], 1);
    assert_eq!(past["documents"].as_array().unwrap().len(), 0);
    // An empty query without a filter is an error, exit 2.
    ystorfa()
        .args(["search", "", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty"));
}
