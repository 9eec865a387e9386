//! Tests for the extractor: small PDFs generated with lopdf's writer, so the
//! expected text is known exactly. All text is fictional.

use super::*;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};

/// Builds a small PDF page by page.
struct Builder {
    doc: Document,
    pages_id: ObjectId,
    kids: Vec<Object>,
}

impl Builder {
    fn new() -> Self {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        Builder {
            doc,
            pages_id,
            kids: Vec::new(),
        }
    }

    fn page(&mut self, content: &str, resources: Dictionary) -> ObjectId {
        self.page_with(content, resources, |_| {})
    }

    fn page_with(
        &mut self,
        content: &str,
        resources: Dictionary,
        f: impl FnOnce(&mut Dictionary),
    ) -> ObjectId {
        let c = self
            .doc
            .add_object(Stream::new(Dictionary::new(), content.as_bytes().to_vec()));
        let mut d = dictionary! {
            "Type" => "Page",
            "Parent" => self.pages_id,
            "Contents" => c,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        };
        f(&mut d);
        let id = self.doc.add_object(d);
        self.kids.push(id.into());
        id
    }

    fn finish(self) -> Vec<u8> {
        self.finish_with(|_| {})
    }

    fn finish_with(mut self, f: impl FnOnce(&mut Document)) -> Vec<u8> {
        let n = self.kids.len() as i64;
        self.doc.objects.insert(
            self.pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => self.kids,
                "Count" => n,
            }),
        );
        let cat = self.doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => self.pages_id,
        });
        self.doc.trailer.set("Root", cat);
        f(&mut self.doc);
        let mut out = Vec::new();
        self.doc.save_to(&mut out).expect("save");
        out
    }
}

fn helvetica(name: &str) -> Dictionary {
    dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => name,
        "Encoding" => "WinAnsiEncoding",
    }
}

fn fonts(list: Vec<(&str, Dictionary)>) -> Dictionary {
    let mut f = Dictionary::new();
    for (k, v) in list {
        f.set(k, v);
    }
    dictionary! { "Font" => f }
}

fn run(bytes: &[u8]) -> ExtractedDoc {
    extract("fictional.pdf", bytes, &Limits::default()).expect("extract")
}

#[test]
fn f1_basics() {
    assert_eq!(word_f1("a b c", "a b c"), 1.0);
    assert_eq!(word_f1("", ""), 1.0);
    assert_eq!(word_f1("a b", ""), 0.0);
    let f = word_f1("a a b", "a b b");
    assert!((f - 2.0 / 3.0).abs() < 1e-9, "{f}");
    assert_eq!(word_f1("\u{fb01}ne", "fine"), 1.0);
}

#[test]
fn simple_winansi_helvetica_page() {
    let mut b = Builder::new();
    b.page(
        "BT /F2 16 Tf 72 760 Td (Fictional Review) Tj ET \
         BT /F1 12 Tf 14 TL 72 700 Td (Hello, fictional world.) Tj T* (A caf\\351 \\223quote\\224.) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica")), ("F2", helvetica("Helvetica-Bold"))]),
    );
    let d = run(&b.finish());
    assert_eq!(d.format, SourceFormat::Pdf);
    assert_eq!(
        d.plain_text(),
        "Fictional Review\n\nHello, fictional world.\nA café “quote”.\n"
    );
    let p = &d.pages[0];
    assert_eq!((p.width, p.height), (595.0, 842.0));
    let title = &p.blocks[0].lines[0];
    assert_eq!(title.font, "Helvetica-Bold");
    assert!(title.bold && !title.italic);
    assert_eq!(title.size, 16.0);
    let body = &p.blocks[1].lines[0];
    assert_eq!(body.font, "Helvetica");
    assert!(!body.bold);
    assert_eq!(body.size, 12.0);
    assert!((body.bbox.x0 - 72.0).abs() < 0.01);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn differences_font() {
    let font = dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "ABCDEF+Fictional-Italic",
        "Encoding" => dictionary! {
            "BaseEncoding" => "WinAnsiEncoding",
            "Differences" => vec![65.into(), "fi".into(), "uni0042".into(), "eacute".into(), 200.into(), "quoteright".into()],
        },
    };
    let mut b = Builder::new();
    b.page(
        "BT /F1 12 Tf 72 700 Td (xAnd BC\\310s) Tj ET",
        fonts(vec![("F1", font)]),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "xfind Bé’s\n");
    let l = &d.pages[0].blocks[0].lines[0];
    assert_eq!(l.font, "Fictional-Italic");
    assert!(l.italic);
}

const CMAP: &str = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n\
1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
2 beginbfchar <0001> <0048> <0006> <FB01> endbfchar\n\
2 beginbfrange <0002> <0003> <0065> <0004> <0005> [<006C> <006F>] endbfrange\n\
endcmap CMapName currentdict /CMap defineresource pop end end";

fn type0_font(b: &mut Builder) -> Dictionary {
    let tu = b
        .doc
        .add_object(Stream::new(Dictionary::new(), CMAP.as_bytes().to_vec()));
    let descendant = b.doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "QWERTY+Fictional-Bold",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "DW" => 1000,
        "W" => vec![1.into(), vec![722.into(), 556.into(), 278.into(), 222.into(), 556.into(), 500.into()].into()],
    });
    dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "QWERTY+Fictional-Bold",
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![descendant.into()],
        "ToUnicode" => tu,
    }
}

#[test]
fn type0_identity_h_with_tounicode() {
    let mut b = Builder::new();
    let f = type0_font(&mut b);
    // "Hello" then, after a kerning gap, "fie" with the fi ligature.
    b.page(
        "BT /F1 12 Tf 72 700 Td [<00010002000400040005> -400 <00060002>] TJ ET",
        fonts(vec![("F1", f)]),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "Hello fie\n");
    let l = &d.pages[0].blocks[0].lines[0];
    assert_eq!(l.font, "Fictional-Bold");
    assert!(l.bold);
    // Widths from /W: H 722, e 556, l 222 ×2, o 556 → 2.278 em.
    let expected_x1 = 72.0 + 12.0 * (0.722 + 0.556 + 0.222 * 2.0 + 0.556 + 0.4 + 0.5 + 0.556);
    assert!(
        (l.bbox.x1 - expected_x1).abs() < 0.05,
        "{} vs {expected_x1}",
        l.bbox.x1
    );
}

