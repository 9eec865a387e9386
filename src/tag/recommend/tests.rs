//! Tests for recommendation finding. Every document here is built by hand
//! and fictional (Glanmor and its agencies do not exist).

use super::*;
use proptest::prelude::*;

/// Find with the built-in rules.
fn find_default(doc: &Document) -> Vec<Found> {
    find(doc, &RuleSet::default_rules())
}

/// Builds a [`Document`] passage by passage, computing byte offsets.
struct Builder {
    doc: Document,
    new_page: bool,
}

impl Builder {
    fn new(kind: DocKind) -> Self {
        Builder {
            doc: Document {
                id: "dtest".into(),
                file: "fictional.txt".into(),
                sha256: String::new(),
                title: "Fictional review".into(),
                kind,
                year: None,
                area: None,
                language: "en".into(),
                pages: 1,
                text: String::new(),
                page_starts: vec![0],
                page_labels: vec![None],
                sections: vec![],
                passages: vec![],
                warnings: vec![],
            },
            new_page: false,
        }
    }

    fn sep(&mut self) {
        if !self.doc.text.is_empty() {
            self.doc.text.push_str("\n\n");
        }
    }

    /// Start a section: its heading becomes a Heading passage.
    fn section(mut self, heading: &str, kind: SectionKind) -> Self {
        if let Some(s) = self.doc.sections.last_mut() {
            s.end = self.doc.text.len();
        }
        self.sep();
        let start = self.doc.text.len();
        let index = self.doc.sections.len();
        self.doc.sections.push(Section {
            index,
            heading: heading.into(),
            number: None,
            level: 1,
            kind,
            trail: vec![heading.into()],
            page: self.doc.pages,
            start,
            end: start,
        });
        self.push(PassageKind::Heading, None, heading)
    }

    fn push(mut self, kind: PassageKind, marker: Option<&str>, text: &str) -> Self {
        if self.doc.sections.is_empty() {
            self = self.section("", SectionKind::FrontMatter);
            // Drop the empty heading passage the line above made.
            self.doc.passages.pop();
        }
        self.sep();
        let start = self.doc.text.len();
        if self.new_page {
            self.new_page = false;
            self.doc.page_starts.push(start);
            self.doc.page_labels.push(None);
            self.doc.pages += 1;
        }
        self.doc.text.push_str(text);
        let end = self.doc.text.len();
        let index = self.doc.passages.len();
        self.doc.passages.push(Passage {
            index,
            kind,
            section: self.doc.sections.len() - 1,
            page: self.doc.pages,
            start,
            end,
            marker: marker.map(str::to_string),
            sentences: vec![Span { start, end }],
            cells: vec![],
            table: None,
        });
        if let Some(s) = self.doc.sections.last_mut() {
            s.end = end;
        }
        self
    }

    fn para(self, text: &str) -> Self {
        self.push(PassageKind::Paragraph, None, text)
    }

    /// A list item whose marker the segmenter kept in the text.
    fn item(self, marker: &str, text: &str) -> Self {
        let t = format!("{marker} {text}");
        self.push(PassageKind::ListItem, Some(marker), &t)
    }

    fn heading(self, text: &str) -> Self {
        self.push(PassageKind::Heading, None, text)
    }

    /// The next passage starts a new page.
    fn page_break(mut self) -> Self {
        self.new_page = true;
        self
    }

    fn build(self) -> Document {
        self.doc
    }
}

fn texts(doc: &Document) -> Vec<String> {
    find_default(doc).into_iter().map(|f| f.text).collect()
}

fn ordinals(doc: &Document) -> Vec<Option<String>> {
    find_default(doc).into_iter().map(|f| f.ordinal).collect()
}

fn recs_section() -> Builder {
    Builder::new(DocKind::Dhr)
        .section("1 Introduction", SectionKind::Introduction)
        .para("This fictional review concerns the death of Person A in Glanmor.")
        .section("9 Recommendations", SectionKind::Recommendations)
}

#[test]
fn numbered_items_in_recommendations_section() {
    let doc = recs_section()
        .para("The review panel makes the following recommendations:")
        .item("1.", "The Glanmor CSP should publish this review.")
        .item("2.", "Glanmor Police should audit DASH completion.")
        .item("3.", "The Health Board must ensure staff ask about abuse.")
        .build();
    let found = find_default(&doc);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(
        ordinals(&doc),
        vec![Some("1".into()), Some("2".into()), Some("3".into())]
    );
    assert_eq!(
        found[1].text,
        "Glanmor Police should audit DASH completion."
    );
    assert_eq!(found[1].section, 1);
    assert!(doc.text[found[1].start..found[1].end].starts_with("2. Glanmor"));
}

#[test]
fn markers_parsed_from_text_when_segmenter_gave_none() {
    let doc = recs_section()
        .para("Recommendation 1: Glanmor Police should review its training.")
        .para("Recommendation 2 - The CSP should share this report.")
        .para("R3 The Health Board should update its policy.")
        .para("2.1 Children's services should record the child's voice.")
        .build();
    assert_eq!(
        ordinals(&doc),
        vec![
            Some("1".into()),
            Some("2".into()),
            Some("R3".into()),
            Some("2.1".into())
        ]
    );
    assert_eq!(texts(&doc)[0], "Glanmor Police should review its training.");
}

#[test]
fn sub_items_belong_to_parent() {
    let doc = recs_section()
        .item("1.", "Glanmor Police should:")
        .item("(a)", "review the DASH training;")
        .item("(b)", "audit risk assessments.")
        .item("2.", "The CSP should publish the review.")
        .build();
    let t = texts(&doc);
    assert_eq!(t.len(), 2, "{t:#?}");
    assert_eq!(
        t[0],
        "Glanmor Police should:\n(a) review the DASH training;\n(b) audit risk assessments."
    );
    assert_eq!(ordinals(&doc)[1], Some("2".into()));
}

