//! Layout: positioned glyphs → words → lines → blocks in reading order.
//!
//! * Words: a space glyph, or a gap wider than [`WORD_GAP`] × font size
//!   (or half the font's space width, if narrower), separates words (PDFs that position words with `TJ` kerning or `Td`
//!   have no space glyphs). Footnote markers (smaller, raised glyphs) are
//!   separated from the word before them by a space, not dropped; after a
//!   lone Greek or math letter they are exponents and join it ("χ2").
//!   Accents drawn as glyphs of their own over a letter become combining
//!   marks after it ("ń").
//! * Lines: glyphs in content order on the same baseline and close in x form
//!   a segment; reading order comes from a recursive XY-cut over segments
//!   (vertical cuts between columns first, else the widest horizontal gap;
//!   a region that looks like a table, with many full-width row gaps, is
//!   read row by row instead), and segments sharing a baseline inside a
//!   leaf are joined into one line.
//! * Tables: a ruled table (see [`super::grid`], [`super::table`]) is cut
//!   out of the page before the XY-cut and stands in it as one placeholder
//!   segment covering the table; a region read row by row whose text
//!   stands in aligned columns (see [`super::aligned`]) becomes a table
//!   too. A vertical rule of a table between two glyphs always ends a
//!   segment, so text never runs from one cell into the next.
//! * Blocks: a new block starts at a paragraph-sized vertical gap (relative
//!   to the page's usual line pitch), a size or weight change, a column
//!   change, or a bullet.
//! * Hyphenation: see [`join_hyphens`].

use super::aligned;
use super::paths::Rule;
use super::pdf::{Glyph, RawPage};
use super::table::Draft;
use crate::model::{Block, Line, Rect, Table};
use std::collections::HashSet;

/// Gap (× font size) between glyphs that counts as a word break.
pub const WORD_GAP: f32 = 0.15;
/// The narrowest word-break gap (× font size) a font's own narrow space
/// can bring the threshold down to.
const MIN_WORD_GAP: f32 = 0.08;
/// Gap (× font size) that ends a segment on the same baseline.
const SEGMENT_GAP: f32 = 1.5;

/// A run of glyphs on one baseline.
#[derive(Debug, Clone)]
pub struct Seg {
    pub text: String,
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub size: f32,
    pub font: u16,
    pub orient: u8,
    /// A placeholder standing for ruled table `k` of the page in the
    /// reading order (its box is the table's).
    pub table: Option<u16>,
}

impl Seg {
    /// The placeholder for ruled table `k` covering `bbox`.
    pub fn placeholder(k: u16, bbox: Rect) -> Seg {
        let size = ((bbox.y1 - bbox.y0) / 0.95).max(1.0);
        Seg {
            text: "\u{fffc}".into(),
            x0: bbox.x0,
            x1: bbox.x1,
            y: bbox.y0 + 0.2 * size,
            size,
            font: 0,
            orient: 0,
            table: Some(k),
        }
    }
    fn top(&self) -> f32 {
        self.y + 0.75 * self.size
    }
    fn bottom(&self) -> f32 {
        self.y - 0.2 * self.size
    }
}

/// A segment being built: the segment, chars per font, the previous glyph,
/// and whether a space glyph is pending.
type Building = (Seg, Vec<(u16, usize)>, Option<Glyph>, bool);

/// A vertical rule runs between the end of a run (`x1`) and a glyph
/// starting at `x0` on baseline `y`.
fn walled(walls: &[Rule], x1: f32, x0: f32, y: f32) -> bool {
    walls
        .iter()
        .any(|w| w.x0 >= x1 - 1.0 && w.x0 <= x0 + 1.0 && w.y0 <= y && y <= w.y1)
}

