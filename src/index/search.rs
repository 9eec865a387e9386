//! Running a search on an open [`SearchIndex`]: the query combined with the
//! facet filters, every matching passage grouped by document (no cap), the
//! requested page of document groups with their best passages and
//! snippets, and facet counts over the whole result set.
//!
//! Document metadata (title, kind, year, themes, agencies) is read once when
//! the index is opened, into a table by `doc_ord`; a search then touches
//! stored passages only for the hits it shows.

use super::*;
use std::sync::Arc;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::{IndexReader, Term};

/// Metadata of one indexed document, shared by all its passages (stored
/// once, as JSON on its first passage).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DocMeta {
    pub doc_id: String,
    pub file: String,
    pub title: String,
    pub kind: String,
    pub year: Option<i32>,
    pub area: Option<String>,
    pub language: String,
    /// Themes assigned to the document.
    pub themes: Vec<String>,
    /// Agencies addressed by the document's recommendations.
    pub agencies: Vec<String>,
    /// Bodies (canonical names) addressed by the document's counted
    /// recommendations.
    #[serde(default)]
    pub bodies: Vec<String>,
    /// Number of passages indexed.
    #[serde(default)]
    pub passages: usize,
}

/// One stored passage, as the document view shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredPassage {
    /// Position of the passage in the document, from 0.
    pub index: usize,
    pub page: u32,
    /// "paragraph", "list_item", "heading" or "table_row".
    pub kind: String,
    /// Heading trail.
    pub section: String,
    /// Section kind ("analysis").
    pub section_kind: String,
    /// Character offset of the passage in the document text.
    pub start: usize,
    pub text: String,
    /// Themes with present evidence in the passage.
    pub themes: Vec<String>,
    pub is_recommendation: bool,
}

/// Where a passage lives: its character start, position and address.
#[derive(Debug, Clone, Copy)]
struct PassageLoc {
    start: u64,
    passage: u64,
    addr: DocAddress,
}

/// An opened passage index with a long-lived reader, ready for many
/// searches (the served page keeps one per generation).
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    f: Fields,
    /// By `doc_ord`.
    docs: Vec<DocMeta>,
    by_id: HashMap<String, usize>,
    /// By `doc_ord`: passages sorted by start.
    locs: Vec<Vec<PassageLoc>>,
    /// The documents' facet values as numbers, for counting.
    facet_table: FacetTable,
    /// By segment ordinal, by `DocId`: the passage's `doc_ord`
    /// ([`NO_ORD`] for none), so grouping does not decode the fast field
    /// for every matching passage.
    seg_ords: Vec<Arc<[u32]>>,
}

/// A passage without a `doc_ord` in [`SearchIndex::seg_ords`].
const NO_ORD: u32 = u32::MAX;

/// The facets a search counts, in [`Facets`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FacetName {
    Kind,
    Year,
    Theme,
    Area,
    Agency,
    Body,
    Language,
}

/// Every document's facet values interned as small numbers, built when the
/// index is opened, so that counting facets over thousands of matching
/// documents adds to an array instead of cloning and comparing strings.
#[derive(Debug, Default)]
struct FacetTable {
    /// By value id: which facet and the value.
    values: Vec<(FacetName, String)>,
    /// By `doc_ord`: the value ids of the document (a value listed twice
    /// counts twice, as in [`DocMeta`]).
    docs: Vec<Vec<u32>>,
}

