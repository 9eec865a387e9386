//! Export: renders the learning repository from [`ProcessedDoc`]s as JSON
//! Lines rows (documents, passages, recommendations, action-plan rows,
//! tags and their digest, evidence: [`doc_rows`]; themes: [`theme_rows`]),
//! sorted and byte-deterministic, and the
//! researcher exports of `ystorfa export` from those rows ([`research`]).
//! Pure: it returns bytes; `store` decides where they go.
//!
//! Every row is one JSON object on one line, keys in the order of the row
//! struct's fields. Documents are ordered by file path then id; rows of a
//! document in document order. Offsets (`start`, `end`) are **character**
//! offsets into the document text (the model keeps byte offsets); weights
//! are rounded to 3 decimals so the bytes do not depend on float printing
//! of noise digits.

use crate::model::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

pub mod action_plans;
pub mod codebook;
mod csv_cells;
mod evidence;
pub mod research;
pub mod table;

pub use action_plans::ActionRow;
pub use codebook::{CodebookRow, NearClause, codebook};
pub use csv_cells::{csv_cell, guard_formula};
pub use evidence::{EVIDENCE_PER_DOCUMENT, EvidencePassage, EvidenceRow};
pub use research::*;
pub use table::{Columns, render_rows};

/// One line of `documents.jsonl`: one reviewed document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentRow<'a> {
    /// Stable document id: "d" + the first 16 hex digits of the file's SHA-256.
    pub id: Cow<'a, str>,
    /// The input path as walked by `build` (forward slashes).
    pub file: Cow<'a, str>,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: Cow<'a, str>,
    /// Title found in the document (metadata or first heading).
    pub title: Cow<'a, str>,
    /// Type of document.
    pub kind: DocKind,
    /// Year of the document, if found.
    pub year: Option<i32>,
    /// Community safety partnership, police force or nation, if found.
    pub area: Option<Cow<'a, str>>,
    /// "en", "cy" or "en+cy".
    pub language: Cow<'a, str>,
    /// Number of pages (1 for text files without form feeds).
    pub pages: u32,
    /// Assigned theme ids, sorted.
    pub themes: Vec<Cow<'a, str>>,
    /// Number of recommendations.
    pub recommendations: usize,
    /// Problems met while reading the document ("page 3: ...").
    pub warnings: Vec<String>,
}

/// One line of `passages.jsonl`: a paragraph, list item, heading or table
/// row, the unit of search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PassageRow<'a> {
    /// Id of the document ([`DocumentRow::id`]).
    pub doc_id: Cow<'a, str>,
    /// Position of the passage in the document, from 0; `doc_id` and
    /// `index` together are a stable id.
    pub index: usize,
    /// What kind of block the passage is.
    pub kind: PassageKind,
    /// Page the passage starts on (1-based, physical).
    pub page: u32,
    /// Heading trail of the section ("5 Analysis › 5.3 Health Board").
    pub section: String,
    /// Classified kind of the section.
    pub section_kind: SectionKind,
    /// Character offset of the passage's start in the document text.
    pub start: usize,
    /// Character offset of the passage's end (exclusive).
    pub end: usize,
    /// The passage's text.
    pub text: Cow<'a, str>,
}

