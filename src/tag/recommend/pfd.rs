//! Coroners' reports: the matters of concern.
//!
//! Everything the coroner writes under the concerns heading is concern
//! text, except the fixed wording of the form (the rule set's
//! `boilerplate`: "During the course of the inquest …", "The MATTERS OF
//! CONCERN are as follows:", the closing duties), which is cut away
//! sentence by sentence wherever it stands. What is left is cut into
//! concerns by its form:
//!
//! - numbered concerns ("1.", "(2)", "3)"), each with the paragraphs,
//!   bullets and sub-items after it;
//! - else bulleted or lettered concerns, the same way;
//! - else, when the coroner states concerns in so many words ("I am
//!   concerned …", "My second concern is …", "This is a matter of
//!   concern"), one concern from each such statement to the next, the
//!   evidence paragraphs around it included;
//! - else one concern per paragraph.
//!
//! Text before the first concern (a lead-in, or the evidence a first
//! statement rests on) belongs to the first concern.

use super::*;
use crate::rules::RecCues;

/// A sentence that states a concern: "I am concerned …", "I was also
/// concerned …", "My further concern is …", or an enumerated point ("Secondly, …").
static RE_CONCERN_OPEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:I|We)\s+(?:am|was|were|remain|have\s+been)\s+(?:also\s+|further\s+|particularly\s+|additionally\s+|therefore\s+|most\s+)?concerned\b|(?:My|A|Another|The|Of)\s+(?:\w+\s+){0,2}concerns?\s+(?:is|was|are|relates?)\b|(?:First|Second|Third|Fourth|Fifth|Sixth|Further|Final|Last)(?:ly)?,\s)").unwrap()
});
/// "I am concerned …" opening a sentence inside a paragraph: a concern of its own.
static RE_I_CONCERNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:I|We)\s+(?:am|was|were|remain)\s+(?:also\s+|further\s+|particularly\s+|additionally\s+)?concerned\b").unwrap()
});
/// A concern stated inside a paragraph ("This is of concern because …").
static RE_CONCERN_ANY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:is|are|remains?)\s+(?:a\s+(?:matter|cause|source)\s+)?of\s+(?:\w+\s+)?concern\b|\b(?:I|we)\s+(?:am|was|remain)\s+(?:also\s+)?concerned\b").unwrap()
});

/// Where the pieces of a text start, for finding boilerplate: sentence
/// starts, and text after a colon or a closing bracket that starts anew
/// ("… as follows: The …", "(brief summary of matters of concern) In …").
fn boiler_cuts(text: &str) -> Vec<usize> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?:[.!?:]["”’)]*|\))\s+[-–—•]?\s*["“‘(]?[A-Z0-9]"#).unwrap()
    });
    let mut v = vec![0];
    for m in RE.find_iter(text) {
        let off = m
            .as_str()
            .char_indices()
            .skip(1)
            .find(|(_, c)| c.is_alphanumeric() || "\"“‘(".contains(*c))
            .map_or(0, |(i, _)| i);
        v.push(m.start() + off);
    }
    v.dedup();
    v
}

/// The unit with leading and trailing boilerplate cut away (None when
/// nothing is left).
fn strip_boilerplate<'a>(doc: &Document, cues: &RecCues, u: &Unit<'a>) -> Option<Unit<'a>> {
    let body = u.body(doc);
    let cuts = boiler_cuts(body);
    let piece = |k: usize| &body[cuts[k]..cuts.get(k + 1).copied().unwrap_or(body.len())];
    let is_boiler = |k: usize| {
        let p = piece(k).trim();
        p.is_empty() || p.chars().all(|c| !c.is_alphanumeric()) || cues.is_boilerplate(p)
    };
    let first = (0..cuts.len()).find(|&k| !is_boiler(k))?;
    let last = (first..cuts.len()).rev().find(|&k| !is_boiler(k))?;
    if first == 0 && last + 1 == cuts.len() {
        return Some(u.clone());
    }
    let start = cuts[first];
    let end = cuts.get(last + 1).copied().unwrap_or(body.len());
    let text = body[start..end].trim_end();
    let lead = text.len() - text.trim_start_matches([' ', '-', '–', '—', ':']).len();
    let mut v = Unit {
        start: u.body + start + lead,
        end: u.body + start + text.len(),
        body: u.body + start + lead,
        marker: if first == 0 { u.marker.clone() } else { None },
        passage: u.passage,
    };
    if first == 0 {
        v.start = u.start;
    } else if let Some((k, l)) = parse_marker(&body[start + lead..]) {
        v.marker = Some(k);
        v.body += l;
    }
    (v.body < v.end).then_some(v)
}

