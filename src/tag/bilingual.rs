//! Bilingual documents: a Welsh recommendation that translates an English
//! one in the same document (or the other way round) is linked to it
//! (`translation_of`), so that it is counted once.
//!
//! The first language of the document (the language of its first
//! recommendations) holds the originals. A recommendation in the other
//! language is paired with an original by, in order:
//! 1. the same number ("3" and "3"), when the two share a name, acronym
//!    or number, or both languages hold as many recommendations;
//! 2. position, when both languages hold the same number of
//!    recommendations (the nth Welsh one translates the nth English one)
//!    and the two share a name, acronym or number;
//! 3. the original sharing most names, acronyms and numbers, when it
//!    shares at least half of them.
//!
//! Names survive translation ("Heddlu Glanmor" and "Glanmor Police" share
//! "Glanmor"; "MARAC", "2025", "72" stay as they are), so they are the
//! evidence a pairing rests on.

use crate::model::Recommendation;
use std::collections::BTreeSet;

/// Link each recommendation in a document's second language to the one it
/// translates.
pub fn link_translations(recs: &mut [Recommendation]) {
    let langs: Vec<&'static str> = recs.iter().map(|r| language(&r.text)).collect();
    let Some(&first) = langs.first() else {
        return;
    };
    let originals: Vec<usize> = (0..recs.len()).filter(|&i| langs[i] == first).collect();
    let others: Vec<usize> = (0..recs.len()).filter(|&i| langs[i] != first).collect();
    if originals.is_empty() || others.is_empty() {
        return;
    }
    let anchors: Vec<BTreeSet<String>> = recs.iter().map(|r| anchor_words(&r.text)).collect();
    let same_count = originals.len() == others.len();
    let mut taken = vec![false; recs.len()];
    for (k, &w) in others.iter().enumerate() {
        let agree = |o: usize| overlap(&anchors[o], &anchors[w]);
        let by_number = originals.iter().copied().find(|&o| {
            !taken[o]
                && recs[o].ordinal.is_some()
                && recs[o].ordinal == recs[w].ordinal
                && (agree(o) > 0.0 || same_count)
        });
        let by_position = same_count
            .then(|| originals[k])
            .filter(|&o| !taken[o] && agree(o) > 0.0);
        let by_names = originals
            .iter()
            .copied()
            .filter(|&o| !taken[o])
            .map(|o| (agree(o), o))
            .filter(|(a, _)| *a >= 0.5)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, o)| o);
        if let Some(o) = by_number.or(by_position).or(by_names) {
            taken[o] = true;
            recs[w].translation_of = Some(recs[o].id.clone());
        }
    }
}

/// "cy" when Welsh function words outnumber English ones, else "en".
fn language(text: &str) -> &'static str {
    const CY: &[&str] = &[
        "y", "yr", "a", "ac", "yn", "ar", "gan", "mae", "ei", "eu", "bod", "gyda", "o", "sy",
        "sydd", "i", "dylai", "dylid", "pob", "ein", "hyn", "fel", "neu", "am", "wedi", "fod",
    ];
    const EN: &[&str] = &[
        "the", "and", "of", "to", "in", "is", "that", "for", "with", "are", "be", "on", "by",
        "should", "all", "their", "its", "this", "when", "a",
    ];
    let (mut cy, mut en) = (0, 0);
    for w in text.split(|c: char| !c.is_alphabetic()) {
        let w = w.to_lowercase();
        cy += usize::from(CY.contains(&w.as_str()));
        en += usize::from(EN.contains(&w.as_str()));
    }
    if cy > en { "cy" } else { "en" }
}

/// Words that survive translation: capitalised words (not the function
/// words that open sentences), words in capitals, numbers.
fn anchor_words(text: &str) -> BTreeSet<String> {
    const OPENERS: &[&str] = &[
        "the", "this", "that", "these", "all", "each", "every", "when", "where", "if", "should",
        "we", "it", "in", "for", "and", "dylai", "dylid", "mae", "pan", "os", "rhaid", "bydd",
        "yn", "y", "yr", "pob", "ac", "ar",
    ];
    let mut out = BTreeSet::new();
    for raw in text.split_whitespace() {
        let w: String = raw.chars().filter(|c| c.is_alphanumeric()).collect();
        if w.is_empty() || OPENERS.contains(&w.to_lowercase().as_str()) {
            continue;
        }
        let number = w.chars().all(|c| c.is_ascii_digit());
        let caps = w.chars().count() >= 2 && w.chars().all(|c| !c.is_lowercase());
        let name = w.chars().next().is_some_and(char::is_uppercase) && w.chars().count() > 2;
        if number || caps || name {
            out.insert(w.to_lowercase());
        }
    }
    out
}

/// Shared anchors over the smaller set (1.0 when neither has any).
fn overlap(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f32 {
    let small = a.len().min(b.len());
    if small == 0 {
        return if a.is_empty() && b.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    a.intersection(b).count() as f32 / small as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SectionKind;

    fn rec(id: &str, ord: Option<&str>, text: &str) -> Recommendation {
        Recommendation {
            id: id.into(),
            doc_id: "dfictional".into(),
            file: "f".into(),
            ordinal: ord.map(str::to_string),
            text: text.into(),
            page: 1,
            section: String::new(),
            section_kind: SectionKind::Recommendations,
            agencies: vec![],
            addressees: vec![],
            level: None,
            themes: vec![],
            start: 0,
            end: 0,
            action_plan: None,
            cues: vec![],
            translation_of: None,
        }
    }

    #[test]
    fn welsh_recommendations_link_to_their_english_originals() {
        let mut v = vec![
            rec(
                "e1",
                Some("1"),
                "Glanmor Police should review its training on MARAC referrals.",
            ),
            rec(
                "e2",
                Some("2"),
                "Aberwen University Health Board should ensure that risk is shared within 72 hours.",
            ),
            rec(
                "w1",
                Some("1"),
                "Dylai Heddlu Glanmor adolygu ei hyfforddiant ar atgyfeiriadau MARAC.",
            ),
            rec(
                "w2",
                Some("2"),
                "Dylai Bwrdd Iechyd Prifysgol Aberwen sicrhau bod risg yn cael ei rhannu o fewn 72 awr.",
            ),
        ];
        link_translations(&mut v);
        assert_eq!(v[0].translation_of, None);
        assert_eq!(v[2].translation_of.as_deref(), Some("e1"));
        assert_eq!(v[3].translation_of.as_deref(), Some("e2"));
    }

    #[test]
    fn one_language_links_nothing() {
        let mut v = vec![
            rec(
                "e1",
                Some("1"),
                "Glanmor Police should review its training.",
            ),
            rec(
                "e2",
                Some("1"),
                "Glanmor Police should review its training again.",
            ),
        ];
        link_translations(&mut v);
        assert!(v.iter().all(|r| r.translation_of.is_none()));
    }
}
