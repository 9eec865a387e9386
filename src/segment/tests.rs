//! Tests of the whole segmenter on hand-built (fictional) documents, a
//! property test of its invariants, and snapshots of the real corpus outline.

use super::*;
use proptest::prelude::*;

static ANATOMY: std::sync::LazyLock<Anatomy> =
    std::sync::LazyLock::new(|| crate::rules::RuleSet::default_rules().anatomy().clone());

/// Segment with the built-in anatomy.
fn seg(ex: &ExtractedDoc) -> Document {
    segment(ex, &ANATOMY)
}

fn line(text: &str) -> Line {
    Line {
        text: text.to_string(),
        bbox: Rect::default(),
        font: String::new(),
        size: 0.0,
        bold: false,
        italic: false,
    }
}

fn styled(text: &str, size: f32, bold: bool) -> Line {
    Line {
        size,
        bold,
        font: if bold { "Arial-BoldMT" } else { "ArialMT" }.into(),
        ..line(text)
    }
}

fn block(lines: Vec<Line>) -> Block {
    Block {
        lines,
        bbox: Rect::default(),
        table: None,
    }
}

/// A block of unstyled lines, one per `\n`.
fn tb(text: &str) -> Block {
    block(text.lines().map(line).collect())
}

fn page(number: u32, blocks: Vec<Block>) -> Page {
    Page {
        number,
        label: None,
        width: 595.0,
        height: 842.0,
        blocks,
        header: vec![],
        footer: vec![],
        needs_ocr: false,
    }
}

fn doc(format: SourceFormat, pages: Vec<Vec<Block>>) -> ExtractedDoc {
    ExtractedDoc {
        file: "fixtures/fictional.txt".into(),
        sha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
        format,
        meta: SourceMeta::default(),
        pages: pages
            .into_iter()
            .enumerate()
            .map(|(i, b)| page(i as u32 + 1, b))
            .collect(),
        warnings: vec![],
    }
}

fn text_doc(pages: &[&str]) -> ExtractedDoc {
    doc(
        SourceFormat::Text,
        pages
            .iter()
            .map(|p| {
                p.split("\n\n")
                    .filter(|b| !b.trim().is_empty())
                    .map(tb)
                    .collect()
            })
            .collect(),
    )
}

fn ptext<'a>(d: &'a Document, p: &Passage) -> &'a str {
    d.passage_text(p)
}

fn headings_of(d: &Document) -> Vec<(u8, &str, SectionKind)> {
    d.sections
        .iter()
        .skip(1)
        .map(|s| (s.level, s.heading.as_str(), s.kind))
        .collect()
}

/// Every structural invariant of a [`Document`]; panics with a message.
pub(crate) fn check_invariants(d: &Document) {
    let len = d.text.len();
    assert!(d.pages >= 1);
    assert_eq!(d.page_starts.len(), d.pages as usize);
    assert_eq!(d.page_starts[0], 0);
    for w in d.page_starts.windows(2) {
        assert!(w[0] < w[1], "page_starts increasing: {:?}", d.page_starts);
    }
    for &s in &d.page_starts {
        assert!(s <= len && d.text.is_char_boundary(s));
    }
    assert!(!d.sections.is_empty());
    assert_eq!(d.sections[0].kind, SectionKind::FrontMatter);
    for (i, s) in d.sections.iter().enumerate() {
        assert_eq!(s.index, i);
        assert!(s.start <= s.end && s.end <= len, "section span {s:?}");
        assert!(d.text.is_char_boundary(s.start) && d.text.is_char_boundary(s.end));
        assert!(s.page >= 1 && s.page <= d.pages);
        assert!(s.level >= 1);
    }
    let mut last_end = 0;
    for (i, p) in d.passages.iter().enumerate() {
        assert_eq!(p.index, i);
        assert!(p.start < p.end && p.end <= len, "passage span {p:?}");
        assert!(p.start >= last_end, "passages in order, not overlapping");
        assert!(d.text.is_char_boundary(p.start) && d.text.is_char_boundary(p.end));
        assert!(p.page >= 1 && p.page <= d.pages);
        assert_eq!(d.page_at(p.start), p.page, "page_at agrees for {p:?}");
        let s = &d.sections[p.section];
        assert!(s.start <= p.start && p.start < s.end.max(s.start + 1));
        assert_eq!(d.section_at(p.start), Some(p.section));
        let mut last_s = p.start;
        for sp in &p.sentences {
            assert!(sp.start >= last_s && sp.start < sp.end && sp.end <= p.end);
            assert!(d.text.is_char_boundary(sp.start) && d.text.is_char_boundary(sp.end));
            last_s = sp.end;
        }
        assert_eq!(p.kind == PassageKind::ListItem, p.marker.is_some());
        last_end = p.end;
    }
}

