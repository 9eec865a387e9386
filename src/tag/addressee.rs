//! Addressees: the bodies a recommendation is addressed to, by name, each
//! with where it was found. In order of precedence:
//!
//! 1. **Subject**: bodies named before the first modal verb of the
//!    recommendation's first sentence ("Glanmor Police and Aberwen
//!    University Health Board should …", "The panel recommends that the
//!    Home Office …", "That NHS England considers …").
//! 2. **Heading**: a body, or an agency category, named by a sub-heading
//!    the recommendation sits under ("Glanmor Police", "For HMP Glanmor",
//!    "GP SERVICES", "Police IMR recommendations").
//! 3. **Sent to**: for a coroner's concern with neither, every recipient of
//!    the report ("Sent to:", "THIS REPORT IS BEING SENT TO:").
//! 4. **Issuer**: for a strategy's commitment with neither, the body that
//!    issues the strategy (named on its cover).
//! 5. **Action plan**: for a recommendation with none of these whose first
//!    sentence does not say whom it is for ("Training on coercive control
//!    is commissioned …", "Review the procedure …"; see
//!    [`states_subject`]), the lead agencies of its action-plan rows
//!    ([`from_action_plan`]; each lead cell read by [`lead_addressees`]).
//!    Otherwise the lead is the body that leads the work, not an addressee
//!    ("Haverleigh CSP" writes to the Home Office; "All agencies
//!    represented on the HCSP should …" is for all of them).
//!
//! A body is named through the rule set's gazetteer (canonical name,
//! category, level); an agency category named without a body ("the GP
//! practice should …") is kept as written in that category; any other
//! organisation in a recipients list is kept as written in category
//! "other", never dropped.

use super::recommend::Found;
use crate::model::*;
use crate::rules::{BodyMatch, RuleSet};
use regex::Regex;
use std::sync::LazyLock;

/// What the whole document says about addressees.
#[derive(Debug, Clone, Default)]
pub struct DocAddressees<'d> {
    /// A coroner's recipients, in order.
    pub sent_to: Vec<Addressee>,
    /// The body that issues a strategy.
    pub issuer: Option<Addressee>,
    /// Short names the document defines: "Haverleigh Community Safety
    /// Partnership (HCSP)" → ("hcsp", that body); "(the Board)" → ("the board", …).
    pub defined: Vec<(String, BodyMatch)>,
    /// The document's text, to find the one body a generic name stands
    /// for ("the Safeguarding Adults Board" in a review of the Wrenmoor
    /// Safeguarding Adults Board).
    pub text: &'d str,
}

/// The words that end a recommendation's subject: a modal or a directive verb.
static RE_MODAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:should|must|shall|ought\s+to|will|needs?\s+to|(?:is|are)\s+(?:asked|requested|invited|encouraged|recommended)\s+to|to\s+(?:review|ensure|consider|develop|provide|establish|undertake|commission|introduce|update|work|share|implement|raise|agree|produce|audit|seek|assure|strengthen|improve|lead|create|publish|monitor|set|make|carry)|considers?|reviews?|ensures?|dylai|dylid|dylent|(?:i|yn)\s+(?:sicrhau|adolygu|ystyried|datblygu|darparu|cyflwyno|gwella|rhannu|sefydlu|comisiynu|cynnal|gweithio|diweddaru))\b").unwrap()
});

/// "… recommends that", "asks", "invites": what follows is the subject.
static RE_RECOMMENDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:recommends?|recommended|recommendation\s+is|asks|invites|requests|urges|argymell(?:ir|wn)?)\s+(?:that\s+|bod\s+)?").unwrap()
});

/// The document-level addressee facts: recipients and issuer.
pub fn document_addressees<'d>(doc: &'d Document, rules: &RuleSet) -> DocAddressees<'d> {
    DocAddressees {
        sent_to: sent_to(doc, rules),
        issuer: (doc.kind == DocKind::Strategy)
            .then(|| issuer(doc, rules))
            .flatten(),
        defined: definitions(rules, &doc.text),
        text: &doc.text,
    }
}

