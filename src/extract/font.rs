//! Fonts: turns a PDF font dictionary into a decoder from string bytes to
//! (Unicode text, advance width) pairs.
//!
//! Owns simple fonts (Type1, TrueType, Type3, MMType1: 1-byte codes mapped
//! through `/ToUnicode`, or `/Encoding` with `/Differences` and a base
//! encoding), composite fonts (Type0: Identity-H/V or a codespace from the
//! `/ToUnicode` CMap), glyph widths (`/Widths`, `/W`, `/DW`, approximate
//! standard-14 widths), bold/italic flags, and ligature normalisation (done
//! once per font when the code table is built, not per glyph).

use super::cmap::ToUnicode;
use super::glyphs;
use lopdf::{Dictionary, Document, Object};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Hasher for character codes and CIDs looked up once per shown glyph:
/// one multiplication instead of SipHash (the maps are built from the
/// font's own tables, which are size-capped).
#[derive(Default)]
pub(crate) struct CodeHasher(u64);

impl Hasher for CodeHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = (self.0.rotate_left(5) ^ v as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Map keyed by code or CID.
pub(crate) type CodeMap<V> = HashMap<u32, V, BuildHasherDefault<CodeHasher>>;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// Max nesting when following references.
const MAX_DEREF: usize = 16;

/// Follow references (bounded) to the object they point at.
pub(crate) fn deref<'a>(doc: &'a Document, mut o: &'a Object) -> &'a Object {
    for _ in 0..MAX_DEREF {
        match o {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(x) => o = x,
                Err(_) => return &Object::Null,
            },
            _ => return o,
        }
    }
    &Object::Null
}

/// A dictionary value, dereferenced.
pub(crate) fn get<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    d.get(key).ok().map(|o| deref(doc, o))
}

pub(crate) fn get_dict<'a>(
    doc: &'a Document,
    d: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Dictionary> {
    match get(doc, d, key)? {
        Object::Dictionary(x) => Some(x),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub(crate) fn get_name<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match get(doc, d, key)? {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

pub(crate) fn num(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) if r.is_finite() => Some(*r),
        _ => None,
    }
}

pub(crate) fn get_num(doc: &Document, d: &Dictionary, key: &[u8]) -> Option<f32> {
    get(doc, d, key).and_then(num)
}

/// A decoded font, shared by all pages of a document.
#[derive(Debug, Clone)]
pub struct Font {
    /// Base font name without the subset prefix.
    pub name: String,
    pub bold: bool,
    pub italic: bool,
    /// Composite (Type0) font: multi-byte codes.
    pub composite: bool,
    /// Simple fonts: text per code (None = unmapped).
    simple_map: Vec<Option<Box<str>>>,
    /// Simple fonts: width per code, in text space units × 1000.
    simple_widths: Vec<f32>,
    /// Composite fonts: text per code.
    cid_map: CodeMap<Box<str>>,
    /// Composite fonts: width per CID.
    cid_widths: CodeMap<f32>,
    default_width: f32,
    /// Composite: codespace (byte length, low, high) ranges.
    codespace: Vec<(u8, u32, u32)>,
    /// Composite: code is UTF-16 (UCS2 CMaps).
    ucs2: bool,
    /// True when the font has no usable Unicode mapping at all.
    pub unmapped: bool,
}

/// One decoded code.
pub struct Code<'a> {
    pub text: &'a str,
    /// Advance width in glyph space / 1000 (multiply by font size).
    pub width: f32,
    /// True for a single-byte code 32 (where `Tw` applies).
    pub is_space_code: bool,
}

impl Font {
    /// A fallback font used when `Tf` names a font that cannot be loaded.
    pub fn fallback() -> Font {
        Font {
            name: String::new(),
            bold: false,
            italic: false,
            composite: false,
            simple_map: (0..256)
                .map(|c| standard_table()[c].map(|ch| ch.to_string().into_boxed_str()))
                .collect(),
            simple_widths: vec![500.0; 256],
            cid_map: CodeMap::default(),
            cid_widths: CodeMap::default(),
            default_width: 500.0,
            codespace: Vec::new(),
            ucs2: false,
            unmapped: false,
        }
    }

