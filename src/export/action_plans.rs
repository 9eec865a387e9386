//! `action_plans.jsonl`: one row per row of a review's action-plan
//! tables ([`ActionRow`]), in document order, linked to the
//! recommendation it belongs to.

use super::{CharOffsets, push_row};
use crate::model::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// One line of `action_plans.jsonl`: one row of an action-plan table
/// (what will be done about a recommendation, by whom, by when), read by
/// its column headers. A row cut by a page break is one row; a field is
/// null when the table has no such column or the cell is empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRow<'a> {
    /// Stable id: the document id, "-a", and a hash of the row.
    pub id: Cow<'a, str>,
    /// Id of the document ([`super::DocumentRow::id`]).
    pub doc_id: Cow<'a, str>,
    /// Id of the recommendation the row belongs to
    /// ([`super::RecommendationRow::id`]), found by its number or else its
    /// opening words; null when none is found.
    pub recommendation_id: Option<Cow<'a, str>>,
    /// The recommendation's number as the row writes it ("1", "R3", "2.1";
    /// a "(continued)" row and a row under a merged cell carry the number
    /// of the row above), or null.
    pub ordinal: Option<Cow<'a, str>>,
    /// The recommendation's words when the row restates them, or null.
    pub recommendation_text: Option<Cow<'a, str>>,
    /// What will be done ("Action", "Action to take").
    pub action: Option<Cow<'a, str>>,
    /// Who leads it, as written ("Lead agency", "Owner").
    pub lead: Option<Cow<'a, str>>,
    /// The bodies the lead names, as recommendations' addressees are
    /// given: name as written, canonical name, category, level, source
    /// ("action_plan").
    pub lead_addressees: Cow<'a, [Addressee]>,
    /// By when, as written ("March 2025", "Quarterly from April 2025").
    pub target_date: Option<Cow<'a, str>>,
    /// The target date as an ISO 8601 date ("2025-03-31"; "2025-03" or
    /// "2025" when only a month or a year is given), or null when the cell
    /// is not one date.
    pub target_date_iso: Option<Cow<'a, str>>,
    /// Milestones reached, as written.
    pub milestones: Option<Cow<'a, str>>,
    /// Outcome, completion, progress or status, as written.
    pub outcome: Option<Cow<'a, str>>,
    /// Scope or level ("Local", "Regional"), as written.
    pub scope: Option<Cow<'a, str>>,
    /// Cells of the other columns, each with its column header.
    pub other: Cow<'a, [NamedCell]>,
    /// Page the row starts on.
    pub page: u32,
    /// Character offset of the row's start in the document text.
    pub start: usize,
    /// Character offset of the row's end (exclusive).
    pub end: usize,
    /// The row's text: its non-empty cells joined by " | ".
    pub text: Cow<'a, str>,
}

impl<'a> ActionRow<'a> {
    /// The export row of a document's action-plan row.
    pub fn of(a: &'a ActionPlanRow, chars: &CharOffsets) -> ActionRow<'a> {
        let opt = |v: &'a Option<String>| v.as_deref().map(Cow::Borrowed);
        ActionRow {
            id: a.id.as_str().into(),
            doc_id: a.doc_id.as_str().into(),
            recommendation_id: opt(&a.recommendation_id),
            ordinal: opt(&a.recommendation),
            recommendation_text: opt(&a.recommendation_text),
            action: opt(&a.action),
            lead: opt(&a.lead_agency),
            lead_addressees: a.lead_addressees.as_slice().into(),
            target_date: opt(&a.target_date),
            target_date_iso: opt(&a.target_date_iso),
            milestones: opt(&a.milestones),
            outcome: opt(&a.outcome),
            scope: opt(&a.scope),
            other: a.other.as_slice().into(),
            page: a.page,
            start: chars.get(a.start),
            end: chars.get(a.end),
            text: a.text.as_str().into(),
        }
    }
}

/// A document's action-plan rows as JSON Lines, in text order.
pub fn action_rows(pd: &ProcessedDoc, chars: &CharOffsets) -> Vec<u8> {
    let mut rows: Vec<&ActionPlanRow> = pd.action_plans.iter().collect();
    rows.sort_by(|a, b| (a.start, a.end, &a.id).cmp(&(b.start, b.end, &b.id)));
    let mut out = Vec::new();
    for a in rows {
        push_row(&mut out, &ActionRow::of(a, chars));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rules::RuleSet;

    /// A fictional review with an action plan, through the real stages.
    pub(crate) fn fictional_review() -> ProcessedDoc {
        const REVIEW: &str = "# Domestic Homicide Review: a fictional review in Glanmor

## 9 Recommendations

1. Glanmor Police should complete a DASH risk assessment at every incident.

2. Training on coercive control is commissioned for all front-line staff.

## Appendix A: Action Plan

| Recommendation | Action | Lead agency | Target date | Outcome |
|---|---|---|---|---|
| 1 | Amend the DASH procedure | Glanmor Police | 31 March 2099 | Done |
| | Audit DASH forms | Glanmor Police | Quarterly | |
| 2 | Commission training | Glanmor Community Safety Partnership | June 2099 | |
| 7 | Write to the fictional minister | Glanmor CSP | On publication | |
";
        let rules = RuleSet::default_rules();
        let ex = crate::extract::text::load(
            "fictional/dhr-glanmor.md",
            REVIEW.as_bytes(),
            SourceFormat::Markdown,
        )
        .expect("fictional text loads");
        crate::tag::tag(crate::segment::segment(&ex, rules.anatomy()), &rules)
    }

    #[test]
    fn action_plan_rows_as_exported() {
        let rows = crate::export::doc_rows(&fictional_review());
        insta::assert_snapshot!(String::from_utf8(rows.action_plans).expect("utf-8"));
    }

    #[test]
    fn offsets_point_at_the_row() {
        let pd = fictional_review();
        let rows = crate::export::doc_rows(&pd);
        let chars: Vec<char> = pd.document.text.chars().collect();
        let text = String::from_utf8(rows.action_plans).expect("utf-8");
        assert_eq!(text.lines().count(), 4);
        for line in text.lines() {
            let row: ActionRow = serde_json::from_str(line).expect("a row");
            let span: String = chars[row.start..row.end].iter().collect();
            assert_eq!(span, row.text);
        }
    }
}
