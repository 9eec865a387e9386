//! Index: one tantivy document per passage (text, page, section, document
//! metadata, theme and agency facets); search with query syntax, filters,
//! results grouped by document with highlighted snippets and facet counts.
//!
//! STUB: interface only; the index helper replaces this.

use crate::model::*;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("invalid query: {0}")]
    Query(String),
    #[error("no search index at {0}: run `ystorfa build` first")]
    Missing(String),
}

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
    /// Max number of documents (groups) returned.
    pub limit: usize,
}

/// One matching passage.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    pub passage: usize,
    pub page: u32,
    pub section: String,
    pub score: f32,
    /// Snippet text with no markup.
    pub snippet: String,
    /// Byte ranges in `snippet` to highlight.
    pub highlights: Vec<(usize, usize)>,
}

/// Hits in one document.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DocHits {
    pub doc_id: String,
    pub file: String,
    pub title: String,
    pub kind: String,
    pub year: Option<i32>,
    pub score: f32,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SearchResults {
    pub query: String,
    pub total_passages: usize,
    pub total_documents: usize,
    pub documents: Vec<DocHits>,
}

/// Write a fresh index of `docs` into the (empty) directory `dir`.
pub fn build_in_dir(dir: &Path, docs: &[ProcessedDoc]) -> Result<IndexStats, IndexError> {
    let _ = (dir, docs);
    Ok(IndexStats::default())
}

/// Open the index in `dir`.
pub fn open(dir: &Path) -> Result<tantivy::Index, IndexError> {
    if !dir.exists() {
        return Err(IndexError::Missing(dir.display().to_string()));
    }
    Ok(tantivy::Index::open_in_dir(dir)?)
}

/// Run a search.
pub fn search(index: &tantivy::Index, req: &SearchRequest) -> Result<SearchResults, IndexError> {
    let _ = (index, req);
    Ok(SearchResults::default())
}
