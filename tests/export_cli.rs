//! `ystorfa export` end to end: the real binary over temporary builds of
//! the fictional sample corpus (`corpus/`) and of small fictional text
//! files. Every format, filters, schema validation of every row, the CSV
//! formula guard, determinism, and the errors (rules version mismatch,
//! missing repository, a foreign non-empty folder).

mod common;

use assert_cmd::Command;
use common::table;
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tempfile::TempDir;

fn ystorfa() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("ystorfa"))
}

fn build(inputs: &[&Path], out: &Path, extra: &[&str]) {
    let mut cmd = ystorfa();
    cmd.arg("build").arg("--quiet").arg("--out").arg(out);
    cmd.args(extra);
    for i in inputs {
        cmd.arg(i);
    }
    cmd.assert().success();
}

/// One build of the sample corpus, shared by the tests of this binary.
fn sample_build() -> &'static Path {
    static DIR: OnceLock<TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("export-sample-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("temp dir");
        let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
        build(&[&corpus], &dir.path().join("out"), &[]);
        dir
    })
    .path()
}

const FICTIONAL_DHR: &str = "\
Fictional Domestic Homicide Review: Lanternbury 2021

FICTIONAL EXAMPLE - for testing ystorfa - not a real case.

1 Introduction

This fictional review looks at the death of Ms Example, a fictional person harmed.

2 Analysis

The fictional partner showed coercive and controlling behaviour. He monitored her phone and restricted her money. Coercive control was not recognised by agencies. The partner was jealous and possessive.

=HYPERLINK(\"http://fictional.invalid\",\"click here\") was written on a fictional note.

@SUM(A1:A9) and +1+1 appeared in a fictional spreadsheet.

3 Recommendations

1. The fictional police force should train officers on coercive control.

2. -2+3 fictional agencies should share information about controlling behaviour.
";

const FICTIONAL_STRATEGY: &str = "\
Fictional Violence Against Women Strategy 2019

FICTIONAL EXAMPLE - for testing ystorfa - not a real case.

1 Priority area one

We will:

- train fictional staff in every fictional service;
- work with fictional housing providers.
";

/// A build of two small fictional text files.
fn fictional_build() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    let input = dir.path().join("input");
    std::fs::create_dir_all(&input).expect("mkdir");
    std::fs::write(
        input.join("dhr-lanternbury-2021-fictional.txt"),
        FICTIONAL_DHR,
    )
    .expect("write");
    std::fs::write(
        input.join("strategy-fictionalshire-2019.txt"),
        FICTIONAL_STRATEGY,
    )
    .expect("write");
    build(&[&input], &dir.path().join("out"), &[]);
    dir
}

fn export(out: &Path, to: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    ystorfa()
        .arg("export")
        .arg("--out")
        .arg(out)
        .arg("--to")
        .arg(to)
        .args(args)
        .assert()
}

fn read_manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("export.json")).expect("manifest"))
        .expect("json")
}

/// Rows of a data file: JSON values for jsonl/json, header-keyed string
/// maps for CSV.
fn json_rows(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).expect("read");
    if path.extension().is_some_and(|e| e == "json") {
        match serde_json::from_str(&text).expect("json") {
            serde_json::Value::Array(a) => a,
            other => panic!("not an array: {other}"),
        }
    } else {
        text.lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect()
    }
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.expect("record");
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

const TABLES: [&str; 7] = [
    "documents",
    "passages",
    "recommendations",
    "action_plans",
    "tags",
    "themes",
    "theme_matrix",
];

