//! Incremental build benchmark (issue #6): what a batch job costs when a few
//! reviews arrive, against a clean build of the same repository, in one
//! invocation.
//!
//! Inputs: N fictional review-sized Markdown documents generated from the
//! sample corpus sources (`serve/scaled.rs`, as the serve bench does), or
//! the files of `--input DIR` (e.g. `corpus/`); one document is held back
//! to be "the new arrival". Each step runs the release `ystorfa build` as
//! its own process (wall time, and peak resident memory of the largest
//! process of the build, from `wait4`):
//!
//! 1. `clean`: a first build (empty output folder, no cache);
//! 2. `nothing changed`: the same inputs again;
//! 3. `add one`: the held-back document added;
//! 4. `change one, remove one`: one document edited, another deleted;
//! 5. reference `rebuild`: `--rebuild` over the same final state (every
//!    document segmented, tagged, indexed and rendered again from the
//!    extraction cache: what an incremental build cost before documents were
//!    carried over);
//! 6. `clean (final state)`: a clean build of the final inputs into a second
//!    folder; its repository, report and manifest must be byte-identical to
//!    the incremental folder's (the bench fails otherwise).
//!
//! Everything is written in a temporary folder (or `--keep DIR`), never in
//! the repository.
//!
//! Run: `cargo bench --bench incremental -- [--docs 1000] [--input DIR]
//! [--pages 30-120] [--seed 5] [--keep DIR] [--json FILE] [--runs 1]`
//! (`--runs N` repeats the whole sequence and reports each step's median
//! time and largest memory).

#[path = "serve/measured.rs"]
mod measured;
#[path = "serve/scaled.rs"]
#[allow(dead_code)]
mod scaled;

use std::path::{Path, PathBuf};
use std::process::Command;

struct Args {
    docs: usize,
    input: Option<PathBuf>,
    pages: (usize, usize),
    seed: u64,
    keep: Option<PathBuf>,
    json: Option<PathBuf>,
    runs: usize,
}

fn die(msg: &str) -> ! {
    eprintln!("incremental bench: {msg}");
    std::process::exit(2);
}

