//! Tag: applies a [`RuleSet`] to a [`Document`]: theme tags with their
//! evidence, document theme scores by threshold, and recommendations
//! (numbered recommendations, "We will" commitments, matters of concern)
//! with their addressee agencies, scope level and themes.
//!
//! Scoring (document themes are the MAIN themes a learning-panel analyst
//! would code, not every passing mention):
//! - each present (non-negated) hit weighs the section weight of its
//!   passage's section kind; a front-matter section longer than the rule
//!   file's `front_matter_max_words` is weighed as body text (`other`), since
//!   the segmenter then missed the headings after a title page or contents;
//! - a theme's score counts each passage once, at the weight of its
//!   heaviest hit there, plus the rule file's `second_hit_share` of its
//!   second-heaviest hit (further hits add nothing): ten mentions of
//!   "MARAC" in one paragraph are little more than one piece of evidence, a
//!   theme raised in ten passages is ten; the small second-hit share keeps
//!   coarse passages (a whole page of a coroner's report) from hiding a
//!   theme the text keeps returning to;
//! - the threshold grows with document length: the larger of the theme's
//!   `min_score` and the rule file's `min_density` × words / 1,000 (a
//!   100-page review mentions everything once; a 2-page coroner's report
//!   mentions its main themes a few times).
//!
//! A theme is assigned when its score reaches the threshold. A parent theme
//! is assigned when any child is assigned, or when its own hits reach its
//! own threshold; its [`ThemeScore`] shows its own hits only. [`explain`]
//! says why each theme is or is not assigned.

use crate::model::*;
use crate::rules::RuleSet;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

pub mod action_plan;
pub mod addressee;
pub mod bilingual;
pub mod recommend;

/// When the tagging of one document must give up: the build's
/// per-document time limit, checked between passages.
#[derive(Debug, Clone, Copy, Default)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// No limit.
    pub fn never() -> Deadline {
        Deadline(None)
    }

    /// `limit` from now.
    pub fn after(limit: Duration) -> Deadline {
        Deadline(Instant::now().checked_add(limit))
    }

    fn passed(&self) -> bool {
        self.0.is_some_and(|d| Instant::now() >= d)
    }
}

/// Tagging gave up at its [`Deadline`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tagging stopped at its time limit after {done} of {passages} passages")]
pub struct OutOfTime {
    pub done: usize,
    pub passages: usize,
}

/// Tag one document.
pub fn tag(document: Document, rules: &RuleSet) -> ProcessedDoc {
    match tag_within(document, rules, Deadline::never()) {
        Ok(pd) => pd,
        Err(never) => unreachable!("no deadline, yet {never}"),
    }
}

/// Tag one document, giving up when `deadline` passes.
pub fn tag_within(
    document: Document,
    rules: &RuleSet,
    deadline: Deadline,
) -> Result<ProcessedDoc, OutOfTime> {
    let tags = find_tags_within(&document, rules, deadline)?;
    let (theme_scores, themes) = score_document(&tags, rules, word_count(&document.text));
    let ctx = addressee::document_addressees(&document, rules);
    let mut recommendations = recommendations(&document, rules, &tags, &ctx);
    let mut action_plans = action_plan::rows(&document, rules, &ctx);
    action_plan::link(&mut action_plans, &mut recommendations);
    addressed_by_action_plan(rules, &action_plans, &mut recommendations);
    Ok(ProcessedDoc {
        document,
        tags,
        recommendations,
        theme_scores,
        themes,
        action_plans,
    })
}

/// Every tag in the document, sorted by (start, theme, rule, end).
pub fn find_tags(doc: &Document, rules: &RuleSet) -> Vec<Tag> {
    match find_tags_within(doc, rules, Deadline::never()) {
        Ok(tags) => tags,
        Err(never) => unreachable!("no deadline, yet {never}"),
    }
}