#[test]
fn every_format_exports_every_row() {
    let out = sample_build().join("out");
    let tmp = TempDir::new().expect("temp");
    for format in ["jsonl", "json", "csv"] {
        let to = tmp.path().join(format);
        export(&out, &to, &["--format", format])
            .success()
            .stdout(predicate::str::starts_with("exported 15 files, "))
            .stdout(predicate::str::contains("documents=12 "));
        let manifest = read_manifest(&to);
        assert_eq!(manifest["format"], format);
        let files = manifest["files"].as_array().expect("files");
        assert_eq!(files.len(), TABLES.len());
        for (f, stem) in files.iter().zip(TABLES) {
            let name = format!("{stem}.{format}");
            assert_eq!(f["name"], name.as_str());
            let rows = f["rows"].as_u64().expect("rows") as usize;
            let path = to.join(&name);
            let n = if format == "csv" {
                csv_rows(&path).1.len()
            } else {
                json_rows(&path).len()
            };
            assert_eq!(n, rows, "{name}");
            assert!(to.join(format!("{stem}.schema.json")).is_file());
            if stem != "themes" && stem != "theme_matrix" {
                // No caps: every row of the repository.
                let repo_rows = table(&out, stem).lines().count();
                assert_eq!(rows, repo_rows, "{name}");
                assert!(rows > 0, "{name}");
            }
        }
    }
    // The JSON Lines export of an unfiltered repository is byte for byte
    // the repository itself.
    for stem in [
        "documents",
        "passages",
        "recommendations",
        "action_plans",
        "tags",
    ] {
        assert_eq!(
            std::fs::read(tmp.path().join("jsonl").join(format!("{stem}.jsonl"))).expect("a"),
            table(&out, stem).into_bytes(),
            "{stem}"
        );
    }
    // CSV header and flattening.
    let (header, docs) = csv_rows(&tmp.path().join("csv/documents.csv"));
    assert_eq!(header[..3], ["id", "file", "sha256"]);
    let json_docs = json_rows(&tmp.path().join("jsonl/documents.jsonl"));
    for (c, j) in docs.iter().zip(&json_docs) {
        assert_eq!(c["id"], j["id"].as_str().expect("id"));
        let themes: Vec<&str> = j["themes"]
            .as_array()
            .expect("themes")
            .iter()
            .map(|t| t.as_str().expect("str"))
            .collect();
        assert_eq!(c["themes"], themes.join(";"));
    }
    // The matrix: one column per codebook theme, in codebook order, 0/1.
    let (mheader, matrix) = csv_rows(&tmp.path().join("csv/theme_matrix.csv"));
    let book = json_rows(&tmp.path().join("jsonl/themes.jsonl"));
    let ids: Vec<&str> = book.iter().map(|t| t["id"].as_str().expect("id")).collect();
    assert_eq!(mheader[..5], ["doc_id", "file", "title", "kind", "year"]);
    assert_eq!(mheader[5..], ids[..]);
    for (row, doc) in matrix.iter().zip(&json_docs) {
        for id in &ids {
            let assigned = doc["themes"]
                .as_array()
                .expect("themes")
                .iter()
                .any(|t| t == id);
            assert_eq!(row[*id], if assigned { "1" } else { "0" }, "{id}");
        }
    }
    // The codebook carries the rule text.
    let cc = book
        .iter()
        .find(|t| t["id"] == "coercive_control")
        .expect("coercive_control");
    assert!(
        cc["terms"]
            .as_array()
            .is_some_and(|a| a.contains(&"coercive control".into()))
    );
    assert_eq!(cc["parent"], "abuse_types");
    assert!(cc["documents"].as_u64().is_some_and(|n| n > 0));
}

#[test]
fn every_row_matches_its_schema() {
    let out = sample_build().join("out");
    let tmp = TempDir::new().expect("temp");
    for format in ["jsonl", "json"] {
        let to = tmp.path().join(format);
        export(&out, &to, &["--format", format]).success();
        for stem in TABLES {
            let schema: serde_json::Value = serde_json::from_slice(
                &std::fs::read(to.join(format!("{stem}.schema.json"))).expect("schema"),
            )
            .expect("schema json");
            let validator = jsonschema::validator_for(&schema).expect("valid schema");
            let rows = json_rows(&to.join(format!("{stem}.{format}")));
            assert!(!rows.is_empty(), "{stem}");
            for row in &rows {
                if let Err(e) = validator.validate(row) {
                    panic!("{stem}.{format}: {e}\n{row}");
                }
            }
            // The schemas are strict: a row with an unknown field fails.
            let mut bad = rows[0].clone();
            bad["not_a_field"] = 1.into();
            assert!(!validator.is_valid(&bad), "{stem}");
        }
    }
}

