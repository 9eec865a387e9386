//! Recommendation finding: which passages of a segmented [`Document`] are
//! recommendations (numbered or bulleted items in recommendations sections,
//! "We will" commitments in strategies, coroners' matters of concern), with
//! sub-items kept with their parent and text joined across page breaks.
//! Agencies and themes are attributed by the caller ([`super::tag`]).
//!
//! # How it works
//!
//! 1. **Regions.** Passages are walked section by section. Each section gets
//!    a *base mode* from its [`SectionKind`] (`Recommendations` → review
//!    rules, `Concerns` → PFD rules, `Commitments`/`Objectives` → strategy
//!    rules, `ActionPlan`, `TermsOfReference`, `Background`, `Chronology`,
//!    `Glossary`, `Methodology` → never). Inside a section, a heading (a
//!    `Heading` passage, a Markdown heading, or a short paragraph that carries
//!    a cue or is in capitals: see `heading_cue`) switches the mode: "Recommendations"/"Argymhellion" →
//!    review rules, "Coroner's concerns"/"Matters of concern" → PFD rules,
//!    "We will:" → strategy list, "We have:", "Case study", "Action plan",
//!    "Lessons", … → nothing. This is also the fallback when the segmenter
//!    gave no usable kind (`FrontMatter`/`Other`): regions opened by a cue
//!    heading alone are *verified* (most items must contain an action word
//!    such as "should", "ensure", "review"), otherwise they are dropped. A
//!    neutral heading ends what a cue heading opened. In strategies (and
//!    documents of unknown kind) `FrontMatter`/`Other` sections follow the
//!    strategy rules; in reviews and PFD reports they are skipped.
//! 2. **Units.** Each passage is cut into units at list markers: its own
//!    marker (or one parsed from its text: "3.", "2.1", "R4",
//!    "Recommendation 3:" — also alone, its text in the next paragraph —
//!    "(1)", "(a)", "i.", "•", "-"), line-start bullets,
//!    and runs of consecutive inline numbers ("… as follows: 1. … 2. … 3. …",
//!    as PDF text flattening leaves them).
//! 3. **Family rules**, one function each:
//!    - `review_items`: each numbered/bulleted item is one recommendation;
//!      sub-items ("(a)", "i.") and following unmarked paragraphs that do not
//!      look like a new intro (a lead-in ending ":", "Label: …", the panel
//!      speaking, talk of recommendations) join it, as does a sentence cut by
//!      a page break. Without any list, paragraphs that recommend ("The panel
//!      recommends that …", "X should …"); between list items only explicit
//!      "… recommends that …" sentences. Reported recommendations ("… recommended
//!      that …", "previous …") never count, nor a numbered paragraph that
//!      introduces the list ("9.1 The panel makes the following
//!      recommendations") when the list after it is numbered apart.
//!    - `strategy_items`: one commitment per list item after a "We will:"
//!      lead-in (the item's text as written, *without* "We will" prefixed:
//!      the lead-in is implied by the section), the text after "We will:" when
//!      the lead-in shares its paragraph (flattened table rows), and each
//!      sentence starting "We will …" up to the next such sentence (in
//!      documents of unknown kind only at a paragraph's start). Unbulleted
//!      paragraphs count as list items only in unbulleted lists and only when
//!      they open like a bare action ("Work with …", not "The …"/"What this
//!      means: …"); a numbered objective ("1.2 …") ends the list. "We have:"
//!      lists, case studies, "We will always/never …" sentiments and
//!      "Priority 1: …" headings are not commitments. Where a document sets
//!      its commitments out in "We will:" lists (two lead-ins or more),
//!      narrative "We will …" sentences are prose. "3.2 continued" resumes a
//!      table's list across a page; capitalised header rows, repeated
//!      objectives and bare footnote numbers inside a list are skipped; a
//!      commitment repeated under two objectives is kept.
//!    - `pfd_items`: numbered concerns (with their unnumbered follow-on
//!      paragraphs), or else each paragraph of the concerns section, with the
//!      statutory boilerplate and the closing duties removed. When the
//!      coroner states concerns in so many words ("I am concerned …", "This
//!      is of concern", "Secondly, …"), evidence-only paragraphs are context,
//!      and each "I am concerned …" sentence starts a concern of its own. A numbered list
//!      inside a quotation (another body's recommendation) is not split.
//! 4. Items that are contents lines (dot leaders), questions (terms of
//!    reference) or empty are dropped; exact duplicates (a recommendation
//!    repeated in an executive summary) keep the copy outside the summary.
//!
//! Spans include the item's marker; [`Found::text`] does not, has its
//! whitespace collapsed, and joins passages with `\n` (a sentence split by a
//! page break is joined with a space).

use crate::model::*;
use regex::Regex;
use std::sync::LazyLock;

/// A recommendation found in the document structure, before agencies and
/// themes are attributed.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Ordinal as written ("3", "2.1", "R4"), None when unnumbered.
    pub ordinal: Option<String>,
    /// Whole text (sub-items included; page furniture already absent).
    pub text: String,
    /// Page the recommendation starts on.
    pub page: u32,
    /// Index of the section in [`Document::sections`].
    pub section: usize,
    /// Byte span in the document text.
    pub start: usize,
    pub end: usize,
}

/// Find the recommendations, commitments or matters of concern in `doc`, in document order.
pub fn find(doc: &Document) -> Vec<Found> {
    let mut out = Vec::new();
    let passages = &doc.passages;
    let lists = has_lead_in_lists(doc);
    let mut i = 0;
    while i < passages.len() {
        let sec = passages[i].section;
        let mut j = i;
        while j < passages.len() && passages[j].section == sec {
            j += 1;
        }
        scan_section(doc, sec, &passages[i..j], lists, &mut out);
        i = j;
    }
    finish(doc, out)
}