#[test]
fn numbered_headings_paragraphs_and_recommendations() {
    let d = seg(&text_doc(&[
        "Fictional Domestic Homicide Review: Adult Q\n\n\
         1 Introduction\n\n\
         1.1 This fictional review looks at the contact agencies had with Adult Q.\n\n\
         5 Analysis\n\n\
         5.3 Health Board\n\n\
         5.3.1 The GP saw Ms A on 3 March 2019 and noted a bruise on her arm.\n\n\
         8 Recommendations\n\n\
         1. The police should review their risk assessment training.\n\n\
         2. The Health Board should ask about domestic abuse at every contact.",
    ]));
    check_invariants(&d);
    assert_eq!(
        headings_of(&d),
        vec![
            (1, "1 Introduction", SectionKind::Introduction),
            (1, "5 Analysis", SectionKind::Analysis),
            (2, "5.3 Health Board", SectionKind::Analysis),
            (1, "8 Recommendations", SectionKind::Recommendations),
        ]
    );
    let health = &d.sections[3];
    assert_eq!(health.number.as_deref(), Some("5.3"));
    assert_eq!(health.trail, vec!["5 Analysis", "5.3 Health Board"]);
    let para = d
        .passages
        .iter()
        .find(|p| ptext(&d, p).starts_with("5.3.1"))
        .expect("numbered paragraph");
    assert_eq!(para.kind, PassageKind::ListItem);
    assert_eq!(para.marker.as_deref(), Some("5.3.1"));
    assert_eq!(para.section, 3);
    let recs: Vec<&Passage> = d
        .passages
        .iter()
        .filter(|p| p.section == 4 && p.kind == PassageKind::ListItem)
        .collect();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].marker.as_deref(), Some("1."));
    assert_eq!(d.kind, DocKind::Dhr);
    assert_eq!(d.title, "Fictional Domestic Homicide Review: Adult Q");
}

#[test]
fn heading_line_split_off_its_block() {
    let d = seg(&text_doc(&[
        "Our Approach\nThe fictional partnership will work together across the whole area.\n\
         It will listen to survivors.",
    ]));
    check_invariants(&d);
    assert_eq!(d.passages.len(), 2);
    assert_eq!(d.passages[0].kind, PassageKind::Heading);
    assert_eq!(ptext(&d, &d.passages[0]), "Our Approach");
    assert_eq!(
        ptext(&d, &d.passages[1]),
        "The fictional partnership will work together across the whole area. It will listen to survivors."
    );
    assert_eq!(d.passages[1].sentences.len(), 2);
    // A wrapped title is not split.
    let d = seg(&text_doc(&[
        "Tackling Abuse in\nthe Fictional Vale: a Joint Strategy",
    ]));
    assert_eq!(d.passages.len(), 1);
}

#[test]
fn font_size_and_bold_headings() {
    let body = |t: &str| styled(t, 11.0, false);
    let d = seg(&doc(
        SourceFormat::Pdf,
        vec![vec![
            block(vec![styled("Fictional Child Practice Review", 20.0, true)]),
            block(vec![styled("Background", 16.0, true)]),
            block(vec![
                body("Child C lived with their mother in a fictional town and"),
                body("attended the local primary school."),
            ]),
            block(vec![styled("Family history", 11.0, true)]),
            block(vec![body("The family had moved three times in two years.")]),
            block(vec![styled("Learning", 16.0, true)]),
            block(vec![
                styled("Practice episodes", 11.0, true),
                body("Agencies did not share what they knew about the moves."),
            ]),
        ]],
    ));
    check_invariants(&d);
    assert_eq!(
        headings_of(&d),
        vec![
            (1, "Background", SectionKind::Background),
            (2, "Family history", SectionKind::Background),
            (1, "Learning", SectionKind::Lessons),
            (2, "Practice episodes", SectionKind::Lessons),
        ]
    );
    assert_eq!(d.title, "Fictional Child Practice Review");
    assert_eq!(d.kind, DocKind::Cpr);
    let last = d.passages.last().expect("passages");
    assert_eq!(
        ptext(&d, last),
        "Agencies did not share what they knew about the moves."
    );
}

