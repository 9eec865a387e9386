//! The recommendations as the explorer filters and counts them, compactly:
//! per recommendation its document (by ordinal), its place among the
//! document's rows, its start, level, and small ids of its themes,
//! agencies and bodies addressed. Texts stay in the store: a page reads
//! the rows it shows, and a word filter streams the table's texts.

use super::state::LoadError;
use crate::model::AgencyLevel;
use crate::store::{DocFile, Reader, StoreError};
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::borrow::Cow;
use std::collections::HashMap;

/// Strings numbered in order of first appearance.
#[derive(Debug, Default)]
pub struct Interner {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), id);
        id
    }

    /// The id of `s`, if any recommendation has it.
    pub fn id(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    /// The string of `id`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// How many strings there are (ids are below it).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Ids of the strings equal to `s` in ASCII case.
    pub fn ids_ignoring_case(&self, s: &str) -> Vec<u32> {
        (0..self.names.len() as u32)
            .filter(|&i| self.name(i).eq_ignore_ascii_case(s))
            .collect()
    }
}

/// By id (below `ids`): the indices of the recommendations listing it,
/// ascending, each once.
fn carriers<'a>(ids: usize, lists: impl Iterator<Item = &'a Box<[u32]>>) -> Vec<Vec<u32>> {
    let mut by = vec![Vec::new(); ids];
    for (i, list) in lists.enumerate() {
        for &id in list.iter() {
            let of: &mut Vec<u32> = &mut by[id as usize];
            if of.last() != Some(&(i as u32)) {
                of.push(i as u32);
            }
        }
    }
    by
}

/// One recommendation, compactly.
#[derive(Debug, Clone)]
pub struct CompactRec {
    /// Row number in the `recommendations` table.
    pub row: u32,
    /// The document's ordinal in the snapshot's documents.
    pub doc: u32,
    /// Position among its document's recommendation rows.
    pub nth: u32,
    /// Character offset of its start in the document.
    pub start: usize,
    pub level: Option<AgencyLevel>,
    /// A translation of another recommendation (listed as its original).
    pub translation: bool,
    /// Theme ids, as listed in the row.
    pub themes: Box<[u32]>,
    /// Agency ids, as listed in the row.
    pub agencies: Box<[u32]>,
    /// Canonical names of the bodies addressed, each once.
    pub bodies: Box<[u32]>,
}

/// Every recommendation of a generation, compactly.
#[derive(Debug, Default)]
pub struct RecTable {
    pub recs: Vec<CompactRec>,
    /// By index into `recs`: its place in a listing, newest documents
    /// first, then document order, then text order (a listing sorts by
    /// it instead of comparing documents).
    pub listing: Vec<u32>,
    /// By theme id, then by agency id: the recommendations listing it
    /// (indices into `recs`, ascending), so a filter on a theme or an
    /// agency looks only at those.
    with_theme: Vec<Vec<u32>>,
    with_agency: Vec<Vec<u32>>,
    pub themes: Interner,
    pub agencies: Interner,
    pub bodies: Interner,
}

/// The parts of a recommendation row the table keeps.
#[derive(Deserialize)]
struct Facets<'a> {
    #[serde(borrow)]
    doc_id: Cow<'a, str>,
    start: usize,
    level: Option<AgencyLevel>,
    #[serde(borrow)]
    themes: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    agencies: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    addressees: Vec<Canonical<'a>>,
    translation_of: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Canonical<'a> {
    #[serde(borrow)]
    canonical: Cow<'a, str>,
}

/// A row's text alone.
#[derive(Deserialize)]
struct Text<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

fn unreadable(at: String, e: serde_json::Error) -> LoadError {
    LoadError::Store(StoreError::Unreadable {
        path: at,
        message: e.to_string(),
    })
}

impl RecTable {
    /// Rows of the table (translations included).
    pub fn len(&self) -> usize {
        self.recs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }

    /// Stream the `recommendations` table once; `doc_ord` gives a
    /// document id's ordinal, and `doc_key` of an ordinal orders the
    /// documents of a listing.
    pub fn load<K: Ord>(
        reader: &Reader,
        doc_ord: impl Fn(&str) -> Option<usize>,
        doc_key: impl Fn(usize) -> K,
    ) -> Result<RecTable, LoadError> {
        let mut t = RecTable::default();
        let mut lines = reader.rows(DocFile::Recommendations)?;
        let (mut row, mut last_doc, mut nth) = (0u32, usize::MAX, 0u32);
        while let Some(line) = lines.next() {
            let line = line?;
            let f: Facets =
                serde_json::from_slice(&line).map_err(|e| unreadable(lines.position(), e))?;
            let doc = doc_ord(&f.doc_id).ok_or_else(|| {
                LoadError::Outdated(format!(
                    "{}: a recommendation of document {}, which is not in the documents table",
                    lines.position(),
                    f.doc_id
                ))
            })?;
            nth = if doc == last_doc { nth + 1 } else { 0 };
            last_doc = doc;
            let mut bodies: Vec<u32> = Vec::new();
            for a in &f.addressees {
                let id = t.bodies.intern(&a.canonical);
                if !bodies.contains(&id) {
                    bodies.push(id);
                }
            }
            t.recs.push(CompactRec {
                row,
                doc: doc as u32,
                nth,
                start: f.start,
                level: f.level,
                translation: f.translation_of.is_some(),
                themes: f.themes.iter().map(|s| t.themes.intern(s)).collect(),
                agencies: f.agencies.iter().map(|s| t.agencies.intern(s)).collect(),
                bodies: bodies.into(),
            });
            row += 1;
        }
        t.rank_listing(doc_key);
        t.with_theme = carriers(t.themes.len(), t.recs.iter().map(|r| &r.themes));
        t.with_agency = carriers(t.agencies.len(), t.recs.iter().map(|r| &r.agencies));
        Ok(t)
    }