#[test]
fn exports_are_deterministic() {
    let out = sample_build().join("out");
    let tmp = TempDir::new().expect("temp");
    for format in ["jsonl", "csv"] {
        let a = tmp.path().join(format!("a-{format}"));
        let b = tmp.path().join(format!("b-{format}"));
        export(&out, &a, &["--format", format, "--kind", "dhr"]).success();
        export(&out, &b, &["--format", format, "--kind", "dhr"]).success();
        let mut names: Vec<_> = std::fs::read_dir(&a)
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        names.sort();
        assert_eq!(names.len(), 15);
        for n in names {
            assert_eq!(
                std::fs::read(a.join(&n)).expect("a"),
                std::fs::read(b.join(&n)).expect("b"),
                "{n:?}"
            );
        }
    }
}

#[test]
fn filters_follow_documents_through() {
    let dir = fictional_build();
    let out = dir.path().join("out");
    let all = dir.path().join("all");
    export(&out, &all, &[]).success();
    let docs = json_rows(&all.join("documents.jsonl"));
    assert_eq!(docs.len(), 2);
    let kind_of = |d: &serde_json::Value| d["kind"].as_str().unwrap_or_default().to_string();
    let dhr = docs.iter().find(|d| kind_of(d) == "dhr").expect("a dhr");
    let strategy = docs
        .iter()
        .find(|d| kind_of(d) == "strategy")
        .expect("a strategy");
    let dhr_id = dhr["id"].as_str().expect("id");

    let check = |name: &str, args: &[&str], expected: &[&serde_json::Value]| {
        let to = dir.path().join(name);
        export(&out, &to, args).success();
        let got: Vec<String> = json_rows(&to.join("documents.jsonl"))
            .iter()
            .map(|d| d["id"].as_str().unwrap_or_default().to_string())
            .collect();
        let want: Vec<String> = expected
            .iter()
            .map(|d| d["id"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(got, want, "{args:?}");
        for table in ["passages", "tags", "recommendations", "theme_matrix"] {
            for row in json_rows(&to.join(format!("{table}.jsonl"))) {
                assert!(
                    want.iter().any(|id| row["doc_id"] == id.as_str()),
                    "{table}: {row}"
                );
            }
        }
        let manifest = read_manifest(&to);
        assert_eq!(manifest["files"][0]["rows"], want.len());
        to
    };
    let only_dhr = check("k", &["--kind", "dhr"], &[dhr]);
    assert!(!json_rows(&only_dhr.join("passages.jsonl")).is_empty());
    check(
        "k2",
        &["--kind", "dhr", "--kind", "strategy"],
        &[dhr, strategy],
    );
    check("d", &["--doc", dhr_id], &[dhr]);
    check("y", &["--year-from", "2020"], &[dhr]);
    check("y2", &["--year-to", "2020"], &[strategy]);
    check("y3", &["--year-from", "2030"], &[]);
    export(&out, &dir.path().join("y4"), &["--year-from", "2030"])
        .success()
        .stderr(predicate::str::contains("no document matches"));
    let by_theme = check("t", &["--theme", "coercive_control"], &[dhr]);
    let themes = json_rows(&by_theme.join("themes.jsonl"));
    let cc = themes
        .iter()
        .find(|t| t["id"] == "coercive_control")
        .expect("theme");
    assert_eq!(cc["doc_ids"], serde_json::json!([dhr_id]));
    check(
        "t2",
        &["--theme", "coercive_control", "--kind", "strategy"],
        &[],
    );
    // An unknown theme id is an error, not an empty export.
    export(&out, &dir.path().join("bad"), &["--theme", "no_such_theme"])
        .code(2)
        .stderr(predicate::str::contains("no_such_theme"));
    // An unknown kind is refused by the argument parser.
    export(&out, &dir.path().join("bad2"), &["--kind", "novel"]).code(2);
}

#[test]
fn csv_cells_cannot_run_as_formulas() {
    let dir = fictional_build();
    let out = dir.path().join("out");
    let to = dir.path().join("csv");
    export(&out, &to, &["--format", "csv"]).success();
    let (_, passages) = csv_rows(&to.join("passages.csv"));
    let texts: Vec<&str> = passages.iter().map(|p| p["text"].as_str()).collect();
    assert!(
        texts.iter().any(|t| t.starts_with("'=HYPERLINK(")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.starts_with("'@SUM(")), "{texts:?}");
    for file in TABLES {
        let (_, rows) = csv_rows(&to.join(format!("{file}.csv")));
        for row in rows {
            for (col, cell) in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{file}.{col}: {cell:?}"
                );
            }
        }
    }
    // The JSON formats keep the text as written.
    let jto = dir.path().join("jsonl");
    export(&out, &jto, &[]).success();
    assert!(json_rows(&jto.join("passages.jsonl")).iter().any(|p| {
        p["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("=HYPERLINK("))
    }));
}

#[test]
fn mismatched_rules_are_refused() {
    let dir = fictional_build();
    let out = dir.path().join("out");
    let rules = dir.path().join("fictional-rules.toml");
    std::fs::write(
        &rules,
        "[ruleset]\nname = \"fictional\"\n\n[[theme]]\nid = \"fictional_theme\"\nlabel = \"Fictional\"\nterms = [\"lantern\"]\n[theme.examples]\nmatch = [\"A fictional lantern was lit.\"]\nno_match = [\"A fictional candle was lit.\"]\n",
    )
    .expect("write");
    let to = dir.path().join("x");
    export(&out, &to, &["--rules", rules.to_str().expect("utf-8")])
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("rules version"))
        .stderr(predicate::str::contains("fictional-rules.toml"));
    assert!(!to.exists());
    // Built with that rule file, the export takes it and its codebook.
    let out2 = dir.path().join("out2");
    build(
        &[&dir.path().join("input")],
        &out2,
        &["--rules", rules.to_str().expect("utf-8")],
    );
    export(&out2, &to, &["--rules", rules.to_str().expect("utf-8")]).success();
    let book = json_rows(&to.join("themes.jsonl"));
    assert_eq!(book.len(), 1);
    assert_eq!(book[0]["id"], "fictional_theme");
    assert_eq!(book[0]["terms"], serde_json::json!(["lantern"]));
}

#[test]
fn missing_repository_says_build_first() {
    let dir = TempDir::new().expect("temp");
    ystorfa()
        .arg("export")
        .arg("--out")
        .arg(dir.path().join("nothing-here"))
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("run ystorfa build first"));
}