impl FacetTable {
    fn new(docs: &[DocMeta]) -> FacetTable {
        let mut ids: HashMap<(u8, String), u32> = HashMap::new();
        let mut values: Vec<(FacetName, String)> = Vec::new();
        let mut intern = |facet: FacetName, value: &str| -> u32 {
            *ids.entry((facet as u8, value.to_string()))
                .or_insert_with(|| {
                    values.push((facet, value.to_string()));
                    (values.len() - 1) as u32
                })
        };
        let docs = docs
            .iter()
            .map(|d| {
                let mut v = Vec::new();
                if !d.kind.is_empty() {
                    v.push(intern(FacetName::Kind, &d.kind));
                }
                if let Some(y) = d.year {
                    v.push(intern(FacetName::Year, &y.to_string()));
                }
                for t in &d.themes {
                    v.push(intern(FacetName::Theme, t));
                }
                if let Some(a) = &d.area {
                    v.push(intern(FacetName::Area, a));
                }
                for a in &d.agencies {
                    v.push(intern(FacetName::Agency, a));
                }
                for b in &d.bodies {
                    v.push(intern(FacetName::Body, b));
                }
                if !d.language.is_empty() {
                    v.push(intern(FacetName::Language, &d.language));
                }
                v
            })
            .collect();
        FacetTable { values, docs }
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("documents", &self.docs.len())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Open the index in `dir`.
    pub fn open(dir: &Path) -> Result<SearchIndex, IndexError> {
        SearchIndex::from_index(open(dir)?)
    }

    /// Wrap an index (on disk or in RAM) and read its document table.
    pub fn from_index(index: Index) -> Result<SearchIndex, IndexError> {
        register_analyzers(&index);
        let f = Fields::from_schema(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        // Passages by document key, in first-seen order; then documents
        // are numbered densely by id (`doc_ord`), whatever the segments.
        let mut slot_of: HashMap<u64, u32> = HashMap::new();
        let mut locs: Vec<Vec<PassageLoc>> = Vec::new();
        let mut seg_ords: Vec<Vec<u32>> = Vec::new();
        for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
            let mut ords = vec![NO_ORD; seg.max_doc() as usize];
            let ff = seg.fast_fields();
            let key_col = ff.u64(fields::DOC_KEY)?;
            let passage_col = ff.u64(fields::PASSAGE)?;
            let start_col = ff.u64(fields::START)?;
            for doc in seg.doc_ids_alive() {
                let Some(key) = key_col.first(doc) else {
                    continue;
                };
                let slot = *slot_of.entry(key).or_insert_with(|| {
                    locs.push(Vec::new());
                    (locs.len() - 1) as u32
                });
                ords[doc as usize] = slot;
                locs[slot as usize].push(PassageLoc {
                    start: start_col.first(doc).unwrap_or(0),
                    passage: passage_col.first(doc).unwrap_or(0),
                    addr: DocAddress::new(seg_ord as SegmentOrdinal, doc),
                });
            }
            seg_ords.push(ords);
        }
        for l in &mut locs {
            l.sort_by_key(|p| (p.start, p.passage));
        }
        // The metadata is stored on each document's first passage.
        let mut metas: Vec<DocMeta> = Vec::with_capacity(locs.len());
        for l in &locs {
            let first = l
                .iter()
                .min_by_key(|p| p.passage)
                .expect("a slot has passages");
            metas.push(DocMeta {
                passages: l.len(),
                ..doc_meta(&f, &searcher.doc(first.addr)?)?
            });
        }
        let mut order: Vec<u32> = (0..metas.len() as u32).collect();
        order.sort_by(|&a, &b| metas[a as usize].doc_id.cmp(&metas[b as usize].doc_id));
        let mut ord_of_slot = vec![0u32; order.len()];
        for (ord, &slot) in order.iter().enumerate() {
            ord_of_slot[slot as usize] = ord as u32;
        }
        let seg_ords: Vec<Arc<[u32]>> = seg_ords
            .into_iter()
            .map(|v| {
                v.into_iter()
                    .map(|s| {
                        if s == NO_ORD {
                            NO_ORD
                        } else {
                            ord_of_slot[s as usize]
                        }
                    })
                    .collect()
            })
            .collect();
        let mut slots: Vec<Option<(DocMeta, Vec<PassageLoc>)>> =
            metas.into_iter().zip(locs).map(Some).collect();
        let (docs, locs): (Vec<DocMeta>, Vec<Vec<PassageLoc>>) = order
            .iter()
            .map(|&slot| slots[slot as usize].take().expect("each slot once"))
            .unzip();
        let by_id = docs
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.doc_id.is_empty())
            .map(|(i, d)| (d.doc_id.clone(), i))
            .collect();
        let facet_table = FacetTable::new(&docs);
        Ok(SearchIndex {
            index,
            reader,
            f,
            docs,
            by_id,
            locs,
            facet_table,
            seg_ords,
        })
    }

    /// Every indexed document, in `doc_ord` order (by document id).
    pub fn documents(&self) -> impl Iterator<Item = &DocMeta> {
        self.docs.iter().filter(|d| !d.doc_id.is_empty())
    }

    /// One document's metadata.
    pub fn document(&self, doc_id: &str) -> Option<&DocMeta> {
        self.by_id.get(doc_id).map(|&i| &self.docs[i])
    }