/// Group glyphs (content order) into segments; a segment never runs over
/// one of the vertical `walls` (a table's rules between its columns).
pub fn segments(page: &RawPage, walls: &[Rule]) -> Vec<Seg> {
    let mut segs: Vec<Seg> = Vec::new();
    let mut cur: Option<Building> = None;
    // Word-break gap per font (× font size): [`WORD_GAP`], or half the
    // font's own space width when that is narrower (as pdfium and poppler
    // do: a gap of half a space is a space).
    let word_gap: Vec<f32> = page
        .fonts
        .iter()
        .map(|f| {
            f.space_width()
                .map_or(WORD_GAP, |w| WORD_GAP.min(0.5 * w).max(MIN_WORD_GAP))
        })
        .collect();
    let finish = |c: Building, segs: &mut Vec<Seg>| {
        let (mut s, counts, _, _) = c;
        let trimmed = s.text.trim_end().len();
        s.text.truncate(trimmed);
        if s.text.chars().any(|c| ('\u{300}'..='\u{36f}').contains(&c)) {
            // Accents moved after their letters: composed ("é", not "e" +
            // U+0301), as text typed or searched for is.
            use unicode_normalization::UnicodeNormalization;
            s.text = s.text.nfc().collect();
        }
        if let Some(&(f, _)) = counts.iter().max_by_key(|c| c.1) {
            s.font = f;
        }
        if !s.text.is_empty() {
            segs.push(s);
        }
    };
    // A diacritic drawn before its base glyph, to put after it.
    let mut held_mark: Option<char> = None;
    for (gi, g) in page.glyphs.iter().enumerate() {
        if !(g.x0.is_finite() && g.x1.is_finite() && g.y.is_finite() && g.size.is_finite()) {
            continue;
        }
        let size = if g.size > 0.1 { g.size } else { 1.0 };
        let joins = match &cur {
            Some((s, _, prev, _)) => {
                let ref_size = s.size.max(size);
                s.orient == g.orient
                    && (g.y - s.y).abs() < 0.5 * ref_size
                    && g.x0 > s.x1 - 0.6 * ref_size
                    && g.x0 - s.x1 < SEGMENT_GAP * ref_size
                    && !(g.orient == 0
                        && !walls.is_empty()
                        && walled(walls, prev.map_or(s.x1, |p| p.x1), g.x0, g.y))
            }
            None => false,
        };
        if !joins {
            if let Some(c) = cur.take() {
                finish(c, &mut segs);
            }
            if g.space {
                continue;
            }
            cur = Some((
                Seg {
                    text: String::new(),
                    x0: g.x0,
                    x1: g.x1,
                    y: g.y,
                    size,
                    font: g.font,
                    orient: g.orient,
                    table: None,
                },
                Vec::new(),
                None,
                false,
            ));
        }
        let Some((s, counts, prev, pending_space)) = cur.as_mut() else {
            continue;
        };
        if g.space {
            *pending_space = true;
            s.x1 = s.x1.max(g.x1);
            continue;
        }
        let text = page.glyph_text(g);
        if let Some(mark) = combining_mark(text) {
            // An accent drawn as a glyph of its own over a letter (TeX's
            // accents, math tildes and bars): its centre lies over the
            // letter, drawn just before it or just after it. It becomes a
            // combining mark after the letter ("n" + U+0301 = "ń"), not a
            // spacing accent that compatibility normalisation turns into
            // " ´" and a word break.
            let centre = 0.5 * (g.x0 + g.x1);
            let over = |o: &Glyph| {
                !o.space
                    && o.orient == g.orient
                    && (o.y - g.y).abs() < size
                    && centre >= o.x0 - 0.05 * size
                    && centre <= o.x1 + 0.05 * size
            };
            let next = page.glyphs.get(gi + 1);
            if let Some(n) = next
                && over(n)
                && combining_mark(page.glyph_text(n)).is_none()
                && !page.glyph_text(n).is_empty()
            {
                held_mark = Some(mark);
                continue;
            }
            if let Some(p) = *prev
                && over(&p)
                && !s.text.ends_with(' ')
            {
                s.text.push(mark);
                continue;
            }
        }
        if let Some(p) = prev {
            // Fake bold: the same glyph drawn twice at nearly the same spot.
            if (g.x0 - p.x0).abs() < 0.1 * size && page.glyph_text(p) == text {
                continue;
            }
            let gap = g.x0 - p.x1;
            let small_raised = g.size < 0.85 * s.size && g.y > s.y + 0.15 * s.size;
            let was_raised = p.size < 0.85 * s.size && p.y > s.y + 0.15 * s.size;
            let need_space = *pending_space
                || gap
                    > word_gap.get(g.font as usize).copied().unwrap_or(WORD_GAP)
                        * size.min(p.size.max(0.1))
                || (small_raised
                    && !was_raised
                    && !math_variable(&s.text)
                    && text
                        .chars()
                        .all(|c| c.is_ascii_digit() || "*†‡§".contains(c)));
            if need_space && !s.text.ends_with(' ') {
                s.text.push(' ');
            }
        }
        *pending_space = false;
        s.text.push_str(text);
        if let Some(m) = held_mark.take() {
            s.text.push(m);
        }
        s.x0 = s.x0.min(g.x0);
        s.x1 = s.x1.max(g.x1);
        // The baseline and size follow the body text, not raised markers.
        if g.size >= s.size * 0.85 && counts.is_empty() {
            s.y = g.y;
        }
        if g.size > s.size * 1.15 && counts.iter().map(|c| c.1).sum::<usize>() < 2 {
            s.size = g.size;
            s.y = g.y;
        }
        let n = g.len as usize;
        match counts.iter_mut().find(|c| c.0 == g.font) {
            Some(c) => c.1 += n,
            None => counts.push((g.font, n)),
        }
        *prev = Some(*g);
    }
    if let Some(c) = cur.take() {
        finish(c, &mut segs);
    }
    segs
}

