//! ToUnicode CMap parser: `begincodespacerange`, `beginbfchar` and
//! `beginbfrange` (both the incrementing form and the array form), with
//! multi-byte codes. Tolerant of junk; hostile ranges are capped.

use std::collections::HashMap;

/// Max mappings kept from one CMap (hostile `bfrange` spans are cut here).
const MAX_ENTRIES: usize = 1 << 17;

/// A parsed ToUnicode CMap.
#[derive(Debug, Clone, Default)]
pub struct ToUnicode {
    /// (code byte length, code) → text.
    pub map: HashMap<(u8, u32), String>,
    /// (byte length, low, high) codespace ranges.
    pub codespace: Vec<(u8, u32, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Hex(Vec<u8>),
    Name(&'a [u8]),
    Word(&'a [u8]),
    ArrOpen,
    ArrClose,
}

fn tokenize(data: &[u8]) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        match b {
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if data.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if data.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                let mut bytes = Vec::new();
                let mut hi: Option<u8> = None;
                i += 1;
                while i < data.len() && data[i] != b'>' {
                    let v = match data[i] {
                        c @ b'0'..=b'9' => Some(c - b'0'),
                        c @ b'a'..=b'f' => Some(c - b'a' + 10),
                        c @ b'A'..=b'F' => Some(c - b'A' + 10),
                        _ => None,
                    };
                    if let Some(v) = v {
                        match hi.take() {
                            Some(h) => bytes.push(h << 4 | v),
                            None => hi = Some(v),
                        }
                    }
                    i += 1;
                }
                if let Some(h) = hi {
                    bytes.push(h << 4);
                }
                i += 1;
                out.push(Tok::Hex(bytes));
                continue;
            }
            b'[' => {
                out.push(Tok::ArrOpen);
                i += 1;
            }
            b']' => {
                out.push(Tok::ArrClose);
                i += 1;
            }
            b'(' => {
                // Literal strings are not used for mappings we care about; skip.
                let mut depth = 0;
                while i < data.len() {
                    match data[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            b'/' => {
                let s = i + 1;
                i += 1;
                while i < data.len() && !is_delim(data[i]) {
                    i += 1;
                }
                out.push(Tok::Name(&data[s..i]));
            }
            c if c.is_ascii_whitespace() || c == 0 => i += 1,
            _ => {
                let s = i;
                while i < data.len() && !is_delim(data[i]) {
                    i += 1;
                }
                if i == s {
                    i += 1;
                } else {
                    out.push(Tok::Word(&data[s..i]));
                }
            }
        }
    }
    out
}

fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(b, b'/' | b'[' | b']' | b'<' | b'>' | b'(' | b')' | b'%' | 0)
}

fn code_of(bytes: &[u8]) -> Option<(u8, u32)> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    Some((
        bytes.len() as u8,
        bytes.iter().fold(0u32, |a, &b| a << 8 | b as u32),
    ))
}

fn utf16_text(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| {
            if c.len() == 2 {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                c[0] as u16
            }
        })
        .collect();
    String::from_utf16_lossy(&units)
}

/// Add `n` to the last UTF-16 unit of `dst` (bfrange incrementing form).
fn incremented(dst: &[u8], n: u32) -> String {
    let mut units: Vec<u16> = dst
        .chunks(2)
        .map(|c| {
            if c.len() == 2 {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                c[0] as u16
            }
        })
        .collect();
    if let Some(last) = units.last_mut() {
        *last = last.wrapping_add(n as u16);
    }
    String::from_utf16_lossy(&units)
}

