//! Recommendation finding: which passages of a segmented [`Document`] are
//! recommendations (numbered or bulleted items in recommendations sections,
//! "We will" commitments in strategies, coroners' matters of concern), with
//! sub-items kept with their parent and text joined across page breaks.
//! Agencies and themes are attributed by the caller ([`super::tag`]).
//!
//! STUB: interface only; the recommendations helper replaces this.

use crate::model::*;

/// A recommendation found in the document structure, before agencies and
/// themes are attributed.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Ordinal as written ("3", "2.1", "R4"), None when unnumbered.
    pub ordinal: Option<String>,
    /// Whole text (sub-items included; page furniture already absent).
    pub text: String,
    /// Page the recommendation starts on.
    pub page: u32,
    /// Index of the section in [`Document::sections`].
    pub section: usize,
    /// Byte span in the document text.
    pub start: usize,
    pub end: usize,
}

/// Find the recommendations, commitments or matters of concern in `doc`, in document order.
pub fn find(doc: &Document) -> Vec<Found> {
    let _ = doc;
    vec![]
}