/// Coroners' reports: the concerns of one region (a concerns section, or
/// one sub-heading's part of it).
pub(super) fn pfd_items(doc: &Document, cues: &RecCues, units: &[Unit<'_>]) -> Vec<Found> {
    let cleaned: Vec<Unit> = units
        .iter()
        .filter_map(|u| strip_boilerplate(doc, cues, u))
        .collect();
    let numbered = cleaned
        .iter()
        .any(|u| matches!(u.marker, Some(Marker::Num(_))));
    let listed = cleaned
        .iter()
        .any(|u| matches!(u.marker, Some(Marker::Bullet | Marker::Sub(_))));
    let starts: Vec<bool> = if numbered {
        cleaned
            .iter()
            .map(|u| matches!(u.marker, Some(Marker::Num(_))))
            .collect()
    } else if listed {
        cleaned.iter().map(|u| u.marker.is_some()).collect()
    } else {
        return stated_concerns(doc, cleaned);
    };
    group(doc, cleaned, &starts)
}

/// Gather units into items: an item starts at each unit marked in
/// `starts`; others join the item before them; those before the first
/// start join the first.
fn group(doc: &Document, units: Vec<Unit<'_>>, starts: &[bool]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut lead: Vec<Unit> = Vec::new();
    let mut cur: Option<Item> = None;
    for (u, &start) in units.into_iter().zip(starts) {
        if !start {
            match cur.as_mut() {
                Some(it) => it.units.push(u),
                None => lead.push(u),
            }
            continue;
        }
        if let Some(it) = cur.take() {
            out.extend(it.found_or_question(doc));
        }
        let ord = match &u.marker {
            Some(Marker::Num(n)) | Some(Marker::Sub(n)) => Some(n.clone()),
            _ => None,
        };
        let mut it = Item::new(ord, u);
        if !lead.is_empty() {
            // The lead-in opens the first concern; its number stays the concern's.
            let mut units = std::mem::take(&mut lead);
            units.append(&mut it.units);
            it.units = units;
        }
        cur = Some(it);
    }
    if let Some(it) = cur.take() {
        out.extend(it.found_or_question(doc));
    }
    if !lead.is_empty() {
        out.extend(Item::from_units(None, lead).found_or_question(doc));
    }
    out
}

/// Unnumbered concerns: one from each statement of concern to the next
/// (with the evidence around it), or one per paragraph when the coroner
/// states none in so many words.
fn stated_concerns(doc: &Document, units: Vec<Unit<'_>>) -> Vec<Found> {
    // Statements that open a concern: a paragraph opening with one, or an
    // "I am concerned" sentence inside a paragraph. With fewer than two
    // (unless the one opens the concerns), the paragraphs are the concerns:
    // "It is of concern that …" closing one of three paragraphs does not
    // make the other two its context.
    let statements: usize = units
        .iter()
        .map(|u| {
            let b = u.body(doc);
            let inner = sentence_starts(b)
                .into_iter()
                .filter(|&s| s > 0 && RE_I_CONCERNED.is_match(&b[s..]))
                .count();
            usize::from(RE_CONCERN_OPEN.is_match(b)) + inner
        })
        .sum();
    // One statement opening the first paragraph makes the rest its context.
    let opens_first = units
        .first()
        .is_some_and(|u| RE_CONCERN_OPEN.is_match(u.body(doc)));
    let stated = statements >= 2 || (statements == 1 && opens_first);
    if !stated {
        // One per paragraph; a page-split fragment joins the one before.
        let mut starts = Vec::with_capacity(units.len());
        let mut prev: Option<&Unit> = None;
        for u in &units {
            let split = prev.is_some_and(|p| {
                let item = Item::new(None, p.clone());
                page_split(doc, &item, u)
            });
            starts.push(!split);
            prev = Some(u);
        }
        return group(doc, units, &starts);
    }
    // Cut each paragraph at its statements of concern.
    let mut pieces: Vec<Unit> = Vec::new();
    let mut starts: Vec<bool> = Vec::new();
    for u in units {
        let body = u.body(doc);
        let mut cuts: Vec<usize> = sentence_starts(body)
            .into_iter()
            .filter(|&s| s > 0 && RE_I_CONCERNED.is_match(&body[s..]))
            .collect();
        let opens = RE_CONCERN_OPEN.is_match(body)
            || (cuts.is_empty() && RE_CONCERN_ANY.is_match(body) && !starts_lower(body));
        let first_cut = cuts.first().copied().unwrap_or(body.len());
        // The part before the first cut: a concern of its own when it
        // opens one, else it goes with the concern before (or after).
        pieces.push(Unit {
            end: u.body + body[..first_cut].trim_end().len(),
            ..u.clone()
        });
        starts.push(opens);
        for (k, &c) in cuts.iter().enumerate() {
            let end = cuts.get(k + 1).copied().unwrap_or(body.len());
            pieces.push(Unit {
                start: u.body + c,
                end: u.body + c + body[c..end].trim_end().len(),
                body: u.body + c,
                marker: None,
                passage: u.passage,
            });
            starts.push(true);
        }
        cuts.clear();
    }
    let keep: Vec<bool> = pieces.iter().map(|p| p.start < p.end).collect();
    let (pieces, starts): (Vec<Unit>, Vec<bool>) = pieces
        .into_iter()
        .zip(starts)
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(x, _)| x)
        .unzip();
    group(doc, pieces, &starts)
}

