//! A document's repository rows read on demand: its tags or its
//! recommendations come from the store when a page needs them (one read at
//! the offsets the manifest records), parsed, and kept in a small cache of
//! the documents read last, per table. The snapshot never holds every row.

use super::state::LoadError;
use crate::export::{ActionRow, ExportError, RecommendationRow, TagRow, parse_jsonl};
use crate::store::{DocFile, Reader, RowLocation};
use std::sync::{Arc, Mutex};

/// Documents whose rows of a table are kept parsed (the pages read last).
pub const CACHED_DOCUMENTS: usize = 32;

/// The last documents' parsed rows of one table, most recently used first.
#[derive(Debug)]
struct Lru<T>(Mutex<lru::LruCache<usize, Arc<Vec<T>>>>);

impl<T> Lru<T> {
    fn new(capacity: usize) -> Lru<T> {
        let capacity = std::num::NonZeroUsize::new(capacity).unwrap_or(std::num::NonZeroUsize::MIN);
        Lru(Mutex::new(lru::LruCache::new(capacity)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, lru::LruCache<usize, Arc<Vec<T>>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, ord: usize) -> Option<Arc<Vec<T>>> {
        self.lock().get(&ord).cloned()
    }

    fn put(&self, ord: usize, rows: Arc<Vec<T>>) {
        self.lock().get_or_insert(ord, || rows);
    }

    fn len(&self) -> usize {
        self.lock().len()
    }
}

/// Reads documents' rows from one generation, by document ordinal (the
/// position in the `documents` table).
#[derive(Debug)]
pub struct DocRowsReader {
    reader: Reader,
    /// Where each document's rows are, by ordinal.
    locations: Vec<RowLocation>,
    tags: Lru<TagRow<'static>>,
    recommendations: Lru<RecommendationRow<'static>>,
    action_plans: Lru<ActionRow<'static>>,
}

impl DocRowsReader {
    /// Keeps the rows of the last `capacity` documents read, per table.
    pub fn new(reader: Reader, locations: Vec<RowLocation>, capacity: usize) -> DocRowsReader {
        DocRowsReader {
            reader,
            locations,
            tags: Lru::new(capacity),
            recommendations: Lru::new(capacity),
            action_plans: Lru::new(capacity),
        }
    }

    /// The generation read from.
    pub fn reader(&self) -> &Reader {
        &self.reader
    }

    /// The tag rows of document `ord`, in table order.
    pub fn tags(&self, ord: usize) -> Result<Arc<Vec<TagRow<'static>>>, LoadError> {
        self.cached(&self.tags, ord, DocFile::Tags)
    }

    /// The recommendation rows of document `ord`, in table order.
    pub fn recommendations(
        &self,
        ord: usize,
    ) -> Result<Arc<Vec<RecommendationRow<'static>>>, LoadError> {
        self.cached(&self.recommendations, ord, DocFile::Recommendations)
    }

    /// The action-plan rows of document `ord`, in table order (none for a
    /// generation written before action plans were read).
    pub fn action_plans(&self, ord: usize) -> Result<Arc<Vec<ActionRow<'static>>>, LoadError> {
        self.cached(&self.action_plans, ord, DocFile::ActionPlans)
    }

    /// Documents whose rows are held parsed now, per table (each at most
    /// the capacity).
    pub fn cached_documents(&self) -> (usize, usize) {
        (self.tags.len(), self.recommendations.len())
    }

    fn cached<T: serde::de::DeserializeOwned>(
        &self,
        lru: &Lru<T>,
        ord: usize,
        file: DocFile,
    ) -> Result<Arc<Vec<T>>, LoadError> {
        if let Some(rows) = lru.get(ord) {
            return Ok(rows);
        }
        let loc = self
            .locations
            .get(ord)
            .ok_or_else(|| LoadError::Outdated(format!("no document number {ord}")))?;
        let bytes = self.reader.doc_rows(loc, file)?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            LoadError::Repository(ExportError::Parse {
                path: file.name().to_string(),
                line: 0,
                message: e.to_string(),
            })
        })?;
        let rows = Arc::new(parse_jsonl(text, file.name())?);
        lru.put(ord, rows.clone());
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_the_documents_read_last() {
        let lru: Lru<usize> = Lru::new(2);
        lru.put(1, Arc::new(vec![1]));
        lru.put(2, Arc::new(vec![2]));
        assert_eq!(lru.get(1).as_deref(), Some(&vec![1]));
        lru.put(3, Arc::new(vec![3]));
        assert_eq!(lru.len(), 2);
        assert!(lru.get(2).is_none(), "the least recently used goes");
        assert!(lru.get(1).is_some() && lru.get(3).is_some());
    }
}