fn find_tags_within(
    doc: &Document,
    rules: &RuleSet,
    deadline: Deadline,
) -> Result<Vec<Tag>, OutOfTime> {
    let mut tags = vec![];
    // Counted once per section, not once per passage (a section of
    // thousands of passages would be counted thousands of times).
    let long: Vec<bool> = doc
        .sections
        .iter()
        .map(|s| s.kind == SectionKind::FrontMatter && long_section(doc, s, rules))
        .collect();
    for p in &doc.passages {
        if deadline.passed() {
            return Err(OutOfTime {
                done: p.index,
                passages: doc.passages.len(),
            });
        }
        let (Some(text), true) = (doc.text.get(p.start..p.end), p.start <= p.end) else {
            continue;
        };
        let sentences: Vec<Span> = p
            .sentences
            .iter()
            .filter(|s| s.start >= p.start && s.end <= p.end && s.start <= s.end)
            .map(|s| Span {
                start: s.start - p.start,
                end: s.end - p.start,
            })
            .collect();
        let section = doc.sections.get(p.section);
        let kind = section.map_or(SectionKind::Other, |s| s.kind);
        let trail = section.map(|s| s.trail_string()).unwrap_or_default();
        let weight = if long.get(p.section).copied().unwrap_or(false) {
            rules.section_weight(SectionKind::Other)
        } else {
            rules.section_weight(kind)
        };
        for h in rules.scan(text, &sentences) {
            let scope = &rules.themes()[h.theme].sections;
            if !scope.is_empty() && !scope.contains(&kind) {
                continue;
            }
            let (start, end) = (p.start + h.start, p.start + h.end);
            tags.push(Tag {
                doc_id: doc.id.clone(),
                theme: rules.themes()[h.theme].id.clone(),
                rule: rules.rules()[h.rule].id.clone(),
                rules_version: rules.version().to_string(),
                page: doc.page_at(start),
                section: trail.clone(),
                section_kind: kind,
                passage: p.index,
                start,
                end,
                matched: doc.text[start..end].to_string(),
                polarity: if h.negated {
                    Polarity::Negated
                } else {
                    Polarity::Present
                },
                weight,
            });
        }
    }
    tags.sort_by(|a, b| {
        (a.start, &a.theme, &a.rule, a.end).cmp(&(b.start, &b.theme, &b.rule, b.end))
    });
    Ok(tags)
}

/// Words in `text` (whitespace-separated tokens holding a letter or digit),
/// the length the density threshold scales with.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Whether a section is longer than the rule file's
/// `front_matter_max_words` (0 = never).
fn long_section(doc: &Document, s: &Section, rules: &RuleSet) -> bool {
    let max = rules.front_matter_max_words();
    max > 0
        && s.start <= s.end
        && doc
            .text
            .get(s.start..s.end)
            .is_some_and(|t| word_count(t) > max)
}

/// Theme scores (themes with hits, or assigned through a child; sorted by
/// id) and the assigned theme ids (sorted), with thresholds at each
/// theme's `min_score` (no length scaling: see [`score_document`]).
pub fn score(tags: &[Tag], rules: &RuleSet) -> (Vec<ThemeScore>, Vec<String>) {
    score_document(tags, rules, 0)
}