// ---------------------------------------------------------------------------
// Regions

/// Which family of rules applies to a run of passages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing here is a recommendation.
    Skip,
    /// Review recommendations; `verify` when opened by a cue alone.
    Review { verify: bool },
    /// Coroner's matters of concern.
    Pfd,
    /// Strategy commitments; `listed` when list items count without a
    /// "We will:" lead-in (a commitments section or after a "We will:" heading);
    /// `sentences` when a "We will …" sentence counts anywhere in a paragraph
    /// (otherwise only at the start of one: the fallback for unknown documents).
    Strategy { listed: bool, sentences: bool },
}

/// Kinds whose text is never a recommendation and where cue headings are not trusted.
fn closed_kind(k: SectionKind) -> bool {
    matches!(
        k,
        SectionKind::ActionPlan
            | SectionKind::TermsOfReference
            | SectionKind::Background
            | SectionKind::Chronology
            | SectionKind::Glossary
            | SectionKind::Methodology
    )
}

fn base_mode(doc: &Document, sec: Option<&Section>) -> Mode {
    let kind = sec.map(|s| s.kind).unwrap_or_default();
    // A sub-heading inherits its parent's kind ("We have:" under a "We will:"
    // section, "Case study" inside a commitments section): when its own words
    // name no kind, what they say about the text under them wins.
    if let Some(s) = sec
        && crate::segment::heading_kind(strip_md(&s.heading)).is_none()
        && kind != SectionKind::Recommendations
        && let Some(Cue::Close) = heading_cue(doc, &s.heading)
        // Only unmistakable closers: "Investigation and prosecution" under a
        // priority area still holds its commitments.
        && RE_STRONG_CLOSE.is_match(strip_md(&s.heading))
    {
        return Mode::Skip;
    }
    match kind {
        SectionKind::Recommendations => Mode::Review { verify: false },
        SectionKind::Concerns => Mode::Pfd,
        SectionKind::Commitments => Mode::Strategy {
            listed: true,
            sentences: true,
        },
        SectionKind::Objectives => Mode::Strategy {
            listed: false,
            sentences: true,
        },
        k if closed_kind(k) => Mode::Skip,
        k => {
            // No usable kind: the section heading may still say what it is.
            match sec.and_then(|s| heading_cue(doc, &s.heading)) {
                Some(Cue::Open(m)) => return m,
                Some(Cue::Close) => return Mode::Skip,
                None => {}
            }
            let strategy_like = matches!(doc.kind, DocKind::Strategy | DocKind::Other);
            if strategy_like && matches!(k, SectionKind::FrontMatter | SectionKind::Other) {
                Mode::Strategy {
                    listed: false,
                    sentences: doc.kind == DocKind::Strategy,
                }
            } else {
                Mode::Skip
            }
        }
    }
}

/// What a heading says about the text under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// Opens a region of this mode.
    Open(Mode),
    /// Opens a region where nothing counts ("We have:", "Case study", "Action plan").
    Close,
}

static RE_NEG_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\baction\s+plan|\b(previous|earlier|prior|past)\b|\bprogress\b").unwrap()
});
static RE_CORONER_CONCERNS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)coroner.?s\s+concerns?|pryderon\s+y\s+crwner").unwrap());
static RE_REC_HEAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)recommend|argymhell").unwrap());
static RE_PFD_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)coroner.?s\s+concerns?|matters?\s+of\s+concern|pryderon\s+y\s+crwner").unwrap()
});
static RE_WE_WILL_HEAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(we\s+will|byddwn\s+yn)\s*:?$").unwrap());
static RE_NEG_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^we\s+have\b|what\s+we\s+have|achiev|case\s+stud|\bvision\b|contents|lessons?|learning|findings?|terms\s+of\s+reference|conclusion|background|chronolog|glossary|appendix|references|action\s+should\s+be\s+taken|your\s+response|copies|publication|circumstances|inquest|investigation|evidence|outputs?\b",
    )
    .unwrap()
});

/// Classify a heading's text. `None` for a neutral heading ("Glanmor Police").
fn heading_cue(doc: &Document, heading: &str) -> Option<Cue> {
    let h = strip_md(heading);
    if h.is_empty() {
        return None;
    }
    if RE_NEG_FIRST.is_match(h) {
        return Some(Cue::Close);
    }
    // Concerns are a coroner's: in a review, "Matters of concern raised by
    // the family" is analysis.
    let pfd_like = matches!(doc.kind, DocKind::Pfd | DocKind::Other);
    let lower = h.to_lowercase();
    if (pfd_like && RE_PFD_HEAD.is_match(h))
        || RE_CORONER_CONCERNS.is_match(h)
        || (doc.kind == DocKind::Pfd && lower.contains("concern"))
    {
        return Some(Cue::Open(Mode::Pfd));
    }
    if RE_REC_HEAD.is_match(h) {
        return Some(Cue::Open(Mode::Review { verify: true }));
    }
    if RE_WE_WILL_HEAD.is_match(h) {
        return Some(Cue::Open(Mode::Strategy {
            listed: true,
            sentences: doc.kind == DocKind::Strategy,
        }));
    }
    if RE_NEG_HEAD.is_match(h) {
        return Some(Cue::Close);
    }
    None
}

static RE_STRONG_CLOSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:we\s+have\b|what\s+we\s+have|case\s+stud|(?:\d+(?:\.\d+)*\.?\s+)?(?:action\s+plan|contents|lessons\s+learn|learning\s+points?|findings|conclusions?|terms\s+of\s+reference)\b)").unwrap()
});
static RE_REC_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:recommendation|argymhelliad)\s+[A-Z]?\d{1,3}(?:\.\d{1,3})*[a-z]?\b")
        .unwrap()
});
static RE_LEADERS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.{4,}|…|(\s|\.)\d{1,3}$|\t\d{1,3}$").unwrap());

