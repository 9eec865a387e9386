//! The real binary in a temporary directory: build, search, extract,
//! inspect and rules, as a user runs them.

mod common;

use assert_cmd::Command;
use common::{table, tree};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn ystorfa() -> Command {
    Command::cargo_bin("ystorfa").expect("binary built")
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fictional review as plain text: pages separated by form feeds.
const FICTIONAL_REVIEW: &str = "\
FICTIONAL EXAMPLE - Domestic Homicide Review - Overview Report into the death of Seren (a pseudonym), 2024

1. Introduction

This fictional review examines how agencies in the imaginary Glanmor County Borough responded to Seren, a victim of domestic abuse.

2. Analysis

Police officers attended four times. The officers did not recognise the pattern of coercive control: her partner monitored her phone, controlled her money and isolated her from her family.

The GP recorded low mood and referred Seren to the mental health team, but no DASH risk assessment was completed and no referral was made to MARAC.
\u{c}
3. Recommendations

1. Glanmor Police should ensure that officers complete a DASH risk assessment at every domestic abuse incident.

2. The Community Safety Partnership should commission training on coercive control for all frontline practitioners.
";

/// `ystorfa build -q INPUT --out OUT`, ready for assertions.
fn build(input: &Path, out: &Path) -> assert_cmd::assert::Assert {
    ystorfa()
        .args(["build", "-q"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .assert()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

fn rows(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

#[test]
fn build_writes_index_and_repository_and_prints_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write(&input, "reviews/dhr-seren.txt", FICTIONAL_REVIEW.as_bytes());
    let out = tmp.path().join("out");
    build(&input, &out)
        .success()
        .stdout(predicate::str::is_match(
            r"^1 documents, 2 pages, \d+ passages, \d+ tags, \d+ recommendations, 0 failures in \d+\.\d+s\n$",
        )
        .unwrap());
    assert!(
        out.join("search/meta.json").exists(),
        "tantivy index written"
    );
    let docs = rows(&table(&out, "documents"));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["pages"], 2);
    assert!(
        docs[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("reviews/dhr-seren.txt")
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["files"][0]["status"], "ok");
}

#[test]
fn one_bad_document_does_not_stop_the_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write(&input, "good.txt", FICTIONAL_REVIEW.as_bytes());
    write(&input, "broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog");
    write(&input, "empty.txt", b"");
    let out = tmp.path().join("out");
    let assert = build(&input, &out).code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("broken.pdf"),
        "names the bad file: {stderr}"
    );
    assert!(
        stderr.contains("empty.txt"),
        "names the empty file: {stderr}"
    );
    let docs = rows(&table(&out, "documents"));
    assert_eq!(docs.len(), 1, "the good document is still there");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let statuses: Vec<_> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                f["status"].clone(),
            )
        })
        .collect();
    assert_eq!(statuses.len(), 3, "one row per file: {statuses:?}");
}

