//! `recommendation_groups.jsonl`: one line per group of recurring
//! recommendations, with its members, the years it spans, the bodies it
//! is addressed to, the words and themes that tie it, and every alike
//! pair with the words it shares (why it was grouped).

use super::Groups;
use super::analysed::MemberData;
use super::terms::shared;
use crate::model::DocKind;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Words shown for a group, at most.
const GROUP_WORDS: usize = 12;

/// One line of `recommendation_groups.jsonl`: recommendations of different
/// documents that ask for the same thing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationGroupRow {
    /// Stable id: "g-" + the id of the earliest member (by year, then id),
    /// so a group keeps its id when later documents join it.
    pub id: String,
    /// In words: "in 3 documents, 2019–2023, to 2 bodies".
    pub summary: String,
    /// Id of the member most alike to the others, which stands for the group.
    pub representative: String,
    /// The representative's text.
    pub text: String,
    /// Number of documents (one member each; twin renderings count once).
    pub documents: usize,
    /// Earliest year of a member's document, if any is known.
    pub first_year: Option<i32>,
    /// Latest year of a member's document, if any is known.
    pub last_year: Option<i32>,
    /// The words that tie the group, those most pairs share first.
    pub words: Vec<String>,
    /// Theme ids at least two members carry.
    pub themes: Vec<String>,
    /// The bodies addressed, with how many members address each.
    pub addressees: Vec<GroupAddressee>,
    /// The recommendations, by year then id.
    pub members: Vec<GroupMember>,
    /// Each member's strongest pair inside the group (every pair of
    /// members is alike), strongest first, with what they share.
    pub links: Vec<GroupLink>,
}

/// A body a group's members are addressed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupAddressee {
    /// Canonical name ("Glanmor Police").
    pub canonical: String,
    /// Agency id of the rule file ("police"), or "other".
    pub category: String,
    /// Members addressed to it.
    pub members: usize,
}

/// One recommendation in a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupMember {
    /// Recommendation id (`recommendations.jsonl`).
    pub id: String,
    /// Document id (`documents.jsonl`).
    pub doc_id: String,
    /// The document's title.
    pub title: String,
    /// The document's kind.
    pub kind: DocKind,
    /// The document's year, if found.
    pub year: Option<i32>,
    /// Page the recommendation starts on.
    pub page: u32,
    /// Canonical names of the bodies it is addressed to.
    pub addressees: Vec<String>,
    /// The recommendation's text.
    pub text: String,
}

/// Why two members are in one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupLink {
    pub a: String,
    pub b: String,
    /// Weight of the shared words over a mean of the two texts' weights
    /// (the rule file's `balance`), 0 to 1.
    pub similarity: f32,
    /// The words both use, heaviest first.
    pub shared: Vec<String>,
}

/// A member's row as read in the second pass.
#[derive(Debug)]
struct Seen {
    member: GroupMember,
    themes: Vec<String>,
    categories: Vec<(String, String)>,
}

/// A group member's row as read again, ready to be rendered (made on any
/// thread by [`crate::patterns::Groups::members`]).
#[derive(Debug)]
pub struct Member {
    group: usize,
    at: usize,
    seen: Seen,
}

/// Member `k` of group `g`, from what its segment keeps of its row.
pub(super) fn member(groups: &Groups, g: usize, k: usize, m: MemberData) -> Member {
    let item = &groups.items[groups.found[g].members[k] as usize];
    let doc = &groups.docs[item.doc as usize];
    Member {
        group: g,
        at: k,
        seen: Seen {
            member: GroupMember {
                id: m.id,
                doc_id: m.doc_id,
                title: doc.title.clone(),
                kind: doc.kind,
                year: doc.year,
                page: m.page,
                addressees: m.addressees.iter().map(|(c, _)| c.clone()).collect(),
                text: m.text,
            },
            themes: m.themes,
            categories: m.addressees,
        },
    }
}

pub(super) struct Builder<'g> {
    groups: &'g Groups,
    seen: Vec<Vec<Option<Seen>>>,
}

