//! A union of queries for a walk that skips: [`SkipUnion`] matches what
//! any of its queries matches, like a `BooleanQuery` of `Should` clauses,
//! but moves each of them only as far as it is asked to. tantivy's union
//! buffers the next 4,096 `DocId`s of every clause at each far seek, which
//! is what a scoring walk over every match wants and what the search's
//! first step ([`super::collect::Matched`], which skips to each next
//! document after a document's first match) does not: a word is looked
//! for in the text, title and trail of each passage, and the title's
//! postings cover nearly every passage (every passage carries its
//! document's title), so each seek buffered thousands of passages.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// Matches what any of the queries matches; scores are their sum.
#[derive(Debug)]
pub(super) struct SkipUnion(pub(super) Vec<Box<dyn Query>>);

impl Clone for SkipUnion {
    fn clone(&self) -> SkipUnion {
        SkipUnion(self.0.iter().map(|q| q.box_clone()).collect())
    }
}

impl Query for SkipUnion {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .0
            .iter()
            .map(|q| q.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(SkipUnionWeight(weights)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.0 {
            q.query_terms(visitor);
        }
    }
}

struct SkipUnionWeight(Vec<Box<dyn Weight>>);

impl Weight for SkipUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let scorers = self
            .0
            .iter()
            .map(|w| w.scorer(reader, boost))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(SkipUnionScorer::new(scorers)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new(
            "sum of the matching clauses",
            scorer.score(),
        ))
    }
}

/// The union's walk: each clause's scorer, and the least `DocId` they
/// stand on.
struct SkipUnionScorer {
    scorers: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl SkipUnionScorer {
    fn new(mut scorers: Vec<Box<dyn Scorer>>) -> SkipUnionScorer {
        scorers.retain(|s| s.doc() != TERMINATED);
        let doc = scorers.iter().map(|s| s.doc()).min().unwrap_or(TERMINATED);
        SkipUnionScorer { scorers, doc }
    }
}

impl DocSet for SkipUnionScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        let mut next = TERMINATED;
        for s in &mut self.scorers {
            if s.doc() <= current {
                s.advance();
            }
            next = next.min(s.doc());
        }
        self.doc = next;
        next
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let mut next = TERMINATED;
        for s in &mut self.scorers {
            if s.doc() < target {
                s.seek(target);
            }
            next = next.min(s.doc());
        }
        self.doc = next;
        next
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.scorers
            .iter()
            .map(|s| s.size_hint())
            .max()
            .unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        self.scorers.iter().map(|s| s.cost()).sum()
    }
}

impl Scorer for SkipUnionScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        self.scorers
            .iter_mut()
            .filter(|s| s.doc() == doc)
            .map(|s| s.score())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::DocSetCollector;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{Index, doc};

    #[test]
    fn a_skip_union_matches_what_a_boolean_union_matches() {
        let mut schema = Schema::builder();
        let a = schema.add_text_field("a", STRING);
        let b = schema.add_text_field("b", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for i in 0..5000u32 {
            let x = if i % 3 == 0 { "x" } else { "-" };
            let y = if i % 1000 < 700 { "y" } else { "-" };
            writer.add_document(doc!(a => x, b => y)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |f, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(f, v),
                IndexRecordOption::Basic,
            ))
        };
        let should = |qs: Vec<Box<dyn Query>>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                qs.into_iter().map(|q| (Occur::Should, q)).collect(),
            ))
        };
        for (union, boolean) in [
            (
                SkipUnion(vec![term(a, "x"), term(b, "y")]),
                should(vec![term(a, "x"), term(b, "y")]),
            ),
            (
                SkipUnion(vec![term(a, "x"), term(a, "none")]),
                should(vec![term(a, "x"), term(a, "none")]),
            ),
            (
                SkipUnion(vec![]),
                Box::new(tantivy::query::EmptyQuery) as Box<dyn Query>,
            ),
        ] {
            let got = searcher.search(&union, &DocSetCollector).unwrap();
            let want = searcher.search(&*boolean, &DocSetCollector).unwrap();
            assert_eq!(got, want);
        }
        // Seeking: every 37th DocId on, as a skipping walk asks.
        let weight = SkipUnion(vec![term(a, "x"), term(b, "y")])
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .unwrap();
        let reader = searcher.segment_reader(0);
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        let matches = |d: u32| d.is_multiple_of(3) || d % 1000 < 700;
        let mut target = 0;
        while target < 5000 {
            let want = (target..5000).find(|&d| matches(d)).unwrap_or(TERMINATED);
            assert_eq!(scorer.seek(target), want, "seek {target}");
            target = want.saturating_add(37);
        }
    }
}