#[test]
fn uniform_pdf_fonts_read_like_plain_text() {
    // A PDF set in one size and weight: title-only headings still work.
    let l = |t: &str| styled(t, 10.0, false);
    let d = seg(&doc(
        SourceFormat::Pdf,
        vec![vec![
            block(vec![l("Fictional Review of Practice")]),
            block(vec![
                l("Our Approach"),
                l("The fictional partnership will work together across the area."),
            ]),
            block(vec![l("Recommendations")]),
            block(vec![l("1. The fictional board should audit referrals.")]),
        ]],
    ));
    check_invariants(&d);
    assert_eq!(d.title, "Fictional Review of Practice");
    assert_eq!(
        headings_of(&d),
        vec![
            (1, "Our Approach", SectionKind::Other),
            (1, "Recommendations", SectionKind::Recommendations),
        ]
    );
}

#[test]
fn markdown_headings_and_markup() {
    let d = seg(&doc(
        SourceFormat::Markdown,
        vec![vec![
            tb("# Fictional VAWDASV Strategy 2022-2026"),
            tb("---"),
            tb("## **Objective 1: Increase awareness**"),
            tb("Some **bold** context for the fictional objective."),
            tb("### We will:"),
            tb("- Run a fictional awareness campaign.\n- Train all staff."),
            crate::extract::text::load(
                "t.md",
                b"| Action | Lead |\n|---|---|\n| Campaign | Council |",
                SourceFormat::Markdown,
            )
            .expect("text loads")
            .pages[0]
                .blocks[0]
                .clone(),
        ]],
    ));
    check_invariants(&d);
    assert_eq!(
        headings_of(&d),
        vec![
            (
                1,
                "Objective 1: Increase awareness",
                SectionKind::Objectives
            ),
            (2, "We will:", SectionKind::Commitments),
        ]
    );
    assert_eq!(d.title, "Fictional VAWDASV Strategy 2022-2026");
    assert_eq!(d.kind, DocKind::Strategy);
    assert_eq!(d.year, Some(2022));
    assert!(!d.text.contains("**") && !d.text.contains('#'));
    let items: Vec<&Passage> = d
        .passages
        .iter()
        .filter(|p| p.kind == PassageKind::ListItem)
        .collect();
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .all(|p| d.sections[p.section].kind == SectionKind::Commitments)
    );
    assert_eq!(items[0].marker.as_deref(), Some("-"));
    let rows = d
        .passages
        .iter()
        .filter(|p| p.kind == PassageKind::TableRow)
        .count();
    assert_eq!(rows, 2);
}

#[test]
fn welsh_headings_and_language() {
    let d = seg(&text_doc(&["Adolygiad Ymarfer Plant Ffuglennol\n\n\
         CRYNODEB GWEITHREDOL\n\n\
         Mae'r adolygiad ffuglennol yn dangos bod y gwasanaethau wedi gweithio gyda'r teulu.\n\n\
         Cyflwyniad\n\n\
         Mae hyn yn adolygiad o'r cyswllt a gafodd yr asiantaethau gyda'r plentyn.\n\n\
         Argymhellion\n\n\
         1. Dylai'r bwrdd sicrhau bod y staff yn cael hyfforddiant."]));
    check_invariants(&d);
    let kinds: Vec<SectionKind> = d.sections.iter().skip(1).map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        vec![
            SectionKind::ExecutiveSummary,
            SectionKind::Introduction,
            SectionKind::Recommendations
        ]
    );
    assert_eq!(d.language, "cy");
    assert_eq!(d.kind, DocKind::Cpr);
}

