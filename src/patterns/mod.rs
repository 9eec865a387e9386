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

mod analysed;
mod cluster;
mod pairs;
mod rows;
mod terms;
mod twins;

pub use analysed::{AnalysedSegment, SegmentMembers, SegmentWords, Undecodable};
pub use rows::{GroupAddressee, GroupLink, GroupMember, Member, RecommendationGroupRow};

use crate::export::{DocumentRow, RecommendationRow};
use crate::rules::Grouping;

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
/// segment of recommendations (both in repository order), then
/// [`Grouper::finish`]. A segment is analysed ([`Analyser::segment`], on
/// any thread, or kept from an earlier build) before its words are pushed
/// in order ([`Grouper::push`]); its members are read again, for the
/// groups found, by [`Groups::members`].
pub struct Grouper {
    settings: Grouping,
    analysis: terms::Analysis,
    words: terms::Words,
    docs: rustc_hash::FxHashMap<String, u32>,
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

/// Analyses recommendations for a [`Grouper`], a segment at a time; each
/// thread has its own.
#[derive(Clone)]
pub struct Analyser(terms::Analysis);

impl Analyser {
    /// One segment of recommendations, in order: each one's words
    /// (addressees' names left out: the same ask whoever it is addressed
    /// to), what tells twins, and what a group's row shows of it.
    pub fn segment<'r>(
        &mut self,
        recs: impl IntoIterator<Item = RecommendationRow<'r>>,
    ) -> AnalysedSegment {
        let mut b = analysed::SegmentBuilder::new(&mut self.0);
        for rec in recs {
            b.push(&rec);
        }
        b.finish()
    }
}

impl Grouper {
    pub fn new(settings: &Grouping) -> Grouper {
        Grouper {
            analysis: terms::Analysis::new(&settings.ignore, &settings.keep),
            words: terms::Words::default(),
            settings: settings.clone(),
            docs: Default::default(),
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

    /// The words of a segment of recommendations ([`Analyser::segment`],
    /// or the store's grouping cache), segments in repository order.
    /// Translations and recommendations of documents not added are left
    /// out.
    pub fn push(&mut self, segment: &SegmentWords) {
        // The segment's words as the grouper's, numbered when first used.
        let mut ours: Vec<Option<u32>> = vec![None; segment.words.len()];
        for rec in &segment.recs {
            let Some(&doc) = self.docs.get(&rec.doc_id) else {
                continue;
            };
            if rec.translation {
                continue;
            }
            self.twins.add(doc, rec.twin);
            let mut terms: Vec<u32> = rec
                .terms
                .iter()
                .map(|&t| {
                    *ours[t as usize].get_or_insert_with(|| {
                        let (stem, written) = &segment.words[t as usize];
                        self.words.intern(stem, || written.clone())
                    })
                })
                .collect();
            terms.sort_unstable();
            terms.dedup();
            self.items.push(terms::Item {
                id: rec.id.clone(),
                doc,
                terms,
            });
        }
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
    member_of: rustc_hash::FxHashMap<String, (usize, usize)>,
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
        let mut member_of = rustc_hash::FxHashMap::default();
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

    /// The recommendations of a segment that are in a group, ready to
    /// render (on any thread).
    pub fn members(&self, segment: SegmentMembers) -> Vec<Member> {
        segment
            .members
            .into_iter()
            .filter_map(|m| {
                let &(g, k) = self.member_of.get(&m.id)?;
                Some(rows::member(self, g, k, m))
            })
            .collect()
    }

    /// Render the groups from their members ([`Groups::members`], read in
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Addressee, AddresseeSource, DocKind, SectionKind};
    use std::borrow::Cow;

    /// A fictional recommendation of document `doc`.
    fn rec(doc: usize, n: usize, text: &str, to: Option<&str>) -> RecommendationRow<'static> {
        let addressees: Vec<Addressee> = to
            .map(|name| Addressee {
                name: name.to_string(),
                canonical: name.to_string(),
                category: "police".to_string(),
                level: None,
                source: AddresseeSource::Subject,
            })
            .into_iter()
            .collect();
        RecommendationRow {
            id: Cow::Owned(format!("d{doc}-r{n}")),
            doc_id: Cow::Owned(format!("d{doc}")),
            file: Cow::Borrowed("fictional.txt"),
            ordinal: None,
            text: Cow::Owned(text.to_string()),
            page: n as u32 + 1,
            section: Cow::Borrowed("Recommendations"),
            section_kind: SectionKind::Recommendations,
            agencies: Cow::Owned(vec![]),
            addressees: Cow::Owned(addressees),
            level: None,
            themes: Cow::Owned(vec!["risk_assessment".to_string()]),
            start: 0,
            end: 0,
            action_plan_page: None,
            action_plan: None,
            cues: Cow::Owned(vec![]),
            translation_of: (n == 9).then(|| Cow::Owned(format!("d{doc}-r0"))),
        }
    }

    /// Six fictional documents whose recommendations recur in other words.
    fn recs() -> Vec<RecommendationRow<'static>> {
        let asks = [
            "Officers should Complete the DASH risk checklist at every domestic abuse incident.",
            "Ensure the DASH risk checklist is always completed by attending officers.",
            "Health visitors should ask about domestic abuse routinely at every contact.",
            "GPs must record routine enquiry about domestic abuse in the patient record.",
            "Train call handlers to recognise coercive and controlling behaviour.",
        ];
        let mut v = Vec::new();
        for doc in 0..6 {
            for (n, ask) in asks.iter().enumerate() {
                if (doc + n) % 4 != 3 {
                    let to = (n % 2 == 0).then_some("Marlshire Police");
                    v.push(rec(doc, n, &format!("{ask} Review {doc}."), to));
                }
            }
            v.push(rec(
                doc,
                9,
                "Dylai swyddogion gwblhau'r rhestr wirio DASH.",
                None,
            ));
        }
        v
    }