impl<'g> Builder<'g> {
    pub(super) fn new(groups: &'g Groups) -> Builder<'g> {
        let seen = groups
            .found
            .iter()
            .map(|g| (0..g.members.len()).map(|_| None).collect())
            .collect();
        Builder { groups, seen }
    }

    pub(super) fn put(&mut self, member: Member) {
        self.seen[member.group][member.at] = Some(member.seen);
    }

    /// The rows, most documents first, then by id; a group whose members
    /// were not all seen again is left out. Rows are made, written and
    /// let go of on rayon's threads (letting go of a quarter of a million
    /// members' texts on one thread took longer than writing them).
    pub(super) fn finish(self) -> Vec<u8> {
        use rayon::prelude::*;
        let groups = self.groups;
        let mut lines: Vec<(usize, String, Vec<u8>)> = self
            .seen
            .into_par_iter()
            .enumerate()
            .filter_map(|(g, seen)| {
                let seen: Option<Vec<Seen>> = seen.into_iter().collect();
                let row = row(groups, g, seen?);
                let mut line = serde_json::to_vec(&row).expect("group rows serialise");
                line.push(b'\n');
                Some((row.documents, row.id, line))
            })
            .collect();
        lines.par_sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut out = Vec::with_capacity(lines.iter().map(|l| l.2.len()).sum());
        for (_, _, line) in &lines {
            out.extend_from_slice(line);
        }
        lines.into_par_iter().for_each(drop);
        out
    }
}

fn row(groups: &Groups, g: usize, seen: Vec<Seen>) -> RecommendationGroupRow {
    let group = &groups.found[g];
    let why = why(groups, group);
    // The representative: the most alike in its links (each member's
    // strongest pair; a bundle of the same words is linked to its first
    // text), ties: first.
    let representative = *group
        .members
        .iter()
        .max_by(|x, y| why.closeness[x].total_cmp(&why.closeness[y]).then(y.cmp(x)))
        .expect("a group has members");
    let (themes, addressees) = tally(&seen);
    let at = group
        .members
        .iter()
        .position(|&m| m == representative)
        .expect("a member");
    let text = seen[at].member.text.clone();
    let mut members: Vec<GroupMember> = seen.into_iter().map(|s| s.member).collect();
    members
        .sort_by(|a, b| (a.year.is_none(), a.year, &a.id).cmp(&(b.year.is_none(), b.year, &b.id)));
    let years: BTreeSet<i32> = members.iter().filter_map(|m| m.year).collect();
    let (first_year, last_year) = (years.first().copied(), years.last().copied());
    RecommendationGroupRow {
        id: format!("g-{}", members[0].id),
        summary: summary(members.len(), first_year, last_year, addressees.len()),
        representative: groups.items[representative as usize].id.clone(),
        text,
        documents: members.len(),
        first_year,
        last_year,
        words: why.words,
        themes,
        addressees,
        members,
        links: why.links,
    }
}

/// Why a group's members are together.
struct Why {
    /// The links, strongest first, with the words both use.
    links: Vec<GroupLink>,
    /// Each member's similarities summed over its pairs.
    closeness: HashMap<u32, f32>,
    /// The words most links share, heaviest first among equals.
    words: Vec<String>,
}

fn why(groups: &Groups, group: &super::cluster::Group) -> Why {
    let (items, words, weights) = (&groups.items, &groups.words, &groups.weights);
    let heavier_first = |x: &u32, y: &u32| {
        weights[*y as usize]
            .total_cmp(&weights[*x as usize])
            .then(x.cmp(y))
    };
    let mut closeness: HashMap<u32, f32> = HashMap::new();
    let mut word_links: BTreeMap<u32, usize> = BTreeMap::new();
    let mut links = Vec::new();
    for e in &group.links {
        *closeness.entry(e.a).or_default() += e.similarity;
        *closeness.entry(e.b).or_default() += e.similarity;
        let mut common = shared(&items[e.a as usize].terms, &items[e.b as usize].terms);
        for &t in &common {
            *word_links.entry(t).or_default() += 1;
        }
        common.sort_by(heavier_first);
        links.push(GroupLink {
            a: items[e.a as usize].id.clone(),
            b: items[e.b as usize].id.clone(),
            similarity: (e.similarity * 1000.0).round() / 1000.0,
            shared: common
                .iter()
                .map(|&t| words.surface(t).to_string())
                .collect(),
        });
    }
    let mut tied: Vec<(usize, u32)> = word_links.into_iter().map(|(t, n)| (n, t)).collect();
    tied.sort_by(|x, y| y.0.cmp(&x.0).then(heavier_first(&x.1, &y.1)));
    Why {
        links,
        closeness,
        words: tied
            .iter()
            .take(GROUP_WORDS)
            .map(|&(_, t)| words.surface(t).to_string())
            .collect(),
    }
}

/// The themes at least two members carry, and the bodies addressed with
/// how many members address each (most first).
fn tally(seen: &[Seen]) -> (Vec<String>, Vec<GroupAddressee>) {
    let mut theme_count: BTreeMap<String, usize> = BTreeMap::new();
    let mut bodies: BTreeMap<(String, String), usize> = BTreeMap::new();
    for s in seen {
        for t in &s.themes {
            *theme_count.entry(t.clone()).or_default() += 1;
        }
        for c in &s.categories {
            *bodies.entry(c.clone()).or_default() += 1;
        }
    }
    let mut addressees: Vec<GroupAddressee> = bodies
        .into_iter()
        .map(|((canonical, category), members)| GroupAddressee {
            canonical,
            category,
            members,
        })
        .collect();
    addressees.sort_by(|a, b| {
        b.members
            .cmp(&a.members)
            .then(a.canonical.cmp(&b.canonical))
    });
    let themes = theme_count
        .into_iter()
        .filter(|&(_, n)| n >= 2)
        .map(|(t, _)| t)
        .collect();
    (themes, addressees)
}

/// "in 3 documents, 2019–2023, to 2 bodies".
pub(super) fn summary(docs: usize, first: Option<i32>, last: Option<i32>, bodies: usize) -> String {
    let mut s = format!("in {docs} documents");
    match (first, last) {
        (Some(f), Some(l)) if f == l => s.push_str(&format!(", {f}")),
        (Some(f), Some(l)) => s.push_str(&format!(", {f}–{l}")),
        _ => {}
    }
    match bodies {
        0 => {}
        1 => s.push_str(", to 1 body"),
        n => s.push_str(&format!(", to {n} bodies")),
    }
    s
}