/// [`score`] for a document of `words` words: a theme's score is the sum,
/// over the distinct passages with present hits, of the heaviest hit's
/// weight there plus [`RuleSet::second_hit_share`] of the second-heaviest;
/// its threshold is [`RuleSet::threshold_for`].
pub fn score_document(
    tags: &[Tag],
    rules: &RuleSet,
    words: usize,
) -> (Vec<ThemeScore>, Vec<String>) {
    let mut by: BTreeMap<&str, ThemeScore> = BTreeMap::new();
    // (theme, passage) -> (heaviest, second-heaviest) present hit weight.
    let mut per_passage: BTreeMap<(&str, usize), (f32, f32)> = BTreeMap::new();
    for t in tags {
        let th = rules.theme(&t.theme);
        let e = by.entry(t.theme.as_str()).or_insert_with(|| ThemeScore {
            theme: t.theme.clone(),
            score: 0.0,
            present_hits: 0,
            negated_hits: 0,
            threshold: rules.threshold_for(th.map_or(0.0, |x| x.min_score), words),
            assigned: false,
        });
        match t.polarity {
            Polarity::Present => {
                e.present_hits += 1;
                let (first, second) = per_passage
                    .entry((t.theme.as_str(), t.passage))
                    .or_insert((0.0, 0.0));
                if t.weight > *first {
                    *second = *first;
                    *first = t.weight;
                } else if t.weight > *second {
                    *second = t.weight;
                }
            }
            Polarity::Negated => e.negated_hits += 1,
        }
    }
    let share = rules.second_hit_share();
    for ((theme, _), (first, second)) in &per_passage {
        if let Some(e) = by.get_mut(theme) {
            e.score += first + share * second;
        }
    }
    let mut assigned: BTreeSet<String> = BTreeSet::new();
    for s in by.values_mut() {
        // Round away float noise (0.1 + 0.2) before comparing.
        s.score = (s.score * 1000.0).round() / 1000.0;
        s.assigned = s.present_hits > 0 && s.score >= s.threshold;
        if s.assigned {
            assigned.insert(s.theme.clone());
        }
    }
    // Parents of assigned themes, up the chain.
    let direct: Vec<String> = assigned.iter().cloned().collect();
    for id in direct {
        let mut cur = rules.theme(&id).and_then(|t| t.parent.clone());
        let mut guard = 0;
        while let Some(p) = cur {
            if guard > rules.themes().len() {
                break;
            }
            guard += 1;
            assigned.insert(p.clone());
            cur = rules.theme(&p).and_then(|t| t.parent.clone());
        }
    }
    let mut scores: Vec<ThemeScore> = by.into_values().collect();
    for s in scores.iter_mut() {
        s.assigned = assigned.contains(&s.theme);
    }
    for id in &assigned {
        if !scores.iter().any(|s| &s.theme == id) {
            scores.push(ThemeScore {
                theme: id.clone(),
                score: 0.0,
                present_hits: 0,
                negated_hits: 0,
                threshold: rules.threshold_for(rules.theme(id).map_or(0.0, |t| t.min_score), words),
                assigned: true,
            });
        }
    }
    scores.sort_by(|a, b| a.theme.cmp(&b.theme));
    (scores, assigned.into_iter().collect())
}

/// Build [`Recommendation`]s from what [`recommend::find`] found, with the
/// document's addressee facts `ctx` (their action-plan rows are linked by
/// [`action_plan::link`]).
pub fn recommendations(
    doc: &Document,
    rules: &RuleSet,
    tags: &[Tag],
    ctx: &addressee::DocAddressees<'_>,
) -> Vec<Recommendation> {
    let mut recs: Vec<Recommendation> = recommend::find(doc, rules)
        .into_iter()
        .map(|f| build_recommendation(doc, rules, tags, ctx, f))
        .collect();
    bilingual::link_translations(&mut recs);
    recs
}

fn build_recommendation(
    doc: &Document,
    rules: &RuleSet,
    tags: &[Tag],
    ctx: &addressee::DocAddressees<'_>,
    f: recommend::Found,
) -> Recommendation {
    let key = format!("{}{}", f.ordinal.as_deref().unwrap_or(""), f.text);
    let id = format!("{}-r{}", doc.id, &sha256_hex(key.as_bytes())[..12]);
    let section = doc.sections.get(f.section);
    let addressees = addressee::addressees(doc, rules, ctx, &f);
    let mut cues = f.cues.clone();
    if addressees
        .iter()
        .any(|a| a.source == AddresseeSource::Subject)
    {
        cues.push(RecCue::AddresseeSubject);
    }
    cues.sort();
    cues.dedup();
    let (agencies, level) = attribution(rules, &addressees, &f.text);
    let themes: BTreeSet<String> = tags
        .iter()
        .filter(|t| t.polarity == Polarity::Present && t.start >= f.start && t.end <= f.end)
        .map(|t| t.theme.clone())
        .collect();
    Recommendation {
        id,
        doc_id: doc.id.clone(),
        file: doc.file.clone(),
        ordinal: f.ordinal,
        text: f.text,
        page: f.page,
        section: section.map(|s| s.trail_string()).unwrap_or_default(),
        section_kind: section.map_or(SectionKind::Other, |s| s.kind),
        agencies,
        addressees,
        level,
        themes: themes.into_iter().collect(),
        start: f.start,
        end: f.end,
        action_plan: None,
        translation_of: None,
        cues,
    }
}

