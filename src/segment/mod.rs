//! Segment: turns an [`ExtractedDoc`] into a [`Document`]: one body text,
//! heading-delimited sections classified by the anatomy of a review,
//! passages (paragraphs, list items, headings, table rows) and sentences, all
//! with page numbers and byte offsets, plus the document metadata (title,
//! kind, year, area, language).
//!
//! The work is done in four steps:
//! 1. Units (`build_units`; `lines`): each block's lines are cleaned (Markdown markup
//!    removed) and split into units: a heading line, a list item or a
//!    paragraph; lines of a unit are joined with spaces. A table block
//!    gives one unit per row (see `table`), never a heading.
//! 2. A paragraph cut by a page break is merged back into one unit; a unit
//!    longer than [`MAX_PASSAGE_BYTES`] is cut at sentence ends (see `long`).
//! 3. Layout: units are written into [`Document::text`] separated by a blank
//!    line (pages too), giving byte spans and `page_starts`.
//! 4. Headings (see `headings`) open sections; sentences are split inside
//!    each passage (see `sentences`); metadata comes from `meta`.

mod anatomy;
mod headings;
mod lines;
mod long;
mod meta;
mod sentences;
mod table;
#[cfg(test)]
mod tests;
mod title;

use crate::model::*;
pub use anatomy::{Anatomy, AnatomyError, SectionCue, phrase_pattern};
use headings::{BodyStyle, Cue, Heading, UnitStyle};
use lines::*;
pub use long::MAX_PASSAGE_BYTES;
use regex::Regex;
use std::sync::LazyLock;
pub use table::{CELL_SEPARATOR, row_text};
use title::pick_title;

