//! Running a search on an open [`SearchIndex`]: the query combined with the
//! facet filters, every matching passage tallied by document (no cap), the
//! requested page of documents with their best passages and snippets, and
//! facet counts over the whole result set.
//!
//! Document metadata (title, kind, year, themes, agencies) is read once when
//! the index is opened, into a table by `doc_ord`; a search then touches
//! stored passages only for the hits it shows.

use super::collect::{MatchOn, Matched, TopOfEach, best_first};
use super::docmap::{DOCUMENT_ROW, NO_ORD, SegmentRows, SegmentRuns};
use super::rank::{document_scores, rank_words};
use super::*;
use std::sync::Arc;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, ExistsQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::{IndexReader, Term};

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

/// Documents whose passage locations are kept (the pages read last).
const CACHED_LOCATIONS: usize = 64;

/// An opened passage index with a long-lived reader, ready for many
/// searches (the served page keeps one per generation).
///
/// What it holds grows with the number of documents, never with the number
/// of passages but for one `doc_ord` per passage (4 bytes): a document's passage locations are looked up when a page
/// needs them and kept for the documents read last.
pub struct SearchIndex {
    pub(super) index: Index,
    pub(super) reader: IndexReader,
    pub(super) f: Fields,
    /// By `doc_ord`.
    docs: Vec<DocMeta>,
    by_id: HashMap<String, usize>,
    /// The documents' facet values as numbers, for counting.
    facet_table: super::facets::FacetTable,
    /// By segment ordinal, by `DocId`: the passage's `doc_ord`, or the
    /// document row's marked with [`DOCUMENT_ROW`], or [`NO_ORD`] (see
    /// `docmap::row`), so grouping does not decode a fast field for every
    /// match.
    seg_ords: Vec<Arc<[u32]>>,
    /// By segment ordinal: the `DocId`s where a run of equal values of
    /// `seg_ords` starts, with its value (a document's passages are
    /// neighbours), so a search can skip to the next document.
    seg_runs: Vec<Arc<SegmentRuns>>,
    /// By segment ordinal: the document rows, `DocId` ascending.
    seg_rows: Vec<Arc<SegmentRows>>,
    /// By `doc_ord`, for the documents read last: passages sorted by start.
    locs: std::sync::Mutex<lru::LruCache<usize, Arc<[PassageLoc]>>>,
}

/// A query parsed for a search: the query scored on the passages
/// (`text`), the same passages for finding which documents match when
/// the passages must be walked (`matching`: see
/// [`to_match_query`](super::query::to_match_query)), the query on the
/// document rows when they can answer it, and the words that rank.
struct Parsed {
    text: Box<dyn Query>,
    matching: Option<Box<dyn Query>>,
    rows: Option<Box<dyn Query>>,
    words: Vec<super::rank::RankWord>,
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

