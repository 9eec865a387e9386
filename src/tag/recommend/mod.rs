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
//!
//!    Rows of action-plan tables (see [`super::action_plan`]) are never
//!    items: they are the document's action-plan rows, linked to the
//!    recommendations they restate or number.
//! 4. Items that are contents lines (dot leaders), questions (terms of
//!    reference) or empty are dropped; exact duplicates (a recommendation
//!    repeated in an executive summary) keep the copy outside the summary.
//!
//! Spans include the item's marker; [`Found::text`] does not, has its
//! whitespace collapsed, and joins passages with `\n` (a sentence split by a
//! page break is joined with a space).

mod pfd;
mod review;
mod strategy;
mod tables;
mod units;

use crate::model::*;
use crate::rules::{RecCues, RuleSet};
use pfd::*;
use regex::Regex;
use review::*;
use std::collections::BTreeSet;
use std::sync::LazyLock;
use strategy::*;
use tables::Reading;
use units::*;

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
    /// Why it was taken (the addressee cue is added by the caller).
    pub cues: Vec<RecCue>,
    /// Byte span of the cell naming the body responsible, when it stands
    /// in a table of recommendations (an "Agency" column, a "Responsible
    /// organisation" row).
    pub lead: Option<Span>,
}

/// Find the recommendations, commitments or matters of concern in `doc`, in document order.
pub fn find(doc: &Document, rules: &RuleSet) -> Vec<Found> {
    let mut out = Vec::new();
    let passages = &doc.passages;
    let lists = has_lead_in_lists(doc);
    let plan = super::action_plan::plan_passages(doc, rules.plan_cues());
    let mut i = 0;
    while i < passages.len() {
        let sec = passages[i].section;
        let mut j = i;
        while j < passages.len() && passages[j].section == sec {
            j += 1;
        }
        scan_section(doc, rules, sec, &passages[i..j], lists, &plan, &mut out);
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
    Review { verify: bool, mixed: bool },
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
            | SectionKind::Closing
            | SectionKind::TermsOfReference
            | SectionKind::Background
            | SectionKind::Chronology
            | SectionKind::Glossary
            | SectionKind::Methodology
    )
}