/// The combining form of a diacritic shown as a glyph of its own (a
/// spacing accent, or already a combining mark).
fn combining_mark(text: &str) -> Option<char> {
    let mut it = text.chars();
    let c = it.next()?;
    if it.next().is_some() {
        return None;
    }
    Some(match c {
        '\u{b4}' | '\u{2ca}' => '\u{301}',
        '`' | '\u{2cb}' => '\u{300}',
        '\u{2c6}' => '\u{302}',
        '\u{2dc}' => '\u{303}',
        '\u{af}' | '\u{2c9}' => '\u{304}',
        '\u{2d8}' => '\u{306}',
        '\u{2d9}' => '\u{307}',
        '\u{a8}' => '\u{308}',
        '\u{2da}' => '\u{30a}',
        '\u{2dd}' => '\u{30b}',
        '\u{2c7}' => '\u{30c}',
        '\u{b8}' => '\u{327}',
        '\u{2db}' => '\u{328}',
        c @ '\u{300}'..='\u{36f}' => c,
        _ => return None,
    })
}

/// The text so far ends with a lone non-ASCII letter (a Greek or math
/// variable: "χ", "σ"), after which a small raised digit is an exponent
/// ("χ2"), not a footnote marker. Lone ASCII letters are left out: "Child
/// A" followed by a footnote marker must stay "Child A 1".
fn math_variable(text: &str) -> bool {
    let word = text.rsplit(' ').next().unwrap_or("");
    let mut letters = word
        .chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c));
    matches!((letters.next(), letters.next()), (Some(c), None) if c.is_alphabetic() && !c.is_ascii())
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 10.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// One item of a page in reading order.
#[derive(Debug, Clone)]
pub enum Ordered {
    /// A row of segments (indices into the page's segments, left to
    /// right) in leaf region `leaf`.
    Line { leaf: usize, segs: Vec<usize> },
    /// A table found among the segments.
    Table(Draft),
}

/// Recursive XY-cut: returns rows (indices into `segs`, sorted by x) in
/// reading order, each with the id of its leaf region, and the aligned
/// tables found on the way. A placeholder segment (ruled table) is a row
/// of its own.
/// Text in other directions (rotated side notes, table headers) is ordered
/// separately, after the upright text, each in its own frame.
/// Segments marked in `taken` (already in a ruled table) are left out.
pub fn reading_order(segs: &[Seg], taken: &[bool]) -> Vec<Ordered> {
    let mut out = Vec::new();
    let mut leaf = 0;
    for orient in 0..4u8 {
        let items: Vec<usize> = (0..segs.len())
            .filter(|&i| segs[i].orient == orient && !taken.get(i).copied().unwrap_or(false))
            .collect();
        if items.is_empty() {
            continue;
        }
        let med = median(items.iter().map(|&i| segs[i].size).collect());
        cut(segs, items, med, &mut out, &mut leaf, 0, false);
    }
    out
}

/// Horizontal bands (top to bottom): groups of items whose y-extents overlap.
fn y_bands(segs: &[Seg], items: &[usize]) -> Vec<(f32, f32, Vec<usize>)> {
    let mut v: Vec<usize> = items.to_vec();
    v.sort_by(|&a, &b| segs[b].top().total_cmp(&segs[a].top()));
    let mut bands: Vec<(f32, f32, Vec<usize>)> = Vec::new();
    for i in v {
        let s = &segs[i];
        match bands.last_mut() {
            Some(b) if s.top() > b.1 => {
                b.1 = b.1.min(s.bottom());
                b.2.push(i);
            }
            _ => bands.push((s.top(), s.bottom(), vec![i])),
        }
    }
    bands
}

