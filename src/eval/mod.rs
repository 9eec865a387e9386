//! Evaluation: how well ystorfa finds recommendations, their addressees and
//! themes, measured against two kinds of reference. Pure: takes references
//! and processed documents, returns the figures; the command (`ystorfa
//! eval`) reads the files.
//!
//! - [`labels`]: hand-labelled documents (`eval/labels/**/*.toml`): each
//!   recommendation by its first words, with its addressees, themes, title
//!   and area. Scored as precision and recall of whole recommendations.
//! - [`spans`]: a `truth.jsonl` of spans from an external extraction (the
//!   format of `../shared/pfd-reports/README`): where each document's
//!   matters of concern lie and who the report was sent to. Scored by
//!   words, so it holds whatever the unit of a "recommendation" is.
//! - [`pairs`]: labelled pairs of recommendations from different
//!   documents (`eval/pairs/pairs.jsonl`), same ask or not, scored against
//!   the recurring-recommendation groups of a build.

pub mod labels;
pub mod pairs;
pub mod spans;

pub use labels::{DocEval, LabelledRec, Labels, RecOutcome, Report, evaluate_doc, report};

use serde::Serialize;

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
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
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

/// `num / den`, 1.0 when there is nothing to count.
pub fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
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
    fn prf_counts() {
        let p = Prf::new(8, 2, 0);
        assert!((p.precision - 0.8).abs() < 1e-9);
        assert!((p.recall - 1.0).abs() < 1e-9);
        assert!((Prf::new(0, 0, 0).f1 - 1.0).abs() < 1e-9);
    }
}