/// Concerns stated in so many words where no concerns heading stands: the
/// older coroner's letter (a Rule 43 report, or any report written as a
/// letter) lists "(a) I am concerned that …", "(b) I am concerned that …"
/// after its evidence. Each such unit opens a concern, with its sub-items
/// and a paragraph a page break split off it; anything else closes it (the
/// steps already taken, the request for a response), and the form's fixed
/// wording never counts.
pub(super) fn concerns_in_a_letter(doc: &Document, cues: &RecCues, units: &[Unit]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut cur: Option<Item> = None;
    for u in units {
        let body = strip_md(u.body(doc)).trim_start();
        let opens = !matches!(u.marker, Some(Marker::Bullet))
            && RE_I_CONCERNED.is_match(body)
            && !cues.is_boilerplate(body);
        if opens {
            out.extend(cur.take().and_then(|it| it.found(doc)));
            let ordinal = match &u.marker {
                Some(Marker::Num(n) | Marker::Sub(n)) => Some(n.clone()),
                _ => None,
            };
            cur = Some(Item::new(ordinal, u.clone()));
            continue;
        }
        let joins = cur
            .as_ref()
            .is_some_and(|it| page_split(doc, it, u) || sub_item_of(it, u));
        match (joins, cur.as_mut()) {
            (true, Some(it)) => it.units.push(u.clone()),
            _ => out.extend(cur.take().and_then(|it| it.found(doc))),
        }
    }
    out.extend(cur.take().and_then(|it| it.found(doc)));
    out
}

/// A lettered sub-item under a numbered concern ("3. I am concerned … (a) …").
fn sub_item_of(it: &Item, u: &Unit) -> bool {
    matches!(
        (&it.units[0].marker, &u.marker),
        (Some(Marker::Num(_)), Some(Marker::Sub(_)))
    )
}
