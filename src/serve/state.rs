//! What the server answers from: a [`Snapshot`] of one generation of the
//! output folder (index, repository rows, vocabulary, theme statistics),
//! read through a [`Reader`] pinned to that generation, loaded off the
//! request path and swapped in whole when `OUT/current` moves to a new
//! generation, so a build never shows half-replaced data.

use crate::export::{
    self, DocumentRow, ExportError, RecommendationRow, TagRow, Vocabulary, VocabularyTheme,
};
use crate::index::{IndexError, SearchIndex};
use crate::model::{Polarity, ProcessedDoc};
use crate::store::{self, DocFile, Reader, StoreError};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Repository(#[from] ExportError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// A passage that is strong evidence for a theme.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evidence {
    pub doc_id: String,
    pub passage: usize,
    pub page: u32,
    pub section: String,
    /// Sum of the present hits' weights in the passage.
    pub weight: f64,
    /// The words matched, as written, distinct, in order of appearance.
    pub matched: Vec<String>,
}

/// Per-theme figures, computed once per snapshot.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ThemeStats {
    /// Documents carrying the theme.
    pub documents: usize,
    /// Those documents by year ("unknown" for none), in year order.
    pub by_year: Vec<(String, usize)>,
    /// Recommendations with present evidence for the theme.
    pub recommendations: usize,
    /// Present hits over all documents.
    pub hits: usize,
    /// The strongest passages, strongest first.
    pub evidence: Vec<Evidence>,
}

/// One generation, loaded.
pub struct Snapshot {
    /// Name of the generation folder (`.gen/<id>`), or "in-memory".
    pub generation: String,
    /// The generation, pinned while the snapshot is served (`None` in memory).
    _store: Option<Reader>,
    pub index: SearchIndex,
    /// In `documents.jsonl` order.
    pub documents: Vec<DocumentRow<'static>>,
    doc_pos: HashMap<String, usize>,
    pub recommendations: Vec<RecommendationRow<'static>>,
    /// By document id, in `tags.jsonl` order.
    pub tags: HashMap<String, Vec<TagRow<'static>>>,
    pub vocabulary: Vocabulary,
    /// By theme id.
    pub theme_stats: HashMap<String, ThemeStats>,
    /// Agency ids to labels.
    agency_labels: HashMap<String, String>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("generation", &self.generation)
            .field("documents", &self.documents.len())
            .finish_non_exhaustive()
    }
}

/// Evidence passages kept per theme.
const EVIDENCE_PER_THEME: usize = 8;

impl Snapshot {
    /// Load the generation `OUT/current` points to.
    pub fn load(out: &Path) -> Result<Snapshot, LoadError> {
        let reader = Reader::open(out)?;
        let documents = reader.read_all(DocFile::Documents)?;
        let recommendations = reader.read_all(DocFile::Recommendations)?;
        let tags = reader.read_all(DocFile::Tags)?;
        // Built by an older version: the default rules' labels.
        let vocabulary = reader
            .vocabulary()?
            .unwrap_or_else(|| Vocabulary::of(&crate::rules::RuleSet::default_rules()));
        let index = SearchIndex::open(&reader.search_dir())?;
        let mut snap = Snapshot::assemble(
            reader.generation().to_string(),
            index,
            documents,
            recommendations,
            tags,
            vocabulary,
        );
        snap._store = Some(reader);
        Ok(snap)
    }

    /// A snapshot of processed documents held in memory (tests, demos):
    /// the same rows `build` would write, and an in-RAM index.
    pub fn from_docs(
        docs: &[ProcessedDoc],
        rules: &crate::rules::RuleSet,
    ) -> Result<Snapshot, LoadError> {
        let files: HashMap<String, Vec<u8>> = store::repository_files(docs).into_iter().collect();
        let rows = |f: DocFile| -> (&str, String) {
            let name = f.whole_file_name();
            let text = files
                .get(&name)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default();
            (text, name)
        };
        let (text, name) = rows(DocFile::Documents);
        let documents = export::parse_jsonl(text, &name)?;
        let (text, name) = rows(DocFile::Recommendations);
        let recommendations = export::parse_jsonl(text, &name)?;
        let (text, name) = rows(DocFile::Tags);
        let tags = export::parse_jsonl(text, &name)?;
        let index = SearchIndex::from_index(crate::index::build_in_ram(docs)?)?;
        Ok(Snapshot::assemble(
            "in-memory".into(),
            index,
            documents,
            recommendations,
            tags,
            Vocabulary::of(rules),
        ))
    }