/// "Full Name (SHORT)" definitions: an acronym or "the Board" in brackets
/// after a capitalised name. The brackets are found first; the name is
/// read from the words just before them.
fn definitions(rules: &RuleSet, text: &str) -> Vec<(String, BodyMatch)> {
    static SHORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\([ \t]*(?:[Tt]he[ \t]+|[‘“"'])*([A-Z][A-Za-z&]{1,11}|[A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?)[’”"']*[ \t]*\)"#).unwrap()
    });
    static FULL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"[A-Z][\w'’&\-]*(?:[ \t]+(?:(?:of|and|the|for|&|on|in)[ \t]+)*[A-Z][\w'’&\-]*){1,8}[ \t]*$"#).unwrap()
    });
    let mut out: Vec<(String, BodyMatch)> = Vec::new();
    for c in SHORT.captures_iter(text) {
        let (Some(whole), Some(short)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let short = short.as_str().to_lowercase();
        if out.iter().any(|(s, _)| *s == short) {
            continue;
        }
        let mut from = whole.start().saturating_sub(160);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let Some(full) = FULL.find(&text[from..whole.start()]) else {
            continue;
        };
        let body = rules.gazetteer().resolve(full.as_str());
        out.push((short, body));
    }
    out
}

/// The one gazetteer body the document names whose name ends with
/// `phrase` ("Wrenmoor Safeguarding Adults Board" for "Safeguarding Adults
/// Board"): the words before each occurrence of the phrase are read.
fn one_body_ending_with(rules: &RuleSet, text: &str, phrase: &str) -> Option<BodyMatch> {
    let lower = phrase.to_lowercase();
    let mut found: Vec<BodyMatch> = Vec::new();
    let hay = text.to_lowercase();
    if hay.len() != text.len() {
        return None;
    }
    for (at, _) in hay.match_indices(&lower) {
        let mut from = at.saturating_sub(80);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let end = at + lower.len();
        if !text.is_char_boundary(end) {
            continue;
        }
        for m in rules.gazetteer().find_all(&text[from..end]) {
            let c = m.canonical.to_lowercase();
            if c.len() > lower.len()
                && c.ends_with(&format!(" {lower}"))
                && !found.iter().any(|f| f.canonical == m.canonical)
            {
                found.push(m);
            }
        }
        if found.len() > 1 {
            return None;
        }
    }
    found.pop()
}

/// The addressees of one found recommendation.
pub fn addressees(
    doc: &Document,
    rules: &RuleSet,
    ctx: &DocAddressees<'_>,
    f: &Found,
) -> Vec<Addressee> {
    // A coroner's concern goes to the body of its sub-heading, else to
    // every recipient of the report: a body named inside the concern ("I
    // am concerned that Glanmor Police did not …") is what it is about,
    // not whom it is sent to. A recommendation goes to its subject first.
    let sec = doc.sections.get(f.section).map(|s| s.kind);
    let concern = sec == Some(SectionKind::Concerns) || doc.kind == DocKind::Pfd;
    // The body a table of recommendations names beside it is said in so
    // many words: it goes first.
    let table = || match f.lead {
        Some(s) => named_in_cell(
            rules,
            ctx,
            doc.text.get(s.start..s.end).unwrap_or(""),
            AddresseeSource::Table,
        ),
        None => Vec::new(),
    };
    let sources: [&dyn Fn() -> Vec<Addressee>; 4] = if concern {
        [
            &table,
            &|| heading(doc, rules, ctx, f),
            &|| ctx.sent_to.clone(),
            &|| subject(rules, ctx, &f.text),
        ]
    } else {
        [
            &table,
            &|| subject(rules, ctx, &f.text),
            &|| heading(doc, rules, ctx, f),
            &|| match (&ctx.issuer, doc.kind) {
                (Some(i), DocKind::Strategy) => vec![i.clone()],
                _ => Vec::new(),
            },
        ]
    };
    let out = sources
        .iter()
        .map(|source| source())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    dedup(out)
}

