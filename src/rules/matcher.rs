//! Text matching primitives for the rules engine: the normalised view of a
//! passage (lower case, whitespace runs collapsed, curly quotes straightened,
//! with a map back to original byte offsets) and phrase sets (one
//! aho-corasick automaton over many phrases, whole-word filtered, with `*`
//! stem wildcards).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::HashMap;

/// A normalised copy of some text with a byte map back to the original.
#[derive(Debug, Clone)]
pub(crate) struct Norm {
    pub text: String,
    /// `map[i]` = original byte offset of the character that produced
    /// normalised byte `i`; `map[text.len()]` = original length.
    map: Vec<usize>,
}

/// Fold one character for matching; `None` means "keep (lower-cased)".
fn fold(c: char) -> Option<char> {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' | '`' => Some('\''),
        '\u{201C}' | '\u{201D}' => Some('"'),
        '\u{2010}' | '\u{2011}' => Some('-'),
        _ => None,
    }
}

impl Norm {
    pub fn new(s: &str) -> Norm {
        let mut text = String::with_capacity(s.len());
        let mut map = Vec::with_capacity(s.len() + 1);
        let mut in_ws = false;
        for (i, c) in s.char_indices() {
            if c.is_whitespace() {
                if !in_ws {
                    in_ws = true;
                    // A line-end hyphen before a lower-case word
                    // ("information-\nsharing") joins the two parts.
                    let rest = &s[i..];
                    let run = rest.len() - rest.trim_start().len();
                    let joins = text.ends_with('-')
                        && rest[..run].contains('\n')
                        && rest[run..].chars().next().is_some_and(char::is_lowercase);
                    if !joins {
                        text.push(' ');
                        map.push(i);
                    }
                }
                continue;
            }
            in_ws = false;
            let before = text.len();
            match fold(c) {
                Some(m) => text.push(m),
                None => text.extend(c.to_lowercase()),
            }
            map.resize(map.len() + (text.len() - before), i);
        }
        map.push(s.len());
        Norm { text, map }
    }

    /// Original byte offset for normalised byte offset `i`.
    pub fn orig(&self, i: usize) -> usize {
        self.map[i.min(self.map.len() - 1)]
    }
}

/// Normalise a rule phrase the same way as text (no offset map).
pub(crate) fn normalise_phrase(s: &str) -> String {
    Norm::new(s.trim()).text
}

pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Number of words in `s` (maximal runs of word characters).
#[cfg(test)]
pub(crate) fn count_words(s: &str) -> usize {
    let mut n = 0;
    let mut in_word = false;
    for c in s.chars() {
        let w = is_word_char(c);
        if w && !in_word {
            n += 1;
        }
        in_word = w;
    }
    n
}

#[derive(Debug, Clone)]
struct Phrase {
    wildcard: bool,
    check_start: bool,
    check_end: bool,
    owners: Vec<usize>,
}

/// A match of a phrase set, in normalised byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PMatch {
    pub start: usize,
    pub end: usize,
    pub owner: usize,
}

/// Many whole-word phrases in one automaton; each phrase maps to owners.
#[derive(Debug, Clone, Default)]
pub(crate) struct PhraseSet {
    ac: Option<AhoCorasick>,
    patterns: Vec<String>,
    phrases: Vec<Phrase>,
    index: HashMap<(String, bool), usize>,
}

impl PhraseSet {
    /// Add an already-normalised phrase (without the trailing `*`).
    pub fn add(&mut self, phrase: &str, wildcard: bool, owner: usize) {
        let key = (phrase.to_string(), wildcard);
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.phrases.len();
                self.patterns.push(phrase.to_string());
                self.phrases.push(Phrase {
                    wildcard,
                    check_start: phrase.chars().next().is_some_and(is_word_char),
                    check_end: phrase.chars().last().is_some_and(is_word_char),
                    owners: vec![],
                });
                self.index.insert(key, i);
                i
            }
        };
        if !self.phrases[i].owners.contains(&owner) {
            self.phrases[i].owners.push(owner);
        }
    }

    /// Build the automaton. Standard match semantics so overlapping
    /// matches can be enumerated (a rejected partial-word match must not
    /// hide a valid one; different themes may share text).
    pub fn build(&mut self) -> Result<(), String> {
        if self.patterns.is_empty() {
            self.ac = None;
            return Ok(());
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&self.patterns)
            .map_err(|e| e.to_string())?;
        self.ac = Some(ac);
        Ok(())
    }

    /// Every whole-word match in normalised text, overlapping allowed.
    pub fn find(&self, text: &str) -> Vec<PMatch> {
        let mut out = vec![];
        let Some(ac) = &self.ac else { return out };
        for m in ac.find_overlapping_iter(text) {
            let p = &self.phrases[m.pattern().as_usize()];
            let (s, mut e) = (m.start(), m.end());
            if p.check_start && text[..s].chars().next_back().is_some_and(is_word_char) {
                continue;
            }
            if p.wildcard {
                e += text[e..]
                    .char_indices()
                    .find(|&(_, c)| !is_word_char(c))
                    .map_or(text.len() - e, |(i, _)| i);
            } else if p.check_end && text[e..].chars().next().is_some_and(is_word_char) {
                continue;
            }
            for &owner in &p.owners {
                out.push(PMatch {
                    start: s,
                    end: e,
                    owner,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(phrases: &[&str]) -> PhraseSet {
        let mut s = PhraseSet::default();
        for (i, p) in phrases.iter().enumerate() {
            let (p, w) = match p.strip_suffix('*') {
                Some(p) => (p, true),
                None => (*p, false),
            };
            s.add(&normalise_phrase(p), w, i);
        }
        s.build().unwrap();
        s
    }

    #[test]
    fn norm_maps_back_to_original_offsets() {
        let src = "Coercive\n  Control’s ŴYR";
        let n = Norm::new(src);
        assert_eq!(n.text, "coercive control's ŵyr");
        let s = n.text.find("control").unwrap();
        let e = s + "control's".len();
        assert_eq!(&src[n.orig(s)..n.orig(e)], "Control’s");
        let w = n.text.find("ŵyr").unwrap();
        assert_eq!(&src[n.orig(w)..n.orig(n.text.len())], "ŴYR");
    }

    #[test]
    fn line_end_hyphen_joins() {
        let n = Norm::new("information-\n  sharing and multi- agency");
        assert_eq!(n.text, "information-sharing and multi- agency");
        let e = n.text.find(" and").unwrap();
        assert_eq!(n.orig(e), "information-\n  sharing".len());
    }

    #[test]
    fn whole_words_only() {
        let s = set(&["ill"]);
        assert!(s.find("professional skills").is_empty());
        assert_eq!(s.find("she was ill.").len(), 1);
        assert!(s.find("illness").is_empty());
    }

    #[test]
    fn wildcard_extends_to_word_end() {
        let s = set(&["strangl*"]);
        let t = "he strangled her";
        let m = s.find(t);
        assert_eq!(m.len(), 1);
        assert_eq!(&t[m[0].start..m[0].end], "strangled");
        assert!(s.find("nonstrangled").is_empty());
    }

    #[test]
    fn overlapping_phrases_all_found() {
        let s = set(&["coercive control", "control"]);
        let m = s.find("coercive control");
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn word_count() {
        assert_eq!(count_words(" no evidence, of "), 3);
        assert_eq!(count_words(""), 0);
    }
}