fn base_mode(doc: &Document, rules: &RuleSet, sec: Option<&Section>) -> Mode {
    let kind = sec.map(|s| s.kind).unwrap_or_default();
    // A sub-heading inherits its parent's kind ("We have:" under a "We will:"
    // section, "Case study" inside a commitments section): when its own words
    // name no kind, what they say about the text under them wins.
    if let Some(s) = sec
        && rules.anatomy().classify(strip_md(&s.heading)).is_none()
        && kind != SectionKind::Recommendations
        && let Some(Cue::Close) = heading_cue(doc, &s.heading)
        // Only unmistakable closers: "Investigation and prosecution" under a
        // priority area still holds its commitments.
        && RE_STRONG_CLOSE.is_match(strip_md(&s.heading))
    {
        return Mode::Skip;
    }
    match kind {
        SectionKind::Recommendations => Mode::Review {
            verify: false,
            // "Key practice episodes, analysis and recommendations": the
            // section holds analysis too, so each item must read as one.
            mixed: sec.is_some_and(|s| {
                rules
                    .anatomy()
                    .kinds(strip_md(&s.heading))
                    .iter()
                    .any(|k| *k != SectionKind::Recommendations)
            }),
        },
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
        return Some(Cue::Open(Mode::Review {
            verify: true,
            mixed: false,
        }));
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
    Regex::new(
        r"(?i)^(?:recommendation|argymhelliad)(?:\s+[A-Z]?\d{1,3}(?:\.\d{1,3})*[a-z]?\b|\s*[:\-–—])",
    )
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
fn scan_section(
    doc: &Document,
    rules: &RuleSet,
    sec_idx: usize,
    ps: &[Passage],
    lists: bool,
    plan: &BTreeSet<usize>,
    out: &mut Vec<Found>,
) {
    let sec = doc.sections.get(sec_idx);
    let base = base_mode(doc, rules, sec);
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
        if plan.contains(&p.index) && !matches!(mode, Mode::Strategy { .. }) {
            // An action plan's row restates (or only numbers) a
            // recommendation: it is an action-plan row, and it ends the
            // item before it.
            run_family(doc, rules, mode, &run, lists, out);
            run.clear();
            continue;
        }
        if let Some(cue) = as_heading(doc, p, text) {
            if sec.is_some_and(|s| strip_md(&s.heading) == strip_md(text)) {
                // The section's own heading: its kind already decided the mode.
                continue;
            }
            run_family(doc, rules, mode, &run, lists, out);
            run.clear();
            mode = match cue {
                _ if closed => Mode::Skip,
                Some(Cue::Open(m)) => match (base, m) {
                    // Inside a real recommendations section, sub-headings stay trusted.
                    (Mode::Review { verify: false, .. }, Mode::Review { .. }) => base,
                    _ => m,
                },
                Some(Cue::Close) => Mode::Skip,
                // A neutral heading ends whatever a cue heading opened, except
                // that a closed part of a recommendations section (an action
                // plan) stays closed under its own sub-headings.
                None => match (base, mode) {
                    (Mode::Review { verify: false, .. }, Mode::Skip) => Mode::Skip,
                    _ => base,
                },
            };
            continue;
        }
        run.push(p);
    }
    run_family(doc, rules, mode, &run, lists, out);
}

/// The recommendations of the run's tables (read by columns or row labels)
/// and the passages left to the paragraph rules.
fn in_tables<'a>(
    doc: &Document,
    rules: &RuleSet,
    run: &[&'a Passage],
    reading: Reading,
    strict: bool,
) -> (Vec<Found>, Vec<&'a Passage>) {
    let mut found = Vec::new();
    let mut rest: Vec<&Passage> = Vec::with_capacity(run.len());
    let mut k = 0;
    while k < run.len() {
        let Some(t) = run[k].table else {
            rest.push(run[k]);
            k += 1;
            continue;
        };
        let end = k + run[k..]
            .iter()
            .take_while(|p| p.table.is_some_and(|u| u.index == t.index))
            .count();
        match tables::table_items(doc, rules.plan_cues(), &run[k..end], reading, strict) {
            Some(items) => found.extend(items),
            None => rest.extend_from_slice(&run[k..end]),
        }
        k = end;
    }
    (found, rest)
}

fn run_family(
    doc: &Document,
    rules: &RuleSet,
    mode: Mode,
    run: &[&Passage],
    lists: bool,
    out: &mut Vec<Found>,
) {
    if run.is_empty() {
        return;
    }
    let kind = doc.sections.get(run[0].section).map(|s| s.kind);
    // A table in a recommendations region is read by its columns or its
    // row labels; the rest (and a table that reads as neither) as passages.
    let (tabled, run) = match mode {
        Mode::Review { verify, .. } => in_tables(doc, rules, run, Reading::Recommendations, verify),
        // A strategy's delivery plan is its commitments.
        Mode::Strategy { .. } => in_tables(doc, rules, run, Reading::Commitments, false),
        _ => (Vec::new(), run.to_vec()),
    };
    let units = without_previews(doc, rules.rec_cues(), units_of(doc, &run));
    let (items, region) = match mode {
        Mode::Skip => {
            // Outside any region of recommendations, only what is labelled
            // as one ("Recommendation 3: …" in a key practice episode).
            let closed = kind.is_some_and(closed_kind);
            let mut items = if closed {
                vec![]
            } else {
                labelled_items(doc, &units)
            };
            // A coroner's letter states its concerns without a heading.
            if !closed && items.is_empty() && doc.kind == DocKind::Pfd {
                items = concerns_in_a_letter(doc, rules.rec_cues(), &units);
            }
            (items, None)
        }
        Mode::Review { verify, mixed } => {
            let mut items = review_items(doc, &units);
            items.extend(tabled);
            items.retain(|f| !about_the_recommendations(f));
            if mixed {
                items.retain(|f| reads_as_recommendation(doc, f));
            }
            let ok = !verify || verified(&items);
            let region = if verify {
                RecCue::CueHeading
            } else {
                RecCue::RecommendationsSection
            };
            (if ok { items } else { vec![] }, Some(region))
        }
        Mode::Pfd => {
            // Opened by a lead-in rather than a concerns section (a coroner's
            // letter: "I have a number of concerns. In particular:"): when
            // the concerns are stated in so many words, they are the items,
            // and the steps already taken after them are not.
            let stated = (kind != Some(SectionKind::Concerns))
                .then(|| concerns_in_a_letter(doc, rules.rec_cues(), &units))
                .filter(|v| !v.is_empty());
            (
                stated.unwrap_or_else(|| pfd_items(doc, rules.rec_cues(), &units)),
                Some(RecCue::ConcernsSection),
            )
        }
        Mode::Strategy { listed, sentences } => {
            let mut items = strategy_items(doc, &units, listed, sentences, lists);
            items.extend(tabled);
            (items, Some(RecCue::CommitmentsSection))
        }
    };
    for mut f in items {
        // "Learning point 2: …", "Finding 3 – …", "Consideration for the
        // Board: …" open learning, findings or questions, wherever they stand.
        if rules.rec_cues().is_not_label(&f.text) {
            continue;
        }
        f.cues.extend(region);
        f.cues.extend(form_cues(doc, &f));
        out.push(f);
    }
}

/// Units without the topic lists that preview recommendations set out
/// elsewhere: a preview lead-in ("We make seven recommendations, in
/// section 9, about:") and the bullets after it.
fn without_previews<'a>(doc: &Document, cues: &RecCues, units: Vec<Unit<'a>>) -> Vec<Unit<'a>> {
    let mut out = Vec::with_capacity(units.len());
    let mut skipping = false;
    for u in units {
        if cues.is_preview(strip_md(u.body(doc))) {
            skipping = true;
            continue;
        }
        if skipping && matches!(u.marker, Some(Marker::Bullet | Marker::Sub(_))) {
            continue;
        }
        skipping = false;
        out.push(u);
    }
    out
}