#[test]
fn tj_kerning_gaps_make_spaces_small_kerning_does_not() {
    let mut b = Builder::new();
    b.page(
        "BT /F1 12 Tf 72 700 Td [(Multi)-300(agency)-250(re)15(view)-20(.)] TJ ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "Multi agency review.\n");
}

#[test]
fn positioned_words_without_space_glyphs() {
    let mut b = Builder::new();
    // Each word placed with Td; "Safe" is 4 glyphs of Helvetica 12pt ≈ 25.3pt wide.
    b.page(
        "BT /F1 12 Tf 72 700 Td (Safe) Tj 28.5 0 Td (and) Tj 22 0 Td (well) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "Safe and well\n");
}

#[test]
fn two_columns_read_left_then_right() {
    let left = [
        "Left column line one",
        "left column line two",
        "left column line three",
        "left column line four",
    ];
    let right = [
        "Right column line one",
        "right column line two",
        "right column line three",
        "right column line four",
    ];
    let mut c =
        String::from("BT /F2 18 Tf 72 760 Td (A Fictional Two Column Page Title Spanning) Tj ET ");
    // Interleaved in the stream: row by row across both columns.
    for (i, (l, r)) in left.iter().zip(right.iter()).enumerate() {
        let y = 700 - 14 * i as i32;
        c.push_str(&format!(
            "BT /F1 11 Tf 72 {y} Td ({l}) Tj ET BT /F1 11 Tf 320 {y} Td ({r}) Tj ET "
        ));
    }
    let mut b = Builder::new();
    b.page(
        &c,
        fonts(vec![
            ("F1", helvetica("Helvetica")),
            ("F2", helvetica("Helvetica-Bold")),
        ]),
    );
    let d = run(&b.finish());
    let expected = format!(
        "A Fictional Two Column Page Title Spanning\n\n{}\n\n{}\n",
        left.join("\n"),
        right.join("\n")
    );
    assert_eq!(d.plain_text(), expected);
}

#[test]
fn running_header_and_page_footer_removed() {
    let mut b = Builder::new();
    let body = [
        "The review panel met in spring.",
        "Agencies shared their chronologies.",
        "The panel made four recommendations.",
    ];
    for (i, t) in body.iter().enumerate() {
        let n = i + 1;
        b.page(
            &format!(
                "BT /F1 9 Tf 72 805 Td (Fictional Review of Agency Practice) Tj ET \
                 BT /F1 9 Tf 480 805 Td (OFFICIAL) Tj ET \
                 BT /F1 11 Tf 72 700 Td ({t}) Tj ET \
                 BT /F1 9 Tf 270 30 Td (Page {n} of 3) Tj ET"
            ),
            fonts(vec![("F1", helvetica("Helvetica"))]),
        );
    }
    let d = run(&b.finish());
    assert_eq!(d.pages.len(), 3);
    for (i, p) in d.pages.iter().enumerate() {
        assert_eq!(p.text(), body[i]);
        assert_eq!(
            p.header,
            vec!["Fictional Review of Agency Practice OFFICIAL".to_string()]
        );
        assert_eq!(p.footer, vec![format!("Page {} of 3", i + 1)]);
        assert_eq!(p.label.as_deref(), Some((i + 1).to_string().as_str()));
    }
    assert_eq!(
        d.plain_text(),
        format!("{}\n\u{c}{}\n\u{c}{}\n", body[0], body[1], body[2])
    );
}

#[test]
fn lone_page_number_removed_even_in_short_documents() {
    let mut b = Builder::new();
    b.page(
        "BT /F1 11 Tf 72 700 Td (Only body text here.) Tj ET BT /F1 9 Tf 290 30 Td (7) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "Only body text here.\n");
    assert_eq!(d.pages[0].footer, vec!["7".to_string()]);
    assert_eq!(d.pages[0].label.as_deref(), Some("7"));
}

#[test]
fn page_labels_win_over_printed_numbers() {
    let mut b = Builder::new();
    for _ in 0..3 {
        b.page(
            "BT /F1 11 Tf 72 700 Td (Text.) Tj ET",
            fonts(vec![("F1", helvetica("Helvetica"))]),
        );
    }
    let mut bytes_doc = b;
    let labels = dictionary! {
        "Nums" => vec![
            0.into(), dictionary! { "S" => "r" }.into(),
            2.into(), dictionary! { "S" => "D", "St" => 5, "P" => Object::string_literal("A-") }.into(),
        ],
    };
    // Attach to the catalog after finish() builds it: rebuild by hand.
    let n = bytes_doc.kids.len() as i64;
    bytes_doc.doc.objects.insert(
        bytes_doc.pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => bytes_doc.kids.clone(), "Count" => n },
        ),
    );
    let cat = bytes_doc.doc.add_object(dictionary! {
        "Type" => "Catalog", "Pages" => bytes_doc.pages_id, "PageLabels" => labels,
    });
    bytes_doc.doc.trailer.set("Root", cat);
    let mut out = Vec::new();
    bytes_doc.doc.save_to(&mut out).expect("save");
    let d = run(&out);
    let got: Vec<_> = d.pages.iter().map(|p| p.label.clone()).collect();
    assert_eq!(
        got,
        vec![Some("i".into()), Some("ii".into()), Some("A-5".into())]
    );
}

#[test]
fn hyphenation_joined_and_compound_kept() {
    let mut b = Builder::new();
    b.page(
        "BT /F1 11 Tf 14 TL 72 700 Td (The panel discussed the conver-) Tj T* (sation with the multi-) Tj T* (agency team at length.) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let d = run(&b.finish());
    assert_eq!(
        d.plain_text(),
        "The panel discussed the conversation\nwith the multi-agency\nteam at length.\n"
    );
}

#[test]
fn footnote_marker_separated_by_a_space() {
    let mut b = Builder::new();
    b.page(
        "BT /F1 11 Tf 72 700 Td (multi-agency) Tj /F1 7 Tf 4 Ts (1) Tj 0 Ts /F1 11 Tf ( working.) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "multi-agency 1 working.\n");
    assert_eq!(d.pages[0].blocks[0].lines[0].size, 11.0);
    // After a pseudonym's single letter it is still a footnote marker.
    let mut b = Builder::new();
    b.page(
        "BT /F1 11 Tf 72 700 Td (Child A) Tj /F1 7 Tf 4 Ts (2) Tj 0 Ts /F1 11 Tf ( said) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    assert_eq!(run(&b.finish()).plain_text(), "Child A 2 said\n");
}

#[test]
fn exponent_after_a_greek_letter_joins_it() {
    // A fictional fit statistic: chi (from /Differences) with a raised 2.
    let mut b = Builder::new();
    let mut greek = helvetica("Helvetica");
    greek.set(
        "Encoding",
        dictionary! {
            "Type" => "Encoding",
            "BaseEncoding" => "WinAnsiEncoding",
            "Differences" => vec![99.into(), Object::Name(b"chi".to_vec())],
        },
    );
    b.page(
        "BT /F2 11 Tf 72 700 Td (c) Tj /F1 7 Tf 4 Ts (2) Tj 0 Ts /F1 11 Tf ( of the fictional fit) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica")), ("F2", greek)]),
    );
    assert_eq!(
        run(&b.finish()).plain_text(),
        "\u{3c7}2 of the fictional fit\n"
    );
}

