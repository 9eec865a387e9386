//! Strategies: "We will:" lists and "We will …" sentences.

use super::*;

/// "We will:" at the start of a paragraph, or after a short label in a
/// flattened table row ("2.3 Understanding what works We will: Build …").
pub(super) static RE_WE_WILL_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[^.:;!?]{0,80}\s)?(?:(?i:we\s+will)|We\s+will|Byddwn\s+yn)\s*:\s*").unwrap()
});
pub(super) static RE_WE_HAVE_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:we\s+have|what\s+we\s+have\s+(?:achieved|done)|case\s+study)\b[^.]{0,40}:")
        .unwrap()
});
/// A "We will …" sentence; "We will always/never …" are sentiments (a
/// family's tribute, a vision), not commitments.
pub(super) static RE_WE_WILL_SENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:We|we)\s+will\s+[a-z]").unwrap());
pub(super) static RE_SENTIMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:We|we)\s+will\s+(?:always|never|forever|not\s+forget)\b").unwrap()
});

pub(super) fn we_will_sentence(s: &str) -> bool {
    RE_WE_WILL_SENT.is_match(s) && !RE_SENTIMENT.is_match(s)
}
/// Words that open an intro or prose paragraph rather than a bare commitment bullet.
pub(super) static RE_PROSE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:the|a|an|this|these|that|those|our|we|it|its|there|what|why|how|when|where|who|which|in|as|for|by|i|you|they|he|she|his|her|their|all|each|every|some|many|most|case|objective|objectives|priority|figure|table|source|note|key|outcome|outcomes|action|actions|working|stopping|together|however|although|while|whilst|since|because|if|following|finally|also|during|between|from|with|within|across|to|on|at|of)\b").unwrap()
});

/// "Objective 2: …", "Priority 1: …" labels at the start of a paragraph.
pub(super) static RE_OBJECTIVE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:strategic\s+)?(?:objective|priority(?:\s+area)?|amcan|blaenoriaeth)\s+\d{1,2}\s*[:.–-]")
        .unwrap()
});

/// Whether the document sets its commitments out in "We will:" lists (at
/// least two lead-ins): then narrative "We will …" sentences are not counted.
pub(super) fn has_lead_in_lists(doc: &Document) -> bool {
    doc.passages
        .iter()
        .filter(|p| {
            doc.text
                .get(p.start..p.end)
                .is_some_and(|t| RE_WE_WILL_LEAD.is_match(strip_md(t)))
        })
        .take(2)
        .count()
        >= 2
}