#[test]
fn sub_items_inside_one_paragraph_stay_with_parent() {
    let doc = recs_section()
        .para("1. Glanmor Police should:\n(a) review training;\n(b) audit files.")
        .para("2. The CSP should publish the review.")
        .build();
    let t = texts(&doc);
    assert_eq!(t.len(), 2, "{t:#?}");
    assert!(t[0].contains("(b) audit files."));
}

#[test]
fn continuation_paragraph_joins_item() {
    let doc = recs_section()
        .item("1.", "The Health Board should review its policy.")
        .para("This review should include how staff ask about abuse.")
        .item("2.", "The CSP should publish the review.")
        .build();
    let t = texts(&doc);
    assert_eq!(t.len(), 2);
    assert_eq!(
        t[0],
        "The Health Board should review its policy.\nThis review should include how staff ask about abuse."
    );
}

#[test]
fn page_break_continuation_joins_mid_sentence() {
    let doc = recs_section()
        .item(
            "1.",
            "The Health Board should review how staff in emergency",
        )
        .page_break()
        .para("departments ask about domestic abuse.")
        .item("2.", "The CSP should publish the review.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 2);
    assert_eq!(
        f[0].text,
        "The Health Board should review how staff in emergency departments ask about domestic abuse."
    );
    assert_eq!(f[0].page, 1);
    assert_eq!(f[1].page, 2);
}

#[test]
fn new_intro_paragraph_does_not_join_item() {
    let doc = recs_section()
        .item("1.", "The CSP should publish the review.")
        .para("The following recommendations are for single agencies:")
        .item("2.", "Glanmor Police should audit DASH completion.")
        .build();
    let t = texts(&doc);
    assert_eq!(
        t,
        vec![
            "The CSP should publish the review.".to_string(),
            "Glanmor Police should audit DASH completion.".to_string()
        ]
    );
}

#[test]
fn subsections_and_bullets() {
    let doc = recs_section()
        .section(
            "9.1 Single-agency recommendations",
            SectionKind::Recommendations,
        )
        .item("•", "Glanmor Police should audit DASH completion.")
        .item("•", "The Health Board should train reception staff.")
        .heading("National recommendations")
        .item("•", "The Home Office should update guidance.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 3);
    assert!(f.iter().all(|f| f.ordinal.is_none()));
    assert_eq!(f[2].text, "The Home Office should update guidance.");
}

#[test]
fn panel_recommends_sentences_without_a_list() {
    let doc = recs_section()
        .para("The panel thanks everyone who took part.")
        .para("The panel recommends that Glanmor Police review its training. The panel also recommends that the CSP publishes the review.")
        .build();
    let t = texts(&doc);
    assert_eq!(
        t,
        vec![
            "The panel recommends that Glanmor Police review its training.".to_string(),
            "The panel also recommends that the CSP publishes the review.".to_string()
        ]
    );
}

#[test]
fn action_plan_rows_are_not_counted() {
    let doc = recs_section()
        .item("1.", "The CSP should publish the review.")
        .section("10 Action plan", SectionKind::ActionPlan)
        .push(
            PassageKind::TableRow,
            None,
            "1 | The CSP should publish the review. | CSP | March",
        )
        .push(
            PassageKind::TableRow,
            None,
            "2 | Glanmor Police should audit DASH. | Police | May",
        )
        .build();
    assert_eq!(find_default(&doc).len(), 1);
}

#[test]
fn action_plan_heading_inside_recommendations_section_stops() {
    let doc = recs_section()
        .item("1.", "The CSP should publish the review.")
        .heading("Action plan")
        .para("1. The CSP should publish the review. Lead: CSP.")
        .build();
    assert_eq!(find_default(&doc).len(), 1);
}

#[test]
fn terms_of_reference_lessons_and_background_are_not_recommendations() {
    let doc = Builder::new(DocKind::Dhr)
        .section("2 Terms of reference", SectionKind::TermsOfReference)
        .item(
            "1.",
            "Was the risk assessment completed and was it accurate?",
        )
        .section("5 Background", SectionKind::Background)
        .para("The 2019 review recommended that Glanmor Police should train all officers.")
        .section("7 Lessons learned", SectionKind::Lessons)
        .item(
            "1.",
            "Practitioners should be curious about controlling behaviour.",
        )
        .section("8 Analysis", SectionKind::Analysis)
        .para("Officers should have asked Person A about the threats.")
        .build();
    assert!(find_default(&doc).is_empty(), "{:#?}", find_default(&doc));
}

#[test]
fn questions_dropped_even_in_recommendations() {
    let doc = recs_section()
        .item("1.", "Was the risk assessment accurate?")
        .item("2.", "The CSP should publish the review.")
        .build();
    assert_eq!(
        texts(&doc),
        vec!["The CSP should publish the review.".to_string()]
    );
}

#[test]
fn quoted_previous_recommendation_in_recs_intro_is_skipped() {
    let doc = recs_section()
        .para("A previous review recommended that agencies should share information.")
        .para("The panel recommends that the CSP audits information sharing.")
        .build();
    assert_eq!(
        texts(&doc),
        vec!["The panel recommends that the CSP audits information sharing.".to_string()]
    );
}

#[test]
fn contents_lines_are_not_headings_or_items() {
    let doc = Builder::new(DocKind::Dhr)
        .para("Contents")
        .para("8. Conclusions ........ 21")
        .para("9. Recommendations ........ 23")
        .para("10. Action plan ........ 25")
        .section("1 Introduction", SectionKind::Introduction)
        .para("This fictional review concerns Person A.")
        .build();
    assert!(find_default(&doc).is_empty(), "{:#?}", find_default(&doc));
}

#[test]
fn fallback_heading_cue_with_verification() {
    // The segmenter left everything in one section of unknown kind.
    let good = Builder::new(DocKind::Dhr)
        .section("Report", SectionKind::Other)
        .para("Person A lived in Glanmor.")
        .heading("Argymhellion / Recommendations")
        .para("1. Glanmor Police should audit DASH completion.")
        .para("2. The CSP should publish the review.")
        .heading("Appendix A")
        .para("1. Panel member, Glanmor Council.")
        .build();
    assert_eq!(find_default(&good).len(), 2, "{:#?}", find_default(&good));

    // A "recommendations" heading over items that do not read as actions.
    let bad = Builder::new(DocKind::Dhr)
        .section("Report", SectionKind::Other)
        .heading("Recommendations made by other reviews")
        .para("1. Report of 2018, Glanmor.")
        .para("2. Report of 2020, Glanmor.")
        .build();
    assert!(find_default(&bad).is_empty(), "{:#?}", find_default(&bad));
}

#[test]
fn executive_summary_duplicate_keeps_main_copy() {
    let doc = Builder::new(DocKind::Dhr)
        .section("Executive summary", SectionKind::ExecutiveSummary)
        .para("Person A lived in Glanmor.")
        .heading("Recommendations")
        .item("1.", "The CSP should publish the review.")
        .section("9 Recommendations", SectionKind::Recommendations)
        .item("1.", "The CSP should publish the review.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].section, 1);
}

// --- strategies

fn strategy() -> Builder {
    Builder::new(DocKind::Strategy).section("Objective 1: Prevention", SectionKind::Objectives)
}

#[test]
fn we_will_bullets_one_per_bullet() {
    let doc = strategy()
        .para("We will:")
        .item("-", "develop new campaigns with survivors;")
        .item("-", "fund specialist services in Glanmor; and")
        .item("-", "publish guidance for employers.")
        .build();
    let t = texts(&doc);
    assert_eq!(
        t,
        vec![
            "develop new campaigns with survivors;".to_string(),
            "fund specialist services in Glanmor; and".to_string(),
            "publish guidance for employers.".to_string()
        ]
    );
}

#[test]
fn we_have_and_case_study_bullets_are_not_commitments() {
    let doc = strategy()
        .heading("We have:")
        .item("-", "developed a communications framework;")
        .item("-", "funded training.")
        .heading("We will:")
        .item("-", "continue to deliver training.")
        .heading("Case study: the Glanmor helpline")
        .item("-", "promote the helpline in schools;")
        .item("-", "develop a survivor forum.")
        .build();
    assert_eq!(
        texts(&doc),
        vec!["continue to deliver training.".to_string()]
    );
}

#[test]
fn we_will_lead_in_sharing_a_paragraph_and_plain_items() {
    // Table cells flattened: the lead-in holds the first commitment.
    let doc = strategy()
        .para("1.1 A whole-system response across Glanmor")
        .para("We will: Promote understanding of the public health approach")
        .para("Seek the views of survivors to inform evaluation.")
        .para("Work with partners to monitor activity")
        .para("1.2 A sustainable approach to commissioning")
        .para("What this means: partners plan services together.")
        .build();
    let t = texts(&doc);
    assert_eq!(
        t,
        vec![
            "Promote understanding of the public health approach".to_string(),
            "Seek the views of survivors to inform evaluation.".to_string(),
            "Work with partners to monitor activity".to_string()
        ]
    );
}

#[test]
fn we_will_sentences() {
    let doc = strategy()
        .para("Our vision is a Glanmor free from abuse.")
        .para("We will fund refuges across Glanmor. This will include outreach. We will train all staff.")
        .para("Partners told us that we will need more funding.")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            "We will fund refuges across Glanmor. This will include outreach.".to_string(),
            "We will train all staff.".to_string()
        ]
    );
}

#[test]
fn vision_and_priority_headings_are_not_commitments() {
    let doc = Builder::new(DocKind::Strategy)
        .section("Our vision", SectionKind::Other)
        .para("We will live in a Glanmor where everyone is safe.")
        .section("Priority 1: Prevention", SectionKind::Other)
        .para("Priority 1: Prevention and early intervention")
        .build();
    assert!(find_default(&doc).is_empty(), "{:#?}", find_default(&doc));
}

#[test]
fn commitments_section_counts_bullets_without_lead_in() {
    let doc = Builder::new(DocKind::Strategy)
        .section("Our commitments", SectionKind::Commitments)
        .item("•", "Fund refuges across Glanmor.")
        .item("•", "Train all staff.")
        .build();
    assert_eq!(find_default(&doc).len(), 2);
}

// --- coroners' reports

fn pfd() -> Builder {
    Builder::new(DocKind::Pfd)
        .section("CIRCUMSTANCES OF THE DEATH", SectionKind::Other)
        .para("The jury found that there was a failure to assess risk.")
        .section("CORONER'S CONCERNS", SectionKind::Concerns)
}

#[test]
fn pfd_numbered_concerns_with_continuations() {
    let doc = pfd()
        .para("During the course of the inquest the evidence revealed matters giving rise to concern. In my opinion there is a risk that future deaths will occur unless action is taken. In the circumstances it is my statutory duty to report to you.")
        .para("The MATTERS OF CONCERN are as follows.")
        .para("1. There is no system to assess risk to the parent in Glanmor.")
        .para("2. Funding for therapy was refused by each agency.")
        .para("Each agency suggested contacting another.")
        .section("ACTION SHOULD BE TAKEN", SectionKind::Other)
        .para("In my opinion action should be taken to prevent future deaths.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[0].ordinal.as_deref(), Some("1"));
    assert_eq!(
        f[1].text,
        "Funding for therapy was refused by each agency.\nEach agency suggested contacting another."
    );
}

#[test]
fn pfd_inline_numbered_concerns_after_boilerplate() {
    let doc = pfd()
        .para("During the course of the investigation my inquiries revealed matters giving rise to concern. In my opinion there is a risk that future deaths could occur unless action is taken. In the circumstances it is my statutory duty to report to you. The MATTERS OF CONCERN are as follows: 1. There was a lack of understanding of coercive control. 2. There was a lack of awareness of the link with suicide. 3. Officers did not know when a notice could be applied for.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 3, "{f:#?}");
    assert_eq!(
        f[0].text,
        "There was a lack of understanding of coercive control."
    );
    assert_eq!(f[2].ordinal.as_deref(), Some("3"));
    assert!(doc.text[f[0].start..f[0].end].starts_with("1. There"));
}

#[test]
fn pfd_unnumbered_paragraph_concerns() {
    let doc = pfd()
        .para("I am concerned that carers are not consulted about the person's welfare.")
        .para("I am also concerned that training on abuse of older people is limited.")
        .para("I have sent a copy of this report to the Chief Coroner.")
        .build();
    let t = texts(&doc);
    assert_eq!(t.len(), 2, "{t:#?}");
    assert!(t[1].starts_with("I am also concerned"));
}

#[test]
fn pfd_fallback_concerns_heading_on_crude_structure() {
    // Everything a paragraph in one front-matter section, as the crude segmenter leaves it.
    let doc = Builder::new(DocKind::Other)
        .para("Prevention of Future Deaths report")
        .para("CIRCUMSTANCES OF THE DEATH")
        .para("1 A failure by Glanmor Police to assess risk.")
        .para("CORONER'S CONCERNS")
        .para("1. No system exists to support the parent.")
        .para("2. Funding for therapy was refused.")
        .para("ACTION SHOULD BE TAKEN")
        .para("In my opinion action should be taken to prevent future deaths.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[1].text, "Funding for therapy was refused.");
}

// --- properties

fn arb_doc() -> impl Strategy<Value = Document> {
    let piece = prop_oneof![
        Just("1. The CSP should publish.".to_string()),
        Just("(a) review; ".to_string()),
        Just("We will: fund refuges".to_string()),
        Just("We will train staff. ".to_string()),
        Just("CORONER'S CONCERNS".to_string()),
        Just("Recommendations".to_string()),
        Just("The MATTERS OF CONCERN are as follows: 1. A. 2. B.".to_string()),
        Just("• ".to_string()),
        Just("\n".to_string()),
        Just("é€ 😀".to_string()),
        "[a-zA-Z0-9 .:;()•\\-\n]{0,40}",
    ];
    let passage = (
        proptest::collection::vec(piece, 0..4),
        0..4u8,
        proptest::option::of("[0-9a-z.()•\\-]{0,4}"),
        0..8usize,
    );
    (proptest::collection::vec(passage, 0..12), 0..3u8).prop_map(|(ps, dk)| {
        let kinds = [
            SectionKind::Recommendations,
            SectionKind::Concerns,
            SectionKind::Objectives,
            SectionKind::Commitments,
            SectionKind::Other,
            SectionKind::FrontMatter,
            SectionKind::ActionPlan,
            SectionKind::ExecutiveSummary,
        ];
        let mut b = Builder::new([DocKind::Dhr, DocKind::Strategy, DocKind::Pfd][dk as usize]);
        for (pieces, pk, marker, sk) in ps {
            let text: String = pieces.concat();
            if sk % 3 == 0 {
                b = b.section(&text, kinds[sk % kinds.len()]);
                continue;
            }
            let kind = [
                PassageKind::Paragraph,
                PassageKind::ListItem,
                PassageKind::Heading,
                PassageKind::TableRow,
            ][pk as usize];
            b = b.push(kind, marker.as_deref(), &text);
        }
        b.build()
    })
}

proptest! {
    #[test]
    fn find_never_panics_and_spans_are_sound(doc in arb_doc()) {
        let found = find_default(&doc);
        let mut last_end = 0;
        for f in &found {
            prop_assert!(f.start < f.end);
            prop_assert!(f.end <= doc.text.len());
            prop_assert!(doc.text.is_char_boundary(f.start));
            prop_assert!(doc.text.is_char_boundary(f.end));
            prop_assert!(f.start >= last_end, "overlap or disorder: {found:#?}");
            prop_assert!(!f.text.is_empty());
            prop_assert!(f.section < doc.sections.len());
            last_end = f.end;
        }
    }

    #[test]
    fn find_survives_bad_spans(doc in arb_doc(), cut in 0usize..200) {
        // A broken segmenter: spans past the end or inside a character.
        let mut doc = doc;
        for p in doc.passages.iter_mut() {
            p.end = p.end.saturating_add(cut % 7);
            p.start = p.start.saturating_add(cut % 3);
        }
        let found = find_default(&doc);
        for f in &found {
            prop_assert!(f.end <= doc.text.len() && f.start < f.end);
        }
    }
}

#[test]
fn neutral_heading_ends_a_closed_part() {
    let doc = Builder::new(DocKind::Strategy)
        .section("Delivery", SectionKind::Other)
        .heading("Case study: the Glanmor helpline")
        .para("We will always remember the first caller.")
        .heading("Objective 2")
        .para("We will fund refuges across Glanmor.")
        .build();
    assert_eq!(
        texts(&doc),
        vec!["We will fund refuges across Glanmor.".to_string()]
    );
}

#[test]
fn action_plan_in_recommendations_section_stays_closed_under_subheadings() {
    let doc = recs_section()
        .item("1.", "The CSP should publish the review.")
        .heading("Action plan")
        .heading("Glanmor Police")
        .para("2. Glanmor Police should audit DASH. Lead: Police. Date: May.")
        .build();
    assert_eq!(find_default(&doc).len(), 1);
}

#[test]
fn quoted_inline_list_is_not_split() {
    let doc = pfd()
        .para("Training is not mandatory.")
        .para("The inspectorate said that “the system should: 1. Require a report. 2. Notify the police.”")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(f.iter().all(|f| f.ordinal.is_none()));
    // Where the coroner states the concern, the quotation is context.
    let doc = pfd()
        .para("I am concerned that training is not mandatory.")
        .para("The inspectorate said that “the system should: 1. Require a report. 2. Notify the police.”")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].ordinal.is_none());
}

#[test]
fn we_will_to_sentence_takes_the_items_under_it() {
    let doc = strategy()
        .para("Together we have worked hard. We will continue to develop a response across Glanmor to:")
        .para("Achieve lasting change in attitudes.")
        .para("Ensure that survivors receive support.")
        .para("We have seen an increase in reporting.")
        .build();
    let t = texts(&doc);
    assert_eq!(
        t,
        vec![
            "We will continue to develop a response across Glanmor to:\nAchieve lasting change in attitudes.\nEnsure that survivors receive support.".to_string()
        ]
    );
}

#[test]
fn bulleted_list_ends_at_unbulleted_paragraph() {
    let doc = strategy()
        .heading("We will:")
        .item("-", "fund refuges;")
        .para("<sup>3</sup> https://example.invalid/footnote")
        .item("-", "train staff.")
        .para("Publish guidance for employers in Glanmor.")
        .build();
    assert_eq!(
        texts(&doc),
        vec!["fund refuges;".to_string(), "train staff.".to_string()]
    );
}

#[test]
fn pfd_boilerplate_alone_and_closing_lines_give_nothing() {
    let doc = pfd()
        .para("During the course of the inquest the evidence revealed matters giving rise to concern. In my opinion there is a risk that future deaths will occur unless action is taken. In the circumstances it is my statutory duty to report to you.")
        .para("The MATTERS OF CONCERN are as follows.")
        .para("You are under a duty to respond to this report within 56 days.")
        .build();
    assert!(find_default(&doc).is_empty(), "{:#?}", find_default(&doc));
}

#[test]
fn we_will_after_objective_label_in_flattened_row() {
    let doc = strategy()
        .para("2.3 Understanding what works We will: Build the evidence base")
        .para("Further enhance joint working with courts")
        .para("What this means: partners learn together.")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            "Build the evidence base".to_string(),
            "Further enhance joint working with courts".to_string()
        ]
    );
}

#[test]
fn standalone_recommendation_labels_take_the_next_paragraph() {
    let doc = recs_section()
        .heading("Recommendation 1")
        .para("Glanmor Police should audit DASH completion.")
        .para("Recommendation 2: Information sharing")
        .para("The Health Board should share records with the GP.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[0].ordinal.as_deref(), Some("1"));
    assert_eq!(f[0].text, "Glanmor Police should audit DASH completion.");
    assert_eq!(
        f[1].text,
        "Information sharing\nThe Health Board should share records with the GP."
    );
}

#[test]
fn intro_with_should_between_items_is_not_a_recommendation() {
    let doc = recs_section()
        .para("The panel considered that all agencies should learn from this review. The recommendations follow.")
        .item("1.", "The CSP should publish the review.")
        .build();
    assert_eq!(
        texts(&doc),
        vec!["The CSP should publish the review.".to_string()]
    );
}

#[test]
fn unknown_documents_take_we_will_only_at_paragraph_start() {
    let doc = Builder::new(DocKind::Other)
        .para("Partners met in Glanmor. We will review the plan next year.")
        .para("We will fund refuges across Glanmor.")
        .para("We will always remember Person A.")
        .build();
    assert_eq!(
        texts(&doc),
        vec!["We will fund refuges across Glanmor.".to_string()]
    );
}

#[test]
fn segmenter_markers_without_punctuation_keep_their_ordinal() {
    let doc = recs_section()
        .item("3", "The CSP should publish the review.")
        .push(
            PassageKind::ListItem,
            None,
            "The Health Board should train staff.",
        )
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[0].ordinal.as_deref(), Some("3"));
    assert_eq!(f[1].ordinal, None);
}

// --- snapshots of whole fictional documents, for human review

fn render(doc: &Document) -> String {
    let mut s = String::new();
    for f in find_default(doc) {
        let heading = doc
            .sections
            .get(f.section)
            .map(|s| s.heading.as_str())
            .unwrap_or("?");
        s.push_str(&format!(
            "[{}] p{} «{}»\n  {}\n",
            f.ordinal.as_deref().unwrap_or("-"),
            f.page,
            heading,
            f.text.replace('\n', "\n  ")
        ));
    }
    s
}

#[test]
fn snapshot_fictional_review() {
    let doc = Builder::new(DocKind::Dhr)
        .para("Glanmor Community Safety Partnership")
        .para("Domestic Homicide Review into the death of Person A (a fictional case)")
        .para("Contents")
        .para("8. Lessons learned ........ 20")
        .para("9. Recommendations ........ 23")
        .section("Executive summary", SectionKind::ExecutiveSummary)
        .para("This fictional summary repeats the recommendations.")
        .heading("Recommendations")
        .item("1.", "Glanmor CSP should publish this review and share its learning.")
        .section("2 Terms of reference", SectionKind::TermsOfReference)
        .item("a)", "Were the risks to Person A identified and assessed?")
        .section("5 Background", SectionKind::Background)
        .para("The 2019 review in Glanmor recommended that agencies should use the DASH checklist.")
        .section("8 Lessons learned", SectionKind::Lessons)
        .item("•", "Practitioners should be curious about controlling behaviour.")
        .section("9 Recommendations", SectionKind::Recommendations)
        .para("The panel makes the following recommendations.")
        .section("9.1 Multi-agency recommendations", SectionKind::Recommendations)
        .item("1.", "Glanmor CSP should publish this review and share its learning.")
        .item("2.", "Glanmor CSP should commission refresher training on coercive control for all partner agencies, covering:")
        .item("(a)", "the dynamics of coercive control;")
        .item("(b)", "economic abuse; and")
        .item("(c)", "how to escalate concerns.")
        .section("9.2 Single-agency recommendations", SectionKind::Recommendations)
        .para("Recommendation 3: Glanmor Police should audit the quality of DASH risk assessments completed by response")
        .page_break()
        .para("officers, and report the findings to the CSP.")
        .para("The audit should include cases where the victim declined to answer.")
        .para("R4 The Glanmor Health Board should ensure staff in emergency departments ask about domestic abuse.")
        .heading("National recommendations")
        .para("The panel recommends that the Home Office updates its guidance on reviews of deaths by suicide.")
        .section("10 Action plan", SectionKind::ActionPlan)
        .push(PassageKind::TableRow, None, "1 | Glanmor CSP should publish this review. | CSP | March")
        .push(PassageKind::TableRow, None, "2 | Commission refresher training. | CSP | June")
        .build();
    insta::assert_snapshot!(render(&doc));
}

#[test]
fn snapshot_fictional_strategy() {
    let doc = Builder::new(DocKind::Strategy)
        .section("Our vision", SectionKind::Other)
        .para("A Glanmor where everyone lives free from abuse.")
        .section("Priority 1: Prevention", SectionKind::Objectives)
        .para("Priority 1: Prevention and early intervention")
        .para("We will challenge attitudes that excuse abuse. This includes work in schools.")
        .heading("What we have achieved")
        .para("We have:")
        .item("-", "launched a fictional helpline;")
        .item("-", "trained 500 staff.")
        .heading("We will:")
        .item("-", "fund a survivor forum;")
        .item("-", "publish guidance for employers in Glanmor; and")
        .item("-", "review the helpline each year.")
        .heading("Case study: a Glanmor school")
        .item("-", "pupils wrote a play about healthy relationships;")
        .item("-", "teachers were trained.")
        .section("Priority 2: Protection", SectionKind::Objectives)
        .para("2.1 Safer homes We will: Work with landlords to remove perpetrators")
        .para("Fund target-hardening for survivors")
        .para("What this means: survivors can stay at home safely.")
        .build();
    insta::assert_snapshot!(render(&doc));
}

#[test]
fn snapshot_fictional_pfd() {
    let doc = Builder::new(DocKind::Pfd)
        .section("CIRCUMSTANCES OF THE DEATH", SectionKind::Other)
        .para("Person B died in Glanmor (a fictional case). The jury found:")
        .para("1 A failure by the fictional service to assess risk.")
        .section("CORONER'S CONCERNS", SectionKind::Concerns)
        .para("During the course of the inquest the evidence revealed matters giving rise to concern. In my opinion there is a risk that future deaths will occur unless action is taken. In the circumstances it is my statutory duty to report to you.")
        .para("The MATTERS OF CONCERN are as follows.")
        .para("(1) There is no system in Glanmor to assess the risk to a parent when their children are removed.")
        .para("(2) Funding for specialist therapy was refused by each agency, each suggesting another.")
        .para("Clinicians described the route as very complicated.")
        .section("ACTION SHOULD BE TAKEN", SectionKind::Other)
        .para("In my opinion action should be taken to prevent future deaths and I believe you have the power to take such action.")
        .section("YOUR RESPONSE", SectionKind::Other)
        .para("You are under a duty to respond to this report within 56 days of the date of this report.")
        .build();
    insta::assert_snapshot!(render(&doc));
}

#[test]
fn closing_remarks_and_learning_points_do_not_join_the_last_item() {
    let doc = recs_section()
        .item("1.", "The CSP should publish the review.")
        .para("Learning point 1: agencies did not share information.")
        .item("2.", "Glanmor Police should audit DASH completion.")
        .para("The panel thanks Person A's family for their contribution.")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            "The CSP should publish the review.".to_string(),
            "Glanmor Police should audit DASH completion.".to_string()
        ]
    );
}