#[test]
fn list_blocks_are_split_per_item() {
    let d = seg(&text_doc(&["The panel identified these fictional gaps:\n\
         • risk was not re-assessed after the move,\n\
         • the GP was not told about the\n  incident in May,\n\
         • no one spoke to the neighbour.\n\n\
         (a) First lettered point.\n(b) Second lettered point.\n\n\
         R1 Training on coercive control for fictional staff.\n\n\
         Recommendation 3: The fictional board should audit referrals."]));
    check_invariants(&d);
    let items: Vec<(&str, &str)> = d
        .passages
        .iter()
        .filter_map(|p| p.marker.as_deref().map(|m| (m, ptext(&d, p))))
        .collect();
    assert_eq!(
        items,
        vec![
            ("•", "• risk was not re-assessed after the move,"),
            ("•", "• the GP was not told about the incident in May,"),
            ("•", "• no one spoke to the neighbour."),
            ("(a)", "(a) First lettered point."),
            ("(b)", "(b) Second lettered point."),
            ("R1", "R1 Training on coercive control for fictional staff."),
            (
                "Recommendation 3:",
                "Recommendation 3: The fictional board should audit referrals."
            ),
        ]
    );
    assert_eq!(d.passages[0].kind, PassageKind::Paragraph);
}

#[test]
fn fictional_pfd_sections_and_lead_in_answers() {
    let d = seg(&text_doc(&[
        "Prevention of Future Deaths report (Regulation 28) – FICTIONAL EXAMPLE
         Date of report: 2023-05-02
         Coroner area: Fictionshire

         INVESTIGATION AND INQUEST

         The inquest into the death of the fictional Person P concluded.

         The conclusion was:

         Unlawful killing

         CIRCUMSTANCES OF THE DEATH

         Person P was found at home.

         CORONER'S CONCERNS

         The MATTERS OF CONCERN are as follows:

         1. There was no fictional training on coercive control.",
    ]));
    check_invariants(&d);
    assert_eq!(
        headings_of(&d),
        vec![
            (1, "INVESTIGATION AND INQUEST", SectionKind::Background),
            (1, "CIRCUMSTANCES OF THE DEATH", SectionKind::Chronology),
            (1, "CORONER'S CONCERNS", SectionKind::Concerns),
        ]
    );
    assert_eq!(d.kind, DocKind::Pfd);
    assert_eq!(d.year, Some(2023));
    assert_eq!(d.area.as_deref(), Some("Fictionshire"));
    let last = d.passages.last().expect("passages");
    assert_eq!(last.marker.as_deref(), Some("1."));
    assert_eq!(d.sections[last.section].kind, SectionKind::Concerns);
}

#[test]
fn no_split_inside_a_wrapped_date() {
    let d = seg(&text_doc(&[
        "The fictional incident took place on\n1 March 2019 at home.",
    ]));
    assert_eq!(d.passages.len(), 1);
    assert_eq!(d.passages[0].kind, PassageKind::Paragraph);
}

#[test]
fn paragraph_merged_across_page_break() {
    let d = seg(&text_doc(&[
        "Intro paragraph on page one.\n\nThe fictional officer attended the address and",
        "spoke to the person harmed alone.\n\nA new paragraph on page two.",
    ]));
    check_invariants(&d);
    assert_eq!(d.passages.len(), 3);
    assert_eq!(
        ptext(&d, &d.passages[1]),
        "The fictional officer attended the address and spoke to the person harmed alone."
    );
    assert_eq!(d.passages[1].page, 1);
    assert_eq!(d.passages[2].page, 2);
    assert_eq!(d.pages, 2);
    // Page 2 starts inside the merged passage, at its continuation.
    assert!(d.text[d.page_starts[1]..].starts_with("spoke to"));
    assert_eq!(d.page_at(d.passages[2].start), 2);
}

#[test]
fn paragraph_not_merged_after_full_stop() {
    let d = seg(&text_doc(&[
        "The fictional officer attended the address.",
        "The person harmed was seen alone.",
    ]));
    check_invariants(&d);
    assert_eq!(d.passages.len(), 2);
    assert_eq!(d.passages[1].page, 2);
    assert_eq!(
        d.text,
        "The fictional officer attended the address.\n\nThe person harmed was seen alone."
    );
    assert_eq!(d.page_starts, vec![0, 45]);
}

#[test]
fn empty_pages_keep_page_starts_increasing() {
    let d = seg(&text_doc(&["", "Only text, on page two.", ""]));
    check_invariants(&d);
    assert_eq!(d.passages[0].page, 2);
    assert_eq!(d.pages, 3);
    let empty = seg(&text_doc(&[]));
    check_invariants(&empty);
    assert_eq!(empty.sections.len(), 1);
}