    /// Width of the font's space character, in em (text space / font
    /// size), when the font has one with a positive width.
    pub fn space_width(&self) -> Option<f32> {
        let w = if !self.composite {
            let code = if self.simple_map.get(32).and_then(|t| t.as_deref()) == Some(" ") {
                Some(32)
            } else {
                self.simple_map
                    .iter()
                    .position(|t| t.as_deref() == Some(" "))
            };
            code.and_then(|c| self.simple_widths.get(c).copied())
        } else {
            self.cid_map
                .iter()
                .filter(|(_, t)| &***t == " ")
                .map(|(c, _)| *c)
                .min()
                .map(|c| {
                    self.cid_widths
                        .get(&c)
                        .copied()
                        .unwrap_or(self.default_width)
                })
        }?;
        (w.is_finite() && w > 0.0).then_some(w / 1000.0)
    }

    /// Decode a string operand, calling `f` for every code.
    pub fn decode(&self, bytes: &[u8], mut f: impl FnMut(Code<'_>)) {
        if !self.composite {
            for &b in bytes {
                let text = self.simple_map[b as usize].as_deref().unwrap_or("");
                f(Code {
                    text,
                    width: self.simple_widths[b as usize] / 1000.0,
                    is_space_code: b == 32,
                });
            }
            return;
        }
        let mut i = 0;
        let mut buf = [0u8; 4];
        while i < bytes.len() {
            let n = self.code_len(&bytes[i..]);
            let mut code = 0u32;
            for &b in &bytes[i..(i + n).min(bytes.len())] {
                code = (code << 8) | b as u32;
            }
            let text: &str = if self.ucs2 {
                match char::from_u32(code) {
                    Some(c) if !c.is_control() => c.encode_utf8(&mut buf),
                    _ => "",
                }
            } else {
                self.cid_map.get(&code).map(|s| &**s).unwrap_or("")
            };
            let width = self
                .cid_widths
                .get(&code)
                .copied()
                .unwrap_or(self.default_width)
                / 1000.0;
            f(Code {
                text,
                width,
                is_space_code: n == 1 && code == 32,
            });
            i += n;
        }
    }

    fn code_len(&self, rest: &[u8]) -> usize {
        if self.codespace.is_empty() {
            return 2.min(rest.len()).max(1);
        }
        let mut code = 0u32;
        for n in 1..=4usize {
            if n > rest.len() {
                break;
            }
            code = (code << 8) | rest[n - 1] as u32;
            if self
                .codespace
                .iter()
                .any(|&(len, lo, hi)| len as usize == n && code >= lo && code <= hi)
            {
                return n;
            }
        }
        // No range matched: use the shortest declared length.
        let min = self
            .codespace
            .iter()
            .map(|r| r.0 as usize)
            .min()
            .unwrap_or(2);
        min.clamp(1, rest.len().max(1))
    }

    /// Load a font dictionary.
    pub fn load(doc: &Document, dict: &Dictionary, max_bytes: usize) -> Font {
        let subtype = get_name(doc, dict, b"Subtype").unwrap_or(b"");
        let base = get_name(doc, dict, b"BaseFont")
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let name = strip_subset(&base).to_string();
        let to_unicode = match get(doc, dict, b"ToUnicode") {
            Some(Object::Stream(s)) => s
                .decompressed_content_with_limit(max_bytes)
                .ok()
                .or_else(|| Some(s.content.clone()))
                .map(|data| ToUnicode::parse(&data)),
            _ => None,
        };
        if subtype == b"Type0" {
            Self::load_composite(doc, dict, name, to_unicode)
        } else {
            Self::load_simple(doc, dict, name, subtype == b"Type3", to_unicode, max_bytes)
        }
    }

    fn style(doc: &Document, name: &str, descriptor: Option<&Dictionary>) -> (bool, bool) {
        let lower = name.to_ascii_lowercase();
        let mut bold = ["bold", "black", "heavy", "semibold", "demi"]
            .iter()
            .any(|w| lower.contains(w));
        let mut italic = lower.contains("italic") || lower.contains("oblique");
        if let Some(fd) = descriptor {
            if let Some(w) = get_num(doc, fd, b"FontWeight") {
                bold |= w >= 600.0;
            }
            if let Some(flags) = get_num(doc, fd, b"Flags") {
                let flags = flags as i64;
                bold |= flags & (1 << 18) != 0;
                italic |= flags & (1 << 6) != 0;
            }
        }
        // ItalicAngle alone is unreliable (some upright fonts set it), so it is not used.
        if lower.contains("upright") || lower.contains("roman") && !lower.contains("italic") {
            italic &= !lower.contains("upright");
        }
        (bold, italic)
    }

    fn load_simple(
        doc: &Document,
        dict: &Dictionary,
        name: String,
        type3: bool,
        to_unicode: Option<ToUnicode>,
        max_bytes: usize,
    ) -> Font {
        let descriptor = get_dict(doc, dict, b"FontDescriptor");
        let (bold, italic) = Self::style(doc, &name, descriptor);
        let symbolic = descriptor
            .and_then(|fd| get_num(doc, fd, b"Flags"))
            .map(|f| (f as i64) & 4 != 0 && (f as i64) & 32 == 0)
            .unwrap_or(false);
        let lower = name.to_ascii_lowercase();

        // Base encoding, then differences.
        let mut table: Vec<Option<Box<str>>> = vec![None; 256];
        let mut base_name: Option<&[u8]> = None;
        let mut differences: Option<&Vec<Object>> = None;
        match get(doc, dict, b"Encoding") {
            Some(Object::Name(n)) => base_name = Some(n),
            Some(Object::Dictionary(d)) => {
                base_name = get_name(doc, d, b"BaseEncoding");
                if let Some(Object::Array(a)) = get(doc, d, b"Differences") {
                    differences = Some(a);
                }
            }
            _ => {}
        }
        // Type1 programs carry their own encoding (TeX fonts): the base
        // when the dictionary names none.
        let builtin = if base_name.is_none() {
            descriptor.and_then(|fd| builtin_encoding(doc, fd, max_bytes))
        } else {
            None
        };
        if let Some(b) = &builtin {
            for (slot, name) in table.iter_mut().zip(b.iter()) {
                if let Some(n) = name {
                    *slot = glyphs::name_to_text(n).map(String::into_boxed_str);
                }
            }
        }
        let tex = if base_name.is_none() && builtin.is_none() {
            tex_table(&lower)
        } else {
            None
        };
        if let Some(t) = &tex {
            for (slot, c) in table.iter_mut().zip(t.iter()) {
                *slot = c.map(|c| c.to_string().into_boxed_str());
            }
        }
        let base_table: Option<&[Option<char>; 256]> = match base_name {
            _ if builtin.is_some() || tex.is_some() => None,
            Some(b"WinAnsiEncoding") => Some(winansi_table()),
            Some(b"MacRomanEncoding") => Some(macroman_table()),
            Some(b"StandardEncoding") => Some(standard_table()),
            Some(b"PDFDocEncoding") => Some(pdfdoc_table()),
            _ if lower.contains("symbol") || lower.contains("dingbat") => None,
            _ if symbolic && differences.is_none() => None,
            _ => Some(standard_table()),
        };
        if let Some(t) = base_table {
            for (i, c) in t.iter().enumerate() {
                table[i] = c.map(|c| c.to_string().into_boxed_str());
            }
        }
        if let Some(diffs) = differences {
            let mut code: i64 = 0;
            for o in diffs {
                match deref(doc, o) {
                    Object::Integer(c) => code = *c,
                    Object::Name(n) => {
                        if (0..256).contains(&code) {
                            table[code as usize] =
                                glyphs::name_to_text(n).map(String::into_boxed_str);
                        }
                        code += 1;
                    }
                    _ => {}
                }
            }
        }
        let mut any_tu = false;
        if let Some(tu) = &to_unicode {
            for code in 0..256u32 {
                if let Some(s) = tu.get(1, code).or_else(|| tu.get(2, code))
                    && !s.is_empty()
                    && !s.chars().all(|c| c == '\u{fffd}' || c == '\0')
                {
                    table[code as usize] = Some(s.to_string().into_boxed_str());
                    any_tu = true;
                }
            }
        }
        // Symbolic TrueType fonts without a mapping often use the F0xx range:
        // nothing to do here without the font program.
        if base_table.is_none()
            && differences.is_none()
            && builtin.is_none()
            && tex.is_none()
            && !any_tu
            && lower.contains("symbol")
        {
            table[0xb7] = Some("•".into());
        }
        let unmapped = !any_tu
            && base_table.is_none()
            && differences.is_none()
            && builtin.is_none()
            && tex.is_none();
        for slot in table.iter_mut() {
            if let Some(s) = slot {
                let n = normalize_glyph_text(s);
                *slot = n.map(String::into_boxed_str);
            }
        }

        // Widths.
        let mut widths = vec![f32::NAN; 256];
        let first = get_num(doc, dict, b"FirstChar").unwrap_or(0.0) as i64;
        let mut scale = 1.0;
        if type3
            && let Some(Object::Array(m)) = get(doc, dict, b"FontMatrix")
            && let Some(a) = m.first().and_then(|o| num(deref(doc, o)))
        {
            scale = a * 1000.0;
        }
        if let Some(Object::Array(ws)) = get(doc, dict, b"Widths") {
            for (i, w) in ws.iter().enumerate() {
                let code = first + i as i64;
                if (0..256).contains(&code)
                    && let Some(w) = num(deref(doc, w))
                {
                    widths[code as usize] = w * scale;
                }
            }
        }
        let missing = descriptor
            .and_then(|fd| get_num(doc, fd, b"MissingWidth"))
            .filter(|w| *w > 0.0);
        let std = std14_widths(&lower);
        for (i, w) in widths.iter_mut().enumerate() {
            if w.is_nan() {
                *w = missing.unwrap_or_else(|| {
                    let ch = table[i].as_deref().and_then(|s| s.chars().next());
                    std(ch)
                });
            }
        }
        Font {
            name,
            bold,
            italic,
            composite: false,
            simple_map: table,
            simple_widths: widths,
            cid_map: CodeMap::default(),
            cid_widths: CodeMap::default(),
            default_width: 500.0,
            codespace: Vec::new(),
            ucs2: false,
            unmapped,
        }
    }

    fn load_composite(
        doc: &Document,
        dict: &Dictionary,
        name: String,
        to_unicode: Option<ToUnicode>,
    ) -> Font {
        let descendant = match get(doc, dict, b"DescendantFonts") {
            Some(Object::Array(a)) => a.first().map(|o| deref(doc, o)).and_then(|o| match o {
                Object::Dictionary(d) => Some(d),
                _ => None,
            }),
            _ => None,
        };
        let descriptor = descendant.and_then(|d| get_dict(doc, d, b"FontDescriptor"));
        let (bold, italic) = Self::style(doc, &name, descriptor);
        let enc = get_name(doc, dict, b"Encoding").unwrap_or(b"");
        let ucs2 = to_unicode.is_none()
            && (enc.windows(4).any(|w| w == b"UCS2") || enc.windows(5).any(|w| w == b"UTF16"));
        let mut cid_map = CodeMap::default();
        let mut codespace = Vec::new();
        if let Some(tu) = to_unicode {
            codespace = tu.codespace.clone();
            if codespace.is_empty() || enc.starts_with(b"Identity") {
                codespace = vec![(2, 0, 0xffff)];
            }
            for ((_, code), text) in tu.map {
                if let Some(n) = normalize_glyph_text(&text) {
                    cid_map.insert(code, n.into_boxed_str());
                }
            }
        }
        let unmapped = cid_map.is_empty() && !ucs2;
        let mut cid_widths = CodeMap::default();
        let mut default_width = 1000.0;
        if let Some(d) = descendant {
            if let Some(dw) = get_num(doc, d, b"DW") {
                default_width = dw;
            }
            if let Some(Object::Array(w)) = get(doc, d, b"W") {
                parse_w_array(doc, w, &mut cid_widths);
            }
        }
        Font {
            name,
            bold,
            italic,
            composite: true,
            simple_map: Vec::new(),
            simple_widths: Vec::new(),
            cid_map,
            cid_widths,
            default_width,
            codespace,
            ucs2,
            unmapped,
        }
    }
}

/// Approximate built-in encodings of TeX fonts whose program (CFF) carries
/// the encoding: OT1 for Computer Modern text fonts (`CMR10`, `CMBX12`,
/// `CMMI10` letters), T1 (Cork) for EC/`SF*` fonts. `None` for symbol and
/// extension fonts (`CMSY`, `CMEX`, `MSAM`, `MSBM`): no guessing there.
fn tex_table(lower: &str) -> Option<[Option<char>; 256]> {
    let cm = lower.starts_with("cm") || lower.starts_with("lmr") || lower.starts_with("lmroman");
    let t1 = lower.starts_with("sf") || lower.starts_with("ec") || lower.starts_with("tc");
    if lower.starts_with("cmsy") || lower.starts_with("cmbsy") {
        return Some(oms_table());
    }
    if (!cm && !t1) || lower.starts_with("cmex") {
        return None;
    }
    let mut t = [None; 256];
    for c in 0x21u8..=0x7e {
        t[c as usize] = Some(c as char);
    }
    if cm {
        for (code, ch) in [
            (0x0b, '\u{fb00}'),
            (0x0c, '\u{fb01}'),
            (0x0d, '\u{fb02}'),
            (0x0e, '\u{fb03}'),
            (0x0f, '\u{fb04}'),
            (0x10, 'ı'),
            (0x19, 'ß'),
            (0x1a, 'æ'),
            (0x1b, 'œ'),
            (0x1c, 'ø'),
            (0x1d, 'Æ'),
            (0x1e, 'Œ'),
            (0x1f, 'Ø'),
            (0x22, '\u{201d}'),
            (0x3c, '¡'),
            (0x3e, '¿'),
            (0x5c, '\u{201c}'),
            (0x7b, '\u{2013}'),
            (0x7c, '\u{2014}'),
        ] {
            t[code] = Some(ch);
        }
        if lower.starts_with("cmtt") {
            t[0x22] = Some('"');
            t[0x5c] = Some('\\');
            t[0x7b] = Some('{');
            t[0x7c] = Some('|');
        }
        if lower.starts_with("cmmi") {
            // Math italic: letters, digits, Greek, a few symbols.
            for (i, slot) in t.iter_mut().enumerate() {
                if !(i as u8).is_ascii_alphanumeric() {
                    *slot = None;
                }
            }
            let greek = "ΓΔΘΛΞΠΣΥΦΨΩαβγδϵζηθικλμνξπρστυϕχψωεϑϖϱςφ";
            for (k, ch) in greek.chars().enumerate() {
                t[k] = Some(ch);
            }
            for (code, ch) in [
                (0x3a, '.'),
                (0x3b, ','),
                (0x3c, '<'),
                (0x3d, '/'),
                (0x3e, '>'),
                (0x3f, '⋆'),
                (0x40, '∂'),
                (0x60, 'ℓ'),
            ] {
                t[code] = Some(ch);
            }
        }
    } else {
        for c in 0xc0u8..=0xff {
            t[c as usize] = char::from_u32(c as u32);
        }
        for (code, ch) in [
            (0x10, '\u{201c}'),
            (0x11, '\u{201d}'),
            (0x12, '\u{201e}'),
            (0x15, '\u{2013}'),
            (0x16, '\u{2014}'),
            (0x1b, '\u{fb00}'),
            (0x1c, '\u{fb01}'),
            (0x1d, '\u{fb02}'),
            (0x1e, '\u{fb03}'),
            (0x1f, '\u{fb04}'),
            (0x27, '\u{2019}'),
            (0x60, '\u{2018}'),
            (0xd7, 'Œ'),
            (0xf7, 'œ'),
            (0xff, 'ß'),
        ] {
            t[code] = Some(ch);
        }
        t[0xdf] = None;
    }
    Some(t)
}

/// TeX math symbols (OMS encoding, `CMSY`), codes 0–127.
fn oms_table() -> [Option<char>; 256] {
    const OMS: &str = "−·×∗÷⋄±∓⊕⊖⊗⊘⊙◯◦•≍≡⊆⊇≤≥⪯⪰∼≈⊂⊃≪≫≺≻←→↑↓↔↗↘≃⇐⇒⇑⇓⇔↖↙∝′∞∈∋△▽/↦∀∃¬∅ℜℑ⊤⊥ℵABCDEFGHIJKLMNOPQRSTUVWXYZ∪∩⊎∧∨⊢⊣⌊⌋⌈⌉{}⟨⟩|‖↕⇕\\≀√⨿∇∫⊔⊓⊑⊒§†‡¶♣♦♥♠";
    let mut t = [None; 256];
    for (k, ch) in OMS.chars().enumerate().take(128) {
        t[k] = Some(ch);
    }
    t
}

/// The built-in encoding of an embedded Type1 font program (`/FontFile`):
/// the `dup CODE /name put` entries of its clear-text part.
fn builtin_encoding(
    doc: &Document,
    fd: &Dictionary,
    max_bytes: usize,
) -> Option<Vec<Option<Vec<u8>>>> {
    let Some(Object::Stream(s)) = get(doc, fd, b"FontFile") else {
        return None;
    };
    let data = s
        .decompressed_content_with_limit(max_bytes)
        .ok()
        .unwrap_or_else(|| s.content.clone());
    let clear_len = get_num(doc, &s.dict, b"Length1")
        .map(|l| l.max(0.0) as usize)
        .unwrap_or(data.len())
        .min(data.len());
    let clear = &data[..clear_len];
    let clear = match clear.windows(6).position(|w| w == b"eexec") {
        Some(p) => &clear[..p],
        None => clear,
    };
    let enc_at = clear.windows(9).position(|w| w == b"/Encoding")?;
    let rest = &clear[enc_at..];
    if rest.starts_with(b"/Encoding StandardEncoding") {
        return None;
    }
    let mut table: Vec<Option<Vec<u8>>> = vec![None; 256];
    let toks: Vec<&[u8]> = rest
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .take(4096)
        .collect();
    let mut any = false;
    for w in toks.windows(4) {
        if w[0] == b"dup"
            && w[3] == b"put"
            && w[2].starts_with(b"/")
            && let Some(code) = std::str::from_utf8(w[1])
                .ok()
                .and_then(|c| c.parse::<usize>().ok())
            && code < 256
        {
            table[code] = Some(w[2][1..].to_vec());
            any = true;
        }
        if w[0] == b"readonly" || w[0] == b"def" && any {
            break;
        }
    }
    any.then_some(table)
}

/// `/W` array: `c [w1 w2 ...]` or `cfirst clast w`. Capped against hostile ranges.
fn parse_w_array(doc: &Document, w: &[Object], out: &mut CodeMap<f32>) {
    const CAP: usize = 1 << 17;
    let mut i = 0;
    while i < w.len() && out.len() < CAP {
        let Some(first) = num(deref(doc, &w[i])) else {
            i += 1;
            continue;
        };
        let first = first.max(0.0) as u32;
        match w.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(ws)) => {
                for (k, x) in ws.iter().enumerate() {
                    if let Some(x) = num(deref(doc, x)) {
                        out.insert(first.saturating_add(k as u32), x);
                    }
                }
                i += 2;
            }
            Some(o) => {
                let last = num(o).unwrap_or(first as f32).max(0.0) as u32;
                let width = w
                    .get(i + 2)
                    .and_then(|o| num(deref(doc, o)))
                    .unwrap_or(1000.0);
                let last = last.min(first.saturating_add(CAP as u32));
                for c in first..=last {
                    out.insert(c, width);
                }
                i += 3;
            }
            None => break,
        }
    }
}