fn arb_ordinal() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..999).prop_map(|n| n.to_string()),
        (1u32..99, 1u32..99).prop_map(|(a, b)| format!("{a}.{b}")),
        (1u32..99).prop_map(|n| format!("R{n}")),
    ]
}

proptest! {
    #[test]
    fn parse_marker_never_panics_and_stays_in_bounds(s in "\\PC{0,30}") {
        if let Some((_, len)) = parse_marker(&s) {
            prop_assert!(len <= s.len());
            prop_assert!(s.is_char_boundary(len));
        }
    }

    #[test]
    fn parse_marker_reads_ordinals_as_written(
        ord in arb_ordinal(),
        form in 0usize..4,
        rest in "[A-Z][a-z]{1,10}( [a-z]{1,8}){0,4}",
    ) {
        let s = match form {
            0 => format!("{ord}. {rest}"),
            1 => format!("{ord} {rest}"),
            2 => format!("Recommendation {ord}: {rest}"),
            _ => format!("{ord}) {rest}"),
        };
        // "R4." is not a form anyone writes; the others must parse.
        let parsed = parse_marker(&s);
        prop_assert!(parsed.is_some(), "{s}");
        if let Some((m, len)) = parsed {
            prop_assert_eq!(m, Marker::Num(ord.clone()));
            prop_assert_eq!(&s[len..], rest.as_str());
        }
    }
}