/// "continued", "(cont'd)" after a table row's number.
pub(super) static RE_CONTINUED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\(?(?:continued|cont(?:'d|’d|\.)?)\)?\s*$").unwrap());

/// An unpunctuated line opening with a gerund or noun in -ing that is a
/// table's header row (its words capitalised: "Responding to Perpetrators
/// Pursue Objective Action") or repeats an earlier line (an objective carried
/// over a page: "Safeguarding victims is central …"). A gerund commitment
/// ("Ensuring all staff are trained") is neither.
pub(super) fn is_row_label(doc: &Document, u: &Unit, body: &str) -> bool {
    let first = body.split_whitespace().next().unwrap_or("");
    if !(first.chars().count() >= 6
        && first.starts_with(char::is_uppercase)
        && first.ends_with("ing")
        && !ends_sentence(body))
    {
        return false;
    }
    let long: Vec<&str> = body
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() > 3)
        .collect();
    let caps = long
        .iter()
        .filter(|w| w.starts_with(char::is_uppercase))
        .count();
    (long.len() >= 3 && caps * 4 >= long.len() * 3)
        || doc
            .text
            .get(..u.passage.start)
            .is_some_and(|before| before.contains(body))
}

/// Strategies: "We will:" lists and "We will …" sentences.
pub(super) fn strategy_items(
    doc: &Document,
    units: &[Unit],
    listed: bool,
    sentences: bool,
    lists: bool,
) -> Vec<Found> {
    let mut out = Vec::new();
    let mut in_list = listed;
    // The current commitment, while following paragraphs may still join it.
    let mut cur: Option<Item> = None;
    // Whether `cur` is a "We will … to:" sentence whose bullets complete it.
    let mut cur_takes_subs = false;
    // Whether the current list has had bulleted items: then an unbulleted
    // paragraph ends it (a list's style is set by its items).
    let mut saw_bullets = false;
    // Whether a "We will:" lead-in has opened a list in this run.
    let mut seen_lead_in = false;
    let flush = |cur: &mut Option<Item>, out: &mut Vec<Found>| {
        if let Some(it) = cur.take()
            && let Some(f) = it.found(doc)
        {
            out.push(f);
        }
    };
    for u in units {
        let body = strip_md(u.body(doc));
        if let Some(m) = RE_WE_WILL_LEAD.find(body) {
            flush(&mut cur, &mut out);
            seen_lead_in = true;
            in_list = true;
            cur_takes_subs = false;
            saw_bullets = false;
            let rest = &body[m.end()..];
            if !rest.trim().is_empty() {
                // `rest` is a sub-slice of the unit's body.
                let off = rest.as_ptr() as usize - u.body(doc).as_ptr() as usize;
                // The span starts at the commitment, after the lead-in.
                let sub = Unit {
                    start: u.body + off,
                    end: u.end,
                    body: u.body + off,
                    marker: None,
                    passage: u.passage,
                };
                cur = Some(Item::new(None, sub));
            }
            continue;
        }
        if RE_CONTINUED.is_match(body) {
            // "3.2 continued": a table carried over a page resumes its list.
            flush(&mut cur, &mut out);
            if seen_lead_in {
                in_list = true;
                cur_takes_subs = false;
                saw_bullets = false;
            }
            continue;
        }
        // "1.2 A sustainable approach …": a numbered objective ends the list.
        let objective = matches!(&u.marker, Some(Marker::Num(n)) if n.contains('.'));
        if objective {
            flush(&mut cur, &mut out);
            in_list = listed;
            cur_takes_subs = false;
            saw_bullets = false;
            continue;
        }
        if RE_WE_HAVE_LEAD.is_match(body) {
            flush(&mut cur, &mut out);
            in_list = false;
            continue;
        }
        if RE_OBJECTIVE_LABEL.is_match(body) {
            // "Objective 3: …" names what the commitments under it serve.
            flush(&mut cur, &mut out);
            in_list = listed;
            cur_takes_subs = false;
            saw_bullets = false;
            continue;
        }
        let bare_number = doc
            .text
            .get(u.start..u.body)
            .is_some_and(|m| m.trim().chars().all(|c| c.is_ascii_digit()));
        if saw_bullets && matches!(u.marker, Some(Marker::Num(_))) && bare_number {
            // A stray number in a bulleted list is a footnote ("13 A report …").
            continue;
        }
        let bulleted = u.marker.is_some();
        if !bulleted && in_list && is_row_label(doc, u, body) {
            // A repeated objective in a table carried over ("Safeguarding
            // victims is central to …"), a table's header row ("Responding to
            // perpetrators … Objective Action"): neither an item nor the list's end.
            flush(&mut cur, &mut out);
            continue;
        }
        // Talk of recommendations is no intro here: "Establish shared
        // accountability for … changes recommended by reviews" is an action.
        let lead_in =
            body.ends_with(':') || RE_LABEL.is_match(body) || RE_PANEL_VOICE.is_match(body);
        let plain_item =
            !(bulleted || RE_PROSE_START.is_match(body) || lead_in || RE_LEADERS.is_match(body));
        if let Some(it) = cur.as_mut() {
            if cur_takes_subs && (bulleted || plain_item) {
                it.units.push(u.clone());
                continue;
            }
            // A page-split fragment.
            // (Table cells often lack end punctuation, so only a lower-case start
            // marks a split here.)
            if !bulleted && starts_lower(body) {
                it.units.push(u.clone());
                continue;
            }
        }
        flush(&mut cur, &mut out);
        cur_takes_subs = false;
        // A bullet is an item even when it repeats the lead-in ("• we will
        // continue to monitor …"); unbulleted "We will …" text is prose.
        if in_list && (bulleted || !we_will_sentence(body)) {
            if bulleted || (plain_item && !saw_bullets) {
                saw_bullets |= bulleted;
                let ord = match &u.marker {
                    Some(Marker::Num(n)) | Some(Marker::Sub(n)) => Some(n.clone()),
                    _ => None,
                };
                cur = Some(Item::new(ord, u.clone()));
                continue;
            }
            in_list = listed;
            saw_bullets = false;
        }
        // "We will …" sentences, each up to the next one.
        let text = u.body(doc);
        let starts = sentence_starts(text);
        let cuts: Vec<usize> = starts
            .into_iter()
            .filter(|&s| we_will_sentence(strip_md(&text[s..])))
            .collect();
        if cuts.is_empty() || (!sentences && cuts[0] != 0) {
            continue;
        }
        // Where commitments are set out in "We will:" lists, a narrative
        // "We will …" sentence is not one of them, unless it is itself a
        // lead-in ("We will work with partners to:").
        if lists {
            if text.trim_end().ends_with(':') && cuts == [0] {
                // "We will work with partners to:" opening its own paragraph.
                seen_lead_in = true;
                in_list = true;
                saw_bullets = false;
            } else {
                // Narrative ("Together we have … We will continue to … to:"):
                // neither it nor what it lists are commitments.
                in_list = false;
            }
            continue;
        }
        let mut found = pieces(doc, u, text, &cuts, None);
        if text.trim_end().ends_with(':')
            && let Some(last) = found.pop()
        {
            // "We will … to:" followed by bullets that complete it.
            let sub = Unit {
                start: last.start,
                end: last.end,
                body: last.start,
                marker: None,
                passage: u.passage,
            };
            out.append(&mut found);
            cur = Some(Item::new(None, sub));
            cur_takes_subs = true;
            continue;
        }
        out.append(&mut found);
    }
    flush(&mut cur, &mut out);
    out
}
