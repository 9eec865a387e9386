//! Extraction benchmark: ystorfa's extractor against `pdftotext` (poppler),
//! over the same PDFs in one invocation.
//!
//! For each set in `../shared/pdf-bench/*` (PDFs with ground-truth text) and
//! `../shared/corpus` (PDF renderings beside their `.txt`/`.md` sources) it
//! reports, per file and as set means: word-level F1 and normalised
//! Levenshtein similarity to the ground truth (after NFKC normalisation and
//! whitespace collapsing, as the py-pdf benchmarks do), pages per second at
//! equal parallelism (ystorfa: rayon over documents and pages on all cores;
//! pdftotext: one process per file, as many at a time as there are cores),
//! failures, and the ratios ystorfa / pdftotext.
//!
//! What is compared. pdftotext prints each page's full text and the ground
//! truths are full page text, running headers and footers included.
//! ystorfa moves running headers/footers and page numbers out of the body
//! into each page's `header`/`footer` (kept as metadata, out of search and
//! evidence). So the headline ystorfa figures (`ys F1`, `ys Lev`) score the
//! page text with that furniture put back where it was read (header lines
//! before the body, footer lines after it): like with like. The body alone,
//! what ystorfa indexes, is scored too (`body F1`, `body Lev`); it loses a
//! little against references that keep the furniture, by design, and is
//! not the figure to compare with pdftotext.
//!
//! After each set it lists the files where ystorfa trails pdftotext most
//! (word F1, full text), to find extraction bugs.
//!
//! Run: `cargo bench --bench extract` (options after `--`: `--set NAME`,
//! `--runs N`, `--json FILE`). Needs `pdftotext` (Debian: poppler-utils).

use rapidfuzz::distance::levenshtein;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;
use ystorfa::extract::{self, Limits, normalize_for_compare, word_f1};

/// A PDF with its reference text.
struct Case {
    set: String,
    pdf: PathBuf,
    truth: PathBuf,
    /// Left out of the set means (a known-bad reference).
    excluded: bool,
}

#[derive(Default, Clone, serde::Serialize)]
struct Score {
    f1: f64,
    lev: f64,
    failed: bool,
}

fn score(got: Option<&str>, truth: &str) -> Score {
    let Some(got) = got else {
        return Score {
            failed: true,
            ..Score::default()
        };
    };
    let (g, t) = (normalize_for_compare(got), normalize_for_compare(truth));
    Score {
        f1: word_f1(&t, &g),
        lev: levenshtein::normalized_similarity(g.chars(), t.chars()),
        failed: false,
    }
}

fn cases(shared: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let bench = shared.join("pdf-bench");
    let mut sets: Vec<PathBuf> = std::fs::read_dir(&bench)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("pdf").is_dir())
                .collect()
        })
        .unwrap_or_default();
    sets.sort();
    for set in sets {
        let name = set.file_name().unwrap().to_string_lossy().to_string();
        let mut pdfs: Vec<PathBuf> = std::fs::read_dir(set.join("pdf"))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
            .collect();
        pdfs.sort();
        for pdf in pdfs {
            let stem = pdf.file_stem().unwrap().to_string_lossy().to_string();
            // The compressed book's reference is named after the book.
            let truth_stem = if stem == "GeoTopo-komprimiert" {
                "GeoTopo-book".to_string()
            } else {
                stem.clone()
            };
            let truth = set.join("ground-truth").join(format!("{truth_stem}.txt"));
            if truth.exists() {
                // pdf-bench/README.md: this copy is another version than its reference.
                let excluded = stem == "2201.00022";
                out.push(Case {
                    set: name.clone(),
                    pdf,
                    truth,
                    excluded,
                });
            }
        }
    }
    let corpus = shared.join("corpus");
    let mut pdfs: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
                .collect()
        })
        .unwrap_or_default();
    pdfs.sort();
    for pdf in pdfs {
        for ext in ["txt", "md"] {
            let truth = pdf.with_extension(ext);
            if truth.exists() {
                out.push(Case {
                    set: "corpus".into(),
                    pdf: pdf.clone(),
                    truth,
                    excluded: false,
                });
                break;
            }
        }
    }
    out
}

/// One document's text as ystorfa extracted it: the full page text (running
/// headers/footers put back in reading position) and the body alone.
#[derive(Clone)]
struct YsText {
    full: String,
    body: String,
}

/// Each page's header lines, body, footer lines; pages separated by a form
/// feed, as pdftotext separates them.
fn full_text(d: &ystorfa::model::ExtractedDoc) -> String {
    d.pages
        .iter()
        .map(|p| {
            let mut lines: Vec<String> = p.header.clone();
            lines.push(p.text());
            lines.extend(p.footer.iter().cloned());
            lines.retain(|l| !l.is_empty());
            lines.join("\n")
        })
        .collect::<Vec<_>>()
        .join("\n\u{c}")
}

