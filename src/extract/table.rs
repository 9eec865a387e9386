//! Tables: the segments of a page put into rows and cells, and then into
//! [`Table`]s of lines.
//!
//! * A ruled [`Grid`] takes every upright segment whose centre lies in it,
//!   cell by cell ([`ruled`]). A grid is a data table only when text sits in
//!   at least two columns of at least two rows (or, for the rows of a table
//!   carried over a page break, of one row of three columns or more); a
//!   form of boxed paragraphs (a cell holding paragraphs or a page of text:
//!   a coroner's numbered boxes) is left to the reading order as before, and
//!   so are rows of one cell across the whole grid above or below the
//!   table's rows (a title, a form's heading box).
//! * [`page_pieces`] lays a page out with its ruled tables cut out of the
//!   reading order, each standing in it as one placeholder.
//! * Aligned (unruled) tables come from [`super::aligned`] as [`Draft`]s too.
//! * [`build`] turns a draft into a [`Table`]: each cell's segments grouped
//!   into lines (baseline, then left to right), so a wrapped cell stays one
//!   cell; the first row is the header when it is bold above plain rows, or
//!   shaded above unshaded ones.
//! * [`link_pages`] (after the pages are laid out) joins a table broken by
//!   a page break: the table at the top of a page that carries on the one
//!   at the foot of the previous page (same columns) `continues` it, its
//!   first row is a [`RowKind::RepeatedHeader`] when it repeats the header,
//!   and its first data row is `continued` when it is the rest of the row
//!   the page break cut.

use super::grid::{self, Grid};
use super::layout::{self, Seg, line_of};
use super::paths::{Fill, Rule};
use super::pdf::RawPage;
use crate::model::{Block, Cell, Page, Rect, Row, RowKind, Table, TableSource};

