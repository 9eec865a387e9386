//! Sentence splitting: Unicode sentence boundaries (UAX #29, via
//! `unicode-segmentation`), re-joined where the break follows an abbreviation
//! ("Dr.", "e.g.", "Jan."), an initial ("A. B. Smith"), a reference ("para.
//! 6.2") or where the next piece starts lower case or with a digit.

use crate::model::Span;
use unicode_segmentation::UnicodeSegmentation;

/// Abbreviations that end with a full stop but do not end a sentence
/// (compared case-sensitively, without the final dot).
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "St", "No", "no", "Nos", "e.g", "i.e", "etc", "cf",
    "vs", "v", "approx", "para", "Para", "paras", "Fig", "fig", "Ref", "ref", "Jan", "Feb", "Mar",
    "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Rev", "Sgt", "Insp", "Det",
    "Supt", "PC", "DC", "DS", "Cllr", "Col", "Gen", "Lt", "Capt", "Jr", "Sr", "Ltd", "Co", "Inc",
    "al", "ch", "s", "ss", "p", "pp", "vol", "Vol", "art", "Art", "op", "cit", "ibid", "viz",
];

/// True when the piece (trimmed) ends with something that does not end a sentence.
fn ends_with_non_terminal(piece: &str) -> bool {
    let t = piece.trim_end();
    let Some(stem) = t.strip_suffix('.') else {
        return false;
    };
    let last_word = stem
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '“' || c == '"')
        .next()
        .unwrap_or("");
    if last_word.is_empty() {
        return false;
    }
    if ABBREVIATIONS.contains(&last_word) {
        return true;
    }
    // An initial: one upper-case letter ("A. B. Smith").
    let mut chars = last_word.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && c.is_uppercase()
    {
        return true;
    }
    // Dotted abbreviations "U.K.", "a.m."
    last_word.contains('.') && last_word.chars().filter(|c| c.is_alphabetic()).count() <= 4
}

/// True when the piece starts in a way no new sentence does.
fn starts_as_continuation(piece: &str) -> bool {
    piece
        .trim_start()
        .chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit() || matches!(c, ',' | ';' | ')'))
}

/// Sentence spans of `text`, offset by `base`, whitespace trimmed, never empty.
pub(crate) fn split(text: &str, base: usize) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut pending: Option<(usize, usize)> = None;
    for (i, piece) in text.split_sentence_bound_indices() {
        let end = i + piece.len();
        pending = match pending {
            Some((s, e)) => {
                let prev = &text[s..e];
                if ends_with_non_terminal(prev) || starts_as_continuation(piece) {
                    Some((s, end))
                } else {
                    push_trimmed(&mut out, text, s, e, base);
                    Some((i, end))
                }
            }
            None => Some((i, end)),
        };
    }
    if let Some((s, e)) = pending {
        push_trimmed(&mut out, text, s, e, base);
    }
    out
}

fn push_trimmed(out: &mut Vec<Span>, text: &str, s: usize, e: usize, base: usize) {
    let slice = &text[s..e];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    if lead + trail >= slice.len() {
        return;
    }
    out.push(Span {
        start: base + s + lead,
        end: base + e - trail,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sentences(t: &str) -> Vec<&str> {
        split(t, 0).iter().map(|s| &t[s.start..s.end]).collect()
    }

    #[test]
    fn abbreviations_and_dates() {
        assert_eq!(
            sentences("Mr. A saw Dr. B on 3 Jan. 2020. He left."),
            vec!["Mr. A saw Dr. B on 3 Jan. 2020.", "He left."]
        );
    }

    #[test]
    fn initials_refs_decimals() {
        assert_eq!(
            sentences(
                "See para. 6.2 and Fig. 3. The score rose to 3.5 in 2019. A. B. Smith agreed."
            ),
            vec![
                "See para. 6.2 and Fig. 3.",
                "The score rose to 3.5 in 2019.",
                "A. B. Smith agreed."
            ]
        );
        assert_eq!(
            sentences("Agencies (e.g. the police, i.e. the force) met. Then etc. Next one."),
            vec![
                "Agencies (e.g. the police, i.e. the force) met.",
                "Then etc. Next one."
            ]
        );
    }

    #[test]
    fn plain_split_and_offsets() {
        let t = "She was seen. Was she safe? Yes!";
        let s = split(t, 10);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0], Span { start: 10, end: 23 });
        assert_eq!(sentences("   "), Vec::<&str>::new());
    }

    proptest! {
        #[test]
        fn spans_are_ordered_trimmed_and_inside(t in "[A-Za-z .!?ŵé0-9]{0,80}") {
            let spans = split(&t, 0);
            let mut last = 0;
            for s in spans {
                prop_assert!(s.start >= last && s.start < s.end && s.end <= t.len());
                prop_assert!(t.is_char_boundary(s.start) && t.is_char_boundary(s.end));
                prop_assert_eq!(t[s.start..s.end].trim(), &t[s.start..s.end]);
                last = s.end;
            }
        }
    }
}
