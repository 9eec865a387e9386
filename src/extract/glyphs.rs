//! Glyph names → Unicode text: the Adobe Glyph List (through lopdf's
//! table), `uniXXXX` / `uXXXX[XX]` names, ligature names (`fi`, `f_f_i`),
//! and suffixed variants (`a.sc`, `one.oldstyle`).

use lopdf::{Dictionary, Document, Encoding, Object};

/// Text for a glyph name, or `None` when the name carries no meaning
/// (`.notdef`, `g123`, `cid45`).
pub fn name_to_text(name: &[u8]) -> Option<String> {
    if name.is_empty() || name.len() > 128 || name.starts_with(b".") {
        return None;
    }
    // Variant suffix: "a.sc" → "a".
    let base = match name.iter().position(|&b| b == b'.') {
        Some(p) => &name[..p],
        None => name,
    };
    match base {
        b"ff" => return Some("ff".into()),
        b"fi" => return Some("fi".into()),
        b"fl" => return Some("fl".into()),
        b"ffi" => return Some("ffi".into()),
        b"ffl" => return Some("ffl".into()),
        b"st" | b"s_t" => return Some("st".into()),
        _ => {}
    }
    if base.contains(&b'_') {
        let mut out = String::new();
        for part in base.split(|&b| b == b'_') {
            out.push_str(&single(part)?);
        }
        return Some(out);
    }
    single(base)
}

fn hex_val(s: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(s).ok()?;
    u32::from_str_radix(s, 16).ok()
}

fn single(name: &[u8]) -> Option<String> {
    if let Some(rest) = name.strip_prefix(b"uni")
        && !rest.is_empty()
        && rest.len() % 4 == 0
        && rest.iter().all(|b| b.is_ascii_hexdigit())
    {
        let units: Vec<u16> = rest
            .chunks(4)
            .filter_map(hex_val)
            .map(|v| v as u16)
            .collect();
        let s = String::from_utf16(&units).ok()?;
        return if s.is_empty() { None } else { Some(s) };
    }
    if let Some(rest) = name.strip_prefix(b"u")
        && (4..=6).contains(&rest.len())
        && rest.iter().all(|b| b.is_ascii_hexdigit())
    {
        return hex_val(rest).and_then(char::from_u32).map(String::from);
    }
    agl(name).map(String::from)
}

/// Look a name up in lopdf's Adobe Glyph List by building a one-entry
/// `/Differences` encoding.
fn agl(name: &[u8]) -> Option<char> {
    let doc = Document::new();
    let mut enc = Dictionary::new();
    enc.set(
        "Differences",
        Object::Array(vec![Object::Integer(65), Object::Name(name.to_vec())]),
    );
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Encoding", Object::Dictionary(enc));
    match font.get_font_encoding(&doc) {
        Ok(e @ Encoding::Differences(_)) => {
            let s = e.bytes_to_string(&[65]).ok()?;
            let mut cs = s.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name_to_text(b"A").as_deref(), Some("A"));
        assert_eq!(name_to_text(b"quoteright").as_deref(), Some("\u{2019}"));
        assert_eq!(name_to_text(b"eacute").as_deref(), Some("é"));
        assert_eq!(name_to_text(b"uni0041").as_deref(), Some("A"));
        assert_eq!(name_to_text(b"uni00660069").as_deref(), Some("fi"));
        assert_eq!(name_to_text(b"u1F600").as_deref(), Some("\u{1F600}"));
        assert_eq!(name_to_text(b"fi").as_deref(), Some("fi"));
        assert_eq!(name_to_text(b"f_f_i").as_deref(), Some("ffi"));
        assert_eq!(name_to_text(b"a.sc").as_deref(), Some("a"));
        assert_eq!(name_to_text(b".notdef"), None);
        assert_eq!(name_to_text(b"g123"), None);
    }
}
