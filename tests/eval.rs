//! Quality gates, on documents the rules were not written against as well
//! as on our own: recommendation precision/recall, addressee accuracy and
//! theme macro-F1 on the labelled documents (`eval/labels/`: the fictional
//! sample corpus, and the real documents in ../shared/corpus when present);
//! concern recall, spurious recommendations, documents with none and
//! addressee recall on ~750 real coroners' reports (`../shared/pfd-reports`,
//! scored by words against an external extraction). The floors only ever
//! go up; the figures themselves are printed by `ystorfa eval`.

mod common;

use assert_cmd::Command;

/// The targets of the rules issue: recommendation precision and recall
/// ≥ 0.95, theme macro-F1 ≥ 0.85. Never lower them to make a change pass.
const MIN_REC_PRECISION: &str = "0.95";
const MIN_REC_RECALL: &str = "0.95";
const MIN_THEME_F1: &str = "0.85";
const MIN_ADDRESSEE_ACCURACY: &str = "0.90";

/// The targets of the real-documents issue, on ../shared/pfd-reports.
const MIN_CONCERN_RECALL: &str = "0.97";
const MAX_SPURIOUS: &str = "0.03";
const MAX_WITHOUT: &str = "0.005";
const MIN_ADDRESSEE_RECALL: &str = "0.90";

/// Recurring recommendations on the labelled pairs of `eval/pairs/`
/// (measured when the grouping was first built: precision 0.500, recall
/// 0.094, far below the 0.9 and 0.8). Floors only go up.
const MIN_GROUP_PRECISION: &str = "0.5";
const MIN_GROUP_RECALL: &str = "0.09";

#[test]
fn recurring_recommendations_are_measured_on_labelled_pairs() {
    let (Some(corpus), Some(pfd)) = (common::shared("corpus"), common::shared("pfd-reports"))
    else {
        return;
    };
    // The build the pairs were labelled on: the shared corpus, the
    // coroners' reports and the sample corpus.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    Command::cargo_bin("ystorfa")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["build", "-q"])
        .arg(&corpus)
        .arg(pfd.join("docs"))
        .arg("corpus")
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = eval_within_floors(|c| {
        c.args(["--pairs", "eval/pairs/pairs.jsonl", "--out"])
            .arg(&out)
            .args([
                "--min-group-precision",
                MIN_GROUP_PRECISION,
                "--min-group-recall",
                MIN_GROUP_RECALL,
            ]);
    });
    assert!(stdout.contains("in the same group: precision"), "{stdout}");
    assert!(
        !stdout.contains("not scored"),
        "every labelled recommendation must be found again: {stdout}"
    );
}

#[test]
fn real_coroners_reports_meet_the_quality_floors() {
    let Some(dir) = common::shared("pfd-reports") else {
        return;
    };
    let truth = dir.join("truth.jsonl");
    let stdout = eval_within_floors(|c| {
        c.arg("--truth").arg(&truth).args([
            "--min-concern-recall",
            MIN_CONCERN_RECALL,
            "--max-spurious",
            MAX_SPURIOUS,
            "--max-without",
            MAX_WITHOUT,
            "--min-addressee-recall",
            MIN_ADDRESSEE_RECALL,
        ]);
    });
    assert!(stdout.contains("concern recall"), "{stdout}");
}

#[test]
fn labelled_documents_meet_the_quality_floors() {
    // The shared labels are skipped (with a notice) when ../shared is absent,
    // and fail the run in CI.
    let _ = common::shared("corpus");
    eval_within_floors(|c| {
        c.args([
            "--min-rec-precision",
            MIN_REC_PRECISION,
            "--min-rec-recall",
            MIN_REC_RECALL,
            "--min-theme-f1",
            MIN_THEME_F1,
            "--min-addressee-accuracy",
            MIN_ADDRESSEE_ACCURACY,
        ]);
    });
}

/// The held-out set (eval/holdout/README.md): floors at what it measures
/// today, so that no change loses ground on documents the rules were not
/// first written against. (It was blind until its table-borne misses were
/// fixed as families: summary tables, boxed recommendations, delivery-plan
/// rows; it is a development set now.)
#[test]
fn held_out_documents_do_not_lose_ground() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut labels: Vec<_> = std::fs::read_dir(root.join("eval/holdout/labels"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    labels.sort();
    assert_eq!(labels.len(), 6, "{labels:?}");
    eval_within_floors(|c| {
        c.args(&labels).args([
            "--min-rec-precision",
            "0.95",
            "--min-rec-recall",
            "0.95",
            "--min-addressee-accuracy",
            "0.95",
        ]);
    });
}

/// Runs `ystorfa eval` from the repository root with the arguments `args`
/// adds, prints its report, and fails the test when a floor is not met.
/// Returns the report.
fn eval_within_floors(args: impl FnOnce(&mut Command)) -> String {
    let mut cmd = Command::cargo_bin("ystorfa").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).arg("eval");
    args(&mut cmd);
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "below the floors:\n{stderr}\n{stdout}"
    );
    stdout
}