#[test]
fn accent_glyph_over_a_letter_is_combined_with_it() {
    // TeX draws an accent as a glyph of its own centred over the letter,
    // usually just before it. Helvetica: "caf" is 16.008 pt wide at 12 pt,
    // "e" 6.672 pt (centre 91.344), the acute 3.996 pt.
    let mut b = Builder::new();
    b.page(
        "BT /F1 12 Tf 72 700 Td (caf) Tj ET \
         BT /F1 12 Tf 89.346 700 Td (\\264) Tj ET \
         BT /F1 12 Tf 88.008 700 Td (e menu) Tj ET \
         BT /F1 12 Tf 72 680 Td (caf) Tj (e) Tj ET \
         BT /F1 12 Tf 89.346 680 Td (\\264) Tj ET \
         BT /F1 12 Tf 100 680 Td (menu) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let text = run(&b.finish()).plain_text();
    assert_eq!(text, "caf\u{e9} menu\ncaf\u{e9} menu\n");
    // A spacing accent that is not over a letter stays as it is.
    let mut b = Builder::new();
    b.page(
        "BT /F1 12 Tf 72 700 Td (caf \\264 e) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    assert_eq!(run(&b.finish()).plain_text(), "caf \u{b4} e\n");
}

#[test]
fn form_xobject_text_is_read() {
    let mut b = Builder::new();
    let form = b.doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 300.into(), 50.into()],
            "Matrix" => vec![1.into(), 0.into(), 0.into(), 1.into(), 10.into(), 0.into()],
            "Resources" => fonts(vec![("F9", helvetica("Helvetica"))]),
        },
        b"BT /F9 12 Tf 0 0 Td (Inside a form) Tj ET".to_vec(),
    ));
    b.page(
        "q 1 0 0 1 100 500 cm /Fm1 Do Q",
        dictionary! { "XObject" => dictionary! { "Fm1" => form } },
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "Inside a form\n");
    let l = &d.pages[0].blocks[0].lines[0];
    assert!((l.bbox.x0 - 110.0).abs() < 0.01, "{:?}", l.bbox);
}

#[test]
fn self_referencing_form_does_not_loop() {
    let mut b = Builder::new();
    let form_id = b.doc.new_object_id();
    let form = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 300.into(), 50.into()],
            "Resources" => dictionary! {
                "Font" => dictionary! { "F1" => helvetica("Helvetica") },
                "XObject" => dictionary! { "Me" => form_id },
            },
        },
        b"BT /F1 12 Tf 72 700 Td (Loop) Tj ET /Me Do".to_vec(),
    );
    b.doc.objects.insert(form_id, Object::Stream(form));
    b.page(
        "/Me Do",
        dictionary! { "XObject" => dictionary! { "Me" => form_id } },
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "Loop\n");
}

#[test]
fn image_only_page_needs_ocr() {
    let mut b = Builder::new();
    let img = b.doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => 2,
            "Height" => 2,
            "ColorSpace" => "DeviceGray",
            "BitsPerComponent" => 8,
        },
        vec![0, 255, 255, 0],
    ));
    b.page(
        "BT /F1 11 Tf 72 700 Td (Cover page text.) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    b.page(
        "q 500 0 0 700 50 50 cm /Im1 Do Q",
        dictionary! { "XObject" => dictionary! { "Im1" => img } },
    );
    let d = run(&b.finish());
    assert!(!d.pages[0].needs_ocr);
    assert!(d.pages[1].needs_ocr);
    assert!(d.pages[1].blocks.is_empty());
    assert_eq!(
        d.warnings,
        vec![Warning {
            page: Some(2),
            message: "page 2 has no text layer (scanned?): needs OCR".into()
        }]
    );
}

#[test]
fn inline_image_is_skipped_and_text_kept() {
    let mut b = Builder::new();
    b.page(
        "q 10 0 0 10 0 0 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \u{1}\u{2}\u{3}\u{4}\nEI Q BT /F1 11 Tf 72 700 Td (After the image.) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "After the image.\n");
    assert!(!d.pages[0].needs_ocr);
}

#[test]
fn rotated_page_is_read_upright() {
    let mut b = Builder::new();
    // Text drawn rotated 90° on a page shown with /Rotate 90 reads upright.
    b.page_with(
        "BT /F1 12 Tf 0 1 -1 0 300 100 Tm (Rotated page text) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
        |d| d.set("Rotate", 90),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "Rotated page text\n");
    assert_eq!((d.pages[0].width, d.pages[0].height), (842.0, 595.0));
}

#[test]
fn font_without_mapping_gives_warning_not_garbage() {
    let mut b = Builder::new();
    let descendant = b.doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "Opaque", "DW" => 500,
    });
    let f = dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Opaque",
        "Encoding" => "Identity-H", "DescendantFonts" => vec![descendant.into()],
    };
    b.page(
        "BT /F1 12 Tf 72 700 Td <00410042> Tj ET BT /F2 12 Tf 72 650 Td (Readable.) Tj ET",
        fonts(vec![("F1", f), ("F2", helvetica("Helvetica"))]),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "Readable.\n");
    assert_eq!(d.warnings.len(), 1);
    assert!(d.warnings[0].message.contains("Opaque"), "{:?}", d.warnings);
}

