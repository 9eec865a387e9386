//! Alike pairs, found by prefix filtering. A pair is alike when the
//! words it shares weigh at least `min_similarity` of a mean of the two
//! texts' weights (never less than the lighter one's) and number at least
//! `min_shared_words`. The lighter of two alike texts must share one of
//! its heaviest words whose weights add up to more than (1 -
//! min_similarity) of its total, so only texts found under those words in
//! an inverted index are compared, and the answer is the same as
//! comparing every pair, except that a text looks under at most its
//! [`CANDIDATE_WORDS`] heaviest words (a pair sharing none of the lighter
//! text's rarest words is not found). A text keeps at most `cap` pairs,
//! its strongest; once it has found that many, a candidate that could at
//! best be weaker than all of them is not compared. What two texts can
//! share is bounded by where the candidate was found: from that word on
//! in both (a word heavier in either would have found it earlier).

use super::cluster::{Edge, disjoint, least_words, strongest_first};
use super::terms::{Item, weight};
use crate::rules::Grouping;
use rayon::prelude::*;

/// A text looks for alike texts under at most this many of its heaviest
/// (rarest) words: two texts that ask the same share one of them. Without
/// a bound, a low `min_similarity` makes the search reach common words,
/// whose texts grow in number with the repository: the cost would grow
/// with its square.
const CANDIDATE_WORDS: usize = 6;

/// Every alike pair, strongest first (ties in item order).
/// Two items pair only when none of their documents (`docs`, ascending
/// classes) are the same; each keeps at most `cap` pairs, its strongest.
pub(super) fn alike_pairs(
    items: &[&Item],
    docs: &[&[u32]],
    weights: &[f32],
    g: &Grouping,
    cap: usize,
) -> Vec<Edge> {
    let search = Search::new(items, docs, weights, g);
    let mut edges: Vec<Edge> = (0..items.len())
        .into_par_iter()
        .filter(|&a| search.eligible(a))
        .map_init(
            || Scratch {
                seen: vec![u32::MAX; items.len()],
                mine: vec![u32::MAX; weights.len()],
            },
            |scratch, a| {
                let mut found = search.pairs_of(a, cap, scratch);
                if found.len() > cap {
                    found.sort_by(strongest_first);
                    found.truncate(cap);
                }
                found
            },
        )
        .flatten_iter()
        .collect();
    edges.par_sort_by(strongest_first);
    edges
}

/// What looking for one text's alike pairs needs: the texts, their
/// weights, and an inverted index of the words of those long enough.
/// Texts are numbered by rank, lightest first (weight, then index): a
/// word's texts are walked in the order they lie in memory.
struct Search<'a> {
    items: &'a [&'a Item],
    weights: &'a [f32],
    /// The item of each rank, and the rank of each item.
    order: Vec<u32>,
    rank: Vec<u32>,
    /// Every text's words, one after another by rank (rank `r`'s are
    /// `words[start[r]..start[r + 1]]`): compared texts are read from one
    /// block of memory, not from allocations all over the heap.
    words: Vec<u32>,
    start: Vec<usize>,
    /// Every text's documents, likewise.
    docs: Vec<u32>,
    docs_start: Vec<usize>,
    /// Each rank's total weight.
    total: Vec<f32>,
    /// Each rank's total to the powers `1 - balance` and `balance`: the
    /// mean of a lighter and a heavier weight that similarity divides by is
    /// lighter^(1 - balance) × heavier^balance, never below the lighter (so
    /// prefix filtering on the lighter text finds every alike pair).
    as_lighter: Vec<f32>,
    as_heavier: Vec<f32>,
    /// Each word's texts (ranks, ascending), and beside each the weight of
    /// that text's words from this one on, heaviest first: all two texts
    /// can share when this word is the heaviest they share.
    postings: Vec<Vec<(u32, f32)>>,
    g: &'a Grouping,
}

/// A thread's marks, reused from text to text: `seen[r] == a` when rank
/// `r` was already looked at for item `a`, `mine[t] == a` when word `t`
/// is one of `a`'s.
struct Scratch {
    seen: Vec<u32>,
    mine: Vec<u32>,
}