/// "ABCDEF+Arial-BoldMT" → "Arial-BoldMT".
pub fn strip_subset(name: &str) -> &str {
    match name.split_once('+') {
        Some((prefix, rest))
            if prefix.len() == 6 && prefix.bytes().all(|b| b.is_ascii_uppercase()) =>
        {
            rest
        }
        _ => name,
    }
}

/// Map ligatures and presentation forms to plain letters (NFKC on those only),
/// drop control characters, turn no-break space into space and soft hyphen
/// into a hyphen. `None` when nothing printable remains.
pub fn normalize_glyph_text(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{3000}' => out.push(' '),
            '\u{ad}' => out.push('-'),
            '\u{feff}' | '\u{200b}'..='\u{200d}' => {}
            // Word's Symbol/Wingdings bullets mapped to the private use area.
            '\u{f0b7}' | '\u{f06c}' | '\u{f09f}' => out.push('•'),
            '\u{f0a7}' | '\u{f06e}' => out.push('▪'),
            '\u{f06f}' | '\u{f071}' => out.push('□'),
            '\u{f0d8}' => out.push('➢'),
            '\u{f0fc}' => out.push('✓'),
            '\u{fb00}'..='\u{fdff}' | '\u{fe70}'..='\u{fefe}' => {
                out.extend(std::iter::once(c).nfkc().filter(|c| !c.is_control()))
            }
            c if c.is_control() && c != '\t' => {}
            '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    if out.is_empty() { None } else { Some(out) }
}

