//! Scanning text with a compiled [`RuleSet`]: theme hits with negation,
//! exclusions, proximity and merging; agency categories named in a text.

use super::matcher::{Norm, count_words};
use super::{Hit, RuleSet};
use crate::model::Span;

impl RuleSet {
    /// Scan one passage: `text` is the passage text and `sentences` its
    /// sentence spans relative to `text` (empty = one sentence). Hits are
    /// relative to `text`, merged per theme, sorted by (start, theme, rule).
    pub fn scan(&self, text: &str, sentences: &[Span]) -> Vec<Hit> {
        let norm = Norm::new(text);
        let nt = norm.text.as_str();
        // Sentence index of a normalised offset.
        let sent_spans: Vec<(usize, usize)> = if sentences.is_empty() {
            vec![(0, text.len())]
        } else {
            sentences.iter().map(|s| (s.start, s.end)).collect()
        };
        let sentence_of = |npos: usize| -> usize {
            let o = norm.orig(npos);
            sent_spans
                .iter()
                .position(|&(s, e)| s <= o && o < e)
                .unwrap_or_else(|| {
                    // Between sentences: attach to the previous one.
                    sent_spans.iter().rposition(|&(s, _)| s <= o).unwrap_or(0)
                })
        };

        // (theme, rule, nstart, nend)
        let mut raw: Vec<(usize, usize, usize, usize)> = vec![];
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
        if !self.nears.is_empty() {
            let nm = self.near_terms.find(nt);
            for (ni, near) in self.nears.iter().enumerate() {
                let a: Vec<_> = nm.iter().filter(|m| m.owner == ni * 2).collect();
                let b: Vec<_> = nm.iter().filter(|m| m.owner == ni * 2 + 1).collect();
                for ma in &a {
                    let sa = sentence_of(ma.start);
                    let best = b
                        .iter()
                        .filter(|mb| sentence_of(mb.start) == sa)
                        .filter(|mb| mb.end <= ma.start || ma.end <= mb.start)
                        .map(|mb| {
                            let gap = if mb.start >= ma.end {
                                &nt[ma.end..mb.start]
                            } else {
                                &nt[mb.end..ma.start]
                            };
                            (count_words(gap), mb)
                        })
                        .filter(|(g, _)| *g <= near.within)
                        .min_by_key(|(g, mb)| (*g, mb.start));
                    if let Some((_, mb)) = best {
                        let theme = self.rules[near.rule].theme;
                        raw.push((theme, near.rule, ma.start.min(mb.start), ma.end.max(mb.end)));
                    }
                }
            }
        }
        if raw.is_empty() {
            return vec![];
        }
        // Exclusions veto overlapping hits of the same theme.
        let ex = self.excludes.find(nt);
        raw.retain(|&(theme, _, s, e)| {
            !ex.iter()
                .any(|x| x.owner == theme && x.start < e && s < x.end)
        });
        // Merge: drop a hit inside a longer (or earlier-rule) hit of the same theme.
        raw.sort_by(|a, b| {
            (a.0, a.2, std::cmp::Reverse(a.3), a.1).cmp(&(b.0, b.2, std::cmp::Reverse(b.3), b.1))
        });
        let mut merged: Vec<(usize, usize, usize, usize)> = vec![];
        for h in raw {
            let contained = merged
                .iter()
                .rev()
                .take_while(|k| k.0 == h.0)
                .any(|k| k.2 <= h.2 && h.3 <= k.3);
            if !contained {
                merged.push(h);
            }
        }
        // Negation.
        let cues = self.negation.find(nt);
        let mut hits: Vec<Hit> = merged
            .into_iter()
            .map(|(theme, rule, s, e)| {
                let negated = self.themes[theme].negation && {
                    let sh = sentence_of(s);
                    cues.iter().any(|c| {
                        c.end <= s
                            && sentence_of(c.start) == sh
                            && count_words(&nt[c.end..s]) <= self.window
                    })
                };
                Hit {
                    theme,
                    rule,
                    start: norm.orig(s),
                    end: norm.orig(e),
                    negated,
                }
            })
            .collect();
        hits.sort_by_key(|h| (h.start, h.theme, h.rule, h.end));
        hits
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
