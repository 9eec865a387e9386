//! Recommendations in tables: a table in a recommendations region is read
//! by its columns or by its row labels, never across its cells.
//!
//! Two layouts, told apart by form:
//! - **Columns** ("No. | Recommendation | Agency"): the recommendation is
//!   the cell of the text column (the column whose header names
//!   recommendations, or else the one with the longest cells), its number
//!   the cell of a column of references ("1", "R3", "2.1"), and the body
//!   responsible the cell of a column the rule file's `[action_plan]`
//!   `lead_agency` phrases name ("Agency", "Lead", "Responsible body").
//! - **Boxes** (one small table per recommendation, rows labelled
//!   "R1 | Risk formulation", "Recommendation | The Trust must …",
//!   "Responsible organisation | …"): a row whose first cell is a
//!   recommendation label (`[action_plan] recommendation`) holds the text,
//!   a reference row before it the number, a row labelled as a lead the
//!   body responsible.
//!
//! A row's recommendation is taken when it is labelled, numbered or reads
//! as one (a directive first sentence). A table that reads as neither
//! layout is left to the paragraph rules (its rows as passages).
//!
//! A strategy's delivery plan ("Ref | Action | Owner | Timescale") is its
//! commitments: there the text column is the one headed as an action, and
//! the owner (often an internal role) does not replace the issuer.

use super::*;
use crate::rules::{PlanColumn, PlanCues};
use crate::tag::action_plan::plan_key;

/// What a table's rows are read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// A review's recommendations, each with the body responsible.
    Recommendations,
    /// A strategy's commitments (its delivery-plan actions).
    Commitments,
}

/// The recommendations of one table's rows (in a run of a recommendations
/// region), or None when the table is not a table of recommendations.
pub(super) fn table_items(
    doc: &Document,
    cues: &PlanCues,
    rows: &[&Passage],
    reading: Reading,
    strict: bool,
) -> Option<Vec<Found>> {
    let rows: Vec<Row<'_>> = rows
        .iter()
        .filter(|p| p.table.is_some_and(|t| t.row != RowKind::RepeatedHeader))
        .map(|p| Row::of(doc, p))
        .collect();
    let items = if rows.iter().any(|r| r.labelled_text(cues).is_some()) {
        boxed(doc, cues, &rows)
    } else {
        columns(doc, cues, &rows, reading)?
    };
    let items: Vec<Found> = items
        .into_iter()
        .filter(|f| f.cues.contains(&RecCue::Label) || f.ordinal.is_some() || !strict)
        .filter(reads_as_one)
        .collect();
    (!items.is_empty()).then_some(items)
}

/// A labelled or numbered cell of six words or more, or a directive one.
fn reads_as_one(f: &Found) -> bool {
    let first = first_sentence(&f.text);
    let directive = RE_DIRECTIVE.is_match(first) || addressed_action(first);
    let long = f.text.split_whitespace().count() >= 6;
    !f.text.trim_end().ends_with('?')
        && !is_preamble(&f.text)
        && (directive || (long && (f.ordinal.is_some() || f.cues.contains(&RecCue::Label))))
}

/// One row: its passage and its cells' spans and texts (trimmed).
struct Row<'a> {
    passage: &'a Passage,
    cells: Vec<(Span, &'a str)>,
}

