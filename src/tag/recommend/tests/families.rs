//! Recommendation families from templates the first rules were not
//! written against (agency labels, Welsh templates, coroners' letters, …).
//! Every document here is built by hand and fictional.

use super::*;

#[test]
fn agency_label_then_action_is_a_recommendation() {
    let doc = recs_section()
        .para(
            "Glanmor Police: to review its DASH training so that officers ask about strangulation.",
        )
        .para("The Home Office – consider national guidance on risk after separation.")
        .para("The panel thanks the fictional family for their help.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(f[0].cues.contains(&RecCue::Modal));
}

#[test]
fn labelled_recommendations_in_the_analysis_count_and_their_summary_copies_do_not() {
    let doc = Builder::new(DocKind::Cpr)
        .section("4 Key practice episode 1", SectionKind::Analysis)
        .para("Agencies in fictional Dunholt did not share what they knew.")
        .para("Recommendation 1: Dunholt Safeguarding Children Partnership should agree a protocol with schools on exclusions.")
        .section("7 Summary of recommendations", SectionKind::Recommendations)
        .item("1.", "Dunholt Safeguarding Children Partnership should agree a protocol with schools.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].ordinal.as_deref(), Some("1"));
    assert!(f[0].cues.contains(&RecCue::Label));
    assert!(f[0].text.starts_with(
        "Dunholt Safeguarding Children Partnership should agree a protocol with schools on"
    ));
}

#[test]
fn a_heading_of_analysis_and_recommendations_keeps_only_what_recommends() {
    let doc = Builder::new(DocKind::Cpr)
        .section(
            "4 Key practice episodes, analysis and recommendations",
            SectionKind::Recommendations,
        )
        .item(
            "4.1",
            "This section sets out the fictional key practice episodes.",
        )
        .item("4.2", "The school did not know of the missing episodes.")
        .para("Recommendation 1: Fictional Dunholt Council should review its exclusion protocol.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].text
            .starts_with("Fictional Dunholt Council should review")
    );
}

#[test]
fn unnumbered_recommendation_label_is_not_part_of_the_text() {
    let doc = recs_section()
        .para("Recommendation: Wrenmoor Council should keep fictional enquiries open until the adult is seen.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 1);
    assert!(f[0].text.starts_with("Wrenmoor Council should"));
    assert!(f[0].cues.contains(&RecCue::Label));
}

#[test]
fn a_closing_remark_about_the_recommendations_makes_no_list() {
    let doc = recs_section()
        .para("The Safeguarding Adults Board should ask fictional Northway Recovery to set out its outreach offer.")
        .item("6.2", "The Board has accepted all of the recommendations.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 1, "{f:#?}");
}

#[test]
fn pfd_boilerplate_is_cut_wherever_it_stands() {
    let doc = pfd()
        .para("Regulation 28 – After Inquest Document Template Updated 30/07/2021 During the course of the inquest the evidence revealed matters giving rise to concern. In my opinion there is a risk that future deaths will occur unless action is taken. The MATTERS OF CONCERN are as follows: (brief summary of matters of concern) The fictional ward had no observation policy.")
        .para("Would the fictional junction be safer with a stop sign?")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            "The fictional ward had no observation policy.".to_string(),
            "Would the fictional junction be safer with a stop sign?".to_string()
        ]
    );
}

#[test]
fn a_coroners_letter_states_its_concerns_without_a_heading() {
    // The older Rule 43 letter (fictional): evidence in numbered paragraphs,
    // then lettered concerns, each "I am concerned that …", then the steps
    // already taken and the request for a response.
    let doc = Builder::new(DocKind::Pfd)
        .section(
            "Report under Rule 43 of the Coroners Rules 1984",
            SectionKind::Other,
        )
        .item("1.", "Person C was 29 and lived in Fictionford.")
        .item(
            "2.",
            "Officers attended five times; I am told a form was not reviewed.",
        )
        .para("Having considered the evidence, I have a number of concerns. In particular:")
        .item(
            "(a)",
            "I am concerned that Fictionford Police did not refer Person C to MARAC.",
        )
        .item(
            "(b)",
            "I am concerned that the emergency department did not ask about abuse.",
        )
        .para("I heard evidence that the following steps have already been taken:")
        .item("•", "The force has recruited two additional officers.")
        .para("I would be grateful if you could let me know what action you propose to take.")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            "I am concerned that Fictionford Police did not refer Person C to MARAC.".to_string(),
            "I am concerned that the emergency department did not ask about abuse.".to_string(),
        ]
    );
    // A lead-in too long for a heading: the concerns are found all the same.
    let long = Builder::new(DocKind::Pfd)
        .section("Report under Rule 43 of the Coroners Rules 1984", SectionKind::Other)
        .para("Having considered all of the evidence, I have a number of concerns which I set out below, in particular:")
        .item("(a)", "I am concerned that Fictionford Police did not refer Person C to MARAC.")
        .para("I heard evidence that the following steps have already been taken:")
        .item("•", "The force has recruited two additional officers.")
        .build();
    assert_eq!(
        texts(&long),
        vec!["I am concerned that Fictionford Police did not refer Person C to MARAC.".to_string()]
    );
    // In a review, the same words outside a recommendations region are analysis.
    let review = Builder::new(DocKind::Dhr)
        .section("5 Analysis", SectionKind::Analysis)
        .item(
            "(a)",
            "I am concerned that Fictionford Police did not refer Person C to MARAC.",
        )
        .build();
    assert!(texts(&review).is_empty());
}

#[test]
fn text_about_the_recommendations_is_not_one_of_them() {
    let doc = recs_section()
        .item("10.1", "The Home Office should consider whether statutory guidance covers stalking.")
        .item(
            "10.2",
            "An action plan to deliver these recommendations has been agreed by the SMP\nand will be monitored by its Domestic Abuse and VAWG Delivery Group.",
        )
        .item("10.3", "The CSP should monitor the delivery of these recommendations.")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            "The Home Office should consider whether statutory guidance covers stalking."
                .to_string(),
            "The CSP should monitor the delivery of these recommendations.".to_string(),
        ]
    );
}

#[test]
fn a_preview_of_the_recommendations_topics_is_not_a_list_of_them() {
    let doc = Builder::new(DocKind::Mhhr)
        .section("Our recommendations", SectionKind::Recommendations)
        .item("1.6", "We make three recommendations, in section 9, about:")
        .item(
            "•",
            "risk formulation that considers the people a service user lives with;",
        )
        .item(
            "•",
            "carers' assessments and safety planning with carers; and",
        )
        .item(
            "•",
            "assurance that the Trust's own action plan is completed.",
        )
        .item("1.7", "The Trust should publish this report.")
        .build();
    assert_eq!(
        texts(&doc),
        vec!["The Trust should publish this report.".to_string()]
    );
}