#[test]
fn metadata_from_info() {
    let mut b = Builder::new();
    b.page(
        "BT /F1 11 Tf 72 700 Td (x) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    // UTF-16BE title with BOM.
    let mut title = vec![0xfe, 0xff];
    for u in "Fictional Review – Ynys".encode_utf16() {
        title.extend(u.to_be_bytes());
    }
    let info = b.doc.add_object(dictionary! {
        "Title" => Object::String(title, StringFormat::Hexadecimal),
        "Author" => Object::string_literal("A. N. Author"),
        "Producer" => Object::string_literal("Fictional Writer 1.0"),
        "CreationDate" => Object::string_literal("D:20210304120000Z"),
    });
    b.doc.trailer.set("Info", info);
    let d = run(&b.finish());
    assert_eq!(d.meta.title.as_deref(), Some("Fictional Review – Ynys"));
    assert_eq!(d.meta.author.as_deref(), Some("A. N. Author"));
    assert_eq!(d.meta.producer.as_deref(), Some("Fictional Writer 1.0"));
    assert_eq!(d.meta.year, Some(2021));
    assert_eq!(d.meta.subject, None);
}

#[test]
fn operator_limit_keeps_what_was_read() {
    let mut b = Builder::new();
    b.page(
        "BT /F1 11 Tf 72 700 Td (First.) Tj ET BT /F1 11 Tf 72 600 Td (Second.) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let limits = Limits {
        max_ops_per_page: 5,
        ..Limits::default()
    };
    let d = extract("f.pdf", &b.finish(), &limits).expect("extract");
    assert_eq!(d.plain_text(), "First.\n");
    assert_eq!(d.warnings.len(), 1);
    assert_eq!(d.warnings[0].page, Some(1));
}

#[test]
fn garbage_and_truncated_files_are_errors_not_panics() {
    assert!(matches!(
        extract("a.pdf", b"", &Limits::default()),
        Err(ExtractError::Empty)
    ));
    assert!(matches!(
        extract("a.pdf", b"hello", &Limits::default()),
        Err(ExtractError::NotPdf(_))
    ));
    assert!(
        extract(
            "a.pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog",
            &Limits::default()
        )
        .is_err()
    );
    let mut b = Builder::new();
    b.page(
        "BT /F1 11 Tf 72 700 Td (Some text.) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let good = b.finish();
    for cut in [good.len() / 4, good.len() / 2, good.len() - 40] {
        // Either an error or a document; never a panic.
        let _ = extract("a.pdf", &good[..cut], &Limits::default());
    }
}

#[test]
fn text_and_markdown_by_extension_and_sniffing() {
    let d = extract("notes.md", b"# Title\n\nBody", &Limits::default()).expect("md");
    assert_eq!(d.format, SourceFormat::Markdown);
    let d = extract("notes.txt", b"Body", &Limits::default()).expect("txt");
    assert_eq!(d.format, SourceFormat::Text);
    let mut b = Builder::new();
    b.page(
        "BT /F1 11 Tf 72 700 Td (Sniffed.) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let d = extract("no-extension", &b.finish(), &Limits::default()).expect("sniffed pdf");
    assert_eq!(d.format, SourceFormat::Pdf);
    assert_eq!(d.plain_text(), "Sniffed.\n");
}

#[test]
fn page_number_patterns() {
    assert_eq!(page_number("Page 3 of 40").as_deref(), Some("3"));
    assert_eq!(page_number("12").as_deref(), Some("12"));
    assert_eq!(page_number("- 4 -").as_deref(), Some("4"));
    assert_eq!(page_number("iv").as_deref(), Some("iv"));
    assert_eq!(page_number("3 / 9").as_deref(), Some("3"));
    assert_eq!(page_number("12 people attended"), None);
    assert_eq!(page_number("2019"), Some("2019".into()));
    assert_eq!(page_number("Civil"), None);
    assert_eq!(page_number("Page | 5").as_deref(), Some("5"));
    assert_eq!(page_number("5 | Page").as_deref(), Some("5"));
    assert_eq!(page_number("Page 5 of").as_deref(), None);
}

fn small_pdf() -> Vec<u8> {
    let mut b = Builder::new();
    let f = type0_font(&mut b);
    b.page(
        "BT /F1 12 Tf 72 700 Td [<00010002> -300 <0006>] TJ /F2 10 Tf 0 -20 Td (Plain text line.) Tj ET",
        fonts(vec![("F1", f), ("F2", helvetica("Helvetica"))]),
    );
    b.finish()
}

proptest::proptest! {
    // 64 cases by default; `PROPTEST_CASES=N` for a longer run.
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        ..Default::default()
    })]

    #[test]
    fn never_panics_on_arbitrary_bytes(data in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
        let _ = extract("x.pdf", &data, &Limits::default());
        let mut with_magic = b"%PDF-1.7\n".to_vec();
        with_magic.extend_from_slice(&data);
        let _ = extract("x.pdf", &with_magic, &Limits::default());
        let _ = extract("x.txt", &data, &Limits::default());
    }

    #[test]
    fn never_panics_on_mutated_pdf(
        edits in proptest::collection::vec((proptest::num::usize::ANY, proptest::num::u8::ANY), 1..20)
    ) {
        let mut data = small_pdf();
        let n = data.len();
        for (pos, byte) in edits {
            data[pos % n] = byte;
        }
        let _ = extract("x.pdf", &data, &Limits::default());
    }
}

#[test]
fn rotated_side_note_does_not_mix_with_body() {
    let mut b = Builder::new();
    b.page(
        "BT /F1 11 Tf 14 TL 72 700 Td (Body line one of the page.) Tj T* (Body line two of the page.) Tj ET \
         BT /F1 9 Tf 0 1 -1 0 40 690 Tm (Draft side note) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let d = run(&b.finish());
    assert_eq!(
        d.plain_text(),
        "Body line one of the page.\nBody line two of the page.\n\nDraft side note\n"
    );
}

/// The whole structure of a small two-page fictional review, for review by
/// people: blocks, line fonts/sizes/styles, furniture, labels.
#[test]
fn snapshot_of_structured_extraction() {
    let mut b = Builder::new();
    let pages = [
        "BT /F2 16 Tf 72 740 Td (1. Introduction) Tj ET \
         BT /F1 11 Tf 14 TL 72 710 Td (This fictional review considers how agencies) Tj T* (worked together before the harm occurred.) Tj ET \
         BT /F1 11 Tf 72 670 Td (\\225 Police and health shared information late.) Tj ET \
         BT /F1 9 Tf 270 30 Td (Page 1 of 2) Tj ET",
        "BT /F2 16 Tf 72 740 Td (2. Recommendations) Tj ET \
         BT /F3 11 Tf 72 710 Td (The panel recommends joint training.) Tj ET \
         BT /F1 9 Tf 270 30 Td (Page 2 of 2) Tj ET",
    ];
    for c in pages {
        b.page(
            c,
            fonts(vec![
                ("F1", helvetica("Helvetica")),
                ("F2", helvetica("Helvetica-Bold")),
                ("F3", helvetica("Helvetica-Oblique")),
            ]),
        );
    }
    let mut d = run(&b.finish());
    d.sha256 = "[sha256]".into();
    insta::assert_json_snapshot!(d);
}

fn encrypted_pdf(user_password: &str) -> Vec<u8> {
    let mut b = Builder::new();
    b.page(
        "BT /F1 11 Tf 72 700 Td (Protected fictional text.) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    b.finish_with(|doc| {
        doc.trailer.set(
            "ID",
            vec![
                Object::string_literal("0123456789abcdef"),
                Object::string_literal("0123456789abcdef"),
            ],
        );
        let version = lopdf::EncryptionVersion::V2 {
            document: doc,
            owner_password: "owner",
            user_password,
            key_length: 128,
            permissions: lopdf::Permissions::all(),
        };
        let state = lopdf::EncryptionState::try_from(version).expect("state");
        doc.encrypt(&state).expect("encrypt");
    })
}