#[test]
fn agency_labels_between_items_are_not_continuations() {
    let doc = recs_section()
        .para("Glanmor Police")
        .item("1.", "Glanmor Police should audit DASH completion.")
        .para("Glanmor Health Board")
        .item("1.", "The Health Board should train reception staff.")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            "Glanmor Police should audit DASH completion.".to_string(),
            "The Health Board should train reception staff.".to_string()
        ]
    );
}

#[test]
fn bullets_under_a_numbered_lead_in_are_sub_items() {
    let doc = recs_section()
        .item("1.", "Glanmor Police should:")
        .item("•", "review DASH training;")
        .item("•", "audit risk assessments.")
        .item("2.", "The CSP should publish the review.")
        .build();
    let t = texts(&doc);
    assert_eq!(t.len(), 2, "{t:#?}");
    assert_eq!(
        t[0],
        "Glanmor Police should:\n• review DASH training;\n• audit risk assessments."
    );
}

#[test]
fn lead_in_commitment_span_starts_after_we_will() {
    let doc = strategy()
        .para("We will: Fund refuges across Glanmor")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 1);
    assert_eq!(
        &doc.text[f[0].start..f[0].end],
        "Fund refuges across Glanmor"
    );
}

#[test]
fn matters_of_concern_in_a_review_are_analysis() {
    let doc = Builder::new(DocKind::Dhr)
        .section("6 Analysis", SectionKind::Analysis)
        .para("Matters of concern raised by the family:")
        .para("Person A's sister told the GP about the threats.")
        .build();
    assert!(find_default(&doc).is_empty(), "{:#?}", find_default(&doc));
}

