//! The snapshot reads documents' rows on demand: what the pages show is
//! what they showed when every row was held in memory (the old
//! computations, kept here as references over the whole tables), and the
//! snapshot does not hold the tags.

use super::state::{Evidence, ThemeStats};
use super::views::{self, RecResults};
use super::*;
use crate::export::{RecommendationRow, TagRow, parse_jsonl};
use crate::index::fixtures::{DocBuilder, corpus};
use crate::model::{AgencyLevel, DocKind, Polarity, ProcessedDoc, SectionKind};
use crate::store::{DocFile, repository_files};
use std::collections::{BTreeMap, HashMap};

/// The fixture corpus and a dozen generated documents: several segments,
/// ties in weight, shared bodies, a translation.
fn docs() -> Vec<ProcessedDoc> {
    let mut docs = corpus();
    let themes = ["risk_assessment", "coercive_control", "curiosity"];
    for i in 0..12 {
        let t = themes[i % 3];
        let mut b = DocBuilder::new(
            &format!("fictional/gen-{i:02}.txt"),
            &format!("Generated review {i}"),
            if i % 2 == 0 {
                DocKind::Dhr
            } else {
                DocKind::Cpr
            },
            (i % 4 != 3).then_some(2015 + (i % 5) as i32),
        )
        .section("5 Analysis", 1, SectionKind::Analysis);
        for p in 0..(3 + i % 4) {
            b = b
                .para(&format!(
                    "Passage {p}: the risk assessment and coercive control cues {i}."
                ))
                .tag(
                    t,
                    "risk assessment",
                    Polarity::Present,
                    1.0 + (p % 2) as f32,
                )
                .tag(t, "coercive control", Polarity::Present, 0.5)
                .tag(themes[(i + 1) % 3], "cues", Polarity::Negated, 1.0);
        }
        b = b
            .section("7 Recommendations", 1, SectionKind::Recommendations)
            .item(
                "1.",
                &format!("The Police should review risk assessment {i}."),
            )
            .tag(t, "risk assessment", Polarity::Present, 2.0)
            .rec(Some("1"), &["police"], Some(AgencyLevel::SingleAgency))
            .to("Fictionshire Police", "police", AgencyLevel::SingleAgency)
            .item("2.", &format!("Dylai’r Heddlu adolygu asesu risg {i}."))
            .rec(Some("2"), &["police", "health"], None)
            .to(
                if i % 2 == 0 {
                    "fictionshire police"
                } else {
                    "Home Office"
                },
                "police",
                AgencyLevel::National,
            )
            .assign(t);
        let mut pd = b.build();
        if i % 3 == 0 {
            let original = pd.recommendations[0].id.clone();
            pd.recommendations[1].translation_of = Some(original);
        }
        docs.push(pd);
    }
    docs
}

fn snapshot() -> Snapshot {
    Snapshot::from_docs(&docs(), &crate::rules::RuleSet::default_rules()).expect("snapshot")
}

/// Every row of a table, as build writes it, parsed.
fn table<T: serde::de::DeserializeOwned>(f: DocFile) -> Vec<T> {
    let files: HashMap<String, Vec<u8>> = repository_files(&docs()).into_iter().collect();
    let text = String::from_utf8(files[&f.whole_file_name()].clone()).expect("utf-8");
    parse_jsonl(&text, f.name()).expect("rows")
}

