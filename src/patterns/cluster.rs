//! Groups of alike recommendations. Texts with the same words
//! (addressees left out) from different documents are alike by
//! definition: they are bundled first, one text per document, and only a
//! bundle's first text is compared with others (`pairs`), so a
//! recommendation made in thousands of documents costs one comparison, not
//! millions. A text keeps at most its [`LINKS_PER_TEXT`] strongest pairs.
//! Groups are built by complete linkage, strongest pairs first; each
//! member is explained by its strongest link inside its group.

use super::terms::Item;
use crate::rules::Grouping;
use std::collections::{HashMap, HashSet};

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
    let docs: Vec<&[u32]> = bundles.iter().map(|b| b.docs.as_slice()).collect();
    let t = std::time::Instant::now();
    let edges = super::pairs::alike_pairs(&heads, &docs, weights, g, LINKS_PER_TEXT);
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
pub(super) fn least_words(g: &Grouping) -> usize {
    g.min_words.max(g.min_shared_words).max(1)
}

/// No value in both (ascending) lists. A short list is looked up in a
/// long one (a bundle can hold thousands of documents).
pub(super) fn disjoint(a: &[u32], b: &[u32]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() * 16 < long.len() {
        return short.iter().all(|x| long.binary_search(x).is_err());
    }
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

/// Strongest first, ties in item order.
pub(super) fn strongest_first(x: &Edge, y: &Edge) -> std::cmp::Ordering {
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
pub(super) mod tests {
    use super::*;

    pub(in crate::patterns) fn settings(min_similarity: f32) -> Grouping {
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

    pub(in crate::patterns) fn item(doc: u32, terms: &[u32]) -> Item {
        Item {
            id: format!("r{doc}-{terms:?}"),
            doc,
            terms: terms.to_vec(),
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