/// Whether a passage is a heading, and if so its cue. Paragraphs count as
/// headings only when short and either carrying a cue or written in capitals
/// (so that short unpunctuated list items are not mistaken for headings).
fn as_heading(doc: &Document, p: &Passage, text: &str) -> Option<Option<Cue>> {
    let h = strip_md(text);
    let t = text.trim();
    // Markdown headings, and single-line paragraphs wholly in bold.
    let md_heading = t.starts_with('#')
        || (t.starts_with("**") && t.ends_with("**") && !t.contains('\n') && t.len() > 4);
    if RE_REC_LABEL.is_match(h) {
        // "Recommendation 3" / "Recommendation 3: Information sharing" opens an item.
        return None;
    }
    if p.kind == PassageKind::Heading || (md_heading && p.marker.is_none()) {
        return Some(heading_cue(doc, h));
    }
    if p.kind == PassageKind::TableRow || p.marker.is_some() || h.is_empty() {
        return None;
    }
    let words = h.split_whitespace().count();
    if h.len() > 90 || words > 12 || h.ends_with('.') || h.ends_with(';') {
        return None;
    }
    if RE_LEADERS.is_match(h) || parse_marker(h).is_some() {
        return None;
    }
    let letters: Vec<char> = h.chars().filter(|c| c.is_alphabetic()).collect();
    let caps = letters.len() >= 4 && letters.iter().all(|c| !c.is_lowercase());
    match heading_cue(doc, h) {
        _ if caps => Some(heading_cue(doc, h)),
        // A short paragraph opening a region is a heading unless it reads as an action.
        Some(Cue::Open(m)) if !RE_ACTION.is_match(h) || RE_WE_WILL_HEAD.is_match(h) => {
            Some(Some(Cue::Open(m)))
        }
        // Closing cues only from unmistakable lead-ins ("Learning" may start a bullet).
        Some(Cue::Close) if RE_STRONG_CLOSE.is_match(h) => Some(Some(Cue::Close)),
        _ => None,
    }
}

/// Walk one section's passages, switching mode at headings, and hand each
/// run of passages to its family's rules.
fn scan_section(doc: &Document, sec_idx: usize, ps: &[Passage], lists: bool, out: &mut Vec<Found>) {
    let sec = doc.sections.get(sec_idx);
    let base = base_mode(doc, sec);
    let closed = sec.is_some_and(|s| closed_kind(s.kind));
    let mut mode = base;
    let mut run: Vec<&Passage> = Vec::new();
    for p in ps {
        let Some(text) = doc.text.get(p.start..p.end) else {
            continue;
        };
        if is_noise(text) {
            continue;
        }
        if let Some(cue) = as_heading(doc, p, text) {
            if sec.is_some_and(|s| strip_md(&s.heading) == strip_md(text)) {
                // The section's own heading: its kind already decided the mode.
                continue;
            }
            run_family(doc, mode, &run, lists, out);
            run.clear();
            mode = match cue {
                _ if closed => Mode::Skip,
                Some(Cue::Open(m)) => match (base, m) {
                    // Inside a real recommendations section, sub-headings stay trusted.
                    (Mode::Review { verify: false }, Mode::Review { .. }) => base,
                    _ => m,
                },
                Some(Cue::Close) => Mode::Skip,
                // A neutral heading ends whatever a cue heading opened, except
                // that a closed part of a recommendations section (an action
                // plan) stays closed under its own sub-headings.
                None => match (base, mode) {
                    (Mode::Review { verify: false }, Mode::Skip) => Mode::Skip,
                    _ => base,
                },
            };
            continue;
        }
        run.push(p);
    }
    run_family(doc, mode, &run, lists, out);
}

fn run_family(doc: &Document, mode: Mode, run: &[&Passage], lists: bool, out: &mut Vec<Found>) {
    if run.is_empty() {
        return;
    }
    let units = units_of(doc, run);
    match mode {
        Mode::Skip => {}
        Mode::Review { verify } => {
            let items = review_items(doc, &units);
            if !verify || verified(&items) {
                out.extend(items);
            }
        }
        Mode::Pfd => out.extend(pfd_items(doc, &units)),
        Mode::Strategy { listed, sentences } => {
            out.extend(strategy_items(doc, &units, listed, sentences, lists))
        }
    }
}

static RE_ACTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(should|must|ensure|review|consider|develop|we will|establish|implement|improve|provide|introduce|update|strengthen|recommends?|audit|undertake|commission|promote|dylai|dylid|sicrhau)\b").unwrap()
});

/// A cue-only region counts when most of its items read as actions.
fn verified(items: &[Found]) -> bool {
    let n = items.iter().filter(|f| RE_ACTION.is_match(&f.text)).count();
    !items.is_empty() && n * 2 > items.len()
}

// ---------------------------------------------------------------------------
// Markers and units

#[derive(Debug, Clone, PartialEq, Eq)]
enum Marker {
    /// "3.", "2.1", "R4", "Recommendation 3:", "(1)": ordinal as written.
    Num(String),
    /// "(a)", "b)", "iv.": a sub-item, label as written.
    Sub(String),
    /// "•", "-", "*".
    Bullet,
}

static RE_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?i:recommendation|argymhelliad|rec\.?)\s+(?P<rec>[A-Z]?\d{1,3}(?:\.\d{1,3})*[a-z]?)\s*[:.)\-–—]?|(?P<r>R\d{1,3}(?:\.\d{1,3})*)[:.)]?|\((?P<pn>\d{1,3})\)|(?P<num>\d{1,3}(?:\.\d{1,3})*)(?P<np>[.):])?|\(?(?P<sub>[a-z]|[ivx]{1,4})[.)]|(?P<bul>[•●▪◦‣∙·○■□➢►✓➤\-–—*]))(?:\s+|$)",
    )
    .unwrap()
});