    /// Wrap an index (on disk or in RAM) and read its document table: one
    /// pass over the document-key column and the metadata column, nothing
    /// from the stored passages.
    pub fn from_index(index: Index) -> Result<SearchIndex, IndexError> {
        register_analyzers(&index);
        let f = Fields::from_schema(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        // Documents by key, in first-seen order (slots); then numbered
        // densely by id (`doc_ord`), whatever the segments.
        let mut slot_of: HashMap<u64, u32> = HashMap::new();
        let mut metas: Vec<Option<DocMeta>> = Vec::new();
        let mut counts: Vec<usize> = Vec::new();
        let mut seg_ords: Vec<Vec<u32>> = Vec::new();
        // By slot: whether its metadata was found; by segment: the
        // metadata values to read (dictionary ordinal, slot).
        let mut has_meta: Vec<bool> = Vec::new();
        let mut wanted: Vec<(u64, u32)> = Vec::new();
        // Document rows: (segment, DocId, key).
        let mut rows: Vec<(usize, DocId, u64)> = Vec::new();
        for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
            let mut ords = vec![NO_ORD; seg.max_doc() as usize];
            let ff = seg.fast_fields();
            let key_col = ff.u64(fields::DOC_KEY)?;
            let row_col = ff.u64(fields::DOC_ROW_KEY)?;
            let meta_col = ff.bytes(fields::DOC_META)?;
            // A document's passages are neighbours: the last key's slot is
            // nearly always the next one's, and keys are read in blocks.
            let mut last: Option<(u64, u32)> = None;
            let alive: Vec<DocId> = seg.doc_ids_alive().collect();
            let mut keys = vec![None; 4096];
            for block in alive.chunks(keys.len()) {
                let keys = &mut keys[..block.len()];
                keys.fill(None);
                key_col.first_vals(block, keys);
                for (&doc, &key) in block.iter().zip(keys.iter()) {
                    let Some(key) = key else {
                        if let Some(k) = row_col.first(doc) {
                            rows.push((seg_ord, doc, k));
                        }
                        continue;
                    };
                    let slot = match last {
                        Some((k, slot)) if k == key => slot,
                        _ => *slot_of.entry(key).or_insert_with(|| {
                            metas.push(None);
                            has_meta.push(false);
                            counts.push(0);
                            (metas.len() - 1) as u32
                        }),
                    };
                    last = Some((key, slot));
                    ords[doc as usize] = slot;
                    counts[slot as usize] += 1;
                    if !has_meta[slot as usize]
                        && let Some(col) = &meta_col
                        && let Some(ord) = col.ords().first(doc)
                    {
                        has_meta[slot as usize] = true;
                        wanted.push((ord, slot));
                    }
                }
            }
            // The metadata values, read in one pass over the column's
            // dictionary (a value at a time would decompress a block each).
            if let Some(col) = &meta_col {
                wanted.sort_unstable();
                let mut values = col
                    .dictionary()
                    .stream()
                    .map_err(|e| IndexError::Tantivy(e.into()))?;
                let mut next = wanted.iter().peekable();
                while next.peek().is_some() && values.advance() {
                    while let Some(&&(ord, slot)) = next.peek() {
                        if ord > values.term_ord() {
                            break;
                        }
                        if ord == values.term_ord() {
                            metas[slot as usize] = Some(doc_meta(values.key())?);
                        }
                        next.next();
                    }
                }
                wanted.clear();
            }
            seg_ords.push(ords);
        }
        let metas: Vec<DocMeta> = metas
            .into_iter()
            .zip(counts)
            .map(|(m, passages)| {
                m.map(|m| DocMeta { passages, ..m }).ok_or_else(|| {
                    IndexError::Tantivy(tantivy::TantivyError::SchemaError(
                        "a document has no stored metadata: the index was written by another version; run `ystorfa build` again".into(),
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        let mut order: Vec<u32> = (0..metas.len() as u32).collect();
        order.sort_by(|&a, &b| metas[a as usize].doc_id.cmp(&metas[b as usize].doc_id));
        let mut ord_of_slot = vec![0u32; order.len()];
        for (ord, &slot) in order.iter().enumerate() {
            ord_of_slot[slot as usize] = ord as u32;
        }
        let mut seg_ords: Vec<Vec<u32>> = seg_ords
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
        let mut seg_rows: Vec<Vec<(DocId, u32)>> = vec![Vec::new(); seg_ords.len()];
        for (seg, doc, key) in rows {
            if let Some(&slot) = slot_of.get(&key) {
                let ord = ord_of_slot[slot as usize];
                seg_ords[seg][doc as usize] = DOCUMENT_ROW | ord;
                seg_rows[seg].push((doc, ord));
            }
        }
        let seg_rows = searcher
            .segment_readers()
            .iter()
            .zip(seg_rows)
            .map(|(seg, rows)| SegmentRows::new(seg, &f, rows).map(Arc::new))
            .collect::<tantivy::Result<_>>()?;
        let seg_runs = seg_ords
            .iter()
            .map(|v| Arc::new(SegmentRuns::new(v)))
            .collect();
        let seg_ords: Vec<Arc<[u32]>> = seg_ords.into_iter().map(Into::into).collect();
        let mut slots: Vec<Option<DocMeta>> = metas.into_iter().map(Some).collect();
        let docs: Vec<DocMeta> = order
            .iter()
            .map(|&slot| slots[slot as usize].take().expect("each slot once"))
            .collect();
        let by_id = docs
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.doc_id.is_empty())
            .map(|(i, d)| (d.doc_id.clone(), i))
            .collect();
        let facet_table = super::facets::FacetTable::new(&docs);
        let cached = std::num::NonZeroUsize::new(CACHED_LOCATIONS).expect("not zero");
        Ok(SearchIndex {
            index,
            reader,
            f,
            docs,
            by_id,
            facet_table,
            seg_ords,
            seg_runs,
            seg_rows,
            locs: std::sync::Mutex::new(lru::LruCache::new(cached)),
        })
    }

    /// Where the passages of document `ord` are, sorted by start: looked
    /// up in the index (the document's id term, then the start and
    /// position columns) and kept for the documents read last.
    fn locations(&self, ord: usize) -> Result<Arc<[PassageLoc]>, IndexError> {
        let cache = || self.locs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = cache().get(&ord) {
            return Ok(l.clone());
        }
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.f.doc, &self.docs[ord].doc_id),
            IndexRecordOption::Basic,
        );
        let mut addrs: Vec<DocAddress> = searcher
            .search(&query, &tantivy::collector::DocSetCollector)?
            .into_iter()
            .collect();
        addrs.sort();
        let mut locs = Vec::with_capacity(addrs.len());
        for seg_addrs in addrs.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
            let ff = searcher
                .segment_reader(seg_addrs[0].segment_ord)
                .fast_fields();
            let (passage_col, start_col) = (ff.u64(fields::PASSAGE)?, ff.u64(fields::START)?);
            for &addr in seg_addrs {
                locs.push(PassageLoc {
                    start: start_col.first(addr.doc_id).unwrap_or(0),
                    passage: passage_col.first(addr.doc_id).unwrap_or(0),
                    addr,
                });
            }
        }
        locs.sort_by_key(|p| (p.start, p.passage));
        let locs: Arc<[PassageLoc]> = locs.into();
        cache().put(ord, locs.clone());
        Ok(locs)
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
        let locs = self.locations(*self.by_id.get(doc_id)?).ok()?;
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
        let locs = self.locations(ord)?;
        let Some(loc) = locs.iter().find(|l| l.passage == passage as u64) else {
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
        let locs = self.locations(ord)?;
        let mut out = Vec::with_capacity(locs.len());
        for loc in locs.iter() {
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

    /// A search in three steps. Which documents match: every document
    /// with a matching passage, found without scoring, skipping to the
    /// next document after a document's first match (exact totals and
    /// facet counts at a cost that grows with the documents, not the
    /// passages). Their order: BM25 of the query's words over each whole
    /// document (`rank`). The page: the query run again on the passages
    /// of the page's documents only, for their best passages, how many
    /// matched, and snippets.
    pub(super) fn search_with(
        &self,
        req: &SearchRequest,
        extra: Option<Box<dyn Query>>,
    ) -> Result<SearchResults, IndexError> {
        let f = &self.f;
        // Documents can be found by their rows when no filter needs the
        // passages and the query allows it (`matches_per_document`).
        let by_rows =
            extra.is_none() && req.filters.sections.is_empty() && !req.filters.recommendations;
        let mut filters = self.filter_clauses(&req.filters)?;
        filters.extend(extra);
        let parsed = if req.query.trim().is_empty() && !filters.is_empty() {
            Parsed {
                text: Box::new(AllQuery),
                matching: None,
                rows: by_rows.then(|| Box::new(AllQuery) as Box<dyn Query>),
                words: Vec::new(),
            }
        } else {
            self.parse(&req.query, by_rows)?
        };
        let (text_query, row_query, words) = (parsed.text, parsed.rows, parsed.words);
        let query = with_filters(text_query, &filters);
        let limit = if req.limit == 0 {
            DEFAULT_LIMIT
        } else {
            req.limit
        };
        let searcher = self.reader.searcher();
        let (on, match_query) = match row_query {
            Some(q) => {
                // Rows only (every document row has a key): a query on
                // document-level fields alone would otherwise walk every
                // passage, which carries them too.
                let rows: Box<dyn Query> =
                    Box::new(ExistsQuery::new(fields::DOC_ROW_KEY.into(), false));
                let mut clauses = vec![(Occur::Must, q), (Occur::Must, rows)];
                clauses.extend(filters.iter().map(|q| (Occur::Must, q.box_clone())));
                (
                    MatchOn::DocumentRows,
                    Box::new(BooleanQuery::new(clauses)) as _,
                )
            }
            None => (
                MatchOn::Passages,
                parsed
                    .matching
                    .map_or_else(|| query.box_clone(), |m| with_filters(m, &filters)),
            ),
        };
        let matched = searcher.search(
            &*match_query,
            &Matched {
                on,
                ords: self.docs.len(),
                seg_ords: &self.seg_ords,
                seg_runs: &self.seg_runs,
                seg_rows: &self.seg_rows,
            },
        )?;
        let facets = self.facet_table.count(&matched);
        let matched: Vec<u32> = (0..matched.len() as u32)
            .filter(|&o| matched[o as usize])
            .collect();
        let mut res = SearchResults {
            query: req.query.clone(),
            filters: req.filters.clone(),
            offset: req.offset,
            limit,
            total_documents: matched.len(),
            documents: Vec::new(),
            facets,
        };
        let wanted = req.offset.saturating_add(limit).min(matched.len());
        if req.offset >= wanted {
            return Ok(res);
        }
        let scores = document_scores(&searcher, f, self.docs.len(), &self.seg_rows, &words)?;
        let shown: Vec<u32> = best_first(&scores, matched, wanted)
            .into_iter()
            .skip(req.offset)
            .collect();
        let tops = self.top_passages(&searcher, &*query, &shown, req.per_document)?;
        let mut snippets = SnippetGenerator::create(&searcher, &*query, f.text)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        for (&ord, (top, matched_passages)) in shown.iter().zip(tops) {
            let meta = self.docs.get(ord as usize).cloned().unwrap_or_default();
            let mut hits = Vec::with_capacity(top.len());
            for (score, addr) in top {
                let doc: TantivyDocument = searcher.doc(addr)?;
                hits.push(self.hit(&doc, score, &snippets));
            }
            res.documents.push(DocHits {
                doc_id: meta.doc_id,
                file: meta.file,
                title: meta.title,
                kind: meta.kind,
                year: meta.year,
                score: scores.get(ord as usize).copied().unwrap_or(0.0),
                matched_passages,
                hits,
            });
        }
        Ok(res)
    }

    /// A query as typed, parsed for the three steps of a search.
    fn parse(&self, query: &str, by_rows: bool) -> Result<Parsed, IndexError> {
        let f = &self.f;
        let ast = parse_ast(query)?;
        let words = rank_words(&self.index, &ast);
        let mut analyzer = self
            .index
            .tokenizers()
            .get(ANALYZER_EN)
            .expect("the index's analyzers are registered");
        let rows = if by_rows && matches_per_document(&ast, &mut analyzer) {
            Some(to_document_query(&self.index, f, query, ast.clone())?)
        } else {
            None
        };
        let text = to_query(&self.index, f, query, ast.clone())?;
        // Only for a walk on the passages; the text query says whether
        // the query is valid, so this one falls back to it.
        let matching = rows
            .is_none()
            .then(|| to_match_query(&self.index, f, query, ast).ok())
            .flatten();
        Ok(Parsed {
            text,
            matching,
            rows,
            words,
        })
    }

    /// The best `per_doc` passages (all when 0) of each document of
    /// `shown`, in that order, with how many matched: the query scored
    /// on those documents' passages only (found through their id terms).
    fn top_passages(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        shown: &[u32],
        per_doc: usize,
    ) -> Result<super::collect::Tops, IndexError> {
        let mut slot_of = vec![NO_ORD; self.docs.len()];
        for (slot, &ord) in shown.iter().enumerate() {
            slot_of[ord as usize] = slot as u32;
        }
        let terms = shown
            .iter()
            .map(|&o| Term::from_field_text(self.f.doc, &self.docs[o as usize].doc_id))
            .collect();
        Ok(searcher.search(
            query,
            &TopOfEach {
                per_doc,
                slots: shown.len(),
                slot_of: slot_of.into(),
                seg_ords: &self.seg_ords,
                doc_field: self.f.doc,
                terms,
            },
        )?)
    }

    /// A passage as a search hit, with its snippet.
    fn hit(&self, doc: &TantivyDocument, score: Score, snippets: &SnippetGenerator) -> Hit {
        let f = &self.f;
        let text = first_str(doc, f.text).unwrap_or_default();
        let (snippet, highlights) = make_snippet(snippets, text);
        Hit {
            passage: first_u64(doc, f.passage) as usize,
            page: u32::try_from(first_u64(doc, f.page)).unwrap_or(u32::MAX),
            section: first_str(doc, f.trail).unwrap_or_default().to_string(),
            section_kind: first_str(doc, f.section).unwrap_or_default().to_string(),
            score,
            snippet_html: snippet_html(&snippet, &highlights),
            snippet,
            highlights,
            is_recommendation: doc
                .get_first(f.is_recommendation)
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
        }
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
}

/// Run one search on `index` (opens a reader and reads the document table:
/// for one-off searches; keep a [`SearchIndex`] for many).
pub fn search(index: &Index, req: &SearchRequest) -> Result<SearchResults, IndexError> {
    SearchIndex::from_index(index.clone())?.search(req)
}

fn doc_meta(json: &[u8]) -> Result<DocMeta, IndexError> {
    serde_json::from_slice(json).map_err(|e| {
        IndexError::Tantivy(tantivy::TantivyError::SchemaError(format!(
            "unreadable document metadata in the index ({e}): run `ystorfa build` again"
        )))
    })
}

/// The query with the filters as required clauses that add nothing to the
/// score.
fn with_filters(text_query: Box<dyn Query>, filters: &[Box<dyn Query>]) -> Box<dyn Query> {
    if filters.is_empty() {
        return text_query;
    }
    let mut clauses = vec![(Occur::Must, text_query)];
    for q in filters {
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(q.box_clone(), 0.0)) as _,
        ));
    }
    Box::new(BooleanQuery::new(clauses))
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
