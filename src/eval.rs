//! Evaluation: measures recommendation finding and theme assignment against
//! hand-labelled documents (`eval/labels/**/*.toml`), as precision, recall
//! and F1. Pure: takes labels and processed documents, returns the figures.

use crate::model::ProcessedDoc;
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
    #[serde(default, rename = "recommendation")]
    pub recommendations: Vec<LabelledRec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledRec {
    /// Ordinal as written ("3"), or "" when unnumbered.
    #[serde(default)]
    pub ordinal: String,
    /// The first words of the recommendation's text, after its marker.
    pub starts: String,
}

/// Lower-case letters and digits only, words separated by one space;
/// hyphens and apostrophes dropped so line-end hyphenation and curly quotes
/// do not matter.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if matches!(
            c,
            '-' | '\u{2010}' | '\u{2011}' | '\u{00AD}' | '\'' | '\u{2019}' | '\u{2018}'
        ) {
            continue;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_string()
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
}

/// A found recommendation matches a label when the label's first words
/// appear at (or near) the start of its text.
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

/// Compare one document's results with its labels.
pub fn evaluate_doc(labels: &Labels, doc: &ProcessedDoc) -> DocEval {
    let found: Vec<String> = doc
        .recommendations
        .iter()
        .map(|r| normalise(&r.text))
        .collect();
    let mut used = vec![false; found.len()];
    let mut matched = 0;
    let mut missed = Vec::new();
    for l in &labels.recommendations {
        let s = normalise(&l.starts);
        let hit = (0..found.len()).find(|&i| !used[i] && rec_matches(&found[i], &s));
        match hit {
            Some(i) => {
                used[i] = true;
                matched += 1;
            }
            None => missed.push(format!(
                "{}{}",
                if l.ordinal.is_empty() {
                    String::new()
                } else {
                    format!("{} ", l.ordinal)
                },
                l.starts
            )),
        }
    }
    let spurious = doc
        .recommendations
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
    }
}

/// Precision, recall and F1 with their counts.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    pub fn new(tp: usize, fp: usize, fn_: usize) -> Prf {
        let precision = if tp + fp == 0 {
            1.0
        } else {
            tp as f64 / (tp + fp) as f64
        };
        let recall = if tp + fn_ == 0 {
            1.0
        } else {
            tp as f64 / (tp + fn_) as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Prf {
            tp,
            fp,
            fn_,
            precision,
            recall,
            f1,
        }
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
    Report {
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
    fn normalise_ignores_case_hyphens_quotes_and_punctuation() {
        assert_eq!(
            normalise("Children’s  multi-agency\nInformation-\nsharing."),
            "childrens multiagency information sharing"
        );
        assert_eq!(normalise("informationsharing"), "informationsharing");
        assert_eq!(normalise("information-sharing"), "informationsharing");
    }

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

    #[test]
    fn prf_counts() {
        let p = Prf::new(8, 2, 0);
        assert!((p.precision - 0.8).abs() < 1e-9);
        assert!((p.recall - 1.0).abs() < 1e-9);
        assert!((Prf::new(0, 0, 0).f1 - 1.0).abs() < 1e-9);
    }
}
