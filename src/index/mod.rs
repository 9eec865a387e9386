//! Index: one tantivy document per passage (text, page, section, document
//! metadata, theme and agency facets); search with query syntax, filters,
//! results grouped by document with highlighted snippets and facet counts.
//!
//! Owns the search schema (field names are part of the query language, see
//! [`fields`]), the analyzers, index building ([`build_in_dir`],
//! [`build_in_ram`]), opening ([`open`]) and searching ([`search`]).
//!
//! # Query language
//!
//! Queries use tantivy's query syntax over the passage text, the document
//! title and the section trail:
//!
//! * words are matched after stemming (`assessments` finds `assessment`),
//!   case and accents folded (`ŵ` matches `w`);
//! * **every word must match** (AND is the default, which is what review
//!   panels expect); write `OR` for alternatives: `strangulation OR choking`;
//!   `a OR b c` means `(a OR b) AND c`;
//! * `"risk assessment"` is a phrase, `"risk assessment"~2` allows two words
//!   in between;
//! * `NOT word` or `-word` excludes, `+word` requires, parentheses group;
//! * field filters: `theme:coercive_control` (a theme tagged in the passage),
//!   `doc_theme:coercive_control` (a theme assigned to the whole document),
//!   `kind:dhr`, `year:2021`, `year:[2019 TO 2023]`,
//!   `section:recommendations` (the kind of section), `agency:police`,
//!   `is_recommendation:true`, `title:…`, `text:…`, `trail:…`, `area:…`,
//!   `language:cy`, `page:12`, `doc:<document id>`.
//!
//! * `word~1` (an unquoted word with a distance) matches words within that
//!   many edits (at most 2) of it after stemming: `assesment~1`. Fuzzy hits
//!   are not highlighted in snippets.

use crate::model::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
    Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer,
};
use tantivy::{DocAddress, DocId, Index, IndexWriter, Score, SegmentOrdinal, TantivyDocument};

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("invalid query: {0}")]
    Query(String),
    #[error("no search index at {0}: run `ystorfa build` first")]
    Missing(String),
}

/// Field names of the passage index; they are also the field filters of the
/// query language.
pub mod fields {
    /// Document id (exact).
    pub const DOC: &str = "doc";
    /// Position of the document in the index (internal, fast field).
    pub const DOC_ORD: &str = "doc_ord";
    /// Input path (exact).
    pub const FILE: &str = "file";
    /// Document title (analysed text).
    pub const TITLE: &str = "title";
    /// Document kind: `dhr`, `cpr`, `pfd`, ... (keyword).
    pub const KIND: &str = "kind";
    /// Publication year (i64, indexed and fast: ranges work).
    pub const YEAR: &str = "year";
    /// Area (keyword, lower-cased).
    pub const AREA: &str = "area";
    /// `en`, `cy`, `en+cy` (keyword).
    pub const LANGUAGE: &str = "language";
    /// Section kind of the passage: `recommendations`, `analysis`, ... (keyword).
    pub const SECTION: &str = "section";
    /// Heading trail of the passage (analysed text).
    pub const TRAIL: &str = "trail";
    /// Page the passage starts on (u64).
    pub const PAGE: &str = "page";
    /// Index of the passage in the document (u64, stored only).
    pub const PASSAGE: &str = "passage";
    /// Passage kind: `paragraph`, `list_item`, ... (keyword).
    pub const PASSAGE_KIND: &str = "passage_kind";
    /// Passage text (analysed, with positions; stored for snippets).
    pub const TEXT: &str = "text";
    /// Themes with present evidence in the passage (keyword, multi-valued).
    pub const THEME: &str = "theme";
    /// Themes assigned to the whole document (keyword, multi-valued).
    pub const DOC_THEME: &str = "doc_theme";
    /// Agencies addressed by a recommendation overlapping the passage.
    pub const AGENCY: &str = "agency";
    /// True when the passage overlaps a recommendation.
    pub const IS_RECOMMENDATION: &str = "is_recommendation";
}