fn addressee(m: BodyMatch, source: AddresseeSource) -> Addressee {
    Addressee {
        name: m.name,
        canonical: m.canonical,
        category: m.category,
        level: m.level,
        source,
    }
}

/// One per canonical name, first kept.
fn dedup(v: Vec<Addressee>) -> Vec<Addressee> {
    let mut out: Vec<Addressee> = Vec::with_capacity(v.len());
    for a in v {
        if !out.iter().any(|b| b.canonical == a.canonical) {
            out.push(a);
        }
    }
    out
}

/// Bodies (or agency categories) named as the subject of the first
/// sentence: the chain of names that opens the clause before its verb
/// ("Glanmor Police and Aberwen University Health Board should …"; "The
/// Chief Constable of Kent Police should …"; after "recommends that"; after
/// a leading "When …," clause). A subject that opens with anything else
/// ("All agencies represented on the Board", "Practitioners in the PDU")
/// names no body: the heading above may.
fn subject(rules: &RuleSet, ctx: &DocAddressees<'_>, text: &str) -> Vec<Addressee> {
    let Some((window, _)) = subject_window(text) else {
        return vec![];
    };
    if window.split_whitespace().count() > 30 {
        return vec![];
    }
    let names = names(rules, ctx, window, AddresseeSource::Subject);
    let mut out = Vec::new();
    let mut pos = 0;
    for (s, e, a) in names {
        if s < pos {
            continue;
        }
        let gap = &window[pos..s];
        if !out.is_empty() && gap.trim().is_empty() && department(rules, &a) {
            pos = e;
            continue;
        }
        let ok = if out.is_empty() {
            gap.split_whitespace().all(is_role_word)
        } else {
            gap.split(|c: char| c.is_whitespace() || c == ',')
                .filter(|w| !w.is_empty())
                .all(|w| matches!(w.to_lowercase().as_str(), "and" | "&" | "the" | "a" | "ac"))
        };
        if !ok {
            break;
        }
        out.push(a);
        pos = e;
    }
    dedup(out)
}

/// The words in the subject's place of the first sentence: before its
/// verb (after "recommends that" and a leading "When …," clause), or the
/// words after a verb that comes first (Welsh "Dylai Heddlu Glanmor …");
/// and whether the verb came first. None without a modal or directive verb.
fn subject_window(text: &str) -> Option<(&str, bool)> {
    let first = first_sentence(text);
    let modal = RE_MODAL.find(first)?;
    let window = if modal.start() == 0 {
        let after = &first[modal.end()..];
        let end = after
            .split_whitespace()
            .take(10)
            .map(|w| w.as_ptr() as usize - after.as_ptr() as usize + w.len())
            .last()
            .unwrap_or(0);
        &after[..end]
    } else {
        let start = RE_RECOMMENDS
            .find_iter(&first[..modal.start()])
            .last()
            .map_or(0, |m| m.end());
        &first[start..modal.start()]
    };
    Some((after_leading_clause(window), modal.start() == 0))
}

/// The first sentence says whom it is for before its verb, even when it
/// names no body ("All agencies represented on the Board should …",
/// "Practitioners should …"): such a recommendation takes no lead agency
/// from an action plan.
pub fn states_subject(text: &str) -> bool {
    subject_window(text)
        .is_some_and(|(w, verb_first)| !verb_first && !w.split_whitespace().all(is_role_word))
}

/// "Wrenmoor Council adult social care": an agency category named as
/// written, without a body, right after a body is that body's department,
/// not another addressee.
fn department(rules: &RuleSet, a: &Addressee) -> bool {
    rules.gazetteer().find_all(&a.name).is_empty()
        && rules
            .agency(&a.category)
            .is_some_and(|g| g.label == a.canonical)
}

/// The bodies an action plan's lead cell names ("Haverleigh Borough
/// Council and Marlshire County Council", "Marlshire County Council
/// Children's Social Care", "Haverleigh CSP (Training Sub-group)"): the
/// gazetteer's bodies, other organisations by their names (the document's
/// own short names expanded), agency categories as written; bracketed
/// qualifiers and a department after its body aside.
pub fn lead_addressees(rules: &RuleSet, ctx: &DocAddressees<'_>, cell: &str) -> Vec<Addressee> {
    named_in_cell(rules, ctx, cell, AddresseeSource::ActionPlan)
}

