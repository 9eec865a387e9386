//! Grouping recurring recommendations at the scale of England and Wales
//! (#13: 20,000 documents, about 200,000 recommendations, in under a
//! minute on 2 cores).
//!
//! Synthetic recommendations from fictional words: each of 10 to 50 words
//! drawn with a Zipf-like skew (a few words everywhere, most rare) from a
//! vocabulary that grows with the text as Heaps' law says a language's
//! does (40 × recommendations^0.6 words: 15,000 for 20,000
//! recommendations, 60,000 for 200,000), one in five built around one of
//! a thousand "asks" (eight words) that recur across documents, ten
//! recommendations per document.
//! For each size it times the grouping stage as `build` runs it (every
//! recommendation analysed, alike pairs found, groups linked and their
//! rows rendered) and prints seconds, groups found, and the ratio of the
//! time per recommendation at each size to that at the smallest (near 1:
//! the cost grows with the number of recommendations, not its square).
//!
//! Run: `cargo bench --bench grouping` (options after `--`:
//! `--recs 20000,200000`).
//!
//! `--from OUT` instead groups again the recommendations of the current
//! generation of a built output folder (e.g. the scale bench's
//! `--keep DIR/docs-20000/out`) as `build` does, reading its tables, and
//! says whether the bytes are the generation's own
//! `recommendation_groups.jsonl` (they are when the rules and the grouping
//! code are those it was built with): once without the grouping cache
//! (every segment analysed, for its words and again for its members;
//! a clean build analyses each once), and once taking the segments
//! the output folder's grouping cache keeps, as a build that adds a
//! document does (`--cached`: only the second). `-v` shows the stage's
//! own timings.

use std::borrow::Cow;
use std::time::Instant;
use ystorfa::export::RecommendationRow;
use ystorfa::model::{DocKind, SectionKind};
use ystorfa::patterns::{DocInfo, Grouper};
use ystorfa::rules::RuleSet;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Zipf-like: small numbers far more often than large.
    fn skewed(&mut self, n: u64) -> u64 {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((n as f64).powf(u) as u64).min(n - 1)
    }
}

/// A fictional word for a number ("bavoke").
fn word(mut i: u64) -> String {
    const SYL: [&str; 16] = [
        "ba", "ko", "ri", "te", "lu", "ven", "dor", "mi", "sa", "gel", "thu", "wen", "pry", "cas",
        "nol", "fe",
    ];
    let mut w = String::new();
    loop {
        w.push_str(SYL[(i % 16) as usize]);
        i /= 16;
        if i == 0 {
            break;
        }
    }
    w
}

fn texts(n: usize) -> Vec<String> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let vocabulary = (40.0 * (n as f64).powf(0.6)) as u64;
    (0..n)
        .map(|_| {
            let len = 10 + rng.next() % 41;
            let mut words: Vec<String> = (0..len).map(|_| word(rng.skewed(vocabulary))).collect();
            if rng.next().is_multiple_of(5) {
                let ask = rng.next() % 1000;
                words.extend((0..8).map(|k| word(vocabulary + ask * 8 + k)));
            }
            words.join(" ")
        })
        .collect()
}