/// Name of the English analyzer: simple tokenizer, long tokens removed,
/// lower-cased, ASCII-folded, English stemmer.
pub const ANALYZER_EN: &str = "ystorfa_en";
/// Name of the keyword analyzer: the whole value as one lower-cased token.
pub const ANALYZER_KEYWORD: &str = "ystorfa_keyword";

/// Writer memory budget in bytes.
const WRITER_MEMORY: usize = 50_000_000;
/// Longest snippet, in bytes of the passage text.
const SNIPPET_CHARS: usize = 200;
/// Documents listed when a request says `limit: 0`.
pub const DEFAULT_LIMIT: usize = 20;
/// Most passages fetched to fill the document groups.
const MAX_PASSAGES_FETCHED: usize = 100_000;

/// Counts from writing an index.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct IndexStats {
    pub documents: usize,
    pub passages: usize,
}

/// A search request.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    /// Max number of documents (groups) returned; 0 means [`DEFAULT_LIMIT`].
    pub limit: usize,
    /// Max hits listed per document; 0 means all hits found.
    pub per_document: usize,
}

/// One matching passage.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    /// Index of the passage in the document.
    pub passage: usize,
    pub page: u32,
    /// Heading trail ("5 Analysis › 5.3 Police").
    pub section: String,
    /// Section kind ("analysis").
    pub section_kind: String,
    pub score: f32,
    /// Snippet text with no markup (whitespace collapsed, `…` where cut).
    pub snippet: String,
    /// Byte ranges in `snippet` to highlight.
    pub highlights: Vec<(usize, usize)>,
    /// The snippet, HTML-escaped, highlights in `<mark>`.
    pub snippet_html: String,
    /// True when the passage is (part of) a recommendation.
    pub is_recommendation: bool,
}

/// Hits in one document.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DocHits {
    pub doc_id: String,
    pub file: String,
    pub title: String,
    pub kind: String,
    pub year: Option<i32>,
    /// Score of the best hit.
    pub score: f32,
    /// Matching passages of this document among the passages fetched
    /// (at least `hits.len()`).
    pub matched_passages: usize,
    /// Best first.
    pub hits: Vec<Hit>,
}

/// A facet value and the number of matching documents having it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FacetCount {
    pub value: String,
    pub documents: usize,
}

/// Document counts over the whole result set, most frequent first.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Facets {
    pub kind: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
    /// Themes assigned to the matching documents.
    pub theme: Vec<FacetCount>,
}

/// What [`search`] returns (also the `ystorfa search --json` output):
///
/// ```json
/// { "query": "...", "total_passages": 12, "total_documents": 3,
///   "documents": [ { "doc_id": "d…", "file": "…", "title": "…", "kind": "dhr",
///                    "year": 2021, "score": 7.1, "matched_passages": 5,
///                    "hits": [ { "passage": 14, "page": 12,
///                                "section": "5 Analysis › 5.3 Police",
///                                "section_kind": "analysis", "score": 7.1,
///                                "snippet": "…", "highlights": [[4, 9]],
///                                "snippet_html": "…<mark>…</mark>…",
///                                "is_recommendation": false } ] } ],
///   "facets": { "kind": [{"value": "dhr", "documents": 2}], "year": [...], "theme": [...] } }
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SearchResults {
    pub query: String,
    /// Passages matching the query.
    pub total_passages: usize,
    /// Distinct documents with at least one matching passage.
    pub total_documents: usize,
    /// Best document first, at most `limit`.
    pub documents: Vec<DocHits>,
    pub facets: Facets,
}

/// The fields of the schema, resolved once.
#[derive(Debug, Clone, Copy)]
struct Fields {
    doc: Field,
    doc_ord: Field,
    file: Field,
    title: Field,
    kind: Field,
    year: Field,
    area: Field,
    language: Field,
    section: Field,
    trail: Field,
    page: Field,
    passage: Field,
    passage_kind: Field,
    text: Field,
    theme: Field,
    doc_theme: Field,
    agency: Field,
    is_recommendation: Field,
}

