//! Facet counts over the matching documents. Every document's facet
//! values are interned when the index is opened, and each value keeps the
//! documents that carry it: a value most documents carry as a bitset
//! (counted a word of 64 documents at a time), a rarer one as a list. A
//! count then costs the smaller of the two for each value, not one
//! addition per value of every matching document (about 30 each, which
//! at 20,000 matching documents was a tenth of a search's time).

use super::*;

/// The facets a search counts, in [`Facets`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum FacetName {
    Kind,
    Year,
    Theme,
    Area,
    Agency,
    Body,
    Language,
}

/// The documents (by `doc_ord`) that carry one value.
#[derive(Debug)]
enum Carriers {
    /// A list, ascending (a document listing the value twice is in it
    /// twice, and counts twice, as in [`DocMeta`]).
    Few(Vec<u32>),
    /// A bit per document, and the documents listing the value more than
    /// once, once for each further time.
    Many { bits: Vec<u64>, again: Vec<u32> },
}

/// A value carried by more than one document in this many is kept as a
/// bitset: counting it reads `documents / 64` words instead of looking up
/// each carrier.
const DENSE: usize = 16;

/// Every value of every facet and the documents carrying it.
#[derive(Debug, Default)]
pub(super) struct FacetTable {
    /// By value id: which facet and the value.
    values: Vec<(FacetName, String)>,
    /// By value id.
    carriers: Vec<Carriers>,
}

impl FacetTable {
    pub(super) fn new(docs: &[DocMeta]) -> FacetTable {
        let mut ids: HashMap<(FacetName, String), u32> = HashMap::new();
        let mut values: Vec<(FacetName, String)> = Vec::new();
        let mut lists: Vec<Vec<u32>> = Vec::new();
        for (ord, d) in docs.iter().enumerate() {
            let year = d.year.map(|y| y.to_string());
            let named = [(FacetName::Kind, some(&d.kind))]
                .into_iter()
                .chain([(FacetName::Year, year.as_deref())])
                .chain(
                    d.themes
                        .iter()
                        .map(|t| (FacetName::Theme, Some(t.as_str()))),
                )
                .chain([(FacetName::Area, d.area.as_deref())])
                .chain(
                    d.agencies
                        .iter()
                        .map(|a| (FacetName::Agency, Some(a.as_str()))),
                )
                .chain(d.bodies.iter().map(|b| (FacetName::Body, Some(b.as_str()))))
                .chain([(FacetName::Language, some(&d.language))]);
            for (facet, value) in named {
                let Some(value) = value else {
                    continue;
                };
                let id = *ids.entry((facet, value.to_string())).or_insert_with(|| {
                    values.push((facet, value.to_string()));
                    lists.push(Vec::new());
                    (values.len() - 1) as u32
                });
                lists[id as usize].push(ord as u32);
            }
        }
        let carriers = lists
            .into_iter()
            .map(|list| carriers(list, docs.len()))
            .collect();
        FacetTable { values, carriers }
    }

    /// Document counts by facet over the matching documents (`matched`,
    /// by `doc_ord`): most frequent first, equal counts in value order.
    pub(super) fn count(&self, matched: &[bool]) -> Facets {
        let bits = bitset(matched);
        let counts: Vec<usize> = self
            .carriers
            .iter()
            .map(|c| match c {
                Carriers::Few(list) => list.iter().filter(|&&d| is(matched, d)).count(),
                Carriers::Many { bits: mine, again } => {
                    let both: u32 = mine
                        .iter()
                        .zip(&bits)
                        .map(|(a, b)| (a & b).count_ones())
                        .sum();
                    both as usize + again.iter().filter(|&&d| is(matched, d)).count()
                }
            })
            .collect();
        let ranked = |facet: FacetName| {
            let mut v: Vec<FacetCount> = self
                .values
                .iter()
                .zip(&counts)
                .filter(|((f, _), n)| *f == facet && **n > 0)
                .map(|((_, value), &documents)| FacetCount {
                    value: value.clone(),
                    documents,
                })
                .collect();
            v.sort_by(|a, b| b.documents.cmp(&a.documents).then(a.value.cmp(&b.value)));
            v
        };
        Facets {
            kind: ranked(FacetName::Kind),
            year: ranked(FacetName::Year),
            theme: ranked(FacetName::Theme),
            area: ranked(FacetName::Area),
            agency: ranked(FacetName::Agency),
            body: ranked(FacetName::Body),
            language: ranked(FacetName::Language),
        }
    }
}

