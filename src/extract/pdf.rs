//! PDF content-stream interpreter: walks a page's operators (text state,
//! graphics state, Form XObjects) and emits positioned glyphs
//! ([`RawPage`]) in display coordinates (page `/Rotate` applied).
//!
//! Built on lopdf's object parsing and stream decompression; lopdf's own
//! text extraction is not used. Limits (decompressed bytes, operators) are
//! enforced per page, Forms included.

use super::Limits;
use super::font::{Font, deref, get, get_dict, get_name, num};
use super::lexer::{Lexer, Operand};
use super::paths::{Fill, Paint, PathBuilder, Rule};
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Max nesting of Form XObjects.
const MAX_FORM_DEPTH: usize = 12;
/// Max depth of the q/Q stack kept.
const MAX_GSTACK: usize = 256;

pub type Matrix = [f32; 6];
pub const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m1 × m2` in PDF's row-vector convention.
pub fn mul(m1: &Matrix, m2: &Matrix) -> Matrix {
    [
        m1[0] * m2[0] + m1[1] * m2[2],
        m1[0] * m2[1] + m1[1] * m2[3],
        m1[2] * m2[0] + m1[3] * m2[2],
        m1[2] * m2[1] + m1[3] * m2[3],
        m1[4] * m2[0] + m1[5] * m2[2] + m2[4],
        m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
    ]
}

fn apply(m: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

/// One shown glyph (or space) in display coordinates.
#[derive(Debug, Clone, Copy)]
pub struct Glyph {
    /// Start of the baseline, along the text direction.
    pub x0: f32,
    /// End of the advance.
    pub x1: f32,
    /// Baseline position across the text direction (up = larger).
    pub y: f32,
    /// Font size in device space.
    pub size: f32,
    /// Index into [`RawPage::fonts`].
    pub font: u16,
    /// Text run in [`RawPage::text`].
    pub start: u32,
    pub len: u16,
    /// A space character (word break).
    pub space: bool,
    /// Text direction: 0 upright, 1 = 90°, 2 = 180°, 3 = 270°.
    pub orient: u8,
}

/// A page's glyphs before layout.
#[derive(Debug, Default)]
pub struct RawPage {
    pub width: f32,
    pub height: f32,
    pub glyphs: Vec<Glyph>,
    pub text: String,
    pub fonts: Vec<Arc<Font>>,
    pub has_image: bool,
    /// Largest image area drawn, in square points (display space).
    pub image_area: f32,
    /// Non-space glyphs whose font has no Unicode mapping, by font name.
    pub unmapped: HashMap<String, usize>,
    /// Horizontal and vertical lines drawn on the page (table rules).
    pub rules: Vec<Rule>,
    /// Filled rectangles drawn on the page (shaded cells).
    pub fills: Vec<Fill>,
    pub warnings: Vec<String>,
}

impl RawPage {
    pub fn glyph_text(&self, g: &Glyph) -> &str {
        let s = g.start as usize;
        self.text.get(s..s + g.len as usize).unwrap_or("")
    }
}

/// Fonts decoded once per document, shared across page threads.
#[derive(Default)]
pub struct FontCache {
    map: Mutex<HashMap<ObjectId, Arc<Font>>>,
}

impl FontCache {
    fn get(&self, doc: &Document, obj: &Object, limits: &Limits) -> Arc<Font> {
        match obj {
            Object::Reference(id) => {
                if let Some(f) = self.map.lock().ok().and_then(|m| m.get(id).cloned()) {
                    return f;
                }
                let f = match deref(doc, obj) {
                    Object::Dictionary(d) => Arc::new(Font::load(doc, d, limits.max_stream_bytes)),
                    _ => Arc::new(Font::fallback()),
                };
                if let Ok(mut m) = self.map.lock() {
                    m.insert(*id, f.clone());
                }
                f
            }
            Object::Dictionary(d) => Arc::new(Font::load(doc, d, limits.max_stream_bytes)),
            _ => Arc::new(Font::fallback()),
        }
    }
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<(u16, Arc<Font>)>,
    size: f32,
    tc: f32,
    tw: f32,
    th: f32,
    tl: f32,
    ts: f32,
    /// The fill and stroke colours are not white (paint shows).
    fill_shows: bool,
    stroke_shows: bool,
}

/// Whether colour operands (gray, RGB or CMYK components) show on white
/// paper: anything but all-white. Operands of other colour spaces (a
/// pattern name, or another number of components) are taken to show.
fn shows(a: &[Operand<'_>], white: f32) -> bool {
    let v: Vec<f32> = a.iter().filter_map(Operand::num).collect();
    !(matches!(v.len(), 1 | 3 if v.iter().all(|&c| c >= white))
        || (v.len() == 4 && v.iter().all(|&c| c <= 1.0 - white)))
}

/// Inherited page attribute (Resources, MediaBox, CropBox, Rotate).
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut d = page;
    for _ in 0..32 {
        if let Some(o) = get(doc, d, key) {
            return Some(o);
        }
        d = get_dict(doc, d, b"Parent")?;
    }
    None
}

fn rect(doc: &Document, o: &Object) -> Option<[f32; 4]> {
    let Object::Array(a) = o else { return None };
    if a.len() != 4 {
        return None;
    }
    let v: Vec<f32> = a.iter().filter_map(|o| num(deref(doc, o))).collect();
    if v.len() != 4 {
        return None;
    }
    Some([
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ])
}

pub struct Interp<'a> {
    doc: &'a Document,
    cache: &'a FontCache,
    limits: &'a Limits,
    ops: usize,
    bytes: usize,
    out: RawPage,
    font_ids: HashMap<*const Font, u16>,
    form_stack: Vec<ObjectId>,
    stopped: bool,
    path: PathBuilder,
}

impl<'a> Interp<'a> {
    /// Interpret one page.
    pub fn page(
        doc: &'a Document,
        page_id: ObjectId,
        cache: &'a FontCache,
        limits: &'a Limits,
    ) -> RawPage {
        let mut it = Interp {
            doc,
            cache,
            limits,
            ops: 0,
            bytes: 0,
            out: RawPage::default(),
            font_ids: HashMap::new(),
            form_stack: Vec::new(),
            stopped: false,
            path: PathBuilder::default(),
        };
        let Ok(page) = doc.get_dictionary(page_id) else {
            it.out.warnings.push("page object is missing".into());
            return it.out;
        };
        let media = inherited(doc, page, b"MediaBox")
            .and_then(|o| rect(doc, o))
            .unwrap_or([0.0, 0.0, 612.0, 792.0]);
        let crop = inherited(doc, page, b"CropBox").and_then(|o| rect(doc, o));
        let bx = match crop {
            Some(c) if c[2] - c[0] > 1.0 && c[3] - c[1] > 1.0 => c,
            _ => media,
        };
        let rotate = inherited(doc, page, b"Rotate")
            .and_then(num)
            .map(|r| ((r as i64).rem_euclid(360) / 90) as u8)
            .unwrap_or(0);
        let [x0, y0, x1, y1] = bx;
        let (w, h) = (x1 - x0, y1 - y0);
        let (ctm, pw, ph) = match rotate {
            1 => ([0.0, -1.0, 1.0, 0.0, -y0, x1], h, w),
            2 => ([-1.0, 0.0, 0.0, -1.0, x1, y1], w, h),
            3 => ([0.0, 1.0, -1.0, 0.0, y1, -x0], h, w),
            _ => ([1.0, 0.0, 0.0, 1.0, -x0, -y0], w, h),
        };
        it.out.width = pw;
        it.out.height = ph;
        let resources = match inherited(doc, page, b"Resources") {
            Some(Object::Dictionary(d)) => Some(d),
            _ => None,
        };
        let content = match doc.get_page_content_with_limit(page_id, limits.max_stream_bytes) {
            Ok(c) => c,
            Err(e) => {
                it.out.warnings.push(format!(
                    "content stream over the size limit or unreadable: {e}"
                ));
                return it.out;
            }
        };
        it.bytes = content.len();
        let gs = GState {
            ctm,
            font: None,
            size: 0.0,
            tc: 0.0,
            tw: 0.0,
            th: 1.0,
            tl: 0.0,
            ts: 0.0,
            fill_shows: true,
            stroke_shows: true,
        };
        it.run(&content, resources, gs);
        it.out.rules = std::mem::take(&mut it.path.rules);
        it.out.fills = std::mem::take(&mut it.path.fills);
        it.out
    }

    fn font_index(&mut self, f: &Arc<Font>) -> u16 {
        let key = Arc::as_ptr(f);
        if let Some(&i) = self.font_ids.get(&key) {
            return i;
        }
        let i = self.out.fonts.len().min(u16::MAX as usize) as u16;
        self.out.fonts.push(f.clone());
        self.font_ids.insert(key, i);
        i
    }

    fn run(&mut self, content: &[u8], resources: Option<&'a Dictionary>, mut gs: GState) {
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        let mut marked: Vec<Option<(String, usize)>> = Vec::new();
        let mut lexer = Lexer::new(content);
        let mut a: Vec<Operand<'_>> = Vec::new();
        while let Some(operator) = lexer.next_op(&mut a) {
            if self.stopped {
                return;
            }
            self.ops += 1;
            if self.ops > self.limits.max_ops_per_page {
                self.out.warnings.push(format!(
                    "more than {} operators: rest of page skipped",
                    self.limits.max_ops_per_page
                ));
                self.stopped = true;
                return;
            }
            let n = |i: usize| a.get(i).and_then(Operand::num).unwrap_or(0.0);
            match operator {
                b"q" if stack.len() < MAX_GSTACK => {
                    stack.push(gs.clone());
                }
                b"Q" => {
                    if let Some(g) = stack.pop() {
                        gs = g;
                    }
                }
                b"cm" if a.len() == 6 => {
                    let m = [n(0), n(1), n(2), n(3), n(4), n(5)];
                    gs.ctm = mul(&m, &gs.ctm);
                }
                b"BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                b"Tf" => {
                    gs.size = n(1);
                    let name = match a.first() {
                        Some(Operand::Name(nm)) => *nm,
                        _ => &b""[..],
                    };
                    let font_obj = resources
                        .and_then(|r| get_dict(self.doc, r, b"Font"))
                        .and_then(|fd| fd.get(name).ok());
                    let font = match font_obj {
                        Some(o) => self.cache.get(self.doc, o, self.limits),
                        None => Arc::new(Font::fallback()),
                    };
                    let idx = self.font_index(&font);
                    gs.font = Some((idx, font));
                }
                b"Tc" => gs.tc = n(0),
                b"Tw" => gs.tw = n(0),
                b"Tz" => gs.th = n(0) / 100.0,
                b"TL" => gs.tl = n(0),
                b"Ts" => gs.ts = n(0),
                b"Td" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(0), n(1)], &tlm);
                    tm = tlm;
                }
                b"TD" => {
                    gs.tl = -n(1);
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(0), n(1)], &tlm);
                    tm = tlm;
                }
                b"Tm" if a.len() == 6 => {
                    tlm = [n(0), n(1), n(2), n(3), n(4), n(5)];
                    tm = tlm;
                }
                b"T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.tl], &tlm);
                    tm = tlm;
                }
                b"Tj" => {
                    if let Some(Operand::Str(s)) = a.first() {
                        self.show(s.as_slice(), &gs, &mut tm);
                    }
                }
                b"'" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.tl], &tlm);
                    tm = tlm;
                    if let Some(Operand::Str(s)) = a.first() {
                        self.show(s.as_slice(), &gs, &mut tm);
                    }
                }
                b"\"" => {
                    gs.tw = n(0);
                    gs.tc = n(1);
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.tl], &tlm);
                    tm = tlm;
                    if let Some(Operand::Str(s)) = a.get(2) {
                        self.show(s.as_slice(), &gs, &mut tm);
                    }
                }
                b"TJ" => {
                    if let Some(Operand::Array(items)) = a.first() {
                        for item in items {
                            match item {
                                Operand::Str(s) => self.show(s.as_slice(), &gs, &mut tm),
                                o => {
                                    if let Some(adj) = o.num() {
                                        let tx = -adj / 1000.0 * gs.size * gs.th;
                                        tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &tm);
                                    }
                                }
                            }
                        }
                    }
                }
                b"m" | b"l" | b"c" | b"v" | b"y" | b"h" | b"re" => {
                    self.path_op(operator, &a, &gs.ctm);
                }
                b"S" | b"s" | b"f" | b"F" | b"f*" | b"B" | b"B*" | b"b" | b"b*" | b"n" => {
                    if matches!(operator, b"s" | b"b" | b"b*") {
                        self.path.close();
                    }
                    let stroke = matches!(operator, b"S" | b"s" | b"B" | b"B*" | b"b" | b"b*")
                        && gs.stroke_shows;
                    let fill = !matches!(operator, b"S" | b"s" | b"n") && gs.fill_shows;
                    self.path
                        .paint((stroke || fill).then_some(Paint { stroke, fill }));
                }
                b"g" | b"rg" | b"k" | b"sc" | b"scn" => gs.fill_shows = shows(&a, 0.99),
                b"G" | b"RG" | b"K" | b"SC" | b"SCN" => gs.stroke_shows = shows(&a, 0.99),
                b"cs" => gs.fill_shows = true,
                b"CS" => gs.stroke_shows = true,
                b"BI" => self.out.has_image = true,
                b"BMC" => marked.push(None),
                b"BDC" => {
                    // /ActualText replaces the glyphs shown inside.
                    let actual =
                        a.get(1)
                            .and_then(|d| d.get(b"ActualText"))
                            .and_then(|t| match t {
                                Operand::Str(bytes) => lopdf::decode_text_string(&Object::String(
                                    bytes.clone(),
                                    lopdf::StringFormat::Literal,
                                ))
                                .ok(),
                                _ => None,
                            });
                    marked.push(actual.map(|t| (t, self.out.glyphs.len())));
                }
                b"EMC" => {
                    if let Some(Some((text, start))) = marked.pop() {
                        self.replace_with_actual_text(&text, start);
                    }
                }
                b"Do" => {
                    if let Some(Operand::Name(name)) = a.first() {
                        self.xobject(name, resources, &gs);
                    }
                }
                _ => {}
            }
        }
    }

    /// A path construction operator, its points taken to device space.
    fn path_op(&mut self, op: &[u8], a: &[Operand<'_>], ctm: &Matrix) {
        let n = |i: usize| a.get(i).and_then(Operand::num).unwrap_or(0.0);
        let at = |x: f32, y: f32| apply(ctm, x, y);
        match op {
            b"m" => self.path.move_to(at(n(0), n(1))),
            b"l" => self.path.line_to(at(n(0), n(1))),
            b"c" => self.path.curve_to(at(n(4), n(5))),
            b"v" | b"y" => self.path.curve_to(at(n(2), n(3))),
            b"h" => self.path.close(),
            _ => {
                let (x, y, w, h) = (n(0), n(1), n(2), n(3));
                self.path
                    .rect([at(x, y), at(x + w, y), at(x + w, y + h), at(x, y + h)]);
            }
        }
    }

    fn xobject(&mut self, name: &[u8], resources: Option<&'a Dictionary>, gs: &GState) {
        let doc = self.doc;
        let Some(xobjs) = resources.and_then(|r| get_dict(doc, r, b"XObject")) else {
            return;
        };
        let Ok(raw) = xobjs.get(name) else { return };
        let id = match raw {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        let Object::Stream(stream) = deref(doc, raw) else {
            return;
        };
        match get_name(doc, &stream.dict, b"Subtype") {
            Some(b"Image") => {
                self.out.has_image = true;
                // The image fills the unit square mapped by the CTM.
                let c = &gs.ctm;
                let area = (c[0] * c[3] - c[1] * c[2]).abs();
                if area.is_finite() {
                    self.out.image_area = self.out.image_area.max(area);
                }
            }
            Some(b"Form") => {
                if self.form_stack.len() >= MAX_FORM_DEPTH
                    || id.is_some_and(|id| self.form_stack.contains(&id))
                {
                    return;
                }
                let remaining = self.limits.max_stream_bytes.saturating_sub(self.bytes);
                let data = match stream.decompressed_content_with_limit(remaining) {
                    Ok(d) => d,
                    Err(_)
                        if stream.dict.get(b"Filter").is_err()
                            && stream.content.len() <= remaining =>
                    {
                        stream.content.clone()
                    }
                    Err(_) => {
                        self.out
                            .warnings
                            .push("form XObject over the size limit or unreadable: skipped".into());
                        return;
                    }
                };
                self.bytes += data.len();
                let mut sub = gs.clone();
                if let Some(Object::Array(m)) = get(doc, &stream.dict, b"Matrix") {
                    let v: Vec<f32> = m.iter().filter_map(|o| num(deref(doc, o))).collect();
                    if v.len() == 6 {
                        sub.ctm = mul(&[v[0], v[1], v[2], v[3], v[4], v[5]], &gs.ctm);
                    }
                }
                let res = match get(doc, &stream.dict, b"Resources") {
                    Some(Object::Dictionary(d)) => Some(d),
                    _ => resources,
                };
                self.form_stack.push(id.unwrap_or((0, 0)));
                self.run(&data, res, sub);
                self.form_stack.pop();
            }
            _ => {}
        }
    }

    /// Replace the glyphs shown since `start` by one run of `text`, placed
    /// where they were (first glyph's baseline, union of their extents).
    fn replace_with_actual_text(&mut self, text: &str, start: usize) {
        let Some(first) = self.out.glyphs.get(start).copied() else {
            return;
        };
        let shown = &self.out.glyphs[start..];
        let x0 = shown.iter().map(|g| g.x0).fold(f32::MAX, f32::min);
        let x1 = shown.iter().map(|g| g.x1).fold(f32::MIN, f32::max);
        self.out.glyphs.truncate(start);
        let Some(t) = super::font::normalize_glyph_text(text) else {
            return;
        };
        let space = |x: f32| Glyph {
            x0: x,
            x1: x,
            len: 0,
            space: true,
            ..first
        };
        // `/ActualText ( )` over a spacing glyph is a word break; so is
        // white space around the replacement text.
        let trimmed = t.trim();
        if trimmed.is_empty() {
            self.out.glyphs.push(Glyph { x1, ..space(x0) });
            return;
        }
        if t.starts_with(' ') {
            self.out.glyphs.push(space(x0));
        }
        let begin = self.out.text.len() as u32;
        self.out.text.push_str(trimmed);
        let len = (self.out.text.len() as u32 - begin).min(u16::MAX as u32) as u16;
        self.out.glyphs.push(Glyph {
            x0,
            x1,
            start: begin,
            len,
            space: false,
            ..first
        });
        if t.ends_with(' ') {
            self.out.glyphs.push(space(x1));
        }
    }

    fn show(&mut self, s: &[u8], gs: &GState, tm: &mut Matrix) {
        let Some((fidx, font)) = gs.font.clone() else {
            return;
        };
        let m = mul(tm, &gs.ctm);
        // Device-space size and direction.
        let vy = (m[2] * m[2] + m[3] * m[3]).sqrt();
        let size = (gs.size * vy).abs();
        let (ux, uy) = (m[0], m[1]);
        let orient = if ux.abs() >= uy.abs() {
            if ux >= 0.0 { 0 } else { 2 }
        } else if uy > 0.0 {
            1
        } else {
            3
        };
        // Project device points onto the text direction frame.
        let frame = |x: f32, y: f32| -> (f32, f32) {
            match orient {
                0 => (x, y),
                1 => (y, -x),
                2 => (-x, -y),
                _ => (-y, x),
            }
        };
        let mut adv = 0.0f32;
        let mut unmapped = 0usize;
        let out = &mut self.out;
        font.decode(s, |code| {
            let w = code.width * gs.size;
            let mut tx = w + gs.tc;
            if code.is_space_code {
                tx += gs.tw;
            }
            tx *= gs.th;
            let (dx0, dy0) = apply(&m, adv, gs.ts);
            let (dx1, dy1) = apply(&m, adv + w * gs.th, gs.ts);
            adv += tx;
            let (fx0, fy) = frame(dx0, dy0);
            let (fx1, _) = frame(dx1, dy1);
            let text = code.text;
            if text.is_empty() {
                if !code.is_space_code {
                    unmapped += 1;
                }
                return;
            }
            let space = text.chars().all(|c| c == ' ');
            let start = out.text.len() as u32;
            if !space {
                out.text.push_str(text);
            }
            let len = (out.text.len() as u32 - start).min(u16::MAX as u32) as u16;
            out.glyphs.push(Glyph {
                x0: fx0.min(fx1),
                x1: fx0.max(fx1),
                y: fy,
                size,
                font: fidx,
                start,
                len,
                space,
                orient,
            });
        });
        if unmapped > 0 {
            *self.out.unmapped.entry(font.name.clone()).or_default() += unmapped;
        }
        *tm = mul(&[1.0, 0.0, 0.0, 1.0, adv, 0.0], tm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_product_order() {
        let t = [1.0, 0.0, 0.0, 1.0, 10.0, 20.0];
        let s = [2.0, 0.0, 0.0, 2.0, 0.0, 0.0];
        // translate then scale: (0,0) → (10,20) → (20,40)
        assert_eq!(apply(&mul(&t, &s), 0.0, 0.0), (20.0, 40.0));
        assert_eq!(apply(&mul(&s, &t), 1.0, 1.0), (12.0, 22.0));
    }
}
