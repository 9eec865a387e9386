//! What the server answers from: a [`Snapshot`] of one generation of the
//! output folder (the index, the documents table, the vocabulary, theme
//! statistics and the recommendations compactly; other rows read on
//! demand), read through a [`Reader`] pinned to that generation, loaded off
//! the request path and swapped in whole when `OUT/current` moves to a new
//! generation, so a build never shows half-replaced data. A reload costs a
//! new reader and these small tables, never a copy of the repository.

use super::groups::GroupTable;
use super::recs::RecTable;
use super::rows::{CACHED_DOCUMENTS, DocRowsReader};
use crate::export::{
    ActionRow, DocumentRow, EvidenceRow, ExportError, RecommendationRow, TagRow, Vocabulary,
    VocabularyTheme,
};
use crate::index::{IndexError, SearchIndex};
use crate::model::ProcessedDoc;
use crate::store::{self, DocFile, Reader, RowLocation, StoreError};
use std::borrow::Cow;
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
    #[error("{0}: run ystorfa build again with this version")]
    Outdated(String),
    #[error("cannot write the in-memory documents: {0}")]
    Write(String),
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

/// One generation, loaded: the index, the documents table, the vocabulary,
/// per-theme figures and the recommendations compactly. A document's tags
/// and recommendations are read from the store when a page needs them
/// ([`Snapshot::tags`], [`Snapshot::doc_recommendations`]); no table is
/// held whole but `documents`.
pub struct Snapshot {
    /// Name of the generation folder (`.gen/<id>`).
    pub generation: String,
    pub index: SearchIndex,
    /// In `documents` table order (a document's ordinal is its position).
    pub documents: Vec<DocumentRow<'static>>,
    doc_pos: HashMap<String, usize>,
    /// Every recommendation, compactly (texts stay in the store).
    pub recommendations: RecTable,
    /// Documents' rows on demand, from the generation (pinned while the
    /// snapshot lives).
    rows: DocRowsReader,
    pub vocabulary: Vocabulary,
    /// By theme id.
    pub theme_stats: HashMap<String, ThemeStats>,
    /// Agency ids to labels.
    agency_labels: HashMap<String, String>,
    /// The recurring recommendations, most documents first (none for a
    /// build that did not group them); their members are read on demand.
    pub groups: GroupTable,
    /// The output folder of an in-memory snapshot, removed with it.
    _temp: Option<tempfile::TempDir>,
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
    /// Load the generation `OUT/current` points to: the index, the
    /// documents, and one pass over the recommendations and the evidence
    /// digest; never the tags.
    pub fn load(out: &Path) -> Result<Snapshot, LoadError> {
        let started = std::time::Instant::now();
        let phase = |what: &str| {
            tracing::debug!(
                "snapshot: {what} at {:.3} s",
                started.elapsed().as_secs_f64()
            )
        };
        let reader = Reader::open(out)?;
        let documents: Vec<DocumentRow<'static>> = reader.read_all(DocFile::Documents)?;
        let doc_pos: HashMap<String, usize> = documents
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.to_string(), i))
            .collect();
        let locations = locations(&reader, &documents)?;
        phase("documents and manifest read");
        // Four independent reads, side by side: the recommendations, the
        // index's document table, the recurring recommendations, the
        // evidence digest.
        let (recommendations, index, groups, theme_stats) = std::thread::scope(|s| {
            let recs = s.spawn(|| {
                // Newest documents first, then by id.
                let key = |d: usize| (std::cmp::Reverse(documents[d].year), &documents[d].id);
                let r = RecTable::load(&reader, |id| doc_pos.get(id).copied(), key);
                phase("recommendations read");
                r
            });
            let index = s.spawn(|| {
                let i = SearchIndex::open(&reader.search_dir());
                phase("index opened");
                i
            });
            let groups = s.spawn(|| {
                let g = GroupTable::load(&reader);
                phase("recurring recommendations read");
                g
            });
            let stats = theme_stats(&reader, &documents);
            phase("evidence digest read");
            let recs = recs.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            let index = index
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            let groups = groups
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (recs, index, groups, stats)
        });
        let (recommendations, index, groups, mut theme_stats) =
            (recommendations?, index?, groups?, theme_stats?);
        count_recommendations(&mut theme_stats, &recommendations);
        // Built by an older version: the default rules' labels.
        let vocabulary = reader
            .vocabulary()?
            .unwrap_or_else(|| Vocabulary::of(&crate::rules::RuleSet::default_rules()));
        let agency_labels = vocabulary
            .agencies
            .iter()
            .map(|a| (a.id.clone(), a.label.clone()))
            .collect();
        Ok(Snapshot {
            generation: reader.generation().to_string(),
            index,
            documents,
            doc_pos,
            recommendations,
            rows: DocRowsReader::new(reader, locations, CACHED_DOCUMENTS),
            vocabulary,
            theme_stats,
            agency_labels,
            groups,
            _temp: None,
        })
    }

    /// A snapshot of processed documents held in memory (tests, demos):
    /// written as `build` would write them into a temporary output folder
    /// (removed with the snapshot), then loaded from it.
    pub fn from_docs(
        docs: &[ProcessedDoc],
        rules: &crate::rules::RuleSet,
    ) -> Result<Snapshot, LoadError> {
        let temp = tempfile::tempdir().map_err(|e| LoadError::Write(e.to_string()))?;
        crate::pipeline::write_processed(temp.path(), docs, rules)
            .map_err(|e| LoadError::Write(e.to_string()))?;
        let mut snap = Snapshot::load(temp.path())?;
        snap._temp = Some(temp);
        Ok(snap)
    }

    /// A document's ordinal by id.
    pub fn ordinal(&self, id: &str) -> Option<usize> {
        self.doc_pos.get(id).copied()
    }

    /// A document row by id.
    pub fn document(&self, id: &str) -> Option<&DocumentRow<'static>> {
        self.ordinal(id).map(|i| &self.documents[i])
    }

    /// The tag rows of document `ord`, read from the store (or the cache
    /// of the documents read last).
    pub fn tags(&self, ord: usize) -> Result<Arc<Vec<TagRow<'static>>>, LoadError> {
        self.rows.tags(ord)
    }

    /// The recommendation rows of document `ord`, read from the store (or
    /// the cache of the documents read last).
    pub fn doc_recommendations(
        &self,
        ord: usize,
    ) -> Result<Arc<Vec<RecommendationRow<'static>>>, LoadError> {
        self.rows.recommendations(ord)
    }

    /// The action-plan rows of document `ord`, read from the store (or the
    /// cache of the documents read last).
    pub fn doc_action_plans(&self, ord: usize) -> Result<Arc<Vec<ActionRow<'static>>>, LoadError> {
        self.rows.action_plans(ord)
    }

    /// Documents whose tags, and whose recommendations, are held parsed
    /// now (each at most [`CACHED_DOCUMENTS`]).
    pub fn cached_documents(&self) -> (usize, usize) {
        self.rows.cached_documents()
    }

    /// The generation's reader (rows streamed on demand).
    pub fn reader(&self) -> &Reader {
        self.rows.reader()
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

/// Where each document's rows are, by ordinal, from the manifest.
fn locations(
    reader: &Reader,
    documents: &[DocumentRow<'static>],
) -> Result<Vec<RowLocation>, LoadError> {
    let manifest = reader.manifest()?;
    let mut by_id: HashMap<String, RowLocation> = manifest
        .documents()
        .map(|r| (r.doc_id.clone(), r.rows.clone()))
        .collect();
    documents
        .iter()
        .map(|d| {
            by_id.remove(d.id.as_ref()).ok_or_else(|| {
                LoadError::Outdated(format!(
                    "the manifest does not say where the rows of document {} are",
                    d.id
                ))
            })
        })
        .collect()
}

/// Per-theme figures: documents and years from the documents, hits and the
/// strongest passages from the `evidence` digest (each document's strongest
/// two per theme); the recommendations are counted by
/// [`count_recommendations`].
fn theme_stats(
    reader: &Reader,
    documents: &[DocumentRow<'static>],
) -> Result<HashMap<String, ThemeStats>, LoadError> {
    let mut stats: HashMap<String, ThemeStats> = HashMap::new();
    let mut years: HashMap<&str, BTreeMap<String, usize>> = HashMap::new();
    for d in documents {
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
    // By theme: the weight of the weakest passage kept, once the list is
    // full.
    let mut floor: HashMap<String, f64> = HashMap::new();
    let mut lines = reader.rows(DocFile::Evidence)?;
    while let Some(line) = lines.next() {
        let line = line?;
        let row: EvidenceRow =
            serde_json::from_slice(&line).map_err(|e| StoreError::Unreadable {
                path: lines.position(),
                message: e.to_string(),
            })?;
        if !stats.contains_key(row.theme.as_ref()) {
            stats.insert(row.theme.to_string(), ThemeStats::default());
        }
        let s = stats.get_mut(row.theme.as_ref()).expect("inserted");
        s.hits += row.hits;
        for p in row.passages {
            // Weaker than the list's last, with the list full: it can
            // never be kept (rows are parsed borrowed; only a passage
            // that may be kept is copied).
            if s.evidence.len() >= EVIDENCE_PER_THEME
                && floor.get(row.theme.as_ref()).is_some_and(|&f| p.weight < f)
            {
                continue;
            }
            s.evidence.push(Evidence {
                doc_id: row.doc_id.to_string(),
                passage: p.passage,
                page: p.page,
                section: p.section.into_owned(),
                weight: p.weight,
                matched: p.matched.into_iter().map(Cow::into_owned).collect(),
            });
        }
        // Keep the list short while streaming: the strongest first.
        if s.evidence.len() > 4 * EVIDENCE_PER_THEME {
            strongest(&mut s.evidence);
            if let Some(last) = s.evidence.last() {
                floor.insert(row.theme.to_string(), last.weight);
            }
        }
    }
    for s in stats.values_mut() {
        strongest(&mut s.evidence);
    }
    Ok(stats)
}

/// Each theme's recommendations, from the compact table.
fn count_recommendations(stats: &mut HashMap<String, ThemeStats>, recs: &RecTable) {
    let mut per_theme = vec![0usize; recs.themes.len()];
    for r in &recs.recs {
        for &t in r.themes.iter() {
            per_theme[t as usize] += 1;
        }
    }
    for (t, n) in per_theme.into_iter().enumerate() {
        stats
            .entry(recs.themes.name(t as u32).to_string())
            .or_default()
            .recommendations += n;
    }
}

/// Sort evidence strongest first (then by document and passage) and keep
/// [`EVIDENCE_PER_THEME`].
fn strongest(ev: &mut Vec<Evidence>) {
    ev.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.doc_id.cmp(&b.doc_id))
            .then(a.passage.cmp(&b.passage))
    });
    ev.truncate(EVIDENCE_PER_THEME);
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
