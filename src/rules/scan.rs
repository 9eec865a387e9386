//! Scanning text with a compiled [`RuleSet`]: theme hits with negation,
//! exclusions, proximity and merging; agency categories named in a text.
//!
//! Every step is linear in the text (up to a logarithm) whatever the rules:
//! phrases are found by one automaton, and each question about distance
//! ("a word of `b` within N words", "a negation cue within the window",
//! "inside an exclusion") looks only at the matches near the hit, found by
//! binary search over sorted offsets, never at every pair of matches.

use super::matcher::{Norm, PMatch, is_word_char};
use super::{Hit, RuleSet};
use crate::model::Span;

/// Where the words and sentences of one normalised text are, so that
/// distances between matches cost a binary search.
struct Layout<'a> {
    norm: &'a Norm,
    /// Normalised byte offsets where a word (a run of word characters) starts.
    word_starts: Vec<usize>,
    /// Sentence spans in original offsets, sorted by start.
    sentences: Vec<(usize, usize)>,
}

impl<'a> Layout<'a> {
    fn new(norm: &'a Norm, text_len: usize, sentences: &[Span]) -> Layout<'a> {
        let mut word_starts = vec![];
        let mut in_word = false;
        for (i, c) in norm.text.char_indices() {
            let w = is_word_char(c);
            if w && !in_word {
                word_starts.push(i);
            }
            in_word = w;
        }
        let mut sentences: Vec<(usize, usize)> = if sentences.is_empty() {
            vec![(0, text_len)]
        } else {
            sentences.iter().map(|s| (s.start, s.end)).collect()
        };
        sentences.sort_unstable();
        debug_assert!(
            sentences.windows(2).all(|w| w[0].1 <= w[1].0),
            "sentence spans overlap: {sentences:?}"
        );
        Layout {
            norm,
            word_starts,
            sentences,
        }
    }

    /// Words in the normalised text between `a` and `b` (as
    /// `count_words(&text[a..b])`: a word cut at `a` counts).
    fn words_between(&self, a: usize, b: usize) -> usize {
        if a >= b {
            return 0;
        }
        let t = &self.norm.text;
        let whole = self.word_starts.partition_point(|&s| s < b)
            - self.word_starts.partition_point(|&s| s < a);
        let cut = t[a..].chars().next().is_some_and(is_word_char)
            && t[..a].chars().next_back().is_some_and(is_word_char);
        whole + usize::from(cut)
    }

    /// The sentence a normalised offset falls in (between two sentences:
    /// the earlier one).
    fn sentence_of(&self, npos: usize) -> usize {
        let o = self.norm.orig(npos);
        self.sentences
            .partition_point(|&(s, _)| s <= o)
            .saturating_sub(1)
    }
}

/// The matches of one side of a `near` rule, sorted two ways.
struct Side {
    by_start: Vec<PMatch>,
    by_end: Vec<PMatch>,
}

impl Side {
    fn new(mut by_start: Vec<PMatch>) -> Side {
        by_start.sort_unstable_by_key(|m| (m.start, m.end));
        let mut by_end = by_start.clone();
        by_end.sort_unstable_by_key(|m| (m.end, m.start));
        Side { by_start, by_end }
    }

    /// The match of this side nearest to `a` in its sentence, at most
    /// `within` words away, not overlapping it: the fewest words between,
    /// then the earliest start, then the earliest end.
    fn nearest(&self, a: &PMatch, within: usize, lay: &Layout) -> Option<PMatch> {
        let sentence = lay.sentence_of(a.start);
        let key = |m: &PMatch, gap: usize| (gap, m.start, m.end);
        let mut best: Option<((usize, usize, usize), PMatch)> = None;
        let mut offer = |m: &PMatch, gap: usize| {
            if best.as_ref().is_none_or(|(k, _)| key(m, gap) < *k) {
                best = Some((key(m, gap), *m));
            }
        };
        // After `a`: words between only grow with the start, so the first
        // match in reach is the nearest.
        let first = self.by_start.partition_point(|m| m.start < a.end);
        if let Some(m) = self.by_start.get(first) {
            let gap = lay.words_between(a.end, m.start);
            if gap <= within && lay.sentence_of(m.start) == sentence {
                offer(m, gap);
            }
        }
        // Before `a`: walk back from the latest end while still in reach.
        let last = self.by_end.partition_point(|m| m.end <= a.start);
        for m in self.by_end[..last].iter().rev() {
            let gap = lay.words_between(m.end, a.start);
            if gap > within || lay.sentence_of(m.end) < sentence {
                break;
            }
            if lay.sentence_of(m.start) == sentence {
                offer(m, gap);
            }
        }
        best.map(|(_, m)| m)
    }
}

/// Exclusion spans of one theme, sorted by start, with the largest end
/// seen so far, so "does anything overlap this span" is a binary search.
struct Vetoes {
    spans: Vec<(usize, usize)>,
    max_end: Vec<usize>,
}

impl Vetoes {
    fn new(mut spans: Vec<(usize, usize)>) -> Vetoes {
        spans.sort_unstable();
        let max_end = spans
            .iter()
            .scan(0, |m, &(_, e)| {
                *m = e.max(*m);
                Some(*m)
            })
            .collect();
        Vetoes { spans, max_end }
    }

