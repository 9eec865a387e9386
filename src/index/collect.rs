//! The search's collectors: [`Tallied`] counts every matching passage by
//! document (matches, best score), [`TopOfEach`] keeps the best passages
//! of the documents a page shows, scoring the first pass's own query on
//! their passages only; [`best_first`] ranks the tally.

use super::*;
use std::sync::Arc;
use tantivy::Term;

/// The first `n` of `ords` by best score, then by `doc_ord` (a partial
/// sort: the rest stay unordered and are dropped).
pub(super) fn best_first(tally: &Tally, mut ords: Vec<u32>, n: usize) -> Vec<u32> {
    let order = |a: &u32, b: &u32| {
        tally.best[*b as usize]
            .total_cmp(&tally.best[*a as usize])
            .then(a.cmp(b))
    };
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

/// Per document (`doc_ord`): how many passages matched and the best score.
#[derive(Debug)]
pub(super) struct Tally {
    pub(super) count: Vec<u32>,
    pub(super) best: Vec<Score>,
}

impl Tally {
    fn new(ords: usize) -> Tally {
        Tally {
            count: vec![0; ords],
            best: vec![Score::NEG_INFINITY; ords],
        }
    }
}

/// Tallies every matching passage by document: exact and uncapped, two
/// numbers per document whatever the number of matches.
pub(super) struct Tallied<'a> {
    pub(super) ords: usize,
    /// `SearchIndex::seg_ords`.
    pub(super) seg_ords: &'a [Arc<[u32]>],
}

pub(super) struct TalliedSegment {
    ords: Arc<[u32]>,
    tally: Tally,
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

impl Collector for Tallied<'_> {
    type Fruit = Tally;
    type Child = TalliedSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<TalliedSegment> {
        Ok(TalliedSegment {
            ords: segment_ords(self.seg_ords, segment, reader)?,
            tally: Tally::new(self.ords),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Tally>) -> tantivy::Result<Tally> {
        let mut all = Tally::new(self.ords);
        for t in fruits {
            for (i, (c, b)) in t.count.into_iter().zip(t.best).enumerate() {
                all.count[i] += c;
                all.best[i] = all.best[i].max(b);
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for TalliedSegment {
    type Fruit = Tally;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(&ord) = self.ords.get(doc as usize) else {
            return;
        };
        let t = &mut self.tally;
        if let (Some(c), Some(b)) = (t.count.get_mut(ord as usize), t.best.get_mut(ord as usize)) {
            *c += 1;
            if score > *b {
                *b = score;
            }
        }
    }

    fn harvest(self) -> Tally {
        self.tally
    }
}

/// Keeps the best `per_doc` passages (all when 0) of each document given a
/// slot, by slot.
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
    tops: Vec<Vec<(Score, DocAddress)>>,
}

/// Better first: higher score, then earlier address.
fn hit_order(a: &(Score, DocAddress), b: &(Score, DocAddress)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

impl Collector for TopOfEach<'_> {
    type Fruit = Vec<Vec<(Score, DocAddress)>>;
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
            tops: vec![Vec::new(); self.slots],
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
    ) -> tantivy::Result<Vec<Vec<(Score, DocAddress)>>> {
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

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<Vec<(Score, DocAddress)>>>,
    ) -> tantivy::Result<Vec<Vec<(Score, DocAddress)>>> {
        let mut all = vec![Vec::new(); self.slots];
        for tops in fruits {
            for (slot, top) in tops.into_iter().enumerate() {
                all[slot].extend(top);
            }
        }
        for top in &mut all {
            top.sort_by(hit_order);
            if self.per_doc > 0 {
                top.truncate(self.per_doc);
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for TopOfEachSegment {
    type Fruit = Vec<Vec<(Score, DocAddress)>>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(&ord) = self.ords.get(doc as usize) else {
            return;
        };
        let Some(top) = self
            .slot_of
            .get(ord as usize)
            .and_then(|&s| self.tops.get_mut(s as usize))
        else {
            return;
        };
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

    fn harvest(self) -> Vec<Vec<(Score, DocAddress)>> {
        self.tops
    }
}
