//! Alike pairs and groups. A pair is alike when the words it shares weigh
//! at least `min_similarity` of a mean of the two texts' weights (never
//! less than the lighter one's) and number at least `min_shared_words`. Pairs are found by prefix filtering: the
//! lighter of two alike texts must share one of its heaviest words whose
//! weights add up to more than (1 - min_similarity) of its total, so only
//! texts found under those words in an inverted index are compared, and
//! the answer is the same as comparing every pair, except that a text
//! looks under at most its six heaviest words (a pair sharing none of the
//! lighter text's six rarest words is not found). Texts with the same
//! words (addressees left out) from different documents are alike by
//! definition: they are bundled first, one text per document, and only a
//! bundle's first text is compared with others, so a recommendation made
//! in thousands of documents costs one comparison, not millions. A text
//! keeps at most its [`LINKS_PER_TEXT`] strongest pairs. Groups are built
//! by complete linkage, strongest pairs first; each member is explained by
//! its strongest link inside its group.

use super::terms::{Item, weight};
use crate::rules::Grouping;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// A text looks for alike texts under at most this many of its heaviest
/// (rarest) words: two texts that ask the same share one of them. Without
/// a bound, a low `min_similarity` makes the search reach common words,
/// whose texts grow in number with the repository: the cost would grow
/// with its square.
const CANDIDATE_WORDS: usize = 6;

/// A text keeps at most this many alike pairs (its strongest): with
/// complete linkage, a group of texts that are not all the same words
/// has at most this many + 1 of them, and memory and time stay in
/// proportion to the number of texts.
const LINKS_PER_TEXT: usize = 64;

/// One alike pair (item indices, `a < b`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Edge {
    pub(super) a: u32,
    pub(super) b: u32,
    pub(super) similarity: f32,
}

/// A group: its members (item indices, ascending) and the alike pairs
/// among them (every pair: the linkage is complete).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Group {
    pub(super) members: Vec<u32>,
    pub(super) links: Vec<Edge>,
}

/// Group `items`: `class[doc]` names each document's twins.
pub(super) fn group(items: &[Item], weights: &[f32], class: &[u32], g: &Grouping) -> Vec<Group> {
    let t = std::time::Instant::now();
    let bundles = bundles(items, class, g);
    tracing::debug!(
        "grouping: {} bundles of {} texts in {:.2}s",
        bundles.len(),
        items.len(),
        t.elapsed().as_secs_f64()
    );
    let heads: Vec<&Item> = bundles
        .iter()
        .map(|b| &items[b.items[0] as usize])
        .collect();
    let apart = |a: usize, b: usize| disjoint(&bundles[a].docs, &bundles[b].docs);
    let t = std::time::Instant::now();
    let edges = alike_pairs(&heads, weights, &apart, g, LINKS_PER_TEXT);
    tracing::debug!(
        "grouping: {} pairs in {:.2}s",
        edges.len(),
        t.elapsed().as_secs_f64()
    );
    let t = std::time::Instant::now();
    let groups = link(&bundles, &edges);
    tracing::debug!("grouping: linked in {:.2}s", t.elapsed().as_secs_f64());
    groups
}

/// Texts with the same words from different documents (one per document).
#[derive(Debug)]
struct Bundle {
    /// Item indices, ascending.
    items: Vec<u32>,
    /// Their documents' classes, ascending.
    docs: Vec<u32>,
}

/// The bundles of the items long enough to be compared, in the order of
/// their first items: an item joins the first bundle of its words without
/// its document.
fn bundles(items: &[Item], class: &[u32], g: &Grouping) -> Vec<Bundle> {
    let mut out: Vec<Bundle> = Vec::new();
    let mut docs: Vec<HashSet<u32>> = Vec::new();
    let mut by_words: HashMap<&[u32], Vec<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if item.terms.len() < least_words(g) {
            continue;
        }
        let c = class[item.doc as usize];
        let list = by_words.entry(&item.terms).or_default();
        match list.iter().find(|&&b| !docs[b].contains(&c)) {
            Some(&b) => {
                out[b].items.push(i as u32);
                docs[b].insert(c);
            }
            None => {
                list.push(out.len());
                out.push(Bundle {
                    items: vec![i as u32],
                    docs: Vec::new(),
                });
                docs.push(HashSet::from([c]));
            }
        }
    }
    for (b, d) in out.iter_mut().zip(docs) {
        b.docs = d.into_iter().collect();
        b.docs.sort_unstable();
    }
    out
}

