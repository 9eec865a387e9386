//! Isolated extraction, end to end with the real binary: documents that make
//! the extractor hang, abort, run out of memory or overflow its stack fail
//! alone with a clear reason, every other document is built, the build ends
//! in bounded time and leaves no worker behind; and isolation changes
//! nothing in the outputs.
//!
//! The misbehaviour is injected with the worker's documented test hook
//! `YSTORFA_WORKER_FAULTS`; all documents here are fictional.

mod common;

use assert_cmd::Command;
use common::{table, tree};
use std::path::Path;
use std::time::{Duration, Instant};

const FICTIONAL: &str = "FICTIONAL EXAMPLE — not a real review\n\n1. Introduction\n\n\
This fictional review concerns an invented person harmed by coercive control.\n\n\
2. Recommendations\n\nRecommendation 1: The fictional partnership should train staff in routine enquiry.\n";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// Live processes whose environment contains `marker` (Linux `/proc`):
/// orphaned workers are re-parented, so their environment is what finds them.
#[cfg(target_os = "linux")]
fn processes_with_env(marker: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(env) = std::fs::read(e.path().join("environ")) else {
            continue;
        };
        if String::from_utf8_lossy(&env).contains(marker) {
            let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            out.push(String::from_utf8_lossy(&cmd).replace('\0', " "));
        }
    }
    out
}

#[test]
fn misbehaving_documents_fail_alone_and_the_build_finishes() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for i in 0..6 {
        write(
            &input,
            &format!("good-{i}.txt"),
            &format!("{FICTIONAL}\nA distinct fictional paragraph number {i}.\n"),
        );
    }
    for bad in ["trap-hang", "trap-abort", "trap-oom", "trap-overflow"] {
        write(
            &input,
            &format!("{bad}.txt"),
            &format!("{FICTIONAL}\nFictional trigger file {bad}.\n"),
        );
    }
    let out = tmp.path().join("out");
    // An unknown fault kind is ignored by the worker: it marks our processes.
    let marker = format!(
        "mark=isolation-test-{}-{}",
        std::process::id(),
        tmp.path().file_name().unwrap().to_string_lossy()
    );
    let started = Instant::now();
    let o = Command::cargo_bin("ystorfa")
        .unwrap()
        .args(["build", "-q", "--timeout", "2", "--max-memory", "256"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .env(
            "YSTORFA_WORKER_FAULTS",
            format!("hang=trap-hang,abort=trap-abort,oom=trap-oom,overflow=trap-overflow,{marker}"),
        )
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr);
    println!("{stderr}\n(build took {elapsed:?})");
    assert_eq!(
        o.status.code(),
        Some(1),
        "partial failure; stderr:\n{stderr}"
    );
    assert!(
        elapsed < Duration::from_secs(60),
        "bounded time, took {elapsed:?}"
    );

    let repo = table(&out, "documents");
    let files: Vec<String> = repo
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["file"].as_str().unwrap().to_string()
        })
        .collect();
    for i in 0..6 {
        assert!(
            files.iter().any(|f| f.ends_with(&format!("good-{i}.txt"))),
            "good-{i}.txt missing from {files:?}"
        );
    }
    assert_eq!(files.len(), 6, "{files:?}");

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let rows = report["files"].as_array().unwrap();
    let reason_of = |name: &str| -> String {
        let failed: Vec<_> = rows
            .iter()
            .filter(|r| r["file"].as_str().unwrap().contains(name))
            .collect();
        assert_eq!(failed.len(), 1, "one row for {name}");
        assert_eq!(failed[0]["status"], "failed", "{name}: {}", failed[0]);
        assert_eq!(failed[0]["stage"], "extract", "{name}: {}", failed[0]);
        failed[0]["reason"].as_str().unwrap().to_string()
    };
    let hang = reason_of("trap-hang");
    assert!(
        hang.contains("longer than 2 s") && hang.contains("--timeout"),
        "{hang}"
    );
    let abort = reason_of("trap-abort");
    assert!(
        abort.contains("crashed") && abort.contains("signal 6"),
        "{abort}"
    );
    let oom = reason_of("trap-oom");
    assert!(
        oom.contains("out of memory") && oom.contains("--max-memory 256 MB"),
        "{oom}"
    );
    let overflow = reason_of("trap-overflow");
    assert!(
        overflow.contains("crashed") && overflow.contains("stack overflow"),
        "{overflow}"
    );
    assert_eq!(
        rows.iter().filter(|r| r["status"] == "failed").count(),
        4,
        "only the four trap files fail"
    );
    // Worker panic and crash messages do not leak into the build's stderr
    // except as part of a failure line.
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            line.starts_with("ystorfa: ") || line.contains(" documents, "),
            "stray output: {line}"
        );
    }

    #[cfg(target_os = "linux")]
    {
        // The build has returned; its workers must have gone with it.
        let left = processes_with_env(&marker);
        assert!(left.is_empty(), "workers left behind: {left:?}");
    }
}