    /// The recommendations that may list every one of `themes` and
    /// `agencies` (ids), ascending: those listing the rarest of them, or
    /// every recommendation when there are none.
    pub fn candidates<'a>(
        &'a self,
        themes: &[u32],
        agencies: &[u32],
    ) -> impl Iterator<Item = usize> + 'a {
        let lists = |by: &'a [Vec<u32>], ids: &[u32]| -> Vec<&'a [u32]> {
            ids.iter()
                .map(|&i| by.get(i as usize).map_or(&[][..], Vec::as_slice))
                .collect()
        };
        let rarest = lists(&self.with_theme, themes)
            .into_iter()
            .chain(lists(&self.with_agency, agencies))
            .min_by_key(|l| l.len());
        let all = if rarest.is_some() {
            0..0
        } else {
            0..self.recs.len()
        };
        rarest.into_iter().flatten().map(|&i| i as usize).chain(all)
    }

    /// Rank every recommendation for a listing: by `doc_key` of its
    /// document (ordinal), then by where it starts.
    fn rank_listing<K: Ord>(&mut self, doc_key: impl Fn(usize) -> K) {
        let docs = self
            .recs
            .iter()
            .map(|r| r.doc as usize + 1)
            .max()
            .unwrap_or(0);
        let mut doc_order: Vec<usize> = (0..docs).collect();
        doc_order.sort_by_cached_key(|&d| doc_key(d));
        let mut doc_rank = vec![0usize; docs];
        for (rank, &d) in doc_order.iter().enumerate() {
            doc_rank[d] = rank;
        }
        let mut order: Vec<u32> = (0..self.recs.len() as u32).collect();
        order.sort_by_key(|&i| {
            let r = &self.recs[i as usize];
            (doc_rank[r.doc as usize], r.start)
        });
        self.listing = vec![0; self.recs.len()];
        for (rank, &i) in order.iter().enumerate() {
            self.listing[i as usize] = rank as u32;
        }
    }

    /// Of `candidates` (indices into `recs`, in table order), those whose
    /// text holds every one of `words` (lower-case), ignoring case: the
    /// table's texts streamed once from `reader`.
    pub fn with_words(
        &self,
        reader: &Reader,
        candidates: &[usize],
        words: &[String],
    ) -> Result<Vec<usize>, LoadError> {
        let mut out = Vec::new();
        let Some(&first) = candidates.first() else {
            return Ok(out);
        };
        // A word with a character JSON escapes cannot be looked for in the
        // raw line, nor one with a sigma, whose lower case depends on its
        // neighbours (which an escape may change).
        let raw_ok = words.iter().all(|w| {
            !w.chars()
                .any(|c| matches!(c, '"' | '\\' | 'σ' | 'ς') || c.is_control())
        });
        let mut lines = reader.rows(DocFile::Recommendations)?;
        let mut want = candidates.iter().peekable();
        let mut row = 0u32;
        let mut next_row = self.recs[first].row;
        while let Some(line) = lines.next() {
            let line = line?;
            let this = row;
            row += 1;
            if this != next_row {
                continue;
            }
            let i = *want.next().expect("peeked");
            next_row = match want.peek() {
                Some(&&j) => self.recs[j].row,
                None => u32::MAX,
            };
            // The text is a part of the line: a word missing from the whole
            // line, lower-cased, is missing from the text.
            if raw_ok {
                let lower = String::from_utf8_lossy(&line).to_lowercase();
                if !words.iter().all(|w| lower.contains(w.as_str())) {
                    if next_row == u32::MAX {
                        break;
                    }
                    continue;
                }
            }
            let t: Text =
                serde_json::from_slice(&line).map_err(|e| unreadable(lines.position(), e))?;
            let text = t.text.to_lowercase();
            if words.iter().all(|w| text.contains(w.as_str())) {
                out.push(i);
            }
            if next_row == u32::MAX {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(doc: u32, start: usize, themes: &[u32], agencies: &[u32]) -> CompactRec {
        CompactRec {
            row: 0,
            doc,
            nth: 0,
            start,
            level: None,
            translation: false,
            themes: themes.into(),
            agencies: agencies.into(),
            bodies: Box::new([]),
        }
    }

    fn table(recs: Vec<CompactRec>) -> RecTable {
        let mut t = RecTable {
            recs,
            ..RecTable::default()
        };
        t.with_theme = carriers(2, t.recs.iter().map(|r| &r.themes));
        t.with_agency = carriers(2, t.recs.iter().map(|r| &r.agencies));
        t
    }

    #[test]
    fn candidates_are_the_carriers_of_the_rarest_filter_or_every_recommendation() {
        let t = table(vec![
            rec(0, 0, &[0, 1], &[0]),
            rec(0, 9, &[1], &[]),
            rec(1, 0, &[0, 0], &[1]),
            rec(1, 5, &[], &[0]),
        ]);
        let of = |themes: &[u32], agencies: &[u32]| -> Vec<usize> {
            t.candidates(themes, agencies).collect()
        };
        assert_eq!(t.with_theme[0], [0, 2], "a theme listed twice, once");
        assert_eq!(of(&[], &[]), [0, 1, 2, 3]);
        assert_eq!(of(&[1], &[]), [0, 1]);
        assert_eq!(of(&[1], &[1]), [2], "the rarer list: agency 1");
        assert_eq!(of(&[7], &[]), Vec::<usize>::new(), "an id nothing lists");
    }

    #[test]
    fn a_listing_ranks_by_document_then_start() {
        let mut t = table(vec![
            rec(0, 9, &[], &[]),
            rec(1, 0, &[], &[]),
            rec(0, 2, &[], &[]),
        ]);
        // Document 1 first.
        t.rank_listing(std::cmp::Reverse);
        assert_eq!(t.listing, [2, 0, 1]);
    }
}