impl Fields {
    fn from_schema(schema: &Schema) -> Result<Fields, IndexError> {
        let get = |name: &str| {
            schema.get_field(name).map_err(|_| {
                IndexError::Tantivy(tantivy::TantivyError::SchemaError(format!(
                    "the index has no field {name:?}: it was written by another version; run `ystorfa build` again"
                )))
            })
        };
        use fields::*;
        Ok(Fields {
            doc: get(DOC)?,
            doc_ord: get(DOC_ORD)?,
            file: get(FILE)?,
            title: get(TITLE)?,
            kind: get(KIND)?,
            year: get(YEAR)?,
            area: get(AREA)?,
            language: get(LANGUAGE)?,
            section: get(SECTION)?,
            trail: get(TRAIL)?,
            page: get(PAGE)?,
            passage: get(PASSAGE)?,
            passage_kind: get(PASSAGE_KIND)?,
            text: get(TEXT)?,
            theme: get(THEME)?,
            doc_theme: get(DOC_THEME)?,
            agency: get(AGENCY)?,
            is_recommendation: get(IS_RECOMMENDATION)?,
        })
    }
}

/// The passage index schema.
pub fn schema() -> Schema {
    use fields::*;
    let en = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_EN)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let keyword = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_KEYWORD)
                .set_index_option(IndexRecordOption::Basic),
        )
        .set_stored();
    let mut b = Schema::builder();
    b.add_text_field(DOC, STRING | STORED);
    b.add_u64_field(DOC_ORD, tantivy::schema::FAST);
    b.add_text_field(FILE, STRING | STORED);
    b.add_text_field(TITLE, en.clone());
    b.add_text_field(KIND, keyword.clone());
    b.add_i64_field(YEAR, INDEXED | STORED | tantivy::schema::FAST);
    b.add_text_field(AREA, keyword.clone());
    b.add_text_field(LANGUAGE, keyword.clone());
    b.add_text_field(SECTION, keyword.clone());
    b.add_text_field(TRAIL, en.clone());
    b.add_u64_field(PAGE, INDEXED | STORED);
    b.add_u64_field(PASSAGE, STORED);
    b.add_text_field(PASSAGE_KIND, keyword.clone());
    b.add_text_field(TEXT, en);
    b.add_text_field(THEME, keyword.clone());
    b.add_text_field(DOC_THEME, keyword.clone());
    b.add_text_field(AGENCY, keyword);
    b.add_bool_field(IS_RECOMMENDATION, INDEXED | STORED);
    b.build()
}

/// Register the analyzers the schema names; needed on every opened index
/// (tantivy does not persist analyzers).
fn register_analyzers(index: &Index) {
    let en = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build();
    let keyword = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(ANALYZER_EN, en);
    index.tokenizers().register(ANALYZER_KEYWORD, keyword);
}

/// Write a fresh index of `docs` into the (empty) directory `dir`.
pub fn build_in_dir(dir: &Path, docs: &[ProcessedDoc]) -> Result<IndexStats, IndexError> {
    let index = Index::create_in_dir(dir, schema())?;
    fill(&index, docs)
}

/// Build an index of `docs` in memory (tests, one-off searches).
pub fn build_in_ram(docs: &[ProcessedDoc]) -> Result<Index, IndexError> {
    let index = Index::create_in_ram(schema());
    fill(&index, docs)?;
    Ok(index)
}

/// Open the index in `dir`.
pub fn open(dir: &Path) -> Result<Index, IndexError> {
    if !dir.exists() {
        return Err(IndexError::Missing(dir.display().to_string()));
    }
    let index = Index::open_in_dir(dir)?;
    register_analyzers(&index);
    Fields::from_schema(&index.schema())?;
    Ok(index)
}

