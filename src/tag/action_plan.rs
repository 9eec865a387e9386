//! Action plans: the rows of a review's action-plan tables as
//! [`ActionPlanRow`]s, linked to their [`Recommendation`]s.
//!
//! A table (its [`PassageKind::TableRow`] passages, grouped by
//! [`TablePlace::index`]) is an action plan by its header row, wherever it
//! stands: each header cell is given a role by the rule file's
//! `[action_plan]` phrases ([`PlanCues`]), and [`table_role`] says what the
//! roles make: an action plan when there is an action column, two of
//! target date, milestones and outcome, or a recommendation column and
//! one of those; a list of recommendations when there is a recommendation
//! column and no more (an agency or a scope column aside); else another
//! table. Without a marked header row, the first row is tried as one.
//!
//! Each data row becomes one [`ActionPlanRow`]: the recommendation
//! reference is read from the start of the recommendation cell ("1.",
//! "R3", "Recommendation 2.1", "1. (continued)" → "1"); a row with an
//! empty recommendation cell belongs to the row above (a merged cell).
//! Rows cut by a page break are one passage already (see `segment`).
//!
//! Linking: a row goes to the recommendation with the same number
//! ("R3" and "3." are the same number); among several with that number,
//! or when the row has none, to the one whose opening words its
//! recommendation text (or action) shares most, when that is most of them.
//!
//! Each row's lead cell is resolved to bodies as a recommendation's
//! addressees are ([`super::addressee::lead_addressees`]), and its target
//! date read as an ISO date when it is one ([`iso_date`]).
//!
//! A document whose action plan is not a table (numbered items in an
//! action-plan section) still gets one row per number, with the items'
//! text and no columns ([`untabulated`]).

mod date;

pub use date::iso_date;

use super::addressee::{self, DocAddressees};
use crate::model::*;
use crate::rules::{PlanColumn, PlanCues, RuleSet};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// What a table is, by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableRole {
    /// An action plan: actions, leads, dates, outcomes per recommendation.
    ActionPlan,
    /// A list of recommendations (number, text, perhaps an agency).
    Recommendations,
    Other,
}

/// The role of each column of a table, by its header cells (a role taken
/// by an earlier column is not given again).
pub fn column_roles(header: &[&str], cues: &PlanCues) -> Vec<Option<PlanColumn>> {
    let mut seen = BTreeSet::new();
    header
        .iter()
        .map(|h| cues.role(h).filter(|r| seen.insert(*r)))
        .collect()
}

/// What a table with these header cells is.
pub fn table_role(header: &[&str], cues: &PlanCues) -> TableRole {
    let roles: BTreeSet<PlanColumn> = column_roles(header, cues).into_iter().flatten().collect();
    let has = |r| roles.contains(&r);
    let progress = [
        PlanColumn::TargetDate,
        PlanColumn::Milestones,
        PlanColumn::Outcome,
    ]
    .iter()
    .filter(|r| has(**r))
    .count();
    let rec = has(PlanColumn::Recommendation);
    if has(PlanColumn::Action) || progress >= 2 || (rec && progress >= 1) {
        TableRole::ActionPlan
    } else if rec {
        TableRole::Recommendations
    } else {
        TableRole::Other
    }
}

/// The rows of one table of a document, in order.
#[derive(Debug, Clone)]
pub struct DocTable<'a> {
    /// [`TablePlace::index`].
    pub index: usize,
    /// The header row, when marked.
    pub header: Option<&'a Passage>,
    /// The other rows.
    pub rows: Vec<&'a Passage>,
}

/// The document's tables, from its table-row passages.
pub fn tables(doc: &Document) -> Vec<DocTable<'_>> {
    let mut out: Vec<DocTable<'_>> = Vec::new();
    for p in &doc.passages {
        let Some(place) = p.table else { continue };
        if out.last().is_none_or(|t| t.index != place.index) {
            out.push(DocTable {
                index: place.index,
                header: None,
                rows: Vec::new(),
            });
        }
        if let Some(t) = out.last_mut() {
            match place.row {
                RowKind::Header if t.header.is_none() && t.rows.is_empty() => t.header = Some(p),
                _ => t.rows.push(p),
            }
        }
    }
    out
}

/// A table-row passage's cells, as text (one per column).
pub fn cell_texts<'a>(doc: &'a Document, p: &Passage) -> Vec<&'a str> {
    p.cells
        .iter()
        .map(|c| doc.text.get(c.start..c.end).unwrap_or(""))
        .collect()
}

static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\s*(?:(?i:recommendation|rec\.?|argymhelliad|ref\.?|no\.?)\s*)?",
        r"(?P<r>[A-Z]{0,3}\d{1,3}(?:\.\d{1,3}){0,3}[a-z]?)(?:[.:)]|\s|$)\s*",
    ))
    .expect("static regex")
});

