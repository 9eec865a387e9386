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
                Some("pdf" | "txt" | "md" | "docx")
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

/// A strategy given as Word (.docx) and as Markdown yields the same
/// recommendations: the same count, ordinals and texts (quotes and Markdown
/// emphasis aside: the two renderings differ in them).
#[test]
fn a_word_document_yields_the_recommendations_of_its_markdown_twin() {
    let Some(corpus) = common::shared("corpus") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let stem = "wg-vawdasv-delivery-framework-2018-2021";
    for ext in ["docx", "md"] {
        let name = format!("{stem}.{ext}");
        std::fs::copy(corpus.join(&name), input.join(&name)).unwrap();
    }
    let out = tmp.path().join("out");
    Command::cargo_bin("ystorfa")
        .unwrap()
        .args(["build", "-q"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let docs: Vec<serde_json::Value> = table(&out, "documents")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let id_of = |ext: &str| {
        docs.iter()
            .find(|d| d["file"].as_str().unwrap().ends_with(ext))
            .map(|d| d["id"].as_str().unwrap().to_string())
            .unwrap()
    };
    let plain = |t: &str| {
        t.replace(['\u{2018}', '\u{2019}'], "'")
            .replace(['\u{201C}', '\u{201D}'], "\"")
            .replace('*', "")
    };
    let recs = |doc: String| -> Vec<(String, String)> {
        table(&out, "recommendations")
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|r| r["doc_id"] == doc.as_str())
            .map(|r| (r["ordinal"].to_string(), plain(r["text"].as_str().unwrap())))
            .collect()
    };
    let (word, markdown) = (recs(id_of(".docx")), recs(id_of(".md")));
    assert!(markdown.len() >= 50, "{} recommendations", markdown.len());
    assert_eq!(word, markdown);
}