/// One line of `recommendations.jsonl`: a recommendation, "We will"
/// commitment, or coroner's matter of concern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationRow<'a> {
    /// Stable id: document id + ordinal or position hash.
    pub id: Cow<'a, str>,
    /// Id of the document ([`DocumentRow::id`]).
    pub doc_id: Cow<'a, str>,
    /// The document's input path.
    pub file: Cow<'a, str>,
    /// Ordinal as written ("3", "2.1", "R4", "(b)"), or null when unnumbered.
    pub ordinal: Option<Cow<'a, str>>,
    /// Whole text of the recommendation.
    pub text: Cow<'a, str>,
    /// Page the recommendation starts on.
    pub page: u32,
    /// Heading trail of the section.
    pub section: Cow<'a, str>,
    /// Classified kind of the section.
    pub section_kind: SectionKind,
    /// Canonical ids of the agencies addressed ("police", "gp_primary_care"):
    /// the categories of `addressees`.
    pub agencies: Cow<'a, [String]>,
    /// The bodies it is addressed to: name as written, canonical name,
    /// category, level, and where each was found.
    pub addressees: Cow<'a, [Addressee]>,
    /// Scope of the body addressed, if known.
    pub level: Option<AgencyLevel>,
    /// Theme ids with present evidence inside the recommendation's text.
    pub themes: Cow<'a, [String]>,
    /// Character offset of the start in the document text.
    pub start: usize,
    /// Character offset of the end (exclusive).
    pub end: usize,
    /// Page of the action-plan row with the same number, or null.
    pub action_plan_page: Option<u32>,
    /// Text of the action-plan row with the same number (action, lead
    /// agency, target date, outcome as the table reads), or null.
    pub action_plan: Option<Cow<'a, str>>,
    /// Why it was taken as a recommendation (place, form and content cues).
    pub cues: Cow<'a, [RecCue]>,
    /// In a bilingual document, the id of the recommendation this one
    /// translates; such a row is counted once, as its original.
    pub translation_of: Option<Cow<'a, str>>,
}

/// One line of `tags.jsonl`: one piece of evidence for a theme, a rule
/// that matched text in a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TagRow<'a> {
    /// Id of the document ([`DocumentRow::id`]).
    pub doc_id: Cow<'a, str>,
    /// Theme id (see the codebook, `themes.*`).
    pub theme: Cow<'a, str>,
    /// Rule id, "theme_id/rule_name" (see the codebook's `rules`).
    pub rule: Cow<'a, str>,
    /// Version (hash) of the rule set that produced the tag.
    pub rules_version: Cow<'a, str>,
    /// Whether the hit asserts the theme or is negated ("no evidence of").
    pub polarity: Polarity,
    /// Page of the match.
    pub page: u32,
    /// Heading trail of the section.
    pub section: Cow<'a, str>,
    /// Classified kind of the section.
    pub section_kind: SectionKind,
    /// Character offset of the match in the document text.
    pub start: usize,
    /// Character offset of the end of the match (exclusive).
    pub end: usize,
    /// The matched text, as written.
    pub matched: Cow<'a, str>,
    /// Evidence weight after section weighting, rounded to 3 decimals.
    pub weight: f64,
}

/// One line of `themes.jsonl` in the repository `build` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeRow<'a> {
    /// Theme id.
    pub theme: Cow<'a, str>,
    /// Number of documents the theme is assigned to.
    pub documents: usize,
    /// Those documents' ids, in export order.
    pub doc_ids: Vec<Cow<'a, str>>,
}

/// The vocabulary of a generation (the store keeps it beside the
/// repository): the themes and agencies of the rule set the generation was
/// built with, so that readers (the served page) can label them as the
/// rules did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Vocabulary {
    /// Name of the rule set (`[ruleset] name`).
    pub rules_name: String,
    /// Version (hash) of the rule set, as in every tag.
    pub rules_version: String,
    /// Themes in rule-file order.
    pub themes: Vec<VocabularyTheme>,
    /// Agencies of the gazetteer in rule-file order.
    pub agencies: Vec<VocabularyAgency>,
}

/// A theme of a [`Vocabulary`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VocabularyTheme {
    pub id: String,
    pub label: String,
    pub description: String,
    pub parent: Option<String>,
    /// Where the theme's definition comes from (URLs, documents).
    pub sources: Vec<String>,
}

/// An agency of a [`Vocabulary`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VocabularyAgency {
    pub id: String,
    pub label: String,
    pub level: AgencyLevel,
}

