//! Over-long passages: a unit (paragraph, list item, table row, or a
//! "heading" no heading is this long) whose text is longer than
//! [`MAX_PASSAGE_BYTES`] is cut into several, at sentence ends where it has
//! them, at a space inside a longer sentence, and at a character boundary
//! only in a run of text with no space at all. Every later stage (tagging,
//! recommendations, the index) then works on pieces of bounded size: one
//! 50 MB line of text is some thousands of passages, not one.
//!
//! Real reviews and coroners' reports stay whole: their longest paragraphs
//! are about 10 KB (measured over the shared corpus and the coroners'
//! reports), well under the bound.

use super::{Unit, sentences};
use crate::model::{PassageKind, Warning};

/// The most bytes of text one passage holds.
pub const MAX_PASSAGE_BYTES: usize = 16 * 1024;

/// Cut every unit longer than `max` bytes into units of at most `max`
/// bytes. Returns the units and, when any was cut, one warning saying how
/// many and where the first was.
pub(super) fn split_long(units: Vec<Unit>, max: usize) -> (Vec<Unit>, Option<Warning>) {
    if units.iter().all(|u| u.text.len() <= max) {
        return (units, None);
    }
    let mut out = Vec::with_capacity(units.len());
    let (mut cut, mut pieces, mut first_page, mut longest) = (0usize, 0usize, None, 0usize);
    for u in units {
        if u.text.len() <= max {
            out.push(u);
            continue;
        }
        cut += 1;
        longest = longest.max(u.text.len());
        first_page.get_or_insert(u.page as u32 + 1);
        let before = out.len();
        out.extend(pieces_of(u, max));
        pieces += out.len() - before;
    }
    let warning = Warning {
        page: first_page,
        message: format!(
            "{cut} passage{s} longer than {max_kb} KB (the longest {longest_kb} KB) cut into \
             {pieces} passages at sentence ends (at spaces inside longer sentences)",
            s = if cut == 1 { "" } else { "s" },
            max_kb = max / 1024,
            longest_kb = longest.div_ceil(1024),
        ),
    };
    (out, Some(warning))
}

/// The pieces of one over-long unit: the first keeps a list item's marker;
/// the others are paragraphs; a table row's pieces lose its columns.
fn pieces_of(u: Unit, max: usize) -> Vec<Unit> {
    let spans = cut_points(&u.text, max);
    let mut out = Vec::with_capacity(spans.len());
    // One pass over the page breaks (in text order) for all the pieces.
    let (mut next, mut page) = (0, u.page);
    for (i, &(s, e)) in spans.iter().enumerate() {
        while let Some(&(_, q)) = u.breaks.get(next).filter(|&&(off, _)| off <= s) {
            (page, next) = (q, next + 1);
        }
        let starts_on = page;
        let mut breaks = vec![];
        while let Some(&(off, q)) = u.breaks.get(next).filter(|&&(off, _)| off < e) {
            breaks.push((off - s, q));
            (page, next) = (q, next + 1);
        }
        let list_item = i == 0 && u.kind == PassageKind::ListItem;
        out.push(Unit {
            page: starts_on,
            text: u.text[s..e].to_string(),
            breaks,
            kind: if list_item {
                PassageKind::ListItem
            } else {
                PassageKind::Paragraph
            },
            marker: if list_item { u.marker.clone() } else { None },
            heading: None,
            style: u.style,
            cells: Vec::new(),
            table: None,
        });
    }
    out
}