#[test]
fn isolation_on_and_off_build_byte_identical_repositories() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let tmp = tempfile::tempdir().unwrap();
    let (isolated, in_process) = build_in_both_modes(&corpus, tmp.path());
    let (a, b) = (
        tree(&isolated.join("repository")),
        tree(&in_process.join("repository")),
    );
    assert!(!a.is_empty());
    assert_eq!(a.len(), b.len(), "the same files");
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "repository/{name} differs between isolated and in-process builds"
        );
    }
    for f in ["report.json", "manifest.json"] {
        let a = std::fs::read_to_string(isolated.join(f)).unwrap();
        let b = std::fs::read_to_string(in_process.join(f)).unwrap();
        // The manifest holds mtimes of the same inputs: equal too.
        assert_eq!(a, b, "{f} differs");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_worker_killed_while_idle_is_replaced_without_failing_the_next_document() {
    use ystorfa::extract::Limits;
    use ystorfa::pipeline::worker::{Isolation, Pool};
    let tmp = tempfile::tempdir().unwrap();
    let doc = tmp.path().join("fictional.txt");
    std::fs::write(&doc, FICTIONAL).unwrap();
    let pool = Pool::new(Isolation {
        exe: assert_cmd::cargo::cargo_bin("ystorfa"),
        timeout: Duration::from_secs(60),
        max_memory_mb: 512,
    });
    let first = pool
        .extract(&doc, "in/fictional.txt", &Limits::default())
        .unwrap();
    let pids = pool.idle_pids();
    assert_eq!(pids.len(), 1, "the worker is kept for the next document");
    let killed = std::process::Command::new("kill")
        .args(["-9", &pids[0].to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(100));
    let second = pool
        .extract(&doc, "in/fictional.txt", &Limits::default())
        .unwrap();
    assert_eq!(first, second);
    let now = pool.idle_pids();
    assert_eq!(now.len(), 1);
    assert_ne!(now[0], pids[0], "a fresh worker took over");
    drop(pool);
    assert!(
        !Path::new(&format!("/proc/{}", now[0])).exists(),
        "dropping the pool reaps its workers"
    );
}

/// A worker that cannot start (here: the machine's hard address-space
/// limit is below `--max-memory`, so the worker cannot set its own) is the
/// build's fatal error, never every document's failure: exit 2, the last
/// good output untouched, and the next build, in a sound environment,
/// processes the new document.
#[cfg(target_os = "linux")]
#[test]
fn a_worker_that_cannot_start_stops_the_build_and_keeps_the_last_output() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    std::fs::create_dir_all(&input).unwrap();
    write(&input, "first.txt", FICTIONAL);
    let bin = assert_cmd::cargo::cargo_bin("ystorfa");
    let build = || {
        Command::new(&bin)
            .args(["build", "-q"])
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
    };
    build();
    let before = tree(&out.join("current"));
    write(
        &input,
        "second.txt",
        &format!("{FICTIONAL}\nA second fictional paragraph.\n"),
    );
    // 3 GiB hard limit for the build and its workers; the workers are asked
    // to limit themselves to 4 GiB, which they may not.
    let limited = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v 3145728 && exec "$0" build -q "$1" --out "$2" --max-memory 4096"#)
        .arg(&bin)
        .arg(&input)
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&limited.stderr);
    assert_eq!(limited.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot start the extraction worker") && stderr.contains("memory limit"),
        "{stderr}"
    );
    assert_eq!(
        tree(&out.join("current")),
        before,
        "the last good output is kept"
    );
    build();
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{report}");
    assert!(
        files.iter().all(|f| f["status"] == "ok"),
        "the next build processes the document: {report}"
    );
}

/// A file name that is not UTF-8 (a Latin-1 name copied from an old
/// Windows share) is read in both modes, and both write the same outputs.
#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_build_the_same_in_both_modes() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let latin1 = std::ffi::OsStr::from_bytes(b"adolygiad-\xe9t\xe9.txt");
    std::fs::write(input.join(latin1), FICTIONAL).unwrap();
    write(
        &input,
        "plain.txt",
        &FICTIONAL.replace("routine", "regular"),
    );
    let (isolated, in_process) = build_in_both_modes(&input, tmp.path());
    let report = std::fs::read_to_string(isolated.join("report.json")).unwrap();
    assert_eq!(
        report.matches("\"status\": \"ok\"").count(),
        2,
        "both files are documents: {report}"
    );
    for f in ["report.json", "manifest.json"] {
        let a = std::fs::read(isolated.join(f)).unwrap();
        let b = std::fs::read(in_process.join(f)).unwrap();
        assert!(a == b, "{f} differs between the modes");
    }
    assert_eq!(
        tree(&isolated.join("repository")),
        tree(&in_process.join("repository"))
    );
}

/// Build `input` with isolated extraction and in process, into
/// `dir/isolated` and `dir/in-process`; both must succeed.
fn build_in_both_modes(input: &Path, dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let build = |name: &str, extra: &[&str]| {
        let out = dir.join(name);
        let o = Command::cargo_bin("ystorfa")
            .unwrap()
            .args(["build", "-q"])
            .args(extra)
            .arg(input)
            .arg("--out")
            .arg(&out)
            .timeout(Duration::from_secs(300))
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        out
    };
    (
        build("isolated", &[]),
        build("in-process", &["--in-process"]),
    )
}