/// `v`, unless empty.
fn some(v: &str) -> Option<&str> {
    (!v.is_empty()).then_some(v)
}

/// Whether document `d` matched.
fn is(matched: &[bool], d: u32) -> bool {
    matched.get(d as usize).copied().unwrap_or(false)
}

/// The carriers of a value from its list (ascending, repeats kept).
fn carriers(list: Vec<u32>, documents: usize) -> Carriers {
    if list.len() * DENSE <= documents {
        return Carriers::Few(list);
    }
    let mut bits = vec![0u64; documents.div_ceil(64)];
    let mut again = Vec::new();
    for d in list {
        let (word, bit) = (d as usize / 64, 1u64 << (d % 64));
        if bits[word] & bit != 0 {
            again.push(d);
        }
        bits[word] |= bit;
    }
    Carriers::Many { bits, again }
}

/// `matched` as a bitset.
fn bitset(matched: &[bool]) -> Vec<u64> {
    matched
        .chunks(64)
        .map(|c| {
            c.iter()
                .enumerate()
                .fold(0u64, |w, (i, &m)| w | (u64::from(m) << i))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: &str, year: Option<i32>, themes: &[&str]) -> DocMeta {
        DocMeta {
            kind: kind.into(),
            year,
            themes: themes.iter().map(|t| t.to_string()).collect(),
            language: "en".into(),
            ..DocMeta::default()
        }
    }

    /// What counting every value of every matching document gives.
    fn counted_one_by_one(docs: &[DocMeta], matched: &[bool], theme: &str) -> usize {
        docs.iter()
            .zip(matched)
            .filter(|(_, m)| **m)
            .map(|(d, _)| d.themes.iter().filter(|t| *t == theme).count())
            .sum()
    }

    #[test]
    fn counts_are_those_of_counting_each_document() {
        // 200 documents: "common" on most (a bitset), "rare" on a few (a
        // list), "twice" listed twice on some (counted twice).
        let docs: Vec<DocMeta> = (0..200)
            .map(|i| {
                let mut themes = Vec::new();
                if i % 3 != 0 {
                    themes.push("common");
                }
                if i % 50 == 7 {
                    themes.push("rare");
                }
                if i % 4 == 0 {
                    themes.extend(["twice", "twice"]);
                }
                doc(
                    if i % 2 == 0 { "dhr" } else { "cpr" },
                    Some(2019 + i % 3),
                    &themes,
                )
            })
            .collect();
        let table = FacetTable::new(&docs);
        assert!(matches!(table.carriers[2], Carriers::Many { .. }), "common");
        for pattern in [1usize, 2, 3, 7, 64, 199] {
            let matched: Vec<bool> = (0..200).map(|i| i % pattern == 0).collect();
            let facets = table.count(&matched);
            for theme in ["common", "rare", "twice"] {
                let got = facets
                    .theme
                    .iter()
                    .find(|c| c.value == theme)
                    .map_or(0, |c| c.documents);
                assert_eq!(
                    got,
                    counted_one_by_one(&docs, &matched, theme),
                    "{theme}, every {pattern}"
                );
            }
            let kinds: usize = facets.kind.iter().map(|c| c.documents).sum();
            assert_eq!(kinds, matched.iter().filter(|m| **m).count());
        }
    }

    #[test]
    fn values_are_ranked_by_count_then_value() {
        let docs = [
            doc("dhr", Some(2020), &["b"]),
            doc("cpr", Some(2020), &["a", "b"]),
            doc("apr", None, &["a"]),
        ];
        let facets = FacetTable::new(&docs).count(&[true, true, true]);
        let themes: Vec<(&str, usize)> = facets
            .theme
            .iter()
            .map(|c| (c.value.as_str(), c.documents))
            .collect();
        assert_eq!(themes, [("a", 2), ("b", 2)]);
        let kinds: Vec<&str> = facets.kind.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(kinds, ["apr", "cpr", "dhr"]);
        assert_eq!(facets.year.len(), 1);
    }
}
