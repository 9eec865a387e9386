//! Extract: turns input bytes (PDF, plain text, Markdown, Word) into pages of
//! positioned text lines ([`ExtractedDoc`]).
//!
//! PDF: lopdf parses and decompresses; [`pdf`] interprets the content
//! streams into glyphs (fonts decoded by [`font`], [`cmap`], [`glyphs`]);
//! [`layout`] builds words, lines, blocks and reading order; this module
//! removes running headers/footers and page numbers (repetition across
//! pages), sets page labels, and collects warnings. Pages are processed in
//! parallel (rayon); fonts are decoded once per document. Text/Markdown:
//! [`text`]. Word (`.docx`): [`docx`], through Markdown. [`word_f1`] measures agreement with a reference text.

pub mod aligned;
pub mod cmap;
pub mod docx;
pub mod font;
pub mod glyphs;
pub mod grid;
pub mod layout;
pub mod lexer;
pub mod paths;
pub mod pdf;
pub mod table;
pub mod text;

use crate::model::*;
use rayon::prelude::*;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Limits that keep one hostile document from taking the machine down.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Max decompressed bytes of all content streams of one page.
    pub max_stream_bytes: usize,
    /// Max content-stream operators interpreted per page.
    pub max_ops_per_page: usize,
    /// Max pages read from one document.
    pub max_pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_stream_bytes: 64 << 20,
            max_ops_per_page: 2_000_000,
            max_pages: 5_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("not a PDF: {0}")]
    NotPdf(String),
    #[error("cannot parse PDF: {0}")]
    Parse(String),
    #[error("the PDF is encrypted and cannot be opened without a password")]
    Encrypted,
    #[error("no text: {0}")]
    NoText(String),
    #[error("the file is empty")]
    Empty,
}

fn extension(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    match name.rsplit_once('.') {
        Some((_, ext)) => ext.to_ascii_lowercase(),
        None => String::new(),
    }
}

/// Extract a document from its bytes. `file` is the path as walked, used
/// for the format (by extension, then by sniffing) and in messages.
pub fn extract(file: &str, bytes: &[u8], limits: &Limits) -> Result<ExtractedDoc, ExtractError> {
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    let head = &bytes[..bytes.len().min(1024)];
    let is_pdf_magic = head.windows(5).any(|w| w == b"%PDF-");
    match extension(file).as_str() {
        "pdf" => {
            if !is_pdf_magic {
                return Err(ExtractError::NotPdf(format!("{file}: no %PDF- header")));
            }
            extract_pdf(file, bytes, limits)
        }
        _ if is_pdf_magic => extract_pdf(file, bytes, limits),
        "md" | "markdown" => text::load(file, bytes, SourceFormat::Markdown),
        "docx" => docx::load(file, bytes, limits),
        "txt" | "text" => text::load(file, bytes, SourceFormat::Text),
        _ => {
            // Unknown extension: accept text that is mostly printable.
            let sample = &bytes[..bytes.len().min(4096)];
            let binary = sample
                .iter()
                .filter(|&&b| b < 0x09 || (0x0e..0x20).contains(&b) && b != 0x0c)
                .count();
            if binary * 20 > sample.len() {
                Err(ExtractError::NotPdf(format!(
                    "{file}: unknown binary format"
                )))
            } else {
                text::load(file, bytes, SourceFormat::Text)
            }
        }
    }
}

fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = e.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".into()
    }
}

