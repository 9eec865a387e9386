//! Segmenting and tagging in time linear in the text, whatever its shape
//! (#18 defect 9).
//!
//! For each size it analyses (segment + tag, the default rules, no limits)
//! text of the same length in four shapes, from the same fictional words:
//! - `paragraphs`: sentences of twelve words in paragraphs of six (the
//!   reference: how a review's text is laid out);
//! - `one line`: one line with no sentence end (passages cut at spaces);
//! - `dense near`: one paragraph of words dense in both sides of a `near`
//!   rule ("isolated" … "friends");
//! - `headings`: a Markdown heading before every paragraph.
//!
//! It prints seconds per MB of each shape and two ratios: shape / reference
//! at the same size (near 1: no shape is pathological) and per-MB time at
//! the largest size / at the smallest (near 1: linear). All in one
//! invocation, so the ratios do not depend on the machine.
//!
//! Run: `cargo bench --bench tagging` (options after `--`: `--mb 1,4,16`).

use std::time::Instant;
use ystorfa::extract::Limits;
use ystorfa::pipeline::{AnalysisLimits, analyse, extract_bytes};
use ystorfa::rules::RuleSet;

const WORDS: &[&str] = &[
    "the", "agency", "should", "assess", "risk", "of", "abuse", "police", "health", "she", "was",
    "isolated", "from", "her", "friends", "and", "family",
];

/// `bytes` of words from a fixed seed, each followed by what `sep(i)`
/// gives after the i-th word.
fn text(bytes: usize, sep: impl Fn(usize) -> &'static str) -> String {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut out = String::with_capacity(bytes + 64);
    let mut i = 0;
    while out.len() < bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
        out.push_str(sep(i));
        i += 1;
    }
    out
}

fn shapes(bytes: usize) -> Vec<(&'static str, &'static str, String)> {
    let para = |i: usize| match i % 72 {
        71 => ".\n\n",
        n if n % 12 == 11 => ". ",
        _ => " ",
    };
    let mut headed = String::new();
    for (k, p) in text(bytes, para).split("\n\n").enumerate() {
        headed.push_str(&format!("## Part {k}\n\n{p}\n\n"));
    }
    vec![
        ("paragraphs", "a.txt", text(bytes, para)),
        ("one line", "b.txt", text(bytes, |_| " ")),
        ("dense near", "c.txt", {
            let mut t = text(bytes, |i| {
                if i % 2 == 0 {
                    " isolated "
                } else {
                    " friends "
                }
            });
            t.insert_str(0, "FICTIONAL\n\n");
            t
        }),
        ("headings", "d.md", headed),
    ]
}

fn seconds(rules: &RuleSet, file: &str, body: &str) -> f64 {
    let ex = extract_bytes(file, body.as_bytes(), &Limits::default()).expect("extracts");
    let t = Instant::now();
    let pd = analyse(&ex, rules, &AnalysisLimits::default()).expect("analyses");
    let s = t.elapsed().as_secs_f64();
    assert!(!pd.tags.is_empty());
    s
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<usize> = args
        .iter()
        .position(|a| a == "--mb")
        .and_then(|i| args.get(i + 1))
        .map_or(vec![1, 4, 16], |v| {
            v.split(',')
                .map(|n| n.parse().expect("--mb 1,4,16"))
                .collect()
        });
    let rules = RuleSet::default_rules();
    let mut per_mb: Vec<Vec<(&str, f64)>> = vec![];
    println!(
        "{:>5}  {:<11} {:>9} {:>13}",
        "MB", "shape", "s per MB", "÷ paragraphs"
    );
    for &mb in &sizes {
        let mut row = vec![];
        for (name, file, body) in shapes(mb << 20) {
            let s = seconds(&rules, file, &body) / mb as f64;
            let reference = row.first().map_or(s, |&(_, r)| r);
            println!("{mb:>5}  {name:<11} {s:>9.3} {:>13.2}", s / reference);
            row.push((name, s));
        }
        per_mb.push(row);
    }
    if let (Some(first), Some(last)) = (per_mb.first(), per_mb.last())
        && sizes.len() > 1
    {
        println!(
            "\nper-MB time at {} MB ÷ at {} MB (1.0 = linear):",
            sizes[sizes.len() - 1],
            sizes[0]
        );
        for ((name, a), (_, b)) in first.iter().zip(last) {
            println!("  {name:<11} {:.2}", b / a);
        }
    }
}
