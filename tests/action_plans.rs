//! Action plans end to end: the real binary builds a fictional review
//! whose action plan is a table, and `repository/action_plans/` and the
//! export's `action_plans.jsonl` hold its rows, each linked to its
//! recommendation, with the lead resolved to a body and the target date
//! read as an ISO date. All names and places are invented.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

const REVIEW: &str = "# Domestic Homicide Review: Overview Report (a fictional review)

FICTIONAL EXAMPLE - for testing ystorfa - not a real case.

## 1 Introduction

The Pentrefach Community Safety Partnership (PCSP) commissioned this fictional review.

## 9 Recommendations

1. Pentrefach Police should complete a DASH risk assessment at every domestic abuse incident.

2. Training on coercive control is commissioned for every front-line practitioner in Pentrefach.

3. The Home Office should consider fictional guidance on reviews.

## Appendix A: Action Plan

| Recommendation | Action | Lead agency | Target date | Outcome |
|---|---|---|---|---|
| 1. Pentrefach Police should complete a DASH risk assessment at every domestic abuse incident. | Amend the attendance procedure | Pentrefach Police | 31 March 2099 | Completed |
| 1. (continued) | Dip sample of incidents | Pentrefach Police | Quarterly from April 2099 | |
| 2 | Commission a training module | PCSP (Training Sub-group) | June 2099 | |
| 3 | Write to the Home Office | PCSP | On publication | |
";

fn ystorfa() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("ystorfa"))
}

fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn build(dir: &Path) -> std::path::PathBuf {
    let input = dir.join("input");
    std::fs::create_dir_all(&input).expect("mkdir");
    std::fs::write(input.join("dhr-pentrefach-2099-fictional.md"), REVIEW).expect("write");
    let out = dir.join("out");
    ystorfa()
        .args(["build", "--quiet", "--out"])
        .arg(&out)
        .arg(&input)
        .assert()
        .success();
    out
}