    fn overlap(&self, s: usize, e: usize) -> bool {
        let k = self.spans.partition_point(|&(xs, _)| xs < e);
        k > 0 && self.max_end[k - 1] > s
    }
}

/// (theme, rule, normalised start, normalised end)
type Raw = (usize, usize, usize, usize);

impl RuleSet {
    /// Scan one passage: `text` is the passage text and `sentences` its
    /// sentence spans relative to `text` (empty = one sentence), in order
    /// and not overlapping, as the segmenter gives them. Hits are relative
    /// to `text`, merged per theme, sorted by (start, theme, rule).
    pub fn scan(&self, text: &str, sentences: &[Span]) -> Vec<Hit> {
        let norm = Norm::new(text);
        let lay = Layout::new(&norm, text.len(), sentences);
        let mut raw = self.raw_hits(&lay);
        if raw.is_empty() {
            return vec![];
        }
        self.veto_excluded(&lay, &mut raw);
        let merged = merge_contained(raw);
        let mut hits = self.with_negation(&lay, merged);
        hits.sort_by_key(|h| (h.start, h.theme, h.rule, h.end));
        hits
    }

    /// Every hit of terms, regexes and `near` rules, before vetoes and merging.
    fn raw_hits(&self, lay: &Layout) -> Vec<Raw> {
        let nt = lay.norm.text.as_str();
        let mut raw: Vec<Raw> = vec![];
        for m in self.terms.find(nt) {
            raw.push((self.rules[m.owner].theme, m.owner, m.start, m.end));
        }
        for (re, rule) in &self.regexes {
            for m in re.find_iter(nt) {
                if m.start() < m.end() {
                    raw.push((self.rules[*rule].theme, *rule, m.start(), m.end()));
                }
            }
        }
        if self.nears.is_empty() {
            return raw;
        }
        let mut sides: Vec<Vec<PMatch>> = vec![vec![]; self.nears.len() * 2];
        for m in self.near_terms.find(nt) {
            sides[m.owner].push(m);
        }
        for (ni, near) in self.nears.iter().enumerate() {
            let a = &sides[ni * 2];
            if a.is_empty() || sides[ni * 2 + 1].is_empty() {
                continue;
            }
            let b = Side::new(sides[ni * 2 + 1].clone());
            let theme = self.rules[near.rule].theme;
            for ma in a {
                if let Some(mb) = b.nearest(ma, near.within, lay) {
                    raw.push((theme, near.rule, ma.start.min(mb.start), ma.end.max(mb.end)));
                }
            }
        }
        raw
    }

    /// Exclusions veto overlapping hits of the same theme.
    fn veto_excluded(&self, lay: &Layout, raw: &mut Vec<Raw>) {
        let found = self.excludes.find(&lay.norm.text);
        if found.is_empty() {
            return;
        }
        let mut by_theme: Vec<Vec<(usize, usize)>> = vec![vec![]; self.themes.len()];
        for x in found {
            by_theme[x.owner].push((x.start, x.end));
        }
        let vetoes: Vec<Vetoes> = by_theme.into_iter().map(Vetoes::new).collect();
        raw.retain(|&(theme, _, s, e)| !vetoes[theme].overlap(s, e));
    }

    /// Hits in original offsets, each negated when its theme allows it and
    /// a negation cue ends before it in its sentence within the window.
    fn with_negation(&self, lay: &Layout, merged: Vec<Raw>) -> Vec<Hit> {
        let mut cues = self.negation.find(&lay.norm.text);
        cues.sort_unstable_by_key(|c| (c.end, c.start));
        let negated = |s: usize| {
            let sentence = lay.sentence_of(s);
            let last = cues.partition_point(|c| c.end <= s);
            cues[..last]
                .iter()
                .rev()
                .take_while(|c| lay.words_between(c.end, s) <= self.window)
                .any(|c| lay.sentence_of(c.start) == sentence)
        };
        merged
            .into_iter()
            .map(|(theme, rule, s, e)| Hit {
                theme,
                rule,
                start: lay.norm.orig(s),
                end: lay.norm.orig(e),
                negated: self.themes[theme].negation && negated(s),
            })
            .collect()
    }

    /// Canonical ids of the agencies named in `text` (whole words, any
    /// case), sorted and deduplicated.
    pub fn agencies_in(&self, text: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .agency_mentions(text)
            .into_iter()
            .map(|m| m.2)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Every agency category named in `text` (whole words, any case): byte
    /// span in `text` and agency id, in text order.
    pub fn agency_mentions(&self, text: &str) -> Vec<(usize, usize, String)> {
        let norm = Norm::new(text);
        let mut v: Vec<(usize, usize, String)> = self
            .agency_terms
            .find(&norm.text)
            .into_iter()
            .map(|m| {
                (
                    norm.orig(m.start),
                    norm.orig(m.end),
                    self.agencies[m.owner].id.clone(),
                )
            })
            .collect();
        v.sort();
        v
    }
}

/// Drop a hit inside a longer (or earlier-rule) hit of the same theme.
/// Sorted by (theme, start, longest first, rule), a hit is inside a kept
/// one exactly when a kept hit of its theme reaches as far as it does.
fn merge_contained(mut raw: Vec<Raw>) -> Vec<Raw> {
    raw.sort_by(|a, b| {
        (a.0, a.2, std::cmp::Reverse(a.3), a.1).cmp(&(b.0, b.2, std::cmp::Reverse(b.3), b.1))
    });
    let mut merged: Vec<Raw> = vec![];
    let mut reach: Option<(usize, usize)> = None;
    for h in raw {
        match reach {
            Some((theme, end)) if theme == h.0 && h.3 <= end => continue,
            Some((theme, end)) if theme == h.0 => reach = Some((theme, end.max(h.3))),
            _ => reach = Some((h.0, h.3)),
        }
        merged.push(h);
    }
    merged
}
