//! Aligned tables: text set in columns without rules.
//!
//! Only regions the reading order already reads row by row are looked at
//! (see `layout::cut`): rows of figures beside their labels, and regions
//! with many full-width row gaps. Their columns are the x-ranges that the
//! segments of the rows with two segments or more fill, separated by
//! channels of white space at least [`MIN_GAP`] × the body size wide that
//! run through all of those rows; a one-segment row (a label or a title
//! running across) is one cell over the columns it covers. A region is a
//! table when at least three rows fill two columns or more, and it has
//! three columns or more, or two with figures in the second (two columns
//! of words are a list with hanging numbers or a glossary: left alone).

use super::layout::Seg;
use super::table::{Draft, DraftCell, DraftRow, baselines};
use crate::model::{Rect, TableSource};

/// Narrowest white channel between columns (× body font size).
pub const MIN_GAP: f32 = 0.8;

/// Columns (x-ranges, left to right) of `rows` (each a row's segments),
/// if at least three rows fill two of them.
pub fn columns(segs: &[Seg], rows: &[Vec<usize>], med: f32) -> Option<Vec<(f32, f32)>> {
    let multi: Vec<&Vec<usize>> = rows.iter().filter(|r| r.len() >= 2).collect();
    if multi.len() < 3 {
        return None;
    }
    let mut spans: Vec<(f32, f32)> = multi
        .iter()
        .flat_map(|r| r.iter().map(|&i| (segs[i].x0, segs[i].x1)))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cols: Vec<(f32, f32)> = Vec::new();
    for (x0, x1) in spans {
        match cols.last_mut() {
            Some(c) if x0 < c.1 + MIN_GAP * med => c.1 = c.1.max(x1),
            _ => cols.push((x0, x1)),
        }
    }
    if cols.len() < 2 {
        return None;
    }
    let filling = multi
        .iter()
        .filter(|r| {
            let mut used: Vec<usize> = r.iter().map(|&i| column_of(&cols, &segs[i]).0).collect();
            used.dedup();
            used.len() >= 2
        })
        .count();
    (filling >= 3).then_some(cols)
}

/// The columns a segment covers: (first, last).
fn column_of(cols: &[(f32, f32)], s: &Seg) -> (usize, usize) {
    let first = cols
        .iter()
        .position(|c| s.x0 < c.1)
        .unwrap_or(cols.len() - 1);
    let last = cols
        .iter()
        .rposition(|c| s.x1 > c.0)
        .unwrap_or(first)
        .max(first);
    (first, last)
}

/// A table cell of figures (see `layout::is_figure`).
fn figures(segs: &[Seg], items: &[usize]) -> bool {
    let n = items
        .iter()
        .filter(|&&i| super::layout::is_figure(&segs[i].text))
        .count();
    n * 10 >= items.len() * 6 && !items.is_empty()
}

/// Rows of figures beside their labels: one row per baseline.
pub fn numeric(segs: &[Seg], items: &[usize], med: f32) -> Option<Draft> {
    let rows = baselines(segs, items);
    let cols = columns(segs, &rows, med)?;
    let right: Vec<usize> = items
        .iter()
        .copied()
        .filter(|&i| column_of(&cols, &segs[i]).0 > 0)
        .collect();
    if cols.len() < 3 && !figures(segs, &right) {
        return None;
    }
    let groups: Vec<Vec<usize>> = rows;
    Some(draft(segs, &groups, &cols))
}

/// A region with full-width gaps between its rows: one row per group of
/// lines between gaps, cells wrapping over lines.
pub fn grouped(segs: &[Seg], groups: &[Vec<usize>], med: f32) -> Option<Draft> {
    let lines: Vec<Vec<usize>> = groups.iter().flat_map(|g| baselines(segs, g)).collect();
    let cols = columns(segs, &lines, med)?;
    if cols.len() < 3 {
        return None;
    }
    Some(draft(segs, groups, &cols))
}

