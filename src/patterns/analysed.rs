//! A segment of `recommendations.jsonl` as grouping reads it, made once
//! per segment and kept by the store's grouping cache, so that a build
//! which adds one document analyses one segment instead of every
//! recommendation again.
//!
//! Two parts, each decoded on its own: the **words** of each
//! recommendation (numbered within the segment in the order first met,
//! with what tells twins), read by every build to find the groups; and
//! what a group's row shows of each **member** (page, addressees, themes,
//! text), read only for recommendations in a group. The segment's
//! numbering is turned into the grouper's as the segments are pushed in
//! repository order, which numbers every word exactly as analysing the
//! recommendations one by one would. (A word is shown as the segment
//! first wrote it; that could differ only if the segment held a
//! recommendation of a document the repository does not list, which the
//! store never writes.)

use super::terms::Analysis;
use crate::export::RecommendationRow;
use serde::{Deserialize, Serialize};

/// The words of one segment's recommendations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentWords {
    /// The segment's words: (stem, as first written, lower case), numbered
    /// by position, in the order first met.
    pub(super) words: Vec<(String, String)>,
    /// Its recommendations, in order.
    pub(super) recs: Vec<RecWords>,
}

/// One recommendation's words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct RecWords {
    pub(super) id: String,
    pub(super) doc_id: String,
    /// A translation is left out.
    pub(super) translation: bool,
    /// What tells twin renderings ([`super::twins::key`]).
    pub(super) twin: Option<u64>,
    /// Its words (numbers of [`SegmentWords::words`]), without repeats, in
    /// the order first written.
    pub(super) terms: Vec<u32>,
}

/// What the rows of groups show of one segment's recommendations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentMembers {
    pub(super) members: Vec<MemberData>,
}

/// One recommendation as a group's row shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct MemberData {
    pub(super) id: String,
    pub(super) doc_id: String,
    pub(super) page: u32,
    /// The bodies addressed: (canonical name, category), without repeats
    /// of a name, in the order written.
    pub(super) addressees: Vec<(String, String)>,
    pub(super) themes: Vec<String>,
    pub(super) text: String,
}

/// One segment analysed: both parts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalysedSegment {
    pub words: SegmentWords,
    pub members: SegmentMembers,
}

/// A part that does not decode.
#[derive(Debug, thiserror::Error)]
#[error("not a segment of analysed recommendations: {0}")]
pub struct Undecodable(#[from] postcard::Error);

impl SegmentWords {
    /// The part's bytes ([`SegmentWords::from_bytes`] reads them).
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("analysed words encode")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<SegmentWords, Undecodable> {
        Ok(postcard::from_bytes(bytes)?)
    }
}

impl SegmentMembers {
    /// The part's bytes ([`SegmentMembers::from_bytes`] reads them).
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("members encode")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<SegmentMembers, Undecodable> {
        Ok(postcard::from_bytes(bytes)?)
    }
}

/// Analyses a segment's recommendations one by one, in order.
pub(super) struct SegmentBuilder<'a> {
    analysis: &'a mut Analysis,
    ids: rustc_hash::FxHashMap<String, u32>,
    /// For each word, the last recommendation (counted from 1) it was
    /// found in: a word is listed once per recommendation.
    last_in: Vec<u32>,
    out: AnalysedSegment,
}

impl<'a> SegmentBuilder<'a> {
    pub(super) fn new(analysis: &'a mut Analysis) -> SegmentBuilder<'a> {
        SegmentBuilder {
            analysis,
            ids: Default::default(),
            last_in: Vec::new(),
            out: AnalysedSegment::default(),
        }
    }

    /// The next recommendation: its words (addressees' names left out: the
    /// same ask whoever it is addressed to), what tells twins, and what a
    /// group's row shows of it.
    pub(super) fn push(&mut self, rec: &RecommendationRow<'_>) {
        let translation = rec.translation_of.is_some();
        let mut twin = None;
        let mut terms: Vec<u32> = Vec::new();
        if !translation {
            let names: Vec<&str> = rec.addressees.iter().map(|a| a.name.as_str()).collect();
            twin = super::twins::key(&rec.text);
            let analysed = self
                .analysis
                .analyse(super::terms::without(&rec.text, &names));
            let this = self.out.words.recs.len() as u32 + 1;
            for (word, written) in analysed.words() {
                let term = match self.ids.get(word) {
                    Some(&term) => term,
                    None => {
                        let term = self.ids.len() as u32;
                        self.ids.insert(word.to_string(), term);
                        let surface = written.to_lowercase();
                        self.out.words.words.push((word.to_string(), surface));
                        self.last_in.push(0);
                        term
                    }
                };
                if self.last_in[term as usize] != this {
                    self.last_in[term as usize] = this;
                    terms.push(term);
                }
            }
        }
        self.out.words.recs.push(RecWords {
            id: rec.id.to_string(),
            doc_id: rec.doc_id.to_string(),
            translation,
            twin,
            terms,
        });
        let mut addressees: Vec<(String, String)> = Vec::new();
        for a in rec.addressees.iter() {
            if !addressees.iter().any(|(c, _)| *c == a.canonical) {
                addressees.push((a.canonical.clone(), a.category.clone()));
            }
        }
        self.out.members.members.push(MemberData {
            id: rec.id.to_string(),
            doc_id: rec.doc_id.to_string(),
            page: rec.page,
            addressees,
            themes: rec.themes.to_vec(),
            text: rec.text.to_string(),
        });
    }

    pub(super) fn finish(self) -> AnalysedSegment {
        self.out
    }
}