fn extract_pdf(file: &str, bytes: &[u8], limits: &Limits) -> Result<ExtractedDoc, ExtractError> {
    let load = |filter: Option<lopdf::FilterFunc>| {
        let options = lopdf::LoadOptions {
            max_decompressed_size: Some(limits.max_stream_bytes.max(1 << 20)),
            filter,
            ..Default::default()
        };
        catch_unwind(AssertUnwindSafe(|| {
            lopdf::Document::load_mem_with_options(bytes, options)
        }))
        .map_err(|e| ExtractError::Parse(format!("parser failure: {}", panic_message(&*e))))
    };
    // Leave the structure tree out (tagged filings hold tens of thousands
    // of StructElem objects, most of the parse time, none of the text);
    // load again in full if that leaves no pages (a damaged page tree that
    // only lopdf's unfiltered repair path recovers).
    let loaded = match load(Some(skip_struct_elems))? {
        Ok(d) if !d.get_pages().is_empty() => Ok(d),
        _ => load(None)?,
    };
    let doc = match loaded {
        Ok(d) => d,
        Err(e) => {
            let msg = e.to_string();
            let lower = msg.to_ascii_lowercase();
            if lower.contains("password") || lower.contains("decrypt") || lower.contains("encrypt")
            {
                return Err(ExtractError::Encrypted);
            }
            return Err(ExtractError::Parse(msg));
        }
    };
    if doc.is_encrypted() {
        return Err(ExtractError::Encrypted);
    }
    let mut warnings: Vec<Warning> = Vec::new();
    let all_pages: Vec<lopdf::ObjectId> = doc.get_pages().into_values().collect();
    if all_pages.is_empty() {
        return Err(ExtractError::NoText(format!(
            "{file}: the PDF has no pages"
        )));
    }
    if all_pages.len() > limits.max_pages {
        warnings.push(Warning {
            page: None,
            message: format!(
                "{} pages: only the first {} were read",
                all_pages.len(),
                limits.max_pages
            ),
        });
    }
    let page_ids: Vec<_> = all_pages.into_iter().take(limits.max_pages).collect();
    let cache = pdf::FontCache::default();
    let results: Vec<(Page, Vec<Warning>, HashMap<String, usize>)> = page_ids
        .par_iter()
        .enumerate()
        .map(|(i, &id)| {
            let number = i as u32 + 1;
            match catch_unwind(AssertUnwindSafe(|| {
                process_page(&doc, id, number, &cache, limits)
            })) {
                Ok(r) => r,
                Err(e) => (
                    empty_page(number),
                    vec![Warning {
                        page: Some(number),
                        message: format!("page could not be read: {}", panic_message(&*e)),
                    }],
                    HashMap::new(),
                ),
            }
        })
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    let mut unmapped: HashMap<String, usize> = HashMap::new();
    for (p, w, u) in results {
        pages.push(p);
        warnings.extend(w);
        for (k, v) in u {
            *unmapped.entry(k).or_default() += v;
        }
    }
    let mut fonts: Vec<_> = unmapped.into_iter().collect();
    fonts.sort();
    for (name, n) in fonts {
        warnings.push(Warning {
            page: None,
            message: format!(
                "font {:?}: {n} glyphs have no Unicode mapping (dropped)",
                if name.is_empty() { "(unnamed)" } else { &name }
            ),
        });
    }
    remove_furniture(&mut pages);
    let vocab = layout::vocabulary(pages.iter().flat_map(|p| p.blocks.iter()));
    for p in &mut pages {
        for b in &mut p.blocks {
            join_hyphens(b, &vocab);
        }
        p.blocks.retain(|b| !b.lines.is_empty());
    }
    table::link_pages(&mut pages);
    let labels = page_labels(&doc, pages.len());
    for (p, l) in pages.iter_mut().zip(labels) {
        if l.is_some() {
            p.label = l;
        }
    }
    warnings.sort();
    Ok(ExtractedDoc {
        file: file.to_string(),
        sha256: sha256_hex(bytes),
        format: SourceFormat::Pdf,
        meta: metadata(&doc),
        pages,
        warnings,
    })
}

/// True when `body` (one object's bytes) is a structure element: its
/// `/Type` is `/StructElem`.
fn is_struct_elem(body: &[u8]) -> bool {
    const NAME: &[u8] = b"/StructElem";
    body.windows(NAME.len()).enumerate().any(|(i, w)| {
        w == NAME
            && body
                .get(i + NAME.len())
                .is_none_or(|c| !c.is_ascii_alphanumeric())
    })
}

/// Upper bound for an object stream decoded by [`skip_struct_elems`].
const MAX_OBJSTM_BYTES: usize = 64 << 20;