fn run_ystorfa(cases: &[&Case]) -> (Vec<Option<YsText>>, u64, f64) {
    let t = Instant::now();
    let results: Vec<Option<(YsText, u64)>> = cases
        .par_iter()
        .map(|c| {
            let bytes = std::fs::read(&c.pdf).ok()?;
            let name = c.pdf.display().to_string();
            extract::extract(&name, &bytes, &Limits::default())
                .ok()
                .map(|d| {
                    let text = YsText {
                        full: full_text(&d),
                        body: d.plain_text(),
                    };
                    (text, d.pages.len() as u64)
                })
        })
        .collect();
    let secs = t.elapsed().as_secs_f64();
    let pages = results.iter().flatten().map(|r| r.1).sum();
    (
        results.into_iter().map(|r| r.map(|r| r.0)).collect(),
        pages,
        secs,
    )
}

fn run_pdftotext(cases: &[&Case], workers: usize) -> (Vec<Option<String>>, f64) {
    let tmp = std::env::temp_dir().join(format!("ystorfa-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<String>>> = Mutex::new(vec![None; cases.len()]);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        let i = *n;
                        *n += 1;
                        i
                    };
                    if i >= cases.len() {
                        break;
                    }
                    let out = tmp.join(format!("{i}.txt"));
                    let ok = Command::new("pdftotext")
                        .args(["-enc", "UTF-8"])
                        .arg(&cases[i].pdf)
                        .arg(&out)
                        .status()
                        .map(|s| s.success())
                        .unwrap_or(false);
                    let text = if ok {
                        std::fs::read_to_string(&out).ok()
                    } else {
                        None
                    };
                    results.lock().unwrap()[i] = text;
                }
            });
        }
    });
    let secs = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&tmp);
    (results.into_inner().unwrap(), secs)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[derive(serde::Serialize)]
struct SetReport {
    set: String,
    files: usize,
    pages: u64,
    ystorfa: Summary,
    pdftotext: Summary,
    /// ystorfa's body text alone (running headers/footers left out).
    ystorfa_body: Summary,
    ratio_f1: f64,
    ratio_lev: f64,
    ratio_speed: f64,
    per_file: Vec<FileReport>,
}

#[derive(serde::Serialize)]
struct Summary {
    mean_f1: f64,
    mean_lev: f64,
    pages_per_sec: f64,
    seconds: f64,
    failures: usize,
}

#[derive(serde::Serialize)]
struct FileReport {
    file: String,
    excluded: bool,
    ystorfa: Score,
    ystorfa_body: Score,
    pdftotext: Score,
}