#[test]
fn public_helpers() {
    assert_eq!(
        ANATOMY.classify("CORONER'S CONCERNS"),
        Some(SectionKind::Concerns)
    );
    assert_eq!(ANATOMY.classify("Fictional heading"), None);
    let spans = split_sentences("Dr. A left. B stayed.", 100);
    assert_eq!(
        spans,
        vec![
            Span {
                start: 100,
                end: 111
            },
            Span {
                start: 112,
                end: 121
            }
        ]
    );
}

#[test]
fn sentences_with_abbreviations() {
    let d = seg(&text_doc(&["Mr. A saw Dr. B on 3 Jan. 2020. He left."]));
    let p = &d.passages[0];
    let s: Vec<&str> = p
        .sentences
        .iter()
        .map(|s| &d.text[s.start..s.end])
        .collect();
    assert_eq!(s, vec!["Mr. A saw Dr. B on 3 Jan. 2020.", "He left."]);
}

#[test]
fn page_at_and_section_at_agree() {
    let d = seg(&text_doc(&[
        "COVER TEXT FOR A FICTIONAL REVIEW\n\nSome front matter.",
        "1 Introduction\n\nIntro text.\n\n2 Background\n\nBackground text.",
        "2.1 Family\n\nFamily text.",
    ]));
    check_invariants(&d);
    for p in &d.passages {
        assert_eq!(d.page_at(p.start), p.page);
        assert_eq!(d.section_at(p.start), Some(p.section));
    }
    let fam = d
        .passages
        .iter()
        .find(|p| ptext(&d, p) == "Family text.")
        .expect("family");
    assert_eq!(
        d.sections[fam.section].trail,
        vec!["2 Background", "2.1 Family"]
    );
    assert_eq!(d.sections[fam.section].kind, SectionKind::Background);
    assert_eq!(d.sections[fam.section].page, 3);
}

#[test]
fn metadata_title_kind_year_area() {
    let mut ex = text_doc(&["FICTIONAL EXAMPLE\n\n\
         Exampletown Community Safety Partnership\n\n\
         Domestic Homicide Review\n\n\
         Overview Report into the death of Adult Z\n\n\
         Published 14 March 2022\n\n\
         1 Introduction\n\nThe review was held."]);
    let d = seg(&ex);
    assert_eq!(
        d.title,
        "Domestic Homicide Review – Overview Report into the death of Adult Z"
    );
    assert_eq!(d.kind, DocKind::Dhr);
    assert_eq!(d.year, Some(2022));
    assert_eq!(d.area.as_deref(), Some("Exampletown"));
    assert_eq!(d.language, "en");
    assert_eq!(d.id, "d0123456789abcdef");
    ex.meta.title = Some("Microsoft Word - final.docx".into());
    assert_eq!(seg(&ex).title, d.title);
    ex.meta.title = Some("Safeguarding Adults Review: Adult Y".into());
    let d2 = seg(&ex);
    assert_eq!(d2.title, "Safeguarding Adults Review: Adult Y");
    assert_eq!(d2.kind, DocKind::Apr);
}

fn arb_line() -> impl Strategy<Value = Line> {
    let texts = prop_oneof![
        "[A-Za-z0-9 .,:;()•#*|\\-–ŵé\t]{0,40}",
        Just("1 Introduction".to_string()),
        Just("5.3 Health Board".to_string()),
        Just("• item".to_string()),
        Just("## We will:".to_string()),
        Just("CORONER'S CONCERNS".to_string()),
        Just("and continues here".to_string()),
        Just("Mr. A saw Dr. B on 3 Jan. 2020. He left.".to_string()),
    ];
    (
        texts,
        prop_oneof![Just(0.0f32), Just(11.0), Just(16.0)],
        any::<bool>(),
    )
        .prop_map(|(t, size, bold)| Line {
            size,
            bold,
            ..line(&t)
        })
}

fn arb_doc() -> impl Strategy<Value = ExtractedDoc> {
    let blk = prop::collection::vec(arb_line(), 0..4).prop_map(block);
    let pg = prop::collection::vec(blk, 0..5);
    (
        prop::collection::vec(pg, 0..4),
        prop_oneof![
            Just(SourceFormat::Text),
            Just(SourceFormat::Markdown),
            Just(SourceFormat::Pdf)
        ],
    )
        .prop_map(|(pages, f)| doc(f, pages))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn segment_never_panics_and_keeps_invariants(ex in arb_doc()) {
        let d = seg(&ex);
        check_invariants(&d);
    }
}