fn run(n: usize, rules: &RuleSet) -> (f64, usize) {
    let texts = texts(n);
    let docs = n.div_ceil(10);
    let ids: Vec<String> = (0..n)
        .map(|i| format!("d{:016x}-r{i:012x}", i / 10))
        .collect();
    let doc_ids: Vec<String> = (0..docs).map(|d| format!("d{d:016x}")).collect();
    let start = Instant::now();
    let mut g = Grouper::new(rules.grouping());
    for (d, id) in doc_ids.iter().enumerate() {
        let info = DocInfo {
            title: format!("Fictional review {d}"),
            kind: DocKind::Dhr,
            year: Some(2015 + (d % 10) as i32),
        };
        g.add_document(id, info);
    }
    let row = |i: usize| RecommendationRow {
        id: Cow::Borrowed(&ids[i]),
        doc_id: Cow::Borrowed(&doc_ids[i / 10]),
        file: Cow::Borrowed("fictional.txt"),
        ordinal: None,
        text: Cow::Borrowed(&texts[i]),
        page: 1,
        section: Cow::Borrowed("Recommendations"),
        section_kind: SectionKind::Recommendations,
        agencies: Cow::Borrowed(&[]),
        addressees: Cow::Borrowed(&[]),
        level: None,
        themes: Cow::Borrowed(&[]),
        start: 0,
        end: 0,
        action_plan_page: None,
        action_plan: None,
        cues: Cow::Borrowed(&[]),
        translation_of: None,
    };
    // Segments of 32 documents, as the repository's are on average.
    let mut analyser = g.analyser();
    let segments: Vec<_> = (0..n)
        .collect::<Vec<_>>()
        .chunks(320)
        .map(|c| analyser.segment(c.iter().map(|&i| row(i))))
        .collect();
    for s in &segments {
        g.push(&s.words);
    }
    let groups = g.finish();
    let found = groups.len();
    let members: Vec<_> = segments
        .into_iter()
        .flat_map(|s| groups.members(s.members))
        .collect();
    let bytes = groups.render(members);
    std::hint::black_box(bytes);
    (start.elapsed().as_secs_f64(), found)
}

/// Group the current generation of `out` again, every segment analysed
/// (as a clean build does) and then with the segments its grouping cache
/// keeps (as a build that adds a document does); print the times and
/// whether the bytes are the generation's own.
fn regroup(out: &std::path::Path, rules: &RuleSet, cached_only: bool) {
    let cache = ystorfa::store::GroupingCache::new(out, rules.version());
    if !cached_only {
        regroup_with(out, rules, None);
    }
    regroup_with(out, rules, Some(&cache));
}

fn regroup_with(
    out: &std::path::Path,
    rules: &RuleSet,
    cache: Option<&ystorfa::store::GroupingCache>,
) {
    let reader =
        ystorfa::store::Reader::open(out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    let start = Instant::now();
    let bytes = ystorfa::pipeline::regroup(&reader, rules, cache).expect("grouping");
    let secs = start.elapsed().as_secs_f64();
    let own = reader
        .recommendation_groups()
        .expect("the generation's groups");
    println!(
        "{} ({}): grouped again in {secs:.2}s, {} groups; {}",
        out.display(),
        if cache.is_some() {
            "segments from the grouping cache"
        } else {
            "no grouping cache: every segment analysed, for its words and again for its members"
        },
        bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count(),
        if bytes == own {
            "the same bytes as the generation's own".to_string()
        } else {
            format!(
                "NOT the generation's own ({} bytes against {})",
                bytes.len(),
                own.len()
            )
        }
    );
}

fn main() {
    let mut sizes = vec![20_000usize, 200_000];
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "-v") {
        tracing_subscriber::fmt()
            .with_env_filter("ystorfa=debug")
            .with_writer(std::io::stderr)
            .init();
    }
    if let Some(i) = args.iter().position(|a| a == "--from") {
        let out = std::path::PathBuf::from(&args[i + 1]);
        regroup(
            &out,
            &RuleSet::default_rules(),
            args.iter().any(|a| a == "--cached"),
        );
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--recs") {
        sizes = args[i + 1]
            .split(',')
            .map(|s| s.parse().expect("a number"))
            .collect();
    }
    let rules = RuleSet::default_rules();
    let mut base = None;
    println!(
        "recommendations   seconds   groups   per-rec time / at {}",
        sizes[0]
    );
    for n in sizes {
        let (secs, groups) = run(n, &rules);
        let per = secs / n as f64;
        let b = *base.get_or_insert(per);
        println!("{n:>15} {secs:>9.2} {groups:>8} {:>10.2}", per / b);
    }
}
