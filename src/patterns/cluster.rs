//! Alike pairs and groups. A pair is alike when the words it shares weigh
//! at least `min_similarity` of a mean of the two texts' weights (never
//! less than the lighter one's) and number at least `min_shared_words`. Pairs are found by prefix filtering: the
//! lighter of two alike texts must share one of its heaviest words whose
//! weights add up to more than (1 - min_similarity) of its total, so only
//! texts found under those words in an inverted index are compared, and
//! the answer is the same as comparing every pair, except that a text
//! looks under at most its six heaviest words (a pair sharing none of the
//! lighter text's six rarest words is not found). Groups are built by
//! complete linkage, strongest pairs first.

use super::terms::{Item, shared, weight};
use crate::rules::Grouping;
use rayon::prelude::*;
use std::collections::HashSet;

/// A text looks for alike texts under at most this many of its heaviest
/// (rarest) words: two texts that ask the same share one of them. Without
/// a bound, a low `min_similarity` makes the search reach common words,
/// whose texts grow in number with the repository: the cost would grow
/// with its square.
const CANDIDATE_WORDS: usize = 6;

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
    let edges = alike_pairs(items, weights, class, g);
    link(items, class, &edges)
}

/// Every alike pair, strongest first (ties in item order).
pub(super) fn alike_pairs(
    items: &[Item],
    weights: &[f32],
    class: &[u32],
    g: &Grouping,
) -> Vec<Edge> {
    let total: Vec<f32> = items.iter().map(|i| weight(&i.terms, weights)).collect();
    let eligible = |i: usize| items[i].terms.len() >= g.min_words.max(1);
    let mut postings: Vec<Vec<u32>> = vec![Vec::new(); weights.len()];
    for (i, item) in items.iter().enumerate().filter(|(i, _)| eligible(*i)) {
        for &t in &item.terms {
            postings[t as usize].push(i as u32);
        }
    }

    // The lighter of a pair looks for the heavier: (weight, index) orders.
    let lighter = |a: usize, b: usize| total[a].total_cmp(&total[b]).then(a.cmp(&b)).is_lt();
    let threshold = g.min_similarity;
    let mut edges: Vec<Edge> = (0..items.len())
        .into_par_iter()
        .filter(|&a| eligible(a))
        .flat_map_iter(|a| {
            let item = &items[a];
            let mut by_weight = item.terms.clone();
            by_weight.sort_by(|x, y| {
                weights[*y as usize]
                    .total_cmp(&weights[*x as usize])
                    .then(x.cmp(y))
            });
            let reach = (1.0 - threshold) * total[a];
            let mut seen = HashSet::new();
            let mut found = Vec::new();
            let mut sum = 0.0;
            for t in by_weight.into_iter().take(CANDIDATE_WORDS) {
                for &b in &postings[t as usize] {
                    let b = b as usize;
                    if b == a
                        || !lighter(a, b)
                        || class[items[b].doc as usize] == class[item.doc as usize]
                        || !seen.insert(b)
                    {
                        continue;
                    }
                    let both = shared(&item.terms, &items[b].terms);
                    let common = weight(&both, weights);
                    let similarity = common / mean(total[a], total[b], g.balance);
                    if both.len() >= g.min_shared_words && similarity >= threshold {
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
        })
        .collect();
    edges.sort_by(|x, y| {
        y.similarity
            .total_cmp(&x.similarity)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    edges
}

/// The mean of a lighter and a heavier weight that similarity divides by:
/// lighter^(1 - balance) × heavier^balance, never below the lighter (so
/// prefix filtering on the lighter text finds every alike pair).
fn mean(lighter: f32, heavier: f32, balance: f32) -> f32 {
    (lighter.powf(1.0 - balance) * heavier.powf(balance)).max(lighter)
}

/// Complete linkage: each pair, strongest first, joins its two groups when
/// every pair across them is alike and no document (twins counted as one)
/// would be in the joined group twice.
fn link(items: &[Item], class: &[u32], edges: &[Edge]) -> Vec<Group> {
    let alike: HashSet<(u32, u32)> = edges.iter().map(|e| (e.a, e.b)).collect();
    let is_alike = |x: u32, y: u32| alike.contains(&(x.min(y), x.max(y)));
    let mut of: Vec<u32> = (0..items.len() as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..items.len() as u32).map(|i| vec![i]).collect();
    for e in edges {
        let (ga, gb) = (of[e.a as usize], of[e.b as usize]);
        if ga == gb {
            continue;
        }
        let (ma, mb) = (&members[ga as usize], &members[gb as usize]);
        let docs_apart = ma.iter().all(|&x| {
            mb.iter().all(|&y| {
                class[items[x as usize].doc as usize] != class[items[y as usize].doc as usize]
            })
        });
        if !docs_apart || !ma.iter().all(|&x| mb.iter().all(|&y| is_alike(x, y))) {
            continue;
        }
        let moved = std::mem::take(&mut members[gb as usize]);
        for &m in &moved {
            of[m as usize] = ga;
        }
        members[ga as usize].extend(moved);
    }
    // Groups in the order of their first member; each alike pair inside
    // one (strongest first) is one of its links.
    let mut index = vec![u32::MAX; items.len()];
    let mut groups: Vec<Group> = Vec::new();
    let mut firsts: Vec<(u32, u32)> = members
        .iter()
        .enumerate()
        .filter(|(_, m)| m.len() > 1)
        .map(|(g, m)| (*m.iter().min().expect("not empty"), g as u32))
        .collect();
    firsts.sort_unstable();
    for (_, g) in firsts {
        let mut m = std::mem::take(&mut members[g as usize]);
        m.sort_unstable();
        index[g as usize] = groups.len() as u32;
        groups.push(Group {
            members: m,
            links: Vec::new(),
        });
    }
    for e in edges {
        let g = of[e.a as usize];
        if g == of[e.b as usize] && index[g as usize] != u32::MAX {
            groups[index[g as usize] as usize].links.push(*e);
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn all_pairs(items: &[Item], w: &[f32], class: &[u32], t: f32) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for a in 0..items.len() {
            for b in a + 1..items.len() {
                if class[items[a].doc as usize] == class[items[b].doc as usize] {
                    continue;
                }
                let lighter = weight(&items[a].terms, w).min(weight(&items[b].terms, w));
                let common = weight(&shared(&items[a].terms, &items[b].terms), w);
                if common / lighter >= t {
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
        for t in [0.3, 0.5, 0.8, 1.0] {
            let mut found: Vec<(u32, u32)> = alike_pairs(&items, &weights, &class, &settings(t))
                .iter()
                .map(|e| (e.a, e.b))
                .collect();
            found.sort_unstable();
            assert_eq!(
                found,
                all_pairs(&items, &weights, &class, t),
                "min_similarity {t}"
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
        assert_eq!(groups[0].links.len(), 3, "every pair is a link");
    }
}
