//! The labelled reference: recommendation finding and theme assignment
//! measured against hand-labelled documents (`eval/labels/**/*.toml`), as
//! precision, recall and F1.

use super::spans::names_match;
use super::{Prf, normalise, ratio};
use crate::model::{ProcessedDoc, Recommendation};
use crate::rules::Gazetteer;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One labelled document (the format of `eval/labels/*.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// Path of the document, relative to the repository root.
    pub file: String,
    pub kind: String,
    pub year: Option<i32>,
    pub title: Option<String>,
    /// The main themes an analyst would code the document with.
    #[serde(default)]
    pub themes: Vec<String>,
    /// The area the review or coroner covers (never an addressed agency).
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default, rename = "recommendation")]
    pub recommendations: Vec<LabelledRec>,
    /// The rows of the document's action-plan table, in order.
    #[serde(default, rename = "action")]
    pub actions: Vec<LabelledAction>,
}

/// One row of an action-plan table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledAction {
    /// The ordinal of the recommendation the row implements, as the row gives it.
    pub recommendation: String,
    /// The first words of the action cell.
    pub starts: String,
    /// The lead agency cell as written.
    #[serde(default)]
    pub lead: String,
    /// The target date cell as written ("" when empty).
    #[serde(default)]
    pub target: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledRec {
    /// Ordinal as written ("3"), or "" when unnumbered.
    #[serde(default)]
    pub ordinal: String,
    /// The first words of the recommendation's text, after its marker.
    pub starts: String,
    /// The named bodies it is addressed to, as the document names them
    /// (None: not labelled).
    #[serde(default)]
    pub addressees: Option<Vec<String>>,
    /// Bilingual documents: the first words of its translation.
    #[serde(default)]
    pub translation_starts: Option<String>,
}

/// How a labelled recommendation matched (or not) the found ones.
#[derive(Debug, Clone, Serialize)]
pub struct RecOutcome {
    pub ordinal: String,
    pub starts: String,
    /// Index of the matched found recommendation.
    pub matched: Option<usize>,
}

/// Figures for one document.
#[derive(Debug, Clone, Serialize)]
pub struct DocEval {
    pub file: String,
    pub kind: String,
    pub labelled_recs: usize,
    pub found_recs: usize,
    pub matched_recs: usize,
    /// Labelled recommendations not found.
    pub missed: Vec<String>,
    /// Found recommendations matching no label (first words).
    pub spurious: Vec<String>,
    pub themes_labelled: Vec<String>,
    pub themes_assigned: Vec<String>,
    /// Matched recommendations whose addressees are labelled, and of those
    /// the ones whose found addressees are exactly the labelled bodies.
    pub addressees_judged: usize,
    pub addressees_right: usize,
    /// Each wrong set of addressees: the label's first words, labelled, found.
    pub addressee_errors: Vec<String>,
    /// Labelled translations, and of those the ones found and linked to
    /// their original (`translation_of`).
    pub translations_labelled: usize,
    pub translations_linked: usize,
    /// Found translations (not counted as recommendations).
    pub translations_found: usize,
    pub area: Option<String>,
    pub expected_area: Option<String>,
}

/// A found recommendation matches a label when the label's first words
/// appear at (or near) the start of its text, or open one of its
/// sentences: a coroner's concern may open with the evidence it rests on,
/// which a label leaves out.
fn rec_matches_text(found: &str, found_norm: &str, starts_norm: &str) -> bool {
    rec_matches(found_norm, starts_norm)
        || (!starts_norm.is_empty()
            && found
                .split_inclusive(['.', '!', '?', ':', ';', '\n'])
                .any(|sentence| normalise(sentence).starts_with(starts_norm)))
}

/// The label's first words at (or near) the start of a found text.
fn rec_matches(found_norm: &str, starts_norm: &str) -> bool {
    if starts_norm.is_empty() {
        return false;
    }
    match found_norm.find(starts_norm) {
        // Allow a short lead-in the label leaves out ("Recommendation 3",
        // "We will", an agency name in a table cell).
        Some(pos) => pos <= 40,
        None => false,
    }
}

/// Compare one document's results with its labels. Found translations
/// (`translation_of` set) are not counted as recommendations: they are
/// checked against the labels' `translation_starts`. A labelled addressee
/// is the body found when its name, or the gazetteer's canonical name for
/// it, matches ("Bwrdd Iechyd Prifysgol Glanmor" is "Glanmor University
/// Health Board").
pub fn evaluate_doc(labels: &Labels, doc: &ProcessedDoc, gazetteer: &Gazetteer) -> DocEval {
    let (recs, translations): (Vec<&Recommendation>, Vec<&Recommendation>) = doc
        .recommendations
        .iter()
        .partition(|r| r.translation_of.is_none());
    let found: Vec<String> = recs.iter().map(|r| normalise(&r.text)).collect();
    let mut used = vec![false; found.len()];
    let mut matched = 0;
    let mut missed = Vec::new();
    let mut addr = AddresseeTally::default();
    let (mut translations_labelled, mut translations_linked) = (0, 0);
    for l in &labels.recommendations {
        let s = normalise(&l.starts);
        let hit = (0..found.len())
            .find(|&i| !used[i] && rec_matches(&found[i], &s))
            .or_else(|| {
                (0..found.len())
                    .find(|&i| !used[i] && rec_matches_text(&recs[i].text, &found[i], &s))
            });
        let Some(i) = hit else {
            missed.push(describe(l));
            continue;
        };
        used[i] = true;
        matched += 1;
        if let Some(want) = &l.addressees {
            let want: Vec<(String, String)> = want
                .iter()
                .map(|w| (w.clone(), gazetteer.resolve(w).canonical))
                .collect();
            addr.judge(l, &want, recs[i]);
        }
        if let Some(t) = &l.translation_starts {
            translations_labelled += 1;
            let t = normalise(t);
            let linked = translations.iter().any(|tr| {
                tr.translation_of.as_deref() == Some(recs[i].id.as_str())
                    && rec_matches(&normalise(&tr.text), &t)
            });
            translations_linked += usize::from(linked);
            if !linked {
                missed.push(format!("translation of {}", describe(l)));
            }
        }
    }
    let spurious = recs
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(r, _)| {
            let words: Vec<&str> = r.text.split_whitespace().take(12).collect();
            format!(
                "{} p.{}: {}",
                r.ordinal.as_deref().unwrap_or("•"),
                r.page,
                words.join(" ")
            )
        })
        .collect();
    DocEval {
        file: labels.file.clone(),
        kind: labels.kind.clone(),
        labelled_recs: labels.recommendations.len(),
        found_recs: found.len(),
        matched_recs: matched,
        missed,
        spurious,
        themes_labelled: {
            let mut t = labels.themes.clone();
            t.sort();
            t.dedup();
            t
        },
        themes_assigned: doc.themes.clone(),
        addressees_judged: addr.judged,
        addressees_right: addr.right,
        addressee_errors: addr.errors,
        translations_labelled,
        translations_linked,
        translations_found: translations.len(),
        area: doc.document.area.clone(),
        expected_area: labels.area.clone(),
    }
}

fn describe(l: &LabelledRec) -> String {
    if l.ordinal.is_empty() {
        l.starts.clone()
    } else {
        format!("{} {}", l.ordinal, l.starts)
    }
}

/// Addressee sets judged so far.
#[derive(Default)]
struct AddresseeTally {
    judged: usize,
    right: usize,
    errors: Vec<String>,
}

impl AddresseeTally {
    /// Right when every labelled body is found and every found body is labelled.
    fn judge(&mut self, l: &LabelledRec, want: &[(String, String)], r: &Recommendation) {
        self.judged += 1;
        let same = |(w, canonical): &(String, String), a: &crate::model::Addressee| {
            names_match(w, &a.canonical) || names_match(w, &a.name) || *canonical == a.canonical
        };
        let all_found = want.iter().all(|w| r.addressees.iter().any(|a| same(w, a)));
        let all_wanted = r.addressees.iter().all(|a| want.iter().any(|w| same(w, a)));
        if all_found && all_wanted {
            self.right += 1;
            return;
        }
        let got: Vec<&str> = r.addressees.iter().map(|a| a.canonical.as_str()).collect();
        let want: Vec<&str> = want.iter().map(|(w, _)| w.as_str()).collect();
        self.errors.push(format!(
            "{}: labelled {:?}, found {:?}",
            describe(l),
            want,
            got
        ));
    }
}

/// The whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub documents: Vec<DocEval>,
    /// Recommendations, micro-averaged over all documents.
    pub recommendations: Prf,
    /// Recommendations by document kind.
    pub recommendations_by_kind: BTreeMap<String, Prf>,
    /// Per theme, over documents.
    pub themes: BTreeMap<String, Prf>,
    /// Mean F1 over the evaluated themes: those labelled in at least one
    /// document (a theme no label file ever uses cannot be judged).
    pub theme_macro_f1: f64,
    /// Themes assigned somewhere but labelled nowhere (not evaluated).
    pub themes_not_evaluated: Vec<String>,
    /// Share of matched recommendations with labelled addressees whose
    /// found addressees are exactly the labelled bodies.
    pub addressees_judged: usize,
    pub addressee_accuracy: f64,
    /// Share of labelled translations found and linked to their original.
    pub translations_labelled: usize,
    pub translation_linking: f64,
    /// Documents whose area is labelled, and the share found right.
    pub areas_judged: usize,
    pub area_accuracy: f64,
}

/// Whether a document's area is right (None when not labelled).
pub fn area_right(d: &DocEval) -> Option<bool> {
    let want = d.expected_area.as_deref()?;
    Some(d.area.as_deref().is_some_and(|a| names_match(want, a)))
}

/// Aggregate per-document evaluations.
pub fn report(documents: Vec<DocEval>) -> Report {
    let rec_prf = |ds: &[&DocEval]| {
        let tp: usize = ds.iter().map(|d| d.matched_recs).sum();
        let found: usize = ds.iter().map(|d| d.found_recs).sum();
        let labelled: usize = ds.iter().map(|d| d.labelled_recs).sum();
        Prf::new(tp, found - tp, labelled - tp)
    };
    let all: Vec<&DocEval> = documents.iter().collect();
    let recommendations = rec_prf(&all);
    let kinds: BTreeSet<&str> = documents.iter().map(|d| d.kind.as_str()).collect();
    let recommendations_by_kind = kinds
        .into_iter()
        .map(|k| {
            let ds: Vec<&DocEval> = documents.iter().filter(|d| d.kind == k).collect();
            (k.to_string(), rec_prf(&ds))
        })
        .collect();
    let theme_ids: BTreeSet<&String> = documents
        .iter()
        .flat_map(|d| d.themes_labelled.iter())
        .collect();
    let themes_not_evaluated: Vec<String> = documents
        .iter()
        .flat_map(|d| d.themes_assigned.iter())
        .filter(|t| !theme_ids.contains(t))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .cloned()
        .collect();
    let mut themes = BTreeMap::new();
    for t in theme_ids {
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for d in &documents {
            let l = d.themes_labelled.contains(t);
            let a = d.themes_assigned.contains(t);
            match (l, a) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                _ => {}
            }
        }
        themes.insert(t.clone(), Prf::new(tp, fp, fn_));
    }
    let theme_macro_f1 = if themes.is_empty() {
        0.0
    } else {
        themes.values().map(|p| p.f1).sum::<f64>() / themes.len() as f64
    };
    let sum = |f: fn(&DocEval) -> usize| documents.iter().map(f).sum::<usize>();
    let addressees_judged = sum(|d| d.addressees_judged);
    let addressee_accuracy = ratio(sum(|d| d.addressees_right), addressees_judged);
    let translations_labelled = sum(|d| d.translations_labelled);
    let translation_linking = ratio(sum(|d| d.translations_linked), translations_labelled);
    let areas: Vec<bool> = documents.iter().filter_map(area_right).collect();
    let areas_judged = areas.len();
    let area_accuracy = ratio(areas.iter().filter(|&&ok| ok).count(), areas_judged);
    Report {
        addressees_judged,
        addressee_accuracy,
        translations_labelled,
        translation_linking,
        areas_judged,
        area_accuracy,
        documents,
        recommendations,
        recommendations_by_kind,
        themes,
        theme_macro_f1,
        themes_not_evaluated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_matches_near_the_start_only() {
        let f = normalise(
            "Recommendation 3: Glanmor Police should introduce guidance and training so that officers",
        );
        assert!(rec_matches(
            &f,
            &normalise("Glanmor Police should introduce guidance and training so")
        ));
        let long = normalise(&format!(
            "{} Glanmor Police should introduce guidance",
            "word ".repeat(30)
        ));
        assert!(!rec_matches(
            &long,
            &normalise("Glanmor Police should introduce guidance")
        ));
    }
}
