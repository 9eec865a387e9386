//! Table rows: each row of an extracted [`Table`] becomes one
//! [`PassageKind::TableRow`] unit, never a heading, whatever its cells say
//! (a header cell "Recommendation" opens no section). The unit's text is
//! its non-empty cells joined by `" | "`, each cell's lines cleaned and
//! joined like a paragraph's; its cells are kept one per column.
//!
//! A table that goes on over a page break keeps one table number; its
//! repeated header rows are left out (page furniture, like a running
//! header), and a row cut by the page break is merged, cell by cell, into
//! the row it continues.

use super::{SrcLine, Unit, clean_line, join_lines};
use crate::model::{PassageKind, RowKind, Table, TablePlace};

/// The separator between the cells of a table row in the body text.
pub const CELL_SEPARATOR: &str = " | ";

/// Numbering of tables across a document.
#[derive(Debug, Default)]
pub struct Tables {
    /// Tables started so far.
    count: usize,
}

/// The text of a row from its cells' texts, and each cell's span in it
/// (an empty cell: an empty span where the next cell starts).
pub fn row_text(cells: &[String]) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut spans = Vec::with_capacity(cells.len());
    let mut pending: Vec<usize> = Vec::new();
    for c in cells {
        if c.is_empty() {
            pending.push(spans.len());
            spans.push((0, 0));
            continue;
        }
        if !text.is_empty() {
            text.push_str(CELL_SEPARATOR);
        }
        for k in pending.drain(..) {
            spans[k] = (text.len(), text.len());
        }
        let start = text.len();
        text.push_str(c);
        spans.push((start, text.len()));
    }
    for k in pending {
        spans[k] = (text.len(), text.len());
    }
    (text, spans)
}

/// Append the rows of `table` (on 0-based page `page`) to `units`.
pub(super) fn push_rows(
    table: &Table,
    page: usize,
    markdown: bool,
    tables: &mut Tables,
    units: &mut Vec<Unit>,
) {
    let last_index = units
        .last()
        .and_then(|u| u.table)
        .map(|t| t.index)
        .filter(|_| table.continues);
    let index = last_index.unwrap_or_else(|| {
        tables.count += 1;
        tables.count - 1
    });
    for row in &table.rows {
        if row.kind == RowKind::RepeatedHeader {
            continue;
        }
        let mut cells = vec![String::new(); table.columns];
        for c in &row.cells {
            let lines: Vec<SrcLine> = c
                .lines
                .iter()
                .filter_map(|l| clean_line(l, markdown))
                .collect();
            let refs: Vec<&SrcLine> = lines.iter().collect();
            if let Some(slot) = cells.get_mut(c.column) {
                *slot = join_lines(&refs);
            }
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let place = TablePlace {
            index,
            row: if row.kind == RowKind::Header {
                RowKind::Header
            } else {
                RowKind::Data
            },
        };
        if row.continued
            && let Some(prev) = units.last_mut().filter(|u| u.table == Some(place))
        {
            for (a, b) in prev.cells.iter_mut().zip(cells) {
                if b.is_empty() {
                    continue;
                }
                let glue = a.ends_with('-') && b.starts_with(char::is_lowercase);
                if !a.is_empty() && !glue {
                    a.push(' ');
                }
                a.push_str(&b);
            }
            prev.text = row_text(&prev.cells).0;
            continue;
        }
        let (text, _) = row_text(&cells);
        units.push(Unit {
            page,
            text,
            breaks: vec![],
            kind: PassageKind::TableRow,
            marker: None,
            heading: None,
            style: super::UnitStyle {
                min_size: 0.0,
                all_bold: false,
            },
            cells,
            table: Some(place),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_cells_are_empty_spans_where_the_next_cell_starts() {
        let cells: Vec<String> = ["1", "", "Glanmor CSP", ""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (text, spans) = row_text(&cells);
        assert_eq!(text, "1 | Glanmor CSP");
        assert_eq!(spans, vec![(0, 1), (4, 4), (4, 15), (15, 15)]);
    }
}