fn cut(
    segs: &[Seg],
    items: Vec<usize>,
    med: f32,
    out: &mut Vec<Ordered>,
    leaf: &mut usize,
    depth: usize,
    table: bool,
) {
    if items.is_empty() {
        return;
    }
    let bands = y_bands(segs, &items);
    if depth < 200 && bands.len() > 1 {
        if let Some((left, right)) = vertical_cut(segs, &items, med, table) {
            // A table, not columns of text: many full-width gaps (rows),
            // or a few with a narrow column. Read it row by row, each row's
            // cells left to right.
            let sig: Vec<usize> = (0..bands.len() - 1)
                .filter(|&k| bands[k].1 - bands[k + 1].0 >= 0.6 * med)
                .collect();
            let width = |v: &[usize]| {
                let x0 = v.iter().map(|&i| segs[i].x0).fold(f32::MAX, f32::min);
                let x1 = v.iter().map(|&i| segs[i].x1).fold(f32::MIN, f32::max);
                x1 - x0
            };
            let region = width(&items);
            let narrow = width(&left).min(width(&right)) < 0.35 * region;
            let plain = items.iter().all(|&i| segs[i].table.is_none());
            if !table && numeric_table(segs, &left, &right) {
                // Rows of figures beside their labels: read row by row.
                match aligned::numeric(segs, &items, med).filter(|_| plain) {
                    Some(d) => out.push(Ordered::Table(d)),
                    None => leaf_rows(segs, items, out, leaf),
                }
                return;
            }
            if !table && (sig.len() >= 5 || (sig.len() >= 3 && narrow)) {
                let mut groups: Vec<Vec<usize>> = Vec::new();
                let mut start = 0;
                for &k in sig.iter().chain(std::iter::once(&(bands.len() - 1))) {
                    groups.push(
                        bands[start..=k]
                            .iter()
                            .flat_map(|b| b.2.iter().copied())
                            .collect(),
                    );
                    start = k + 1;
                }
                if let Some(d) = aligned::grouped(segs, &groups, med).filter(|_| plain) {
                    out.push(Ordered::Table(d));
                    return;
                }
                for group in groups {
                    cut(segs, group, med, out, leaf, depth + 1, true);
                }
                return;
            }
            cut(segs, left, med, out, leaf, depth + 1, table);
            cut(segs, right, med, out, leaf, depth + 1, table);
            return;
        }
        // Widest horizontal gap.
        let mut best = 0;
        let mut best_gap = f32::MIN;
        for k in 0..bands.len() - 1 {
            let gap = bands[k].1 - bands[k + 1].0;
            if gap > best_gap {
                best_gap = gap;
                best = k;
            }
        }
        let top: Vec<usize> = bands[..=best]
            .iter()
            .flat_map(|b| b.2.iter().copied())
            .collect();
        let bottom: Vec<usize> = bands[best + 1..]
            .iter()
            .flat_map(|b| b.2.iter().copied())
            .collect();
        cut(segs, top, med, out, leaf, depth + 1, table);
        cut(segs, bottom, med, out, leaf, depth + 1, table);
        return;
    }
    leaf_rows(segs, items, out, leaf);
}

/// A leaf region: rows by baseline, each row's segments left to right; a
/// table placeholder is a row of its own.
fn leaf_rows(segs: &[Seg], items: Vec<usize>, out: &mut Vec<Ordered>, leaf: &mut usize) {
    *leaf += 1;
    let mut v = items;
    v.sort_by(|&a, &b| segs[b].y.total_cmp(&segs[a].y));
    let mut rows: Vec<(f32, Vec<usize>)> = Vec::new();
    for i in v {
        let s = &segs[i];
        let alone = |r: &[usize]| s.table.is_some() || r.iter().any(|&j| segs[j].table.is_some());
        match rows.last_mut() {
            Some((y, r)) if (*y - s.y).abs() < 0.4 * s.size.max(1.0) && !alone(r) => r.push(i),
            _ => rows.push((s.y, vec![i])),
        }
    }
    for (_, mut r) in rows {
        r.sort_by(|&a, &b| segs[a].x0.total_cmp(&segs[b].x0));
        out.push(Ordered::Line {
            leaf: *leaf,
            segs: r,
        });
    }
}