/// Segment an extracted document; `anatomy` says which headings open which
/// kind of section (the rule file's `[[section]]` entries).
pub fn segment(ex: &ExtractedDoc, anatomy: &Anatomy) -> Document {
    let markdown = ex.format.is_markdown() || ex.file.to_lowercase().ends_with(".md");
    let body = body_style(ex);
    let mut units = build_units(ex, &body, markdown, anatomy);
    demote_table_numbers(&mut units, anatomy);
    let (units, cut) = long::split_long(units, long::MAX_PASSAGE_BYTES);
    let npages = ex.pages.len().max(1);
    let (text, page_starts, spans) = layout(&units, npages);

    // Passages.
    let mut passages: Vec<Passage> = units
        .iter()
        .zip(&spans)
        .enumerate()
        .map(|(index, (u, &(start, end)))| {
            let cells: Vec<Span> = if u.table.is_some() {
                row_text(&u.cells)
                    .1
                    .into_iter()
                    .map(|(a, b)| Span {
                        start: start + a,
                        end: start + b,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Passage {
                index,
                kind: u.kind,
                section: 0,
                page: u.page as u32 + 1,
                start,
                end,
                marker: u.marker.clone(),
                sentences: match u.kind {
                    PassageKind::Heading => vec![Span { start, end }],
                    PassageKind::TableRow if cells.is_empty() => vec![Span { start, end }],
                    PassageKind::TableRow => cells
                        .iter()
                        .filter(|c| c.start < c.end)
                        .flat_map(|c| sentences::split(&text[c.start..c.end], c.start))
                        .collect(),
                    _ => sentences::split(&text[start..end], start),
                },
                cells,
                table: u.table,
            }
        })
        .collect();

    let title = pick_title(ex, &units, &body, markdown);
    let sections = build_sections(&units, &passages, text.len(), &title, anatomy);
    for p in &mut passages {
        p.section = innermost_section(&sections, p.start);
    }

    // Metadata.
    let cover = prefix_on_char_boundary(&text, meta::COVER_BYTES);
    let kind = meta::doc_kind(&title, cover);
    let year = meta::year(&title, cover, ex.meta.year);
    let area = meta::area(&format!("{title}\n{cover}"), kind);
    // A coroner's report is known by the person who died, not by its form's
    // heading (nor by the header block an extractor runs into it).
    let title = match kind {
        DocKind::Pfd => meta::pfd_title(&title, &text).unwrap_or(title),
        _ => title,
    };
    let language = meta::language(&text);

    Document {
        id: doc_id_from_sha(&ex.sha256),
        file: ex.file.clone(),
        sha256: ex.sha256.clone(),
        title,
        kind,
        year,
        area,
        language,
        pages: npages as u32,
        text,
        page_starts,
        page_labels: ex.pages.iter().map(|p| p.label.clone()).collect(),
        sections,
        passages,
        warnings: ex.warnings.iter().cloned().chain(cut).collect(),
    }
}

/// Sentence spans of `text` (abbreviation-aware), offset by `base`.
pub fn split_sentences(text: &str, base: usize) -> Vec<Span> {
    sentences::split(text, base)
}

/// A candidate passage before layout.
#[derive(Debug, Clone)]
struct Unit {
    /// 0-based page index where the unit starts.
    page: usize,
    /// Cleaned text, lines joined by spaces.
    text: String,
    /// (byte offset in `text`, 0-based page index) where later pages continue it.
    breaks: Vec<(usize, usize)>,
    kind: PassageKind,
    marker: Option<String>,
    heading: Option<Heading>,
    style: UnitStyle,
    /// A table row's cells (cleaned text, one per column of its table).
    cells: Vec<String>,
    /// A table row's place.
    table: Option<TablePlace>,
}

/// Turn a group of lines into a unit on page `page`. `after_lead_in`: the
/// previous unit ended with a colon ("The conclusion was:"), so a short
/// unstyled line here is its answer, not a title-only heading.
fn make_unit(
    group: &[&SrcLine],
    page: usize,
    body: &BodyStyle,
    after_lead_in: bool,
    anatomy: &Anatomy,
) -> Option<Unit> {
    let first = group.first()?;
    let text = join_lines(group);
    if text.is_empty() {
        return None;
    }
    let style = UnitStyle {
        min_size: group.iter().map(|l| l.size).fold(f32::INFINITY, f32::min),
        all_bold: group.iter().all(|l| l.bold),
    };
    let style = UnitStyle {
        min_size: if style.min_size.is_finite() {
            style.min_size
        } else {
            0.0
        },
        ..style
    };
    let marker = first.marker.clone();
    // Bullets, "(a)", "R1" are list items whatever they say; numbered lines
    // and a bare "We will:" may be headings ("1. Introduction", "We will:").
    let may_be_heading = first.md.is_some()
        || marker.as_ref().is_none_or(|m| match m.family {
            MarkerFamily::Number => true,
            MarkerFamily::WeWill => group.len() == 1 && m.len >= first.raw.len(),
            _ => false,
        });
    let heading = if may_be_heading {
        headings::detect(&text, style, body, first.md, anatomy)
            .filter(|h| !(after_lead_in && h.cue == Cue::Title))
    } else {
        None
    };
    let (kind, marker) = if heading.is_some() {
        (PassageKind::Heading, None)
    } else if let Some(m) = marker {
        (PassageKind::ListItem, Some(m.text))
    } else {
        (PassageKind::Paragraph, None)
    };
    Some(Unit {
        page,
        text,
        breaks: vec![],
        kind,
        marker,
        heading,
        style,
        cells: Vec::new(),
        table: None,
    })
}

/// Connective words that show a sentence goes on ("… the" / "next page").
const CONNECTIVES: &[&str] = &[
    "and", "or", "the", "a", "an", "of", "to", "in", "for", "with", "by", "on", "at", "from",
    "that", "which", "who", "was", "were", "is", "are", "her", "his", "their", "as",
];

/// A paragraph cut by a page break: the earlier part has no final
/// punctuation, and the next part starts lower case or the earlier part
/// ends on a comma, hyphen or connective word.
fn continues_across_page(prev: &Unit, next: &Unit) -> bool {
    if next.kind != PassageKind::Paragraph || ends_terminal(&prev.text) {
        return false;
    }
    if prev.kind == PassageKind::Heading {
        // A "heading" at the foot of a page whose sentence goes on in lower
        // case overleaf is the first line of a paragraph (a table cell).
        return prev
            .heading
            .as_ref()
            .is_some_and(|h| !matches!(h.cue, Cue::Markdown(_)))
            && next.text.starts_with(char::is_lowercase);
    }
    if !matches!(prev.kind, PassageKind::Paragraph | PassageKind::ListItem) {
        return false;
    }
    let t = prev.text.trim_end();
    let last_word = t.rsplit(' ').next().unwrap_or("").to_lowercase();
    next.text.starts_with(char::is_lowercase)
        || t.ends_with([',', '-', '–'])
        || CONNECTIVES.contains(&last_word.as_str())
}

/// Blocks → units, with page-break continuations merged.
fn build_units(
    ex: &ExtractedDoc,
    body: &BodyStyle,
    markdown: bool,
    anatomy: &Anatomy,
) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    let mut tables = table::Tables::default();
    // Last page index the last unit reaches.
    let mut last_reach: Option<usize> = None;
    for (pi, page) in ex.pages.iter().enumerate() {
        let mut first_on_page = true;
        for block in &page.blocks {
            if let Some(t) = &block.table {
                let before = units.len();
                table::push_rows(t, pi, markdown, &mut tables, &mut units);
                if units.len() > before || t.continues {
                    first_on_page = false;
                    last_reach = Some(pi);
                }
                continue;
            }
            let lines: Vec<SrcLine> = block
                .lines
                .iter()
                .filter_map(|l| clean_line(l, markdown))
                .collect();
            for group in group_lines(&lines, body, anatomy) {
                let after_lead_in = units.last().is_some_and(|u| u.text.ends_with(':'));
                let Some(unit) = make_unit(&group, pi, body, after_lead_in, anatomy) else {
                    continue;
                };
                let merge = first_on_page
                    && pi > 0
                    && last_reach == Some(pi - 1)
                    && units
                        .last()
                        .is_some_and(|p| continues_across_page(p, &unit));
                first_on_page = false;
                match units.last_mut() {
                    Some(prev) if merge => {
                        if prev.kind == PassageKind::Heading {
                            prev.kind = PassageKind::Paragraph;
                            prev.heading = None;
                        }
                        let glue =
                            prev.text.ends_with('-') && unit.text.starts_with(char::is_lowercase);
                        if !glue {
                            prev.text.push(' ');
                        }
                        prev.breaks.push((prev.text.len(), pi));
                        prev.text.push_str(&unit.text);
                    }
                    _ => units.push(unit),
                }
                last_reach = Some(pi);
            }
        }
    }
    units
}

/// Rows of an action-plan table in an appendix ("3 Multi-agency local")
/// look like numbered headings. After an appendix or action-plan heading,
/// a top-level plain number that does not go beyond the body's numbering
/// is a list item, not a new chapter.
fn demote_table_numbers(units: &mut [Unit], anatomy: &Anatomy) {
    static APPENDIX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:appendix|annex|annexe|atodiad|schedule)\b").expect("static regex")
    });
    let mut max_top: u32 = 0;
    let mut in_appendix = false;
    for u in units.iter_mut() {
        let Some(h) = &u.heading else { continue };
        let plain = h
            .number
            .as_deref()
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|_| h.cue == Cue::Numbered(1));
        match plain {
            Some(n) if in_appendix && n <= max_top => {
                u.marker = h.number.clone();
                u.heading = None;
                u.kind = PassageKind::ListItem;
            }
            Some(n) => {
                in_appendix = false;
                max_top = max_top.max(n);
            }
            None => {
                if APPENDIX.is_match(&u.text)
                    || anatomy.classify(&u.text) == Some(SectionKind::ActionPlan)
                {
                    in_appendix = true;
                }
            }
        }
    }
}

