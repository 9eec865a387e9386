//! Which document each `DocId` of a segment belongs to. The per-`DocId`
//! table (one value per passage) answers it for any `DocId`; a walk over
//! matches in `DocId` order reads two short tables instead, moving
//! forward through them ([`SegmentRuns`]: each document's passages lie
//! together, so a segment is a few runs per document; [`SegmentRows`]:
//! the document rows, with their field norms). At 20,000 documents the
//! per-`DocId` table is 40 MB, and reading it costs a cache miss per
//! matching document; the short tables fit the processor's cache.

use super::*;

/// A value of the per-`DocId` table for no document.
pub(super) const NO_ORD: u32 = u32::MAX;

/// Marks a document row's value in the per-`DocId` table.
pub(super) const DOCUMENT_ROW: u32 = 1 << 31;

/// What a value of the per-`DocId` table stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Row {
    /// A passage of document `doc_ord`.
    Passage(u32),
    /// The document row of document `doc_ord`.
    Document(u32),
    /// Neither (deleted, or a document row without passages).
    None,
}

/// Decode a value of the per-`DocId` table.
pub(super) fn row(v: u32) -> Row {
    if v == NO_ORD {
        Row::None
    } else if v & DOCUMENT_ROW != 0 {
        Row::Document(v & !DOCUMENT_ROW)
    } else {
        Row::Passage(v)
    }
}

/// The first index from `at` on whose `DocId` is not `before` (the
/// `DocId`s ascend): a gallop forward, then a binary search, so walking a
/// table from start to end costs in proportion to the steps taken.
fn forward(docs: &[DocId], at: usize, before: impl Fn(DocId) -> bool) -> usize {
    let rest = &docs[at..];
    let mut step = 1;
    while step < rest.len() && before(rest[step - 1]) {
        step *= 2;
    }
    at + rest[..step.min(rest.len())].partition_point(|&d| before(d))
}

/// The runs of equal values of a segment's per-`DocId` table: where each
/// starts, and its value.
#[derive(Debug, Default, Clone)]
pub(super) struct SegmentRuns {
    starts: Vec<DocId>,
    values: Vec<u32>,
}

impl SegmentRuns {
    /// The runs of a segment's per-`DocId` table.
    pub(super) fn new(per_doc: &[u32]) -> SegmentRuns {
        let mut runs = SegmentRuns::default();
        for (doc, &v) in per_doc.iter().enumerate() {
            if runs.values.last() != Some(&v) {
                runs.starts.push(doc as DocId);
                runs.values.push(v);
            }
        }
        runs
    }

    /// A cursor at the first run.
    pub(super) fn cursor(&self) -> RunCursor<'_> {
        RunCursor { runs: self, at: 0 }
    }
}

/// A position in a [`SegmentRuns`], moved forward only.
pub(super) struct RunCursor<'a> {
    runs: &'a SegmentRuns,
    at: usize,
}

impl RunCursor<'_> {
    /// What `doc` (not before the last one asked for) is, and where the
    /// next run starts (`None` after the last).
    pub(super) fn seek(&mut self, doc: DocId) -> (Row, Option<DocId>) {
        let next = forward(&self.runs.starts, self.at, |d| d <= doc);
        let Some(run) = next.checked_sub(1) else {
            return (Row::None, self.runs.starts.first().copied());
        };
        self.at = run;
        (
            row(self.runs.values[run]),
            self.runs.starts.get(next).copied(),
        )
    }
}

/// The document rows of one segment, `DocId` ascending, each with its
/// `doc_ord` and its field norms.
#[derive(Debug, Default, Clone)]
pub(super) struct SegmentRows {
    docs: Vec<DocId>,
    ords: Vec<u32>,
    /// Field norm ids of [`fields::DOC_WORDS`] and [`fields::DOC_TITLE`].
    norms: [Vec<u8>; 2],
}

impl SegmentRows {
    /// The rows `(DocId, doc_ord)` of `seg`, in any order.
    pub(super) fn new(
        seg: &tantivy::SegmentReader,
        f: &Fields,
        mut rows: Vec<(DocId, u32)>,
    ) -> tantivy::Result<SegmentRows> {
        rows.sort_unstable();
        let mut norms = [Vec::new(), Vec::new()];
        for (n, field) in norms.iter_mut().zip([f.doc_words, f.doc_title]) {
            let reader = seg.get_fieldnorms_reader(field)?;
            *n = rows.iter().map(|&(d, _)| reader.fieldnorm_id(d)).collect();
        }
        Ok(SegmentRows {
            docs: rows.iter().map(|r| r.0).collect(),
            ords: rows.iter().map(|r| r.1).collect(),
            norms,
        })
    }

    /// A cursor at the first row.
    pub(super) fn cursor(&self) -> RowCursor<'_> {
        RowCursor { rows: self, at: 0 }
    }
}

/// A position in a [`SegmentRows`], moved forward only.
pub(super) struct RowCursor<'a> {
    rows: &'a SegmentRows,
    at: usize,
}

impl RowCursor<'_> {
    /// The index of the row of `doc` (not before the last one asked for),
    /// if `doc` is a document row.
    pub(super) fn seek(&mut self, doc: DocId) -> Option<usize> {
        self.at = forward(&self.rows.docs, self.at, |d| d < doc);
        (self.rows.docs.get(self.at) == Some(&doc)).then_some(self.at)
    }

    /// The `doc_ord` of row `i`.
    pub(super) fn ord(&self, i: usize) -> u32 {
        self.rows.ords[i]
    }

    /// The field norm id of row `i` in field `k` (0: words, 1: title).
    pub(super) fn norm(&self, k: usize, i: usize) -> u8 {
        self.rows.norms[k][i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_the_docid_table_decode_to_what_they_stand_for() {
        assert_eq!(row(7), Row::Passage(7));
        assert_eq!(row(DOCUMENT_ROW | 7), Row::Document(7));
        assert_eq!(row(NO_ORD), Row::None);
    }

    #[test]
    fn a_run_cursor_says_what_the_docid_table_says() {
        let table = [3, 3, 3, DOCUMENT_ROW | 3, NO_ORD, 5, 5, DOCUMENT_ROW | 5, 7];
        let runs = SegmentRuns::new(&table);
        // Every increasing sequence of DocIds, by steps of 1 to 3.
        for step in 1..=3 {
            let mut cursor = runs.cursor();
            for doc in (0..table.len()).step_by(step) {
                let (what, next) = cursor.seek(doc as DocId);
                assert_eq!(what, row(table[doc]), "doc {doc}");
                let expected = (doc + 1..table.len())
                    .find(|&d| table[d] != table[doc])
                    .map(|d| d as DocId);
                assert_eq!(next, expected, "next run after doc {doc}");
            }
        }
        assert_eq!(SegmentRuns::new(&[]).cursor().seek(0), (Row::None, None));
    }

    #[test]
    fn forward_finds_the_first_docid_not_before() {
        let docs: Vec<DocId> = (0..100).map(|d| d * 3).collect();
        for at in [0, 1, 50, 99, 100] {
            for doc in 0..310 {
                let want = (at..docs.len())
                    .find(|&i| docs[i] >= doc)
                    .unwrap_or(docs.len());
                assert_eq!(forward(&docs, at, |d| d < doc), want, "at {at}, doc {doc}");
            }
        }
    }
}