/// Theme statistics as the snapshot computed them from every tag row.
fn old_theme_stats(snap: &Snapshot) -> HashMap<String, (usize, Vec<Evidence>)> {
    let tags: Vec<TagRow<'static>> = table(DocFile::Tags);
    let mut hits: HashMap<String, usize> = HashMap::new();
    type Sum<'a> = (f64, Vec<&'a str>, u32, &'a str);
    let mut sums: HashMap<(&str, &str, usize), Sum> = HashMap::new();
    for t in tags.iter().filter(|t| t.polarity == Polarity::Present) {
        *hits.entry(t.theme.to_string()).or_default() += 1;
        let Some(p) = snap.index.passage_at(&t.doc_id, t.start) else {
            continue;
        };
        let e =
            sums.entry((&t.theme, &t.doc_id, p))
                .or_insert((0.0, Vec::new(), t.page, &t.section));
        e.0 += t.weight;
        if !e.1.iter().any(|m| m.eq_ignore_ascii_case(&t.matched)) {
            e.1.push(&t.matched);
        }
    }
    let mut by_theme: HashMap<String, Vec<Evidence>> = HashMap::new();
    for ((theme, doc_id, passage), (weight, matched, page, section)) in sums {
        by_theme
            .entry(theme.to_string())
            .or_default()
            .push(Evidence {
                doc_id: doc_id.to_string(),
                passage,
                page,
                section: section.to_string(),
                weight: (weight * 1000.0).round() / 1000.0,
                matched: matched.into_iter().map(str::to_string).collect(),
            });
    }
    let mut out = HashMap::new();
    for (theme, n) in hits {
        let mut ev = by_theme.remove(&theme).unwrap_or_default();
        ev.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.doc_id.cmp(&b.doc_id))
                .then(a.passage.cmp(&b.passage))
        });
        let mut per_doc: HashMap<String, usize> = HashMap::new();
        ev.retain(|e| {
            let n = per_doc.entry(e.doc_id.clone()).or_default();
            *n += 1;
            *n <= 2
        });
        ev.truncate(8);
        out.insert(theme, (n, ev));
    }
    out
}

#[test]
fn theme_statistics_equal_those_computed_from_every_tag_row() {
    let snap = snapshot();
    let old = old_theme_stats(&snap);
    assert!(old.len() >= 3);
    let recs: Vec<RecommendationRow<'static>> = table(DocFile::Recommendations);
    for (theme, (hits, evidence)) in &old {
        let s: &ThemeStats = &snap.theme_stats[theme];
        assert_eq!(s.hits, *hits, "{theme}");
        assert_eq!(&s.evidence, evidence, "{theme}");
        let n = recs
            .iter()
            .flat_map(|r| r.themes.iter())
            .filter(|t| *t == theme)
            .count();
        assert_eq!(s.recommendations, n, "{theme}");
    }
    assert!(snap.theme_stats.values().any(|s| s.evidence.len() == 8));
}

#[test]
fn a_document_read_on_demand_is_its_rows_of_the_tables() {
    let snap = snapshot();
    let tags: Vec<TagRow<'static>> = table(DocFile::Tags);
    let recs: Vec<RecommendationRow<'static>> = table(DocFile::Recommendations);
    for d in &snap.documents {
        let json = views::document_json(&snap, &d.id).expect("document");
        let want: Vec<_> = tags.iter().filter(|t| t.doc_id == d.id).cloned().collect();
        assert_eq!(json.tags, want, "{}", d.id);
        let want: Vec<_> = recs.iter().filter(|r| r.doc_id == d.id).cloned().collect();
        assert_eq!(json.recommendations, want, "{}", d.id);
        // The page marks every tag of the document, each in its passage.
        let page = views::document_page(&snap, &d.id, &Params::default()).expect("page");
        let marks = page
            .passages
            .iter()
            .flat_map(|p| &p.segments)
            .filter(|s| s.tag.is_some())
            .count();
        assert_eq!(
            marks > 0,
            json.tags.iter().any(|t| t.end > t.start),
            "{}",
            d.id
        );
        assert_eq!(page.recs.len(), json.recommendations.len());
    }
    let (tags, recs) = snap.cached_documents();
    assert!(tags <= CACHED_DOCUMENTS && recs <= CACHED_DOCUMENTS);
}

/// The explorer's results as they were computed over every row in memory.
fn old_find(
    snap: &Snapshot,
    words: &[&str],
    theme: Option<&str>,
    body: Option<&str>,
) -> Vec<String> {
    let recs: Vec<RecommendationRow<'static>> = table(DocFile::Recommendations);
    let mut kept: Vec<&RecommendationRow> = recs
        .iter()
        .filter(|r| r.translation_of.is_none())
        .filter(|r| theme.is_none_or(|t| r.themes.iter().any(|x| x == t)))
        .filter(|r| {
            body.is_none_or(|b| {
                r.addressees
                    .iter()
                    .any(|a| a.canonical.eq_ignore_ascii_case(b))
            })
        })
        .filter(|r| {
            let text = r.text.to_lowercase();
            words.iter().all(|w| text.contains(&w.to_lowercase()))
        })
        .collect();
    kept.sort_by(|a, b| {
        let ya = snap.document(&a.doc_id).and_then(|d| d.year);
        let yb = snap.document(&b.doc_id).and_then(|d| d.year);
        yb.cmp(&ya)
            .then_with(|| a.doc_id.cmp(&b.doc_id))
            .then(a.start.cmp(&b.start))
    });
    kept.iter().map(|r| r.id.to_string()).collect()
}