#[test]
fn empty_user_password_is_opened_other_passwords_refused() {
    let d = run(&encrypted_pdf(""));
    assert_eq!(d.plain_text(), "Protected fictional text.\n");
    assert!(matches!(
        extract("x.pdf", &encrypted_pdf("secret"), &Limits::default()),
        Err(ExtractError::Encrypted)
    ));
}

#[test]
fn scanned_page_with_a_stamped_page_number_needs_ocr() {
    let mut b = Builder::new();
    let img = b.doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        vec![128],
    ));
    let mut res = fonts(vec![("F1", helvetica("Helvetica"))]);
    res.set("XObject", dictionary! { "Im1" => img });
    // A full-page scan plus a stamped "12"; and a page with a small logo and real text.
    b.page(
        "q 595 0 0 842 0 0 cm /Im1 Do Q BT /F1 9 Tf 290 30 Td (12) Tj ET",
        res.clone(),
    );
    b.page(
        "q 50 0 0 50 72 760 cm /Im1 Do Q BT /F1 11 Tf 72 700 Td (A page with a logo.) Tj ET",
        res,
    );
    let d = run(&b.finish());
    assert!(d.pages[0].needs_ocr);
    assert!(!d.pages[1].needs_ocr);
}

#[test]
fn table_is_read_row_by_row() {
    let mut c = String::new();
    let mut expected = Vec::new();
    for r in 0..6 {
        let y = 700 - 40 * r;
        c.push_str(&format!(
            "BT /F1 11 Tf 13 TL 72 {y} Td (Recommendation {r} first) Tj T* (and second line) Tj ET \
             BT /F1 11 Tf 260 {y} Td (Action for row {r}) Tj ET \
             BT /F1 11 Tf 430 {y} Td (Lead {r}) Tj ET "
        ));
        expected.push(format!(
            "Recommendation {r} first\nand second line\nAction for row {r}\nLead {r}"
        ));
    }
    let mut b = Builder::new();
    b.page(&c, fonts(vec![("F1", helvetica("Helvetica"))]));
    let d = run(&b.finish());
    // One aligned table: each row's cells in turn, a wrapped cell whole.
    assert_eq!(d.pages[0].blocks.len(), 1);
    let t = d.pages[0].blocks[0]
        .table
        .as_ref()
        .expect("an aligned table");
    assert_eq!(
        (t.source, t.columns, t.rows.len()),
        (TableSource::Aligned, 3, 6)
    );
    assert_eq!(d.plain_text(), format!("{}\n", expected.join("\n")));
}

#[test]
fn page_limit_reads_the_first_pages_with_a_warning() {
    let mut b = Builder::new();
    for i in 1..=3 {
        b.page(
            &format!("BT /F1 11 Tf 72 700 Td (Fictional page {i}.) Tj ET"),
            fonts(vec![("F1", helvetica("Helvetica"))]),
        );
    }
    let limits = Limits {
        max_pages: 2,
        ..Limits::default()
    };
    let d = extract("f.pdf", &b.finish(), &limits).expect("extract");
    assert_eq!(d.pages.len(), 2);
    assert_eq!(
        d.plain_text(),
        "Fictional page 1.\n\u{c}Fictional page 2.\n"
    );
    assert_eq!(d.warnings[0].message, "3 pages: only the first 2 were read");
}

#[test]
fn stream_byte_limit_skips_the_page_with_a_warning() {
    let mut b = Builder::new();
    b.page(
        "BT /F1 11 Tf 72 700 Td (A page whose content is longer than the limit.) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let limits = Limits {
        max_stream_bytes: 16,
        ..Limits::default()
    };
    let d = extract("f.pdf", &b.finish(), &limits).expect("extract");
    assert_eq!(d.pages.len(), 1);
    assert!(d.pages[0].blocks.is_empty());
    assert_eq!(d.warnings.len(), 1);
    assert_eq!(d.warnings[0].page, Some(1));
}