/// The bodies a table cell names (a lead, an agency column), in order; a
/// department named right after its body is not a body of its own.
fn named_in_cell(
    rules: &RuleSet,
    ctx: &DocAddressees<'_>,
    cell: &str,
    source: AddresseeSource,
) -> Vec<Addressee> {
    let plain = cell.split('(').next().unwrap_or(cell);
    // "All agencies", "All SMP partner agencies", "Pob asiantaeth": every
    // agency, not one body.
    let first = plain.split_whitespace().next().unwrap_or("").to_lowercase();
    if matches!(first.as_str(), "all" | "every" | "each" | "pob" | "holl") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut pos: Option<usize> = None;
    for (s, e, a) in names(rules, ctx, plain, source) {
        if pos.is_some_and(|p| s < p) {
            continue;
        }
        let after_body = pos.is_some_and(|p| plain[p..s].trim().is_empty());
        pos = Some(e);
        if !(after_body && department(rules, &a)) {
            out.push(a);
        }
    }
    dedup(out)
}

/// Precedence 5: the lead agencies of a recommendation's action-plan rows,
/// in order, once each.
pub fn from_action_plan<'r>(rows: impl IntoIterator<Item = &'r ActionPlanRow>) -> Vec<Addressee> {
    dedup(
        rows.into_iter()
            .flat_map(|r| r.lead_addressees.iter().cloned())
            .collect(),
    )
}

/// "When Nerys asked to be rehoused, Glanmor County Borough Council …":
/// the text after a leading subordinate clause.
fn after_leading_clause(window: &str) -> &str {
    const OPENERS: &[&str] = &[
        "when",
        "if",
        "where",
        "although",
        "while",
        "whilst",
        "because",
        "since",
        "as",
        "after",
        "before",
        "following",
        "given",
        "despite",
        "once",
        "until",
        "unless",
        "in",
        "by",
        "for",
        "within",
        "from",
        "pan",
        "os",
        "er",
    ];
    let first = window
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_lowercase();
    if !OPENERS.contains(&first.as_str()) {
        return window;
    }
    window.find(", ").map_or("", |i| &window[i + 2..])
}

/// Words that may stand before a body's name in a subject: determiners and
/// roles ("The Chief Executive of …").
fn is_role_word(w: &str) -> bool {
    const ROLES: &[&str] = &[
        "the",
        "that",
        "chief",
        "constable",
        "executive",
        "officer",
        "director",
        "secretary",
        "state",
        "minister",
        "head",
        "manager",
        "of",
        "at",
        "for",
        "and",
        "deputy",
        "medical",
        "nursing",
        "senior",
        "y",
        "yr",
        "prif",
        "gwnstabl",
        "weithredwr",
        "cyfarwyddwr",
    ];
    ROLES.contains(
        &w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
            .as_str(),
    )
}

/// Bodies named in a short text, with their spans: the gazetteer's, then
/// other organisations by their capitalised names (resolved through the
/// document's own definitions; in a heading only names with an
/// organisation word), then agency categories as written.
fn names(
    rules: &RuleSet,
    ctx: &DocAddressees<'_>,
    text: &str,
    source: AddresseeSource,
) -> Vec<(usize, usize, Addressee)> {
    let heading = source == AddresseeSource::Heading;
    let bodies = rules.gazetteer().find_all(text);
    let mut out: Vec<(usize, usize, Addressee)> = bodies
        .iter()
        .map(|m| (m.start, m.end, addressee(m.clone(), source)))
        .collect();
    for (at, phrase) in org_phrases(text, &bodies) {
        if heading && !rules.rec_cues().is_organisation_name(phrase) {
            continue;
        }
        if let Some(m) = resolve_phrase(rules, ctx, phrase) {
            out.push((at, at + phrase.len(), addressee(m, source)));
        }
    }
    let mut mentions = rules.agency_mentions(text);
    // Longest first where mentions overlap ("GP practice" over "GP").
    mentions.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));
    for (s, e, id) in mentions {
        if out.iter().any(|(a, b, _)| *a < e && s < *b) {
            continue;
        }
        let name = tidy(&text[s..e]);
        let agency = rules.agency(&id);
        out.push((
            s,
            e,
            Addressee {
                canonical: agency.map_or(name.clone(), |a| a.label.clone()),
                name,
                level: agency.map(|a| a.level),
                category: id,
                source,
            },
        ));
    }
    out.sort_by_key(|(s, e, _)| (*s, std::cmp::Reverse(*e)));
    out
}

