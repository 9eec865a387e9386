//! `ystorfa rules check|test` from the command line: exit codes and output.

use assert_cmd::Command;
use predicates::prelude::*;

fn ystorfa() -> Command {
    Command::cargo_bin("ystorfa").expect("binary builds")
}

#[test]
fn check_default_rules_ok() {
    ystorfa()
        .args(["rules", "check"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ok:"));
}

#[test]
fn test_default_rules_all_examples_pass() {
    ystorfa()
        .args(["rules", "test"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(" 0 failed"));
}

#[test]
fn check_broken_file_reports_every_error_and_exits_1() {
    let out = ystorfa()
        .args(["rules", "check", "tests/fixtures/rules/broken.toml"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).expect("utf-8");
    assert_eq!(
        out.lines().filter(|l| l.contains(": error: ")).count(),
        8,
        "{out}"
    );
    assert!(out.contains("tests/fixtures/rules/broken.toml:12:10: error: theme \"housing\": unknown parent \"place\""), "{out}");
    assert!(out.contains("8 error(s)"), "{out}");
}

#[test]
fn test_reports_failing_examples_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("r.toml");
    std::fs::write(
        &path,
        r#"[ruleset]
name = "fictional"
[[theme]]
id = "refuge_stays"
label = "Refuge stays"
terms = ["refuge"]
[theme.examples]
match = ["She stayed with a friend."]
no_match = ["She went to a refuge."]
"#,
    )
    .expect("write");
    ystorfa()
        .args(["rules", "test"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains(
                "theme refuge_stays: example \"She stayed with a friend.\" should match but did not",
            )
            .and(predicate::str::contains("2 examples, 0 passed, 2 failed")),
        );
}

#[test]
fn missing_file_is_fatal() {
    ystorfa()
        .args(["rules", "check", "tests/fixtures/rules/does-not-exist.toml"])
        .assert()
        .code(2);
}