/// Put each group's segments into the columns.
fn draft(segs: &[Seg], groups: &[Vec<usize>], cols: &[(f32, f32)]) -> Draft {
    let rows = groups
        .iter()
        .map(|g| {
            // Columns joined by a segment running across them.
            let mut owner: Vec<usize> = (0..cols.len()).collect();
            for &i in g {
                let (a, b) = column_of(cols, &segs[i]);
                for o in owner.iter_mut().take(b + 1).skip(a) {
                    *o = a;
                }
            }
            let mut cells: Vec<DraftCell> = Vec::new();
            for (c, col) in cols.iter().enumerate() {
                match cells.last_mut() {
                    Some(last) if owner[c] == last.column => {
                        last.span += 1;
                        last.bbox.x1 = col.1;
                    }
                    _ => cells.push(DraftCell {
                        column: c,
                        span: 1,
                        segs: Vec::new(),
                        bbox: Rect {
                            x0: col.0,
                            x1: col.1,
                            y0: f32::MAX,
                            y1: f32::MIN,
                        },
                    }),
                }
            }
            for &i in g {
                let c = column_of(cols, &segs[i]).0;
                if let Some(cell) = cells
                    .iter_mut()
                    .find(|k| k.column <= c && c < k.column + k.span)
                {
                    cell.segs.push(i);
                }
            }
            let (y0, y1) = g.iter().fold((f32::MAX, f32::MIN), |(a, b), &i| {
                (
                    a.min(segs[i].y - 0.2 * segs[i].size),
                    b.max(segs[i].y + 0.75 * segs[i].size),
                )
            });
            for cell in &mut cells {
                cell.bbox.y0 = y0;
                cell.bbox.y1 = y1;
            }
            DraftRow {
                cells,
                shaded: false,
            }
        })
        .collect();
    Draft {
        source: TableSource::Aligned,
        columns: cols.len(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(text: &str, x0: f32, x1: f32, y: f32) -> Seg {
        Seg {
            text: text.into(),
            x0,
            x1,
            y,
            size: 10.0,
            font: 0,
            orient: 0,
            table: None,
        }
    }

    #[test]
    fn columns_of_a_table_of_figures() {
        let segs = vec![
            seg("Fictional revenue", 50.0, 140.0, 700.0),
            seg("1,234", 300.0, 330.0, 700.0),
            seg("987", 400.0, 420.0, 700.0),
            seg("Costs", 50.0, 80.0, 685.0),
            seg("(200)", 298.0, 330.0, 685.0),
            seg("(150)", 392.0, 420.0, 685.0),
            seg("Operating profit for the year", 50.0, 200.0, 670.0),
            seg("1,034", 300.0, 330.0, 670.0),
            seg("837", 400.0, 420.0, 670.0),
        ];
        let items: Vec<usize> = (0..segs.len()).collect();
        let d = numeric(&segs, &items, 10.0).expect("a table");
        assert_eq!(d.columns, 3);
        assert_eq!(d.rows.len(), 3);
        let texts: Vec<Vec<Vec<&str>>> = d
            .rows
            .iter()
            .map(|r| {
                r.cells
                    .iter()
                    .map(|c| c.segs.iter().map(|&i| segs[i].text.as_str()).collect())
                    .collect()
            })
            .collect();
        assert_eq!(texts[1], vec![vec!["Costs"], vec!["(200)"], vec!["(150)"]]);
    }

    #[test]
    fn a_numbered_list_with_hanging_text_is_not_a_table() {
        // "1.   The board should …" over three items: two columns of words.
        let mut segs = Vec::new();
        for k in 0..3 {
            let y = 700.0 - 40.0 * k as f32;
            segs.push(seg(&format!("{}.", k + 1), 50.0, 58.0, y));
            segs.push(seg("The fictional board should review it", 80.0, 400.0, y));
            segs.push(seg("and report to the partnership.", 80.0, 300.0, y - 12.0));
        }
        let groups: Vec<Vec<usize>> = (0..3).map(|k| vec![3 * k, 3 * k + 1, 3 * k + 2]).collect();
        assert!(grouped(&segs, &groups, 10.0).is_none());
        let items: Vec<usize> = (0..segs.len()).collect();
        assert!(numeric(&segs, &items, 10.0).is_none());
    }

    #[test]
    fn wrapped_cells_stay_in_their_row_and_column() {
        // Three columns; the middle cell of the first row wraps.
        let segs = vec![
            seg("1", 50.0, 56.0, 700.0),
            seg("Train all fictional staff", 100.0, 250.0, 700.0),
            seg("in the new procedure", 100.0, 220.0, 688.0),
            seg("Glanmor CSP", 300.0, 360.0, 700.0),
            seg("2", 50.0, 56.0, 660.0),
            seg("Audit cases", 100.0, 160.0, 660.0),
            seg("Police", 300.0, 330.0, 660.0),
            seg("3", 50.0, 56.0, 630.0),
            seg("Write a letter", 100.0, 170.0, 630.0),
            seg("Council", 300.0, 340.0, 630.0),
        ];
        let groups = vec![vec![0, 1, 2, 3], vec![4, 5, 6], vec![7, 8, 9]];
        let d = grouped(&segs, &groups, 10.0).expect("a table");
        assert_eq!(d.columns, 3);
        assert_eq!(d.rows[0].cells[1].segs, vec![1, 2]);
        assert_eq!(d.rows[0].cells[2].segs, vec![3]);
    }

    #[test]
    fn a_title_across_columns_is_one_cell() {
        let segs = vec![
            seg(
                "Fictional figures for the year ended 31 March",
                50.0,
                420.0,
                720.0,
            ),
            seg("Revenue", 50.0, 90.0, 700.0),
            seg("1,234", 300.0, 330.0, 700.0),
            seg("987", 400.0, 420.0, 700.0),
            seg("Costs", 50.0, 80.0, 685.0),
            seg("200", 300.0, 330.0, 685.0),
            seg("150", 400.0, 420.0, 685.0),
            seg("Net", 50.0, 70.0, 670.0),
            seg("1,034", 300.0, 330.0, 670.0),
            seg("837", 400.0, 420.0, 670.0),
        ];
        let items: Vec<usize> = (0..segs.len()).collect();
        let d = numeric(&segs, &items, 10.0).expect("a table");
        assert_eq!(d.rows[0].cells.len(), 1);
        assert_eq!((d.rows[0].cells[0].column, d.rows[0].cells[0].span), (0, 3));
    }
}