/// Parse a list marker at the start of `s`: the marker and its length in
/// bytes, trailing whitespace included.
fn parse_marker(s: &str) -> Option<(Marker, usize)> {
    let c = RE_MARKER.captures(s)?;
    let len = c.get(0)?.end();
    let rest = &s[len..];
    if let Some(m) = c.name("rec") {
        // "Recommendation 3" may stand alone, its text in the next paragraph.
        return Some((Marker::Num(m.as_str().to_string()), len));
    }
    if let Some(m) = c.name("r").or(c.name("pn")) {
        // Also alone: a marker laid out apart from its text.
        return Some((Marker::Num(m.as_str().to_string()), len));
    }
    if let Some(m) = c.name("num") {
        let starts_upper = rest
            .chars()
            .next()
            .is_some_and(|ch| ch.is_uppercase() || "\"“‘'(".contains(ch));
        // "3 The CSP …" needs a capital after a bare number ("4 weeks" is prose);
        // "2.1" needs no punctuation; "3." may stand alone (a marker laid out
        // apart from its text), a bare "3" or "2.1" may not (page and section numbers).
        let dotted = m.as_str().contains('.');
        let punct = c.name("np").is_some();
        if !punct && !dotted && !starts_upper {
            return None;
        }
        if rest.trim().is_empty() && !punct {
            return None;
        }
        return Some((Marker::Num(m.as_str().to_string()), len));
    }
    if let Some(m) = c.name("sub") {
        if rest.trim().is_empty() {
            return None;
        }
        return Some((Marker::Sub(m.as_str().to_string()), len));
    }
    if c.name("bul").is_some() && !rest.trim().is_empty() {
        return Some((Marker::Bullet, len));
    }
    None
}

/// A piece of a passage: one list item, or the whole passage.
#[derive(Debug, Clone)]
struct Unit<'a> {
    /// Byte span in the document text (marker included).
    start: usize,
    end: usize,
    /// Where the text after the marker starts.
    body: usize,
    marker: Option<Marker>,
    passage: &'a Passage,
}

impl Unit<'_> {
    fn body<'d>(&self, doc: &'d Document) -> &'d str {
        doc.text.get(self.body..self.end).unwrap_or("")
    }
}

static RE_INLINE_NUM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\s)\(?(\d{1,2})[.)]\s+[A-Z“\x22‘]").unwrap());
static RE_LINE_START: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\n[ \t]*").unwrap());

/// Segmenter markers that are lead-ins or labels rather than list markers.
static RE_LEAD_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:we\s+will|byddwn\s+yn|objective|priority|amcan|blaenoriaeth)\b").unwrap()
});

/// Cut passages into units at list markers.
fn units_of<'a>(doc: &Document, run: &[&'a Passage]) -> Vec<Unit<'a>> {
    let mut out = Vec::new();
    for &p in run {
        let Some(text) = doc.text.get(p.start..p.end) else {
            continue;
        };
        // Cut points: (offset in text, marker, marker length).
        let mut cuts: Vec<(usize, Option<Marker>, usize)> = Vec::new();
        let lead = text.len() - text.trim_start().len();
        let own = match &p.marker {
            // "We will:" and "Objective 2:" are lead-ins and labels, not list
            // markers: they stay in the text for the family rules to read.
            Some(m) if RE_LEAD_MARKER.is_match(m.trim()) => None,
            Some(m) => {
                let mk = parse_marker(&format!("{} X", m.trim())).map(|(k, _)| k);
                let t = &text[lead..];
                let len = if t.starts_with(m.trim()) {
                    let after = &t[m.trim().len()..];
                    lead + m.trim().len() + (after.len() - after.trim_start().len())
                } else {
                    lead
                };
                Some((mk.unwrap_or(Marker::Bullet), len))
            }
            None => match parse_marker(&text[lead..]) {
                Some((k, l)) => Some((k, lead + l)),
                // A list item whose marker was not kept (a bullet glyph lost).
                None if p.kind == PassageKind::ListItem => Some((Marker::Bullet, lead)),
                None => None,
            },
        };
        match own {
            Some((k, l)) => cuts.push((0, Some(k), l)),
            None => cuts.push((0, None, lead)),
        }
        // Line-start bullets and sub-items.
        for m in RE_LINE_START.find_iter(text) {
            let at = m.end();
            if let Some((k @ (Marker::Bullet | Marker::Sub(_)), l)) = parse_marker(&text[at..]) {
                cuts.push((at, Some(k), l));
            }
        }
        // Runs of consecutive numbers, at line starts or inline.
        let mut expect: Option<u32> = match &cuts[0].1 {
            Some(Marker::Num(n)) => n.parse::<u32>().ok().map(|v| v + 1),
            _ => None,
        };
        let mut seq: Vec<(usize, usize, String)> = Vec::new();
        for c in RE_INLINE_NUM.captures_iter(text) {
            let (Some(whole), Some(num)) = (c.get(0), c.get(1)) else {
                continue;
            };
            let at = whole.start() + (whole.as_str().len() - whole.as_str().trim_start().len());
            if at == 0 {
                continue;
            }
            let Ok(v) = num.as_str().parse::<u32>() else {
                continue;
            };
            let first_ok = {
                let before = text[..at].trim_end();
                (before.ends_with([':', '.', '-', '–', '—', ';']) || text[..at].ends_with('\n'))
                    && !in_quotation(&text[..at])
            };
            let fits = match expect {
                Some(e) => v == e,
                None => v == 1 && first_ok,
            };
            if !fits {
                continue;
            }
            if let Some((_, l)) = parse_marker(&text[at..]) {
                seq.push((at, l, num.as_str().to_string()));
                expect = Some(v + 1);
            }
        }
        // A lone inline "1." is not a list.
        let own_num = matches!(cuts[0].1, Some(Marker::Num(_)));
        if own_num || seq.len() >= 2 {
            for (at, l, n) in seq {
                cuts.push((at, Some(Marker::Num(n)), l));
            }
        }
        cuts.sort_by_key(|c| c.0);
        cuts.dedup_by_key(|c| c.0);
        for (k, (at, marker, mlen)) in cuts.iter().enumerate() {
            let end = cuts.get(k + 1).map(|c| c.0).unwrap_or(text.len());
            let piece = &text[*at..end];
            let trimmed_end = at + piece.trim_end().len();
            let label_only = matches!(marker, Some(Marker::Num(_)));
            if trimmed_end <= at + mlen && !label_only {
                // A preamble with nothing in it, or an empty item.
                continue;
            }
            let body = (at + mlen).min(trimmed_end);
            out.push(Unit {
                start: p.start + at + if marker.is_none() { *mlen } else { 0 },
                end: p.start + trimmed_end,
                body: p.start + body,
                marker: marker.clone(),
                passage: p,
            });
        }
    }
    // Keep stand-alone "Recommendation 3" labels: their text follows.
    out.retain(|u| {
        u.start < u.end
            && (matches!(u.marker, Some(Marker::Num(_)))
                || !doc.text[u.body..u.end].trim().is_empty())
    });
    out
}