#[test]
fn action_plan_rows_are_built_linked_and_exported() {
    let dir = TempDir::new().expect("temp dir");
    let out = build(dir.path());
    let recs = jsonl(&common::table(&out, "recommendations"));
    let rows = jsonl(&common::table(&out, "action_plans"));
    assert_eq!(recs.len(), 3, "{recs:#?}");
    assert_eq!(rows.len(), 4, "{rows:#?}");

    // Each row belongs to the recommendation with its number.
    let rec_of = |row: &Value| -> String {
        let id = row["recommendation_id"].as_str().expect("linked");
        let r = recs
            .iter()
            .find(|r| r["id"] == id)
            .expect("a recommendation");
        r["ordinal"].as_str().expect("ordinal").to_string()
    };
    let linked: Vec<String> = rows.iter().map(rec_of).collect();
    assert_eq!(linked, ["1", "1", "2", "3"]);
    let ordinals: Vec<&str> = rows
        .iter()
        .map(|r| r["ordinal"].as_str().unwrap())
        .collect();
    assert_eq!(ordinals, ["1", "1", "2", "3"]);

    // Columns by their headers; the lead as written and as a body; the
    // target date as written and, when it is one date, in ISO form.
    let first = &rows[0];
    assert_eq!(first["action"], "Amend the attendance procedure");
    assert_eq!(first["lead"], "Pentrefach Police");
    assert_eq!(
        first["lead_addressees"][0]["canonical"],
        "Pentrefach Police"
    );
    assert_eq!(first["lead_addressees"][0]["category"], "police");
    assert_eq!(first["lead_addressees"][0]["source"], "action_plan");
    assert_eq!(first["target_date"], "31 March 2099");
    assert_eq!(first["target_date_iso"], "2099-03-31");
    assert_eq!(first["outcome"], "Completed");
    assert_eq!(
        first["recommendation_text"],
        "Pentrefach Police should complete a DASH risk assessment at every domestic abuse incident."
    );
    assert_eq!(rows[1]["target_date_iso"], Value::Null);
    assert_eq!(rows[2]["lead"], "PCSP (Training Sub-group)");
    assert_eq!(
        rows[2]["lead_addressees"][0]["canonical"],
        "Pentrefach Community Safety Partnership"
    );
    assert_eq!(rows[2]["target_date_iso"], "2099-06");

    // The action plan's rows are not recommendations themselves; the
    // recommendation that names nobody is addressed to its lead, the one
    // that names the Home Office is not.
    let addressees = |ordinal: &str| -> Vec<(String, String)> {
        let r = recs.iter().find(|r| r["ordinal"] == ordinal).expect("rec");
        r["addressees"]
            .as_array()
            .expect("addressees")
            .iter()
            .map(|a| {
                (
                    a["canonical"].as_str().unwrap().to_string(),
                    a["source"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        addressees("2"),
        [(
            "Pentrefach Community Safety Partnership".to_string(),
            "action_plan".to_string()
        )]
    );
    assert_eq!(
        addressees("3"),
        [("Home Office".to_string(), "subject".to_string())]
    );

    // Character offsets point at the row in the passages' text.
    let passages = jsonl(&common::table(&out, "passages"));
    let row_passage = passages
        .iter()
        .find(|p| p["start"] == first["start"])
        .expect("the row's passage");
    assert_eq!(row_passage["kind"], "table_row");
    assert_eq!(row_passage["text"], first["text"]);

    // `ystorfa export` writes the same rows, with a schema.
    let to = dir.path().join("export");
    ystorfa()
        .args(["export", "--out"])
        .arg(&out)
        .arg("--to")
        .arg(&to)
        .assert()
        .success();
    let exported = std::fs::read_to_string(to.join("action_plans.jsonl")).expect("export");
    assert_eq!(exported, common::table(&out, "action_plans"));
    let schema: Value = serde_json::from_slice(
        &std::fs::read(to.join("action_plans.schema.json")).expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("a schema");
    for row in &rows {
        assert!(validator.is_valid(row), "{row}");
    }

    // `inspect` lists each row under its recommendation.
    let inspect = ystorfa()
        .arg("inspect")
        .arg(dir.path().join("input/dhr-pentrefach-2099-fictional.md"))
        .assert()
        .success();
    let text = String::from_utf8(inspect.get_output().stdout.clone()).expect("utf-8");
    let rec2 = text.find("Training on coercive control").expect("rec 2");
    let row2 = text.find("Commission a training module").expect("row 2");
    let rec3 = text.find("The Home Office should consider").expect("rec 3");
    assert!(rec2 < row2 && row2 < rec3, "{text}");
    assert!(text.contains("target: June 2099 (2099-06)"), "{text}");
}

/// The served document page shows the action plan as a table, one row per
/// action-plan row, each linked to its recommendation's passage; the
/// document's JSON carries the rows.
#[cfg(feature = "serve")]
#[test]
fn the_page_shows_the_action_plan_as_a_table() {
    let dir = TempDir::new().expect("temp dir");
    let out = build(dir.path());
    let rows = jsonl(&common::table(&out, "action_plans"));
    let doc_id = rows[0]["doc_id"].as_str().expect("doc id").to_string();
    let server = common::server::serve(&out);

    let (code, page) = common::server::get(&format!("{}/documents/{doc_id}", server.base));
    assert_eq!(code, 200, "{page}");
    let table = &page[page
        .find("<table class=\"actionplan\">")
        .expect("an action-plan table")..];
    let table = &table[..table.find("</table>").expect("table end")];
    assert_eq!(table.matches("<tr>").count(), 1 + rows.len(), "{table}");
    for cell in [
        "Amend the attendance procedure",
        "Dip sample of incidents",
        "PCSP (Training Sub-group)",
        "Pentrefach Community Safety Partnership (Community Safety Partnership)",
        "31 March 2099",
        "Completed",
    ] {
        assert!(table.contains(cell), "{cell} missing from {table}");
    }
    // Every row links to its recommendation's passage on the same page.
    let links = table.matches("<tr><td><a href=\"#p").count();
    assert_eq!(links, rows.len(), "{table}");

    let (code, json) = common::server::get(&format!("{}/api/documents/{doc_id}", server.base));
    assert_eq!(code, 200, "{json}");
    let json: Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        json["action_plans"].as_array().map(Vec::len),
        Some(rows.len())
    );
}