#[test]
fn coroners_inquest_heading_in_a_review_opens_nothing() {
    let doc = Builder::new(DocKind::Dhr)
        .section("4 The coroner's inquest", SectionKind::Other)
        .para("The coroner recorded a conclusion of unlawful killing.")
        .build();
    assert!(find_default(&doc).is_empty(), "{:#?}", find_default(&doc));
}

#[test]
fn markers_laid_out_apart_from_their_text() {
    let doc = recs_section()
        .para("1.")
        .para("Glanmor Police should audit DASH completion.")
        .para("(2)")
        .para("The CSP should publish the review.")
        .build();
    let f = find_default(&doc);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[0].ordinal.as_deref(), Some("1"));
    assert_eq!(f[0].text, "Glanmor Police should audit DASH completion.");
    assert_eq!(f[1].ordinal.as_deref(), Some("2"));
}

#[test]
fn numbered_preamble_paragraphs_are_not_recommendations() {
    let doc = recs_section()
        .item(
            "9.1",
            "In order to promote learning from this fictional case the review identified the following actions for the Board and its member agencies.",
        )
        .item("Recommendation 1:", "The Glanmor Board should relaunch its toolkit.")
        .item("Recommendation 2:", "Glanmor Police should audit DASH completion.")
        .build();
    assert_eq!(
        ordinals(&doc),
        vec![Some("1".into()), Some("2".into())],
        "{:#?}",
        find_default(&doc)
    );
    let doc = recs_section()
        .item("6.1", "The panel makes two recommendations.")
        .item("1.", "The Glanmor CSP should publish this review.")
        .item("2.", "The Health Board should train its staff.")
        .build();
    assert_eq!(ordinals(&doc), vec![Some("1".into()), Some("2".into())]);
    // A numbered recommendation that mentions other recommendations stays.
    let doc = recs_section()
        .item(
            "1.",
            "The Glanmor CSP should track the recommendations of this review.",
        )
        .item("2.", "The Health Board should train its staff.")
        .build();
    assert_eq!(texts(&doc).len(), 2);
}