fn args() -> Args {
    let mut a = Args {
        docs: 1000,
        input: None,
        pages: (30, 120),
        seed: 5,
        keep: None,
        json: None,
        runs: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || {
            it.next()
                .unwrap_or_else(|| die(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--docs" => a.docs = val().parse().unwrap_or_else(|_| die("--docs N")),
            "--input" => a.input = Some(PathBuf::from(val())),
            "--pages" => {
                let v = val();
                let (lo, hi) = v.split_once('-').unwrap_or_else(|| die("--pages MIN-MAX"));
                a.pages = (
                    lo.parse().unwrap_or_else(|_| die("--pages MIN-MAX")),
                    hi.parse().unwrap_or_else(|_| die("--pages MIN-MAX")),
                );
            }
            "--seed" => a.seed = val().parse().unwrap_or_else(|_| die("--seed N")),
            "--keep" => a.keep = Some(PathBuf::from(val())),
            "--json" => a.json = Some(PathBuf::from(val())),
            "--runs" => {
                a.runs = val()
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| die("--runs N (at least 1)"))
            }
            // What `cargo bench` passes to every bench.
            "--bench" => {}
            other => die(&format!(
                "unknown argument {other} (--docs N --input DIR --pages MIN-MAX --seed N --keep DIR --json FILE --runs N)"
            )),
        }
    }
    if a.docs < 3 && a.input.is_none() {
        die("--docs must be at least 3");
    }
    a
}

/// One timed build.
#[derive(Debug, serde::Serialize)]
struct Step {
    name: String,
    seconds: f64,
    peak_rss_mb: f64,
    /// The build's summary line (stdout).
    summary: String,
    /// What changed (the build's last stderr line).
    changes: String,
}

#[derive(Debug, Default, serde::Serialize)]
struct Report {
    inputs: String,
    documents: usize,
    input_mb: f64,
    steps: Vec<Step>,
    /// clean seconds / add-one seconds.
    speedup_add_one: f64,
    /// rebuild seconds / add-one seconds.
    speedup_vs_rebuild: f64,
    identical_to_clean: bool,
    loadavg: String,
}

/// Run `ystorfa build` with `extra` arguments; wall time and the peak
/// resident memory of the largest process of the build (Linux `wait4`:
/// the build or one of its extraction workers).
fn run_build(name: &str, input: &Path, out: &Path, extra: &[&str]) -> Step {
    let exe = env!("CARGO_BIN_EXE_ystorfa");
    let m = measured::run(
        Command::new(exe)
            .arg("build")
            .arg(input)
            .arg("--out")
            .arg(out)
            .args(extra),
    )
    .unwrap_or_else(|e| die(&format!("running {exe}: {e}")));
    if !m.success {
        eprintln!("{}", m.stderr);
        die(&format!(
            "{name}: ystorfa build failed (wait status {})",
            m.status
        ));
    }
    let (seconds, stdout, stderr) = (m.seconds, m.stdout, m.stderr);
    let step = Step {
        name: name.to_string(),
        seconds,
        peak_rss_mb: m.peak_rss_mib,
        summary: stdout.trim().to_string(),
        changes: stderr
            .lines()
            .rfind(|l| l.contains(" added, "))
            .unwrap_or_default()
            .trim_start_matches("ystorfa: ")
            .to_string(),
    };
    println!(
        "{:<24} {:>8.2} s {:>8.0} MB  {}",
        step.name, step.seconds, step.peak_rss_mb, step.changes
    );
    step
}

/// The files that must be byte-identical between two builds of the same
/// inputs: every file of the repository (each table's segments), the
/// report and the manifest.
fn outputs(out: &Path) -> Vec<(String, Vec<u8>)> {
    let repo = out.join("repository");
    let mut names: Vec<String> = walkdir::WalkDir::new(&repo)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(out).unwrap_or(e.path());
            rel.display().to_string()
        })
        .collect();
    names.sort();
    names.push("report.json".into());
    names.push("manifest.json".into());
    names
        .into_iter()
        .map(|n| {
            let b = std::fs::read(out.join(&n)).unwrap_or_default();
            (n, b)
        })
        .collect()
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    let a = args();
    let tmp;
    let root = match &a.keep {
        Some(dir) => {
            let _ = std::fs::remove_dir_all(dir);
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| die(&format!("{}: {e}", dir.display())));
            dir.clone()
        }
        None => {
            tmp = tempfile::tempdir().unwrap_or_else(|e| die(&format!("tempdir: {e}")));
            tmp.path().to_path_buf()
        }
    };
    // The inputs (copied afresh for every run), and the new arrival held back.
    let source = root.join("source");
    let held = root.join("held-back");
    std::fs::create_dir_all(&source).unwrap();
    std::fs::create_dir_all(&held).unwrap();
    let mut rep = Report::default();
    let arrival: PathBuf = match &a.input {
        Some(dir) => {
            let mut files: Vec<PathBuf> = walk(dir);
            files.sort();
            if files.len() < 3 {
                die(&format!("{} has fewer than 3 input files", dir.display()));
            }
            let last = files.pop().unwrap();
            for f in &files {
                let to = source.join(f.strip_prefix(dir).unwrap());
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::copy(f, &to).unwrap();
            }
            let to = held.join(last.file_name().unwrap());
            std::fs::copy(&last, &to).unwrap();
            rep.inputs = dir.display().to_string();
            to
        }
        None => {
            let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/corpus/sources");
            let g = scaled::Generator::from_sources(&sources, a.seed, a.pages)
                .unwrap_or_else(|e| die(&format!("reading {}: {e}", sources.display())));
            g.write(&source, a.docs)
                .unwrap_or_else(|e| die(&format!("writing {}: {e}", source.display())));
            let d = g.doc(a.docs);
            let to = held.join(&d.name);
            std::fs::write(&to, &d.text).unwrap();
            rep.inputs = format!(
                "{} generated fictional review-sized documents (seed {}, {}-{} pages)",
                a.docs, a.seed, a.pages.0, a.pages.1
            );
            to
        }
    };
    let files = walk(&source);
    rep.documents = files.len();
    rep.input_mb = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum::<u64>() as f64
        / (1024.0 * 1024.0);
    println!(
        "inputs: {} ({} files, {:.1} MB) + 1 held back ({}); {} run(s); load average {}",
        rep.inputs,
        rep.documents,
        rep.input_mb,
        arrival.file_name().unwrap().to_string_lossy(),
        a.runs,
        loadavg()
    );

    let mut runs: Vec<Vec<Step>> = Vec::new();
    rep.identical_to_clean = true;
    for r in 0..a.runs {
        if a.runs > 1 {
            println!("run {}", r + 1);
        }
        let dir = root.join(format!("run-{r}"));
        let (steps, identical) = sequence(&dir, &source, &arrival);
        rep.identical_to_clean &= identical;
        runs.push(steps);
        if a.keep.is_none() || r + 1 < a.runs {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    // Median time and largest memory of each step over the runs.
    rep.steps = (0..runs[0].len())
        .map(|i| {
            let mut secs: Vec<f64> = runs.iter().map(|r| r[i].seconds).collect();
            secs.sort_by(f64::total_cmp);
            Step {
                name: runs[0][i].name.clone(),
                seconds: secs[secs.len() / 2],
                peak_rss_mb: runs.iter().map(|r| r[i].peak_rss_mb).fold(0.0, f64::max),
                summary: runs[0][i].summary.clone(),
                changes: runs[0][i].changes.clone(),
            }
        })
        .collect();
    if a.runs > 1 {
        println!("median of {} runs:", a.runs);
        for s in &rep.steps {
            println!(
                "{:<24} {:>8.2} s {:>8.0} MB",
                s.name, s.seconds, s.peak_rss_mb
            );
        }
    }
    let secs = |name: &str| {
        rep.steps
            .iter()
            .find(|s| s.name == name)
            .map_or(f64::NAN, |s| s.seconds)
    };
    rep.speedup_add_one = secs("clean") / secs("add one");
    rep.speedup_vs_rebuild = secs("reference: --rebuild") / secs("add one");
    rep.loadavg = loadavg();
    println!(
        "add one: {:.1}x faster than a clean build, {:.1}x faster than processing every document again from the cache; load average {}",
        rep.speedup_add_one, rep.speedup_vs_rebuild, rep.loadavg
    );
    println!(
        "incremental outputs byte-identical to a clean build of the final state: {}",
        rep.identical_to_clean
    );
    if let Some(p) = &a.json {
        std::fs::write(p, serde_json::to_vec_pretty(&rep).unwrap())
            .unwrap_or_else(|e| die(&format!("{}: {e}", p.display())));
    }
    if !rep.identical_to_clean {
        die("the incremental build's outputs differ from a clean build's");
    }
}

/// One run of the six steps in `dir`, from a fresh copy of `source`;
/// whether the incremental outputs equal the clean build's.
fn sequence(dir: &Path, source: &Path, arrival: &Path) -> (Vec<Step>, bool) {
    let input = dir.join("in");
    for f in walk(source) {
        let to = input.join(f.strip_prefix(source).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&f, &to).unwrap();
    }
    let files = walk(&input);
    let out = dir.join("out");
    let mut steps = vec![
        run_build("clean", &input, &out, &[]),
        run_build("nothing changed", &input, &out, &[]),
    ];
    std::fs::copy(arrival, input.join(arrival.file_name().unwrap())).unwrap();
    steps.push(run_build("add one", &input, &out, &[]));
    // Edit the first document, remove the second.
    let (edit, gone) = (&files[0], &files[1]);
    let mut text = std::fs::read(edit).unwrap();
    text.extend_from_slice(
        b"\n\nA further fictional paragraph: the panel noted the victim's housing needs.\n",
    );
    std::fs::write(edit, text).unwrap();
    std::fs::remove_file(gone).unwrap();
    steps.push(run_build("change one, remove one", &input, &out, &[]));
    steps.push(run_build(
        "reference: --rebuild",
        &input,
        &out,
        &["--rebuild"],
    ));
    let clean = dir.join("clean-final");
    steps.push(run_build("clean (final state)", &input, &clean, &[]));
    let (inc, fresh) = (outputs(&out), outputs(&clean));
    for ((n, x), (_, y)) in inc.iter().zip(&fresh) {
        if x != y {
            eprintln!(
                "{n} differs between {} and {}",
                out.display(),
                clean.display()
            );
        }
    }
    (steps, inc == fresh)
}

/// Input files under `dir` (the extensions `ystorfa build` reads).
fn walk(dir: &Path) -> Vec<PathBuf> {
    ystorfa::pipeline::discover(&[dir.to_path_buf()])
        .unwrap_or_else(|e| die(&format!("{}: {e}", dir.display())))
}
