//! Scale benchmark (issue #12): what building a national repository costs
//! as the number of documents grows, as ratios against a 1,000-document
//! reference run made in the same invocation.
//!
//! For each corpus size N (default: 1,000 only; `YSTORFA_SCALE=10000,20000`
//! or `--docs 10000,20000` for the big runs, which always run after the
//! 1,000-document reference), the bench generates N fictional review-sized
//! Markdown documents with the serve bench's generator (`serve/scaled.rs`),
//! holds one more back as "the new arrival", and runs the release
//! `ystorfa build` as its own process:
//!
//! 1. `clean`: a first build into an empty output folder; wall time and
//!    peak resident memory of the largest process of the build (Linux
//!    `wait4`: the build or one of its extraction workers);
//! 2. sizes: the input, the output folder without its extraction cache
//!    (files counted once however many links they have), `search/` split
//!    into live files (those the index's `meta.json` names) and orphans,
//!    `repository/`, and the cache;
//! 3. `add one`: the held-back document added; time, memory, and the
//!    orphans left after it.
//!
//! Figures printed per size, then the ratios against the reference:
//! seconds per document (linearity), add one as a share of the clean build,
//! output / input. The targets of issue #12 are printed beside them; the
//! bench reports, it does not fail on a missed target.
//!
//! Everything is written in a temporary folder (or `--keep DIR`), never in
//! the repository. Run: `cargo bench --bench scale -- [--docs 1000,10000]
//! [--pages 30-120] [--seed 5] [--keep DIR] [--json FILE] [--exe PATH]`
//! (`--exe` measures another `ystorfa` executable, e.g. an older build, on
//! the same corpus and machine).

#[path = "serve/measured.rs"]
mod measured;
#[path = "serve/scaled.rs"]
#[allow(dead_code)]
mod scaled;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The size every other run is compared with.
const REFERENCE_DOCS: usize = 1000;

struct Args {
    sizes: Vec<usize>,
    pages: (usize, usize),
    seed: u64,
    keep: Option<PathBuf>,
    json: Option<PathBuf>,
    /// The `ystorfa` executable measured (default: this build's).
    exe: PathBuf,
}

fn die(msg: &str) -> ! {
    eprintln!("scale bench: {msg}");
    std::process::exit(2);
}

fn parse_sizes(s: &str) -> Vec<usize> {
    s.split(',')
        .filter(|x| !x.trim().is_empty())
        .map(|x| {
            x.trim()
                .parse()
                .unwrap_or_else(|_| die(&format!("not a number of documents: {x}")))
        })
        .collect()
}

