//! Grids: ruled tables found in a page's drawn lines.
//!
//! The rules (horizontal and vertical [`Rule`]s, and the edges of filled
//! rectangles) are snapped and merged (collinear pieces that touch become
//! one), then grouped into connected sets of crossing or touching lines.
//! A set with at least two rows and two columns is a [`Grid`]: the
//! distinct heights of its horizontal rules are the row boundaries, the
//! distinct positions of its vertical rules the column boundaries (the
//! outer edges taken from the rules' ends when a table has no outer
//! border), and, in each row, a column boundary is a wall only where a
//! vertical rule crosses that row (no wall: merged cells). A set of one
//! row is a grid when it has three columns or more: the last rows of a
//! table carried over a page break.

use super::paths::{Fill, Rule};

/// Distance (points) within which rules are the same line or touch.
const SNAP: f32 = 2.0;
/// Most merged rules per direction looked at on a page (more is a drawing).
const MAX_LINES: usize = 1_500;
/// Narrowest row or column (points): closer boundaries are one.
const MIN_BAND: f32 = 4.0;

/// A ruled grid: boundaries and walls.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Column boundaries, left to right (at least 3: two columns).
    pub xs: Vec<f32>,
    /// Row boundaries, top to bottom (at least 3: two rows; or 2 with at
    /// least three columns).
    pub ys: Vec<f32>,
    /// `walls[r][j]`: in row `r`, a rule separates column `j - 1` from
    /// column `j` (index 0 and `xs.len() - 1` are the outer edges, always
    /// true).
    pub walls: Vec<Vec<bool>>,
}

impl Grid {
    pub fn rows(&self) -> usize {
        self.ys.len() - 1
    }
    pub fn columns(&self) -> usize {
        self.xs.len() - 1
    }

    /// The cells of row `r`: (first column, number of columns), left to right.
    pub fn cells(&self, r: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        for j in 1..self.xs.len() {
            if self.walls[r][j] {
                out.push((start, j - start));
                start = j;
            }
        }
        out
    }

    /// The row holding height `y`, if inside the grid.
    pub fn row_at(&self, y: f32) -> Option<usize> {
        (0..self.rows()).find(|&r| y <= self.ys[r] && y > self.ys[r + 1])
    }

    /// The column holding `x`, if inside the grid.
    pub fn column_at(&self, x: f32) -> Option<usize> {
        (0..self.columns()).find(|&c| x >= self.xs[c] && x < self.xs[c + 1])
    }

    /// The internal walls as vertical rules (for splitting text runs).
    pub fn wall_rules(&self) -> Vec<Rule> {
        let mut out = Vec::new();
        for r in 0..self.rows() {
            for j in 1..self.columns() {
                if self.walls[r][j] {
                    out.push(Rule {
                        x0: self.xs[j],
                        x1: self.xs[j],
                        y0: self.ys[r + 1],
                        y1: self.ys[r],
                    });
                }
            }
        }
        out
    }
}

/// A merged line: position across, extent along.
#[derive(Debug, Clone, Copy)]
struct Line {
    at: f32,
    lo: f32,
    hi: f32,
}

/// Every grid drawn on a page, top to bottom.
pub fn find(rules: &[Rule], fills: &[Fill]) -> Vec<Grid> {
    let mut h: Vec<Line> = Vec::new();
    let mut v: Vec<Line> = Vec::new();
    for r in rules {
        if r.horizontal() {
            h.push(Line {
                at: (r.y0 + r.y1) / 2.0,
                lo: r.x0,
                hi: r.x1,
            });
        } else {
            v.push(Line {
                at: (r.x0 + r.x1) / 2.0,
                lo: r.y0,
                hi: r.y1,
            });
        }
    }
    for f in fills {
        for y in [f.y0, f.y1] {
            h.push(Line {
                at: y,
                lo: f.x0,
                hi: f.x1,
            });
        }
        for x in [f.x0, f.x1] {
            v.push(Line {
                at: x,
                lo: f.y0,
                hi: f.y1,
            });
        }
    }
    let (h, v) = (merge(h), merge(v));
    if h.is_empty() || v.is_empty() || h.len() > MAX_LINES || v.len() > MAX_LINES {
        return Vec::new();
    }
    let mut grids: Vec<Grid> = components(&h, &v)
        .into_iter()
        .filter_map(|(hs, vs)| grid(&hs, &vs))
        .collect();
    grids.sort_by(|a, b| b.ys[0].total_cmp(&a.ys[0]));
    grids
}

