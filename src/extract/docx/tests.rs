//! Tests of the Word reader on fictional packages built here.

use super::*;
use std::io::Write;

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

/// A Word package of the given parts (fictional content).
fn package(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, xml) in parts {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn styles() -> String {
    format!(
        r#"<w:styles {W}>
          <w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
          <w:style w:type="paragraph" w:styleId="Pennawd1"><w:name w:val="Pennawd 1"/>
            <w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
          <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>
          <w:style w:type="paragraph" w:styleId="RecList"><w:name w:val="Rec List"/>
            <w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="7"/></w:numPr></w:pPr></w:style>
        </w:styles>"#
    )
}

fn numbering() -> String {
    format!(
        r#"<w:numbering {W}>
          <w:abstractNum w:abstractNumId="3">
            <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
            <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl>
          </w:abstractNum>
          <w:abstractNum w:abstractNumId="4">
            <w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
          </w:abstractNum>
          <w:num w:numId="7"><w:abstractNumId w:val="3"/></w:num>
          <w:num w:numId="8"><w:abstractNumId w:val="4"/></w:num>
        </w:numbering>"#
    )
}

fn p(style: &str, text: &str) -> String {
    format!(r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#)
}

fn body(inner: &str) -> String {
    format!(r#"<?xml version="1.0"?><w:document {W}><w:body>{inner}</w:body></w:document>"#)
}

fn load_parts(parts: &[(&str, &str)]) -> Result<ExtractedDoc, ExtractError> {
    load("fictional.docx", &package(parts), &Limits::default())
}

/// Headings by outline level (a Welsh style name) or by name; Word's
/// numbering counted as Word counts; a bullet list; a table with a
/// merged cell; a page break; deleted text, field codes and a text
/// box's fallback left out; footnotes under "Notes".
#[test]
fn a_word_document_reads_as_its_markdown_would() {
    let inner = [
        p("Pennawd1", "Recommendations"),
        p("Normal", "The fictional review makes these recommendations."),
        p("RecList", "Glanmor Police should complete a DASH at every incident."),
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="7"/></w:numPr></w:pPr><w:r><w:t>within a month</w:t></w:r></w:p>"#.into(),
        p("RecList", "The health board should train GPs &amp; nurses."),
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="8"/></w:numPr></w:pPr><w:r><w:t>a bullet</w:t></w:r></w:p>"#.into(),
        r#"<w:p><w:r><w:t xml:space="preserve">Kept </w:t></w:r><w:del><w:r><w:delText>deleted</w:delText></w:r></w:del><w:r><w:instrText>PAGEREF x</w:instrText></w:r><w:r><w:t>text</w:t></w:r><w:r><mc:AlternateContent><mc:Choice><w:t> once</w:t></mc:Choice><mc:Fallback><w:t> twice</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>"#.into(),
        r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>No.</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Action</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Lead</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>Both a|b</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Police</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#.into(),
        r#"<w:p><w:r><w:br w:type="page"/></w:r><w:r><w:t>On page two.</w:t></w:r></w:p>"#.into(),
        p("Heading2", "Next"),
    ]
    .concat();
    let notes = format!(
        r#"<w:footnotes {W}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>A fictional note.</w:t></w:r></w:p></w:footnote></w:footnotes>"#
    );
    let d = load_parts(&[
        ("word/document.xml", &body(&inner)),
        ("word/styles.xml", &styles()),
        ("word/numbering.xml", &numbering()),
        ("word/footnotes.xml", &notes),
    ])
    .unwrap();
    assert_eq!(d.format, SourceFormat::Docx);
    assert_eq!(d.pages.len(), 2);
    let text = d.plain_text();
    for want in [
        "# Recommendations",
        "1. Glanmor Police should complete a DASH at every incident.",
        "(a) within a month",
        "2. The health board should train GPs & nurses.",
        "- a bullet",
        "Kept text once",
        "## Next",
        "## Notes",
        "A fictional note.",
    ] {
        assert!(text.contains(want), "{want:?} in:\n{text}");
    }
    for never in ["deleted", "PAGEREF", "twice"] {
        assert!(!text.contains(never), "{never:?} in:\n{text}");
    }
    let table = d.pages[0]
        .blocks
        .iter()
        .find_map(|b| b.table.as_ref())
        .expect("a table");
    assert_eq!(table.rows.len(), 2);
    assert!(d.pages[1].text().contains("On page two."));
}

#[test]
fn what_is_not_a_word_document_is_refused_clearly() {
    let err = |bytes: &[u8]| {
        load("x.docx", bytes, &Limits::default())
            .unwrap_err()
            .to_string()
    };
    assert!(err(b"").contains("not a Word document"), "{}", err(b""));
    assert!(err(b"%PDF-1.7 not a zip").contains("not a Word document"));
    let no_body = package(&[("word/styles.xml", "<w:styles/>")]);
    assert!(err(&no_body).contains("without word/document.xml"));
    let broken = package(&[("word/document.xml", "<w:document><w:body><w:p></w:body>")]);
    assert!(err(&broken).contains("malformed XML"), "{}", err(&broken));
}

/// A part that inflates past the limit is refused (a ZIP bomb); an
/// external entity is never resolved; deep nesting is read flat.
#[test]
fn hostile_packages_fail_or_read_safely() {
    let limits = Limits {
        max_stream_bytes: 1 << 20,
        ..Limits::default()
    };
    let big = body(&p("Normal", &"x".repeat(2 << 20)));
    let e = load(
        "bomb.docx",
        &package(&[("word/document.xml", &big)]),
        &limits,
    )
    .unwrap_err();
    assert!(e.to_string().contains("ZIP bomb"), "{e}");

    let xxe = format!(
        r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><w:document {W}><w:body><w:p><w:r><w:t>before &xxe; after</w:t></w:r></w:p></w:body></w:document>"#
    );
    let d = load_parts(&[("word/document.xml", &xxe)]).unwrap();
    let text = d.plain_text();
    assert!(text.contains("before") && !text.contains("root:"), "{text}");

    let deep = body(&format!(
        "{}<w:p><w:r><w:t>deep text</w:t></w:r></w:p>{}",
        "<w:sdt><w:sdtContent>".repeat(20_000),
        "</w:sdtContent></w:sdt>".repeat(20_000)
    ));
    let d = load_parts(&[("word/document.xml", &deep)]).unwrap();
    assert!(d.plain_text().contains("deep text"));
}

fn num_doc(lvl0: &str) -> String {
    format!(
        r#"<w:numbering {W}><w:abstractNum w:abstractNumId="1">{lvl0}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#
    )
}

fn item(text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
    )
}

/// What the independent review of the reader found: numbering that
/// starts at 0 or at the largest number, letters past "z", a level
/// text of a megabyte, an outline level of 255, empty numbered
/// paragraphs, a table in a table, an empty cell element, a page break
/// in a cell, a paragraph that starts like Markdown.
#[test]
fn edge_cases_of_numbering_tables_and_text() {
    let read = |numbering: &str, inner: &str| {
        load_parts(&[
            ("word/document.xml", &body(inner)),
            ("word/numbering.xml", numbering),
        ])
        .unwrap()
    };
    let from_zero = read(
        &num_doc(
            r#"<w:lvl w:ilvl="0"><w:start w:val="0"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>"#,
        ),
        &[item("first"), item(""), item("third")].concat(),
    );
    let text = from_zero.plain_text();
    assert!(
        text.contains("0. first") && text.contains("2. third"),
        "{text}"
    );

    let huge = read(
        &num_doc(
            r#"<w:lvl w:ilvl="0"><w:start w:val="4294967295"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1)"/></w:lvl>"#,
        ),
        &[item("one"), item("two")].concat(),
    );
    assert!(
        huge.plain_text().contains("4294967295) two"),
        "{}",
        huge.plain_text()
    );

    let long_text = format!(
        r#"<w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/><w:lvlText w:val="{}"/></w:lvl>"#,
        "%1".repeat(500_000)
    );
    let d = read(&num_doc(&long_text), &item("short"));
    assert!(d.plain_text().len() < 100, "{}", d.plain_text().len());

    let inner = [
        r#"<w:p><w:pPr><w:outlineLvl w:val="255"/></w:pPr><w:r><w:t>#1 priority | not a table</w:t></w:r></w:p>"#,
        r#"<w:tbl><w:tr><w:tc/><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>multi-agency a|b</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc>"#,
        r#"<w:tc><w:p><w:r><w:t>end</w:t></w:r><w:r><w:br w:type="page"/></w:r></w:p></w:tc></w:tr></w:tbl>"#,
        r#"<w:p><w:r><w:t>after the table</w:t></w:r></w:p>"#,
    ]
    .concat();
    let d = read(&num_doc(""), &inner);
    assert_eq!(d.pages.len(), 2, "{:?}", d.plain_text());
    let table = d.pages[0]
        .blocks
        .iter()
        .find_map(|b| b.table.as_ref())
        .unwrap();
    let cells: Vec<String> = table.rows[0]
        .cells
        .iter()
        .map(|c| {
            c.lines
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(cells, ["", "multi-agency a|b", "end"]);
    let rules = crate::rules::RuleSet::default_rules();
    let doc = crate::segment::segment(&d, rules.anatomy());
    assert!(
        doc.text.contains("#1 priority | not a table"),
        "{}",
        doc.text
    );
    assert!(doc.sections.iter().all(|s| !s.heading.contains("priority")));
}

/// A table as wide as a hostile file cares to make it is read with at
/// most `MAX_COLUMNS` columns, so its rows are not padded to that width.
#[test]
fn a_hostile_table_width_does_not_multiply_the_text() {
    let wide = format!("<w:tr>{}</w:tr>", "<w:tc></w:tc>".repeat(50_000));
    let rows = "<w:tr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc></w:tr>".repeat(5_000);
    let d = load_parts(&[(
        "word/document.xml",
        &body(&format!("<w:tbl>{wide}{rows}</w:tbl>")),
    )])
    .unwrap();
    let text = d.plain_text();
    assert!(
        text.len() < 5_000 * (MAX_COLUMNS * 4),
        "{} bytes",
        text.len()
    );
}