/// A table cell of figures: digits with currency signs, percent signs,
/// parentheses, separators or dashes, and nothing else.
pub(super) fn is_figure(text: &str) -> bool {
    let mut digits = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits = true;
        } else if !"$€£%(),.-–— ".contains(c) {
            return false;
        }
    }
    digits || text.chars().all(|c| "-–—".contains(c))
}

/// A vertical cut that would split a table of figures from its row labels
/// (or one column of figures from the next): the right side is mostly
/// figures, and most of its segments share a baseline with the left side.
/// Such a region is read row by row, like a table, not column by column.
fn numeric_table(segs: &[Seg], left: &[usize], right: &[usize]) -> bool {
    if right.len() < 3 || left.len() < 2 {
        return false;
    }
    let figures = right.iter().filter(|&&i| is_figure(&segs[i].text)).count();
    if figures * 10 < right.len() * 6 {
        return false;
    }
    let aligned = right
        .iter()
        .filter(|&&i| {
            let s = &segs[i];
            left.iter()
                .any(|&j| (segs[j].y - s.y).abs() < 0.4 * s.size.max(segs[j].size).max(1.0))
        })
        .count();
    aligned * 2 >= right.len()
}

/// A vertical whitespace channel through the whole region that splits it
/// into two parts with at least two rows each (columns), not a narrow strip.
/// Inside a table row (`table`), cells of one line and narrow cells count.
fn vertical_cut(
    segs: &[Seg],
    items: &[usize],
    med: f32,
    table: bool,
) -> Option<(Vec<usize>, Vec<usize>)> {
    let min_side = if table { 1.0 } else { 4.0 } * med;
    let mut v: Vec<usize> = items.to_vec();
    v.sort_by(|&a, &b| segs[a].x0.total_cmp(&segs[b].x0));
    let min_gap = 0.8 * med;
    let mut reach = f32::MIN;
    let mut best: Option<(usize, f32)> = None;
    let region_x0 = segs[v[0]].x0;
    let region_x1 = v.iter().map(|&i| segs[i].x1).fold(f32::MIN, f32::max);
    for k in 0..v.len() {
        let s = &segs[v[k]];
        if k > 0 {
            let gap = s.x0 - reach;
            if gap >= min_gap
                && reach - region_x0 >= min_side
                && region_x1 - s.x0 >= min_side
                && best.is_none_or(|b| gap > b.1)
            {
                best = Some((k, gap));
            }
        }
        reach = reach.max(s.x1);
    }
    let (k, _) = best?;
    let left: Vec<usize> = v[..k].to_vec();
    let right: Vec<usize> = v[k..].to_vec();
    if !table && (y_bands(segs, &left).len() < 2 || y_bands(segs, &right).len() < 2) {
        return None;
    }
    Some((left, right))
}

/// A laid-out line plus what block building needs.
#[derive(Debug, Clone)]
pub struct LaidLine {
    pub line: Line,
    pub y: f32,
    pub leaf: usize,
}

/// A line of a page, or a whole table, ready for block building.
#[derive(Debug, Clone)]
pub enum Piece {
    Line(LaidLine),
    Table(Table),
}

/// One laid-out line from a row of segments (left to right): their texts
/// joined by spaces, the dominant font of the longest.
fn laid_line(page: &RawPage, segs: &[Seg], leaf: usize, row: &[usize]) -> Option<LaidLine> {
    let mut text = String::new();
    let mut bbox: Option<Rect> = None;
    let mut best: Option<&Seg> = None;
    for &i in row {
        let s = &segs[i];
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&s.text);
        let r = Rect {
            x0: s.x0,
            y0: s.bottom(),
            x1: s.x1,
            y1: s.top(),
        };
        bbox = Some(bbox.map_or(r, |b| b.union(&r)));
        if best.is_none_or(|b| s.text.len() > b.text.len()) {
            best = Some(s);
        }
    }
    let best = best?;
    let font = page.fonts.get(best.font as usize);
    Some(LaidLine {
        line: Line {
            text,
            bbox: bbox.unwrap_or_default(),
            font: font.map(|f| f.name.clone()).unwrap_or_default(),
            size: (best.size * 100.0).round() / 100.0,
            bold: font.is_some_and(|f| f.bold),
            italic: font.is_some_and(|f| f.italic),
        },
        y: best.y,
        leaf,
    })
}