/// Collinear lines that overlap or touch, merged.
fn merge(mut lines: Vec<Line>) -> Vec<Line> {
    lines.retain(|l| l.at.is_finite() && l.lo.is_finite() && l.hi.is_finite());
    lines.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.lo.total_cmp(&b.lo)));
    // Group by position (chains of close positions), then merge extents.
    let mut out: Vec<Line> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut j = i + 1;
        while j < lines.len() && lines[j].at - lines[j - 1].at <= SNAP / 2.0 {
            j += 1;
        }
        let mut group: Vec<Line> = lines[i..j].to_vec();
        let at = group.iter().map(|l| l.at).sum::<f32>() / group.len() as f32;
        group.sort_by(|a, b| a.lo.total_cmp(&b.lo));
        let mut cur: Option<Line> = None;
        for l in group {
            cur = match cur {
                Some(c) if l.lo <= c.hi + SNAP => Some(Line {
                    hi: c.hi.max(l.hi),
                    ..c
                }),
                Some(c) => {
                    out.push(c);
                    Some(Line { at, ..l })
                }
                None => Some(Line { at, ..l }),
            };
        }
        out.extend(cur);
        i = j;
    }
    out
}

/// A horizontal and a vertical line cross or touch.
fn touch(h: &Line, v: &Line) -> bool {
    v.at >= h.lo - SNAP && v.at <= h.hi + SNAP && h.at >= v.lo - SNAP && h.at <= v.hi + SNAP
}

/// Connected sets of touching lines: (horizontal, vertical).
fn components(h: &[Line], v: &[Line]) -> Vec<(Vec<Line>, Vec<Line>)> {
    let n = h.len() + v.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for (i, hl) in h.iter().enumerate() {
        for (j, vl) in v.iter().enumerate() {
            if touch(hl, vl) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, h.len() + j));
                parent[a] = b;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<Line>, Vec<Line>)> =
        std::collections::BTreeMap::new();
    for (i, l) in h.iter().enumerate() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().0.push(*l);
    }
    for (j, l) in v.iter().enumerate() {
        let r = root(&mut parent, h.len() + j);
        groups.entry(r).or_default().1.push(*l);
    }
    groups.into_values().collect()
}

/// Distinct positions (within [`MIN_BAND`]), sorted ascending.
fn distinct(mut at: Vec<f32>) -> Vec<f32> {
    at.sort_by(|a, b| a.total_cmp(b));
    let mut out: Vec<f32> = Vec::new();
    for a in at {
        match out.last() {
            Some(&l) if a - l < MIN_BAND => {}
            _ => out.push(a),
        }
    }
    out
}

