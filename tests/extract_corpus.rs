//! Real-data check: every PDF in `../shared/corpus` extracts with word F1
//! ≥ 0.97 against its `.txt`/`.md` source. Skipped with a notice when the
//! shared data is missing, unless `CI=true`.

use std::path::PathBuf;
use ystorfa::extract::{Limits, extract, word_f1};

fn shared() -> Option<PathBuf> {
    // `../shared` beside the crate; git worktrees one level deeper also
    // find it; `YSTORFA_SHARED` overrides.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let p = root.join("../shared");
    let candidates = [
        std::env::var_os("YSTORFA_SHARED").map(PathBuf::from),
        Some(p.clone()),
        Some(root.join("../../shared")),
    ];
    for c in candidates.into_iter().flatten() {
        if c.join("corpus").is_dir() {
            return Some(c);
        }
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("../shared is missing and CI=true");
    }
    eprintln!("NOTICE: {} missing: real-data test skipped", p.display());
    None
}

/// Markdown markup is not text on the rendered page: headings marks, list
/// markers, emphasis, HTML tags and rules are dropped.
fn strip_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        let l = line.trim_start_matches('#').trim_start();
        if l.chars().all(|c| c == '-') && !l.is_empty() {
            continue;
        }
        let l = l
            .strip_prefix("- ")
            .or_else(|| l.strip_prefix("* "))
            .unwrap_or(l);
        let mut t = String::with_capacity(l.len());
        let mut in_tag = false;
        for c in l.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                '*' => {}
                c if !in_tag => t.push(c),
                _ => {}
            }
        }
        out.push_str(&t);
        out.push('\n');
    }
    out
}

/// The renderer typesets smart quotes and bullets the source does not have:
/// fold quotes and drop bullet glyphs on both sides.
fn fold(s: &str) -> String {
    s.replace(['\u{2018}', '\u{2019}'], "'")
        .replace(['\u{201c}', '\u{201d}'], "\"")
        .replace('\u{2022}', " ")
}

#[test]
fn corpus_pdfs_match_their_sources() {
    let Some(root) = shared() else { return };
    let mut n = 0;
    let mut failures = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(root.join("corpus"))
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    entries.sort();
    for pdf in entries {
        let txt = pdf.with_extension("txt");
        let md = pdf.with_extension("md");
        let reference = if txt.exists() {
            std::fs::read_to_string(&txt).expect("read txt")
        } else if md.exists() {
            strip_markdown(&std::fs::read_to_string(&md).expect("read md"))
        } else {
            continue;
        };
        let bytes = std::fs::read(&pdf).expect("read pdf");
        let name = pdf.display().to_string();
        let doc = extract(&name, &bytes, &Limits::default()).expect("extract");
        let f1 = word_f1(&fold(&reference), &fold(&doc.plain_text()));
        eprintln!(
            "{f1:.4}  {}",
            pdf.file_name().unwrap_or_default().to_string_lossy()
        );
        n += 1;
        if f1 < 0.97 {
            failures.push(format!("{name}: F1 {f1:.4}"));
        }
    }
    assert!(n > 0, "no corpus PDFs found");
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Manual tool (ignored): `YSTORFA_DUMP=out_dir cargo test --test
/// extract_corpus dump -- --ignored PDF...` is not possible with libtest
/// args, so the PDFs come from `YSTORFA_DUMP_FILES` (colon-separated).
/// Writes `out_dir/NAME.txt` and prints the time per file.
#[test]
#[ignore]
fn dump() {
    let (Ok(out), Ok(files)) = (
        std::env::var("YSTORFA_DUMP"),
        std::env::var("YSTORFA_DUMP_FILES"),
    ) else {
        eprintln!("set YSTORFA_DUMP and YSTORFA_DUMP_FILES");
        return;
    };
    let start_all = std::time::Instant::now();
    for f in files.split(':').filter(|f| !f.is_empty()) {
        let bytes = std::fs::read(f).expect("read");
        if std::env::var_os("YSTORFA_DUMP_LOADTIME").is_some() {
            let t = std::time::Instant::now();
            let d = lopdf::Document::load_mem(&bytes);
            eprintln!(
                "  load only: {:.1} ms ({})",
                t.elapsed().as_secs_f64() * 1000.0,
                d.is_ok()
            );
        }
        let t = std::time::Instant::now();
        let r = extract(f, &bytes, &Limits::default());
        let el = t.elapsed();
        let name = PathBuf::from(f)
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        match r {
            Ok(d) => {
                std::fs::write(
                    PathBuf::from(&out).join(format!("{name}.txt")),
                    d.plain_text(),
                )
                .expect("write");
                eprintln!(
                    "{:8.1} ms  {name}  warnings={}",
                    el.as_secs_f64() * 1000.0,
                    d.warnings.len()
                );
                if std::env::var_os("YSTORFA_DUMP_WARNINGS").is_some() {
                    for w in &d.warnings {
                        eprintln!("    {w}");
                    }
                }
            }
            Err(e) => eprintln!("ERROR {name}: {e}"),
        }
    }
    eprintln!("total {:.1} ms", start_all.elapsed().as_secs_f64() * 1000.0);
}