impl<'a> Search<'a> {
    fn new(
        items: &'a [&'a Item],
        docs_of: &[&[u32]],
        weights: &'a [f32],
        g: &'a Grouping,
    ) -> Search<'a> {
        let weight_of: Vec<f32> = items.iter().map(|i| weight(&i.terms, weights)).collect();
        let mut order: Vec<u32> = (0..items.len() as u32).collect();
        order.sort_by(|&a, &b| {
            weight_of[a as usize]
                .total_cmp(&weight_of[b as usize])
                .then(a.cmp(&b))
        });
        let mut rank = vec![0u32; items.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        let total: Vec<f32> = order.iter().map(|&i| weight_of[i as usize]).collect();
        let mut start = Vec::with_capacity(items.len() + 1);
        let mut words = Vec::new();
        let (mut docs, mut docs_start) = (Vec::new(), Vec::with_capacity(items.len() + 1));
        let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); weights.len()];
        let least = least_words(g);
        for (r, &i) in order.iter().enumerate() {
            let terms = &items[i as usize].terms;
            start.push(words.len());
            words.extend_from_slice(terms);
            docs_start.push(docs.len());
            docs.extend_from_slice(docs_of[i as usize]);
            if terms.len() >= least {
                let by_weight = heaviest_first(terms, weights);
                for (&t, &tail) in by_weight.iter().zip(&tails(&by_weight, weights)) {
                    postings[t as usize].push((r as u32, tail));
                }
            }
        }
        start.push(words.len());
        docs_start.push(docs.len());
        Search {
            items,
            weights,
            as_lighter: total.iter().map(|t| t.powf(1.0 - g.balance)).collect(),
            as_heavier: total.iter().map(|t| t.powf(g.balance)).collect(),
            order,
            rank,
            words,
            start,
            docs,
            docs_start,
            total,
            postings,
            g,
        }
    }

    /// Rank `r`'s documents.
    fn docs_of(&self, r: usize) -> &[u32] {
        &self.docs[self.docs_start[r]..self.docs_start[r + 1]]
    }

    fn eligible(&self, a: usize) -> bool {
        self.items[a].terms.len() >= least_words(self.g)
    }

    /// The alike pairs of `a` with the heavier texts, found under its
    /// heaviest words (prefix filtering), at least its `cap` strongest.
    /// The lighter texts of a word are skipped by a binary search, and the
    /// walk stops at the first text too heavy for what they can still
    /// share to be enough: enough is `min_similarity`, or once `cap` pairs
    /// are found, as strong as the weakest of the `cap` strongest (a
    /// weaker one would not be kept). Whether the two may pair at all
    /// (no document in common) is asked last.
    fn pairs_of(&self, a: usize, cap: usize, scratch: &mut Scratch) -> Vec<Edge> {
        let (weights, g) = (self.weights, self.g);
        let terms = &self.items[a].terms;
        for &t in terms {
            scratch.mine[t as usize] = a as u32;
        }
        let ra = self.rank[a] as usize;
        let (total, lighter) = (self.total[ra], self.as_lighter[ra]);
        let reach = (1.0 - g.min_similarity) * total;
        let mut strongest = Strongest::new(cap, g.min_similarity);
        let mut found = Vec::new();
        let by_weight = heaviest_first(terms, weights);
        let lefts = tails(&by_weight, weights);
        let mut sum = 0.0;
        for (p, t) in by_weight.into_iter().take(CANDIDATE_WORDS).enumerate() {
            // A text first met under `a`'s `p`th heaviest word has none of
            // the heavier ones (it would have been met under them, or was
            // too heavy to pair): they share at most `a`'s words from here
            // on, in number and in weight (with a margin for the rounding
            // of sums taken in another order).
            if terms.len() - p < g.min_shared_words {
                break;
            }
            let left = (lefts[p] * (1.0 + 1e-4)).min(total);
            let posting = &self.postings[t as usize];
            let heavier = posting.partition_point(|&(r, _)| r as usize <= ra);
            for &(rb, tail) in &posting[heavier..] {
                let rb = rb as usize;
                // The mean similarity divides by (see `as_lighter`).
                let mean = (lighter * self.as_heavier[rb]).max(total);
                // The texts further on are heavier still.
                if strongest.too_weak(left / mean) {
                    break;
                }
                if scratch.seen[rb] == a as u32 {
                    continue;
                }
                scratch.seen[rb] = a as u32;
                // Nor can they share `b`'s words heavier than this one
                // (they would be `a`'s heavier words).
                if strongest.too_weak(tail * (1.0 + 1e-4) / mean) {
                    continue;
                }
                let words = &self.words[self.start[rb]..self.start[rb + 1]];
                let (count, common) = overlap(a as u32, words, &scratch.mine, weights);
                let similarity = common / mean;
                let b = self.order[rb] as usize;
                if count >= g.min_shared_words
                    && similarity >= g.min_similarity
                    && disjoint(self.docs_of(ra), self.docs_of(rb))
                {
                    strongest.push(similarity);
                    found.push(Edge {
                        a: a.min(b) as u32,
                        b: a.max(b) as u32,
                        similarity,
                    });
                }
            }
            sum += weights[t as usize];
            if sum > reach {
                break;
            }
        }
        found
    }
}