/// The grid of one connected set of lines, if it has two rows and two columns.
fn grid(h: &[Line], v: &[Line]) -> Option<Grid> {
    let mut xs = distinct(v.iter().map(|l| l.at).collect());
    let mut ys = distinct(h.iter().map(|l| l.at).collect());
    // No outer border: the horizontal rules' ends are the left and right
    // edges, the vertical rules' ends the top and bottom.
    let left = h.iter().map(|l| l.lo).fold(f32::MAX, f32::min);
    let right = h.iter().map(|l| l.hi).fold(f32::MIN, f32::max);
    let bottom = v.iter().map(|l| l.lo).fold(f32::MAX, f32::min);
    let top = v.iter().map(|l| l.hi).fold(f32::MIN, f32::max);
    if xs.first().is_some_and(|&x| left < x - MIN_BAND) {
        xs.insert(0, left);
    }
    if xs.last().is_some_and(|&x| right > x + MIN_BAND) {
        xs.push(right);
    }
    if ys.first().is_some_and(|&y| bottom < y - MIN_BAND) {
        ys.insert(0, bottom);
    }
    if ys.last().is_some_and(|&y| top > y + MIN_BAND) {
        ys.push(top);
    }
    ys.reverse();
    // Two columns and two rows; or one row of three columns or more (the
    // rest of a table that a page break cut).
    if xs.len() < 3 || ys.len() < 2 || (ys.len() < 3 && xs.len() < 4) {
        return None;
    }
    let walls = (0..ys.len() - 1)
        .map(|r| {
            let mid = (ys[r] + ys[r + 1]) / 2.0;
            (0..xs.len())
                .map(|j| {
                    j == 0
                        || j == xs.len() - 1
                        || v.iter()
                            .any(|l| (l.at - xs[j]).abs() < MIN_BAND && l.lo <= mid && l.hi >= mid)
                })
                .collect()
        })
        .collect();
    Some(Grid { xs, ys, walls })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Rect;

    fn hr(y: f32, x0: f32, x1: f32) -> Rule {
        Rule {
            x0,
            x1,
            y0: y,
            y1: y,
        }
    }
    fn vr(x: f32, y0: f32, y1: f32) -> Rule {
        Rule {
            x0: x,
            x1: x,
            y0,
            y1,
        }
    }

    /// A full grid: `cols` + 1 vertical rules, `rows` + 1 horizontal rules.
    fn full(x: &[f32], y: &[f32]) -> Vec<Rule> {
        let (x0, x1) = (x[0], *x.last().unwrap());
        let (y0, y1) = (*y.last().unwrap(), y[0]);
        let mut r: Vec<Rule> = y.iter().map(|&yy| hr(yy, x0, x1)).collect();
        r.extend(x.iter().map(|&xx| vr(xx, y0, y1)));
        r
    }

    #[test]
    fn a_full_grid_is_found() {
        let g = find(
            &full(&[50.0, 150.0, 300.0, 500.0], &[700.0, 680.0, 600.0, 560.0]),
            &[],
        );
        assert_eq!(g.len(), 1);
        let g = &g[0];
        assert_eq!(g.xs, vec![50.0, 150.0, 300.0, 500.0]);
        assert_eq!(g.ys, vec![700.0, 680.0, 600.0, 560.0]);
        assert_eq!((g.rows(), g.columns()), (3, 3));
        assert_eq!(g.cells(1), vec![(0, 1), (1, 1), (2, 1)]);
        assert_eq!(g.row_at(650.0), Some(1));
        assert_eq!(g.column_at(310.0), Some(2));
        assert_eq!(g.row_at(710.0), None);
    }

    #[test]
    fn pieces_drawn_cell_by_cell_are_merged_and_snapped() {
        // Each cell's border drawn on its own, off by a fraction of a point.
        let mut rules = Vec::new();
        for (c, x) in [(0, 50.0), (1, 150.0)] {
            for (r, y) in [(0, 700.0), (1, 680.0)] {
                let dx = 0.3 * c as f32;
                let dy = 0.2 * r as f32;
                rules.push(hr(y + dy, x, x + 100.0));
                rules.push(hr(y - 20.0 + dy, x, x + 100.0));
                rules.push(vr(x + dx, y - 20.0, y));
                rules.push(vr(x + 100.0 + dx, y - 20.0, y));
            }
        }
        let g = find(&rules, &[]);
        assert_eq!(g.len(), 1, "{g:?}");
        assert_eq!((g[0].rows(), g[0].columns()), (2, 2));
    }

    #[test]
    fn merged_cells_have_no_wall() {
        let mut rules = full(&[0.0, 100.0, 200.0, 300.0], &[300.0, 280.0, 200.0]);
        // Remove the wall at x = 100 in the top row (a title spanning two columns).
        rules.retain(|r| !(r.x0 == 100.0 && r.x1 == 100.0));
        rules.push(vr(100.0, 200.0, 280.0));
        let g = &find(&rules, &[])[0];
        assert_eq!(g.cells(0), vec![(0, 2), (2, 1)]);
        assert_eq!(g.cells(1), vec![(0, 1), (1, 1), (2, 1)]);
    }

    #[test]
    fn inner_rules_only_take_edges_from_their_ends() {
        // One horizontal rule under the header, one vertical between columns.
        let rules = vec![hr(680.0, 50.0, 500.0), vr(200.0, 560.0, 700.0)];
        let g = &find(&rules, &[])[0];
        assert_eq!(g.xs, vec![50.0, 200.0, 500.0]);
        assert_eq!(g.ys, vec![700.0, 680.0, 560.0]);
    }

    #[test]
    fn a_box_or_lone_lines_are_not_grids() {
        // A frame around a paragraph: one cell.
        assert!(find(&full(&[50.0, 500.0], &[700.0, 600.0]), &[]).is_empty());
        // An underline and a margin bar that do not touch.
        assert!(find(&[hr(100.0, 50.0, 200.0), vr(20.0, 300.0, 500.0)], &[]).is_empty());
        // A shaded box.
        let fill = Rect {
            x0: 50.0,
            y0: 100.0,
            x1: 500.0,
            y1: 200.0,
        };
        assert!(find(&[], &[fill]).is_empty());
    }

    #[test]
    fn one_row_is_a_grid_only_with_three_columns() {
        // The last row of a table carried over a page break.
        let g = find(&full(&[50.0, 150.0, 300.0, 500.0], &[780.0, 730.0]), &[]);
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].rows(), g[0].columns()), (1, 3));
        // A box split in two (a form's label and its answer) is not.
        assert!(find(&full(&[50.0, 150.0, 500.0], &[780.0, 730.0]), &[]).is_empty());
    }

    #[test]
    fn two_tables_on_a_page_are_two_grids_top_first() {
        let mut rules = full(&[50.0, 100.0, 150.0], &[300.0, 280.0, 260.0]);
        rules.extend(full(&[50.0, 100.0, 150.0], &[700.0, 680.0, 660.0]));
        let g = find(&rules, &[]);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].ys[0], 700.0);
    }

    #[test]
    fn shaded_header_cells_add_their_edges() {
        // A table drawn only as shaded cells in a row plus a bottom rule.
        let cell = |x0: f32, x1: f32| Rect {
            x0,
            x1,
            y0: 680.0,
            y1: 700.0,
        };
        let rules = vec![
            hr(600.0, 50.0, 250.0),
            vr(50.0, 600.0, 700.0),
            vr(250.0, 600.0, 700.0),
        ];
        let g = &find(&rules, &[cell(50.0, 150.0), cell(150.0, 250.0)])[0];
        assert_eq!(g.xs, vec![50.0, 150.0, 250.0]);
        assert_eq!(g.ys, vec![700.0, 680.0, 600.0]);
        // The wall between the shaded cells is only in the header row.
        assert_eq!(g.cells(1), vec![(0, 2)]);
    }
}
