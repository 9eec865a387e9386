//! Tag: applies a [`RuleSet`] to a [`Document`]: theme tags with their
//! evidence, document theme scores by threshold, and recommendations
//! (numbered recommendations, "We will" commitments, matters of concern)
//! with their addressee agencies.
//!
//! STUB: interface only; the tag helper replaces this.

use crate::model::*;
use crate::rules::RuleSet;

pub mod recommend;

/// Tag one document.
pub fn tag(document: Document, rules: &RuleSet) -> ProcessedDoc {
    let _ = rules;
    ProcessedDoc {
        document,
        tags: vec![],
        recommendations: vec![],
        theme_scores: vec![],
        themes: vec![],
    }
}