/// Load filter: drops structure elements (`/Type /StructElem`), which
/// text extraction never reads, before lopdf parses them. An object stream
/// is decoded here once and rewritten without its structure elements
/// (dropped when only those are in it); anything unexpected is passed on
/// unchanged.
///
/// lopdf calls a filter in two ways: for an object at the top level it
/// keeps the object it passed in (`obj`, changed in place) and ignores the
/// returned one; for a member of an object stream it keeps the returned
/// one. So a stream (always top level) is changed in place and a dictionary
/// or other object is returned as a copy, which works for both.
fn skip_struct_elems(
    id: lopdf::ObjectId,
    obj: &mut lopdf::Object,
) -> Option<(lopdf::ObjectId, lopdf::Object)> {
    match obj {
        lopdf::Object::Dictionary(d) if d.has_type(b"StructElem") => None,
        lopdf::Object::Stream(st) => {
            if st.dict.has_type(b"ObjStm")
                && !st.content.is_empty()
                // Decoded once here; lopdf then reads the plain content
                // instead of inflating the stream a second time.
                && let Ok(content) = st.get_plain_content_with_limit(MAX_OBJSTM_BYTES)
            {
                match without_struct_elems(&content, &st.dict) {
                    Some(None) => return None,
                    Some(Some((rewritten, first, n))) => {
                        st.dict.set("First", first as i64);
                        st.dict.set("N", n as i64);
                        st.set_plain_content(rewritten);
                    }
                    None => st.set_plain_content(content),
                }
            }
            Some((id, lopdf::Object::Null))
        }
        _ => Some((id, obj.clone())),
    }
}

/// An object stream's decoded `content` without its structure elements:
/// `None` when it cannot be cut apart or has none (keep it as it is),
/// `Some(None)` when nothing else is left, else the new content with its
/// `/First` and `/N`.
#[allow(clippy::type_complexity)]
fn without_struct_elems(
    content: &[u8],
    dict: &lopdf::Dictionary,
) -> Option<Option<(Vec<u8>, usize, usize)>> {
    let first = usize::try_from(dict.get(b"First").ok()?.as_i64().ok()?).ok()?;
    let header = std::str::from_utf8(content.get(..first)?).ok()?;
    let nums: Vec<usize> = header
        .split_ascii_whitespace()
        .map(|t| t.parse().ok())
        .collect::<Option<_>>()?;
    if !nums.len().is_multiple_of(2) || nums.is_empty() {
        return None;
    }
    let pairs: Vec<(usize, usize)> = nums.chunks(2).map(|c| (c[0], c[1])).collect();
    // Offsets must increase for the bodies to be cut apart.
    if pairs.windows(2).any(|w| w[1].1 < w[0].1) {
        return None;
    }
    let mut kept: Vec<(usize, &[u8])> = Vec::with_capacity(pairs.len());
    for (k, &(num, off)) in pairs.iter().enumerate() {
        let start = first.checked_add(off)?;
        let end = match pairs.get(k + 1) {
            Some(&(_, next)) => first.checked_add(next)?,
            None => content.len(),
        };
        let body = content.get(start..end)?;
        if !is_struct_elem(body) {
            kept.push((num, body));
        }
    }
    if kept.len() == pairs.len() {
        return None;
    }
    if kept.is_empty() {
        return Some(None);
    }
    let mut head = String::new();
    let mut off = 0usize;
    for (num, body) in &kept {
        head.push_str(&format!("{num} {off} "));
        off += body.len();
    }
    head.push('\n');
    let mut out = Vec::with_capacity(head.len() + off);
    out.extend_from_slice(head.as_bytes());
    for (_, body) in &kept {
        out.extend_from_slice(body);
    }
    Some(Some((out, head.len(), kept.len())))
}

fn empty_page(number: u32) -> Page {
    Page {
        number,
        label: None,
        width: 0.0,
        height: 0.0,
        blocks: Vec::new(),
        header: Vec::new(),
        footer: Vec::new(),
        needs_ocr: false,
    }
}