/// The fewest words a text must have to be compared at all: `min_words`,
/// and enough to share `min_shared_words` (identical texts are bundled
/// without comparing them, so this is checked for them here).
fn least_words(g: &Grouping) -> usize {
    g.min_words.max(g.min_shared_words).max(1)
}

/// No value in both (ascending) lists.
fn disjoint(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return false,
        }
    }
    true
}

/// Every alike pair, strongest first (ties in item order).
/// `apart(a, b)` says whether two items may pair (not of one document);
/// each keeps at most `cap` pairs, its strongest.
pub(super) fn alike_pairs(
    items: &[&Item],
    weights: &[f32],
    apart: &(dyn Fn(usize, usize) -> bool + Sync),
    g: &Grouping,
    cap: usize,
) -> Vec<Edge> {
    let search = Search::new(items, weights, g);
    let mut edges: Vec<Edge> = (0..items.len())
        .into_par_iter()
        .filter(|&a| search.eligible(a))
        .map_init(
            || Scratch {
                seen: vec![u32::MAX; items.len()],
                mine: vec![u32::MAX; weights.len()],
            },
            |scratch, a| {
                let mut found = search.pairs_of(a, apart, scratch);
                if found.len() > cap {
                    found.sort_by(strongest_first);
                    found.truncate(cap);
                }
                found
            },
        )
        .flatten_iter()
        .collect();
    edges.sort_by(strongest_first);
    edges
}

/// What looking for one text's alike pairs needs: the texts, their
/// weights, and an inverted index of the words of those long enough, each
/// word's texts lightest first.
struct Search<'a> {
    items: &'a [&'a Item],
    weights: &'a [f32],
    /// Every text's words, one after another (text `a`'s are
    /// `words[start[a]..start[a + 1]]`): compared texts are read from one
    /// block of memory, not from allocations all over the heap.
    words: Vec<u32>,
    start: Vec<usize>,
    total: Vec<f32>,
    /// Each text's total to the powers `1 - balance` and `balance`: the
    /// mean of a lighter and a heavier weight that similarity divides by is
    /// lighter^(1 - balance) × heavier^balance, never below the lighter (so
    /// prefix filtering on the lighter text finds every alike pair).
    as_lighter: Vec<f32>,
    as_heavier: Vec<f32>,
    /// Each text's place in the order lightest first (weight, index).
    rank: Vec<u32>,
    postings: Vec<Vec<u32>>,
    g: &'a Grouping,
}

/// A thread's marks, reused from text to text: `seen[b] == a` when text
/// `b` was already looked at for `a`, `mine[t] == a` when word `t` is one
/// of `a`'s.
struct Scratch {
    seen: Vec<u32>,
    mine: Vec<u32>,
}