static CONTINUED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\(?\s*(?:continued|cont\.?|cont'd|contd\.?|parhad)\s*\)?\s*$")
        .expect("static regex")
});

/// A recommendation cell: its reference as written (without "."), and
/// the words after it (none for "(continued)").
pub fn reference(cell: &str) -> (Option<String>, Option<String>) {
    let t = cell.trim();
    let (r, rest) = match REFERENCE.captures(t) {
        Some(c) => (
            c.name("r").map(|m| m.as_str().to_string()),
            &t[c.get(0).map_or(0, |m| m.end())..],
        ),
        None => (None, t),
    };
    let rest = rest.trim();
    let rest = (!rest.is_empty() && !CONTINUED.is_match(rest)).then(|| rest.to_string());
    (r, rest)
}

/// "3", "3.", "R3", "Rec 3", "Recommendation 3:", "2.1" → "3" / "2.1";
/// None for anything that is not a recommendation number.
pub fn plan_key(ordinal: &str) -> Option<String> {
    static NUM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:recommendation|rec\.?|r)?\s*(\d{1,3}(?:\.\d{1,3})*)[.:)]?$")
            .expect("valid regex")
    });
    NUM.captures(ordinal.trim()).map(|c| c[1].to_string())
}

/// One action-plan table of a document: its header row and data rows.
#[derive(Debug, Clone)]
pub struct PlanTable<'a> {
    pub header: &'a Passage,
    pub rows: Vec<&'a Passage>,
}

/// The document's tables that are action plans by their header row (a
/// marked header, or else the first row when its cells make one).
pub fn plan_tables<'a>(doc: &'a Document, cues: &PlanCues) -> Vec<PlanTable<'a>> {
    let mut out = Vec::new();
    for t in tables(doc) {
        let (header, rows) = match t.header {
            Some(h) => (h, t.rows),
            None => match t.rows.split_first() {
                Some((first, rest)) => (*first, rest.to_vec()),
                None => continue,
            },
        };
        if table_role(&cell_texts(doc, header), cues) == TableRole::ActionPlan {
            out.push(PlanTable { header, rows });
        }
    }
    out
}

/// The indices of the passages that are rows (header included) of
/// action-plan tables: never recommendations themselves (see
/// `recommend::find`).
pub fn plan_passages(doc: &Document, cues: &PlanCues) -> BTreeSet<usize> {
    plan_tables(doc, cues)
        .iter()
        .flat_map(|t| std::iter::once(t.header).chain(t.rows.iter().copied()))
        .map(|p| p.index)
        .collect()
}

/// The action-plan rows of every action-plan table of `doc`, unlinked;
/// without any, the numbered items of its action-plan sections. Lead
/// cells are resolved with the document's addressee facts `ctx`.
pub fn rows(doc: &Document, rules: &RuleSet, ctx: &DocAddressees<'_>) -> Vec<ActionPlanRow> {
    let cues = rules.plan_cues();
    let mut out = Vec::new();
    for t in plan_tables(doc, cues) {
        let names = cell_texts(doc, t.header);
        let roles = column_roles(&names, cues);
        let mut last_ref: Option<String> = None;
        for p in &t.rows {
            out.push(plan_row(doc, p, &names, &roles, &mut last_ref));
        }
    }
    if out.is_empty() {
        out = untabulated(doc);
    }
    for r in &mut out {
        if let Some(lead) = &r.lead_agency {
            r.lead_addressees = addressee::lead_addressees(rules, ctx, lead);
        }
    }
    out
}

/// One data row read by its columns' roles.
fn plan_row(
    doc: &Document,
    p: &Passage,
    names: &[&str],
    roles: &[Option<PlanColumn>],
    last_ref: &mut Option<String>,
) -> ActionPlanRow {
    let cells = cell_texts(doc, p);
    let text = doc.passage_text(p).to_string();
    let mut row = empty_row(doc, p, text);
    for (k, cell) in cells.iter().enumerate() {
        let value = (!cell.trim().is_empty()).then(|| cell.trim().to_string());
        let Some(role) = roles.get(k).copied().flatten() else {
            if let Some(v) = value {
                row.other.push(NamedCell {
                    column: names.get(k).copied().unwrap_or("").to_string(),
                    text: v,
                });
            }
            continue;
        };
        match role {
            PlanColumn::Recommendation => {
                let (r, rest) = reference(cell);
                row.recommendation = r;
                row.recommendation_text = rest;
            }
            PlanColumn::Action => row.action = value,
            PlanColumn::LeadAgency => row.lead_agency = value,
            PlanColumn::TargetDate => {
                row.target_date_iso = value.as_deref().and_then(iso_date);
                row.target_date = value;
            }
            PlanColumn::Milestones => row.milestones = value,
            PlanColumn::Outcome => row.outcome = value,
            PlanColumn::Scope => row.scope = value,
        }
    }
    let has_rec_column = roles.contains(&Some(PlanColumn::Recommendation));
    if has_rec_column && row.recommendation.is_none() && row.recommendation_text.is_none() {
        row.recommendation = last_ref.clone();
    }
    if row.recommendation.is_some() {
        last_ref.clone_from(&row.recommendation);
    }
    row
}