/// Text about the recommendations rather than one of them: "An action
/// plan to deliver these recommendations has been agreed", "We make seven
/// recommendations": it names them and directs no one.
fn about_the_recommendations(f: &Found) -> bool {
    static ABOUT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:these|the\s+above|our|its|this\s+review'?s|the\s+panel'?s)\s+recommendations\b|\b(?:make|makes|made)\s+(?:\w+\s+)?recommendations\b").unwrap()
    });
    let first = first_sentence(&f.text);
    ABOUT.is_match(first) && !RE_DIRECTIVE.is_match(first) && !RE_RECOMMENDS_START.is_match(first)
}

/// An item that recommends by its own words: labelled as a
/// recommendation, or directing someone in its first sentence.
fn reads_as_recommendation(doc: &Document, f: &Found) -> bool {
    let head = doc.text.get(f.start..f.end).unwrap_or("");
    let first = first_sentence(&f.text);
    RE_REC_LABEL.is_match(strip_md(head)) || RE_DIRECTIVE.is_match(first)
}

/// The cues of form and content in a found item's text.
fn form_cues(doc: &Document, f: &Found) -> Vec<RecCue> {
    let mut v = Vec::new();
    let head = doc.text.get(f.start..f.end).unwrap_or("");
    if RE_REC_LABEL.is_match(strip_md(head)) {
        v.push(RecCue::Label);
    } else if f.ordinal.is_some() {
        v.push(RecCue::Numbered);
    }
    let first = first_sentence(&f.text);
    if RE_RECOMMENDS_START.is_match(first) {
        v.push(RecCue::RecommendsThat);
    } else if RE_DIRECTIVE.is_match(first) || addressed_action(first) {
        v.push(RecCue::Modal);
    }
    if first.trim_start().to_lowercase().starts_with("we will") {
        v.push(RecCue::WeWill);
    }
    if RE_CONCERN_WORDS.is_match(&f.text) {
        v.push(RecCue::ConcernStated);
    }
    v
}

/// "I am concerned", "of concern", "My concern is".
static RE_CONCERN_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bconcerned\b|\bof\s+(?:\w+\s+)?concern\b|\bconcern\s+(?:is|was|are)\b")
        .unwrap()
});

