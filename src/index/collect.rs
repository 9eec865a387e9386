//! The search's collectors: [`Matched`] finds which documents have a
//! matching passage (each document's passages are neighbours, so after a
//! document's first match the query skips to its next document: the cost
//! grows with the matching documents, not the matching passages);
//! [`TopOfEach`] keeps the best passages of the documents a page shows,
//! and counts them, scoring the query on their passages only;
//! [`best_first`] ranks the matching documents.

use super::docmap::{Row, SegmentRows, SegmentRuns, row};
use super::*;
use std::sync::Arc;
use tantivy::Term;

/// The first `n` of `ords` by score, then by `doc_ord` (a partial sort:
/// the rest stay unordered and are dropped).
pub(super) fn best_first(scores: &[Score], mut ords: Vec<u32>, n: usize) -> Vec<u32> {
    let score = |o: &u32| scores.get(*o as usize).copied().unwrap_or(0.0);
    let order = |a: &u32, b: &u32| score(b).total_cmp(&score(a)).then(a.cmp(b));
    if n == 0 {
        return Vec::new();
    }
    if n < ords.len() {
        ords.select_nth_unstable_by(n - 1, order);
        ords.truncate(n);
    }
    ords.sort_unstable_by(order);
    ords
}

/// What a [`Matched`] query is run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MatchOn {
    /// The passages: a document matches when one of them does.
    Passages,
    /// The document rows (a query that `query::matches_per_document`
    /// allows): one row per document.
    DocumentRows,
}

/// Which documents (by `doc_ord`) have at least one matching passage:
/// exact and uncapped, without scoring.
pub(super) struct Matched<'a> {
    pub(super) on: MatchOn,
    pub(super) ords: usize,
    /// `SearchIndex::seg_ords`.
    pub(super) seg_ords: &'a [Arc<[u32]>],
    /// `SearchIndex::seg_runs`.
    pub(super) seg_runs: &'a [Arc<SegmentRuns>],
    /// `SearchIndex::seg_rows`.
    pub(super) seg_rows: &'a [Arc<SegmentRows>],
}

/// The child of [`Matched`] (unused: [`Matched`] walks each segment
/// itself).
pub(super) struct MatchedSegment {
    ords: Arc<[u32]>,
    matched: Vec<bool>,
}

/// The `doc_ord` column of a segment, checked against the reader.
fn segment_ords(
    seg_ords: &[Arc<[u32]>],
    segment: SegmentOrdinal,
    reader: &tantivy::SegmentReader,
) -> tantivy::Result<Arc<[u32]>> {
    seg_ords
        .get(segment as usize)
        .filter(|o| o.len() == reader.max_doc() as usize)
        .cloned()
        .ok_or_else(|| {
            tantivy::TantivyError::InvalidArgument(format!(
                "segment {segment} is not the one the index was opened with"
            ))
        })
}

