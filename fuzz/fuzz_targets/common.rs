//! Shared by the fuzz targets, and by `tests/fuzz_inputs.rs`, which
//! replays the seeds and regression inputs through the same bodies in the
//! normal test suite.

use std::sync::Once;
use ystorfa::extract::cmap::ToUnicode;
use ystorfa::extract::lexer::Lexer;
use ystorfa::extract::{Limits, extract};

/// The `extract_pdf` target: the whole extractor, then the segmenter.
#[allow(dead_code)]
pub fn extract_pdf(data: &[u8]) {
    if let Ok(doc) = extract("fuzz.pdf", data, &Limits::default()) {
        let _ = doc.plain_text();
        let rules = ystorfa::rules::RuleSet::default_rules();
        let _ = ystorfa::segment::segment(&doc, rules.anatomy());
    }
}

/// The `extract_docx` target: the Word reader (ZIP, XML, styles,
/// numbering, tables), then the segmenter.
#[allow(dead_code)]
pub fn extract_docx(data: &[u8]) {
    if let Ok(doc) = extract("fuzz.docx", data, &Limits::default()) {
        let _ = doc.plain_text();
        let rules = ystorfa::rules::RuleSet::default_rules();
        let _ = ystorfa::segment::segment(&doc, rules.anatomy());
    }
}

/// The `content_stream` target: the lexer alone (it must make progress),
/// then the bytes before the first NUL NUL as a page's content stream and
/// the bytes after it as the ToUnicode CMap of font F2.
#[allow(dead_code)]
pub fn content_stream(data: &[u8]) {
    let (content, cmap) = match data.windows(2).position(|w| w == [0, 0]) {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &b""[..]),
    };
    let mut lexer = Lexer::new(content);
    let mut ops = Vec::new();
    let mut n = 0usize;
    while lexer.next_op(&mut ops).is_some() {
        n += 1;
        // Every operator consumes at least one byte.
        assert!(n <= content.len(), "the lexer does not make progress");
    }
    let pdf = page_with_content(content, cmap);
    let _ = extract("fuzz.pdf", &pdf, &Limits::default());
}

/// The `to_unicode_cmap` target: parse, then look codes up.
#[allow(dead_code)]
pub fn to_unicode_cmap(data: &[u8]) {
    let cm = ToUnicode::parse(data);
    for len in 1..=4u8 {
        for code in [0u32, 1, 0x20, 0x41, 0xff, 0x100, 0xffff, 0x1_0000, u32::MAX] {
            let _ = cm.get(len, code);
        }
    }
}

/// libFuzzer's panic hook aborts on every panic, caught or not. lopdf is
/// known to panic on some malformed files; the extractor catches those
/// (`catch_unwind` around lopdf) and reports the document as unreadable,
/// which is the intended behaviour, so a panic raised inside lopdf is let
/// through to that handler. Any other panic (ystorfa's own code, or one
/// that escapes the extractor) still aborts and is a finding.
#[allow(dead_code)]
pub fn tolerate_caught_lopdf_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !in_lopdf(info) {
                abort_hook(info);
            }
        }));
    });
}

/// Whether a panic was raised in lopdf's source.
pub fn in_lopdf(info: &std::panic::PanicHookInfo<'_>) -> bool {
    info.location().is_some_and(|l| {
        let f = l.file().replace('\\', "/");
        f.contains("/lopdf-") || f.contains("/lopdf/")
    })
}

/// A one-page PDF whose page content stream is `content`, with a simple
/// font (F1, WinAnsi), a composite font with a ToUnicode CMap (F2) and a
/// Form XObject (X1) as resources, and correct xref offsets.
pub fn page_with_content(content: &[u8], cmap: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R /F2 6 0 R >> /XObject << /X1 9 0 R >> >> >>"
            .to_vec(),
        stream(b"", content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /FictionalSans /Encoding /Identity-H \
           /DescendantFonts [7 0 R] /ToUnicode 8 0 R >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /FictionalSans \
           /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
           /DW 500 /W [1 [600 600] 3 10 550] >>"
            .to_vec(),
        stream(b"", cmap),
        stream(
            b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> ",
            b"BT /F1 9 Tf 72 40 Td (Fictional footer) Tj ET",
        ),
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        let _ = writeln!(out, "{} 0 obj", i + 1);
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        let _ = writeln!(out, "{off:010} 00000 n ");
    }
    let _ = write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out
}

fn stream(dict: &[u8], data: &[u8]) -> Vec<u8> {
    let mut s = format!(
        "<< {} /Length {} >>\nstream\n",
        String::from_utf8_lossy(dict),
        data.len()
    )
    .into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}
