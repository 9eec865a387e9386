//! Export: renders the learning repository from [`ProcessedDoc`]s as JSON
//! Lines (`documents.jsonl`, `recommendations.jsonl`, `tags.jsonl`),
//! sorted and byte-deterministic. Pure: returns file names and bytes; the
//! pipeline writes them.
//!
//! STUB: interface only; the export helper replaces this.

use crate::model::*;

/// The repository files: (file name, bytes), in a fixed order.
pub fn repository_files(docs: &[ProcessedDoc]) -> Vec<(String, Vec<u8>)> {
    let _ = docs;
    vec![]
}
