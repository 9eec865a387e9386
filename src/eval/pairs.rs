//! Labelled pairs of recommendations from different documents
//! (`eval/pairs/pairs.jsonl`): `same` (one asks what the other asks) or
//! `different` (a hard negative). Scored against the groups a build wrote:
//! precision and recall of "in the same group".

use super::Prf;
use crate::patterns::RecommendationGroupRow;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// One labelled pair (a line of `pairs.jsonl`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub label: PairLabel,
    /// Why, in the labeller's words.
    #[serde(default)]
    pub why: String,
}

/// What a labeller said of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PairLabel {
    Same,
    Different,
}

/// The figures.
#[derive(Debug, Clone, Serialize)]
pub struct PairsReport {
    /// Pairs labelled.
    pub pairs: usize,
    /// Pairs with a recommendation the repository does not hold (a
    /// different build, or the recommendation no longer found): not scored.
    pub missing: Vec<Pair>,
    /// "In the same group" against `same`: tp = same and grouped, fp =
    /// different but grouped, fn = same but not grouped.
    pub grouping: Prf,
    /// Pairs labelled `same` not grouped, and `different` grouped.
    pub wrong: Vec<Pair>,
}

/// Score `pairs` against `groups`; `known` holds every recommendation id
/// of the repository.
pub fn score(
    pairs: &[Pair],
    groups: &[RecommendationGroupRow],
    known: &HashSet<String>,
) -> PairsReport {
    let mut group_of: HashMap<&str, &str> = HashMap::new();
    for g in groups {
        for m in &g.members {
            group_of.insert(&m.id, &g.id);
        }
    }
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    let (mut missing, mut wrong) = (Vec::new(), Vec::new());
    for p in pairs {
        if !known.contains(&p.a) || !known.contains(&p.b) {
            missing.push(p.clone());
            continue;
        }
        let together = matches!(
            (group_of.get(p.a.as_str()), group_of.get(p.b.as_str())),
            (Some(x), Some(y)) if x == y
        );
        match (p.label, together) {
            (PairLabel::Same, true) => tp += 1,
            (PairLabel::Same, false) => {
                fn_ += 1;
                wrong.push(p.clone());
            }
            (PairLabel::Different, true) => {
                fp += 1;
                wrong.push(p.clone());
            }
            (PairLabel::Different, false) => {}
        }
    }
    PairsReport {
        pairs: pairs.len(),
        missing,
        grouping: Prf::new(tp, fp, fn_),
        wrong,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::GroupMember;

    fn group(id: &str, members: &[&str]) -> RecommendationGroupRow {
        RecommendationGroupRow {
            id: id.into(),
            summary: String::new(),
            representative: members[0].into(),
            text: String::new(),
            documents: members.len(),
            first_year: None,
            last_year: None,
            words: vec![],
            themes: vec![],
            addressees: vec![],
            members: members
                .iter()
                .map(|m| GroupMember {
                    id: m.to_string(),
                    doc_id: String::new(),
                    title: String::new(),
                    kind: crate::model::DocKind::Dhr,
                    year: None,
                    page: 1,
                    addressees: vec![],
                    text: String::new(),
                })
                .collect(),
            links: vec![],
        }
    }

    fn pair(a: &str, b: &str, label: PairLabel) -> Pair {
        Pair {
            a: a.into(),
            b: b.into(),
            label,
            why: String::new(),
        }
    }

    #[test]
    fn grouped_pairs_are_scored_and_unknown_ids_set_aside() {
        let groups = [group("g1", &["a", "b"]), group("g2", &["c", "d"])];
        let known: HashSet<String> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let pairs = [
            pair("a", "b", PairLabel::Same),
            pair("a", "c", PairLabel::Same),
            pair("c", "d", PairLabel::Different),
            pair("a", "e", PairLabel::Different),
            pair("a", "zz", PairLabel::Same),
        ];
        let r = score(&pairs, &groups, &known);
        assert_eq!((r.grouping.tp, r.grouping.fp, r.grouping.fn_), (1, 1, 1));
        assert_eq!(r.missing.len(), 1);
        assert_eq!(r.wrong.len(), 2);
        assert!((r.grouping.precision - 0.5).abs() < 1e-9);
    }
}