#[test]
fn corpus_outlines() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let dir = if dir.exists() {
        dir
    } else {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "corpus missing at {}",
            dir.display()
        );
        println!("corpus not found at {}: skipping", dir.display());
        return;
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt" || e == "md"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let bytes = std::fs::read(&path).expect("read corpus file");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("file")
            .to_string();
        let ex = crate::extract::extract(&name, &bytes, &crate::extract::Limits::default())
            .expect("extract corpus file");
        let d = seg(&ex);
        check_invariants(&d);
        // Real documents are never kept in the repository, not even as
        // snapshots: check the anatomy each kind must show instead.
        let kinds: Vec<SectionKind> = d.sections.iter().map(|s| s.kind).collect();
        match d.kind {
            DocKind::Pfd => {
                assert!(kinds.contains(&SectionKind::Concerns), "{name}: {kinds:?}");
                assert!(
                    kinds.contains(&SectionKind::Chronology),
                    "{name}: {kinds:?}"
                );
                assert!(!kinds.contains(&SectionKind::Other), "{name}: {kinds:?}");
            }
            DocKind::Strategy => assert!(
                kinds
                    .iter()
                    .any(|k| matches!(k, SectionKind::Objectives | SectionKind::Commitments)),
                "{name}: {kinds:?}"
            ),
            k => panic!("{name}: unexpected kind {k}"),
        }
    }
}

#[test]
fn heading_cut_by_a_page_break_is_a_paragraph() {
    let d = seg(&text_doc(&[
        "A fictional strategy for Glanmor.\n\n1 Introduction\n\nA fictional strategy for Glanmor.\n\n3.3 The Learning From Fictional Reviews",
        "will inform practice across Glanmor.\n\n4 Governance\n\nThe board meets monthly.",
    ]));
    check_invariants(&d);
    let heads: Vec<&str> = d.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(heads, vec!["", "1 Introduction", "4 Governance"]);
    let merged = d
        .passages
        .iter()
        .find(|p| ptext(&d, p).starts_with("3.3"))
        .expect("merged passage");
    assert_eq!(merged.kind, PassageKind::Paragraph);
    assert_eq!(
        ptext(&d, merged),
        "3.3 The Learning From Fictional Reviews will inform practice across Glanmor."
    );
    assert_eq!(d.page_at(merged.start), 1);
}

#[test]
fn heading_at_page_foot_stays_before_a_capitalised_page() {
    let d = seg(&text_doc(&[
        "A fictional strategy for Glanmor.\n\n1 Introduction\n\nA fictional strategy for Glanmor.\n\n2 Governance",
        "The board meets monthly.",
    ]));
    let heads: Vec<&str> = d.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(heads, vec!["", "1 Introduction", "2 Governance"]);
}

#[test]
fn title_set_among_signature_lines_in_a_long_block() {
    let block = tb("Councillor A Fictional Glanmor Council Leader,\n\
         Chief Officer B Fictional Glanmor Police\n\
         & Crime Commissioner\n\
         Tackling Fictional Abuse in Glanmor\n\
         and Aberwen: a Joint Strategy\n\
         2030 – 2035\n\
         Abuse destroys lives and affects the well-being of our whole fictional\n\
         society. It can only be prevented through a shared understanding and a\n\
         commitment that it must not be tolerated anywhere in Glanmor.");
    let d = seg(&doc(SourceFormat::Pdf, vec![vec![block]]));
    assert_eq!(
        d.title,
        "Tackling Fictional Abuse in Glanmor and Aberwen: a Joint Strategy 2030 – 2035"
    );
}

#[test]
fn title_line_with_an_open_bracket_takes_the_next_line() {
    let block = tb(
        "Prevention of Future Deaths report (Regulation 28, Fictional Coroners (Rules)\n\
         Regulations 2099)\n\
         Source: fictional example for testing only, not a real report at all\n\
         Coroner: A Fictional Coroner for Glanmor",
    );
    let d = seg(&doc(SourceFormat::Pdf, vec![vec![block]]));
    assert_eq!(
        d.title,
        "Prevention of Future Deaths report (Regulation 28, Fictional Coroners (Rules) Regulations 2099)"
    );
}

