//! Word documents (`.docx`, Office Open XML): the body read into Markdown
//! and then loaded as Markdown is, so segmentation and recommendations work
//! on a Word file as on its other renderings.
//!
//! What is read from `word/document.xml`: paragraphs; a paragraph's style
//! (`word/styles.xml`: an outline level, or a style named "heading N" or
//! "Title", followed through `basedOn`) makes it a heading; Word's own list
//! numbering (`word/numbering.xml`: the level's format and text, counted as
//! Word counts) gives list items their markers ("1.", "2.3", "(a)", bullets);
//! tables become pipe tables (a merged cell spans its columns); a page break
//! Word rendered or was told to make starts a new page (pages are Word's as
//! it last laid the document out; without such breaks, one page). Footnotes
//! follow the body under "Notes". Headers, footers, comments, deleted
//! revisions and field codes are left out; a text box's paragraphs are read
//! once (not again from its fallback rendering).
//!
//! Untrusted input: each part is inflated to at most the page stream limit
//! (a zip bomb fails clearly), XML is read as a stream (no recursion, no
//! entity expansion, no external entities), and a file that is not a ZIP
//! archive with a `word/document.xml` is refused naming what it is not.

use super::{ExtractError, Limits, roman, text};
use crate::model::{ExtractedDoc, SourceFormat};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// Read a `.docx` file's bytes.
pub fn load(file: &str, bytes: &[u8], limits: &Limits) -> Result<ExtractedDoc, ExtractError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ExtractError::Parse(format!(
            "not a Word document (.docx is a ZIP archive; this is not one: {e}); an old .doc or \
             an encrypted document must be saved again as .docx"
        ))
    })?;
    let max = limits.max_stream_bytes as u64;
    let document = part(&mut zip, "word/document.xml", max)?.ok_or_else(|| {
        ExtractError::Parse("a ZIP archive without word/document.xml: not a Word document".into())
    })?;
    let styles = match part(&mut zip, "word/styles.xml", max)? {
        Some(xml) => Styles::read(&xml)?,
        None => Styles::default(),
    };
    let mut numbering = match part(&mut zip, "word/numbering.xml", max)? {
        Some(xml) => Numbering::read(&xml)?,
        None => Numbering::default(),
    };
    let mut md = String::new();
    Body::new(&styles, &mut numbering, limits.max_stream_bytes).read(&document, &mut md)?;
    if let Some(notes) = part(&mut zip, "word/footnotes.xml", max)? {
        let mut text = String::new();
        Body::new(&styles, &mut Numbering::default(), limits.max_stream_bytes)
            .read(&notes, &mut text)?;
        if !text.trim().is_empty() {
            md.push_str("## Notes\n\n");
            md.push_str(&text);
        }
    }
    let mut doc = text::load(file, md.as_bytes(), SourceFormat::Markdown)?;
    doc.format = SourceFormat::Docx;
    if let Some(core) = part(&mut zip, "docProps/core.xml", max)? {
        doc.meta.title = core_title(&core).or(doc.meta.title);
    }
    Ok(doc)
}

/// One part of the package, inflated to at most `max` bytes.
fn part<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    max: u64,
) -> Result<Option<Vec<u8>>, ExtractError> {
    let entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(ExtractError::Parse(format!("{name}: {e}"))),
    };
    let mut out = Vec::new();
    entry
        .take(max + 1)
        .read_to_end(&mut out)
        .map_err(|e| ExtractError::Parse(format!("{name}: {e}")))?;
    if out.len() as u64 > max {
        return Err(ExtractError::Parse(format!(
            "{name} inflates to more than {} MB: refused (a ZIP bomb?)",
            max >> 20
        )));
    }
    Ok(Some(out))
}

/// The local name of an element (`w:p` → `p`).
fn local(e: &BytesStart) -> String {
    e.local_name().as_ref().to_string()
}