impl Collector for Matched<'_> {
    type Fruit = Vec<bool>;
    type Child = MatchedSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<MatchedSegment> {
        Ok(MatchedSegment {
            ords: segment_ords(self.seg_ords, segment, reader)?,
            matched: vec![false; self.ords],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    /// Walk the segment's matches; on passages, after each document's
    /// first match move the query to the document's next neighbour (the
    /// start of the next run of `seg_runs`).
    fn collect_segment(
        &self,
        weight: &dyn tantivy::query::Weight,
        segment: SegmentOrdinal,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<Vec<bool>> {
        use tantivy::{DocSet, TERMINATED};
        let mut matched = self.for_segment(segment, reader)?.matched;
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        let mut mark = |ord: u32| {
            if let Some(m) = matched.get_mut(ord as usize) {
                *m = true;
            }
        };
        match self.on {
            MatchOn::DocumentRows => {
                let Some(rows) = self.seg_rows.get(segment as usize) else {
                    return Ok(matched);
                };
                let mut rows = rows.cursor();
                while doc != TERMINATED {
                    if alive.is_none_or(|a| a.is_alive(doc))
                        && let Some(i) = rows.seek(doc)
                    {
                        mark(rows.ord(i));
                    }
                    doc = scorer.advance();
                }
            }
            MatchOn::Passages => {
                let Some(runs) = self.seg_runs.get(segment as usize) else {
                    return Ok(matched);
                };
                let mut runs = runs.cursor();
                while doc != TERMINATED {
                    match runs.seek(doc) {
                        (Row::Passage(ord), next) if alive.is_none_or(|a| a.is_alive(doc)) => {
                            mark(ord);
                            match next {
                                Some(next) => doc = scorer.seek(next),
                                None => break,
                            }
                        }
                        _ => doc = scorer.advance(),
                    }
                }
            }
        }
        Ok(matched)
    }

    fn merge_fruits(&self, fruits: Vec<Vec<bool>>) -> tantivy::Result<Vec<bool>> {
        let mut all = vec![false; self.ords];
        for m in fruits {
            for (a, b) in all.iter_mut().zip(m) {
                *a |= b;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for MatchedSegment {
    type Fruit = Vec<bool>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(Row::Passage(ord)) = self.ords.get(doc as usize).map(|&v| row(v))
            && let Some(m) = self.matched.get_mut(ord as usize)
        {
            *m = true;
        }
    }

    fn harvest(self) -> Vec<bool> {
        self.matched
    }
}

/// Per slot of [`TopOfEach`]: the best passages kept and how many matched.
pub(super) type Tops = Vec<(Vec<(Score, DocAddress)>, usize)>;

/// Keeps the best `per_doc` passages (all when 0) of each document given a
/// slot, and counts its matching passages, by slot.
pub(super) struct TopOfEach<'a> {
    pub(super) per_doc: usize,
    pub(super) slots: usize,
    /// By `doc_ord`: the document's slot, or `NO_ORD` for none.
    pub(super) slot_of: Arc<[u32]>,
    /// `SearchIndex::seg_ords`.
    pub(super) seg_ords: &'a [Arc<[u32]>],
    /// The `doc` field and the id terms of the documents given a slot.
    pub(super) doc_field: Field,
    pub(super) terms: Vec<Term>,
}

pub(super) struct TopOfEachSegment {
    segment: SegmentOrdinal,
    per_doc: usize,
    ords: Arc<[u32]>,
    slot_of: Arc<[u32]>,
    tops: Tops,
}

/// Better first: higher score, then earlier address.
fn hit_order(a: &(Score, DocAddress), b: &(Score, DocAddress)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

impl Collector for TopOfEach<'_> {
    type Fruit = Tops;
    type Child = TopOfEachSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<TopOfEachSegment> {
        Ok(TopOfEachSegment {
            segment,
            per_doc: self.per_doc,
            ords: segment_ords(self.seg_ords, segment, reader)?,
            slot_of: self.slot_of.clone(),
            tops: vec![(Vec::new(), 0); self.slots],
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    /// Only the passages of the documents given a slot: the query's
    /// scorer is moved to each of them (in `DocId` order) instead of
    /// walking every match.
    fn collect_segment(
        &self,
        weight: &dyn tantivy::query::Weight,
        segment: SegmentOrdinal,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<Tops> {
        use tantivy::{DocSet, TERMINATED};
        let mut child = self.for_segment(segment, reader)?;
        let ids = reader.inverted_index(self.doc_field)?;
        let mut candidates: Vec<DocId> = Vec::new();
        for term in &self.terms {
            if let Some(mut postings) = ids.read_postings(term, IndexRecordOption::Basic)? {
                while postings.doc() != TERMINATED {
                    candidates.push(postings.doc());
                    postings.advance();
                }
            }
        }
        candidates.sort_unstable();
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        for d in candidates {
            if scorer.doc() == TERMINATED {
                break;
            }
            if scorer.doc() > d || alive.is_some_and(|a| !a.is_alive(d)) {
                continue;
            }
            if scorer.seek(d) == d {
                child.collect(d, scorer.score());
            }
        }
        Ok(child.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<Tops>) -> tantivy::Result<Tops> {
        let mut all: Tops = vec![(Vec::new(), 0); self.slots];
        for tops in fruits {
            for (slot, (top, n)) in tops.into_iter().enumerate() {
                all[slot].0.extend(top);
                all[slot].1 += n;
            }
        }
        for (top, _) in &mut all {
            top.sort_by(hit_order);
            if self.per_doc > 0 {
                top.truncate(self.per_doc);
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for TopOfEachSegment {
    type Fruit = Tops;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(Row::Passage(ord)) = self.ords.get(doc as usize).map(|&v| row(v)) else {
            return;
        };
        let Some((top, matched)) = self
            .slot_of
            .get(ord as usize)
            .and_then(|&s| self.tops.get_mut(s as usize))
        else {
            return;
        };
        *matched += 1;
        let addr = DocAddress::new(self.segment, doc);
        if self.per_doc == 0 || top.len() < self.per_doc {
            top.push((score, addr));
        } else {
            // Replace the worst kept hit when this one is strictly better
            // (ties keep the earlier passage).
            let (wi, worst) = top
                .iter()
                .enumerate()
                .max_by(|a, b| hit_order(a.1, b.1))
                .map(|(i, h)| (i, *h))
                .expect("per_doc > 0");
            if score > worst.0 {
                top[wi] = (score, addr);
            }
        }
    }

    fn harvest(self) -> Tops {
        self.tops
    }
}
