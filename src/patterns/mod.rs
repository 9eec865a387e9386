//! Patterns: what recurs across documents. This stage owns recurring
//! recommendations: recommendations of different documents that ask for
//! the same thing, grouped deterministically and explainably.
//!
//! How (the settings are the rule file's `[grouping]`, [`Grouping`]):
//!
//! 1. **Words** (`terms`): each recommendation's text through the
//!    index's English analysis with stop words and the rule file's ignored
//!    words left out ([`crate::index::comparison_analyzer`]); each word
//!    weighs its inverse document frequency among all recommendations.
//! 2. **Twins** (`twins`): documents that are one document in two
//!    renderings (a PDF and its Markdown) are one document here; a
//!    recurrence needs two. Translations (`translation_of`) are left out;
//!    a document's own action-plan rows are in the same document.
//! 3. **Alike pairs** (`pairs`): the weight of the words two
//!    recommendations share, over a mean of their weights, at least
//!    `min_similarity`, with at least `min_shared_words` words in common. Found
//!    without comparing all pairs, by prefix filtering over an inverted
//!    index of the words, each text looking under its six rarest words,
//!    keeping its strongest pairs.
//! 4. **Groups** (`cluster`): complete linkage, strongest pairs first:
//!    two groups join only when every pair across them is alike and no
//!    document would appear twice. No chains.
//! 5. **Rows** (`rows`): one line of `recommendation_groups.jsonl` per
//!    group with its members (document, year, addressees, page), the years
//!    it spans, the words and themes that tie it, and every alike pair
//!    with the words it shares (why they were grouped).
//!
//! The stage is pure: it is fed rows (in repository order) and returns
//! bytes; the pipeline reads the rows from the store and writes the file.

mod cluster;
mod pairs;
mod rows;
mod terms;
mod twins;

pub use rows::{GroupAddressee, GroupLink, GroupMember, Member, RecommendationGroupRow};

use crate::export::{DocumentRow, RecommendationRow};
use crate::rules::Grouping;
use std::collections::HashMap;

/// The rows of `recommendation_groups.jsonl` (`origin` names it in
/// errors, with the line).
pub fn parse_groups(
    bytes: &[u8],
    origin: &str,
) -> Result<Vec<RecommendationGroupRow>, crate::export::ExportError> {
    crate::export::parse_jsonl(&String::from_utf8_lossy(bytes), origin)
}

/// The documents a group member names (from `documents.jsonl`).
#[derive(Debug, Clone, PartialEq)]
pub struct DocInfo {
    pub title: String,
    pub kind: crate::model::DocKind,
    pub year: Option<i32>,
}

impl DocInfo {
    pub fn of(row: &DocumentRow<'_>) -> DocInfo {
        DocInfo {
            title: row.title.to_string(),
            kind: row.kind,
            year: row.year,
        }
    }
}

/// Groups recurring recommendations: feed it every document, then every
/// recommendation (both in repository order), then [`Grouper::finish`].
/// A recommendation is analysed ([`Analyser::prepare`], on any thread)
/// before it is pushed in order ([`Grouper::push`]); [`Grouper::add`] does
/// both.
pub struct Grouper {
    settings: Grouping,
    analysis: terms::Analysis,
    words: terms::Words,
    docs: HashMap<String, u32>,
    doc_info: Vec<DocInfo>,
    items: Vec<terms::Item>,
    twins: twins::TwinFinder,
}

impl std::fmt::Debug for Grouper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grouper")
            .field("documents", &self.doc_info.len())
            .field("recommendations", &self.items.len())
            .finish()
    }
}

/// Analyses recommendations for a [`Grouper`]; each thread has its own.
#[derive(Clone)]
pub struct Analyser(terms::Analysis);

/// A recommendation analysed, waiting to be pushed in order.
#[derive(Debug)]
pub struct Prepared {
    id: String,
    doc_id: String,
    /// A translation is left out.
    translation: bool,
    twin: Option<u64>,
    analysed: terms::Analysed,
}

impl Analyser {
    /// Analyse one recommendation: its words (addressees' names left out:
    /// the same ask whoever it is addressed to) and what tells twins.
    pub fn prepare(&mut self, rec: &RecommendationRow<'_>) -> Prepared {
        prepare(&mut self.0, rec)
    }
}