#[test]
fn actual_text_replaces_the_glyphs() {
    let mut b = Builder::new();
    b.page(
        "BT /F1 11 Tf 72 700 Td (The ) Tj /Span << /ActualText (\\376\\377\\000o\\000f\\000f\\000i\\000c\\000e) >> BDC (o\\002ce) Tj EMC ( was open.) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "The office was open.\n");
}

#[test]
fn actual_text_space_is_a_word_break() {
    // A glyph shown under `/ActualText ( )` stands for a space.
    let mut b = Builder::new();
    b.page(
        "BT /F1 12 Tf 72 700 Td (Review date: June) Tj /Span <</ActualText ( )>> BDC (x) Tj EMC (25, 2099) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "Review date: June 25, 2099\n");
}

#[test]
fn actual_text_keeps_surrounding_spaces() {
    let mut b = Builder::new();
    b.page(
        "BT /F1 12 Tf 72 700 Td (Safe) Tj /Span <</ActualText ( and )>> BDC (x) Tj EMC (well) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "Safe and well\n");
}

#[test]
fn table_of_figures_is_read_row_by_row() {
    // Labels, then each column of figures, drawn column by column (as
    // filings do); rows are tight, with no paragraph gaps between them.
    let rows = [
        ("Fictional service one", "1,234", "(56)"),
        ("Fictional service two", "789", "12%"),
        ("Fictional service three", "$ 4,321", "(7)%"),
        ("Fictional total", "$ 6,344", "-"),
    ];
    let mut c = String::from("BT /F1 10 Tf ");
    for (x, col) in [(72, 0), (300, 1), (400, 2)] {
        for (i, r) in rows.iter().enumerate() {
            let y = 700 - 12 * i as i32;
            let t = [r.0, r.1, r.2][col];
            c.push_str(&format!("1 0 0 1 {x} {y} Tm ({t}) Tj "));
        }
    }
    c.push_str("ET");
    let mut b = Builder::new();
    b.page(&c, fonts(vec![("F1", helvetica("Helvetica"))]));
    let text = run(&b.finish()).plain_text();
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let expected: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {} {}", r.0, r.1, r.2))
        .collect();
    assert_eq!(lines, expected, "{text}");
}

#[test]
fn gap_of_half_a_space_breaks_words() {
    // Helvetica's space is 0.278 em: a 0.145 em gap (over half a space) is a
    // break, a 0.1 em kern is not.
    let mut b = Builder::new();
    b.page(
        "BT /F1 10 Tf 72 700 Td [(Net change \\(9)-145(\\))] TJ 0 -14 Td [(Net change \\(9)-100(\\))] TJ ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let d = run(&b.finish());
    assert_eq!(d.plain_text(), "Net change (9 )\nNet change (9)\n");
}

#[test]
fn object_streams_lose_their_structure_elements() {
    let bodies: [&[u8]; 3] = [
        b"<</Type/StructElem/S/P/P 9 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Type /StructElem /S /Span>>",
    ];
    let mut head = String::new();
    let mut off = 0;
    for (k, body) in bodies.iter().enumerate() {
        head.push_str(&format!("{} {off} ", 20 + k));
        off += body.len();
    }
    let mut content = head.clone().into_bytes();
    for body in bodies {
        content.extend_from_slice(body);
    }
    let dict = dictionary! {
        "Type" => "ObjStm",
        "N" => 3,
        "First" => head.len() as i64,
    };
    let mut obj = Object::Stream(Stream::new(dict, content));
    skip_struct_elems((30, 0), &mut obj).expect("kept: a font is in it");
    // A top-level object is changed in place (lopdf keeps `obj`).
    let st = obj.as_stream().expect("stream");
    let plain = st.get_plain_content().expect("content");
    let first = st
        .dict
        .get(b"First")
        .and_then(Object::as_i64)
        .expect("First") as usize;
    assert_eq!(st.dict.get(b"N").and_then(Object::as_i64).ok(), Some(1));
    assert_eq!(&plain[..first], b"21 0 \n");
    assert_eq!(&plain[first..], bodies[1]);

    // Only structure elements: the stream is dropped; a plain StructElem
    // dictionary is dropped; anything else passes unchanged.
    let only = format!("20 0 {}", std::str::from_utf8(bodies[0]).unwrap_or(""));
    let dict = dictionary! { "Type" => "ObjStm", "N" => 1, "First" => 5 };
    let mut obj = Object::Stream(Stream::new(dict, only.into_bytes()));
    assert!(skip_struct_elems((31, 0), &mut obj).is_none());
    let mut elem = Object::Dictionary(dictionary! { "Type" => "StructElem", "S" => "P" });
    assert!(skip_struct_elems((32, 0), &mut elem).is_none());
    let mut other = Object::Dictionary(dictionary! { "Type" => "StructElemX" });
    assert!(skip_struct_elems((33, 0), &mut other).is_some());
    assert!(!is_struct_elem(b"<</Type/StructElements>>"));
}

#[test]
fn tagged_pdf_pages_still_read_with_struct_tree() {
    // A fictional tagged page: the structure tree is skipped, text stays.
    let mut b = Builder::new();
    b.page(
        "/P <</MCID 0>> BDC BT /F1 12 Tf 72 700 Td (Fictional tagged text) Tj ET EMC",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let bytes = b.finish_with(|doc| {
        let root = doc.new_object_id();
        let elem = doc.add_object(dictionary! {
            "Type" => "StructElem", "S" => "P", "P" => root, "K" => 0,
        });
        doc.objects.insert(
            root,
            Object::Dictionary(dictionary! { "Type" => "StructTreeRoot", "K" => elem }),
        );
        if let Ok(cat) = doc.catalog_mut() {
            cat.set("StructTreeRoot", root);
        }
    });
    assert_eq!(run(&bytes).plain_text(), "Fictional tagged text\n");
}

#[test]
fn object_streams_survive_the_struct_elem_filter() {
    // A fictional tagged document saved with object streams: the catalog,
    // page tree and fonts are members of object streams next to the
    // structure elements. The filtered load must keep them (lopdf keeps the
    // filter's returned object for members) and drop only the structure.
    let mut b = Builder::new();
    b.page(
        "/P <</MCID 0>> BDC BT /F1 12 Tf 72 700 Td (Fictional compressed text) Tj ET EMC",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    b.page(
        "BT /F1 12 Tf 72 700 Td (Second fictional page) Tj ET",
        fonts(vec![("F1", helvetica("Helvetica"))]),
    );
    let mut doc = None;
    b.finish_with(|d| {
        let root = d.new_object_id();
        let mut kids = Vec::new();
        for k in 0..40 {
            kids.push(Object::Reference(d.add_object(dictionary! {
                "Type" => "StructElem", "S" => "P", "P" => root, "K" => k,
            })));
        }
        d.objects.insert(
            root,
            Object::Dictionary(dictionary! { "Type" => "StructTreeRoot", "K" => kids }),
        );
        if let Ok(cat) = d.catalog_mut() {
            cat.set("StructTreeRoot", root);
        }
        doc = Some(d.clone());
    });
    let mut doc = doc.expect("document");
    let mut bytes = Vec::new();
    doc.save_modern(&mut bytes)
        .expect("save with object streams");
    assert!(
        bytes.windows(7).any(|w| w == b"/ObjStm"),
        "object streams used"
    );
    let options = lopdf::LoadOptions {
        filter: Some(skip_struct_elems),
        ..Default::default()
    };
    let loaded = lopdf::Document::load_mem_with_options(&bytes, options).expect("load");
    assert_eq!(loaded.get_pages().len(), 2);
    assert!(loaded.catalog().is_ok());
    assert!(
        !loaded
            .objects
            .values()
            .any(|o| o.as_dict().is_ok_and(|d| d.has_type(b"StructElem"))),
        "structure elements dropped"
    );
    assert_eq!(
        run(&bytes).plain_text(),
        "Fictional compressed text\n\u{c}Second fictional page\n"
    );
}

/// Content of a ruled grid: horizontal rules at `ys`, vertical at `xs`,
/// drawn as strokes (`stroke`) or as thin filled rectangles.
fn grid_content(xs: &[f32], ys: &[f32], stroke: bool) -> String {
    let (x0, x1) = (xs[0], xs[xs.len() - 1]);
    let (y0, y1) = (ys[ys.len() - 1], ys[0]);
    let mut c = String::from("q 0.5 w 0 0 0 RG 0 0 0 rg ");
    for &y in ys {
        if stroke {
            c.push_str(&format!("{x0} {y} m {x1} {y} l S "));
        } else {
            c.push_str(&format!("{x0} {} {} 0.6 re f ", y - 0.3, x1 - x0));
        }
    }
    for &x in xs {
        if stroke {
            c.push_str(&format!("{x} {y0} m {x} {y1} l S "));
        } else {
            c.push_str(&format!("{} {y0} 0.6 {} re f ", x - 0.3, y1 - y0));
        }
    }
    // A clipping path is not a rule.
    c.push_str("0 0 595 842 re W n Q ");
    c
}

/// A fictional two-page action plan in a ruled table: the header row
/// (bold) repeated on page 2, row 2 cut by the page break, and text in
/// the middle column running close to the next column's rule.
pub(crate) fn ruled_action_plan_pdf() -> Vec<u8> {
    ruled_plan_pdf(true, true)
}

/// The two-page ruled action plan, its header row repeated on page 2 or
/// not (`repeat`), and row 2 cut by the page break or whole on page 1
/// (`cut`).
fn ruled_plan_pdf(repeat: bool, cut: bool) -> Vec<u8> {
    let xs = [72.0, 200.0, 380.0, 523.0];
    let text = |x: f32, y: f32, bold: bool, t: &str| {
        let f = if bold { "F2" } else { "F1" };
        format!("BT /{f} 11 Tf {x} {y} Td ({t}) Tj ET ")
    };
    let header = |y: f32| {
        text(75.0, y, true, "Recommendation")
            + &text(203.0, y, true, "Action")
            + &text(383.0, y, true, "Lead agency")
    };
    let mut p1 = text(72.0, 760.0, true, "Appendix A: Action Plan");
    p1.push_str(&grid_content(&xs, &[700.0, 680.0, 630.0, 560.0], true));
    p1.push_str(&header(686.0));
    p1.push_str(&text(75.0, 666.0, false, "1. Glanmor CSP should"));
    p1.push_str(&text(75.0, 653.0, false, "train all staff."));
    // Ends about 4 points before the rule at x = 380, the next cell 3 after.
    p1.push_str(
        "BT /F1 11 Tf 236 666 Td (Commission fictional training) Tj 147 0 Td (Glanmor CSP) Tj ET ",
    );
    p1.push_str(&text(75.0, 616.0, false, "2. Glanmor Police should"));
    p1.push_str(&text(75.0, 603.0, false, "audit DASH forms and"));
    if !cut {
        p1.push_str(&text(75.0, 590.0, false, "report to the CSP."));
    }
    p1.push_str(&text(203.0, 616.0, false, "Amend the procedure."));
    p1.push_str(&text(383.0, 616.0, false, "Glanmor Police"));
    // Page 2: the rows' boundaries from the top, then their text.
    let mut ys = vec![780.0];
    let mut p2 = String::new();
    let mut top = 780.0;
    if repeat {
        p2.push_str(&header(top - 14.0));
        top -= 20.0;
        ys.push(top);
    }
    if cut {
        p2.push_str(&text(75.0, top - 14.0, false, "report to the CSP."));
        top -= 30.0;
        ys.push(top);
    }
    p2.push_str(&text(75.0, top - 14.0, false, "3. The Home Office"));
    p2.push_str(&text(75.0, top - 27.0, false, "should publish guidance."));
    p2.push_str(&text(203.0, top - 14.0, false, "Write to the Home Office."));
    p2.push_str(&text(383.0, top - 14.0, false, "Glanmor CSP"));
    ys.push(top - 50.0);
    p2.insert_str(0, &grid_content(&xs, &ys, false));
    p2.push_str(&text(72.0, 600.0, false, "Text after the fictional table."));
    let f = || {
        fonts(vec![
            ("F1", helvetica("Helvetica")),
            ("F2", helvetica("Helvetica-Bold")),
        ])
    };
    let mut b = Builder::new();
    b.page(&p1, f());
    b.page(&p2, f());
    b.finish()
}

fn cell_texts(t: &Table) -> Vec<Vec<String>> {
    t.rows
        .iter()
        .map(|r| {
            r.cells
                .iter()
                .map(|c| {
                    c.lines
                        .iter()
                        .map(|l| l.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" / ")
                })
                .collect()
        })
        .collect()
}

#[test]
fn ruled_table_over_two_pages() {
    let d = run(&ruled_action_plan_pdf());
    let p1 = &d.pages[0];
    assert_eq!(p1.blocks.len(), 2, "{:#?}", p1.blocks);
    assert_eq!(p1.blocks[0].text(), "Appendix A: Action Plan");
    let t1 = p1.blocks[1].table.as_ref().expect("a table on page 1");
    assert_eq!(
        (t1.source, t1.columns, t1.continues),
        (TableSource::Ruled, 3, false)
    );
    assert_eq!(
        cell_texts(t1),
        vec![
            vec!["Recommendation", "Action", "Lead agency"],
            vec![
                "1. Glanmor CSP should / train all staff.",
                "Commission fictional training",
                "Glanmor CSP"
            ],
            vec![
                "2. Glanmor Police should / audit DASH forms and",
                "Amend the procedure.",
                "Glanmor Police"
            ],
        ]
    );
    let kinds: Vec<RowKind> = t1.rows.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, vec![RowKind::Header, RowKind::Data, RowKind::Data]);
    // The block's lines read each wrapped cell whole, never across.
    assert_eq!(
        p1.blocks[1].text(),
        "Recommendation Action Lead agency\n1. Glanmor CSP should\ntrain all staff.\n\
         Commission fictional training\nGlanmor CSP\n2. Glanmor Police should\n\
         audit DASH forms and\nAmend the procedure.\nGlanmor Police"
    );
    let p2 = &d.pages[1];
    assert_eq!(p2.blocks.len(), 2, "{:#?}", p2.blocks);
    let t2 = p2.blocks[0].table.as_ref().expect("a table on page 2");
    assert!(t2.continues);
    let kinds: Vec<(RowKind, bool)> = t2.rows.iter().map(|r| (r.kind, r.continued)).collect();
    assert_eq!(
        kinds,
        vec![
            (RowKind::RepeatedHeader, false),
            (RowKind::Data, true),
            (RowKind::Data, false)
        ]
    );
    assert_eq!(
        cell_texts(t2),
        vec![
            vec!["Recommendation", "Action", "Lead agency"],
            vec!["report to the CSP.", "", ""],
            vec![
                "3. The Home Office / should publish guidance.",
                "Write to the Home Office.",
                "Glanmor CSP"
            ],
        ]
    );
    assert_eq!(p2.blocks[1].text(), "Text after the fictional table.");
}

/// Page 2's table of [`ruled_plan_pdf`]: (kind, continued) of its rows
/// and the first cell of each.
fn page_two_rows(repeat: bool, cut: bool) -> (bool, Vec<(RowKind, bool, String)>) {
    let d = run(&ruled_plan_pdf(repeat, cut));
    let t = d.pages[1].blocks[0]
        .table
        .as_ref()
        .expect("a table on page 2");
    let first = cell_texts(t).into_iter().map(|r| r[0].clone());
    let rows = t
        .rows
        .iter()
        .zip(first)
        .map(|(r, c)| (r.kind, r.continued, c))
        .collect();
    (t.continues, rows)
}

#[test]
fn ruled_table_over_two_pages_without_its_header_repeated() {
    let (continues, rows) = page_two_rows(false, true);
    assert!(continues);
    assert_eq!(
        rows,
        vec![
            (RowKind::Data, true, "report to the CSP.".into()),
            (
                RowKind::Data,
                false,
                "3. The Home Office / should publish guidance.".into()
            ),
        ]
    );
    // Page 1's header stays the header.
    let d = run(&ruled_plan_pdf(false, true));
    let t1 = d.pages[0].blocks[1]
        .table
        .as_ref()
        .expect("a table on page 1");
    assert_eq!(t1.rows[0].kind, RowKind::Header);
}

#[test]
fn ruled_table_over_two_pages_with_no_row_cut() {
    // A new numbered row at the top of page 2 goes on with the table
    // without joining the last row of page 1, header repeated or not.
    for repeat in [true, false] {
        let (continues, rows) = page_two_rows(repeat, false);
        assert!(continues, "repeat: {repeat}");
        let mut want = vec![(
            RowKind::Data,
            false,
            "3. The Home Office / should publish guidance.".into(),
        )];
        if repeat {
            want.insert(0, (RowKind::RepeatedHeader, false, "Recommendation".into()));
        }
        assert_eq!(rows, want, "repeat: {repeat}");
    }
}

#[test]
fn a_form_box_around_a_table_leaves_its_heading_and_paragraphs_as_text() {
    // A form's box: a shaded heading row and a row of paragraphs across
    // the box, then a table of three columns inside it (its rules touch
    // the box's, so the lines make one grid).
    let mut c = String::from("q 0.9 g 72 700 451 20 re f Q ");
    c.push_str("q 0.5 w 0 0 0 RG 72 720 m 523 720 l S 72 700 m 523 700 l S ");
    c.push_str("72 620 m 523 620 l S 72 600 m 523 600 l S 72 580 m 523 580 l S ");
    c.push_str("72 560 m 523 560 l S 72 720 m 72 560 l S 523 720 m 523 560 l S ");
    c.push_str("100 620 m 100 560 l S 300 620 m 300 560 l S Q ");
    c.push_str("BT /F2 11 Tf 75 706 Td (Fictional review process) Tj ET ");
    c.push_str("BT /F1 11 Tf 14 TL 75 686 Td (A fictional panel met four times.) Tj T* (It heard from the family.) Tj ET ");
    c.push_str("BT /F1 11 Tf 75 640 Td (The panel members are below.) Tj ET ");
    for (k, (role, agency)) in [
        ("Member (role)", "Agency"),
        ("Chair", "Glanmor Police"),
        ("Nurse", "Aberwen Health Board"),
    ]
    .iter()
    .enumerate()
    {
        let y = 606 - 20 * k;
        c.push_str(&format!(
            "BT /F1 11 Tf 103 {y} Td ({role}) Tj ET BT /F1 11 Tf 303 {y} Td ({agency}) Tj ET "
        ));
    }
    let mut b = Builder::new();
    b.page(
        &c,
        fonts(vec![
            ("F1", helvetica("Helvetica")),
            ("F2", helvetica("Helvetica-Bold")),
        ]),
    );
    let d = run(&b.finish());
    let blocks = &d.pages[0].blocks;
    let tables: Vec<&Table> = blocks.iter().filter_map(|b| b.table.as_ref()).collect();
    assert_eq!(tables.len(), 1, "{blocks:#?}");
    assert_eq!(
        cell_texts(tables[0]),
        vec![
            vec!["", "Member (role)", "Agency"],
            vec!["", "Chair", "Glanmor Police"],
            vec!["", "Nurse", "Aberwen Health Board"],
        ]
    );
    let text = d.plain_text();
    let heading = text
        .find("Fictional review process")
        .expect("the heading as text");
    let para = text
        .find("It heard from the family.")
        .expect("the paragraphs");
    let row = text.find("Glanmor Police").expect("the rows");
    assert!(heading < para && para < row, "{text}");
    assert!(
        blocks
            .iter()
            .any(|b| b.table.is_none() && b.text() == "Fictional review process")
    );
}

#[test]
fn a_box_around_text_is_not_a_table() {
    // A one-column ruled box (a case study) and a two-column form whose
    // second column holds paragraphs are read as before.
    let mut c = grid_content(&[72.0, 523.0], &[700.0, 600.0], true);
    c.push_str("BT /F1 11 Tf 80 680 Td (A fictional case study in a box.) Tj ET ");
    c.push_str(&grid_content(
        &[72.0, 100.0, 523.0],
        &[500.0, 400.0, 200.0],
        true,
    ));
    c.push_str("BT /F1 11 Tf 80 480 Td (1) Tj ET BT /F1 11 Tf 110 480 Td (CORONER) Tj ET ");
    c.push_str("BT /F1 11 Tf 80 380 Td (2) Tj ET ");
    c.push_str("BT /F1 11 Tf 14 TL 110 380 Td (First paragraph of the box.) Tj T* (Its second line.) Tj ET ");
    c.push_str("BT /F1 11 Tf 110 330 Td (A second paragraph after a gap.) Tj ET ");
    let mut b = Builder::new();
    b.page(&c, fonts(vec![("F1", helvetica("Helvetica"))]));
    let d = run(&b.finish());
    assert!(d.pages[0].blocks.iter().all(|b| b.table.is_none()));
    let text = d.plain_text();
    for t in [
        "case study in a box.",
        "CORONER",
        "Its second line.",
        "after a gap.",
    ] {
        assert!(text.contains(t), "{t:?} in {text:?}");
    }
}