/// Write the units into one text. Returns the text, the page starts and
/// each unit's span.
fn layout(units: &[Unit], npages: usize) -> (String, Vec<usize>, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut page_start: Vec<Option<usize>> = vec![None; npages];
    page_start[0] = Some(0);
    let mut cur = 0usize;
    let mut spans = Vec::with_capacity(units.len());
    let advance_to =
        |target: usize, cur: &mut usize, text: &mut String, ps: &mut Vec<Option<usize>>| {
            while *cur < target.min(npages - 1) {
                *cur += 1;
                if ps[*cur].is_none() {
                    text.push_str("\n\n");
                    ps[*cur] = Some(text.len());
                }
            }
        };
    for u in units {
        advance_to(u.page, &mut cur, &mut text, &mut page_start);
        if !text.is_empty() && !text.ends_with("\n\n") {
            text.push_str("\n\n");
        }
        let start = text.len();
        text.push_str(&u.text);
        for &(off, q) in &u.breaks {
            if q < npages && page_start[q].is_none() {
                page_start[q] = Some(start + off);
                cur = cur.max(q);
            }
        }
        spans.push((start, text.len()));
    }
    advance_to(npages - 1, &mut cur, &mut text, &mut page_start);
    let starts = page_start
        .into_iter()
        .scan(0usize, |last, s| {
            *last = s.unwrap_or(*last);
            Some(*last)
        })
        .collect();
    (text, starts, spans)
}