#[test]
fn missing_input_is_fatal() {
    let tmp = tempfile::tempdir().unwrap();
    ystorfa()
        .args(["build", "/nonexistent/ystorfa-input", "--out"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/ystorfa-input"));
}

#[test]
fn search_finds_phrase_with_page_and_section() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write(&input, "dhr-seren.txt", FICTIONAL_REVIEW.as_bytes());
    let out = tmp.path().join("out");
    build(&input, &out).success();
    let assert = ystorfa()
        .args(["search", "\"coercive control\"", "--json", "--out"])
        .arg(&out)
        .assert()
        .success();
    let res: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let docs = res["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1);
    let hits = docs[0]["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    let pages: Vec<u64> = hits.iter().map(|h| h["page"].as_u64().unwrap()).collect();
    assert!(
        pages.contains(&1) && pages.contains(&2),
        "hits on both pages: {pages:?}"
    );
    // Human output names the document and page.
    ystorfa()
        .args(["search", "\"coercive control\"", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("p.2"));
    // No match: exit 1.
    ystorfa()
        .args(["search", "zzzqqq", "--out"])
        .arg(&out)
        .assert()
        .code(1);
}

#[test]
fn search_without_index_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    ystorfa()
        .args(["search", "risk", "--out"])
        .arg(tmp.path().join("nothing"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ystorfa build"));
}

#[test]
fn extract_prints_pages_separated_by_form_feed() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(tmp.path(), "dhr-seren.txt", FICTIONAL_REVIEW.as_bytes());
    let assert = ystorfa().arg("extract").arg(&f).assert().success();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert_eq!(out.matches('\u{c}').count(), 1);
    assert!(out.contains("3. Recommendations"));
}

#[test]
fn inspect_shows_sections_and_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(tmp.path(), "dhr-seren.txt", FICTIONAL_REVIEW.as_bytes());
    ystorfa()
        .arg("inspect")
        .arg(&f)
        .assert()
        .success()
        .stdout(predicate::str::contains("Sections"))
        .stdout(predicate::str::contains("Evidence"))
        .stdout(predicate::str::contains("Recommendations"));
}

/// The embedded sample corpus builds with no failures and yields the
/// documented outputs.
#[test]
fn sample_corpus_builds_cleanly() {
    let corpus = repo_root().join("corpus");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build(&corpus, &out).success();
    let docs = rows(&table(&out, "documents"));
    assert!(
        docs.len() >= 6,
        "at least six sample documents, got {}",
        docs.len()
    );
    for d in &docs {
        assert!(
            d["pages"].as_u64().unwrap() >= 5,
            "{}: 5-20 pages",
            d["file"]
        );
    }
    let recs = rows(&table(&out, "recommendations"));
    assert!(!recs.is_empty(), "recommendations found");
    let tags = rows(&table(&out, "tags"));
    assert!(!tags.is_empty(), "tags found");
}

/// Two builds of the same inputs give byte-identical repositories.
#[test]
fn exports_are_deterministic() {
    let corpus = repo_root().join("corpus");
    let tmp = tempfile::tempdir().unwrap();
    for o in ["a", "b"] {
        build(&corpus, &tmp.path().join(o)).success();
    }
    let (a, b) = (
        tree(&tmp.path().join("a/repository")),
        tree(&tmp.path().join("b/repository")),
    );
    assert!(!a.is_empty());
    assert_eq!(a.len(), b.len(), "the same files");
    for ((f, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{f} differs between two builds");
    }
}

/// What a rule author reads: sections, why each theme is or is not
/// assigned, every piece of evidence, the recommendations.
#[test]
fn inspect_output_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "dhr-seren.txt", FICTIONAL_REVIEW.as_bytes());
    let assert = ystorfa()
        .current_dir(tmp.path())
        .args(["inspect", "dhr-seren.txt"])
        .assert()
        .success();
    // The rule-set version is a hash of the rule file: not what this reviews.
    let version = regex::Regex::new(r"rules [0-9a-f]{12}").unwrap();
    let text = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    insta::assert_snapshot!(version.replace(&text, "rules [version]"));
}

/// Two fictional documents asking the same of different agencies, in
/// other words; a third asking something else; and a Markdown twin of the
/// first (one document in two renderings).
fn recurring_corpus(dir: &Path) {
    write(dir, "dhr-seren.txt", FICTIONAL_REVIEW.as_bytes());
    write(
        dir,
        "dhr-seren-copy.md",
        FICTIONAL_REVIEW
            .replace("FICTIONAL EXAMPLE - ", "# FICTIONAL EXAMPLE - ")
            .as_bytes(),
    );
    write(
        dir,
        "apr-gwyn.txt",
        "FICTIONAL EXAMPLE - Adult Practice Review - Mr G (a pseudonym), 2025\n\n\
         1. Introduction\n\nThis fictional review concerns Mr G in the imaginary Wrenmoor.\n\n\
         2. Recommendations\n\n\
         1. Wrenmoor Constabulary should make sure a DASH risk assessment is completed by officers at every domestic abuse incident they attend.\n\n\
         2. The council should fund more refuge places for older survivors.\n"
            .as_bytes(),
    );
}

#[test]
fn patterns_lists_the_ask_two_documents_make_and_why() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    recurring_corpus(&input);
    let out = tmp.path().join("out");
    build(&input, &out).success();
    let groups =
        rows(&std::fs::read_to_string(out.join("repository/recommendation_groups.jsonl")).unwrap());
    assert_eq!(groups.len(), 1, "{groups:#?}");
    let g = &groups[0];
    assert_eq!(g["documents"], 2);
    let titles: Vec<&str> = g["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert!(titles.iter().all(|t| t.contains("DASH")), "{titles:?}");
    // The Markdown copy of Seren's review is the same document: never a
    // second member beside it.
    let shared = g["links"][0]["shared"].as_array().unwrap();
    assert!(shared.iter().any(|w| w == "dash"), "{shared:?}");
    ystorfa()
        .args(["patterns", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("in 2 documents, 2024–2025, to 2 bodies")
                .and(predicate::str::contains("shared words: "))
                .and(predicate::str::contains("Wrenmoor Constabulary")),
        );
    ystorfa()
        .args(["patterns", "--json", "--kind", "apr", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"links\":"));
    // Every row matches the published schema.
    let schema = ystorfa()
        .args(["patterns", "--schema"])
        .output()
        .unwrap()
        .stdout;
    let schema: serde_json::Value = serde_json::from_slice(&schema).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    for g in &groups {
        let errors: Vec<String> = v.iter_errors(g).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    // Nothing recurs in three documents: exit 1, said on stderr.
    ystorfa()
        .args(["patterns", "--min-documents", "3", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no recurring recommendations"));
}
