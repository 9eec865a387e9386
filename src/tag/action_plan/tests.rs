//! Tests of action-plan tables: roles from headers (English and Welsh),
//! references, rows, and links to recommendations. All text is fictional.

use super::*;
use crate::model::SourceFormat;

fn rules() -> RuleSet {
    RuleSet::default_rules()
}

fn role(header: &[&str]) -> TableRole {
    table_role(header, rules().plan_cues())
}

/// Extract, segment and tag a Markdown or text document.
fn process(name: &str, text: &str) -> ProcessedDoc {
    let format = if name.ends_with(".md") {
        SourceFormat::Markdown
    } else {
        SourceFormat::Text
    };
    let rules = rules();
    let ex = crate::extract::text::load(name, text.as_bytes(), format).expect("text loads");
    crate::tag::tag(crate::segment::segment(&ex, rules.anatomy()), &rules)
}

#[test]
fn tables_by_their_header() {
    use TableRole::*;
    assert_eq!(
        role(&[
            "Rec. no.",
            "Scope",
            "Action",
            "Lead agency",
            "Target date",
            "Outcome"
        ]),
        ActionPlan
    );
    assert_eq!(
        role(&[
            "Recommendation",
            "Scope of recommendation i.e. local or regional",
            "Action to take",
            "Lead Agency",
            "Key milestones achieved in enacting recommendation",
            "Target date",
            "Completion date and outcome",
        ]),
        ActionPlan
    );
    assert_eq!(
        role(&[
            "Argymhelliad",
            "Cam gweithredu",
            "Asiantaeth arweiniol",
            "Dyddiad targed"
        ]),
        ActionPlan
    );
    assert_eq!(role(&["Recommendation", "Lead", "Timescale"]), ActionPlan);
    // Recommendations restated, with who should lead them: not a plan.
    assert_eq!(
        role(&["Finding", "Recommendation (summary)", "Proposed lead"]),
        Recommendations
    );
    assert_eq!(role(&["No.", "Recommendation"]), Recommendations);
    assert_eq!(
        role(&["Rhif", "Argymhelliad", "Asiantaeth"]),
        Recommendations
    );
    // A chronology, a panel list and a strategy's measures.
    assert_eq!(role(&["Date", "Agency", "Event"]), Other);
    assert_eq!(role(&["Review Panel member (role)", "Agency"]), Other);
    assert_eq!(
        role(&["Measure", "Baseline (2024)", "Target (2030)"]),
        Other
    );
}

#[test]
fn references_as_written() {
    assert_eq!(
        reference("1. HCSP should seek assurance"),
        (Some("1".into()), Some("HCSP should seek assurance".into()))
    );
    assert_eq!(reference("1. (continued)"), (Some("1".into()), None));
    assert_eq!(reference("R3"), (Some("R3".into()), None));
    assert_eq!(
        reference("Recommendation 2.1: The board should act."),
        (Some("2.1".into()), Some("The board should act.".into()))
    );
    assert_eq!(
        reference("The board should act."),
        (None, Some("The board should act.".into()))
    );
    assert_eq!(reference(""), (None, None));
}

const REVIEW: &str = "# Domestic Homicide Review: a fictional review of Glanmor

## 9 Recommendations

1. Glanmor Police should complete a DASH risk assessment at every incident.

2. The Community Safety Partnership should commission training on coercive control.

## Appendix A

| Recommendation | Action | Lead agency | Target date | Outcome |
|---|---|---|---|---|
| 2 | Commission training | Glanmor CSP | March 2099 | |
| R1 | Amend the DASH procedure | Glanmor Police | June 2099 | Done |
| | Audit DASH forms | Glanmor Police | | |
| The Community Safety Partnership should commission training on coercive control | Publish the training plan | Glanmor CSP | | |
";