/// A table before its lines are built: the segments of each cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub source: TableSource,
    pub columns: usize,
    pub rows: Vec<DraftRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DraftRow {
    pub cells: Vec<DraftCell>,
    /// Drawn on a shaded background (a header cue).
    pub shaded: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DraftCell {
    pub column: usize,
    pub span: usize,
    /// Indices into the page's segments.
    pub segs: Vec<usize>,
    pub bbox: Rect,
}

/// Most lines in one cell of a two-column data table: more is a form.
const FORM_CELL_LINES: usize = 25;

/// The point of a segment that decides its cell: mid-width, mid x-height.
fn centre(s: &Seg) -> (f32, f32) {
    ((s.x0 + s.x1) / 2.0, s.y + 0.3 * s.size)
}

/// A page's lines and tables in reading order: ruled tables are found
/// first (their text split at their column rules and taken out of the
/// XY-cut, each standing in it as one placeholder), then the rest is
/// ordered, aligned tables found on the way.
pub fn page_pieces(raw: &RawPage) -> Vec<layout::Piece> {
    let grids = grid::find(&raw.rules, &raw.fills);
    let plain = layout::segments(raw, &[]);
    let tables: Vec<&Grid> = grids
        .iter()
        .filter(|g| ruled(g, &plain, &raw.fills).is_some())
        .collect();
    if tables.is_empty() {
        let ordered = layout::reading_order(&plain, &[]);
        return layout::lines(raw, &plain, &ordered);
    }
    let walls: Vec<Rule> = tables.iter().flat_map(|g| g.wall_rules()).collect();
    let mut segs = layout::segments(raw, &walls);
    let drafts: Vec<Draft> = tables
        .iter()
        .filter_map(|g| ruled(g, &segs, &raw.fills))
        .collect();
    let mut taken = vec![false; segs.len()];
    for d in &drafts {
        for c in d.rows.iter().flat_map(|r| &r.cells) {
            for &i in &c.segs {
                taken[i] = true;
            }
        }
    }
    for (k, d) in drafts.iter().enumerate() {
        let bbox = d
            .rows
            .iter()
            .map(row_box)
            .reduce(|a, b| a.union(&b))
            .unwrap_or_default();
        segs.push(layout::Seg::placeholder(k as u16, bbox));
    }
    let ordered = layout::reading_order(&segs, &taken)
        .into_iter()
        .map(|o| match &o {
            layout::Ordered::Line { segs: row, .. } => {
                match row.iter().find_map(|&i| segs[i].table) {
                    Some(k) => drafts
                        .get(k as usize)
                        .cloned()
                        .map_or(o, layout::Ordered::Table),
                    None => o,
                }
            }
            layout::Ordered::Table(_) => o,
        })
        .collect::<Vec<_>>();
    layout::lines(raw, &segs, &ordered)
}

/// The segments of a page in the cells of `grid`, if it holds a data table.
pub fn ruled(grid: &Grid, segs: &[Seg], fills: &[Fill]) -> Option<Draft> {
    let mut rows: Vec<DraftRow> = (0..grid.rows())
        .map(|r| DraftRow {
            cells: grid
                .cells(r)
                .into_iter()
                .map(|(column, span)| DraftCell {
                    column,
                    span,
                    segs: Vec::new(),
                    bbox: Rect {
                        x0: grid.xs[column],
                        x1: grid.xs[column + span],
                        y0: grid.ys[r + 1],
                        y1: grid.ys[r],
                    },
                })
                .collect(),
            shaded: false,
        })
        .collect();
    for (i, s) in segs.iter().enumerate() {
        if s.orient != 0 || s.table.is_some() {
            continue;
        }
        let (x, y) = centre(s);
        let (Some(r), Some(c)) = (grid.row_at(y), grid.column_at(x)) else {
            continue;
        };
        if let Some(cell) = rows[r]
            .cells
            .iter_mut()
            .find(|k| k.column <= c && c < k.column + k.span)
        {
            cell.segs.push(i);
        }
    }
    for row in &mut rows {
        let bbox = row_box(row);
        row.shaded = covered(&bbox, fills) >= 0.7;
    }
    rows.retain(|r| r.cells.iter().any(|c| !c.segs.is_empty()));
    // A row of one cell across the whole grid above or below the rows (a
    // title, a form's heading box or its paragraphs, a note) is not the
    // table's: its text is read as text.
    let across = |r: &DraftRow| grid.columns() > 1 && r.cells.len() == 1;
    while rows.first().is_some_and(across) {
        rows.remove(0);
    }
    while rows.last().is_some_and(across) {
        rows.pop();
    }
    let draft = Draft {
        source: TableSource::Ruled,
        columns: grid.columns(),
        rows,
    };
    is_data_table(&draft, segs).then_some(draft)
}

fn row_box(row: &DraftRow) -> Rect {
    row.cells
        .iter()
        .map(|c| c.bbox)
        .reduce(|a, b| a.union(&b))
        .unwrap_or_default()
}

/// Share of `r`'s area under filled rectangles (overlaps counted once per fill).
fn covered(r: &Rect, fills: &[Fill]) -> f32 {
    let area = r.width() * r.height();
    if area <= 0.0 {
        return 0.0;
    }
    let under: f32 = fills
        .iter()
        .map(|f| {
            let w = (f.x1.min(r.x1) - f.x0.max(r.x0)).max(0.0);
            let h = (f.y1.min(r.y1) - f.y0.max(r.y0)).max(0.0);
            w * h
        })
        .sum();
    under / area
}

/// Text in three columns or more of two rows or more; or else text in
/// two columns of two rows, or in three columns or more of one row (the
/// rest of a table cut by a page break), that is not a form of boxed
/// paragraphs.
fn is_data_table(d: &Draft, segs: &[Seg]) -> bool {
    let filled = |r: &DraftRow| r.cells.iter().filter(|c| !c.segs.is_empty()).count();
    let mut columns: Vec<usize> = d
        .rows
        .iter()
        .flat_map(|r| {
            r.cells
                .iter()
                .filter(|c| !c.segs.is_empty())
                .map(|c| c.column)
        })
        .collect();
    columns.sort_unstable();
    columns.dedup();
    let full_rows = d.rows.iter().filter(|r| filled(r) >= 2).count();
    if columns.len() < 2 || full_rows == 0 || (columns.len() == 2 && full_rows < 2) {
        return false;
    }
    if columns.len() > 2 && full_rows >= 2 {
        return true;
    }
    // A form when a cell holds paragraphs or a page of text.
    !d.rows
        .iter()
        .flat_map(|r| &r.cells)
        .any(|c| paragraphs(&baselines(segs, &c.segs), segs) || c.segs.len() > FORM_CELL_LINES)
}

/// Segments grouped by baseline (top to bottom), each group left to right.
pub fn baselines(segs: &[Seg], items: &[usize]) -> Vec<Vec<usize>> {
    let mut v = items.to_vec();
    v.sort_by(|&a, &b| segs[b].y.total_cmp(&segs[a].y));
    let mut rows: Vec<(f32, Vec<usize>)> = Vec::new();
    for i in v {
        let s = &segs[i];
        match rows.last_mut() {
            Some((y, r)) if (*y - s.y).abs() < 0.4 * s.size.max(1.0) => r.push(i),
            _ => rows.push((s.y, vec![i])),
        }
    }
    rows.into_iter()
        .map(|(_, mut r)| {
            r.sort_by(|&a, &b| segs[a].x0.total_cmp(&segs[b].x0));
            r
        })
        .collect()
}

/// A gap of a blank line or more between two lines of a cell.
fn paragraphs(lines: &[Vec<usize>], segs: &[Seg]) -> bool {
    lines.windows(2).any(|w| {
        let (a, b) = (&segs[w[0][0]], &segs[w[1][0]]);
        a.y - b.y > 2.0 * a.size.max(b.size).max(1.0)
    })
}

/// The draft's cells as lines: a [`Table`], with its header row found.
pub fn build(page: &RawPage, segs: &[Seg], draft: &Draft) -> Table {
    let bold = |c: &DraftCell| {
        c.segs.iter().all(|&i| {
            page.fonts
                .get(segs[i].font as usize)
                .is_some_and(|f| f.bold)
        })
    };
    let all_bold = |r: &DraftRow| r.cells.iter().all(bold);
    let header = match draft.rows.as_slice() {
        [first, rest @ ..] if !rest.is_empty() => {
            (all_bold(first) && !rest.iter().all(all_bold)) || (first.shaded && !rest[0].shaded)
        }
        _ => false,
    };
    let rows = draft
        .rows
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let cells: Vec<Cell> = r
                .cells
                .iter()
                .map(|c| Cell {
                    column: c.column,
                    span: c.span,
                    lines: baselines(segs, &c.segs)
                        .iter()
                        .filter_map(|l| line_of(page, segs, l))
                        .collect(),
                    bbox: c.bbox,
                })
                .collect();
            Row {
                kind: if k == 0 && header {
                    RowKind::Header
                } else {
                    RowKind::Data
                },
                continued: false,
                bbox: cells
                    .iter()
                    .map(|c| c.bbox)
                    .reduce(|a, b| a.union(&b))
                    .unwrap_or_default(),
                cells,
            }
        })
        .collect();
    Table {
        source: draft.source,
        columns: draft.columns,
        continues: false,
        rows,
    }
}