impl Vocabulary {
    /// The vocabulary of a rule set.
    pub fn of(rules: &crate::rules::RuleSet) -> Vocabulary {
        Vocabulary {
            rules_name: rules.name().to_string(),
            rules_version: rules.version().to_string(),
            themes: rules
                .themes()
                .iter()
                .map(|t| VocabularyTheme {
                    id: t.id.clone(),
                    label: t.label.clone(),
                    description: t.description.clone(),
                    parent: t.parent.clone(),
                    sources: t.sources.clone(),
                })
                .collect(),
            agencies: rules
                .agencies()
                .iter()
                .map(|a| VocabularyAgency {
                    id: a.id.clone(),
                    label: a.label.clone(),
                    level: a.level,
                })
                .collect(),
        }
    }

    /// Pretty JSON with a final newline (deterministic).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = serde_json::to_vec_pretty(self).expect("vocabulary serialises");
        b.push(b'\n');
        b
    }
}

/// The order of documents in the repository files: by file path, then id.
pub fn repository_order(a: &ProcessedDoc, b: &ProcessedDoc) -> std::cmp::Ordering {
    repository_key(&a.document.file, &a.document.id)
        .cmp(&repository_key(&b.document.file, &b.document.id))
}

/// The sort key of [`repository_order`], for callers that hold a
/// document's path and id without the document.
pub fn repository_key<'a>(file: &'a str, id: &'a str) -> (&'a str, &'a str) {
    (file, id)
}

/// One document's rows of the per-document tables, each a run of JSON
/// lines: every table is the concatenation of its documents' rows in
/// [`repository_order`], so a build can carry an unchanged document's rows
/// over from the last generation instead of rendering them again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocRows {
    /// One [`DocumentRow`].
    pub documents: Vec<u8>,
    /// [`PassageRow`]s, in document order.
    pub passages: Vec<u8>,
    /// [`RecommendationRow`]s, in text order.
    pub recommendations: Vec<u8>,
    /// [`ActionRow`]s, in text order.
    pub action_plans: Vec<u8>,
    /// [`TagRow`]s, in text order.
    pub tags: Vec<u8>,
    /// [`EvidenceRow`]s, in theme id order.
    pub evidence: Vec<u8>,
    /// The document's themes, sorted and without repeats (as in its
    /// documents row).
    pub themes: Vec<String>,
}