    /// The groups' bytes when the recommendations are cut into segments of
    /// `cut`, each passed through the bytes the grouping cache keeps.
    fn grouped(cut: usize) -> Vec<u8> {
        let rules = crate::rules::RuleSet::default_rules();
        let mut g = Grouper::new(rules.grouping());
        for doc in 0..6 {
            let info = DocInfo {
                title: format!("Fictional review {doc}"),
                kind: DocKind::Dhr,
                year: Some(2018 + doc),
            };
            g.add_document(&format!("d{doc}"), info);
        }
        let mut analyser = g.analyser();
        let segments: Vec<AnalysedSegment> = recs()
            .chunks(cut)
            .map(|c| analyser.segment(c.iter().cloned()))
            .collect();
        for s in &segments {
            g.push(&SegmentWords::from_bytes(&s.words.to_bytes()).unwrap());
        }
        let groups = g.finish();
        let members: Vec<Member> = segments
            .iter()
            .flat_map(|s| {
                let kept = SegmentMembers::from_bytes(&s.members.to_bytes()).unwrap();
                groups.members(kept)
            })
            .collect();
        groups.render(members)
    }

    #[test]
    fn groups_do_not_depend_on_where_segments_end() {
        let one_by_one = grouped(1);
        let rows = parse_groups(&one_by_one, "test").unwrap();
        assert!(rows.len() >= 2, "{rows:#?}");
        let dash = rows
            .iter()
            .find(|r| r.words.iter().any(|w| w == "dash"))
            .expect("the DASH ask recurs");
        // Words are shown as first written, lower case.
        assert!(dash.words.iter().any(|w| w == "checklist"), "{dash:#?}");
        assert!(
            dash.members.iter().all(|m| !m.id.ends_with("-r9")),
            "no translation"
        );
        assert!(
            dash.members
                .iter()
                .any(|m| m.addressees == ["Marlshire Police"])
        );
        for cut in [2, 3, 7, 1000] {
            assert!(grouped(cut) == one_by_one, "segments of {cut}");
        }
    }

    #[test]
    fn a_segment_lists_each_word_once_per_recommendation_in_the_order_written() {
        let rules = crate::rules::RuleSet::default_rules();
        let mut analyser = Grouper::new(rules.grouping()).analyser();
        let s = analyser.segment([
            rec(
                0,
                0,
                "Train staff; train staff annually.",
                Some("Marlshire Police"),
            ),
            rec(0, 1, "Officers must Trains staff.", None),
        ]);
        let words: Vec<&str> = s.words.words.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(words, ["train", "staff", "annually", "officers"]);
        assert_eq!(s.words.recs[0].terms, [0, 1, 2]);
        assert_eq!(s.words.recs[1].terms, [3, 0, 1]);
        assert_eq!(s.members.members[0].addressees.len(), 1);
        assert_eq!(s.words.recs.len(), 2);
    }
}