/// The text of a cell for comparison: lower case, single spaces.
fn cell_key(c: &Cell) -> String {
    c.lines
        .iter()
        .flat_map(|l| l.text.split_whitespace())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn row_key(r: &Row) -> Vec<String> {
    r.cells.iter().map(cell_key).collect()
}

/// Left edge of each column, from the cells that cover one column.
fn column_lefts(t: &Table) -> Vec<Option<f32>> {
    let mut out: Vec<Option<f32>> = vec![None; t.columns];
    for c in t.rows.iter().flat_map(|r| &r.cells) {
        if c.span == 1
            && let Some(slot) = out.get_mut(c.column)
        {
            *slot = Some(slot.map_or(c.bbox.x0, |x: f32| x.min(c.bbox.x0)));
        }
    }
    out
}

/// Two tables have the same columns (count, and left edges where known).
fn same_columns(a: &Table, b: &Table) -> bool {
    a.columns == b.columns
        && column_lefts(a)
            .iter()
            .zip(column_lefts(b))
            .all(|(x, y)| match (x, y) {
                (Some(x), Some(y)) => (x - y).abs() <= 6.0,
                _ => true,
            })
}

/// The first cell's text opens like a numbered row ("1.", "R3", "2.1").
fn numbered(r: &Row) -> bool {
    let t = r
        .cells
        .first()
        .and_then(|c| c.lines.first())
        .map_or("", |l| l.text.trim());
    let letters = t.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    letters <= 3 && t[letters..].starts_with(|c: char| c.is_ascii_digit())
}

/// Whether `row`, the first data row of a table that continues `before`
/// (the earlier pages' data rows of the same table), is the rest of the
/// last row cut by the page break.
fn is_cut_row(row: &Row, before: &[&Row]) -> bool {
    let Some(last) = before.last() else {
        return false;
    };
    let first = row.cells.first();
    let empty_first = first.is_none_or(|c| c.lines.is_empty());
    let lower_first = first
        .and_then(|c| c.lines.first())
        .is_some_and(|l| l.text.trim_start().starts_with(char::is_lowercase));
    let numbering = before.len() >= 2
        && numbered(last)
        && before.iter().filter(|r| numbered(r)).count() * 5 >= before.len() * 4;
    empty_first || lower_first || (numbering && !numbered(row))
}

/// Mark tables that go on over a page break: `continues`, repeated header
/// rows, and rows cut by the break (see the module documentation).
pub fn link_pages(pages: &mut [Page]) {
    // (page index, block index) of each table of the current chain.
    let mut chain: Vec<(usize, usize)> = Vec::new();
    for p in 0..pages.len() {
        let goes_on = match chain.last() {
            Some(&(q, b)) if q + 1 == p && b + 1 == pages[q].blocks.len() => {
                match (
                    pages[q].blocks[b].table.as_ref(),
                    pages[p].blocks.first().and_then(|x| x.table.as_ref()),
                ) {
                    (Some(a), Some(c)) => same_columns(a, c),
                    _ => false,
                }
            }
            _ => false,
        };
        if goes_on {
            link(pages, &chain, p);
            chain.push((p, 0));
        } else {
            chain.clear();
        }
        match pages[p].blocks.len().checked_sub(1) {
            Some(l) if pages[p].blocks[l].table.is_some() => {
                if chain.last() != Some(&(p, l)) {
                    chain = vec![(p, l)];
                }
            }
            _ => chain.clear(),
        }
    }
}

/// Link the first table of page `p` to the tables of `chain`.
fn link(pages: &mut [Page], chain: &[(usize, usize)], p: usize) {
    let Some(&(hp, hb)) = chain.first() else {
        return;
    };
    let head_first = pages[hp].blocks[hb]
        .table
        .as_ref()
        .and_then(|t| t.rows.first())
        .map(row_key);
    let cur_first = pages[p].blocks[0]
        .table
        .as_ref()
        .and_then(|t| t.rows.first())
        .map(row_key);
    let repeated = head_first.is_some() && head_first == cur_first;
    if repeated && let Some(t) = pages[hp].blocks[hb].table.as_mut() {
        t.rows[0].kind = RowKind::Header;
    }
    let cut = {
        let before: Vec<&Row> = chain
            .iter()
            .filter_map(|&(q, b)| pages[q].blocks[b].table.as_ref())
            .flat_map(|t| &t.rows)
            .filter(|r| r.kind == RowKind::Data)
            .collect();
        let t = pages[p].blocks[0].table.as_ref();
        let next = t.and_then(|t| t.rows.get(usize::from(repeated)));
        next.is_some_and(|r| is_cut_row(r, &before))
    };
    let Some(t) = pages[p].blocks[0].table.as_mut() else {
        return;
    };
    t.continues = true;
    if repeated {
        t.rows[0].kind = RowKind::RepeatedHeader;
    }
    if cut && let Some(r) = t.rows.get_mut(usize::from(repeated)) {
        r.continued = true;
        r.kind = RowKind::Data;
    }
}

/// A table block again after its cells' lines changed: the block's lines
/// rebuilt from the cells, empty rows dropped; None when nothing is left.
pub fn refresh(mut table: Table) -> Option<Block> {
    table
        .rows
        .retain(|r| r.cells.iter().any(|c| !c.lines.is_empty()));
    (!table.rows.is_empty()).then(|| Block::of_table(table))
}