/// Add every passage of `docs` (sorted by document id, passages in order),
/// commit once and wait for merges.
fn fill(index: &Index, docs: &[ProcessedDoc]) -> Result<IndexStats, IndexError> {
    register_analyzers(index);
    let f = Fields::from_schema(&index.schema())?;
    // One indexing thread keeps the insertion order, so equal scores rank
    // in document order.
    let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY)?;
    let mut sorted: Vec<&ProcessedDoc> = docs.iter().collect();
    sorted.sort_by(|a, b| a.document.id.cmp(&b.document.id));
    let mut stats = IndexStats::default();
    for (ord, pd) in sorted.iter().enumerate() {
        stats.documents += 1;
        for tdoc in passage_documents(&f, ord as u64, pd) {
            writer.add_document(tdoc)?;
            stats.passages += 1;
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(stats)
}

/// The tantivy documents of one processed document, one per passage.
fn passage_documents(f: &Fields, ord: u64, pd: &ProcessedDoc) -> Vec<TantivyDocument> {
    let d = &pd.document;
    // Themes with present evidence, by passage.
    let mut themes: HashMap<usize, Vec<&str>> = HashMap::new();
    for t in pd.tags.iter().filter(|t| t.polarity == Polarity::Present) {
        let v = themes.entry(t.passage).or_default();
        if !v.contains(&t.theme.as_str()) {
            v.push(&t.theme);
        }
    }
    let mut out = Vec::with_capacity(d.passages.len());
    for p in &d.passages {
        let Some(text) = d.text.get(p.start..p.end) else {
            continue;
        };
        let mut t = TantivyDocument::default();
        t.add_text(f.doc, &d.id);
        t.add_u64(f.doc_ord, ord);
        t.add_text(f.file, &d.file);
        t.add_text(f.title, &d.title);
        t.add_text(f.kind, d.kind.as_str());
        if let Some(y) = d.year {
            t.add_i64(f.year, i64::from(y));
        }
        if let Some(a) = &d.area {
            t.add_text(f.area, a);
        }
        t.add_text(f.language, &d.language);
        let section = d.sections.get(p.section);
        t.add_text(
            f.section,
            section.map(|s| s.kind).unwrap_or_default().as_str(),
        );
        t.add_text(
            f.trail,
            section.map(|s| s.trail_string()).unwrap_or_default(),
        );
        t.add_u64(f.page, u64::from(p.page));
        t.add_u64(f.passage, p.index as u64);
        t.add_text(f.passage_kind, passage_kind_str(p.kind));
        t.add_text(f.text, text);
        for th in themes.get(&p.index).into_iter().flatten() {
            t.add_text(f.theme, th);
        }
        for th in &pd.themes {
            t.add_text(f.doc_theme, th);
        }
        let mut agencies: Vec<&str> = Vec::new();
        let mut is_rec = false;
        for r in &pd.recommendations {
            if r.start < p.end && p.start < r.end {
                is_rec = true;
                for a in &r.agencies {
                    if !agencies.contains(&a.as_str()) {
                        agencies.push(a);
                    }
                }
            }
        }
        for a in agencies {
            t.add_text(f.agency, a);
        }
        t.add_bool(f.is_recommendation, is_rec);
        out.push(t);
    }
    out
}

fn passage_kind_str(k: PassageKind) -> &'static str {
    match k {
        PassageKind::Paragraph => "paragraph",
        PassageKind::ListItem => "list_item",
        PassageKind::Heading => "heading",
        PassageKind::TableRow => "table_row",
    }
}

/// Collects, over every matching passage, the count and the first passage
/// address of each distinct document (by `doc_ord`).
struct DistinctDocs;