    /// The position of the passage holding character `offset` of the
    /// document's text (the last passage starting at or before it).
    pub fn passage_at(&self, doc_id: &str, offset: usize) -> Option<usize> {
        let locs = &self.locs[*self.by_id.get(doc_id)?];
        let i = locs.partition_point(|l| l.start <= offset as u64);
        let l = locs.get(i.checked_sub(1)?)?;
        Some(l.passage as usize)
    }

    /// One stored passage by position.
    pub fn passage(
        &self,
        doc_id: &str,
        passage: usize,
    ) -> Result<Option<StoredPassage>, IndexError> {
        let Some(&ord) = self.by_id.get(doc_id) else {
            return Ok(None);
        };
        let Some(loc) = self.locs[ord].iter().find(|l| l.passage == passage as u64) else {
            return Ok(None);
        };
        let searcher = self.reader.searcher();
        Ok(Some(self.stored_passage(&searcher.doc(loc.addr)?)))
    }

    /// Every passage of a document in text order, or `None` for an
    /// unknown document.
    pub fn passages(&self, doc_id: &str) -> Result<Option<Vec<StoredPassage>>, IndexError> {
        let Some(&ord) = self.by_id.get(doc_id) else {
            return Ok(None);
        };
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(self.locs[ord].len());
        for loc in &self.locs[ord] {
            out.push(self.stored_passage(&searcher.doc(loc.addr)?));
        }
        Ok(Some(out))
    }

    fn stored_passage(&self, doc: &TantivyDocument) -> StoredPassage {
        let f = &self.f;
        StoredPassage {
            index: first_u64(doc, f.passage) as usize,
            page: u32::try_from(first_u64(doc, f.page)).unwrap_or(u32::MAX),
            kind: first_str(doc, f.passage_kind)
                .unwrap_or_default()
                .to_string(),
            section: first_str(doc, f.trail).unwrap_or_default().to_string(),
            section_kind: first_str(doc, f.section).unwrap_or_default().to_string(),
            start: first_u64(doc, f.start) as usize,
            text: first_str(doc, f.text).unwrap_or_default().to_string(),
            themes: all_str(doc, f.theme),
            is_recommendation: doc
                .get_first(f.is_recommendation)
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
        }
    }

    /// Run a search: see [`SearchRequest`] and [`SearchResults`].
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, IndexError> {
        self.search_with(req, None)
    }