/// Render one document's repository rows.
pub fn doc_rows(pd: &ProcessedDoc) -> DocRows {
    let d = &pd.document;
    let chars = CharOffsets::new(
        &d.text,
        d.passages
            .iter()
            .flat_map(|p| [p.start, p.end])
            .chain(pd.recommendations.iter().flat_map(|r| [r.start, r.end]))
            .chain(pd.action_plans.iter().flat_map(|a| [a.start, a.end]))
            .chain(pd.tags.iter().flat_map(|t| [t.start, t.end])),
    );
    let mut documents = Vec::new();
    let mut passages = Vec::new();
    let mut recommendations = Vec::new();
    let mut tags = Vec::new();

    let mut doc_themes: Vec<&str> = pd.themes.iter().map(String::as_str).collect();
    doc_themes.sort_unstable();
    doc_themes.dedup();
    push_row(
        &mut documents,
        &DocumentRow {
            id: d.id.as_str().into(),
            file: d.file.as_str().into(),
            sha256: d.sha256.as_str().into(),
            title: d.title.as_str().into(),
            kind: d.kind,
            year: d.year,
            area: d.area.as_deref().map(Cow::Borrowed),
            language: d.language.as_str().into(),
            pages: d.pages,
            themes: doc_themes.iter().map(|t| Cow::Borrowed(*t)).collect(),
            recommendations: pd.counted_recommendations(),
            warnings: d.warnings.iter().map(|w| w.to_string()).collect(),
        },
    );

    for p in &d.passages {
        let section = d.sections.get(p.section);
        push_row(
            &mut passages,
            &PassageRow {
                doc_id: d.id.as_str().into(),
                index: p.index,
                kind: p.kind,
                page: p.page,
                section: section.map(|s| s.trail_string()).unwrap_or_default(),
                section_kind: section.map(|s| s.kind).unwrap_or_default(),
                start: chars.get(p.start),
                end: chars.get(p.end),
                text: d.text.get(p.start..p.end).unwrap_or_default().into(),
            },
        );
    }

    let mut recs: Vec<&Recommendation> = pd.recommendations.iter().collect();
    recs.sort_by(|a, b| (a.start, a.end, &a.id).cmp(&(b.start, b.end, &b.id)));
    for r in recs {
        push_row(
            &mut recommendations,
            &RecommendationRow {
                id: r.id.as_str().into(),
                doc_id: r.doc_id.as_str().into(),
                file: r.file.as_str().into(),
                ordinal: r.ordinal.as_deref().map(Cow::Borrowed),
                text: r.text.as_str().into(),
                page: r.page,
                section: r.section.as_str().into(),
                section_kind: r.section_kind,
                agencies: r.agencies.as_slice().into(),
                addressees: r.addressees.as_slice().into(),
                level: r.level,
                themes: r.themes.as_slice().into(),
                start: chars.get(r.start),
                end: chars.get(r.end),
                action_plan_page: r.action_plan.as_ref().map(|a| a.page),
                action_plan: r
                    .action_plan
                    .as_ref()
                    .map(|a| Cow::Borrowed(a.text.as_str())),
                cues: r.cues.as_slice().into(),
                translation_of: r.translation_of.as_deref().map(Cow::Borrowed),
            },
        );
    }

    let mut ts: Vec<&Tag> = pd.tags.iter().collect();
    ts.sort_by(|a, b| {
        (a.start, a.end, &a.theme, &a.rule).cmp(&(b.start, b.end, &b.theme, &b.rule))
    });
    for t in &ts {
        push_row(
            &mut tags,
            &TagRow {
                doc_id: t.doc_id.as_str().into(),
                theme: t.theme.as_str().into(),
                rule: t.rule.as_str().into(),
                rules_version: t.rules_version.as_str().into(),
                polarity: t.polarity,
                page: t.page,
                section: t.section.as_str().into(),
                section_kind: t.section_kind,
                start: chars.get(t.start),
                end: chars.get(t.end),
                matched: t.matched.as_str().into(),
                weight: round3(t.weight),
            },
        );
    }
    let evidence = evidence::evidence_rows(pd, &ts);
    DocRows {
        documents,
        passages,
        recommendations,
        action_plans: action_plans::action_rows(pd, &chars),
        tags,
        evidence,
        themes: doc_themes.into_iter().map(str::to_string).collect(),
    }
}

/// `themes.jsonl`: per theme (in id order), the documents carrying it, from
/// each document's id and themes given in [`repository_order`].
pub fn theme_rows<'a>(docs: impl IntoIterator<Item = (&'a str, &'a [String])>) -> Vec<u8> {
    let mut themes: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, doc_themes) in docs {
        for t in doc_themes {
            themes.entry(t.as_str()).or_default().push(id);
        }
    }
    let mut out = Vec::new();
    for (theme, doc_ids) in themes {
        push_row(
            &mut out,
            &ThemeRow {
                theme: theme.into(),
                documents: doc_ids.len(),
                doc_ids: doc_ids.into_iter().map(Cow::Borrowed).collect(),
            },
        );
    }
    out
}

/// Append `row` as one JSON line.
pub(crate) fn push_row<T: Serialize>(out: &mut Vec<u8>, row: &T) {
    // The row types hold only strings, integers, finite-or-null floats and
    // enums: serialisation cannot fail; should it, the row is skipped rather
    // than writing half a line.
    if let Ok(line) = serde_json::to_vec(row) {
        out.extend_from_slice(&line);
        out.push(b'\n');
    }
}

/// `w` rounded to 3 decimals (non-finite weights become 0).
pub(crate) fn round3(w: f32) -> f64 {
    let w = f64::from(w);
    if !w.is_finite() {
        return 0.0;
    }
    let r = (w * 1000.0).round() / 1000.0;
    if r == 0.0 { 0.0 } else { r }
}

/// Byte → character offsets for a set of byte offsets into one text,
/// computed in one pass over the text (offsets sorted first).
pub struct CharOffsets {
    bytes: Vec<usize>,
    chars: Vec<usize>,
}