/// Whether the end of `s` is inside an open quotation (a quoted list is
/// someone else's, e.g. an inspectorate's recommendation cited by a coroner).
fn in_quotation(s: &str) -> bool {
    let open = s.matches('“').count();
    let close = s.matches('”').count();
    open > close || s.matches('"').count() % 2 == 1
}

// ---------------------------------------------------------------------------
// Items under construction

/// Units gathered into one item.
struct Item<'a> {
    ordinal: Option<String>,
    units: Vec<Unit<'a>>,
}

impl<'a> Item<'a> {
    fn new(ordinal: Option<String>, u: Unit<'a>) -> Self {
        Item {
            ordinal,
            units: vec![u],
        }
    }

    fn text(&self, doc: &Document) -> String {
        let mut s = String::new();
        for (k, u) in self.units.iter().enumerate() {
            let t = if k == 0 {
                u.body(doc).to_string()
            } else {
                doc.text.get(u.start..u.end).unwrap_or("").to_string()
            };
            let t = collapse(strip_md(&t));
            if t.is_empty() {
                continue;
            }
            if !s.is_empty() {
                let split = !ends_sentence(&s) && starts_lower(&t);
                s.push(if split { ' ' } else { '\n' });
            }
            s.push_str(&t);
        }
        s
    }

    fn found(&self, doc: &Document) -> Option<Found> {
        let first = self.units.first()?;
        let last = self.units.last()?;
        let text = self.text(doc);
        if text.is_empty() || RE_LEADERS.is_match(&text) && text.len() < 120 {
            return None;
        }
        if text.trim_end().ends_with('?') {
            // Terms of reference questions.
            return None;
        }
        let page = if doc.page_starts.is_empty() {
            first.passage.page
        } else {
            doc.page_at(first.start).max(first.passage.page)
        };
        Some(Found {
            ordinal: self.ordinal.clone(),
            text,
            page,
            section: first.passage.section,
            start: first.start,
            end: last.end,
        })
    }
}

fn ends_sentence(s: &str) -> bool {
    s.trim_end()
        .ends_with(['.', '!', '?', ';', ':', ')', '"', '”', '’', '\''])
}

fn starts_lower(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_lowercase())
}

/// A unit that continues the previous item across a page break: the item
/// stopped mid-sentence, or the unit starts in lower case.
fn page_split(doc: &Document, item: &Item, u: &Unit) -> bool {
    let Some(last) = item.units.last() else {
        return false;
    };
    let prev = doc.text.get(last.start..last.end).unwrap_or("");
    let next = strip_md(u.body(doc));
    starts_lower(next) || (!ends_sentence(prev) && !next.is_empty())
}

static RE_LABEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Z][\w’' ]{0,30}:\s").unwrap());

/// A short unpunctuated line after a finished item: a sub-heading the
/// segmenter did not mark ("Glanmor Police" over that agency's items).
fn looks_like_label(text: &str) -> bool {
    let t = strip_md(text);
    t.split_whitespace().count() <= 8
        && !t.ends_with(['.', ';', ':', '!', '?', ','])
        && t.chars().next().is_some_and(|c| c.is_uppercase())
}

/// The panel, chair or author speaking: an intro or a closing remark.
static RE_PANEL_VOICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:The\s+(?:review\s+)?panel|The\s+(?:independent\s+)?chair|The\s+author|We\s+would\s+like|Finally)\b").unwrap()
});

/// A paragraph that opens something new rather than continuing an item:
/// a lead-in ("… as follows:"), a "Label: …" paragraph ("Learning point 2: …"),
/// one that talks about recommendations ("The panel also recommends …"), or
/// the panel speaking ("The panel thanks …").
fn looks_like_intro(text: &str) -> bool {
    let t = strip_md(text);
    t.ends_with(':')
        || RE_LABEL.is_match(t)
        || RE_REC_HEAD.is_match(t)
        || RE_PANEL_VOICE.is_match(t)
}