/// The similarities of the `cap` strongest pairs found so far: a pair
/// that could be at most as strong as the weakest of them is not worth
/// comparing (`found` is cut to `cap`, strongest first).
struct Strongest {
    cap: usize,
    threshold: f32,
    /// The weakest first (positive floats order as their bits).
    heap: std::collections::BinaryHeap<std::cmp::Reverse<u32>>,
}

impl Strongest {
    fn new(cap: usize, threshold: f32) -> Strongest {
        Strongest {
            cap,
            threshold,
            heap: std::collections::BinaryHeap::new(),
        }
    }

    fn push(&mut self, similarity: f32) {
        if self.cap == 0 {
            return;
        }
        self.heap.push(std::cmp::Reverse(similarity.to_bits()));
        if self.heap.len() > self.cap {
            self.heap.pop();
        }
    }

    /// A pair whose similarity is at most `bound` cannot be alike, or
    /// could only be weaker than the `cap` strongest found (a pair as
    /// strong as the weakest of them may still be kept on a tie).
    fn too_weak(&self, bound: f32) -> bool {
        if bound < self.threshold {
            return true;
        }
        match self.heap.peek() {
            Some(&std::cmp::Reverse(weakest)) if self.heap.len() == self.cap => {
                bound < f32::from_bits(weakest)
            }
            _ => false,
        }
    }
}

/// Words, heaviest first (ties by word).
fn heaviest_first(terms: &[u32], weights: &[f32]) -> Vec<u32> {
    let mut by_weight = terms.to_vec();
    by_weight.sort_by(|x, y| {
        weights[*y as usize]
            .total_cmp(&weights[*x as usize])
            .then(x.cmp(y))
    });
    by_weight
}

/// For each of the words `by_weight` (heaviest first), the weight of it
/// and the lighter ones: summed from the lightest up, so that the rounding
/// is in proportion to each sum, not to the whole (a light word of a heavy
/// text is not rounded away).
fn tails(by_weight: &[u32], weights: &[f32]) -> Vec<f32> {
    let mut tails = vec![0.0f32; by_weight.len()];
    let mut tail = 0.0f32;
    for (k, &t) in by_weight.iter().enumerate().rev() {
        tail += weights[t as usize];
        tails[k] = tail;
    }
    tails
}