impl ToUnicode {
    /// Parse a CMap stream. Never fails: what cannot be read is skipped.
    pub fn parse(data: &[u8]) -> ToUnicode {
        let toks = tokenize(data);
        let mut cm = ToUnicode::default();
        let mut i = 0;
        while i < toks.len() {
            match &toks[i] {
                Tok::Word(b"begincodespacerange") => {
                    i += 1;
                    while i + 1 < toks.len() {
                        match (&toks[i], &toks[i + 1]) {
                            (Tok::Hex(lo), Tok::Hex(hi)) => {
                                if let (Some((n, lo)), Some((_, hi))) = (code_of(lo), code_of(hi)) {
                                    cm.codespace.push((n, lo, hi));
                                }
                                i += 2;
                            }
                            _ => break,
                        }
                    }
                }
                Tok::Word(b"beginbfchar") => {
                    i += 1;
                    while i + 1 < toks.len() && cm.map.len() < MAX_ENTRIES {
                        match (&toks[i], &toks[i + 1]) {
                            (Tok::Hex(src), dst @ (Tok::Hex(_) | Tok::Name(_))) => {
                                if let Some(key) = code_of(src) {
                                    let text = match dst {
                                        Tok::Hex(d) => Some(utf16_text(d)),
                                        Tok::Name(n) => super::glyphs::name_to_text(n),
                                        _ => None,
                                    };
                                    if let Some(t) = text {
                                        cm.map.insert(key, t);
                                    }
                                }
                                i += 2;
                            }
                            _ => break,
                        }
                    }
                }
                Tok::Word(b"beginbfrange") => {
                    i += 1;
                    while i + 2 < toks.len() && cm.map.len() < MAX_ENTRIES {
                        let (Tok::Hex(lo), Tok::Hex(hi)) = (&toks[i], &toks[i + 1]) else {
                            break;
                        };
                        let (Some((n, lo)), Some((_, hi))) = (code_of(lo), code_of(hi)) else {
                            i += 3;
                            continue;
                        };
                        let hi = hi.min(lo.saturating_add(MAX_ENTRIES as u32));
                        match &toks[i + 2] {
                            Tok::Hex(dst) => {
                                if hi >= lo {
                                    for k in 0..=(hi - lo) {
                                        cm.map.insert((n, lo + k), incremented(dst, k));
                                    }
                                }
                                i += 3;
                            }
                            Tok::ArrOpen => {
                                let mut j = i + 3;
                                let mut k = 0u32;
                                while j < toks.len() {
                                    match &toks[j] {
                                        Tok::Hex(d) => {
                                            if let Some(code) =
                                                lo.checked_add(k).filter(|c| *c <= hi)
                                            {
                                                cm.map.insert((n, code), utf16_text(d));
                                            }
                                            k = k.saturating_add(1);
                                        }
                                        Tok::Name(nm) => {
                                            if let Some(code) =
                                                lo.checked_add(k).filter(|c| *c <= hi)
                                                && let Some(t) = super::glyphs::name_to_text(nm)
                                            {
                                                cm.map.insert((n, code), t);
                                            }
                                            k = k.saturating_add(1);
                                        }
                                        Tok::ArrClose => break,
                                        _ => break,
                                    }
                                    j += 1;
                                }
                                i = j + 1;
                            }
                            _ => break,
                        }
                    }
                }
                _ => i += 1,
            }
        }
        cm
    }

    /// Text for a code of `len` bytes.
    pub fn get(&self, len: u8, code: u32) -> Option<&str> {
        self.map.get(&(len, code)).map(|s| s.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CMAP: &str = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
        1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
        2 beginbfchar <0003> <0020> <0011> <00660069> endbfchar\n\
        2 beginbfrange <0024> <0026> <0041> <0030> <0031> [<0078> <D83DDE00>] endbfrange\n\
        endcmap CMapName currentdict /CMap defineresource pop end end";

    #[test]
    fn parses_bfchar_and_both_bfrange_forms() {
        let cm = ToUnicode::parse(CMAP.as_bytes());
        assert_eq!(cm.codespace, vec![(2, 0, 0xffff)]);
        assert_eq!(cm.get(2, 3), Some(" "));
        assert_eq!(cm.get(2, 0x11), Some("fi"));
        assert_eq!(cm.get(2, 0x24), Some("A"));
        assert_eq!(cm.get(2, 0x26), Some("C"));
        assert_eq!(cm.get(2, 0x30), Some("x"));
        assert_eq!(cm.get(2, 0x31), Some("\u{1F600}"));
        assert_eq!(cm.get(2, 0x27), None);
    }

    #[test]
    fn array_range_at_the_top_of_the_code_space() {
        let cm = ToUnicode::parse(
            b"1 beginbfrange <FFFFFFFE> <FFFFFFFF> [<0041> <0042> <0043>] endbfrange",
        );
        assert_eq!(cm.get(4, 0xffff_ffff), Some("B"));
        assert_eq!(cm.map.len(), 2);
    }

    #[test]
    fn hostile_range_is_capped() {
        let cm = ToUnicode::parse(b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange");
        assert!(cm.map.len() <= MAX_ENTRIES + 1);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = ToUnicode::parse(&data);
        }
    }
}
