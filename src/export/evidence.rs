//! `evidence`: per document and theme, how many pieces of present evidence
//! it has and its strongest passages. A digest of the document's tag rows,
//! rendered with them, so that a reader (the served page's theme browser)
//! gets each theme's figures and strongest passages over the whole
//! repository from a few rows per document instead of every tag row.

use super::round3;
use crate::model::{Polarity, ProcessedDoc, Tag};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// Strongest passages kept per document and theme, so one long review
/// does not fill a theme's list.
pub const EVIDENCE_PER_DOCUMENT: usize = 2;

/// One line of the `evidence` table: a theme with present evidence in a
/// document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRow<'a> {
    /// Id of the document ([`super::DocumentRow::id`]).
    #[serde(borrow)]
    pub doc_id: Cow<'a, str>,
    /// Theme id.
    #[serde(borrow)]
    pub theme: Cow<'a, str>,
    /// Pieces of present (not negated) evidence for the theme in the document.
    pub hits: usize,
    /// The document's strongest passages for the theme, strongest first
    /// (at most [`EVIDENCE_PER_DOCUMENT`]).
    #[serde(borrow)]
    pub passages: Vec<EvidencePassage<'a>>,
}

/// A passage that is strong evidence for a theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidencePassage<'a> {
    /// Position of the passage in the document ([`super::PassageRow::index`]).
    pub passage: usize,
    /// Page of the passage's first present hit.
    pub page: u32,
    /// Heading trail of the section of that hit.
    #[serde(borrow)]
    pub section: Cow<'a, str>,
    /// Sum of the present hits' weights in the passage (each rounded to 3
    /// decimals as in `tags`), rounded to 3 decimals.
    pub weight: f64,
    /// The words matched, as written, distinct (ASCII case aside), in order
    /// of appearance.
    #[serde(borrow)]
    pub matched: Vec<Cow<'a, str>>,
}

/// The passage holding byte offset `at`: the last passage starting at or
/// before it (as the search index places an offset).
struct PassageStarts(Vec<(usize, usize)>);

impl PassageStarts {
    fn of(pd: &ProcessedDoc) -> PassageStarts {
        let d = &pd.document;
        let mut v: Vec<(usize, usize)> = d
            .passages
            .iter()
            .filter(|p| d.text.get(p.start..p.end).is_some())
            .map(|p| (p.start, p.index))
            .collect();
        v.sort_by_key(|&(start, _)| start);
        PassageStarts(v)
    }

    fn at(&self, at: usize) -> Option<usize> {
        let i = self.0.partition_point(|&(s, _)| s <= at);
        self.0.get(i.checked_sub(1)?).map(|&(_, p)| p)
    }
}

/// One document's `evidence` rows (themes in id order), from its tags in
/// row order.
pub(super) fn evidence_rows(pd: &ProcessedDoc, tags: &[&Tag]) -> Vec<u8> {
    let starts = PassageStarts::of(pd);
    // theme -> (hits, passage -> (weight, matched, page, section)), passages in first-seen order.
    type Sum<'a> = (f64, Vec<&'a str>, u32, &'a str);
    // (hits, passages, passage -> its place in `passages`)
    type Theme<'a> = (usize, Vec<(usize, Sum<'a>)>, HashMap<usize, usize>);
    let mut themes: BTreeMap<&str, Theme> = BTreeMap::new();
    for t in tags.iter().filter(|t| t.polarity == Polarity::Present) {
        let (hits, passages, place) = themes.entry(&t.theme).or_default();
        *hits += 1;
        let Some(p) = starts.at(t.start) else {
            continue;
        };
        let i = *place.entry(p).or_insert_with(|| {
            passages.push((p, (0.0, Vec::new(), t.page, &t.section)));
            passages.len() - 1
        });
        let sum = &mut passages[i].1;
        sum.0 += round3(t.weight);
        if !sum.1.iter().any(|m| m.eq_ignore_ascii_case(&t.matched)) {
            sum.1.push(&t.matched);
        }
    }
    let mut out = Vec::new();
    for (theme, (hits, passages, _)) in themes {
        let mut passages: Vec<EvidencePassage> = passages
            .into_iter()
            .map(
                |(passage, (weight, matched, page, section))| EvidencePassage {
                    passage,
                    page,
                    section: section.into(),
                    weight: (weight * 1000.0).round() / 1000.0,
                    matched: matched.into_iter().map(Cow::from).collect(),
                },
            )
            .collect();
        passages.sort_by(strongest_first);
        passages.truncate(EVIDENCE_PER_DOCUMENT);
        super::push_row(
            &mut out,
            &EvidenceRow {
                doc_id: pd.document.id.as_str().into(),
                theme: theme.into(),
                hits,
                passages,
            },
        );
    }
    out
}

/// Order of evidence passages within a document: heaviest first, then in
/// text order.
fn strongest_first(a: &EvidencePassage<'_>, b: &EvidencePassage<'_>) -> std::cmp::Ordering {
    b.weight
        .total_cmp(&a.weight)
        .then(a.passage.cmp(&b.passage))
}