/// The bodies a heading names, bracketed qualifiers aside ("The Probation
/// Service (Marlshire Probation Delivery Unit)" names the Probation
/// Service). `organisations`: whether names outside the gazetteer count.
fn heading_names(
    rules: &RuleSet,
    ctx: &DocAddressees<'_>,
    heading: &str,
    organisations: bool,
) -> Vec<Addressee> {
    let plain = heading.split('(').next().unwrap_or(heading);
    let found: Vec<Addressee> = names(rules, ctx, plain, AddresseeSource::Heading)
        .into_iter()
        .filter(|(_, _, a)| organisations || a.category != "other")
        .map(|(_, _, a)| a)
        .collect();
    dedup(found)
}

/// Most words of a sub-heading that names whom its items are for ("For
/// Glanmor University Health Board and Glanmor Police:").
const MAX_NAMING_HEADING_WORDS: usize = 10;

/// The bodies named by the sub-headings the recommendation sits under,
/// innermost first: the headings of sections nested inside the section of
/// items, then the section's own heading ("Police IMR recommendations").
fn heading(doc: &Document, rules: &RuleSet, ctx: &DocAddressees<'_>, f: &Found) -> Vec<Addressee> {
    let mut idx = Some(f.section);
    while let Some(i) = idx {
        let Some(sec) = doc.sections.get(i) else {
            break;
        };
        if rules.anatomy().classify(&sec.heading).is_some() {
            // The section's own kind heading ("Recommendations"): only a
            // body or agency of the gazetteer named in it, not its other
            // capitalised words ("Improving Systems and Practice").
            return heading_names(rules, ctx, &sec.heading, false);
        }
        // A heading that runs to a sentence ("2. Between October and July
        // officers of Glanmor Police attended", a paragraph's first line
        // taken for a heading) names what happened, not an addressee.
        let sentence = sec.heading.split_whitespace().count() > MAX_NAMING_HEADING_WORDS;
        let found = if sentence {
            Vec::new()
        } else {
            heading_names(rules, ctx, &sec.heading, true)
        };
        if !found.is_empty() {
            return found;
        }
        idx = parent(doc, i);
    }
    vec![]
}

/// Capitalised names outside the gazetteer's matches: two or more
/// capitalised words ("Wrenmoor Homes", "Safeguarding Adults Board"), or an
/// acronym ("HCSP"); a leading determiner is not part of the name. With the
/// byte offset of each in `text`.
fn org_phrases<'t>(text: &'t str, bodies: &[BodyMatch]) -> Vec<(usize, &'t str)> {
    static ORG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:[A-Z][\w'’&\-]*(?:[ \t]+(?:(?:of|and|for|&)[ \t]+)?[A-Z][\w'’&\-]*)+|[A-Z]{2,8}s?)\b").unwrap()
    });
    const DETERMINERS: &[&str] = &[
        "The",
        "That",
        "This",
        "These",
        "Those",
        "All",
        "Each",
        "Every",
        "Both",
        "A",
        "An",
        "Its",
        "Their",
        "In",
        "By",
        "From",
        "Following",
        "Recommendation",
        "Argymhelliad",
    ];
    // The text between the gazetteer's matches.
    let mut gaps: Vec<(usize, usize)> = Vec::new();
    let mut pos = 0;
    for b in bodies {
        gaps.push((pos, b.start.max(pos)));
        pos = pos.max(b.end);
    }
    gaps.push((pos, text.len()));
    let mut out = Vec::new();
    for m in gaps.into_iter().flat_map(|(s, e)| {
        ORG.find_iter(&text[s..e])
            .map(move |m| (s + m.start(), m.as_str()))
    }) {
        let mut phrase = m.1;
        let mut at = m.0;
        while let Some((first, rest)) = phrase.split_once([' ', '\t']) {
            if !DETERMINERS.contains(&first) {
                break;
            }
            at += first.len() + 1;
            phrase = rest.trim_start();
        }
        let words = phrase.split_whitespace().count();
        let acronym = words == 1 && phrase.chars().filter(|c| c.is_uppercase()).count() >= 2;
        if words >= 2 || acronym {
            out.push((at, phrase));
        }
    }
    out
}