fn table_from_lopdf(name: &[u8]) -> [Option<char>; 256] {
    let mut t = [None; 256];
    let doc = Document::new();
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"Font".to_vec()));
    d.set("Encoding", Object::Name(name.to_vec()));
    if let Ok(enc) = d.get_font_encoding(&doc) {
        for (i, slot) in t.iter_mut().enumerate() {
            if let Ok(s) = enc.bytes_to_string(&[i as u8]) {
                let mut cs = s.chars();
                if let (Some(c), None) = (cs.next(), cs.next()) {
                    *slot = Some(c);
                }
            }
        }
    }
    t
}

pub(crate) fn winansi_table() -> &'static [Option<char>; 256] {
    static T: OnceLock<[Option<char>; 256]> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = table_from_lopdf(b"WinAnsiEncoding");
        // WinAnsi prints 0xA0 as space and 0xAD as a hyphen.
        t[0xa0] = Some(' ');
        t[0xad] = Some('-');
        t
    })
}
pub(crate) fn macroman_table() -> &'static [Option<char>; 256] {
    static T: OnceLock<[Option<char>; 256]> = OnceLock::new();
    T.get_or_init(|| table_from_lopdf(b"MacRomanEncoding"))
}
pub(crate) fn standard_table() -> &'static [Option<char>; 256] {
    static T: OnceLock<[Option<char>; 256]> = OnceLock::new();
    T.get_or_init(|| table_from_lopdf(b"StandardEncoding"))
}
pub(crate) fn pdfdoc_table() -> &'static [Option<char>; 256] {
    static T: OnceLock<[Option<char>; 256]> = OnceLock::new();
    T.get_or_init(|| table_from_lopdf(b"PDFDocEncoding"))
}