impl CharOffsets {
    /// Prepare the character offsets of `offsets` in `text`.
    pub fn new(text: &str, offsets: impl IntoIterator<Item = usize>) -> CharOffsets {
        let mut bytes: Vec<usize> = offsets.into_iter().collect();
        bytes.sort_unstable();
        bytes.dedup();
        let mut chars = Vec::with_capacity(bytes.len());
        let mut it = text.char_indices().peekable();
        let mut count = 0;
        for &b in &bytes {
            // Count the characters that start before byte `b`.
            while let Some(&(i, _)) = it.peek() {
                if i >= b {
                    break;
                }
                count += 1;
                it.next();
            }
            chars.push(count);
        }
        CharOffsets { bytes, chars }
    }

    /// Character offset of byte offset `byte`, which should be one given to
    /// [`CharOffsets::new`]; for any other offset, that of the nearest known
    /// offset below it (0 when there is none).
    pub fn get(&self, byte: usize) -> usize {
        match self.bytes.binary_search(&byte) {
            Ok(i) => self.chars[i],
            Err(0) => 0,
            Err(i) => self.chars[i - 1],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::fixtures::DocBuilder;

    #[test]
    fn offsets_are_characters_not_bytes() {
        let pd = DocBuilder::new("fictional/cy.txt", "Ffuglen", DocKind::Other, None)
            .para("Mae’r “adolygiad” ffuglennol hwn yn sôn am ŵyn ac ŷd.")
            .tag("lambs", "ŵyn", Polarity::Present, 1.0)
            .para("Argymhelliad: dylai’r bwrdd “adolygu” y broses.")
            .rec(Some("1"), &["board"], None)
            .build();
        let d = &pd.document;
        let rows = doc_rows(&pd);
        let get = |bytes: &[u8]| -> Vec<serde_json::Value> {
            std::str::from_utf8(bytes)
                .expect("utf-8")
                .lines()
                .map(|l| serde_json::from_str(l).expect("json"))
                .collect()
        };
        let chars: Vec<char> = d.text.chars().collect();
        let slice = |v: &serde_json::Value| -> String {
            let s = v["start"].as_u64().expect("start") as usize;
            let e = v["end"].as_u64().expect("end") as usize;
            chars[s..e].iter().collect()
        };
        let tag = &get(&rows.tags)[0];
        assert_eq!(slice(tag), "ŵyn");
        assert_eq!(
            tag["start"].as_u64(),
            Some(d.char_offset(pd.tags[0].start) as u64)
        );
        assert_ne!(tag["start"].as_u64(), Some(pd.tags[0].start as u64));
        let rec = &get(&rows.recommendations)[0];
        assert_eq!(
            slice(rec),
            "Argymhelliad: dylai’r bwrdd “adolygu” y broses."
        );
        for p in get(&rows.passages) {
            assert_eq!(slice(&p), p["text"].as_str().expect("text"));
        }
    }

    #[test]
    fn char_offsets_match_the_model() {
        let text = "a’b “c” ŵ ŷ d";
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&b| text.is_char_boundary(b))
            .collect();
        let c = CharOffsets::new(text, offsets.iter().rev().copied());
        let doc_char = |b: usize| text[..b].chars().count();
        for &b in &offsets {
            assert_eq!(c.get(b), doc_char(b), "byte {b}");
        }
        // Out of range or unknown offsets do not panic.
        assert_eq!(c.get(text.len() + 10), text.chars().count());
        let inside = CharOffsets::new(text, [2, 999]);
        assert_eq!(inside.get(2), 2);
        assert_eq!(inside.get(999), text.chars().count());
    }

    #[test]
    fn weights_are_rounded() {
        assert_eq!(round3(0.333_333), 0.333);
        assert_eq!(round3(0.1), 0.1);
        assert_eq!(round3(-0.0001), 0.0);
        assert_eq!(round3(f32::NAN), 0.0);
        assert_eq!(round3(2.0), 2.0);
    }
}