/// A name outside the gazetteer: a short name the document defines, the
/// one body of the gazetteer the document names that ends with it ("the
/// Safeguarding Adults Board" in a review of the Wrenmoor Safeguarding
/// Adults Board), else the name as written, in the category of an agency
/// word in it ("Fenmere Housing Association": housing) or "other". Agency
/// acronyms alone ("GP", "MARAC") are categories, not bodies: None.
fn resolve_phrase(rules: &RuleSet, ctx: &DocAddressees<'_>, phrase: &str) -> Option<BodyMatch> {
    let lower = phrase.to_lowercase();
    if let Some((_, b)) = ctx
        .defined
        .iter()
        .find(|(s, _)| *s == lower || s.strip_prefix("the ") == Some(lower.as_str()))
    {
        return Some(BodyMatch {
            name: phrase.to_string(),
            ..b.clone()
        });
    }
    if let Some(one) = one_body_ending_with(rules, ctx.text, phrase) {
        return Some(BodyMatch {
            name: phrase.to_string(),
            ..one
        });
    }
    let mentions = rules.agency_mentions(phrase);
    let acronym = !phrase.contains(' ');
    if acronym
        || mentions
            .iter()
            .any(|(s, e, _)| *s == 0 && *e == phrase.len())
    {
        // An acronym the document does not define ("IMR"), or an agency
        // category alone ("GP"): no body.
        return None;
    }
    let mut m = rules.gazetteer().resolve(phrase);
    if let Some((_, _, id)) = mentions.first() {
        m.category = id.clone();
        m.level = rules.agency(id).map(|a| a.level);
    }
    Some(m)
}

/// The innermost section that encloses section `i`.
fn parent(doc: &Document, i: usize) -> Option<usize> {
    let s = doc.sections.get(i)?;
    doc.sections[..i]
        .iter()
        .rev()
        .find(|p| p.level < s.level && p.start <= s.start && s.start < p.end.max(p.start + 1))
        .map(|p| p.index)
}

/// A coroner's recipients: the passage that opens with a recipients lead-in
/// ("Sent to: A; B") and, when the list follows it, the passages after it
/// up to the next heading. Entries are split at semicolons, line breaks and
/// list numbers.
fn sent_to(doc: &Document, rules: &RuleSet) -> Vec<Addressee> {
    let cues = rules.rec_cues();
    let mut entries: Vec<String> = Vec::new();
    let mut it = doc.passages.iter();
    for p in it.by_ref() {
        let Some(text) = doc.text.get(p.start..p.end) else {
            continue;
        };
        if let Some(rest) = cues.sent_to(text) {
            entries.extend(split_entries(rest));
            break;
        }
    }
    if entries.is_empty() {
        for p in it {
            if p.kind == PassageKind::Heading {
                break;
            }
            entries.extend(split_entries(doc.text.get(p.start..p.end).unwrap_or("")));
        }
    }
    let mut out: Vec<Addressee> = entries
        .into_iter()
        .map(|e| addressee(rules.gazetteer().resolve(&e), AddresseeSource::SentTo))
        .collect();
    // A recipient named only by a job title keeps its words ("Chief
    // Executive"); one without letters is no recipient.
    out.retain(|a| a.name.chars().any(char::is_alphabetic));
    out
}