/// One line from a row of segments (a table cell's line).
pub fn line_of(page: &RawPage, segs: &[Seg], row: &[usize]) -> Option<Line> {
    laid_line(page, segs, 0, row).map(|l| l.line)
}

/// Build lines (and tables) from what [`reading_order`] ordered.
pub fn lines(page: &RawPage, segs: &[Seg], ordered: &[Ordered]) -> Vec<Piece> {
    ordered
        .iter()
        .filter_map(|o| match o {
            Ordered::Line { leaf, segs: row } => laid_line(page, segs, *leaf, row).map(Piece::Line),
            Ordered::Table(d) => Some(Piece::Table(super::table::build(page, segs, d))),
        })
        .collect()
}

fn starts_with_bullet(s: &str) -> bool {
    matches!(
        s.chars().next(),
        Some('•' | '●' | '○' | '◦' | '▪' | '■' | '□' | '➢' | '✓' | '\u{f0b7}' | '·')
    )
}

/// Group lines into blocks; a table is a block of its own.
pub fn blocks(pieces: Vec<Piece>) -> Vec<Block> {
    // Usual line pitch on the page, relative to the font size: the most
    // common baseline step / size (in steps of 0.05).
    let mut steps: Vec<i32> = Vec::new();
    for w in pieces.windows(2) {
        let (Piece::Line(a), Piece::Line(b)) = (&w[0], &w[1]) else {
            continue;
        };
        let step = a.y - b.y;
        let size = a.line.size.max(0.1);
        if step > 0.0 && (a.line.size - b.line.size).abs() < 0.5 && step < 3.0 * size {
            steps.push((step / size * 20.0).round() as i32);
        }
    }
    steps.sort_unstable();
    let mut pitch: Option<f32> = None;
    let mut best = 0;
    let mut k = 0;
    while k < steps.len() {
        let mut j = k;
        while j < steps.len() && steps[j] == steps[k] {
            j += 1;
        }
        if j - k > best {
            best = j - k;
            pitch = Some(steps[k] as f32 / 20.0);
        }
        k = j;
    }
    let mut out: Vec<Block> = Vec::new();
    let mut prev: Option<LaidLine> = None;
    for piece in pieces {
        let l = match piece {
            Piece::Line(l) => l,
            Piece::Table(t) => {
                out.push(Block::of_table(t));
                prev = None;
                continue;
            }
        };
        let new_block = match &prev {
            None => true,
            Some(p) => {
                let step = p.y - l.y;
                let size = p.line.size.max(l.line.size).max(1.0);
                let usual = pitch.filter(|&q| q < 2.5).unwrap_or(1.25) * size;
                let overlap_x = l.line.bbox.x0 < p.line.bbox.x1 && p.line.bbox.x0 < l.line.bbox.x1;
                step <= 0.0
                    || step > usual * 1.3 + 0.5
                    || (p.line.size - l.line.size).abs() > 0.9
                    || p.line.bold != l.line.bold
                    || !overlap_x
                    || starts_with_bullet(&l.line.text)
            }
        };
        if new_block {
            out.push(Block {
                lines: Vec::new(),
                bbox: l.line.bbox,
                table: None,
            });
        }
        if let Some(b) = out.last_mut() {
            b.bbox = b.bbox.union(&l.line.bbox);
            b.lines.push(l.line.clone());
        }
        prev = Some(l);
    }
    out
}

/// Prefixes whose hyphen is part of the word ("multi-agency"): kept.
const KEEP_PREFIXES: &[&str] = &[
    "multi", "inter", "non", "co", "pre", "re", "self", "well", "long", "cross", "anti", "ex",
    "post", "sub", "semi", "over", "under", "full", "part", "short", "high", "low", "mid", "cross",
    "ill", "all", "step", "half", "quasi", "pseudo", "counter", "socio", "tri", "bi", "de", "un",
];