/// Whether the numbered paragraph `n` stands outside the list that follows
/// it: the next number starts a list ("1") or is of another form ("9.1"
/// before "Recommendation 1"). "3. Glanmor Police to review the following:"
/// before "4." is an item of the list.
fn opens_list(n: &str, rest: &[Unit]) -> bool {
    let next = rest.iter().find_map(|u| match &u.marker {
        Some(Marker::Num(m)) => Some(m.as_str()),
        _ => None,
    });
    match next {
        None => true,
        Some(m) => {
            m == "1"
                || m.trim_start_matches(|c: char| !c.is_ascii_digit()) == "1"
                || n.contains('.') != m.contains('.')
        }
    }
}

/// A paragraph that introduces recommendations rather than making one: its
/// first sentence talks about recommendations or actions ("The panel makes
/// six recommendations.", "… identified the following actions:") or is the
/// panel speaking, and directs nobody ("should", "recommends that").
fn is_preamble(text: &str) -> bool {
    let t = strip_md(text).trim();
    let first = sentence_starts(t).get(1).map_or(t, |&e| &t[..e]).trim_end();
    if RE_DIRECTIVE.is_match(first) {
        return false;
    }
    static RE_ABOUT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\brecommendations?\b|\bthe\s+following\b|\bactions\s+(?:for|are)\b")
            .unwrap()
    });
    RE_ABOUT.is_match(first) || RE_PANEL_VOICE.is_match(first) || first.ends_with(':')
}

// ---------------------------------------------------------------------------
// Family rules

static RE_DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:[^.!?]{0,100}?\b(?:recommends?|recommendation\s+is)\s+that\b|it\s+is\s+recommended\s+that\b|[^.!?]{0,100}?\b(?:should|must)\b)").unwrap()
});
static RE_REPORTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(recommended|was\s+recommended|previous|previously|earlier)\b").unwrap()
});
static RE_RECOMMENDS_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:[^.!?]{0,80}?\b(?:recommends?|recommendation\s+is)\s+that\b|it\s+is\s+recommended\s+that\b)").unwrap()
});

/// Review reports: numbered/bulleted items with sub-items and continuation
/// paragraphs; without a list, recommending paragraphs.
fn review_items(doc: &Document, units: &[Unit]) -> Vec<Found> {
    let has_list = units
        .iter()
        .any(|u| matches!(u.marker, Some(Marker::Num(_) | Marker::Bullet)));
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

/// Sentence starts inside `text` (byte offsets): 0 and after end punctuation
/// followed by a capital.
fn sentence_starts(text: &str) -> Vec<usize> {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"[.!?]["”’)]*\s+["“‘]?[A-Z]"#).unwrap());
    let mut v = vec![0];
    for m in RE.find_iter(text) {
        let s = m.as_str();
        let off = s
            .char_indices()
            .find(|(i, c)| *i > 0 && !c.is_whitespace() && !"\"”’)".contains(*c))
            .map(|(i, _)| i)
            .unwrap_or(0);
        v.push(m.start() + off);
    }
    v
}

/// An unlisted paragraph in a recommendations region: one item when it
/// recommends (first sentence "… recommends that …" or "X should …"), split
/// again at each later "… recommends that …" sentence. Between list items
/// (`strict`) only an explicit "… recommends that …" counts: a sentence
/// with "should" there is usually an intro or a comment.
fn directive_items(doc: &Document, u: &Unit, strict: bool) -> Vec<Found> {
    let text = u.body(doc);
    let starts = sentence_starts(text);
    let mut cuts: Vec<usize> = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let sentence_end = starts.get(k + 1).copied().unwrap_or(text.len());
        let sentence = &text[s..sentence_end];
        let is_first = k == 0;
        let directive = if is_first && !strict {
            RE_DIRECTIVE.is_match(sentence)
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

/// Cut a unit's body at `cuts` (offsets into `text`), one Found per piece.
fn pieces(
    doc: &Document,
    u: &Unit,
    text: &str,
    cuts: &[usize],
    ordinal: Option<String>,
) -> Vec<Found> {
    let mut out = Vec::new();
    for (k, &c) in cuts.iter().enumerate() {
        let end = cuts.get(k + 1).copied().unwrap_or(text.len());
        let piece = &text[c..end];
        let trimmed = piece.trim_end();
        if trimmed.is_empty() {
            continue;
        }
        let start = u.body + c;
        let sub = Unit {
            start: if k == 0 && cuts.len() == 1 && c == 0 {
                u.start
            } else {
                start
            },
            end: start + trimmed.len(),
            body: start,
            marker: None,
            passage: u.passage,
        };
        if let Some(f) = Item::new(ordinal.clone(), sub).found(doc) {
            out.push(f);
        }
    }
    out
}

/// "We will:" at the start of a paragraph, or after a short label in a
/// flattened table row ("2.3 Understanding what works We will: Build …").
static RE_WE_WILL_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[^.:;!?]{0,80}\s)?(?:(?i:we\s+will)|We\s+will|Byddwn\s+yn)\s*:\s*").unwrap()
});
static RE_WE_HAVE_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:we\s+have|what\s+we\s+have\s+(?:achieved|done)|case\s+study)\b[^.]{0,40}:")
        .unwrap()
});
/// A "We will …" sentence; "We will always/never …" are sentiments (a
/// family's tribute, a vision), not commitments.
static RE_WE_WILL_SENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:We|we)\s+will\s+[a-z]").unwrap());
static RE_SENTIMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:We|we)\s+will\s+(?:always|never|forever|not\s+forget)\b").unwrap()
});

fn we_will_sentence(s: &str) -> bool {
    RE_WE_WILL_SENT.is_match(s) && !RE_SENTIMENT.is_match(s)
}
/// Words that open an intro or prose paragraph rather than a bare commitment bullet.
static RE_PROSE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:the|a|an|this|these|that|those|our|we|it|its|there|what|why|how|when|where|who|which|in|as|for|by|i|you|they|he|she|his|her|their|all|each|every|some|many|most|case|objective|objectives|priority|figure|table|source|note|key|outcome|outcomes|action|actions|working|stopping|together|however|although|while|whilst|since|because|if|following|finally|also|during|between|from|with|within|across|to|on|at|of)\b").unwrap()
});

