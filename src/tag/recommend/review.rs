//! Review reports: numbered or bulleted recommendations with their
//! sub-items and continuation paragraphs; without a list, paragraphs that
//! recommend.

use super::*;

pub(super) static RE_DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:[^.!?]{0,100}?\b(?:recommends?|recommendation\s+is)\s+that\b|it\s+is\s+recommended\s+that\b|[^.!?]{0,100}?\b(?:should|must|dylai|dylid|dylent|rhaid)\b)").unwrap()
});
pub(super) static RE_REPORTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(recommended|was\s+recommended|previous|previously|earlier)\b").unwrap()
});
pub(super) static RE_RECOMMENDS_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:[^.!?]{0,80}?\b(?:recommends?|recommendation\s+is)\s+that\b|it\s+is\s+recommended\s+that\b)").unwrap()
});

/// Review reports: numbered/bulleted items with sub-items and continuation
/// paragraphs; without a list, recommending paragraphs.
pub(super) fn review_items(doc: &Document, units: &[Unit]) -> Vec<Found> {
    // A numbered paragraph that only talks about the recommendations ("6.2
    // The Board has accepted all of the recommendations") makes no list.
    let has_list = units.iter().any(|u| {
        matches!(u.marker, Some(Marker::Num(_) | Marker::Bullet)) && !is_preamble(u.body(doc))
    });
    let mut out = Vec::new();
    let mut cur: Option<Item> = None;
    let flush = |cur: &mut Option<Item>, out: &mut Vec<Found>| {
        if let Some(it) = cur.take()
            && let Some(f) = it.found(doc)
        {
            out.push(f);
        }
    };
    for (k, u) in units.iter().enumerate() {
        match &u.marker {
            Some(Marker::Num(n))
                if has_list && is_preamble(u.body(doc)) && opens_list(n, &units[k + 1..]) =>
            {
                // A numbered paragraph introducing the list ("9.1 The panel
                // makes the following recommendations:") is no recommendation.
                flush(&mut cur, &mut out);
            }
            Some(Marker::Num(n)) if has_list => {
                flush(&mut cur, &mut out);
                cur = Some(Item::new(Some(n.clone()), u.clone()));
            }
            Some(Marker::Bullet) if has_list => {
                // Bullets under a numbered item's lead-in ("… should:") are its sub-items.
                if let Some(it) = cur.as_mut()
                    && it.ordinal.is_some()
                    && it.units.last().is_some_and(|l| {
                        l.marker == Some(Marker::Bullet)
                            || doc
                                .text
                                .get(l.start..l.end)
                                .is_some_and(|t| t.trim_end().ends_with(':'))
                    })
                {
                    it.units.push(u.clone());
                    continue;
                }
                flush(&mut cur, &mut out);
                cur = Some(Item::new(None, u.clone()));
            }
            Some(Marker::Sub(label)) => match cur.as_mut() {
                Some(it) => it.units.push(u.clone()),
                None => {
                    if has_list {
                        // A sub-list without a parent item: under a lead-in, so its own item.
                        cur = Some(Item::new(Some(label.clone()), u.clone()));
                    } else {
                        out.extend(directive_items(doc, u, has_list));
                    }
                }
            },
            _ => {
                let text = u.body(doc);
                if let Some(it) = cur.as_mut()
                    && (page_split(doc, it, u)
                        || !(looks_like_intro(text) || looks_like_label(text)))
                {
                    it.units.push(u.clone());
                    continue;
                }
                flush(&mut cur, &mut out);
                out.extend(directive_items(doc, u, has_list));
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// An unlisted paragraph in a recommendations region: one item when it
/// recommends (first sentence "… recommends that …" or "X should …"), split
/// again at each later "… recommends that …" sentence. Between list items
/// (`strict`) only an explicit "… recommends that …" counts: a sentence
/// with "should" there is usually an intro or a comment.
/// "Glanmor Police: to review its training …", "The Home Office – consider
/// guidance …": a short capitalised name, a colon or dash, then an action
/// (an infinitive or an imperative of the recommendation verbs).
pub(super) fn addressed_action(sentence: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:The\s+)?[A-Z][\w'’&\-]*(?:\s+(?:of|and|for|&|the|[A-Z][\w'’&\-]*)){0,8}\s*(?::|\s[–—-])\s+(?:to\s+)?(?i:review|ensure|consider|develop|establish|implement|improve|provide|introduce|update|strengthen|audit|undertake|commission|promote|agree|produce|publish|issue|seek|share|raise|set|make|work|create|deliver|adopt|amend|revise|assure|monitor|embed|train|refresh|clarify)\b").unwrap()
    });
    RE.is_match(sentence)
}

pub(super) fn directive_items(doc: &Document, u: &Unit, strict: bool) -> Vec<Found> {
    let text = u.body(doc);
    let starts = sentence_starts(text);
    let mut cuts: Vec<usize> = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let sentence_end = starts.get(k + 1).copied().unwrap_or(text.len());
        let sentence = &text[s..sentence_end];
        let is_first = k == 0;
        let directive = if is_first && !strict {
            RE_DIRECTIVE.is_match(sentence) || addressed_action(sentence)
        } else {
            RE_RECOMMENDS_START.is_match(sentence)
        };
        if directive && !RE_REPORTED.is_match(sentence) {
            cuts.push(s);
        }
    }
    if cuts.first() != Some(&0) {
        // The paragraph does not open with a recommendation: an intro or prose.
        return Vec::new();
    }
    pieces(doc, u, text, &cuts, None)
}