fn process_page(
    doc: &lopdf::Document,
    id: lopdf::ObjectId,
    number: u32,
    cache: &pdf::FontCache,
    limits: &Limits,
) -> (Page, Vec<Warning>, HashMap<String, usize>) {
    let raw = pdf::Interp::page(doc, id, cache, limits);
    let mut warnings: Vec<Warning> = raw
        .warnings
        .iter()
        .map(|m| Warning {
            page: Some(number),
            message: m.clone(),
        })
        .collect();
    let blocks = layout::blocks(table::page_pieces(&raw));
    // No text but an image; or a page-sized image with only a few
    // characters on it (a scan with a stamped page number or header).
    let text_chars: usize = raw
        .glyphs
        .iter()
        .filter(|g| !g.space)
        .map(|g| g.len as usize)
        .sum();
    let page_area = (raw.width * raw.height).abs();
    let big_image = page_area > 0.0 && raw.image_area >= 0.5 * page_area;
    let needs_ocr = raw.has_image && (text_chars == 0 || (big_image && text_chars < 40));
    if needs_ocr {
        warnings.push(Warning {
            page: Some(number),
            message: format!("page {number} has no text layer (scanned?): needs OCR"),
        });
    }
    let page = Page {
        number,
        label: None,
        width: raw.width,
        height: raw.height,
        blocks,
        header: Vec::new(),
        footer: Vec::new(),
        needs_ocr,
    };
    (page, warnings, raw.unmapped)
}