fn args() -> Args {
    let mut a = Args {
        sizes: std::env::var("YSTORFA_SCALE")
            .map(|s| parse_sizes(&s))
            .unwrap_or_default(),
        pages: (30, 120),
        seed: 5,
        keep: None,
        json: None,
        exe: PathBuf::from(env!("CARGO_BIN_EXE_ystorfa")),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || {
            it.next()
                .unwrap_or_else(|| die(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--docs" => a.sizes = parse_sizes(&val()),
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
            "--exe" => a.exe = PathBuf::from(val()),
            // What `cargo bench` passes to every bench.
            "--bench" => {}
            other => die(&format!(
                "unknown argument {other} (--docs N,N --pages MIN-MAX --seed N --keep DIR --json FILE --exe PATH)"
            )),
        }
    }
    // The reference first, then the others in increasing order.
    let mut sizes: BTreeSet<usize> = a.sizes.iter().copied().filter(|&n| n >= 3).collect();
    sizes.remove(&REFERENCE_DOCS);
    a.sizes = std::iter::once(REFERENCE_DOCS).chain(sizes).collect();
    a
}

/// One timed build.
#[derive(Debug, Default, Clone, serde::Serialize)]
struct Build {
    seconds: f64,
    peak_rss_mib: f64,
    /// The build's summary line (stdout).
    summary: String,
}

/// Bytes on disk, each file counted once however many links it has.
#[derive(Debug, Default, Clone, serde::Serialize)]
struct Sizes {
    input: u64,
    /// The output folder without `cache/`.
    output: u64,
    search_live: u64,
    search_orphans: u64,
    repository: u64,
    cache: u64,
}

/// One corpus size.
#[derive(Debug, Default, Clone, serde::Serialize)]
struct Run {
    documents: usize,
    clean: Build,
    sizes: Sizes,
    add_one: Build,
    /// Orphaned index files after the add-one build.
    orphans_after_add_one: u64,
}

#[derive(Debug, Default, serde::Serialize)]
struct Report {
    seed: u64,
    pages: (usize, usize),
    runs: Vec<Run>,
    loadavg: String,
}

/// Run `ystorfa build INPUT --out OUT`: wall time and the peak resident
/// memory of the largest process of the build (Linux `wait4`).
fn run_build(exe: &Path, name: &str, input: &Path, out: &Path) -> Build {
    let m = measured::run(
        Command::new(exe)
            .arg("build")
            .arg(input)
            .arg("--out")
            .arg(out)
            .arg("-q"),
    )
    .unwrap_or_else(|e| die(&format!("running {}: {e}", exe.display())));
    if !m.success {
        eprintln!("{}", m.stderr);
        die(&format!(
            "{name}: ystorfa build failed (wait status {})",
            m.status
        ));
    }
    let b = Build {
        seconds: m.seconds,
        peak_rss_mib: m.peak_rss_mib,
        summary: m.stdout.trim().to_string(),
    };
    println!(
        "  {:<10} {:>8.1} s {:>8.0} MiB  {}",
        name, b.seconds, b.peak_rss_mib, b.summary
    );
    b
}

/// Sum of the sizes of the files under `dir` (symlinks not followed),
/// each inode once (`seen` is shared across calls), skipping `skip`.
fn du(dir: &Path, skip: Option<&Path>, seen: &mut HashSet<(u64, u64)>) -> u64 {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| Some(e.path()) != skip)
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .filter(|m| seen.insert((m.dev(), m.ino())))
        .map(|m| m.len())
        .sum()
}

/// The files of a tantivy index that its `meta.json` names (every
/// segment's component files and its current delete file), read without
/// ystorfa's code so the bench measures any version alike.
fn live_index_files(search: &Path) -> HashSet<String> {
    let mut live: HashSet<String> = ["meta.json", ".managed.json"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let Ok(meta) = std::fs::read(search.join("meta.json")) else {
        return live;
    };
    let meta: serde_json::Value = serde_json::from_slice(&meta).unwrap_or_default();
    let segments = meta["segments"].as_array().cloned().unwrap_or_default();
    let ids: HashSet<String> = segments
        .iter()
        .filter_map(|s| s["segment_id"].as_str())
        .map(|s| s.replace('-', ""))
        .collect();
    let deletes: HashSet<String> = segments
        .iter()
        .filter_map(|s| {
            let id = s["segment_id"].as_str()?.replace('-', "");
            let op = s["deletes"]["opstamp"].as_u64()?;
            Some(format!("{id}.{op}.del"))
        })
        .collect();
    for e in std::fs::read_dir(search).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let stem = name.split('.').next().unwrap_or_default();
        let is_del = name.ends_with(".del");
        if ids.contains(stem) && (!is_del || deletes.contains(&name)) {
            live.insert(name);
        }
    }
    live
}

/// Live and orphaned bytes of the index in `search`.
fn index_sizes(search: &Path) -> (u64, u64) {
    let live = live_index_files(search);
    let (mut l, mut o) = (0, 0);
    for e in std::fs::read_dir(search).into_iter().flatten().flatten() {
        let len = e.metadata().map(|m| m.len()).unwrap_or(0);
        let name = e.file_name().to_string_lossy().to_string();
        if name.ends_with(".lock") || live.contains(&name) {
            l += len;
        } else {
            o += len;
        }
    }
    (l, o)
}

fn sizes(input: &Path, out: &Path) -> Sizes {
    let gen_dir = out
        .join("current")
        .canonicalize()
        .unwrap_or(out.to_path_buf());
    let (search_live, search_orphans) = index_sizes(&gen_dir.join("search"));
    let cache = out.join("cache");
    Sizes {
        input: du(input, None, &mut HashSet::new()),
        output: du(out, Some(&cache), &mut HashSet::new()),
        search_live,
        search_orphans,
        repository: du(&gen_dir.join("repository"), None, &mut HashSet::new()),
        cache: du(&cache, None, &mut HashSet::new()),
    }
}

fn mib(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Generate N documents (and the arrival), build, measure, add one.
fn run(a: &Args, n: usize, root: &Path) -> Run {
    let dir = root.join(format!("docs-{n}"));
    let _ = std::fs::remove_dir_all(&dir);
    let (input, out) = (dir.join("in"), dir.join("out"));
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/corpus/sources");
    let g = scaled::Generator::from_sources(&sources, a.seed, a.pages)
        .unwrap_or_else(|e| die(&format!("reading {}: {e}", sources.display())));
    let t = Instant::now();
    let generated = g
        .write(&input, n)
        .unwrap_or_else(|e| die(&format!("writing {}: {e}", input.display())));
    println!(
        "{n} documents: generated {} pages, {:.0} MiB in {:.1} s; load average {}",
        generated.pages,
        mib(generated.bytes),
        t.elapsed().as_secs_f64(),
        loadavg()
    );
    let mut r = Run {
        documents: n,
        clean: run_build(&a.exe, "clean", &input, &out),
        ..Run::default()
    };
    r.sizes = sizes(&input, &out);
    let s = &r.sizes;
    println!(
        "  sizes: input {:.0} MiB; output {:.0} MiB ({:.2}x the input): search/ {:.0} MiB live + {:.0} MiB orphaned, repository/ {:.0} MiB; cache/ {:.0} MiB",
        mib(s.input),
        mib(s.output),
        s.output as f64 / s.input.max(1) as f64,
        mib(s.search_live),
        mib(s.search_orphans),
        mib(s.repository),
        mib(s.cache)
    );
    let arrival = g.doc(n);
    std::fs::write(input.join(&arrival.name), &arrival.text)
        .unwrap_or_else(|e| die(&format!("writing the arrival: {e}")));
    r.add_one = run_build(&a.exe, "add one", &input, &out);
    let gen_dir = out.join("current").canonicalize().unwrap_or(out.clone());
    r.orphans_after_add_one = index_sizes(&gen_dir.join("search")).1;
    println!(
        "  orphaned index bytes after add one: {:.1} MiB",
        mib(r.orphans_after_add_one)
    );
    if a.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    r
}

/// Print each run against the reference and the targets of issue #12.
fn print_ratios(runs: &[Run]) {
    let reference = &runs[0];
    let per_doc = |r: &Run| r.clean.seconds / r.documents as f64;
    println!(
        "\n{:>7} {:>9} {:>10} {:>9} {:>11} {:>10} {:>10} {:>9}",
        "docs", "clean s", "per doc", "x ref", "peak MiB", "add one s", "add/clean", "out/in"
    );
    for r in runs {
        println!(
            "{:>7} {:>9.1} {:>8.1}ms {:>9.2} {:>11.0} {:>10.2} {:>9.2}% {:>9.2}",
            r.documents,
            r.clean.seconds,
            per_doc(r) * 1000.0,
            per_doc(r) / per_doc(reference),
            r.clean.peak_rss_mib.max(r.add_one.peak_rss_mib),
            r.add_one.seconds,
            100.0 * r.add_one.seconds / r.clean.seconds,
            r.sizes.output as f64 / r.sizes.input.max(1) as f64
        );
    }
    println!(
        "targets: peak <= 1536 MiB at any size; per doc <= 1.2x the reference; add one <= 1% of clean at 20,000; out/in <= 3 at 1,000; no orphans"
    );
}

fn main() {
    let a = args();
    let tmp;
    let root = match &a.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| die(&format!("{}: {e}", dir.display())));
            dir.clone()
        }
        None => {
            tmp = tempfile::tempdir().unwrap_or_else(|e| die(&format!("tempdir: {e}")));
            tmp.path().to_path_buf()
        }
    };
    println!(
        "scale bench: sizes {:?} (reference {REFERENCE_DOCS}), seed {}, {}-{} pages per document, {}",
        a.sizes,
        a.seed,
        a.pages.0,
        a.pages.1,
        a.exe.display()
    );
    let mut rep = Report {
        seed: a.seed,
        pages: a.pages,
        ..Report::default()
    };
    for &n in &a.sizes {
        rep.runs.push(run(&a, n, &root));
    }
    print_ratios(&rep.runs);
    rep.loadavg = loadavg();
    println!("load average {}", rep.loadavg);
    if let Some(p) = &a.json {
        std::fs::write(p, serde_json::to_vec_pretty(&rep).unwrap())
            .unwrap_or_else(|e| die(&format!("{}: {e}", p.display())));
    }
}