    /// Run a search within one document (its matching passages, for the
    /// document view).
    pub fn search_in(
        &self,
        doc_id: &str,
        req: &SearchRequest,
    ) -> Result<SearchResults, IndexError> {
        let only: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(self.f.doc, doc_id),
            IndexRecordOption::Basic,
        ));
        self.search_with(req, Some(only))
    }

    fn search_with(
        &self,
        req: &SearchRequest,
        extra: Option<Box<dyn Query>>,
    ) -> Result<SearchResults, IndexError> {
        let f = &self.f;
        let mut filters = self.filter_clauses(&req.filters)?;
        filters.extend(extra);
        let text_query: Box<dyn Query> = if req.query.trim().is_empty() && !filters.is_empty() {
            Box::new(AllQuery)
        } else {
            parse(&self.index, f, &req.query)?
        };
        let query: Box<dyn Query> = if filters.is_empty() {
            text_query
        } else {
            let mut clauses = vec![(Occur::Must, text_query)];
            for q in filters {
                clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)) as _));
            }
            Box::new(BooleanQuery::new(clauses))
        };
        let limit = if req.limit == 0 {
            DEFAULT_LIMIT
        } else {
            req.limit
        };
        let searcher = self.reader.searcher();
        let mut groups = searcher.search(
            &*query,
            &Grouped {
                per_doc: req.per_document,
                ords: self.docs.len(),
                seg_ords: &self.seg_ords,
            },
        )?;
        groups.sort_by(|a, b| b.best.total_cmp(&a.best).then(a.ord.cmp(&b.ord)));

        let mut res = SearchResults {
            query: req.query.clone(),
            filters: req.filters.clone(),
            offset: req.offset,
            limit,
            total_passages: groups.iter().map(|g| g.count).sum(),
            total_documents: groups.len(),
            documents: Vec::new(),
            facets: self.facets(groups.iter().map(|g| g.ord)),
        };
        if groups.is_empty() {
            return Ok(res);
        }
        let mut snippets = SnippetGenerator::create(&searcher, &*query, f.text)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        for g in groups.iter().skip(req.offset).take(limit) {
            let meta = self.docs.get(g.ord).cloned().unwrap_or_default();
            let mut hits = Vec::with_capacity(g.top.len());
            for &(score, addr) in &g.top {
                let doc: TantivyDocument = searcher.doc(addr)?;
                let text = first_str(&doc, f.text).unwrap_or_default();
                let (snippet, highlights) = make_snippet(&snippets, text);
                hits.push(Hit {
                    passage: first_u64(&doc, f.passage) as usize,
                    page: u32::try_from(first_u64(&doc, f.page)).unwrap_or(u32::MAX),
                    section: first_str(&doc, f.trail).unwrap_or_default().to_string(),
                    section_kind: first_str(&doc, f.section).unwrap_or_default().to_string(),
                    score,
                    snippet_html: snippet_html(&snippet, &highlights),
                    snippet,
                    highlights,
                    is_recommendation: doc
                        .get_first(f.is_recommendation)
                        .and_then(|v| v.as_bool())
                        .unwrap_or(false),
                });
            }
            res.documents.push(DocHits {
                doc_id: meta.doc_id,
                file: meta.file,
                title: meta.title,
                kind: meta.kind,
                year: meta.year,
                score: g.best,
                matched_passages: g.count,
                hits,
            });
        }
        Ok(res)
    }

    /// The filter queries of `filters` (each a required clause).
    fn filter_clauses(&self, filters: &SearchFilters) -> Result<Vec<Box<dyn Query>>, IndexError> {
        let f = &self.f;
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        // Any of the values (one value per document).
        let any_of = |field: Field, values: &[String], out: &mut Vec<Box<dyn Query>>| {
            if values.is_empty() {
                return;
            }
            let clauses: Vec<(Occur, Box<dyn Query>)> = values
                .iter()
                .map(|v| (Occur::Should, self.keyword_query(field, v)))
                .collect();
            out.push(Box::new(BooleanQuery::new(clauses)));
        };
        // Every one of the values (many values per document).
        let all_of = |field: Field, values: &[String], out: &mut Vec<Box<dyn Query>>| {
            for v in values {
                out.push(self.keyword_query(field, v));
            }
        };
        all_of(f.doc_theme, &filters.themes, &mut out);
        any_of(f.kind, &filters.kinds, &mut out);
        any_of(f.area, &filters.areas, &mut out);
        any_of(f.language, &filters.languages, &mut out);
        any_of(f.section, &filters.sections, &mut out);
        all_of(f.doc_agency, &filters.agencies, &mut out);
        all_of(f.doc_body, &filters.bodies, &mut out);
        if filters.recommendations {
            out.push(Box::new(TermQuery::new(
                Term::from_field_bool(f.is_recommendation, true),
                IndexRecordOption::Basic,
            )));
        }
        if let (Some(from), Some(to)) = (filters.year_from, filters.year_to)
            && from > to
        {
            return Err(IndexError::Query(format!(
                "the year range is empty: from {from} to {to}"
            )));
        }
        if filters.year_from.is_some() || filters.year_to.is_some() {
            use std::ops::Bound;
            let bound = |y: Option<i32>| match y {
                Some(y) => Bound::Included(Term::from_field_i64(f.year, i64::from(y))),
                None => Bound::Unbounded,
            };
            out.push(Box::new(RangeQuery::new(
                bound(filters.year_from),
                bound(filters.year_to),
            )));
        }
        Ok(out)
    }

    /// A term query for a keyword field, normalised as the field is
    /// (lower-cased whole value).
    fn keyword_query(&self, field: Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, &value.trim().to_lowercase()),
            IndexRecordOption::Basic,
        ))
    }

    /// Document counts by facet over the matching documents: most
    /// frequent first, equal counts in value order.
    fn facets(&self, ords: impl Iterator<Item = usize>) -> Facets {
        let table = &self.facet_table;
        let mut counts = vec![0usize; table.values.len()];
        for ord in ords {
            for &id in table.docs.get(ord).map_or(&[][..], Vec::as_slice) {
                counts[id as usize] += 1;
            }
        }
        let ranked = |facet: FacetName| {
            let mut v: Vec<FacetCount> = table
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

/// Run one search on `index` (opens a reader and reads the document table:
/// for one-off searches; keep a [`SearchIndex`] for many).
pub fn search(index: &Index, req: &SearchRequest) -> Result<SearchResults, IndexError> {
    SearchIndex::from_index(index.clone())?.search(req)
}

fn doc_meta(f: &Fields, doc: &TantivyDocument) -> Result<DocMeta, IndexError> {
    let json = first_str(doc, f.doc_meta).ok_or_else(|| {
        IndexError::Tantivy(tantivy::TantivyError::SchemaError(
            "a document has no stored metadata: the index was written by another version; run `ystorfa build` again".into(),
        ))
    })?;
    serde_json::from_str(json).map_err(|e| {
        IndexError::Tantivy(tantivy::TantivyError::SchemaError(format!(
            "unreadable document metadata in the index ({e}): run `ystorfa build` again"
        )))
    })
}

/// One document's group of matching passages.
#[derive(Debug, Clone)]
pub(super) struct Group {
    ord: usize,
    best: Score,
    count: usize,
    /// Best passages first (at most `per_doc` unless it is 0).
    top: Vec<(Score, DocAddress)>,
}

/// Groups every matching passage by document (`doc_ord`), counting them
/// and keeping the best `per_doc` of each (all when 0). Exact, uncapped,
/// and linear in the number of matches.
pub(super) struct Grouped<'a> {
    per_doc: usize,
    ords: usize,
    /// [`SearchIndex::seg_ords`].
    seg_ords: &'a [Arc<[u32]>],
}

pub(super) struct GroupedSegment {
    segment: SegmentOrdinal,
    per_doc: usize,
    /// `doc_ord` by `DocId` in this segment.
    ords: Arc<[u32]>,
    groups: Vec<Option<Group>>,
}

/// Better first: higher score, then earlier address.
fn hit_order(a: &(Score, DocAddress), b: &(Score, DocAddress)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

impl Collector for Grouped<'_> {
    type Fruit = Vec<Group>;
    type Child = GroupedSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<GroupedSegment> {
        let ords = self
            .seg_ords
            .get(segment as usize)
            .filter(|o| o.len() == reader.max_doc() as usize)
            .cloned()
            .ok_or_else(|| {
                tantivy::TantivyError::InvalidArgument(format!(
                    "segment {segment} is not the one the index was opened with"
                ))
            })?;
        Ok(GroupedSegment {
            segment,
            per_doc: self.per_doc,
            ords,
            groups: vec![None; self.ords],
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Group>>) -> tantivy::Result<Vec<Group>> {
        let mut all: BTreeMap<usize, Group> = BTreeMap::new();
        for g in fruits.into_iter().flatten() {
            match all.entry(g.ord) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(g);
                }
                std::collections::btree_map::Entry::Occupied(mut o) => {
                    let m = o.get_mut();
                    m.count += g.count;
                    m.best = m.best.max(g.best);
                    m.top.extend(g.top);
                }
            }
        }
        Ok(all
            .into_values()
            .map(|mut g| {
                g.top.sort_by(hit_order);
                if self.per_doc > 0 {
                    g.top.truncate(self.per_doc);
                }
                g
            })
            .collect())
    }
}

impl SegmentCollector for GroupedSegment {
    type Fruit = Vec<Group>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(&ord) = self.ords.get(doc as usize) else {
            return;
        };
        let Some(slot) = self.groups.get_mut(ord as usize) else {
            return;
        };
        let addr = DocAddress::new(self.segment, doc);
        let g = slot.get_or_insert_with(|| Group {
            ord: ord as usize,
            best: score,
            count: 0,
            top: Vec::new(),
        });
        g.count += 1;
        if score > g.best {
            g.best = score;
        }
        if self.per_doc == 0 || g.top.len() < self.per_doc {
            g.top.push((score, addr));
        } else {
            // Replace the worst kept hit when this one is strictly better
            // (ties keep the earlier passage).
            let (wi, worst) = g
                .top
                .iter()
                .enumerate()
                .max_by(|a, b| hit_order(a.1, b.1))
                .map(|(i, h)| (i, *h))
                .expect("per_doc > 0");
            if score > worst.0 {
                g.top[wi] = (score, addr);
            }
        }
    }

    fn harvest(self) -> Vec<Group> {
        self.groups.into_iter().flatten().collect()
    }
}

pub(super) fn first_str(doc: &TantivyDocument, field: Field) -> Option<&str> {
    doc.get_first(field).and_then(|v| v.as_str())
}

pub(super) fn first_u64(doc: &TantivyDocument, field: Field) -> u64 {
    doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
}

pub(super) fn all_str(doc: &TantivyDocument, field: Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}