impl<'a> Row<'a> {
    fn of(doc: &'a Document, p: &'a Passage) -> Row<'a> {
        let cells = p
            .cells
            .iter()
            .map(|c| {
                let raw = doc.text.get(c.start..c.end).unwrap_or("");
                let lead = raw.len() - raw.trim_start().len();
                let t = raw.trim();
                let start = c.start + lead;
                (
                    Span {
                        start,
                        end: start + t.len(),
                    },
                    t,
                )
            })
            .collect();
        Row { passage: p, cells }
    }

    fn cell(&self, k: usize) -> Option<(Span, &'a str)> {
        self.cells.get(k).copied().filter(|(_, t)| !t.is_empty())
    }

    /// The non-empty cells.
    fn filled(&self) -> Vec<(Span, &'a str)> {
        self.cells
            .iter()
            .copied()
            .filter(|(_, t)| !t.is_empty())
            .collect()
    }

    /// A label and its value: a short first cell and one cell after it.
    fn label_value(&self) -> Option<(&'a str, (Span, &'a str))> {
        match self.filled()[..] {
            [(_, label), value] if label.split_whitespace().count() <= 4 => Some((label, value)),
            _ => None,
        }
    }

    /// The text of a row labelled as a recommendation ("Recommendation |
    /// The Trust must …").
    fn labelled_text(&self, cues: &PlanCues) -> Option<(Span, &'a str)> {
        let (label, value) = self.label_value()?;
        (cues.role(label) == Some(PlanColumn::Recommendation)
            && plan_key(label).is_none()
            && value.1.split_whitespace().count() >= 5)
            .then_some(value)
    }

    /// The reference of a row that only numbers ("R1 | Risk formulation",
    /// "Recommendation 3"), as written.
    fn reference(&self) -> Option<String> {
        let first = self.filled().first()?.1;
        plan_key(first).map(|_| ordinal_as_written(first))
    }

    /// The body responsible, from a row labelled as a lead.
    fn lead(&self, cues: &PlanCues) -> Option<Span> {
        let (label, value) = self.label_value()?;
        (cues.role(label) == Some(PlanColumn::LeadAgency)).then_some(value.0)
    }
}

/// "R1" / "3." / "Recommendation 2:" → "R1" / "3" / "Recommendation 2".
fn ordinal_as_written(cell: &str) -> String {
    cell.trim()
        .trim_end_matches(['.', ':', ')'])
        .trim()
        .to_string()
}

fn found(doc: &Document, row: &Row<'_>, text: (Span, &str), ordinal: Option<String>) -> Found {
    let (span, t) = text;
    let (ordinal, span, t) = match (ordinal, parse_marker(t)) {
        // A number written at the start of the text cell ("3. The CSP …").
        (None, Some((Marker::Num(n), len))) => (
            Some(n),
            Span {
                start: span.start + len,
                end: span.end,
            },
            &t[len..],
        ),
        (o, _) => (o, span, t),
    };
    Found {
        ordinal,
        text: collapse(strip_md(t)),
        page: page_at(doc, row.passage, span.start),
        section: row.passage.section,
        start: span.start,
        end: span.end,
        cues: vec![RecCue::Table],
        lead: None,
    }
}