/// Items labelled as recommendations outside a recommendations region
/// ("Recommendation 2: …" closing a key practice episode), each with its
/// sub-items and the paragraphs a page break split off it.
fn labelled_items(doc: &Document, units: &[Unit]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut cur: Option<Item> = None;
    for u in units {
        let labelled = matches!(u.marker, Some(Marker::Num(_)) | None)
            && doc
                .text
                .get(u.start..u.end)
                .is_some_and(|t| RE_REC_LABEL.is_match(strip_md(t)));
        if labelled {
            out.extend(cur.take().and_then(|it| it.found(doc)));
            let ord = match &u.marker {
                Some(Marker::Num(n)) => Some(n.clone()),
                _ => None,
            };
            cur = Some(Item::new(ord, u.clone()));
            continue;
        }
        let joins = cur.as_ref().is_some_and(|it| {
            matches!(u.marker, Some(Marker::Sub(_)))
                || (matches!(u.marker, Some(Marker::Bullet))
                    && it.units.last().is_some_and(|l| {
                        doc.text
                            .get(l.start..l.end)
                            .is_some_and(|t| t.trim_end().ends_with(':'))
                    }))
                || page_split(doc, it, u)
                // The label alone, its text in the next paragraph.
                || it.units.len() == 1 && it.units[0].body(doc).trim().is_empty()
        });
        if joins {
            if let Some(it) = cur.as_mut() {
                it.units.push(u.clone());
            }
        } else {
            out.extend(cur.take().and_then(|it| it.found(doc)));
        }
    }
    out.extend(cur.take().and_then(|it| it.found(doc)));
    out
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
    let drop = restatements(doc, &out);
    out.into_iter()
        .zip(drop)
        .filter(|(_, d)| !d)
        .map(|(f, _)| f)
        .collect()
}

/// Which items restate another: a copy in an executive summary, a summary
/// of recommendations, a table or an action plan restates the item it
/// copies (the copy outside such a place is kept); two copies elsewhere
/// are one recommendation only when word for word (the first is kept).
/// A strategy may repeat one commitment under two objectives: there only a
/// copy in a summary is a repeat.
fn restatements(doc: &Document, items: &[Found]) -> Vec<bool> {
    let words: Vec<std::collections::BTreeSet<String>> = items
        .iter()
        .map(|f| crate::rules::content_words(&f.text))
        .collect();
    let restating: Vec<bool> = items.iter().map(|f| restating_place(doc, f)).collect();
    let mut drop = vec![false; items.len()];
    for a in 0..items.len() {
        for b in a + 1..items.len() {
            if drop[a] || drop[b] {
                continue;
            }
            let either = restating[a] || restating[b];
            if !either && doc.kind == DocKind::Strategy {
                continue;
            }
            let same_ord = items[a].ordinal.is_some() && items[a].ordinal == items[b].ordinal;
            let copy = if either {
                similar(&words[a], &words[b], if same_ord { 0.5 } else { 0.7 })
            } else {
                // Outside such places only a word-for-word repeat: a coroner
                // may raise the same concern with two bodies.
                items[a].text.to_lowercase() == items[b].text.to_lowercase()
            };
            if !copy {
                continue;
            }
            if restating[a] && !restating[b] {
                drop[a] = true;
            } else {
                drop[b] = true;
            }
        }
    }
    drop
}

/// At least five content words in common, and at least `share` of the
/// shorter's.
fn similar(
    a: &std::collections::BTreeSet<String>,
    b: &std::collections::BTreeSet<String>,
    share: f32,
) -> bool {
    let common = a.intersection(b).count();
    let small = a.len().min(b.len());
    common >= 5.min(small) && small > 0 && common as f32 >= share * small as f32
}

/// Where copies of recommendations stand: an executive summary, a summary
/// of recommendations, an action plan, a table row.
fn restating_place(doc: &Document, f: &Found) -> bool {
    let Some(sec) = doc.sections.get(f.section) else {
        return false;
    };
    let summary = sec
        .trail
        .iter()
        .any(|h| h.to_lowercase().contains("summary") || h.to_lowercase().contains("crynodeb"));
    let table = doc
        .passages
        .iter()
        .find(|p| p.start <= f.start && f.start < p.end.max(p.start + 1))
        .is_some_and(|p| p.kind == PassageKind::TableRow);
    summary
        || table
        || matches!(
            sec.kind,
            SectionKind::ExecutiveSummary | SectionKind::ActionPlan
        )
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