#[test]
fn action_plan_rows_after_an_appendix_are_not_chapters() {
    let d = seg(&text_doc(&[
        "A fictional review for Glanmor.\n\n1 Introduction\n\nText.\n\n2 Recommendations\n\nText.",
        "Appendix A: Action Plan\n\n1 Regional\n\nRelaunch the fictional toolkit.\n\n2 National\n\nWrite a letter.",
    ]));
    check_invariants(&d);
    let heads: Vec<(&str, SectionKind)> = d
        .sections
        .iter()
        .skip(1)
        .map(|s| (s.heading.as_str(), s.kind))
        .collect();
    assert_eq!(
        heads,
        vec![
            ("1 Introduction", SectionKind::Introduction),
            ("2 Recommendations", SectionKind::Recommendations),
            ("Appendix A: Action Plan", SectionKind::ActionPlan),
        ]
    );
}

/// The fictional two-page ruled action plan, extracted and segmented.
fn ruled_action_plan() -> Document {
    let bytes = crate::extract::tests::ruled_action_plan_pdf();
    let ex =
        crate::extract::extract("fictional.pdf", &bytes, &Default::default()).expect("extract");
    seg(&ex)
}

#[test]
fn table_rows_are_passages_and_header_cells_open_no_section() {
    let d = ruled_action_plan();
    check_invariants(&d);
    // The bold line above the table is the title; "Recommendation" in the
    // header row is a column name, not a heading: no section opens.
    assert_eq!(d.title, "Appendix A: Action Plan");
    assert_eq!(headings_of(&d), vec![]);
    let rows: Vec<&Passage> = d
        .passages
        .iter()
        .filter(|p| p.kind == PassageKind::TableRow)
        .collect();
    let texts: Vec<&str> = rows.iter().map(|p| ptext(&d, p)).collect();
    assert_eq!(
        texts,
        vec![
            "Recommendation | Action | Lead agency",
            "1. Glanmor CSP should train all staff. | Commission fictional training | Glanmor CSP",
            // Cut by the page break and merged, cell by cell; the header
            // repeated on page 2 is left out.
            "2. Glanmor Police should audit DASH forms and report to the CSP. | Amend the procedure. | Glanmor Police",
            "3. The Home Office should publish guidance. | Write to the Home Office. | Glanmor CSP",
        ]
    );
    let places: Vec<(usize, RowKind)> = rows
        .iter()
        .map(|p| p.table.map(|t| (t.index, t.row)).expect("a table row"))
        .collect();
    assert_eq!(
        places,
        vec![
            (0, RowKind::Header),
            (0, RowKind::Data),
            (0, RowKind::Data),
            (0, RowKind::Data)
        ]
    );
    let cells: Vec<&str> = rows[2]
        .cells
        .iter()
        .map(|c| &d.text[c.start..c.end])
        .collect();
    assert_eq!(
        cells,
        vec![
            "2. Glanmor Police should audit DASH forms and report to the CSP.",
            "Amend the procedure.",
            "Glanmor Police"
        ]
    );
    assert_eq!((rows[2].page, rows[3].page), (1, 2));
    // Sentences stay inside their cells.
    for p in &rows {
        for s in &p.sentences {
            assert!(p.cells.iter().any(|c| c.start <= s.start && s.end <= c.end));
        }
    }
    let after = d.passages.last().expect("a passage");
    assert_eq!(ptext(&d, after), "Text after the fictional table.");
    assert_eq!(after.page, 2);
}

#[test]
fn tab_and_pipe_tables_of_text_files_are_rows_with_cells() {
    let ex = crate::extract::text::load(
        "t.txt",
        b"A fictional review.\n\n9 Recommendations\n\nRecommendation\tLead agency\n1 Train staff.\tGlanmor CSP\n2 Audit forms.\t\n",
        SourceFormat::Text,
    )
    .expect("text loads");
    let d = seg(&ex);
    check_invariants(&d);
    assert_eq!(
        headings_of(&d),
        vec![(1, "9 Recommendations", SectionKind::Recommendations)]
    );
    let rows: Vec<&Passage> = d
        .passages
        .iter()
        .filter(|p| p.kind == PassageKind::TableRow)
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(ptext(&d, rows[2]), "2 Audit forms.");
    assert_eq!(rows[2].cells.len(), 2);
    assert_eq!(rows[2].cells[1].start, rows[2].cells[1].end);
    assert_eq!(rows[0].table.map(|t| t.row), Some(RowKind::Header));
}