/// "Objective 2: …", "Priority 1: …" labels at the start of a paragraph.
static RE_OBJECTIVE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:strategic\s+)?(?:objective|priority(?:\s+area)?|amcan|blaenoriaeth)\s+\d{1,2}\s*[:.–-]")
        .unwrap()
});

/// Whether the document sets its commitments out in "We will:" lists (at
/// least two lead-ins): then narrative "We will …" sentences are not counted.
fn has_lead_in_lists(doc: &Document) -> bool {
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
static RE_CONTINUED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\(?(?:continued|cont(?:'d|’d|\.)?)\)?\s*$").unwrap());

/// An unpunctuated line opening with a gerund or noun in -ing that is a
/// table's header row (its words capitalised: "Responding to Perpetrators
/// Pursue Objective Action") or repeats an earlier line (an objective carried
/// over a page: "Safeguarding victims is central …"). A gerund commitment
/// ("Ensuring all staff are trained") is neither.
fn is_row_label(doc: &Document, u: &Unit, body: &str) -> bool {
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
fn strategy_items(
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

static RE_PFD_BOILER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^[\s\-–—:]*(?:
            during\s+the\s+course\s+of\s+the\s+(?:inquest|investigation)[^.]*?concern[^.]*\.
          | in\s+my\s+opinion\s+(?:there\s+is\s+a\s+risk\s+that\s+future\s+deaths|(?:urgent\s+)?action\s+should\s+be\s+taken)[^.]*\.
          | in\s+the\s+circumstances\s+it\s+is\s+my\s+statutory\s+duty[^.]*\.
          | the\s+matters?\s+of\s+concern\s+(?:is|are)\s+as\s+follows\s*[.:]?
        )[\s\-–—:]*",
    )
    .unwrap()
});
static RE_PFD_CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:i\s+have\s+sent\s+(?:a\s+copy|this\s+report|copies)|you\s+are\s+under\s+a\s+duty|i\s+am\s+under\s+a\s+duty|i\s+believe\s+(?:you|your\s+organisation)\s+(?:and|have)|your\s+response\s+must)").unwrap()
});

/// Length of the statutory boilerplate at the start of `text`.
fn pfd_boilerplate_len(text: &str) -> usize {
    let mut at = 0;
    while let Some(m) = RE_PFD_BOILER.find(&text[at..]) {
        if m.end() == 0 {
            break;
        }
        at += m.end();
    }
    at
}

/// A sentence that states a concern: "I am concerned …", "I was also
/// concerned …", "My further concern is …", or an enumerated point ("Secondly, …").
static RE_CONCERN_OPEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:I|We)\s+(?:am|was|were|remain|have\s+been)\s+(?:also\s+|further\s+|particularly\s+|additionally\s+|therefore\s+)?concerned\b|(?:My|A|Another|The)\s+(?:\w+\s+)?concern\s+(?:is|was|relates)\b|(?:First|Second|Third|Fourth|Fifth|Further|Final|Last)(?:ly)?,\s)").unwrap()
});
/// "I am concerned …" opening a sentence: each such sentence is its own concern.
static RE_I_CONCERNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:I|We)\s+(?:am|was|were|remain)\s+(?:also\s+|further\s+|particularly\s+|additionally\s+)?concerned\b").unwrap()
});
/// A concern stated inside a paragraph ("This is of concern because …").
static RE_CONCERN_ANY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:is|are|remains?)\s+(?:a\s+(?:matter|cause|source)\s+)?of\s+(?:\w+\s+)?concern\b|\b(?:I|we)\s+(?:am|was|remain)\s+(?:also\s+)?concerned\b").unwrap()
});

/// Unnumbered concerns: when the coroner states concerns in so many words,
/// paragraphs that only give the evidence behind them are context, a
/// concern stated at the end of a narrative paragraph starts there, and
/// each "I am concerned …" sentence is a concern of its own.
fn concern_units<'a>(doc: &Document, units: Vec<Unit<'a>>) -> Vec<Unit<'a>> {
    let stated = units.iter().any(|u| {
        let b = u.body(doc);
        RE_CONCERN_ANY.is_match(b)
            || sentence_starts(b)
                .iter()
                .any(|&s| RE_CONCERN_OPEN.is_match(&b[s..]))
    });
    if !stated {
        return units;
    }
    let mut out = Vec::new();
    let mut kept_prev = false;
    for u in units {
        let body = u.body(doc);
        if starts_lower(strip_md(body)) || u.marker.is_some() {
            // A page-split continuation or a sub-item: goes with what it follows.
            if kept_prev {
                out.push(u);
            }
            continue;
        }
        let starts = sentence_starts(body);
        let opens = RE_CONCERN_OPEN.is_match(body);
        let mut cuts: Vec<usize> = starts
            .iter()
            .copied()
            .filter(|&s| s > 0 && RE_I_CONCERNED.is_match(&body[s..]))
            .collect();
        if opens || (cuts.is_empty() && RE_CONCERN_ANY.is_match(body)) {
            cuts.insert(0, 0);
        }
        kept_prev = !cuts.is_empty();
        for (k, &c) in cuts.iter().enumerate() {
            let end = cuts.get(k + 1).copied().unwrap_or(body.len());
            let piece = body[c..end].trim_end();
            if piece.is_empty() {
                continue;
            }
            out.push(Unit {
                start: if c == 0 { u.start } else { u.body + c },
                end: u.body + c + piece.len(),
                body: u.body + c,
                marker: None,
                passage: u.passage,
            });
        }
    }
    out
}