    fn assemble(
        generation: String,
        index: SearchIndex,
        documents: Vec<DocumentRow<'static>>,
        recommendations: Vec<RecommendationRow<'static>>,
        tag_rows: Vec<TagRow<'static>>,
        vocabulary: Vocabulary,
    ) -> Snapshot {
        let doc_pos = documents
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.to_string(), i))
            .collect();
        let mut tags: HashMap<String, Vec<TagRow<'static>>> = HashMap::new();
        for t in tag_rows {
            tags.entry(t.doc_id.to_string()).or_default().push(t);
        }
        let agency_labels = vocabulary
            .agencies
            .iter()
            .map(|a| (a.id.clone(), a.label.clone()))
            .collect();
        let mut snap = Snapshot {
            generation,
            _store: None,
            index,
            documents,
            doc_pos,
            recommendations,
            tags,
            vocabulary,
            theme_stats: HashMap::new(),
            agency_labels,
        };
        snap.theme_stats = snap.compute_theme_stats();
        snap
    }

    fn compute_theme_stats(&self) -> HashMap<String, ThemeStats> {
        let mut stats: HashMap<String, ThemeStats> = HashMap::new();
        let mut years: HashMap<&str, BTreeMap<String, usize>> = HashMap::new();
        for d in &self.documents {
            for t in &d.themes {
                stats.entry(t.to_string()).or_default().documents += 1;
                let y = d
                    .year
                    .map_or_else(|| "unknown".to_string(), |y| y.to_string());
                *years.entry(t).or_default().entry(y).or_default() += 1;
            }
        }
        for (t, by_year) in years {
            if let Some(s) = stats.get_mut(t) {
                s.by_year = by_year.into_iter().collect();
            }
        }
        for r in &self.recommendations {
            for t in r.themes.iter() {
                stats.entry(t.clone()).or_default().recommendations += 1;
            }
        }
        // Strongest passages: present hits summed by (theme, document, passage).
        type Key<'a> = (&'a str, &'a str, usize);
        let mut sums: HashMap<Key, (f64, Vec<&str>, u32, &str)> = HashMap::new();
        for (doc_id, tags) in &self.tags {
            for t in tags.iter().filter(|t| t.polarity == Polarity::Present) {
                stats.entry(t.theme.to_string()).or_default().hits += 1;
                let Some(p) = self.index.passage_at(doc_id, t.start) else {
                    continue;
                };
                let e = sums.entry((&t.theme, doc_id, p)).or_insert((
                    0.0,
                    Vec::new(),
                    t.page,
                    &t.section,
                ));
                e.0 += t.weight;
                if !e.1.iter().any(|m| m.eq_ignore_ascii_case(&t.matched)) {
                    e.1.push(&t.matched);
                }
            }
        }
        let mut by_theme: HashMap<&str, Vec<Evidence>> = HashMap::new();
        for ((theme, doc_id, passage), (weight, matched, page, section)) in sums {
            by_theme.entry(theme).or_default().push(Evidence {
                doc_id: doc_id.to_string(),
                passage,
                page,
                section: section.to_string(),
                weight: (weight * 1000.0).round() / 1000.0,
                matched: matched.into_iter().map(str::to_string).collect(),
            });
        }
        for (theme, mut ev) in by_theme {
            ev.sort_by(|a, b| {
                b.weight
                    .total_cmp(&a.weight)
                    .then_with(|| a.doc_id.cmp(&b.doc_id))
                    .then(a.passage.cmp(&b.passage))
            });
            // At most two passages from one document, so one long review
            // does not fill the list.
            let mut per_doc: HashMap<String, usize> = HashMap::new();
            ev.retain(|e| {
                let n = per_doc.entry(e.doc_id.clone()).or_default();
                *n += 1;
                *n <= 2
            });
            ev.truncate(EVIDENCE_PER_THEME);
            if let Some(s) = stats.get_mut(theme) {
                s.evidence = ev;
            }
        }
        stats
    }

    /// A document row by id.
    pub fn document(&self, id: &str) -> Option<&DocumentRow<'static>> {
        self.doc_pos.get(id).map(|&i| &self.documents[i])
    }

    /// A theme of the vocabulary by id.
    pub fn theme(&self, id: &str) -> Option<&VocabularyTheme> {
        self.vocabulary.themes.iter().find(|t| t.id == id)
    }

    /// The label of a theme id (the id itself when unknown).
    pub fn theme_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.theme(id).map_or(id, |t| t.label.as_str())
    }

    /// The label of an agency id (the id itself when unknown).
    pub fn agency_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.agency_labels.get(id).map_or(id, String::as_str)
    }
}

/// The snapshot being served, replaced whole when a build finishes.
#[derive(Debug)]
pub struct Live {
    /// The output folder watched (`None`: a fixed in-memory snapshot).
    pub out: Option<PathBuf>,
    current: RwLock<Arc<Snapshot>>,
}

impl Live {
    pub fn new(out: Option<PathBuf>, snapshot: Snapshot) -> Live {
        Live {
            out,
            current: RwLock::new(Arc::new(snapshot)),
        }
    }

    /// The snapshot to answer one request from.
    pub fn get(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Load the current generation if it is not the one served. Returns the
    /// new generation's name when it was swapped in; on a failure the old
    /// snapshot stays (a build may be half-way: the next check retries).
    pub fn refresh(&self) -> Result<Option<String>, LoadError> {
        let Some(out) = &self.out else {
            return Ok(None);
        };
        let Some(name) = store::current_generation_name(out) else {
            return Ok(None);
        };
        if name == self.get().generation {
            return Ok(None);
        }
        let snap = Snapshot::load(out)?;
        let loaded = snap.generation.clone();
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(snap);
        Ok(Some(loaded))
    }
}