/// See [`Analyser::prepare`].
fn prepare(analysis: &mut terms::Analysis, rec: &RecommendationRow<'_>) -> Prepared {
    let translation = rec.translation_of.is_some();
    let (twin, analysed) = if translation {
        (None, terms::Analysed::default())
    } else {
        let names: Vec<&str> = rec.addressees.iter().map(|a| a.name.as_str()).collect();
        (
            twins::key(&rec.text),
            analysis.analyse(terms::without(&rec.text, &names)),
        )
    };
    Prepared {
        id: rec.id.to_string(),
        doc_id: rec.doc_id.to_string(),
        translation,
        twin,
        analysed,
    }
}

impl Grouper {
    pub fn new(settings: &Grouping) -> Grouper {
        Grouper {
            analysis: terms::Analysis::new(&settings.ignore, &settings.keep),
            words: terms::Words::default(),
            settings: settings.clone(),
            docs: HashMap::new(),
            doc_info: Vec::new(),
            items: Vec::new(),
            twins: twins::TwinFinder::default(),
        }
    }

    /// A document (before its recommendations).
    pub fn add_document(&mut self, id: &str, info: DocInfo) {
        if !self.docs.contains_key(id) {
            self.docs.insert(id.to_string(), self.doc_info.len() as u32);
            self.doc_info.push(info);
        }
    }

    /// An analyser for recommendations to be pushed into this grouper.
    pub fn analyser(&self) -> Analyser {
        Analyser(self.analysis.clone())
    }

    /// A recommendation, analysed here.
    pub fn add(&mut self, rec: &RecommendationRow<'_>) {
        let prepared = prepare(&mut self.analysis, rec);
        self.push(prepared);
    }

    /// A recommendation analysed by [`Analyser::prepare`], in repository
    /// order. Translations and recommendations of documents not added are
    /// left out.
    pub fn push(&mut self, rec: Prepared) {
        let Some(&doc) = self.docs.get(&rec.doc_id) else {
            return;
        };
        if rec.translation {
            return;
        }
        self.twins.add(doc, rec.twin);
        let item = self.words.item(&rec.id, doc, rec.analysed);
        self.items.push(item);
    }

    /// Group what was fed.
    pub fn finish(self) -> Groups {
        let t = std::time::Instant::now();
        let class = self
            .twins
            .classes(self.doc_info.len(), self.settings.twin_share);
        // One rendering of each document takes part: the first of its
        // twins (a second would repeat every group of the first).
        let items: Vec<terms::Item> = self
            .items
            .into_iter()
            .filter(|i| class[i.doc as usize] == i.doc)
            .collect();
        tracing::debug!("grouping: twins in {:.2}s", t.elapsed().as_secs_f64());
        let weights = self.words.weights(&items);
        let found = cluster::group(&items, &weights, &class, &self.settings);
        Groups::new(items, self.doc_info, self.words, weights, found)
    }
}

/// Groups found, waiting for their members' rows (a second pass over the
/// recommendations) to be rendered.
pub struct Groups {
    items: Vec<terms::Item>,
    docs: Vec<DocInfo>,
    words: terms::Words,
    weights: Vec<f32>,
    found: Vec<cluster::Group>,
    /// Recommendation id → (group, position in it).
    member_of: HashMap<String, (usize, usize)>,
}

impl std::fmt::Debug for Groups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Groups")
            .field("groups", &self.found.len())
            .finish()
    }
}

impl Groups {
    fn new(
        items: Vec<terms::Item>,
        docs: Vec<DocInfo>,
        words: terms::Words,
        weights: Vec<f32>,
        found: Vec<cluster::Group>,
    ) -> Groups {
        let mut member_of = HashMap::new();
        for (g, group) in found.iter().enumerate() {
            for (k, &m) in group.members.iter().enumerate() {
                member_of.insert(items[m as usize].id.clone(), (g, k));
            }
        }
        Groups {
            items,
            docs,
            words,
            weights,
            found,
            member_of,
        }
    }

    /// Whether recommendation `id` is in a group (its row is wanted by
    /// [`Groups::render`]).
    pub fn wants(&self, id: &str) -> bool {
        self.member_of.contains_key(id)
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.found.len()
    }

    /// True when nothing recurs.
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// Recommendation `rec`'s place in its group, ready to render, if it
    /// is in one (on any thread).
    pub fn member(&self, rec: &RecommendationRow<'_>) -> Option<Member> {
        let &(g, k) = self.member_of.get(rec.id.as_ref())?;
        Some(rows::member(self, g, k, rec))
    }

    /// Render the groups from their members ([`Groups::member`], read in
    /// a second pass over the recommendations):
    /// `recommendation_groups.jsonl`, most documents first.
    pub fn render(self, members: impl IntoIterator<Item = Member>) -> Vec<u8> {
        let mut rows = rows::Builder::new(&self);
        for m in members {
            rows.put(m);
        }
        rows.finish()
    }
}