/// The value of attribute `w:<name>` (any prefix).
fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == name)
            .then(|| {
                a.normalized_value(XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

fn xml_error(e: impl std::fmt::Display) -> ExtractError {
    ExtractError::Parse(format!("malformed XML in the Word document: {e}"))
}

/// Every start or empty element and every text of an XML part, in order.
enum Item<'a> {
    Open(BytesStart<'a>, bool),
    Close(String),
    Text(String),
}

fn each_item(
    xml: &[u8],
    mut f: impl FnMut(Item) -> Result<(), ExtractError>,
) -> Result<(), ExtractError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(xml_error)? {
            Event::Start(e) => f(Item::Open(e.into_owned(), false))?,
            Event::Empty(e) => f(Item::Open(e.into_owned(), true))?,
            Event::End(e) => f(Item::Close(e.local_name().as_ref().to_string()))?,
            Event::Text(t) => f(Item::Text(t.xml10_content().into_owned()))?,
            Event::GeneralRef(r) => {
                let name = r.clone().into_inner();
                let c = match name.as_ref() {
                    "amp" => "&".to_string(),
                    "lt" => "<".into(),
                    "gt" => ">".into(),
                    "quot" => "\"".into(),
                    "apos" => "'".into(),
                    n => r
                        .resolve_char_ref()
                        .ok()
                        .flatten()
                        .map(String::from)
                        .unwrap_or_else(|| format!("&{n};")),
                };
                f(Item::Text(c))?
            }
            Event::CData(t) => f(Item::Text(t.into_inner().into_owned()))?,
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// The title in `docProps/core.xml`, if it has one.
fn core_title(xml: &[u8]) -> Option<String> {
    let (mut inside, mut title) = (false, String::new());
    each_item(xml, |item| {
        match item {
            Item::Open(e, empty) => inside = !empty && local(&e) == "title",
            Item::Close(_) => inside = false,
            Item::Text(t) if inside => title.push_str(&t),
            Item::Text(_) => {}
        }
        Ok(())
    })
    .ok()?;
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

/// Paragraph styles: heading level and list numbering, by style id.
#[derive(Debug, Default)]
struct Styles {
    styles: HashMap<String, Style>,
}

#[derive(Debug, Default, Clone)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    num: Option<(String, usize)>,
}

impl Styles {
    fn read(xml: &[u8]) -> Result<Styles, ExtractError> {
        let mut styles = HashMap::new();
        let mut cur: Option<(String, Style)> = None;
        let mut ilvl = 0usize;
        each_item(xml, |item| {
            match item {
                Item::Open(e, _) => match local(&e).as_str() {
                    "style" => cur = attr(&e, "styleId").map(|id| (id, Style::default())),
                    "name" => with(&mut cur, |s| s.name = attr(&e, "val").unwrap_or_default()),
                    "basedOn" => with(&mut cur, |s| s.based_on = attr(&e, "val")),
                    "outlineLvl" => with(&mut cur, |s| {
                        s.outline = attr(&e, "val").and_then(|v| v.parse().ok())
                    }),
                    "ilvl" => ilvl = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(0),
                    "numId" => with(&mut cur, |s| {
                        s.num = attr(&e, "val").map(|id| (id, ilvl));
                    }),
                    _ => {}
                },
                Item::Close(name) if name == "style" => {
                    if let Some((id, s)) = cur.take() {
                        styles.insert(id, s);
                    }
                    ilvl = 0;
                }
                _ => {}
            }
            Ok(())
        })?;
        Ok(Styles { styles })
    }

    /// The style and those it is based on, nearest first (at most 16).
    fn chain<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Style> + 'a {
        let mut next = Some(id);
        std::iter::from_fn(move || {
            let s = self.styles.get(next?)?;
            next = s.based_on.as_deref();
            Some(s)
        })
        .take(16)
    }

    /// Heading level (1 = top) of a paragraph of style `id`.
    fn heading(&self, id: &str) -> Option<u8> {
        let own = self.styles.get(id)?;
        let by_name = {
            let name = own.name.to_ascii_lowercase();
            if name == "title" {
                Some(1)
            } else {
                name.strip_prefix("heading ")
                    .and_then(|n| n.trim().parse::<u8>().ok())
            }
        };
        by_name
            .or_else(|| {
                self.chain(id)
                    .find_map(|s| s.outline)
                    .map(|o| o.saturating_add(1))
            })
            .filter(|&l| (1..=9).contains(&l))
    }

    fn numbering(&self, id: &str) -> Option<(String, usize)> {
        self.chain(id).find_map(|s| s.num.clone())
    }
}

fn with<T>(cur: &mut Option<(String, T)>, f: impl FnOnce(&mut T)) {
    if let Some((_, s)) = cur {
        f(s)
    }
}

/// Word's list numbering: per list (`numId`), its levels' formats, and the
/// counters as the document goes.
#[derive(Debug, Default)]
struct Numbering {
    /// abstractNumId → level → (format, text, start)
    abstracts: HashMap<String, HashMap<usize, Level>>,
    /// numId → abstractNumId
    nums: HashMap<String, String>,
    /// numId → the last number given at each level (`None`: not started)
    counters: HashMap<String, [Option<u32>; 9]>,
}

#[derive(Debug, Default, Clone)]
struct Level {
    format: String,
    text: String,
    start: u32,
}

impl Numbering {
    fn read(xml: &[u8]) -> Result<Numbering, ExtractError> {
        let mut n = Numbering::default();
        let (mut abs, mut num): (Option<String>, Option<String>) = (None, None);
        let mut lvl: Option<(usize, Level)> = None;
        each_item(xml, |item| {
            match item {
                Item::Open(e, _) => {
                    let name = local(&e);
                    let val = || attr(&e, "val");
                    match (name.as_str(), lvl.as_mut()) {
                        ("abstractNum", _) => abs = attr(&e, "abstractNumId"),
                        ("num", _) => num = attr(&e, "numId"),
                        ("abstractNumId", _) => {
                            if let (Some(id), Some(a)) = (&num, val()) {
                                n.nums.insert(id.clone(), a);
                            }
                        }
                        ("lvl", _) if abs.is_some() => {
                            let i = attr(&e, "ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                            lvl = Some((
                                i,
                                Level {
                                    start: 1,
                                    ..Level::default()
                                },
                            ));
                        }
                        ("start", Some((_, l))) => {
                            l.start = val().and_then(|v| v.parse().ok()).unwrap_or(1)
                        }
                        ("lvlText", Some((_, l))) => l.text = val().unwrap_or_default(),
                        ("numFmt", Some((_, l))) => l.format = val().unwrap_or_default(),
                        _ => {}
                    }
                }
                Item::Close(name) => match name.as_str() {
                    "lvl" => {
                        if let (Some(a), Some((i, l))) = (&abs, lvl.take()) {
                            n.abstracts.entry(a.clone()).or_default().insert(i, l);
                        }
                    }
                    "abstractNum" => abs = None,
                    "num" => num = None,
                    _ => {}
                },
                Item::Text(_) => {}
            }
            Ok(())
        })?;
        Ok(n)
    }

    /// The marker of the next item of list `num` at level `ilvl` ("1.",
    /// "2.3", "(a)"; "-" for a bullet; `None` for a level without one).
    fn next(&mut self, num: &str, ilvl: usize) -> Option<String> {
        let levels = self.abstracts.get(self.nums.get(num)?)?;
        let ilvl = ilvl.min(8);
        let counters = self.counters.entry(num.to_string()).or_insert([None; 9]);
        // A new item restarts the levels below it.
        for c in counters.iter_mut().skip(ilvl + 1) {
            *c = None;
        }
        let level = levels.get(&ilvl)?;
        counters[ilvl] = Some(counters[ilvl].map_or(level.start, |v| v.saturating_add(1)));
        match level.format.as_str() {
            "bullet" => return Some("-".into()),
            "none" => return None,
            _ => {}
        }
        // A level text longer than any real one ("%1.%2.%3.") is not copied
        // into every item.
        let mut marker = if level.text.len() <= MAX_LEVEL_TEXT {
            level.text.clone()
        } else {
            format!("%{}.", ilvl + 1)
        };
        for k in (0..=ilvl).rev() {
            let l = levels.get(&k);
            let fmt = l.map_or("decimal", |l| l.format.as_str());
            let value = counters[k].unwrap_or(l.map_or(1, |l| l.start));
            marker = marker.replace(&format!("%{}", k + 1), &format_number(value, fmt));
        }
        let marker = marker.trim().to_string();
        (!marker.is_empty()).then_some(marker)
    }
}

/// The longest level text read (Word's own are a few characters).
const MAX_LEVEL_TEXT: usize = 64;

/// A counter in one of Word's number formats (letters as Word writes them,
/// "aa" after "z", up to four; Roman up to 3999; decimal beyond).
fn format_number(n: u32, format: &str) -> String {
    let letter = |base: u8| {
        let c = (base + ((n - 1) % 26) as u8) as char;
        c.to_string().repeat(((n - 1) / 26 + 1) as usize)
    };
    match format {
        "lowerLetter" if (1..=104).contains(&n) => letter(b'a'),
        "upperLetter" if (1..=104).contains(&n) => letter(b'A'),
        "lowerRoman" if (1..4000).contains(&n) => roman(n.into()).to_lowercase(),
        "upperRoman" if (1..4000).contains(&n) => roman(n.into()),
        _ => n.to_string(),
    }
}

/// A paragraph being read.
#[derive(Debug, Default)]
struct Para {
    style: Option<String>,
    outline: Option<u8>,
    num: Option<String>,
    ilvl: usize,
    text: String,
    /// A page break met before any text / after some.
    break_before: bool,
    break_after: bool,
}

/// A table being read: rows of cells.
#[derive(Debug, Default)]
struct Tbl {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: Option<String>,
    span: usize,
    /// A page break met in one of its cells: the page turns after it.
    page_break: bool,
}

/// The reader of a body (`document.xml` or `footnotes.xml`) into Markdown.
struct Body<'a> {
    styles: &'a Styles,
    numbering: &'a mut Numbering,
    paras: Vec<Para>,
    tables: Vec<Tbl>,
    in_text: bool,
    /// Depth inside a subtree left out (a deleted revision, a fallback).
    skip: usize,
    /// The most bytes of Markdown written.
    max: usize,
}

impl<'a> Body<'a> {
    fn new(styles: &'a Styles, numbering: &'a mut Numbering, max: usize) -> Body<'a> {
        Body {
            styles,
            numbering,
            paras: vec![],
            tables: vec![],
            in_text: false,
            skip: 0,
            max,
        }
    }

    fn read(mut self, xml: &[u8], out: &mut String) -> Result<(), ExtractError> {
        each_item(xml, |item| {
            match item {
                Item::Open(e, empty) => self.open(&e, empty),
                Item::Close(name) => self.close(&name, out),
                Item::Text(t) if self.in_text && self.skip == 0 => {
                    if let Some(p) = self.paras.last_mut() {
                        p.text.push_str(&t);
                    }
                }
                Item::Text(_) => {}
            }
            if out.len() > self.max {
                return Err(ExtractError::Parse(format!(
                    "the document's text is more than {} MB: refused",
                    self.max >> 20
                )));
            }
            Ok(())
        })
    }

    fn open(&mut self, e: &BytesStart, empty: bool) {
        let name = local(e);
        if self.skip > 0 || matches!(name.as_str(), "Fallback" | "del" | "moveFrom") {
            if !empty {
                self.skip += 1;
            }
            return;
        }
        let p = self.paras.last_mut();
        match (name.as_str(), p) {
            ("p", _) if !empty => self.paras.push(Para::default()),
            ("pStyle", Some(p)) => p.style = attr(e, "val"),
            ("outlineLvl", Some(p)) => p.outline = attr(e, "val").and_then(|v| v.parse().ok()),
            ("numId", Some(p)) => p.num = attr(e, "val"),
            ("ilvl", Some(p)) => p.ilvl = attr(e, "val").and_then(|v| v.parse().ok()).unwrap_or(0),
            ("t", _) => self.in_text = !empty,
            ("tab", Some(p)) | ("cr", Some(p)) => p.text.push(' '),
            ("br", Some(p)) if attr(e, "type").as_deref() == Some("page") => mark_break(p),
            ("br", Some(p)) => p.text.push(' '),
            ("lastRenderedPageBreak", Some(p)) => mark_break(p),
            ("pageBreakBefore", Some(p))
                if attr(e, "val").is_none_or(|v| v != "0" && v != "false") =>
            {
                p.break_before = true
            }
            ("tbl", _) if !empty => self.tables.push(Tbl::default()),
            ("tr", _) => {
                if let Some(t) = self.tables.last_mut() {
                    t.row.clear();
                }
            }
            ("tc", _) if !empty => {
                if let Some(t) = self.tables.last_mut() {
                    t.cell = Some(String::new());
                    t.span = 1;
                }
            }
            ("tc", _) => {
                if let Some(t) = self.tables.last_mut() {
                    t.row.push(String::new());
                }
            }
            ("gridSpan", _) => {
                if let Some(t) = self.tables.last_mut() {
                    t.span = attr(e, "val")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1)
                        .clamp(1, 64);
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &str, out: &mut String) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        match name {
            "t" => self.in_text = false,
            "p" => {
                if let Some(p) = self.paras.pop() {
                    self.finish(p, out);
                }
            }
            "tc" => {
                if let Some(t) = self.tables.last_mut() {
                    let cell = t.cell.take().unwrap_or_default();
                    t.row.push(cell);
                    for _ in 1..t.span {
                        t.row.push(String::new());
                    }
                }
            }
            "tr" => {
                if let Some(t) = self.tables.last_mut() {
                    let row = std::mem::take(&mut t.row);
                    if row.iter().any(|c| !c.is_empty()) {
                        t.rows.push(row);
                    }
                }
            }
            "tbl" => {
                if let Some(t) = self.tables.pop() {
                    match self.tables.last_mut() {
                        // A table in a table cell: its cells' text joins the cell.
                        Some(outer) => {
                            outer.page_break |= t.page_break;
                            if let Some(cell) = outer.cell.as_mut() {
                                for c in t.rows.iter().flatten() {
                                    push_words(cell, c);
                                }
                            }
                        }
                        None => {
                            out.push_str(&table_markdown(&t.rows));
                            if t.page_break {
                                page_break(out);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// A finished paragraph: into the cell it is in, or out as Markdown.
    fn finish(&mut self, p: Para, out: &mut String) {
        let words = p.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let style = p.style.as_deref().unwrap_or("Normal");
        let num = p
            .num
            .clone()
            .map(|n| (n, p.ilvl))
            .or_else(|| self.styles.numbering(style))
            .filter(|(n, _)| n != "0");
        // An empty numbered paragraph still takes its number, as in Word.
        let marker = num.and_then(|(n, l)| self.numbering.next(&n, l));
        let line = match (&marker, words.is_empty()) {
            (_, true) => String::new(),
            (Some(m), false) => format!("{m} {words}"),
            (None, false) => words,
        };
        if let Some(t) = self.tables.last_mut()
            && let Some(cell) = t.cell.as_mut()
        {
            push_words(cell, &line);
            t.page_break |= p.break_before || p.break_after;
            return;
        }
        if p.break_before {
            page_break(out);
        }
        if !line.is_empty() {
            let heading = p
                .outline
                .map(|o| o.saturating_add(1))
                .filter(|&l| (1..=9).contains(&l))
                .or_else(|| self.styles.heading(style));
            match heading {
                Some(level) => {
                    out.push_str(&"#".repeat(level.min(6) as usize));
                    out.push(' ');
                }
                // A plain paragraph never reads as Markdown markup.
                None if marker.is_none() && line.starts_with(['#', '|', '>']) => out.push('\\'),
                None => {}
            }
            out.push_str(&line);
            out.push_str("\n\n");
        }
        if p.break_after {
            page_break(out);
        }
    }
}

fn mark_break(p: &mut Para) {
    if p.text.trim().is_empty() {
        p.break_before = true;
    } else {
        p.break_after = true;
    }
}

fn page_break(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\u{c}') {
        out.push('\u{c}');
    }
}

fn push_words(cell: &mut String, text: &str) {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return;
    }
    if !cell.is_empty() {
        cell.push(' ');
    }
    cell.push_str(&text);
}

/// The most columns a table is read with; the cells of a wider row join
/// its last column (no real table is this wide, and padding every row to
/// a hostile width would multiply the text).
const MAX_COLUMNS: usize = 64;

/// A table as a Markdown pipe table (bars in cells escaped).
fn table_markdown(rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if r.len() > MAX_COLUMNS {
                let rest = r.split_off(MAX_COLUMNS - 1);
                let mut last = String::new();
                for c in &rest {
                    push_words(&mut last, c);
                }
                r.push(last);
            }
            r
        })
        .collect();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        out.push('|');
        for c in 0..width {
            let cell = row.get(c).map_or("", String::as_str).replace('|', "\\|");
            out.push(' ');
            out.push_str(&cell);
            out.push_str(" |");
        }
        out.push('\n');
        if i == 0 {
            out.push_str(&"|---".repeat(width));
            out.push_str("|\n");
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests;