struct DistinctDocsSegment {
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

/// Parse `query` with the index's query parser: default fields text, title
/// and trail; AND between words unless `OR` is written; `word~N` (an
/// unquoted single word with a distance) is a fuzzy term query with edit
/// distance N (at most 2).
fn parse(
    index: &Index,
    f: &Fields,
    query: &str,
) -> Result<Box<dyn tantivy::query::Query>, IndexError> {
    use tantivy::query_grammar::{UserInputAst, UserInputLeaf};
    if query.trim().is_empty() {
        return Err(IndexError::Query("the query is empty".into()));
    }
    // The query grammar recurses on nesting; keep pathological input away.
    let depth = query
        .chars()
        .filter(|c| matches!(c, '(' | '[' | '{'))
        .count();
    if depth > 100 || query.len() > 10_000 {
        return Err(IndexError::Query(format!(
            "the query is too long or too deeply nested ({} bytes, {depth} brackets)",
            query.len()
        )));
    }
    let err =
        |e: tantivy::query::QueryParserError| IndexError::Query(query_error_message(&e, query));
    let ast = tantivy::query_grammar::parse_query(query)
        .map_err(|_| err(tantivy::query::QueryParserError::SyntaxError(query.into())))?;

    let ast = group_mixed_operators(ast);

    let parser = |fuzzy: Option<u8>| {
        let mut qp = tantivy::query::QueryParser::for_index(index, vec![f.text, f.title, f.trail]);
        qp.set_conjunction_by_default();
        qp.set_field_boost(f.title, 1.5);
        qp.set_field_boost(f.trail, 1.2);
        if let Some(d) = fuzzy {
            for field in [f.text, f.title, f.trail] {
                qp.set_field_fuzzy(field, false, d, true);
            }
        }
        qp
    };

    /// The word and edit distance of a fuzzy literal (`word~N`, unquoted;
    /// the grammar keeps the `~N` inside the word).
    fn fuzzy_word(phrase: &str) -> Option<(&str, u32)> {
        let (word, n) = phrase.rsplit_once('~')?;
        if word.is_empty() || word.contains(['~', ' ']) || n.is_empty() || n.len() > 3 {
            return None;
        }
        if !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some((word, n.parse().ok()?))
    }
    fn fuzzy_distance(ast: &UserInputAst) -> Option<u32> {
        match ast {
            UserInputAst::Leaf(leaf) => match leaf.as_ref() {
                UserInputLeaf::Literal(l)
                    if l.delimiter == tantivy::query_grammar::Delimiter::None =>
                {
                    fuzzy_word(&l.phrase).map(|(_, d)| d)
                }
                _ => None,
            },
            _ => None,
        }
    }
    fn has_fuzzy(ast: &UserInputAst) -> bool {
        match ast {
            UserInputAst::Clause(c) => c.iter().any(|(_, a)| has_fuzzy(a)),
            UserInputAst::Boost(a, _) => has_fuzzy(a),
            leaf => fuzzy_distance(leaf).is_some(),
        }
    }
    type Parser<'a> = dyn Fn(Option<u8>) -> tantivy::query::QueryParser + 'a;
    fn convert(
        ast: UserInputAst,
        parser: &Parser<'_>,
        top: bool,
    ) -> Result<Box<dyn tantivy::query::Query>, tantivy::query::QueryParserError> {
        use tantivy::query::{BooleanQuery, BoostQuery, Occur, QueryParserError};
        if !has_fuzzy(&ast) {
            return parser(None).build_query_from_user_input_ast(ast);
        }
        if let Some(d) = fuzzy_distance(&ast) {
            let UserInputAst::Leaf(mut leaf) = ast else {
                return Err(QueryParserError::UnsupportedQuery("fuzzy".into()));
            };
            if let UserInputLeaf::Literal(l) = leaf.as_mut()
                && let Some((word, _)) = fuzzy_word(&l.phrase)
            {
                l.phrase = word.to_string();
            }
            let d = u8::try_from(d.min(2)).unwrap_or(2);
            return parser(Some(d)).build_query_from_user_input_ast(UserInputAst::Leaf(leaf));
        }
        match ast {
            UserInputAst::Clause(children) => {
                let mut subs = Vec::with_capacity(children.len());
                for (occur, child) in children {
                    subs.push((occur.unwrap_or(Occur::Must), convert(child, parser, false)?));
                }
                if top && subs.iter().all(|(o, _)| *o == Occur::MustNot) {
                    return Err(QueryParserError::AllButQueryForbidden);
                }
                Ok(Box::new(BooleanQuery::new(subs)))
            }
            UserInputAst::Boost(inner, boost) => Ok(Box::new(BoostQuery::new(
                convert(*inner, parser, false)?,
                boost.0 as Score,
            ))),
            leaf => parser(None).build_query_from_user_input_ast(leaf),
        }
    }
    convert(ast, &parser, true).map_err(err)
}

/// Make explicit operators mixed with implicit AND mean what a reader
/// expects. tantivy's grammar turns `a OR b c` into "c, optionally a or b"
/// and `a AND b c` into "c, optionally a and b"; in a clause that mixes
/// implicit (AND by default) and `OR`-joined children, each run of
/// `OR`-joined children becomes one required group: `(a OR b) AND c`,
/// `(a AND b) AND c`.
fn group_mixed_operators(
    ast: tantivy::query_grammar::UserInputAst,
) -> tantivy::query_grammar::UserInputAst {
    use tantivy::query::Occur;
    use tantivy::query_grammar::UserInputAst;
    match ast {
        UserInputAst::Clause(children) => {
            let children: Vec<(Option<Occur>, UserInputAst)> = children
                .into_iter()
                .map(|(o, c)| (o, group_mixed_operators(c)))
                .collect();
            let has_implicit = children.iter().any(|(o, _)| o.is_none());
            let has_should = children.iter().any(|(o, _)| *o == Some(Occur::Should));
            if !(has_implicit && has_should) {
                return UserInputAst::Clause(children);
            }
            let mut out: Vec<(Option<Occur>, UserInputAst)> = Vec::new();
            let mut run: Vec<(Option<Occur>, UserInputAst)> = Vec::new();
            let flush = |run: &mut Vec<(Option<Occur>, UserInputAst)>,
                         out: &mut Vec<(Option<Occur>, UserInputAst)>| {
                match run.len() {
                    0 => {}
                    1 => {
                        if let Some((_, c)) = run.pop() {
                            out.push((Some(Occur::Must), c));
                        }
                    }
                    _ => out.push((Some(Occur::Must), UserInputAst::Clause(std::mem::take(run)))),
                }
            };
            for (o, c) in children {
                if o == Some(Occur::Should) {
                    run.push((o, c));
                } else {
                    flush(&mut run, &mut out);
                    out.push((o, c));
                }
            }
            flush(&mut run, &mut out);
            UserInputAst::Clause(out)
        }
        UserInputAst::Boost(inner, b) => {
            UserInputAst::Boost(Box::new(group_mixed_operators(*inner)), b)
        }
        leaf => leaf,
    }
}

/// A human message for a query the parser rejected.
fn query_error_message(e: &tantivy::query::QueryParserError, query: &str) -> String {
    use tantivy::query::QueryParserError as E;
    let hint = match e {
        E::SyntaxError(_) => {
            return format!(
                "cannot parse {query:?}: check for an unclosed quote, bracket or parenthesis, \
                 or an AND/OR/NOT with nothing after it (ranges are written year:[2019 TO 2023])"
            );
        }
        E::ExpectedInt(_) => {
            return format!(
                "year and page take whole numbers (year:2021, year:[2019 TO 2023]), in query {query:?}"
            );
        }
        E::FieldDoesNotExist(_) => format!(
            " (fields: {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
            fields::TEXT,
            fields::TITLE,
            fields::TRAIL,
            fields::THEME,
            fields::DOC_THEME,
            fields::KIND,
            fields::YEAR,
            fields::SECTION,
            fields::AGENCY,
            fields::AREA,
            fields::LANGUAGE,
            fields::PAGE,
            fields::IS_RECOMMENDATION,
            fields::DOC
        ),
        E::AllButQueryForbidden => {
            " (a query cannot only exclude: add a word or filter to search for)".to_string()
        }
        _ => String::new(),
    };
    format!("{e}{hint}, in query {query:?}")
}

/// Run a search.
pub fn search(index: &Index, req: &SearchRequest) -> Result<SearchResults, IndexError> {
    let f = Fields::from_schema(&index.schema())?;
    let query = parse(index, &f, &req.query)?;
    let reader = index.reader()?;
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
fn doc_ords(
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

fn first_str(doc: &TantivyDocument, field: Field) -> Option<&str> {
    doc.get_first(field).and_then(|v| v.as_str())
}

fn first_u64(doc: &TantivyDocument, field: Field) -> u64 {
    doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
}

/// Document counts by kind, year and assigned theme over the matching
/// documents (one representative passage each).
fn facets<'a>(
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

/// A snippet of `text` around the query terms: whitespace collapsed, `…`
/// where the passage was cut, highlight byte ranges into the snippet. When
/// no query term is in the text (a filter-only query, or a title match),
/// the start of the passage.
fn make_snippet(generator: &SnippetGenerator, text: &str) -> (String, Vec<(usize, usize)>) {
    let s = generator.snippet(text);
    let (range, marks): (std::ops::Range<usize>, Vec<std::ops::Range<usize>>) =
        if s.fragment().is_empty() {
            (0..cut_at_word(text, SNIPPET_CHARS), Vec::new())
        } else {
            let r = s.fragment_range();
            let marks = tantivy::snippet::collapse_overlapped_ranges(s.highlighted())
                .into_iter()
                .map(|m| m.start + r.start..m.end + r.start)
                .collect();
            // Keep leading or trailing punctuation the tokenizer left out.
            let start = if text
                .get(..r.start)
                .is_none_or(|t| t.chars().any(char::is_alphanumeric))
            {
                r.start
            } else {
                0
            };
            let end = if text
                .get(r.end..)
                .is_none_or(|t| t.chars().any(char::is_alphanumeric))
            {
                r.end
            } else {
                text.len()
            };
            (start..end, marks)
        };
    let mut out = String::new();
    let mut highlights = Vec::new();
    if range.start > 0 {
        out.push('…');
    }
    // Copy the fragment collapsing whitespace; map highlight offsets.
    let mut open: Option<usize> = None;
    let mut mi = 0;
    let mut last_space = out.is_empty() || out.ends_with('…');
    let frag = text.get(range.clone()).unwrap_or_default();
    for (i, c) in frag.char_indices() {
        let pos = range.start + i;
        while let Some(m) = marks.get(mi) {
            if pos >= m.end {
                if let Some(s) = open.take() {
                    highlights.push((s, out.len()));
                }
                mi += 1;
                continue;
            }
            if open.is_none() && pos >= m.start {
                open = Some(out.len());
            }
            break;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(c);
            last_space = false;
        }
    }
    if let Some(s) = open {
        highlights.push((s, out.len()));
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    for h in &mut highlights {
        h.1 = h.1.min(out.len());
        h.0 = h.0.min(h.1);
    }
    if range.end < text.trim_end().len() {
        out.push('…');
    }
    (out, highlights)
}

/// Byte length of the longest prefix of `text` with at most `max` bytes that
/// ends at a word boundary (or the whole text).
fn cut_at_word(text: &str, max: usize) -> usize {
    if text.len() <= max {
        return text.len();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => i,
        _ => end,
    }
}

/// Escape `s` for HTML text and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The snippet as HTML: escaped, highlights wrapped in `<mark>`.
fn snippet_html(snippet: &str, highlights: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for &(s, e) in highlights {
        let (Some(before), Some(mark)) = (snippet.get(at..s), snippet.get(s..e)) else {
            continue;
        };
        out.push_str(&html_escape(before));
        out.push_str("<mark>");
        out.push_str(&html_escape(mark));
        out.push_str("</mark>");
        at = e;
    }
    out.push_str(&html_escape(snippet.get(at..).unwrap_or_default()));
    out
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