/// Approximate standard-14 widths (per mille of the font size) for fonts
/// without `/Widths`.
fn std14_widths(lower_name: &str) -> fn(Option<char>) -> f32 {
    if lower_name.contains("courier") || lower_name.contains("mono") {
        |_| 600.0
    } else if lower_name.contains("times")
        || lower_name.contains("serif") && !lower_name.contains("sans")
    {
        times_width
    } else {
        helvetica_width
    }
}

fn helvetica_width(c: Option<char>) -> f32 {
    const W: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
        278, // ' '../
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
        278, 278, 584, 584, 584, 556, 1015, // :..@
        667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722,
        667, 611, 722, 667, 944, 667, 667, 611, // A-Z
        278, 278, 278, 469, 556, 333, // [..`
        556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333,
        500, 278, 556, 500, 722, 500, 500, 500, // a-z
        334, 260, 334, 584,
    ];
    ascii_width(&W, c, 556.0)
}

fn times_width(c: Option<char>) -> f32 {
    const W: [u16; 95] = [
        250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250,
        278, // ' '../
        500, 500, 500, 500, 500, 500, 500, 500, 500, 500, // 0-9
        278, 278, 564, 564, 564, 444, 921, // :..@
        722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667,
        556, 611, 722, 722, 944, 722, 722, 611, // A-Z
        333, 278, 333, 469, 500, 333, // [..`
        444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333,
        389, 278, 500, 500, 722, 500, 500, 444, // a-z
        480, 200, 480, 541,
    ];
    ascii_width(&W, c, 500.0)
}