#[test]
fn rows_are_read_by_column_and_linked_by_number_then_words() {
    let d = process("fictional-dhr.md", REVIEW);
    let recs = &d.recommendations;
    assert_eq!(recs.len(), 2, "{recs:#?}");
    let rows = &d.action_plans;
    assert_eq!(rows.len(), 4, "{rows:#?}");
    let r = &rows[1];
    assert_eq!(r.recommendation.as_deref(), Some("R1"));
    assert_eq!(r.action.as_deref(), Some("Amend the DASH procedure"));
    assert_eq!(r.lead_agency.as_deref(), Some("Glanmor Police"));
    assert_eq!(r.target_date.as_deref(), Some("June 2099"));
    assert_eq!(r.outcome.as_deref(), Some("Done"));
    assert_eq!(r.scope, None);
    assert_eq!(r.page, 1);
    assert_eq!(&d.document.text[r.start..r.end], r.text);
    // An empty recommendation cell: the row above's recommendation.
    assert_eq!(rows[2].recommendation.as_deref(), Some("R1"));
    assert_eq!(rows[3].recommendation, None);
    let linked: Vec<Option<&str>> = rows
        .iter()
        .map(|r| r.recommendation_id.as_deref())
        .collect();
    assert_eq!(
        linked,
        vec![
            Some(recs[1].id.as_str()),
            Some(recs[0].id.as_str()),
            Some(recs[0].id.as_str()),
            // No number: by its opening words.
            Some(recs[1].id.as_str()),
        ]
    );
    assert_eq!(recs[0].action_plan.as_ref(), Some(&rows[1]));
    assert_eq!(recs[1].action_plan.as_ref(), Some(&rows[0]));
    // The ids are stable and distinct.
    let mut ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    assert!(ids[0].starts_with(&format!("{}-a", d.document.id)));
}

#[test]
fn welsh_action_plan_without_a_marked_header() {
    // A pipe table without a delimiter row: no row is marked as the
    // header, so the roles of the first row's cells make it one.
    let text = "Adolygiad ffuglennol.\n\n\
        | Argymhelliad | Cam gweithredu | Asiantaeth arweiniol | Dyddiad targed |\n\
        | 1 | Hyfforddi staff | Heddlu Glanmor | Mawrth 2099 |\n\
        | 2 | Archwilio ffurflenni | Cyngor Glanmor | Mehefin 2099 |\n";
    let d = process("fictional-cy.md", text);
    let first = d.document.passages.iter().find_map(|p| p.table);
    assert_eq!(first.map(|t| t.row), Some(RowKind::Data));
    let rows = &d.action_plans;
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert_eq!(rows[1].recommendation.as_deref(), Some("2"));
    assert_eq!(rows[1].action.as_deref(), Some("Archwilio ffurflenni"));
    assert_eq!(rows[1].lead_agency.as_deref(), Some("Cyngor Glanmor"));
    assert_eq!(rows[1].target_date.as_deref(), Some("Mehefin 2099"));
}

#[test]
fn other_tables_make_no_rows_and_unknown_columns_are_kept() {
    let text = "# Fictional\n\n| Date | Agency | Event |\n|---|---|---|\n| 1 May 2099 | Police | A call. |\n\n\
        | No. | Action | Lead | Notes |\n|---|---|---|---|\n| 1 | Write | CSP | By letter |\n";
    let d = process("fictional.md", text);
    assert_eq!(d.action_plans.len(), 1, "{:#?}", d.action_plans);
    assert_eq!(
        d.action_plans[0].other,
        vec![NamedCell {
            column: "Notes".into(),
            text: "By letter".into()
        }]
    );
}