#[test]
fn we_will_lead_in_kept_as_a_segmenter_marker() {
    // The segmenter reports "We will:" and "Objective 1:" as markers.
    let doc = strategy()
        .push(
            PassageKind::ListItem,
            Some("Objective 1:"),
            "Objective 1: Intervene early.",
        )
        .push(PassageKind::ListItem, Some("We will:"), "We will:")
        .item("•", "run a fictional awareness campaign in Glanmor;")
        .item("•", "train staff in every Glanmor school.")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            "run a fictional awareness campaign in Glanmor;".to_string(),
            "train staff in every Glanmor school.".to_string()
        ]
    );
}

#[test]
fn lead_in_lists_make_narrative_we_will_sentences_prose() {
    // Two "We will:" lists: the narrative sentences, the "We have:" and
    // "Case study" sub-sections (inheriting the commitments kind) and a
    // footnote number among the bullets are not commitments.
    let doc = Builder::new(DocKind::Strategy)
        .section("Objective 1: Prevention", SectionKind::Objectives)
        .para("We will continue to challenge fictional attitudes in Glanmor.")
        .section("We will:", SectionKind::Commitments)
        .item("•", "develop new campaigns with survivors;")
        .item("13", "A fictional report on policing: Glanmor Inspectorate")
        .item("•", "publish guidance for employers.")
        .para("We will review this when it is deemed necessary.")
        .section("We have:", SectionKind::Commitments)
        .item("•", "published a fictional good practice guide.")
        .section("Case Study:", SectionKind::Commitments)
        .para("“We will make Glanmor safer,” said a fictional minister.")
        .section("We will:", SectionKind::Commitments)
        .item("•", "fund specialist services in Glanmor.")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            "develop new campaigns with survivors;".to_string(),
            "publish guidance for employers.".to_string(),
            "fund specialist services in Glanmor.".to_string(),
        ]
    );
}