fn empty_row(doc: &Document, p: &Passage, text: String) -> ActionPlanRow {
    let key = format!("{}:{text}", p.start);
    ActionPlanRow {
        id: format!("{}-a{}", doc.id, &sha256_hex(key.as_bytes())[..12]),
        doc_id: doc.id.clone(),
        recommendation: None,
        recommendation_id: None,
        recommendation_text: None,
        action: None,
        lead_agency: None,
        lead_addressees: Vec::new(),
        target_date: None,
        target_date_iso: None,
        milestones: None,
        outcome: None,
        scope: None,
        other: Vec::new(),
        page: p.page,
        text,
        start: p.start,
        end: p.end,
    }
}

/// Numbered items of action-plan sections (an action plan set out as a
/// list, or a table the extractor could not see): one row per number,
/// with the passages after the item up to the next number; the first item
/// with a number wins.
pub fn untabulated(doc: &Document) -> Vec<ActionPlanRow> {
    let mut rows: Vec<ActionPlanRow> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut open = false;
    for p in &doc.passages {
        let in_plan = doc
            .sections
            .get(p.section)
            .is_some_and(|s| s.kind == SectionKind::ActionPlan);
        if !in_plan {
            open = false;
            continue;
        }
        let text = collapse(doc.text.get(p.start..p.end).unwrap_or_default());
        let key = p
            .marker
            .as_deref()
            .filter(|_| p.kind == PassageKind::ListItem)
            .and_then(plan_key);
        match key {
            Some(k) if seen.insert(k.clone()) => {
                let mut row = empty_row(doc, p, text);
                row.recommendation = Some(k);
                rows.push(row);
                open = true;
            }
            Some(_) => open = false,
            None => {
                if let Some(row) = rows.last_mut().filter(|_| open)
                    && p.kind != PassageKind::Heading
                {
                    row.text.push(' ');
                    row.text.push_str(&text);
                    row.end = p.end;
                }
            }
        }
    }
    rows
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first content words of a text (lower case, short words left out).
fn opening_words(text: &str, n: usize) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 3)
        .map(str::to_lowercase)
        .take(n)
        .collect()
}

/// Share of the shorter set's words found in the other.
fn overlap(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f32 {
    let small = a.len().min(b.len());
    if small == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f32 / small as f32
}

/// The recommendation a row belongs to, by number then by opening words.
fn linked(row: &ActionPlanRow, recs: &[Recommendation]) -> Option<usize> {
    const WORDS: usize = 12;
    let words = row
        .recommendation_text
        .as_deref()
        .or(row.action.as_deref())
        .map(|t| opening_words(t, WORDS))
        .unwrap_or_default();
    let best_by_words = |cands: &[usize]| -> Option<(usize, f32)> {
        cands
            .iter()
            .map(|&i| (i, overlap(&words, &opening_words(&recs[i].text, WORDS))))
            .fold(None, |best: Option<(usize, f32)>, c| match best {
                Some(b) if b.1 >= c.1 => Some(b),
                _ => Some(c),
            })
    };
    let originals: Vec<usize> = (0..recs.len())
        .filter(|&i| recs[i].translation_of.is_none())
        .collect();
    let key = row.recommendation.as_deref().and_then(plan_key);
    let numbered: Vec<usize> = originals
        .iter()
        .copied()
        .filter(|&i| key.is_some() && recs[i].ordinal.as_deref().and_then(plan_key) == key)
        .collect();
    match numbered.as_slice() {
        [one] => return Some(*one),
        [first, ..] => {
            return best_by_words(&numbered)
                .filter(|b| b.1 > 0.0)
                .map_or(Some(*first), |b| Some(b.0));
        }
        [] => {}
    }
    best_by_words(&originals)
        .filter(|b| b.1 >= 0.6 && words.len() >= 3)
        .map(|b| b.0)
}

/// Link each row to its recommendation (`recommendation_id`), and give
/// each recommendation its first row (`Recommendation::action_plan`).
pub fn link(rows: &mut [ActionPlanRow], recs: &mut [Recommendation]) {
    let mut first: BTreeMap<usize, usize> = BTreeMap::new();
    for (k, row) in rows.iter_mut().enumerate() {
        if let Some(i) = linked(row, recs) {
            row.recommendation_id = Some(recs[i].id.clone());
            first.entry(i).or_insert(k);
        }
    }
    for (i, k) in first {
        recs[i].action_plan = Some(rows[k].clone());
    }
}

#[cfg(test)]
mod tests;