/// Boxes: the labelled rows' texts, numbered by the reference row before
/// them, addressed by a lead row (after the text, or before the first).
fn boxed(doc: &Document, cues: &PlanCues, rows: &[Row<'_>]) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    let mut number: Option<String> = None;
    let mut lead_before: Option<Span> = None;
    for row in rows {
        if let Some(text) = row.labelled_text(cues) {
            let mut f = found(doc, row, text, number.take());
            f.cues.push(RecCue::Label);
            f.lead = lead_before;
            out.push(f);
        } else if let Some(lead) = row.lead(cues) {
            match out.last_mut() {
                Some(f) if f.lead.is_none() || f.lead == lead_before => f.lead = Some(lead),
                Some(_) => {}
                None => lead_before = Some(lead),
            }
        } else if let Some(r) = row.reference() {
            number = Some(r);
        }
    }
    out
}

/// Columns: each data row's text cell, numbered by the column of
/// references, addressed by the lead column. None when no column holds
/// recommendation-length text.
fn columns(
    doc: &Document,
    cues: &PlanCues,
    rows: &[Row<'_>],
    reading: Reading,
) -> Option<Vec<Found>> {
    let roles = |r: &Row<'_>| -> Vec<Option<PlanColumn>> {
        r.cells.iter().map(|(_, t)| cues.role(t)).collect()
    };
    let first = rows.first()?;
    let marked = first
        .passage
        .table
        .is_some_and(|t| t.row == RowKind::Header);
    let named = roles(first).iter().any(|r| {
        matches!(
            r,
            Some(PlanColumn::Recommendation | PlanColumn::LeadAgency | PlanColumn::Action)
        )
    });
    let (header, data) = if marked || named {
        (roles(first), &rows[1..])
    } else {
        (Vec::new(), rows)
    };
    let width = data.iter().map(|r| r.cells.len()).max()?;
    let column = |k: usize| data.iter().filter_map(move |r| r.cell(k).map(|(_, t)| t));
    let mean_words = |k: usize| {
        let (n, w) = column(k).fold((0usize, 0usize), |(n, w), t| {
            (n + 1, w + t.split_whitespace().count())
        });
        if n == 0 { 0.0 } else { w as f32 / n as f32 }
    };
    let number = (0..width).find(|&k| {
        let n = column(k).count();
        n > 0 && column(k).filter(|t| plan_key(t).is_some()).count() * 5 >= n * 4
    });
    let role = |k: usize| header.get(k).copied().flatten();
    let longest = |pick: &dyn Fn(usize) -> bool| {
        (0..width)
            .filter(|&k| Some(k) != number && pick(k))
            .map(|k| (k, mean_words(k)))
            .filter(|(_, w)| *w >= 6.0)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, _)| k)
    };
    let headed = match reading {
        Reading::Recommendations => PlanColumn::Recommendation,
        Reading::Commitments => PlanColumn::Action,
    };
    let text = longest(&|k| role(k) == Some(headed))
        .or_else(|| longest(&|k| role(k) == Some(PlanColumn::Recommendation)))
        .or_else(|| longest(&|_| true))?;
    let lead = (0..width).find(|&k| {
        reading == Reading::Recommendations
            && k != text
            && Some(k) != number
            && role(k) == Some(PlanColumn::LeadAgency)
    });
    let mut out: Vec<Found> = Vec::new();
    for row in data {
        let Some(cell) = row.cell(text) else { continue };
        let ordinal = number
            .and_then(|k| row.cell(k))
            .map(|(_, t)| ordinal_as_written(t));
        // A row with no number whose text goes on in lower case is the rest
        // of the row above (cut by a page, or a merged number cell).
        if let (None, Some(last), true) = (&ordinal, out.last_mut(), starts_lower(cell.1)) {
            last.end = cell.0.end;
            last.text = format!("{} {}", last.text, collapse(cell.1));
            continue;
        }
        let mut f = found(doc, row, cell, ordinal);
        f.lead = lead.and_then(|k| row.cell(k)).map(|(s, _)| s);
        out.push(f);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    //! Tables of recommendations in fictional Markdown reviews (Glanmor
    //! and its agencies do not exist).

    use crate::model::{AddresseeSource, ProcessedDoc, RecCue, SourceFormat};
    use crate::rules::RuleSet;

    fn process(text: &str) -> ProcessedDoc {
        let rules = RuleSet::default_rules();
        let ex =
            crate::extract::text::load("fictional.md", text.as_bytes(), SourceFormat::Markdown)
                .expect("text loads");
        crate::tag::tag(crate::segment::segment(&ex, rules.anatomy()), &rules)
    }

    /// A recommendation as these tests read it: ordinal, text, and each
    /// addressee's canonical name with its source.
    type Rec = (Option<String>, String, Vec<(String, AddresseeSource)>);

    fn recs(pd: &ProcessedDoc) -> Vec<Rec> {
        pd.recommendations
            .iter()
            .map(|r| {
                (
                    r.ordinal.clone(),
                    r.text.clone(),
                    r.addressees
                        .iter()
                        .map(|a| (a.canonical.clone(), a.source))
                        .collect(),
                )
            })
            .collect()
    }

    const COLUMNS: &str = "# Domestic Homicide Review (fictional)

## 10 Recommendations

The panel makes the following recommendations.

| No. | Recommendation | Agency |
|---|---|---|
| 1 | The partnership should seek assurance that training covers stalking after separation. | Glanmor Community Safety Partnership |
| 2 | Glanmor Police should audit the referrals made by its north area to the MARAC. | Glanmor Police |
| 3 | All agencies in the partnership should review their policies on alcohol and drug use. | All partner agencies |

## 11 Glossary
";

    #[test]
    fn a_table_of_recommendations_is_read_by_its_columns() {
        let pd = process(COLUMNS);
        let got = recs(&pd);
        assert_eq!(got.len(), 3, "{got:#?}");
        let ordinals: Vec<_> = got.iter().map(|r| r.0.as_deref()).collect();
        assert_eq!(ordinals, [Some("1"), Some("2"), Some("3")]);
        assert_eq!(
            got[0].1,
            "The partnership should seek assurance that training covers stalking after separation."
        );
        assert!(got.iter().all(|r| !r.1.contains('|')), "{got:#?}");
        assert_eq!(
            got[0].2,
            [(
                "Glanmor Community Safety Partnership".to_string(),
                AddresseeSource::Table
            )]
        );
        assert_eq!(
            got[1].2,
            [("Glanmor Police".to_string(), AddresseeSource::Table)]
        );
        // "All partner agencies" names no one body.
        assert!(
            got[2].2.iter().all(|a| a.1 != AddresseeSource::Table),
            "{got:#?}"
        );
        assert!(
            pd.recommendations
                .iter()
                .all(|r| r.cues.contains(&RecCue::Table))
        );
    }

    const BOXES: &str = "# Independent investigation (fictional)

## 9 Recommendations

| R1 | Risk formulation |
|---|---|
| Recommendation | The Trust must ensure that every service user with a history of violence has a risk formulation. |
| Responsible organisation | Glanmor University Health Board |

Text between the boxes.

| R2 | Information sharing |
|---|---|
| Recommendation | Glanmor Police should amend its notification guidance for incidents involving serious mental illness. |
| Responsible organisation | Glanmor Police |
";

    #[test]
    fn boxed_recommendations_are_read_by_their_row_labels() {
        let got = recs(&process(BOXES));
        assert_eq!(got.len(), 2, "{got:#?}");
        assert_eq!(got[0].0.as_deref(), Some("R1"));
        assert_eq!(
            got[0].1,
            "The Trust must ensure that every service user with a history of violence has a risk formulation."
        );
        assert_eq!(
            got[0].2,
            [(
                "Glanmor University Health Board".to_string(),
                AddresseeSource::Table
            )]
        );
        assert_eq!(got[1].0.as_deref(), Some("R2"));
        assert_eq!(
            got[1].2,
            [("Glanmor Police".to_string(), AddresseeSource::Table)]
        );
    }

    #[test]
    fn tables_that_hold_no_recommendations_give_none() {
        // A glossary under the recommendations, and a table of
        // recommendations quoted in the analysis, are not read as ones.
        let text = "# Review (fictional)

## 5 Analysis

| No. | Recommendation of the 2019 review | Agency |
|---|---|---|
| 1 | Glanmor Police should audit the referrals made by its north area to the MARAC. | Glanmor Police |

## 9 Recommendations

| Term | Meaning |
|---|---|
| MARAC | Multi-Agency Risk Assessment Conference, a meeting about victims at high risk |
| IDVA | Independent Domestic Violence Adviser, who supports victims at high risk |
";
        let got = recs(&process(text));
        assert!(got.is_empty(), "{got:#?}");
    }

    #[test]
    fn a_strategy_delivery_plan_is_its_commitments() {
        let text = "# Glanmor Police VAWG Delivery Plan 2099 (fictional)

## 4 Pillar 1: Build trust

| Ref | Action | Owner | Timescale |
|---|---|---|---|
| 1.1 | Establish a survivors' scrutiny panel to review how reports of violence are handled. | Head of Public Protection | July 2099 |
| 1.2 | Introduce a victim contact contract for every victim of a domestic abuse crime. | Head of Crime | September 2099 |

## 8 How we will measure success

| Measure | Baseline | Ambition |
|---|---|---|
| Victim satisfaction with being kept informed of progress | 61% | 75% |
";
        let pd = process(text);
        let got = recs(&pd);
        let ordinals: Vec<_> = got.iter().map(|r| r.0.as_deref()).collect();
        assert_eq!(ordinals, [Some("1.1"), Some("1.2")], "{got:#?}");
        assert!(got[0].1.starts_with("Establish a survivors'"), "{got:#?}");
        // The owner is an internal role: it does not become the addressee.
        assert!(
            got.iter()
                .all(|r| r.2.iter().all(|a| a.1 != AddresseeSource::Table))
        );
    }
}