/// The agency categories and level of a recommendation: the categories
/// addressed; without a named addressee, the agencies its text names (as
/// before addressees were found); the highest level among them.
fn attribution(
    rules: &RuleSet,
    addressees: &[Addressee],
    text: &str,
) -> (Vec<String>, Option<AgencyLevel>) {
    let mut agencies: Vec<String> = addressees
        .iter()
        .filter(|a| a.category != "other")
        .map(|a| a.category.clone())
        .collect();
    if addressees.is_empty() {
        agencies = rules.agencies_in(text);
    }
    agencies.sort();
    agencies.dedup();
    let level = addressees
        .iter()
        .filter_map(|a| a.level)
        .chain(
            agencies
                .iter()
                .filter_map(|a| rules.agency(a).map(|x| x.level)),
        )
        .max();
    (agencies, level)
}

/// A recommendation with no addressee of its own that does not say whom
/// it is for (an original, not a translation) is addressed to the lead
/// agencies of its action-plan rows (`addressee`, precedence 5); its
/// agencies and level follow.
fn addressed_by_action_plan(rules: &RuleSet, rows: &[ActionPlanRow], recs: &mut [Recommendation]) {
    for r in recs.iter_mut().filter(|r| {
        r.addressees.is_empty() && r.translation_of.is_none() && !addressee::states_subject(&r.text)
    }) {
        let own = rows
            .iter()
            .filter(|row| row.recommendation_id.as_deref() == Some(r.id.as_str()));
        let leads = addressee::from_action_plan(own);
        if leads.is_empty() {
            continue;
        }
        r.addressees = leads;
        (r.agencies, r.level) = attribution(rules, &r.addressees, &r.text);
    }
}

/// Why one theme is or is not assigned to a document (for `inspect`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeExplanation {
    pub theme: String,
    pub label: String,
    pub parent: Option<String>,
    pub assigned: bool,
    pub score: f32,
    pub threshold: f32,
    pub present_hits: usize,
    pub negated_hits: usize,
    /// Assigned children (why a parent is assigned).
    pub assigned_children: Vec<String>,
    /// One line a person can read.
    pub reason: String,
    /// Rule id → number of present hits, for the rules that fired.
    pub rules: BTreeMap<String, usize>,
}

/// Explain every theme of the rule set for a processed document, in rule
/// file order (themes without hits included, so "why not?" has an answer).
pub fn explain(doc: &ProcessedDoc, rules: &RuleSet) -> Vec<ThemeExplanation> {
    rules
        .themes()
        .iter()
        .map(|t| {
            let s = doc.theme_scores.iter().find(|s| s.theme == t.id);
            let assigned = doc.themes.contains(&t.id);
            let assigned_children: Vec<String> = rules
                .children(&t.id)
                .into_iter()
                .filter(|c| doc.themes.iter().any(|x| x == c))
                .map(str::to_string)
                .collect();
            let mut fired = BTreeMap::new();
            for tag in doc.tags.iter().filter(|x| x.theme == t.id) {
                if tag.polarity == Polarity::Present {
                    *fired.entry(tag.rule.clone()).or_insert(0) += 1;
                }
            }
            let (score, present, negated) =
                s.map_or((0.0, 0, 0), |s| (s.score, s.present_hits, s.negated_hits));
            let threshold = s.map_or(t.min_score, |s| s.threshold);
            let reason = if assigned && present > 0 && score >= threshold {
                format!("assigned: score {score} ≥ threshold {threshold}")
            } else if assigned {
                format!("assigned through child theme(s): {}", assigned_children.join(", "))
            } else if present == 0 && negated == 0 {
                "not assigned: no hits".to_string()
            } else if present == 0 {
                format!("not assigned: all {negated} hit(s) negated")
            } else {
                format!(
                    "not assigned: score {score} < threshold {threshold} ({present} present, {negated} negated)"
                )
            };
            ThemeExplanation {
                theme: t.id.clone(),
                label: t.label.clone(),
                parent: t.parent.clone(),
                assigned,
                score,
                threshold,
                present_hits: present,
                negated_hits: negated,
                assigned_children,
                reason,
                rules: fired,
            }
        })
        .collect()
}