#[test]
fn narrative_we_will_sentences_count_without_lead_in_lists() {
    let doc = Builder::new(DocKind::Strategy)
        .section("Our commitments", SectionKind::Commitments)
        .para("We will fund a fictional Glanmor refuge. We will train all staff.")
        .build();
    assert_eq!(texts(&doc).len(), 2, "{:#?}", find_default(&doc));
}

#[test]
fn continued_table_resumes_its_we_will_list() {
    let doc = Builder::new(DocKind::Strategy)
        .section("Objective 3: Protect", SectionKind::Objectives)
        .item(
            "3.2",
            "Safeguarding fictional victims is central to all partnership activity",
        )
        .para("We will: Work to embed fictional safeguarding hubs")
        .para("Strengthen information-sharing between Glanmor partners")
        .page_break()
        .para("What this means: the fictional partners explain why this matters.")
        .para("3.2 continued")
        .para("Safeguarding fictional victims is central to all partnership activity")
        .para("Ensure all frontline professionals receive training")
        .para("Commission places of safety.")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            "Work to embed fictional safeguarding hubs".to_string(),
            "Strengthen information-sharing between Glanmor partners".to_string(),
            "Ensure all frontline professionals receive training".to_string(),
            "Commission places of safety.".to_string(),
        ]
    );
}

