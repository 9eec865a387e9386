//! What `build` says on stderr at each verbosity (the real binary): `-q`
//! nothing for a clean corpus, `-v` debug lines, `RUST_LOG` honoured,
//! failures always named, and no progress-bar drawing when stderr is not a
//! terminal.

use assert_cmd::Command;
use std::path::Path;

const FICTIONAL: &str = "FICTIONAL EXAMPLE\n\n1. Introduction\n\nThis fictional review found that no DASH risk assessment was completed.\n\n2. Recommendations\n\n1. Glanmor Police should complete a DASH risk assessment at every incident.\n";

fn corpus(dir: &Path, broken: bool) -> std::path::PathBuf {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("a.txt"), FICTIONAL).unwrap();
    std::fs::write(
        input.join("b.txt"),
        format!("{FICTIONAL}\nA second fictional paragraph about coercive control.\n"),
    )
    .unwrap();
    if broken {
        std::fs::write(input.join("broken.pdf"), b"%PDF-1.7 not really").unwrap();
    }
    input
}

/// Run `ystorfa <args> build IN --out OUT` with a clean environment for
/// logging (no RUST_LOG, no CI unless given); returns (code, stdout, stderr).
fn run_build(
    dir: &Path,
    broken: bool,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let input = corpus(dir, broken);
    let mut cmd = Command::cargo_bin("ystorfa").unwrap();
    cmd.env_remove("RUST_LOG").env_remove("CI");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd
        .arg("build")
        .arg(&input)
        .arg("--out")
        .arg(dir.join("out"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn quiet_prints_nothing_on_stderr_for_a_clean_corpus() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run_build(tmp.path(), false, &["-q"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "-q: stderr must be empty");
    assert!(
        stdout.starts_with("2 documents,"),
        "summary on stdout: {stdout}"
    );
    assert_eq!(stdout.lines().count(), 1, "one summary line: {stdout}");
}

#[test]
fn quiet_still_names_each_failed_document() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run_build(tmp.path(), true, &["--quiet"], &[]);
    assert_eq!(code, 1, "partial failure: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "only the failure: {stderr}");
    assert!(
        lines[0].starts_with("ystorfa: ")
            && lines[0].contains("broken.pdf: failed (Extract stage): "),
        "{stderr}"
    );
}

#[test]
fn default_verbosity_says_what_was_written_and_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run_build(tmp.path(), false, &[], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("ystorfa: wrote "), "{stderr}");
    assert!(stderr.contains("ystorfa: 2 added, 0 changed"), "{stderr}");
    assert!(
        !stderr.contains("debug:"),
        "no debug lines by default: {stderr}"
    );
}

#[test]
fn verbose_prints_debug_lines_and_very_verbose_trace_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run_build(tmp.path(), false, &["-v"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("ystorfa: debug: [1/2] ") && stderr.contains("ystorfa: debug: [2/2] "),
        "one debug line per document: {stderr}"
    );
    assert!(stderr.contains("a.txt Added"), "{stderr}");
    assert!(
        !stderr.contains("trace:"),
        "-v is debug, not trace: {stderr}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run_build(tmp.path(), false, &["-vv"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("ystorfa: trace: "), "{stderr}");
}

#[test]
fn global_flags_go_before_or_after_the_subcommand_and_conflict() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path(), false);
    let o = Command::cargo_bin("ystorfa")
        .unwrap()
        .env_remove("RUST_LOG")
        .arg("-q")
        .arg("build")
        .arg(&input)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    Command::cargo_bin("ystorfa")
        .unwrap()
        .args(["build", "-q", "-v"])
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot be used with"));
}

#[test]
fn rust_log_is_honoured() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run_build(tmp.path(), false, &[], &[("RUST_LOG", "ystorfa=debug")]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("ystorfa: debug: "), "{stderr}");
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run_build(tmp.path(), false, &[], &[("RUST_LOG", "error")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "RUST_LOG=error: errors only");
}

#[test]
fn no_progress_bar_drawing_when_stderr_is_not_a_terminal() {
    for args in [&[][..], &["-v"][..]] {
        let tmp = tempfile::tempdir().unwrap();
        let (code, stdout, stderr) = run_build(tmp.path(), true, args, &[]);
        assert_eq!(code, 1, "{stderr}");
        for (name, text) in [("stderr", &stderr), ("stdout", &stdout)] {
            assert!(
                !text.contains('\x1b') && !text.contains('\r'),
                "{name} has terminal control characters: {text:?}"
            );
        }
        assert!(
            stderr.lines().all(|l| l.starts_with("ystorfa: ")),
            "only whole log lines: {stderr}"
        );
    }
}

/// On a real terminal (a pseudo-terminal from util-linux `script`) the bar
/// is drawn, and log lines still come out whole; with CI set it is not.
/// Skipped where `script` is missing.
#[test]
fn progress_bar_on_a_terminal_unless_ci() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: util-linux `script` is not installed");
        return;
    }
    let exe = assert_cmd::cargo::cargo_bin("ystorfa");
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path(), true);
    let run = |ci: bool| {
        let command = format!(
            "{} build {} --out {}",
            exe.display(),
            input.display(),
            tmp.path().join("out").display()
        );
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-qec", &command, "/dev/null"])
            .env_remove("RUST_LOG")
            .env("TERM", "xterm")
            .env("COLUMNS", "100");
        if ci {
            cmd.env("CI", "true");
        } else {
            cmd.env_remove("CI");
        }
        let o = cmd.output().unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).to_string(),
        )
    };
    let (code, tty) = run(false);
    assert_eq!(code, Some(1), "{tty}");
    assert!(
        tty.contains("documents"),
        "the bar names what it counts: {tty:?}"
    );
    assert!(tty.contains("\x1b["), "the bar is drawn: {tty:?}");
    assert!(tty.contains("broken.pdf: failed"), "{tty:?}");
    // Each log line starts at the beginning of a line (the bar was cleared first).
    for line in tty.split(['\n', '\r']).filter(|l| l.contains(": failed")) {
        let line = line.trim_start_matches("\x1b[2K");
        assert!(line.starts_with("ystorfa: "), "{line:?}");
    }
    let (code, tty) = run(true);
    assert_eq!(code, Some(1), "{tty}");
    assert!(!tty.contains("\x1b["), "no bar with CI set: {tty:?}");
}