/// How many of the sorted words `b` are text `a`'s (`mine[t] == a`) and
/// their total weight, summed in order (the same number as
/// `weight(&shared(..), weights)`).
fn overlap(a: u32, b: &[u32], mine: &[u32], weights: &[f32]) -> (usize, f32) {
    let (mut count, mut sum) = (0, 0.0f32);
    for &t in b {
        if mine[t as usize] == a {
            count += 1;
            sum += weights[t as usize];
        }
    }
    (count, sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::cluster::tests::{item, settings};
    use crate::patterns::terms::shared;

    /// Every pair compared, each lighter text (weight, then index)
    /// keeping its `cap` strongest pairs with heavier ones: what prefix
    /// filtering must find exactly.
    fn all_pairs(
        items: &[Item],
        w: &[f32],
        class: &[u32],
        g: &Grouping,
        cap: usize,
    ) -> Vec<(u32, u32)> {
        let total = |i: usize| weight(&items[i].terms, w);
        let lighter = |a: usize, b: usize| total(a).total_cmp(&total(b)).then(a.cmp(&b)).is_lt();
        let mut out = Vec::new();
        for a in 0..items.len() {
            let mut mine = Vec::new();
            for b in 0..items.len() {
                if b == a || !lighter(a, b) {
                    continue;
                }
                if class[items[a].doc as usize] == class[items[b].doc as usize] {
                    continue;
                }
                let (x, y) = (total(a), total(b));
                let mean = (x.powf(1.0 - g.balance) * y.powf(g.balance)).max(x);
                let both = shared(&items[a].terms, &items[b].terms);
                let common = weight(&both, w);
                if common / mean >= g.min_similarity && both.len() >= g.min_shared_words {
                    mine.push(Edge {
                        a: a.min(b) as u32,
                        b: a.max(b) as u32,
                        similarity: common / mean,
                    });
                }
            }
            mine.sort_by(strongest_first);
            out.extend(mine.iter().take(cap).map(|e| (e.a, e.b)));
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn prefix_filtering_finds_what_comparing_every_pair_finds() {
        // A small deterministic pseudo-random corpus of term sets.
        let mut seed = 7u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        let weights: Vec<f32> = (0..30).map(|i| 0.5 + (i % 7) as f32).collect();
        // At most CANDIDATE_WORDS words each: every word may find candidates.
        let items: Vec<Item> = (0..120)
            .map(|i| {
                let mut t: Vec<u32> = (0..1 + next(CANDIDATE_WORDS as u64))
                    .map(|_| next(30) as u32)
                    .collect();
                t.sort_unstable();
                t.dedup();
                item(i % 40, &t)
            })
            .collect();
        let class: Vec<u32> = (0..40).map(|d| if d == 1 { 0 } else { d }).collect();
        for (t, balance, min_shared_words) in [0.3, 0.5, 0.8, 1.0]
            .into_iter()
            .flat_map(|t| [(t, 0.0), (t, 0.25), (t, 0.5)])
            .flat_map(|(t, b)| [(t, b, 1), (t, b, 2), (t, b, 3)])
        {
            let g = Grouping {
                balance,
                min_shared_words,
                ..settings(t)
            };
            let refs: Vec<&Item> = items.iter().collect();
            let docs: Vec<[u32; 1]> = items.iter().map(|i| [class[i.doc as usize]]).collect();
            let docs: Vec<&[u32]> = docs.iter().map(|d| d.as_slice()).collect();
            for cap in [usize::MAX, 3, 1] {
                let mut found: Vec<(u32, u32)> = alike_pairs(&refs, &docs, &weights, &g, cap)
                    .iter()
                    .map(|e| (e.a, e.b))
                    .collect();
                found.sort_unstable();
                assert_eq!(
                    found,
                    all_pairs(&items, &weights, &class, &g, cap),
                    "min_similarity {t}, balance {balance}, min_shared_words {min_shared_words}, cap {cap}"
                );
            }
        }
    }

    #[test]
    fn a_light_word_of_a_heavy_text_is_not_rounded_away() {
        // b's sixty heavy words sum to 600, and 600 + 2e-5 rounds to 600:
        // what b can share from its lightest word on must still be 2e-5.
        let mut weights = vec![10.0f32; 60];
        weights.push(2e-5);
        let b = item(1, &(0..=60).collect::<Vec<u32>>());
        let a = item(0, &[60]);
        let g = Grouping {
            min_similarity: 1.0,
            ..settings(1.0)
        };
        let found = alike_pairs(&[&a, &b], &[&[0], &[1]], &weights, &g, 64);
        assert_eq!(found.len(), 1, "a's one word is all of b's it shares");
        assert_eq!(found[0].similarity, 1.0);
    }
}