/// Split `text` into rough sentence spans (for rule examples and tests):
/// a sentence ends at `.`, `?` or `!` followed by whitespace.
pub fn rough_sentences(text: &str) -> Vec<Span> {
    let mut out = vec![];
    let mut start = 0;
    let b = text.as_bytes();
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '?' | '!') && b.get(i + 1).is_some_and(|n| n.is_ascii_whitespace()) {
            out.push(Span { start, end: i + 1 });
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(Span {
            start,
            end: text.len(),
        });
    }
    out
}

/// A one-passage document holding `text` (one section of `kind`), as used
/// to run rule examples through the real tagging path.
pub fn single_passage_document(text: &str, kind: SectionKind) -> Document {
    let sha = sha256_hex(text.as_bytes());
    Document {
        id: doc_id_from_sha(&sha),
        file: "<example>".into(),
        sha256: sha,
        title: "example".into(),
        kind: DocKind::Other,
        year: None,
        area: None,
        language: "en".into(),
        pages: 1,
        text: text.to_string(),
        page_starts: vec![0],
        page_labels: vec![None],
        sections: vec![Section {
            index: 0,
            heading: String::new(),
            number: None,
            level: 1,
            kind,
            trail: vec![],
            page: 1,
            start: 0,
            end: text.len(),
        }],
        passages: vec![Passage {
            index: 0,
            kind: PassageKind::Paragraph,
            section: 0,
            page: 1,
            start: 0,
            end: text.len(),
            marker: None,
            sentences: rough_sentences(text),
            cells: vec![],
            table: None,
        }],
        warnings: vec![],
    }
}

/// One failing rule example.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleFailure {
    pub theme: String,
    pub example: String,
    /// true: should match but did not; false: should not match but did.
    pub expected_match: bool,
    /// What matched, for unexpected matches: (rule, matched text).
    pub matched: Vec<(String, String)>,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.expected_match {
            write!(
                f,
                "theme {}: example \"{}\" should match but did not",
                self.theme, self.example
            )
        } else {
            let m: Vec<String> = self
                .matched
                .iter()
                .map(|(r, t)| format!("{r} matched \"{t}\""))
                .collect();
            write!(
                f,
                "theme {}: example \"{}\" should not match but did ({})",
                self.theme,
                self.example,
                m.join("; ")
            )
        }
    }
}

/// Run every theme's examples through the tagger. An example "matches" a
/// theme when it gives at least one present hit for the theme or one of its
/// descendants (thresholds do not apply). Returns (examples run, failures).
pub fn run_examples(rules: &RuleSet) -> (usize, Vec<ExampleFailure>) {
    let mut total = 0;
    let mut failures = vec![];
    for t in rules.themes() {
        let family = descendants(rules, &t.id);
        for (expected, list) in [(true, &t.examples_match), (false, &t.examples_no_match)] {
            for ex in list {
                total += 1;
                let doc = single_passage_document(ex, SectionKind::Analysis);
                let hits: Vec<(String, String)> = find_tags(&doc, rules)
                    .into_iter()
                    .filter(|x| x.polarity == Polarity::Present && family.contains(&x.theme))
                    .map(|x| (x.rule, x.matched))
                    .collect();
                if hits.is_empty() == expected {
                    failures.push(ExampleFailure {
                        theme: t.id.clone(),
                        example: ex.clone(),
                        expected_match: expected,
                        matched: hits,
                    });
                }
            }
        }
    }
    (total, failures)
}

fn descendants(rules: &RuleSet, id: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::from([id.to_string()]);
    let mut stack = vec![id.to_string()];
    while let Some(cur) = stack.pop() {
        for c in rules.children(&cur) {
            if out.insert(c.to_string()) {
                stack.push(c.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