#[test]
fn default_folder_and_overwrite_rules() {
    let dir = fictional_build();
    let out = dir.path().join("out");
    // Default --to: OUT/export-FORMAT.
    ystorfa()
        .arg("export")
        .arg("--out")
        .arg(&out)
        .args(["--format", "csv"])
        .assert()
        .success();
    assert!(out.join("export-csv/documents.csv").is_file());
    // A previous export is replaced, stale files of it removed.
    let to = dir.path().join("again");
    export(&out, &to, &["--format", "csv"]).success();
    export(&out, &to, &["--format", "json"]).success();
    assert!(to.join("documents.json").is_file());
    assert!(!to.join("documents.csv").exists());
    // A foreign non-empty folder is refused without --force.
    let foreign = dir.path().join("foreign");
    std::fs::create_dir_all(&foreign).expect("mkdir");
    std::fs::write(foreign.join("notes.txt"), "fictional notes").expect("write");
    export(&out, &foreign, &[])
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert!(!foreign.join("documents.jsonl").exists());
    export(&out, &foreign, &["--force"]).success();
    assert!(foreign.join("documents.jsonl").is_file());
    assert!(foreign.join("notes.txt").is_file());
    // Never into the build's own folders.
    export(&out, &out.join("repository"), &["--force"]).code(2);
}
