//! Running a search: distinct-document counting, top passages grouped by
//! document, hits with snippets, facet counts.

use super::*;

/// Collects, over every matching passage, the count and the first passage
/// address of each distinct document (by `doc_ord`).
pub(super) struct DistinctDocs;

pub(super) struct DistinctDocsSegment {
    segment: SegmentOrdinal,
    column: tantivy::columnar::Column<u64>,
    count: usize,
    seen: BTreeMap<u64, DocAddress>,
}

impl Collector for DistinctDocs {
    type Fruit = (usize, BTreeMap<u64, DocAddress>);
    type Child = DistinctDocsSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<DistinctDocsSegment> {
        Ok(DistinctDocsSegment {
            segment,
            column: reader.fast_fields().u64(fields::DOC_ORD)?,
            count: 0,
            seen: BTreeMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(usize, BTreeMap<u64, DocAddress>)>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut count = 0;
        let mut all = BTreeMap::new();
        for (c, m) in fruits {
            count += c;
            for (k, v) in m {
                all.entry(k).or_insert(v);
            }
        }
        Ok((count, all))
    }
}

impl SegmentCollector for DistinctDocsSegment {
    type Fruit = (usize, BTreeMap<u64, DocAddress>);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.count += 1;
        if let Some(ord) = self.column.first(doc) {
            self.seen
                .entry(ord)
                .or_insert(DocAddress::new(self.segment, doc));
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.count, self.seen)
    }
}

/// Run a search.
pub fn search(index: &Index, req: &SearchRequest) -> Result<SearchResults, IndexError> {
    let f = Fields::from_schema(&index.schema())?;
    let query = parse(index, &f, &req.query)?;
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    let limit = if req.limit == 0 {
        DEFAULT_LIMIT
    } else {
        req.limit
    };

    let (total_passages, distinct) = searcher.search(&*query, &DistinctDocs)?;
    let total_documents = distinct.len();
    let mut res = SearchResults {
        query: req.query.clone(),
        total_passages,
        total_documents,
        documents: Vec::new(),
        facets: facets(&searcher, &f, distinct.values())?,
    };
    if total_passages == 0 {
        return Ok(res);
    }

    // Fetch enough top passages to fill `limit` document groups.
    let mut fetch = limit
        .saturating_mul(20)
        .clamp(1, MAX_PASSAGES_FETCHED)
        .min(total_passages);
    let (top, ords) = loop {
        let top = searcher.search(&*query, &TopDocs::with_limit(fetch).order_by_score())?;
        let ords = doc_ords(&searcher, &top)?;
        let groups: std::collections::HashSet<u64> = ords.iter().copied().collect();
        if groups.len() >= limit.min(total_documents)
            || fetch >= total_passages
            || fetch >= MAX_PASSAGES_FETCHED
        {
            break (top, ords);
        }
        fetch = fetch
            .saturating_mul(4)
            .min(total_passages)
            .min(MAX_PASSAGES_FETCHED);
    };

    let mut snippets = SnippetGenerator::create(&searcher, &*query, f.text)?;
    snippets.set_max_num_chars(SNIPPET_CHARS);
    let mut by_ord: HashMap<u64, usize> = HashMap::new();
    for ((score, addr), ord) in top.into_iter().zip(ords) {
        // Stored documents are loaded only for the hits shown.
        let gi = match by_ord.get(&ord) {
            Some(&i) => i,
            None if res.documents.len() >= limit => continue,
            None => {
                let doc: TantivyDocument = searcher.doc(addr)?;
                res.documents.push(DocHits {
                    doc_id: first_str(&doc, f.doc).unwrap_or_default().to_string(),
                    file: first_str(&doc, f.file).unwrap_or_default().to_string(),
                    title: first_str(&doc, f.title).unwrap_or_default().to_string(),
                    kind: first_str(&doc, f.kind).unwrap_or_default().to_string(),
                    year: doc
                        .get_first(f.year)
                        .and_then(|v| v.as_i64())
                        .and_then(|y| i32::try_from(y).ok()),
                    score,
                    matched_passages: 0,
                    hits: Vec::new(),
                });
                by_ord.insert(ord, res.documents.len() - 1);
                res.documents.len() - 1
            }
        };
        let group = &mut res.documents[gi];
        group.matched_passages += 1;
        if req.per_document > 0 && group.hits.len() >= req.per_document {
            continue;
        }
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = first_str(&doc, f.text).unwrap_or_default();
        let (snippet, highlights) = make_snippet(&snippets, text);
        group.hits.push(Hit {
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
    Ok(res)
}

/// The `doc_ord` of each passage address (passages without one share the
/// group `u64::MAX`).
pub(super) fn doc_ords(
    searcher: &tantivy::Searcher,
    top: &[(Score, DocAddress)],
) -> Result<Vec<u64>, IndexError> {
    let mut columns: HashMap<SegmentOrdinal, tantivy::columnar::Column<u64>> = HashMap::new();
    let mut out = Vec::with_capacity(top.len());
    for (_, addr) in top {
        let column = match columns.get(&addr.segment_ord) {
            Some(c) => c,
            None => {
                let c = searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .u64(fields::DOC_ORD)?;
                columns.entry(addr.segment_ord).or_insert(c)
            }
        };
        out.push(column.first(addr.doc_id).unwrap_or(u64::MAX));
    }
    Ok(out)
}

pub(super) fn first_str(doc: &TantivyDocument, field: Field) -> Option<&str> {
    doc.get_first(field).and_then(|v| v.as_str())
}

pub(super) fn first_u64(doc: &TantivyDocument, field: Field) -> u64 {
    doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
}

/// Document counts by kind, year and assigned theme over the matching
/// documents (one representative passage each).
pub(super) fn facets<'a>(
    searcher: &tantivy::Searcher,
    f: &Fields,
    reps: impl Iterator<Item = &'a DocAddress>,
) -> Result<Facets, IndexError> {
    let mut kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut year: BTreeMap<String, usize> = BTreeMap::new();
    let mut theme: BTreeMap<String, usize> = BTreeMap::new();
    for addr in reps {
        let doc: TantivyDocument = searcher.doc(*addr)?;
        if let Some(k) = first_str(&doc, f.kind) {
            *kind.entry(k.to_string()).or_default() += 1;
        }
        if let Some(y) = doc.get_first(f.year).and_then(|v| v.as_i64()) {
            *year.entry(y.to_string()).or_default() += 1;
        }
        for v in doc.get_all(f.doc_theme) {
            if let Some(t) = v.as_str() {
                *theme.entry(t.to_string()).or_default() += 1;
            }
        }
    }
    let ranked = |m: BTreeMap<String, usize>| {
        let mut v: Vec<FacetCount> = m
            .into_iter()
            .map(|(value, documents)| FacetCount { value, documents })
            .collect();
        // Stable sort: equal counts stay in value order.
        v.sort_by_key(|f| std::cmp::Reverse(f.documents));
        v
    };
    Ok(Facets {
        kind: ranked(kind),
        year: ranked(year),
        theme: ranked(theme),
    })
}