/// Recipients' entries: split at semicolons, line breaks and list numbers
/// ("1. Kent Police 2. Kent County Council").
fn split_entries(s: &str) -> Vec<String> {
    static NUM: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|\s)\(?\d{1,2}[.)]\s+").unwrap());
    let mut out = Vec::new();
    for part in s.split([';', '\n']) {
        for piece in NUM.split(part) {
            let t = tidy(piece.trim_matches(|c: char| c.is_whitespace() || c == ',' || c == '.'));
            if !t.is_empty() {
                out.push(t);
            }
        }
    }
    out
}

/// A strategy's issuer: the first body named in its title, else on its cover.
fn issuer(doc: &Document, rules: &RuleSet) -> Option<Addressee> {
    let g = rules.gazetteer();
    let from_title = g.find_all(&doc.title).into_iter().next();
    let cover_end = doc
        .page_starts
        .get(1)
        .copied()
        .unwrap_or(doc.text.len().min(2000));
    let cover = doc.text.get(..cover_end).unwrap_or("");
    let m = from_title.or_else(|| g.find_all(cover).into_iter().next())?;
    Some(addressee(m, AddresseeSource::Issuer))
}

fn first_sentence(text: &str) -> &str {
    static END: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[.!?;]\s+[A-Z(“\x22]|\n").unwrap());
    END.find(text).map_or(text, |m| &text[..m.start() + 1])
}

fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subj(text: &str) -> Vec<String> {
        subject(&RuleSet::default_rules(), &DocAddressees::default(), text)
            .into_iter()
            .map(|a| a.canonical)
            .collect()
    }

    #[test]
    fn the_subject_before_the_modal() {
        assert_eq!(
            subj("Glanmor Police should review its training."),
            ["Glanmor Police"]
        );
        assert_eq!(
            subj("The panel recommends that the Home Office and NHS England consider guidance."),
            ["Home Office", "NHS England"]
        );
        assert_eq!(
            subj("Glanmor Police should work with the Home Office to review guidance."),
            ["Glanmor Police"]
        );
        assert_eq!(
            subj("That the GP practice should audit records."),
            ["GP and primary care"]
        );
        // Names outside the gazetteer, chained; a generic head names none.
        assert_eq!(
            subj("Eastdale Fire and Rescue Service and Wrenmoor Homes should jointly act."),
            ["Eastdale Fire and Rescue Service", "Wrenmoor Homes"]
        );
        assert!(
            subj("All agencies represented on the Glanmor Safeguarding Board should act.")
                .is_empty()
        );
        assert_eq!(
            subj(
                "When Ms A asked to be rehoused, Glanmor County Borough Council should have acted."
            ),
            ["Glanmor County Borough Council"]
        );
        // A department after its body is part of it.
        assert_eq!(
            subj("Wrenmoor Council adult social care should ensure that enquiries stay open."),
            ["Wrenmoor Council"]
        );
        assert!(subj("Training should be refreshed annually.").is_empty());
        assert_eq!(
            subj("Dylai Heddlu Glanmor adolygu ei hyfforddiant."),
            ["Glanmor Police"]
        );
        // "The review recommends that X ensures": "argymell bod X yn sicrhau".
        assert_eq!(
            subj(
                "Mae'r adolygiad yn argymell bod Heddlu Glanmor yn sicrhau bod swyddogion yn cael hyfforddiant."
            ),
            ["Glanmor Police"]
        );
    }

    #[test]
    fn recipients_are_split_and_kept() {
        assert_eq!(
            split_entries(
                "The Rt Hon A Minister MP, Secretary of State for Transport; General Medical Council; GP"
            ),
            [
                "The Rt Hon A Minister MP, Secretary of State for Transport",
                "General Medical Council",
                "GP"
            ]
        );
        assert_eq!(
            split_entries("1. Fictional Glanmor Council 2. Glanmor Police"),
            ["Fictional Glanmor Council", "Glanmor Police"]
        );
    }
}
