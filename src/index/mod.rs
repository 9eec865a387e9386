//! Index: one tantivy document per passage (text, page, section, document
//! metadata, theme and agency facets); search with query syntax, filters,
//! results grouped by document with highlighted snippets and facet counts.
//!
//! Owns the search schema (field names are part of the query language, see
//! [`fields`]), the analyzers, index building (a streaming
//! [`PassageWriter`]; [`build_in_dir`], [`build_in_ram`], [`update_in_dir`]),
//! the index's own files ([`live_files`]), opening ([`open`]) and searching
//! ([`search`]).
//! Submodules: `schema`, `build`, `query` (parsing), `search`, `collect`
//! (the search's collectors), `rank` (the order of documents), `snippet`.
//!
//! # Matching and ranking
//!
//! A document matches when one of its passages matches the query (every
//! word in that passage, its title or its section trail). Matching
//! documents are counted exactly and ranked by BM25 of the query's
//! positive words over the whole document (title words 1.5 times), from a
//! document row each document has beside its passages; a search's cost
//! grows with the number of documents, not of passages. Within a
//! document, its matching passages are ranked by their own score.
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
//!   `body:"home office"` (a body addressed by a recommendation in the
//!   passage; `doc_body:` anywhere in the document),
//!   `is_recommendation:true`, `title:…`, `text:…`, `trail:…`, `area:…`,
//!   `language:cy`, `page:12`, `doc:<document id>`;
//! * `word~1` (an unquoted word with a distance) matches words within that
//!   many edits (at most 2) of it after stemming: `assesment~1`. Fuzzy hits
//!   are not highlighted in snippets.

use crate::model::*;
use std::collections::HashMap;
use std::path::Path;
use tantivy::collector::{Collector, SegmentCollector};
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
    #[error("index files that do not match their checksums: {0}")]
    Damaged(String),
}

/// Writer memory budget in bytes.
const WRITER_MEMORY: usize = 50_000_000;
/// Longest snippet, in bytes of the passage text.
const SNIPPET_CHARS: usize = 200;
/// Documents listed when a request says `limit: 0`.
pub const DEFAULT_LIMIT: usize = 20;

/// Counts from writing an index.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct IndexStats {
    pub documents: usize,
    pub passages: usize,
}

/// A search request.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The query (see the module documentation). May be empty when a
    /// filter is given: every passage passing the filters then matches.
    pub query: String,
    /// Facet filters, combined with the query.
    pub filters: SearchFilters,
    /// Max number of documents (groups) returned; 0 means [`DEFAULT_LIMIT`].
    pub limit: usize,
    /// Document groups skipped before the first returned (paging; every
    /// group can be reached).
    pub offset: usize,
    /// Max hits listed per document; 0 means all hits found.
    pub per_document: usize,
}

/// Facet filters of a search. Values of one facet that a document has only
/// one of (kind, area, language, section) are alternatives (any of them);
/// themes and agencies, which a document has many of, must all be present.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SearchFilters {
    /// Documents carrying every one of these themes.
    pub themes: Vec<String>,
    /// Documents of any of these kinds (dhr, cpr, ...).
    pub kinds: Vec<String>,
    /// Documents of this year or later.
    pub year_from: Option<i32>,
    /// Documents of this year or earlier.
    pub year_to: Option<i32>,
    /// Documents from any of these areas.
    pub areas: Vec<String>,
    /// Documents whose recommendations address every one of these agencies.
    pub agencies: Vec<String>,
    /// Documents whose recommendations address every one of these bodies
    /// (canonical names, case-insensitive).
    pub bodies: Vec<String>,
    /// Documents in any of these languages (en, cy, en+cy).
    pub languages: Vec<String>,
    /// Passages in sections of any of these kinds (analysis, recommendations, ...).
    pub sections: Vec<String>,
    /// Only passages that are (part of) a recommendation.
    pub recommendations: bool,
}

impl SearchFilters {
    /// True when no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == SearchFilters::default()
    }
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
    /// The document's ranking score: BM25 of the query's words over the
    /// whole document (see the module documentation); 0 for a search by
    /// filters only.
    pub score: f32,
    /// Passages of this document that match (at least `hits.len()`).
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
    pub area: Vec<FacetCount>,
    /// Agencies addressed by the matching documents' recommendations.
    pub agency: Vec<FacetCount>,
    /// Bodies (canonical names: "Home Office", "Glanmor Police") addressed
    /// by the matching documents' recommendations.
    pub body: Vec<FacetCount>,
    pub language: Vec<FacetCount>,
}

/// What [`search`] returns (also the `ystorfa search --json` output):
///
/// ```json
/// { "query": "...", "filters": { "themes": [], "kinds": ["dhr"], ... },
///   "offset": 0, "limit": 20, "total_documents": 3,
///   "documents": [ { "doc_id": "d…", "file": "…", "title": "…", "kind": "dhr",
///                    "year": 2021, "score": 7.1, "matched_passages": 5,
///                    "hits": [ { "passage": 14, "page": 12,
///                                "section": "5 Analysis › 5.3 Police",
///                                "section_kind": "analysis", "score": 7.1,
///                                "snippet": "…", "highlights": [[4, 9]],
///                                "snippet_html": "…<mark>…</mark>…",
///                                "is_recommendation": false } ] } ],
///   "facets": { "kind": [{"value": "dhr", "documents": 2}], "year": [...], "theme": [...],
///               "area": [...], "agency": [...], "body": [...], "language": [...] } }
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SearchResults {
    pub query: String,
    /// The filters applied.
    pub filters: SearchFilters,
    /// Document groups skipped (paging).
    pub offset: usize,
    /// Most document groups returned.
    pub limit: usize,
    /// Distinct documents with at least one matching passage.
    pub total_documents: usize,
    /// Best document first, at most `limit`, from `offset`.
    pub documents: Vec<DocHits>,
    pub facets: Facets,
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

mod build;
mod collect;
mod docmap;
mod facets;
mod query;
mod rank;
mod schema;
mod search;
mod skip;
mod snippet;

pub use build::{
    IndexDoc, PassageWriter, build_in_dir, build_in_ram, check_complete, check_opens, doc_key,
    is_lock_file, live_files, prepare, update_in_dir,
};
pub use schema::{
    ANALYZER_EN, ANALYZER_KEYWORD, ANALYZER_PAIRS, DocMeta, comparison_analyzer, fields, schema,
};
pub use search::{SearchIndex, StoredPassage, search};
pub use snippet::html_escape;
#[allow(unused_imports)]
use {query::*, schema::*, snippet::*};

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