fn ascii_width(w: &[u16; 95], c: Option<char>, other: f32) -> f32 {
    match c {
        Some(c) if (' '..='~').contains(&c) => w[c as usize - 32] as f32,
        Some('\u{2019}' | '\u{2018}') => w[(b',' - 32) as usize] as f32,
        _ => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_prefix_removed() {
        assert_eq!(strip_subset("ABCDEF+Arial-BoldMT"), "Arial-BoldMT");
        assert_eq!(strip_subset("Abcdef+X"), "Abcdef+X");
        assert_eq!(strip_subset("Helvetica"), "Helvetica");
    }

    #[test]
    fn ligatures_normalised() {
        assert_eq!(normalize_glyph_text("\u{fb01}").as_deref(), Some("fi"));
        assert_eq!(normalize_glyph_text("\u{fb03}").as_deref(), Some("ffi"));
        assert_eq!(normalize_glyph_text("\u{0}"), None);
        assert_eq!(normalize_glyph_text("é").as_deref(), Some("é"));
    }

    #[test]
    fn tex_math_tables() {
        let oms = tex_table("cmsy10").expect("oms");
        assert_eq!(oms[0x32], Some('∈'));
        assert_eq!(oms[0x41], Some('A'));
        assert_eq!(oms[0x66], Some('{'));
        assert_eq!(oms[0x7f], Some('♠'));
        let mmi = tex_table("cmmi10").expect("cmmi");
        assert_eq!(mmi[0x0b], Some('α'));
        assert_eq!(mmi[0x27], Some('φ'));
        assert_eq!(mmi[b'x' as usize], Some('x'));
        assert!(tex_table("cmex10").is_none());
        assert_eq!(tex_table("cmr10").expect("ot1")[0x0c], Some('\u{fb01}'));
    }

    #[test]
    fn base_tables_from_lopdf() {
        assert_eq!(winansi_table()[b'A' as usize], Some('A'));
        assert_eq!(winansi_table()[0x93], Some('\u{201c}'));
        assert_eq!(standard_table()[0x27], Some('\u{2019}'));
        assert_eq!(macroman_table()[0x8e], Some('é'));
    }
}
