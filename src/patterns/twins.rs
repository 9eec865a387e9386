//! Twin documents: one document in two renderings (a PDF and its
//! Markdown, a report filed twice, pdf and txt). Their recommendations
//! have the same words in the same order; a recurrence needs two
//! documents, so twins count as one.

use petgraph::unionfind::UnionFind;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// A text found in more documents than this is boilerplate ("I am
/// concerned that…"), not evidence of twins.
const MAX_DOCS_PER_TEXT: usize = 50;

/// Texts of fewer words ("Publish the review.") are too common to say
/// two documents are one.
const MIN_WORDS: usize = 5;

#[derive(Debug, Default)]
pub(super) struct TwinFinder {
    /// Normalised text's hash → documents with it (in order, once each).
    texts: HashMap<u64, Vec<u32>>,
    /// Recommendations per document.
    counts: HashMap<u32, u32>,
}

/// What twins are told by: a hash of a text's words (lower case, in
/// order), or `None` for a text too short to tell.
pub(super) fn key(text: &str) -> Option<u64> {
    let mut h = DefaultHasher::new();
    let mut words = 0;
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        w.to_lowercase().hash(&mut h);
        words += 1;
    }
    (words >= MIN_WORDS).then(|| h.finish())
}

impl TwinFinder {
    /// A recommendation of `doc` with its [`key`].
    pub(super) fn add(&mut self, doc: u32, key: Option<u64>) {
        *self.counts.entry(doc).or_default() += 1;
        let Some(key) = key else {
            return;
        };
        let docs = self.texts.entry(key).or_default();
        if docs.last() != Some(&doc) {
            docs.push(doc);
        }
    }

    /// Each document's class (the first document of its twins), for `n`
    /// documents: twins share at least `share` of the recommendations of
    /// each of the two (and at least one).
    pub(super) fn classes(&self, n: usize, share: f32) -> Vec<u32> {
        let mut shared: HashMap<(u32, u32), u32> = HashMap::new();
        for docs in self.texts.values() {
            if docs.len() < 2 || docs.len() > MAX_DOCS_PER_TEXT {
                continue;
            }
            for (i, &a) in docs.iter().enumerate() {
                for &b in &docs[i + 1..] {
                    *shared.entry((a.min(b), a.max(b))).or_default() += 1;
                }
            }
        }
        let mut pairs: Vec<((u32, u32), u32)> = shared.into_iter().collect();
        pairs.sort_unstable();
        let mut uf = UnionFind::<u32>::new(n);
        for ((a, b), k) in pairs {
            let larger = self.counts[&a].max(self.counts[&b]);
            if k as f32 >= share * larger as f32 {
                uf.union(a, b);
            }
        }
        // The smallest member of each class names it.
        let labels = uf.into_labeling();
        let mut first: HashMap<u32, u32> = HashMap::new();
        (0..n as u32)
            .map(|d| *first.entry(labels[d as usize]).or_insert(d))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renderings_of_one_document_are_twins_and_a_shared_sentence_is_not() {
        let mut t = TwinFinder::default();
        for (doc, text) in [
            (0, "Train all staff in DASH."),
            (0, "Review the MARAC referral pathway now."),
            (0, "Publish the review."),
            (1, "train all staff in  DASH"),
            (1, "Review the MARAC referral\npathway now"),
            (1, "Publish the review"),
            (2, "Train all staff in DASH."),
            (2, "Fund refuge places for older survivors."),
            (2, "Audit the records of every case."),
            (3, "Publish the review."),
            (4, "Train all staff in DASH."),
        ] {
            t.add(doc, key(text));
        }
        // 0 and 1 share 2 of 3 (a short text does not count); 2 shares 1
        // of 3 with each; 4 has one text, shared with 0, 1 and 2 but only
        // a third of theirs: no chain through it.
        assert_eq!(t.classes(5, 0.5), vec![0, 0, 2, 3, 4]);
        // At a lower share one shared text of three makes 0, 1 and 2 twins.
        assert_eq!(t.classes(5, 0.3), vec![0, 0, 0, 3, 0]);
    }
}