/// Coroners' reports: numbered concerns (with their continuation
/// paragraphs), or one concern per paragraph; boilerplate removed.
fn pfd_items<'a>(doc: &Document, units: &[Unit<'a>]) -> Vec<Found> {
    // Strip boilerplate and re-cut: "… as follows: 1. … 2. …" sits in one paragraph.
    let mut cleaned: Vec<Unit<'a>> = Vec::new();
    for u in units {
        let body = u.body(doc);
        let skip = pfd_boilerplate_len(body);
        if skip == 0 {
            cleaned.push(u.clone());
            continue;
        }
        if body[skip..].trim().is_empty() {
            continue;
        }
        let mut v = Unit {
            start: u.body + skip,
            end: u.end,
            body: u.body + skip,
            marker: None,
            passage: u.passage,
        };
        if let Some((k, l)) = parse_marker(&body[skip..]) {
            v.marker = Some(k);
            v.body += l;
        }
        cleaned.push(v);
    }
    let has_list = cleaned
        .iter()
        .any(|u| matches!(u.marker, Some(Marker::Num(_))));
    if !has_list {
        cleaned = concern_units(doc, cleaned);
    }
    let mut out = Vec::new();
    let mut cur: Option<Item> = None;
    for u in &cleaned {
        let body = strip_md(u.body(doc));
        if RE_PFD_CLOSING.is_match(body) {
            if let Some(it) = cur.take()
                && let Some(f) = it.found(doc)
            {
                out.push(f);
            }
            continue;
        }
        let new_item = match &u.marker {
            Some(Marker::Num(_)) => true,
            Some(Marker::Sub(_)) => cur.is_none(),
            _ => match cur.as_ref() {
                None => true,
                Some(it) => {
                    let numbered = has_list && it.ordinal.is_some();
                    !(numbered || page_split(doc, it, u))
                }
            },
        };
        if new_item {
            if let Some(it) = cur.take()
                && let Some(f) = it.found(doc)
            {
                out.push(f);
            }
            if u.marker.is_none() && body.ends_with(':') {
                // A lead-in ("I am concerned about the following:").
                continue;
            }
            let ord = match &u.marker {
                Some(Marker::Num(n)) | Some(Marker::Sub(n)) => Some(n.clone()),
                _ => None,
            };
            cur = Some(Item::new(ord, u.clone()));
        } else if let Some(it) = cur.as_mut() {
            it.units.push(u.clone());
        }
    }
    if let Some(it) = cur.take()
        && let Some(f) = it.found(doc)
    {
        out.push(f);
    }
    out
}

// ---------------------------------------------------------------------------
// Clean-up

/// Sort, drop overlaps and duplicates (a recommendation repeated in an
/// executive summary keeps the copy outside the summary).
fn finish(doc: &Document, mut v: Vec<Found>) -> Vec<Found> {
    v.retain(|f| {
        f.start < f.end
            && f.end <= doc.text.len()
            && doc.text.is_char_boundary(f.start)
            && doc.text.is_char_boundary(f.end)
    });
    v.sort_by_key(|f| (f.start, f.end));
    let mut out: Vec<Found> = Vec::with_capacity(v.len());
    for f in v {
        if out.last().is_some_and(|l| f.start < l.end) {
            continue;
        }
        out.push(f);
    }
    let keys: Vec<String> = out.iter().map(|f| f.text.to_lowercase()).collect();
    let mut drop = vec![false; out.len()];
    for a in 0..out.len() {
        for b in a + 1..out.len() {
            if drop[a] || drop[b] || keys[a] != keys[b] {
                continue;
            }
            // A strategy may repeat one commitment under two objectives: only
            // a copy in a summary is a repeat there.
            if doc.kind == DocKind::Strategy
                && !in_summary(doc, out[a].start)
                && !in_summary(doc, out[b].start)
            {
                continue;
            }
            if in_summary(doc, out[a].start) && !in_summary(doc, out[b].start) {
                drop[a] = true;
            } else {
                drop[b] = true;
            }
        }
    }
    out.into_iter()
        .zip(drop)
        .filter(|(_, d)| !d)
        .map(|(f, _)| f)
        .collect()
}

fn in_summary(doc: &Document, pos: usize) -> bool {
    doc.sections
        .iter()
        .any(|s| s.kind == SectionKind::ExecutiveSummary && s.start <= pos && pos < s.end)
}

// ---------------------------------------------------------------------------
// Text helpers

/// Drop Markdown heading marks and emphasis around a line or paragraph.
fn strip_md(s: &str) -> &str {
    let s = s.trim();
    let s = s.trim_start_matches('#').trim();
    s.trim_matches(|c| c == '*' || c == '_').trim()
}

static RE_WS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+").unwrap());

fn collapse(s: &str) -> String {
    RE_WS.replace_all(s.trim(), " ").into_owned()
}

/// Passages that neither belong to nor interrupt a list: page numbers,
/// footnotes, rules.
fn is_noise(text: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:\d{1,4}|-{3,}|\*{3,}|_{3,}|<sup>\d+</sup>.*|\[?\d{1,3}\]?\s+[\[<]?(?:https?://|www\.)\S*)$")
            .unwrap()
    });
    // The tail of a footnote's web address wrapped onto its own line.
    static RE_URL_TAIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:\S*(?:://|www\.)\S*|[\w\-./?=&%#~]+\.(?:pdf|html?|aspx?|php|docx?|xlsx?)(?:\?\S*)?)$")
            .unwrap()
    });
    let t = text.trim();
    t.is_empty()
        || t.starts_with("<sup>")
        || (!t.contains('\n') && RE.is_match(t))
        || RE_URL_TAIL.is_match(t)
}

#[cfg(test)]
mod tests;