/// Key for repetition: lower-case, digits folded, whitespace collapsed.
fn furniture_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_digit = false;
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in w.chars() {
            if c.is_ascii_digit() {
                if !last_digit {
                    out.push('#');
                }
                last_digit = true;
            } else {
                last_digit = false;
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// A lone page number: "12", "Page 3", "Page 3 of 40", "3 / 40", "- 3 -", "iv".
/// Returns the printed number.
pub fn page_number(s: &str) -> Option<String> {
    let t = s.trim().trim_matches(['-', '–', '—', ' ']).trim();
    let lower = t.to_lowercase().replace(['|', ':'], " ");
    let lower = lower.trim();
    // "3 | Page" (Word's page-number gallery).
    let lower = lower
        .strip_suffix("page")
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .unwrap_or(lower);
    let rest = lower
        .strip_prefix("page")
        .or_else(|| lower.strip_prefix("tudalen"))
        .map(str::trim)
        .unwrap_or(lower);
    let mut parts = rest.split_whitespace();
    let first = parts.next()?;
    let is_num = first.len() <= 4 && first.chars().all(|c| c.is_ascii_digit());
    let is_roman =
        first.len() <= 7 && rest == first && (1..=200).any(|v| roman(v).to_lowercase() == first);
    if !is_num && !is_roman {
        return None;
    }
    let tail: Vec<&str> = parts.collect();
    let tail_ok = match tail.as_slice() {
        [] => true,
        [of, n]
            if (*of == "of" || *of == "/" || *of == "o")
                && n.chars().all(|c| c.is_ascii_digit()) =>
        {
            true
        }
        [n] if n.starts_with('/') && n[1..].chars().all(|c| c.is_ascii_digit()) => true,
        _ => false,
    };
    tail_ok.then(|| first.to_string())
}

/// [`layout::join_hyphens`] on a block; in a table, cell by cell.
fn join_hyphens(b: &mut Block, vocab: &std::collections::HashSet<String>) {
    let Some(mut t) = b.table.take() else {
        layout::join_hyphens(b, vocab);
        return;
    };
    for c in t.rows.iter_mut().flat_map(|r| &mut r.cells) {
        let mut cell = Block::of_lines(std::mem::take(&mut c.lines));
        layout::join_hyphens(&mut cell, vocab);
        c.lines = cell.lines;
    }
    *b = table::refresh(t).unwrap_or_else(|| Block::of_lines(Vec::new()));
}

/// Move running headers/footers and page numbers out of the body. A
/// table is body text unless it lies wholly in the header or footer band
/// (a page header set as a table), when it is read as plain lines.
fn remove_furniture(pages: &mut [Page]) {
    const BAND: f32 = 0.12;
    for p in pages.iter_mut() {
        let h = p.height;
        for b in &mut p.blocks {
            let banded = h > 0.0 && (b.bbox.y0 >= h * (1.0 - BAND) || b.bbox.y1 <= h * BAND);
            if b.table.is_some() && banded {
                b.table = None;
            }
        }
    }
    let n = pages.len();
    // (key, is_top) → pages it appears on.
    let mut counts: HashMap<(String, bool), usize> = HashMap::new();
    let in_band = |p: &Page, l: &Line| -> Option<bool> {
        if p.height <= 0.0 {
            return None;
        }
        if l.bbox.y0 >= p.height * (1.0 - BAND) {
            Some(true)
        } else if l.bbox.y1 <= p.height * BAND {
            Some(false)
        } else {
            None
        }
    };
    for p in pages.iter() {
        let mut seen: Vec<(String, bool)> = Vec::new();
        for b in p.blocks.iter().filter(|b| b.table.is_none()) {
            for l in &b.lines {
                if let Some(top) = in_band(p, l) {
                    let k = (furniture_key(&l.text), top);
                    if !seen.contains(&k) {
                        seen.push(k);
                    }
                }
            }
        }
        for k in seen {
            *counts.entry(k).or_default() += 1;
        }
    }
    let threshold = n.div_ceil(2).max(2);
    for p in pages.iter_mut() {
        let mut header = Vec::new();
        let mut footer = Vec::new();
        let mut label = None;
        let height = p.height;
        for b in p.blocks.iter_mut().filter(|b| b.table.is_none()) {
            b.lines.retain(|l| {
                let band = if height <= 0.0 {
                    None
                } else if l.bbox.y0 >= height * (1.0 - BAND) {
                    Some(true)
                } else if l.bbox.y1 <= height * BAND {
                    Some(false)
                } else {
                    None
                };
                let Some(top) = band else { return true };
                let pn = page_number(&l.text);
                let repeated = n >= 3
                    && counts
                        .get(&(furniture_key(&l.text), top))
                        .is_some_and(|&c| c >= threshold);
                if pn.is_none() && !repeated {
                    return true;
                }
                if label.is_none() {
                    label = pn.clone();
                }
                if label.is_none() && repeated {
                    // "Review of X – Page 12": take a trailing page number.
                    let t = l.text.to_ascii_lowercase();
                    if let Some(i) = t.rfind("page ") {
                        label = l.text.get(i..).and_then(page_number);
                    }
                }
                if top {
                    header.push(l.text.clone());
                } else {
                    footer.push(l.text.clone());
                }
                false
            });
            if let Some(first) = b.lines.first() {
                let mut r = first.bbox;
                for l in &b.lines {
                    r = r.union(&l.bbox);
                }
                b.bbox = r;
            }
        }
        p.blocks.retain(|b| !b.lines.is_empty());
        p.header = header;
        p.footer = footer;
        p.label = label;
    }
}

/// Labels from the catalog's /PageLabels number tree.
fn page_labels(doc: &lopdf::Document, n: usize) -> Vec<Option<String>> {
    use font::{deref, get, get_dict};
    use lopdf::Object;
    let mut out = vec![None; n];
    let Ok(catalog) = doc.catalog() else {
        return out;
    };
    let Some(root) = get_dict(doc, catalog, b"PageLabels") else {
        return out;
    };
    let mut ranges: Vec<(usize, &lopdf::Dictionary)> = Vec::new();
    let mut stack = vec![(root, 0)];
    while let Some((node, depth)) = stack.pop() {
        if depth > 8 || ranges.len() > 10_000 {
            break;
        }
        if let Some(Object::Array(nums)) = get(doc, node, b"Nums") {
            for pair in nums.chunks(2) {
                if let [k, v] = pair
                    && let (Some(k), Object::Dictionary(d)) =
                        (font::num(deref(doc, k)), deref(doc, v))
                {
                    ranges.push((k.max(0.0) as usize, d));
                }
            }
        }
        if let Some(Object::Array(kids)) = get(doc, node, b"Kids") {
            for k in kids {
                if let Object::Dictionary(d) = deref(doc, k) {
                    stack.push((d, depth + 1));
                }
            }
        }
    }
    ranges.sort_by_key(|r| r.0);
    for (idx, (start, d)) in ranges.iter().enumerate() {
        let end = ranges.get(idx + 1).map_or(n, |r| r.0).min(n);
        let style = font::get_name(doc, d, b"S");
        let prefix = match get(doc, d, b"P") {
            Some(o @ Object::String(..)) => lopdf::decode_text_string(o).unwrap_or_default(),
            _ => String::new(),
        };
        let st = font::get_num(doc, d, b"St").unwrap_or(1.0).max(1.0) as u64;
        for (k, slot) in out.iter_mut().enumerate().take(end).skip(*start) {
            let v = st + (k - start) as u64;
            let body = match style {
                Some(b"D") => v.to_string(),
                Some(b"r") => roman(v).to_lowercase(),
                Some(b"R") => roman(v),
                Some(b"a") => alpha(v).to_lowercase(),
                Some(b"A") => alpha(v),
                _ => String::new(),
            };
            let label = format!("{prefix}{body}");
            if !label.is_empty() {
                *slot = Some(label);
            }
        }
    }
    out
}

/// `v` in upper-case Roman numerals (at most 10,000).
pub(crate) fn roman(mut v: u64) -> String {
    const T: [(u64, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    v = v.min(10_000);
    for (n, r) in T {
        while v >= n {
            s.push_str(r);
            v -= n;
        }
    }
    s
}

fn alpha(v: u64) -> String {
    let v = v.clamp(1, 1000);
    let c = (b'A' + ((v - 1) % 26) as u8) as char;
    std::iter::repeat_n(c, ((v - 1) / 26 + 1) as usize).collect()
}

fn metadata(doc: &lopdf::Document) -> SourceMeta {
    use lopdf::Object;
    let mut meta = SourceMeta::default();
    let info = match doc.trailer.get(b"Info").ok().map(|o| font::deref(doc, o)) {
        Some(Object::Dictionary(d)) => d,
        _ => return meta,
    };
    let text = |k: &[u8]| -> Option<String> {
        let o = font::get(doc, info, k)?;
        let s = lopdf::decode_text_string(o).ok()?;
        let s: String = s.chars().filter(|c| !c.is_control()).collect();
        let s = s.trim().to_string();
        (!s.is_empty()).then_some(s)
    };
    meta.title = text(b"Title");
    meta.author = text(b"Author");
    meta.subject = text(b"Subject");
    meta.producer = text(b"Producer");
    meta.year = text(b"CreationDate").and_then(|d| {
        let d = d.strip_prefix("D:").unwrap_or(&d);
        let y = d.get(..4)?;
        y.parse::<i32>().ok().filter(|y| (1970..=2100).contains(y))
    });
    meta
}

/// Normalise text for comparison: NFKC, whitespace collapsed.
pub fn normalize_for_compare(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let n: String = s.nfkc().collect();
    n.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Word-level F1 between a reference and a candidate text: both NFKC
/// normalised and split at whitespace, words compared as multisets.
/// 1.0 when both are empty.
pub fn word_f1(reference: &str, candidate: &str) -> f64 {
    let r = normalize_for_compare(reference);
    let c = normalize_for_compare(candidate);
    let mut counts: HashMap<&str, i64> = HashMap::new();
    let mut nr = 0usize;
    for w in r.split(' ').filter(|w| !w.is_empty()) {
        *counts.entry(w).or_default() += 1;
        nr += 1;
    }
    let mut nc = 0usize;
    let mut hit = 0usize;
    for w in c.split(' ').filter(|w| !w.is_empty()) {
        nc += 1;
        if let Some(k) = counts.get_mut(w)
            && *k > 0
        {
            *k -= 1;
            hit += 1;
        }
    }
    if nr == 0 && nc == 0 {
        return 1.0;
    }
    if nr == 0 || nc == 0 || hit == 0 {
        return 0.0;
    }
    let p = hit as f64 / nc as f64;
    let rc = hit as f64 / nr as f64;
    2.0 * p * rc / (p + rc)
}

#[cfg(test)]
pub(crate) mod tests;