fn vocab_word(w: &str) -> String {
    w.trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// Words of a document, for [`join_hyphens`]: every token except
/// fragments around a line-end hyphen.
pub fn vocabulary<'a>(blocks: impl Iterator<Item = &'a Block>) -> HashSet<String> {
    let mut v = HashSet::new();
    for b in blocks {
        let mut after_hyphen = false;
        for l in &b.lines {
            let mut toks = l.text.split_whitespace().peekable();
            let mut first = true;
            while let Some(t) = toks.next() {
                let last = toks.peek().is_none();
                let skip = (first && after_hyphen) || (last && t.ends_with('-'));
                if !skip {
                    let w = vocab_word(t);
                    if !w.is_empty() {
                        v.insert(w);
                    }
                }
                first = false;
            }
            after_hyphen = l.text.ends_with('-');
        }
    }
    v
}

/// Join words broken at a line-end hyphen inside a block: the part on the
/// next line is moved up to the end of the first line, so a word is never
/// split across lines. The hyphen is dropped for a soft line-break hyphen
/// ("conver-" + "sation" → "conversation") and kept for a real compound
/// ("multi-" + "agency" → "multi-agency"). Conservative: kept when the part
/// before is a known prefix (`KEEP_PREFIXES`), already holds a hyphen, the
/// document writes the compound with a hyphen elsewhere, or both parts are
/// words of the document (`vocab`, from [`vocabulary`]) and the joined form
/// is not. Nothing is done when the next line does not start lower-case.
pub fn join_hyphens(block: &mut Block, vocab: &HashSet<String>) {
    for i in 0..block.lines.len().saturating_sub(1) {
        let (a, b) = block.lines.split_at_mut(i + 1);
        let cur = &mut a[i];
        let next = &mut b[0];
        let Some(stem) = cur.text.strip_suffix('-') else {
            continue;
        };
        let left = stem.rsplit(' ').next().unwrap_or("");
        let mut lc = left.chars().rev();
        if !matches!(lc.next(), Some(c) if c.is_alphabetic()) || left.chars().count() < 2 {
            continue;
        }
        if left.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let right_end = next.text.find(' ').unwrap_or(next.text.len());
        let right = &next.text[..right_end];
        let core_len = right
            .char_indices()
            .find(|(_, c)| !c.is_alphabetic())
            .map_or(right.len(), |(i, _)| i);
        let core = &right[..core_len];
        if core.is_empty() || !core.chars().all(|c| c.is_lowercase()) {
            continue;
        }
        let l = vocab_word(left);
        let last_part = l.rsplit('-').next().unwrap_or(&l);
        let joined = format!("{l}{core}");
        let keep_hyphen = left.contains('-')
            || KEEP_PREFIXES.contains(&last_part)
            || (!vocab.contains(&joined)
                && (vocab.contains(&format!("{l}-{core}"))
                    || (vocab.contains(&l) && vocab.contains(core))));
        if !keep_hyphen {
            cur.text.pop();
        }
        let moved = right.to_string();
        cur.text.push_str(&moved);
        let rest = next.text[right_end..].trim_start().to_string();
        next.text = rest;
    }
    block.lines.retain(|l| !l.text.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(t: &str) -> Line {
        Line {
            text: t.into(),
            bbox: Rect::default(),
            font: String::new(),
            size: 10.0,
            bold: false,
            italic: false,
        }
    }

    #[test]
    fn hyphen_joined_but_prefix_kept() {
        let mut b = Block {
            table: None,
            lines: vec![
                line("the review found conver-"),
                line("sations and multi-"),
                line("agency work. A co-"),
                line("Operative plan, information-"),
                line("sharing and a long-"),
                line("term plan."),
            ],
            bbox: Rect::default(),
        };
        let mut vocab = vocabulary(std::iter::once(&b));
        vocab.insert("long-term".into());
        vocab.insert("information".into());
        vocab.insert("sharing".into());
        join_hyphens(&mut b, &vocab);
        let t: Vec<&str> = b.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            t,
            vec![
                "the review found conversations",
                "and multi-agency",
                "work. A co-",
                "Operative plan, information-sharing",
                "and a long-term",
                "plan.",
            ]
        );
    }

    #[test]
    fn moving_last_word_removes_empty_line() {
        let mut b = Block {
            table: None,
            lines: vec![line("conver-"), line("sation")],
            bbox: Rect::default(),
        };
        join_hyphens(&mut b, &HashSet::new());
        assert_eq!(b.text(), "conversation");
    }
}