#[test]
fn strategy_lists_repeats_recommendation_talk_and_narrative_lead_ins() {
    let doc = Builder::new(DocKind::Strategy)
        .section("Objective 1: Prevent", SectionKind::Objectives)
        .para("We will: Involve fictional survivors in Glanmor")
        .para("Establish accountability for changes recommended by fictional reviews")
        .para("Together we have worked hard. We will continue to build a response to:")
        .para("Achieve lasting change in attitudes.")
        .section("Objective 2: Protect", SectionKind::Objectives)
        .para("We will: Involve fictional survivors in Glanmor")
        .para("Provide advocacy as needed")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            "Involve fictional survivors in Glanmor".to_string(),
            "Establish accountability for changes recommended by fictional reviews".to_string(),
            // The same commitment under a second objective is kept.
            "Involve fictional survivors in Glanmor".to_string(),
            "Provide advocacy as needed".to_string(),
        ]
    );
}

#[test]
fn we_will_bullets_and_wrapped_footnote_addresses() {
    let doc = strategy()
        .para("We will:")
        .item("•", "publish fictional guidance for Glanmor employers;")
        .item(
            "•",
            "we will continue to monitor the impact of this guidance.",
        )
        .para("example.org/fictional-glanmor-guide-en.pdf")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            "publish fictional guidance for Glanmor employers;".to_string(),
            "we will continue to monitor the impact of this guidance.".to_string(),
        ]
    );
}

#[test]
fn pfd_stated_concerns_keep_their_context_and_split_each_concern() {
    let doc = pfd()
        .para("It was apparent from the evidence that the fictional Glanmor team had no training.")
        .para(
            "The fictional officer had retired. I am concerned that new officers are not trained.",
        )
        .para("First, the fictional form asks only some questions. In my view this is a risk.")
        .para(
            "I am concerned that staff lack guidance. I am concerned that records are not shared.",
        )
        .para("I understand this has not changed. This is of concern because the risk remains.")
        .build();
    assert_eq!(
        texts(&doc),
        vec![
            // The evidence a concern rests on is part of it: a coroner's
            // concerns section holds nothing else.
            "It was apparent from the evidence that the fictional Glanmor team had no training.\n\
             The fictional officer had retired.\n\
             I am concerned that new officers are not trained."
                .to_string(),
            "First, the fictional form asks only some questions. In my view this is a risk."
                .to_string(),
            "I am concerned that staff lack guidance.".to_string(),
            "I am concerned that records are not shared.".to_string(),
            "I understand this has not changed. This is of concern because the risk remains."
                .to_string(),
        ]
    );
}

#[test]
fn pfd_paragraph_concerns_without_concern_wording_all_count() {
    let doc = pfd()
        .para("The fictional Glanmor service had no policy on missed visits.")
        .para("There was no shared record between the fictional agencies.")
        .build();
    assert_eq!(texts(&doc).len(), 2);
}

#[test]
fn numbered_lead_in_inside_the_list_is_an_item() {
    let doc = recs_section()
        .item("3.", "Glanmor Police should audit DASH completion.")
        .item("4.", "The fictional Glanmor Board to review the following:")
        .item("(a)", "its training offer; and")
        .item("(b)", "its escalation policy.")
        .item("5.", "The Health Board should train its staff.")
        .build();
    assert_eq!(
        ordinals(&doc),
        vec![Some("3".into()), Some("4".into()), Some("5".into())]
    );
}

#[test]
fn footnote_addresses_in_markdown_are_noise() {
    let doc = strategy()
        .para("We will:")
        .item("-", "publish fictional guidance for Glanmor employers;")
        .para("3 [https://example.org/fictional](https://example.org/fictional)")
        .para("4 <https://example.org/glanmor>")
        .item("-", "train Glanmor staff.")
        .build();
    assert_eq!(texts(&doc).len(), 2, "{:#?}", find_default(&doc));
}

#[test]
fn inherited_kind_stays_under_a_neutral_sub_heading() {
    let doc = Builder::new(DocKind::Strategy)
        .section("What we will do", SectionKind::Commitments)
        .item("•", "fund fictional Glanmor advocates;")
        .section("Investigation and prosecution", SectionKind::Commitments)
        .item("•", "train fictional Glanmor investigators.")
        .build();
    assert_eq!(texts(&doc).len(), 2, "{:#?}", find_default(&doc));
}

#[test]
fn gerund_commitments_in_unbulleted_lists_still_count() {
    let doc = strategy()
        .para("We will:")
        .para("Ensuring all fictional Glanmor staff are trained")
        .para("Funding a fictional refuge in Glanmor")
        .build();
    assert_eq!(texts(&doc).len(), 2, "{:#?}", find_default(&doc));
}

mod families;