/// Byte spans of `text` (whitespace trimmed, never empty, each at most
/// `max` bytes long), cut at the last sentence end that fits, else at the
/// last space that fits, else at the last character boundary that fits.
pub(super) fn cut_points(text: &str, max: usize) -> Vec<(usize, usize)> {
    let max = max.max(4);
    let ends: Vec<usize> = sentences::split(text, 0).iter().map(|s| s.end).collect();
    let mut out = vec![];
    let mut start = 0;
    loop {
        start += text[start..].len() - text[start..].trim_start().len();
        if start >= text.len() {
            break;
        }
        let end = if text.len() - start <= max {
            text.len()
        } else {
            let limit = start + max;
            let k = ends.partition_point(|&e| e <= limit);
            match ends.get(k.wrapping_sub(1)).filter(|&&e| e > start) {
                Some(&e) => e,
                None => {
                    let mut lim = limit;
                    while !text.is_char_boundary(lim) {
                        lim -= 1;
                    }
                    match text[start..lim].rfind(char::is_whitespace) {
                        Some(i) if i > 0 => start + i,
                        _ => lim,
                    }
                }
            }
        };
        let piece = text[start..end].trim_end();
        if !piece.is_empty() {
            out.push((start, start + piece.len()));
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pieces(text: &str, max: usize) -> Vec<&str> {
        cut_points(text, max)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn cuts_at_sentence_ends_first() {
        let t = "One short sentence here. Another short one. A third sentence.";
        assert_eq!(
            pieces(t, 45),
            [
                "One short sentence here. Another short one.",
                "A third sentence."
            ]
        );
    }

    #[test]
    fn a_sentence_longer_than_the_bound_is_cut_at_spaces() {
        let t = "aaaa bbbb cccc dddd eeee";
        assert_eq!(pieces(t, 10), ["aaaa bbbb", "cccc dddd", "eeee"]);
    }

    #[test]
    fn text_without_spaces_is_cut_on_character_boundaries() {
        let t = "ŵŵŵŵŵŵŵ"; // two bytes each
        assert_eq!(pieces(t, 5), ["ŵŵ", "ŵŵ", "ŵŵ", "ŵ"]);
    }

    /// A list item over a page break: the first piece keeps the marker;
    /// each piece starts on the page its first word is on and keeps the
    /// page breaks inside it.
    #[test]
    fn pieces_keep_their_pages_and_the_first_its_marker() {
        let text = "Aaaa bbbb. Cccc dddd. Eeee ffff.".to_string();
        let unit = Unit {
            page: 2,
            breaks: vec![
                (text.find("dddd").unwrap(), 3),
                (text.find("Eeee").unwrap(), 4),
            ],
            text,
            kind: PassageKind::ListItem,
            marker: Some("1.".into()),
            heading: None,
            style: Default::default(),
            cells: vec!["x".into()],
            table: None,
        };
        let (units, warning) = split_long(vec![unit], 11);
        let got: Vec<_> = units
            .iter()
            .map(|u| {
                (
                    u.text.as_str(),
                    u.page,
                    u.breaks.clone(),
                    u.kind,
                    u.marker.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Aaaa bbbb.",
                    2,
                    vec![],
                    PassageKind::ListItem,
                    Some("1.".into())
                ),
                ("Cccc dddd.", 2, vec![(5, 3)], PassageKind::Paragraph, None),
                ("Eeee ffff.", 4, vec![], PassageKind::Paragraph, None),
            ]
        );
        assert!(units.iter().all(|u| u.cells.is_empty()));
        let warning = warning.unwrap();
        assert_eq!(warning.page, Some(3));
        assert!(
            warning.message.starts_with("1 passage longer than 0 KB"),
            "{}",
            warning.message
        );
    }

    fn wordy() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "word",
                "ŵyr",
                "Dr.",
                "end.",
                "e.g.",
                " ",
                "  ",
                "\n",
                "x",
                "long-long-long",
            ]),
            0..200,
        )
        .prop_map(|w| w.join(""))
    }

    proptest! {
        /// The pieces are in order, within the bound, on character
        /// boundaries, and together hold every non-space character.
        #[test]
        fn pieces_cover_the_text_within_the_bound(text in wordy(), max in 4usize..64) {
            let spans = cut_points(&text, max);
            let mut last = 0;
            for &(s, e) in &spans {
                prop_assert!(last <= s && s < e && e - s <= max);
                prop_assert!(text[last..s].trim().is_empty());
                last = e;
            }
            prop_assert!(text[last..].trim().is_empty());
        }
    }
}