/// Per file: ystorfa full text, ystorfa body, pdftotext.
type Scores = (Score, Score, Score);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let runs: usize = opt("--runs").and_then(|s| s.parse().ok()).unwrap_or(3);
    let only = opt("--set");
    let json_out = opt("--json");
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if !shared.is_dir() {
        eprintln!(
            "bench extract: {} is missing; nothing to measure",
            shared.display()
        );
        std::process::exit(if std::env::var("CI").as_deref() == Ok("true") {
            1
        } else {
            0
        });
    }
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("bench extract: pdftotext not found (Debian: apt-get install poppler-utils)");
        std::process::exit(2);
    }
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let all = cases(&shared);
    let mut set_names: Vec<String> = all.iter().map(|c| c.set.clone()).collect();
    set_names.dedup();
    let mut reports = Vec::new();
    println!(
        "ystorfa extraction benchmark: {workers} cores, {runs} timed runs each (median), pdftotext {workers} processes at a time"
    );
    for set in set_names {
        if only.as_ref().is_some_and(|o| o != &set) {
            continue;
        }
        let cs: Vec<&Case> = all.iter().filter(|c| c.set == set).collect();
        let mut y_times = Vec::new();
        let mut p_times = Vec::new();
        let mut y_text = Vec::new();
        let mut p_text = Vec::new();
        let mut pages = 0;
        for _ in 0..runs.max(1) {
            let (t, pg, s) = run_ystorfa(&cs);
            y_text = t;
            pages = pg;
            y_times.push(s);
            let (t, s) = run_pdftotext(&cs, workers);
            p_text = t;
            p_times.push(s);
        }
        let truths: Vec<String> = cs
            .iter()
            .map(|c| std::fs::read_to_string(&c.truth).unwrap_or_default())
            .collect();
        let scores: Vec<Scores> = (0..cs.len())
            .into_par_iter()
            .map(|i| {
                let y = y_text[i].as_ref();
                (
                    score(y.map(|t| t.full.as_str()), &truths[i]),
                    score(y.map(|t| t.body.as_str()), &truths[i]),
                    score(p_text[i].as_deref(), &truths[i]),
                )
            })
            .collect();
        println!("\n== {set} ({} files, {pages} pages)", cs.len());
        println!(
            "{:<44} {:>7} {:>7}   {:>7} {:>7}   {:>7} {:>7}",
            "file", "ys F1", "ys Lev", "body F1", "body Lev", "ptt F1", "ptt Lev"
        );
        let fmt = |s: &Score, v: f64| {
            if s.failed {
                "FAILED".to_string()
            } else {
                format!("{v:.4}")
            }
        };
        let name = |c: &Case| c.pdf.file_name().unwrap().to_string_lossy().to_string();
        for (c, (y, b, p)) in cs.iter().zip(&scores) {
            println!(
                "{:<44} {:>7} {:>7}   {:>7} {:>7}   {:>7} {:>7}{}",
                name(c),
                fmt(y, y.f1),
                fmt(y, y.lev),
                fmt(b, b.f1),
                fmt(b, b.lev),
                fmt(p, p.f1),
                fmt(p, p.lev),
                if c.excluded {
                    "  (excluded from means)"
                } else {
                    ""
                }
            );
        }
        let counted: Vec<&Scores> = cs
            .iter()
            .zip(&scores)
            .filter(|(c, _)| !c.excluded)
            .map(|(_, s)| s)
            .collect();
        let mean = |f: &dyn Fn(&Scores) -> f64| {
            counted.iter().map(|s| f(s)).sum::<f64>() / counted.len().max(1) as f64
        };
        let (yt, pt) = (median(y_times), median(p_times));
        let summary = |f1: &dyn Fn(&Scores) -> f64,
                       lev: &dyn Fn(&Scores) -> f64,
                       failed: &dyn Fn(&Scores) -> bool,
                       secs: f64| Summary {
            mean_f1: mean(f1),
            mean_lev: mean(lev),
            pages_per_sec: pages as f64 / secs,
            seconds: secs,
            failures: scores.iter().filter(|s| failed(s)).count(),
        };
        let y = summary(&|s| s.0.f1, &|s| s.0.lev, &|s| s.0.failed, yt);
        let b = summary(&|s| s.1.f1, &|s| s.1.lev, &|s| s.1.failed, yt);
        let p = summary(&|s| s.2.f1, &|s| s.2.lev, &|s| s.2.failed, pt);
        println!(
            "{:<44} {:>7.4} {:>7.4}   {:>7.4} {:>7.4}   {:>7.4} {:>7.4}",
            "MEAN", y.mean_f1, y.mean_lev, b.mean_f1, b.mean_lev, p.mean_f1, p.mean_lev
        );
        println!(
            "speed: ystorfa {:.1} pages/s ({:.3}s), pdftotext {:.1} pages/s ({:.3}s): ratio {:.2}x; failures {} vs {}",
            y.pages_per_sec,
            yt,
            p.pages_per_sec,
            pt,
            pt / yt,
            y.failures,
            p.failures
        );
        // Where ystorfa trails pdftotext most (full text, word F1).
        let mut worst: Vec<(f64, f64, &Case)> = cs
            .iter()
            .zip(&scores)
            .filter(|(_, s)| !s.0.failed && !s.2.failed)
            .map(|(c, s)| (s.0.f1 - s.2.f1, s.0.lev - s.2.lev, *c))
            .filter(|w| w.0 < 0.0 || w.1 < 0.0)
            .collect();
        worst.sort_by(|a, b| {
            a.0.partial_cmp(&b.0)
                .unwrap()
                .then(a.1.partial_cmp(&b.1).unwrap())
        });
        if !worst.is_empty() {
            println!("files where ystorfa trails pdftotext (F1 and Lev difference):");
            for (df1, dlev, c) in worst.iter().take(5) {
                println!("  {:<44} F1 {:+.4}  Lev {:+.4}", name(c), df1, dlev);
            }
        }
        let per_file = cs
            .iter()
            .zip(&scores)
            .map(|(c, s)| FileReport {
                file: name(c),
                excluded: c.excluded,
                ystorfa: s.0.clone(),
                ystorfa_body: s.1.clone(),
                pdftotext: s.2.clone(),
            })
            .collect();
        reports.push(SetReport {
            set: set.clone(),
            files: cs.len(),
            pages,
            ratio_f1: y.mean_f1 / p.mean_f1.max(1e-9),
            ratio_lev: y.mean_lev / p.mean_lev.max(1e-9),
            ratio_speed: pt / yt,
            ystorfa: y,
            ystorfa_body: b,
            pdftotext: p,
            per_file,
        });
    }
    println!(
        "\n{:<10} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8} {:>9} {:>9} {:>7}",
        "set",
        "ys F1",
        "ptt F1",
        "ys Lev",
        "ptt Lev",
        "body F1",
        "body Lev",
        "ys pg/s",
        "ptt pg/s",
        "speed"
    );
    for r in &reports {
        println!(
            "{:<10} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>8.4} {:>8.4} {:>9.1} {:>9.1} {:>6.2}x",
            r.set,
            r.ystorfa.mean_f1,
            r.pdftotext.mean_f1,
            r.ystorfa.mean_lev,
            r.pdftotext.mean_lev,
            r.ystorfa_body.mean_f1,
            r.ystorfa_body.mean_lev,
            r.ystorfa.pages_per_sec,
            r.pdftotext.pages_per_sec,
            r.ratio_speed
        );
    }
    if let Some(path) = json_out {
        std::fs::write(&path, serde_json::to_string_pretty(&reports).unwrap()).unwrap();
        println!("wrote {path}");
    }
}