#[test]
fn ruled_pdf_action_plan_rows_merge_across_the_page_break() {
    let rules = rules();
    let bytes = crate::extract::tests::ruled_action_plan_pdf();
    let ex =
        crate::extract::extract("fictional.pdf", &bytes, &Default::default()).expect("extract");
    let d = crate::tag::tag(crate::segment::segment(&ex, rules.anatomy()), &rules);
    type Cells<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, u32);
    let got: Vec<Cells> = d
        .action_plans
        .iter()
        .map(|r| {
            (
                r.recommendation.as_deref(),
                r.action.as_deref(),
                r.lead_agency.as_deref(),
                r.page,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some("1"),
                Some("Commission fictional training"),
                Some("Glanmor CSP"),
                1
            ),
            (
                Some("2"),
                Some("Amend the procedure."),
                Some("Glanmor Police"),
                1
            ),
            (
                Some("3"),
                Some("Write to the Home Office."),
                Some("Glanmor CSP"),
                2
            ),
        ]
    );
    assert_eq!(
        d.action_plans[1].recommendation_text.as_deref(),
        Some("Glanmor Police should audit DASH forms and report to the CSP.")
    );
    // Header cells are not recommendations.
    assert!(d.recommendations.is_empty(), "{:#?}", d.recommendations);
}

#[test]
fn lead_cells_name_bodies_through_the_gazetteer() {
    let rules = rules();
    let text = "The Glanmor Community Safety Partnership (GCSP) leads the work.";
    let doc = crate::tag::single_passage_document(text, SectionKind::Other);
    let ctx = crate::tag::addressee::document_addressees(&doc, &rules);
    let lead = |cell: &str| -> Vec<(String, String, AddresseeSource)> {
        crate::tag::addressee::lead_addressees(&rules, &ctx, cell)
            .into_iter()
            .map(|a| (a.canonical, a.category, a.source))
            .collect()
    };
    use AddresseeSource::ActionPlan as AP;
    assert_eq!(
        lead("Glanmor Police"),
        vec![("Glanmor Police".into(), "police".into(), AP)]
    );
    // Two bodies; a department after its body; a qualifier in brackets;
    // the document's own short name.
    assert_eq!(
        lead("Glanmor Police and Aberwen County Borough Council Children's Services"),
        vec![
            ("Glanmor Police".into(), "police".into(), AP),
            (
                "Aberwen County Borough Council".into(),
                "local_authority".into(),
                AP
            ),
        ]
    );
    assert_eq!(
        lead("GCSP (Training Sub-group)"),
        vec![(
            "Glanmor Community Safety Partnership".into(),
            "community_safety_partnership".into(),
            AP
        )]
    );
    assert_eq!(
        lead("Heddlu Glanmor"),
        vec![("Glanmor Police".into(), "police".into(), AP)]
    );
    assert_eq!(lead(""), vec![]);
}

#[test]
fn a_recommendation_that_says_for_whom_keeps_its_addressees() {
    let d = process(
        "fictional-dhr.md",
        "# Domestic Homicide Review: a fictional review of Glanmor

## 9 Recommendations

1. Training on coercive control is commissioned for all front-line staff.

2. All agencies represented on the partnership should audit their referrals.

3. Glanmor Police should review its bail procedure.

## Appendix A

| Recommendation | Action | Lead agency | Target date |
|---|---|---|---|
| 1 | Commission training | Glanmor CSP | March 2099 |
| 2 | Agree an audit tool | Glanmor CSP | June 2099 |
| 3 | Revise the procedure | Glanmor CSP | June 2099 |
",
    );
    let got: Vec<Vec<(String, AddresseeSource)>> = d
        .recommendations
        .iter()
        .map(|r| {
            r.addressees
                .iter()
                .map(|a| (a.canonical.clone(), a.source))
                .collect()
        })
        .collect();
    let csp = "Glanmor Community Safety Partnership".to_string();
    assert_eq!(
        got,
        vec![
            // Says nobody: the action plan's lead.
            vec![(csp, AddresseeSource::ActionPlan)],
            // A group: for all of them, not the lead.
            vec![],
            // Named: the lead only leads the work.
            vec![("Glanmor Police".to_string(), AddresseeSource::Subject)],
        ]
    );
    let first = &d.recommendations[0];
    assert_eq!(first.agencies, vec!["community_safety_partnership"]);
    assert_eq!(first.level, Some(AgencyLevel::MultiAgencyLocal));
    assert_eq!(
        d.action_plans[0].target_date_iso.as_deref(),
        Some("2099-03")
    );
}