fn find(snap: &Snapshot, query: &str) -> RecResults {
    let params = Params::parse(Some(&format!("{query}&per_page=1000"))).expect("params");
    views::find_recommendations(snap, &params).expect("results")
}

#[test]
fn the_explorer_filters_and_counts_as_over_every_row() {
    let snap = snapshot();
    type Case = (
        &'static str,
        &'static [&'static str],
        Option<&'static str>,
        Option<&'static str>,
    );
    let cases: [Case; 6] = [
        ("x=1", &[], None, None),
        ("q=RISK+assessment", &["risk", "assessment"], None, None),
        ("q=adolygu", &["adolygu"], None, None),
        ("theme=risk_assessment", &[], Some("risk_assessment"), None),
        (
            "body=FICTIONSHIRE+police",
            &[],
            None,
            Some("fictionshire police"),
        ),
        ("q=nothing-like-this", &["nothing-like-this"], None, None),
    ];
    for (query, words, theme, body) in cases {
        let res = find(&snap, query);
        let ids: Vec<String> = res
            .recommendations
            .iter()
            .map(|r| r.rec.id.to_string())
            .collect();
        assert_eq!(ids, old_find(&snap, words, theme, body), "{query}");
        assert_eq!(res.total, ids.len());
    }
    // Counts: a translation once, as its original; bodies once per
    // recommendation, under each canonical spelling.
    let all = find(&snap, "x=1");
    let count = |k: &str, v: &str| {
        all.facets[k]
            .iter()
            .find(|f| f.value == v)
            .map_or(0, |f| f.documents)
    };
    let recs: Vec<RecommendationRow<'static>> = table(DocFile::Recommendations);
    let originals = recs.iter().filter(|r| r.translation_of.is_none());
    assert_eq!(
        count("agency", "police"),
        originals
            .clone()
            .filter(|r| r.agencies.iter().any(|a| a == "police"))
            .count()
    );
    assert_eq!(
        count("body", "fictionshire police"),
        originals
            .filter(|r| r
                .addressees
                .iter()
                .any(|a| a.canonical == "fictionshire police"))
            .count()
    );
    let mut years: BTreeMap<String, usize> = BTreeMap::new();
    for r in &all.recommendations {
        if let Some(y) = r.year {
            *years.entry(y.to_string()).or_default() += 1;
        }
    }
    for (y, n) in years {
        assert_eq!(count("year", &y), n);
    }
}

#[test]
fn the_snapshot_holds_no_tag_rows() {
    let dir = tempfile::tempdir().expect("temp");
    let rules = crate::rules::RuleSet::default_rules();
    crate::pipeline::write_processed(dir.path(), &docs(), &rules).expect("written");
    let snap = Snapshot::load(dir.path()).expect("loaded");
    let themes = views::themes(&snap);
    let before = views::document_json(&snap, &snap.documents[0].id).expect("document");
    assert!(!before.tags.is_empty());
    // Without its tags table a generation still loads and answers every
    // page but a document's: the snapshot never read them.
    crate::store::testing::remove_table(dir.path(), DocFile::Tags);
    let without = Snapshot::load(dir.path()).expect("loaded without tags");
    assert_eq!(
        serde_json::to_value(views::themes(&without)).unwrap(),
        serde_json::to_value(&themes).unwrap()
    );
    assert_eq!(
        find(&without, "q=review").total,
        find(&snap, "q=review").total
    );
    for d in &without.documents {
        assert!(views::document_json(&without, &d.id).is_err(), "{}", d.id);
    }
    // The first snapshot has the first document cached, no other.
    assert_eq!(
        views::document_json(&snap, &snap.documents[0].id)
            .expect("cached")
            .tags,
        before.tags
    );
    assert!(views::document_json(&snap, &snap.documents[1].id).is_err());
}