/// Sections from the heading units: a stack of open sections, closed by the
/// next heading of the same or a higher level. The document title's own
/// heading lines on page 1 stay in the front matter.
fn build_sections(
    units: &[Unit],
    passages: &[Passage],
    text_len: usize,
    title: &str,
    anatomy: &Anatomy,
) -> Vec<Section> {
    let heads: Vec<(usize, &Heading)> = units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| u.heading.as_ref().map(|h| (i, h)))
        .skip_while(|(i, _)| units[*i].page == 0 && title.contains(units[*i].text.as_str()))
        .collect();
    let cues: Vec<&Cue> = heads.iter().map(|(_, h)| &h.cue).collect();
    let levels = headings::assign_levels(&cues);
    let first_start = heads.first().map_or(text_len, |(i, _)| passages[*i].start);
    let mut sections = vec![Section {
        index: 0,
        heading: String::new(),
        number: None,
        level: 1,
        kind: SectionKind::FrontMatter,
        trail: vec![],
        page: 1,
        start: 0,
        end: first_start,
    }];
    let mut stack: Vec<usize> = Vec::new();
    // Whether each section's kind came from its own heading.
    let mut own: Vec<bool> = vec![false];
    for ((ui, h), level) in heads.iter().zip(levels) {
        let p = &passages[*ui];
        let mut own_kind = anatomy.classify(&units[*ui].text);
        // In an action plan, a heading naming recommendations is a column
        // header of its table ("Recommendation", "Lead agency").
        let in_plan = stack
            .iter()
            .any(|&i| sections[i].kind == SectionKind::ActionPlan && own[i]);
        let short = units[*ui].text.split_whitespace().count() <= 8;
        if in_plan && own_kind == Some(SectionKind::Recommendations) && h.number.is_none() && short
        {
            own_kind = None;
        }
        // A heading that names no kind inside a section of items ("For HMP
        // Glanmor" under the concerns, "Glanmor Police" under the
        // recommendations) is a sub-heading of it, whatever its style,
        // unless numbered at the section's depth or above.
        // The container is a section whose own heading named its kind (not a
        // sub-heading that inherited it), so sibling sub-headings ("Glanmor
        // Police", then "Aberwen University Health Board") stay siblings.
        let container = stack
            .iter()
            .rev()
            .find(|&&i| holds_items(sections[i].kind) && own[i])
            .map(|&i| sections[i].level);
        let level = match container {
            Some(cl) if own_kind.is_none() && h.number.as_ref().is_none_or(|_| level > cl) => {
                level.max(cl + 1)
            }
            _ => level,
        };
        while let Some(&top) = stack.last() {
            if sections[top].level < level {
                break;
            }
            sections[top].end = p.start;
            stack.pop();
        }
        let parent = stack.last().map(|&i| &sections[i]);
        let heading = units[*ui].text.clone();
        own.push(own_kind.is_some());
        let kind = own_kind
            .or(parent.map(|s| s.kind))
            .unwrap_or(SectionKind::Other);
        let mut trail = parent.map(|s| s.trail.clone()).unwrap_or_default();
        trail.push(heading.clone());
        let index = sections.len();
        sections.push(Section {
            index,
            heading,
            number: h.number.clone(),
            level,
            kind,
            trail,
            page: p.page,
            start: p.start,
            end: text_len,
        });
        stack.push(index);
    }
    sections
}

/// Sections whose sub-headings stay inside them.
fn holds_items(kind: SectionKind) -> bool {
    matches!(
        kind,
        SectionKind::Recommendations | SectionKind::Concerns | SectionKind::ActionPlan
    )
}

/// Same rule as [`Document::section_at`], over a slice whose sections are
/// in start order: only sections starting at or before `pos` are looked at.
fn innermost_section(sections: &[Section], pos: usize) -> usize {
    let upto = sections.partition_point(|s| s.start <= pos);
    sections[..upto]
        .iter()
        .rev()
        .find(|s| s.start <= pos && pos < s.end.max(s.start + 1))
        .map_or(0, |s| s.index)
}

fn prefix_on_char_boundary(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