impl<'a> Search<'a> {
    fn new(items: &'a [&'a Item], weights: &'a [f32], g: &'a Grouping) -> Search<'a> {
        let total: Vec<f32> = items.iter().map(|i| weight(&i.terms, weights)).collect();
        let mut start = Vec::with_capacity(items.len() + 1);
        let mut words = Vec::new();
        for item in items {
            start.push(words.len());
            words.extend_from_slice(&item.terms);
        }
        start.push(words.len());
        let as_lighter = total.iter().map(|t| t.powf(1.0 - g.balance)).collect();
        let as_heavier = total.iter().map(|t| t.powf(g.balance)).collect();
        let mut order: Vec<u32> = (0..items.len() as u32).collect();
        order.sort_by(|&a, &b| {
            total[a as usize]
                .total_cmp(&total[b as usize])
                .then(a.cmp(&b))
        });
        let mut rank = vec![0u32; items.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        let mut postings: Vec<Vec<u32>> = vec![Vec::new(); weights.len()];
        let least = least_words(g);
        for &a in &order {
            let item = items[a as usize];
            if item.terms.len() >= least {
                for &t in &item.terms {
                    postings[t as usize].push(a);
                }
            }
        }
        Search {
            items,
            weights,
            words,
            start,
            total,
            as_lighter,
            as_heavier,
            rank,
            postings,
            g,
        }
    }

    fn eligible(&self, a: usize) -> bool {
        self.items[a].terms.len() >= least_words(self.g)
    }

    /// The alike pairs of `a` with the heavier texts, found under its
    /// heaviest words (prefix filtering). Each word's texts are lightest
    /// first: the lighter ones are skipped by a binary search, and the
    /// walk stops at the first text too heavy for any overlap to be
    /// enough (the lighter's whole weight over the mean). Whether the two
    /// may pair at all (`apart`, which compares their documents) is asked
    /// last.
    fn pairs_of(
        &self,
        a: usize,
        apart: &(dyn Fn(usize, usize) -> bool + Sync),
        scratch: &mut Scratch,
    ) -> Vec<Edge> {
        let (weights, g) = (self.weights, self.g);
        let item = self.items[a];
        for &t in &item.terms {
            scratch.mine[t as usize] = a as u32;
        }
        let mut by_weight = item.terms.clone();
        by_weight.sort_by(|x, y| {
            weights[*y as usize]
                .total_cmp(&weights[*x as usize])
                .then(x.cmp(y))
        });
        let threshold = g.min_similarity;
        let reach = (1.0 - threshold) * self.total[a];
        let rank = self.rank[a];
        let mut found = Vec::new();
        let mut sum = 0.0;
        for t in by_weight.into_iter().take(CANDIDATE_WORDS) {
            let posting = &self.postings[t as usize];
            let heavier = posting.partition_point(|&b| self.rank[b as usize] <= rank);
            for &b in &posting[heavier..] {
                let b = b as usize;
                // The mean similarity divides by (see `as_lighter`).
                let mean = (self.as_lighter[a] * self.as_heavier[b]).max(self.total[a]);
                // What they share weighs at most the lighter's total, and
                // the texts further on are heavier still.
                if self.total[a] / mean < threshold {
                    break;
                }
                if scratch.seen[b] == a as u32 {
                    continue;
                }
                scratch.seen[b] = a as u32;
                let words = &self.words[self.start[b]..self.start[b + 1]];
                let (count, common) = overlap(a as u32, words, &scratch.mine, weights);
                let similarity = common / mean;
                if count >= g.min_shared_words && similarity >= threshold && apart(a, b) {
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

/// Strongest first, ties in item order.
fn strongest_first(x: &Edge, y: &Edge) -> std::cmp::Ordering {
    y.similarity
        .total_cmp(&x.similarity)
        .then(x.a.cmp(&y.a))
        .then(x.b.cmp(&y.b))
}

/// Complete linkage over bundles: each pair, strongest first, joins its
/// two groups when every pair across them is alike and no document (twins
/// counted as one) would be in the joined group twice. A group is every
/// item of its bundles (at least two), in the order of its first item;
/// its links explain each member by its strongest link inside the group
/// (a bundle's texts by the same words as its first).
fn link(bundles: &[Bundle], edges: &[Edge]) -> Vec<Group> {
    let alike: rustc_hash::FxHashSet<(u32, u32)> = edges.iter().map(|e| (e.a, e.b)).collect();
    let is_alike = |x: u32, y: u32| alike.contains(&(x.min(y), x.max(y)));
    let mut of: Vec<u32> = (0..bundles.len() as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..bundles.len() as u32).map(|i| vec![i]).collect();
    let mut docs: Vec<Vec<u32>> = bundles.iter().map(|b| b.docs.clone()).collect();
    for e in edges {
        let (ga, gb) = (of[e.a as usize] as usize, of[e.b as usize] as usize);
        if ga == gb || !disjoint(&docs[ga], &docs[gb]) {
            continue;
        }
        let (ma, mb) = (&members[ga], &members[gb]);
        if !ma.iter().all(|&x| mb.iter().all(|&y| is_alike(x, y))) {
            continue;
        }
        let moved = std::mem::take(&mut members[gb]);
        for &m in &moved {
            of[m as usize] = ga as u32;
        }
        members[ga].extend(moved);
        let mut joined = std::mem::take(&mut docs[gb]);
        joined.extend_from_slice(&docs[ga]);
        joined.sort_unstable();
        docs[ga] = joined;
    }
    // Each group's candidate links, strongest first: within a bundle (the
    // same words), then the pairs of bundles.
    let mut inside: Vec<Vec<Edge>> = vec![Vec::new(); bundles.len()];
    for (b, bundle) in bundles.iter().enumerate() {
        let head = bundle.items[0];
        inside[of[b] as usize].extend(bundle.items[1..].iter().map(|&m| Edge {
            a: head.min(m),
            b: head.max(m),
            similarity: 1.0,
        }));
    }
    for e in edges {
        let g = of[e.a as usize];
        if g == of[e.b as usize] {
            let (a, b) = (
                bundles[e.a as usize].items[0],
                bundles[e.b as usize].items[0],
            );
            inside[g as usize].push(Edge {
                a: a.min(b),
                b: a.max(b),
                similarity: e.similarity,
            });
        }
    }
    let mut groups: Vec<Group> = Vec::new();
    for (g, bs) in members.iter().enumerate() {
        let mut items: Vec<u32> = bs
            .iter()
            .flat_map(|&b| bundles[b as usize].items.iter().copied())
            .collect();
        if items.len() < 2 {
            continue;
        }
        items.sort_unstable();
        let mut candidates = std::mem::take(&mut inside[g]);
        candidates.sort_by(strongest_first);
        let mut explained: HashSet<u32> = HashSet::new();
        let links = candidates
            .into_iter()
            .filter(|e| {
                let new = !explained.contains(&e.a) || !explained.contains(&e.b);
                explained.insert(e.a);
                explained.insert(e.b);
                new
            })
            .collect();
        groups.push(Group {
            members: items,
            links,
        });
    }
    groups.sort_by_key(|g| g.members[0]);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::terms::shared;

    fn settings(min_similarity: f32) -> Grouping {
        Grouping {
            min_similarity,
            balance: 0.0,
            min_shared_words: 1,
            min_words: 1,
            twin_share: 0.5,
            ignore: vec![],
            keep: vec![],
        }
    }

    fn item(doc: u32, terms: &[u32]) -> Item {
        Item {
            id: format!("r{doc}-{terms:?}"),
            doc,
            terms: terms.to_vec(),
        }
    }

    /// Every pair compared: what prefix filtering must find exactly.
    fn all_pairs(items: &[Item], w: &[f32], class: &[u32], g: &Grouping) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for a in 0..items.len() {
            for b in a + 1..items.len() {
                if class[items[a].doc as usize] == class[items[b].doc as usize] {
                    continue;
                }
                let (x, y) = (weight(&items[a].terms, w), weight(&items[b].terms, w));
                let (lighter, heavier) = (x.min(y), x.max(y));
                let mean = (lighter.powf(1.0 - g.balance) * heavier.powf(g.balance)).max(lighter);
                let common = weight(&shared(&items[a].terms, &items[b].terms), w);
                if common / mean >= g.min_similarity {
                    out.push((a as u32, b as u32));
                }
            }
        }
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
        for (t, balance) in [0.3, 0.5, 0.8, 1.0]
            .into_iter()
            .flat_map(|t| [(t, 0.0), (t, 0.25), (t, 0.5)])
        {
            let g = Grouping {
                balance,
                ..settings(t)
            };
            let refs: Vec<&Item> = items.iter().collect();
            let apart =
                |a: usize, b: usize| class[items[a].doc as usize] != class[items[b].doc as usize];
            let mut found: Vec<(u32, u32)> = alike_pairs(&refs, &weights, &apart, &g, usize::MAX)
                .iter()
                .map(|e| (e.a, e.b))
                .collect();
            found.sort_unstable();
            assert_eq!(
                found,
                all_pairs(&items, &weights, &class, &g),
                "min_similarity {t}, balance {balance}"
            );
        }
    }

    #[test]
    fn groups_are_complete_and_never_chain_or_repeat_a_document() {
        let w = vec![1.0; 10];
        // a~b share {1,2}, b~c share {3,4}, a and c share nothing: no chain.
        let items = vec![
            item(0, &[1, 2]),
            item(1, &[1, 2, 3, 4]),
            item(2, &[3, 4]),
            item(3, &[1, 2]),
            item(3, &[1, 2, 9]),
        ];
        let groups = group(&items, &w, &[0, 1, 2, 3], &settings(1.0));
        let members: Vec<Vec<u32>> = groups.iter().map(|g| g.members.clone()).collect();
        // 0, 1 and 3 are alike in every pair; 4 is alike too but its
        // document (3) is already in the group; 2 is alike only to 1.
        assert_eq!(members, vec![vec![0, 1, 3]]);
        assert_eq!(
            groups[0].links.len(),
            2,
            "each member explained by its strongest link"
        );
    }

    #[test]
    fn identical_texts_too_short_to_share_enough_words_are_not_grouped() {
        let g = Grouping {
            min_shared_words: 2,
            ..settings(0.5)
        };
        let items = vec![
            item(0, &[7]),
            item(1, &[7]),
            item(2, &[7, 8]),
            item(3, &[7, 8]),
        ];
        let groups = group(&items, &[1.0; 9], &[0, 1, 2, 3], &g);
        let members: Vec<Vec<u32>> = groups.iter().map(|g| g.members.clone()).collect();
        assert_eq!(members, vec![vec![2, 3]]);
    }
}
