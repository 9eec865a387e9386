//! Paths: the straight lines and rectangles a page draws, kept for table
//! finding. The interpreter ([`super::pdf`]) feeds path operators (`m`,
//! `l`, `re`, curves, `h`) in device space to a [`PathBuilder`]; painting
//! (`S`, `f`, `B`, …) turns the current path into [`Rule`]s (horizontal
//! and vertical strokes, and the long axis of thin filled rectangles) and
//! [`Fill`]s (filled rectangles: shaded cells); `n` (clipping) and
//! invisible (white) paint leave nothing. Everything else (curves,
//! slanted lines, other shapes) is dropped: tables are drawn with rules.

use crate::model::Rect;

/// Most rules and fills kept per page (a vector drawing can have more).
pub const MAX_RULES: usize = 20_000;
/// A filled rectangle thinner than this (points) is a rule.
const THIN: f32 = 3.0;
/// A segment within this of horizontal or vertical counts as one.
const SLANT: f32 = 0.5;

/// A horizontal or vertical drawn line in display space: `x0 <= x1`,
/// `y0 <= y1`, and one of the two extents (nearly) zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rule {
    /// A rule from two points, or None when the segment is slanted or a dot.
    pub fn between(a: (f32, f32), b: (f32, f32)) -> Option<Rule> {
        let (dx, dy) = ((a.0 - b.0).abs(), (a.1 - b.1).abs());
        let ok = [a.0, a.1, b.0, b.1].iter().all(|v| v.is_finite());
        if !ok || (dx < SLANT && dy < SLANT) || (dx >= SLANT && dy >= SLANT) {
            return None;
        }
        Some(Rule {
            x0: a.0.min(b.0),
            y0: a.1.min(b.1),
            x1: a.0.max(b.0),
            y1: a.1.max(b.1),
        })
    }

    pub fn horizontal(&self) -> bool {
        self.x1 - self.x0 >= self.y1 - self.y0
    }
}

/// A filled rectangle (a shaded cell or box) in display space.
pub type Fill = Rect;

/// One subpath: its points, whether it was closed, whether it has curves.
#[derive(Debug, Default, Clone)]
struct Subpath {
    points: Vec<(f32, f32)>,
    closed: bool,
    curved: bool,
}

/// The current path of the interpreter, and what painting produced.
#[derive(Debug, Default)]
pub struct PathBuilder {
    subpaths: Vec<Subpath>,
    pub rules: Vec<Rule>,
    pub fills: Vec<Fill>,
}

/// How a path is painted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    pub stroke: bool,
    pub fill: bool,
}

impl PathBuilder {
    pub fn move_to(&mut self, p: (f32, f32)) {
        if self.subpaths.len() < MAX_RULES {
            self.subpaths.push(Subpath {
                points: vec![p],
                ..Subpath::default()
            });
        }
    }

    pub fn line_to(&mut self, p: (f32, f32)) {
        if let Some(s) = self.subpaths.last_mut()
            && s.points.len() < MAX_RULES
        {
            s.points.push(p);
        }
    }

    /// A curve segment ending at `p`: the subpath is no longer straight.
    pub fn curve_to(&mut self, p: (f32, f32)) {
        if let Some(s) = self.subpaths.last_mut() {
            s.curved = true;
        }
        self.line_to(p);
    }

    pub fn close(&mut self) {
        if let Some(s) = self.subpaths.last_mut() {
            s.closed = true;
        }
    }

    /// `re`: a closed rectangle from its four corners (device space).
    pub fn rect(&mut self, corners: [(f32, f32); 4]) {
        if self.subpaths.len() < MAX_RULES {
            self.subpaths.push(Subpath {
                points: corners.to_vec(),
                closed: true,
                curved: false,
            });
        }
    }

    /// Paint the current path (`None`: `n`, or invisible paint) and clear it.
    pub fn paint(&mut self, paint: Option<Paint>) {
        let subpaths = std::mem::take(&mut self.subpaths);
        let Some(paint) = paint else { return };
        for s in &subpaths {
            if self.rules.len() >= MAX_RULES || self.fills.len() >= MAX_RULES {
                return;
            }
            if paint.fill
                && !s.curved
                && let Some(r) = axis_rect(&s.points)
            {
                if r.width().min(r.height()) <= THIN {
                    let (cx, cy) = ((r.x0 + r.x1) / 2.0, (r.y0 + r.y1) / 2.0);
                    let rule = if r.width() >= r.height() {
                        Rule::between((r.x0, cy), (r.x1, cy))
                    } else {
                        Rule::between((cx, r.y0), (cx, r.y1))
                    };
                    self.rules.extend(rule);
                } else {
                    self.fills.push(r);
                }
                continue;
            }
            if paint.stroke && !s.curved {
                let n = s.points.len();
                if n < 2 {
                    continue;
                }
                let closing = if s.closed && n > 2 { n } else { n - 1 };
                for k in 0..closing {
                    let (a, b) = (s.points[k], s.points[(k + 1) % n]);
                    if let Some(r) = Rule::between(a, b) {
                        self.rules.push(r);
                    }
                }
            }
        }
    }
}

/// The points of an axis-aligned rectangle (4 corners, or 5 with the first
/// repeated), as a box.
fn axis_rect(points: &[(f32, f32)]) -> Option<Rect> {
    let pts = match points {
        [a, b, c, d, e] if a == e => [*a, *b, *c, *d],
        [a, b, c, d] => [*a, *b, *c, *d],
        _ => return None,
    };
    let xs = pts.map(|p| p.0);
    let ys = pts.map(|p| p.1);
    let x0 = xs.iter().copied().fold(f32::MAX, f32::min);
    let x1 = xs.iter().copied().fold(f32::MIN, f32::max);
    let y0 = ys.iter().copied().fold(f32::MAX, f32::min);
    let y1 = ys.iter().copied().fold(f32::MIN, f32::max);
    let on_edge = |v: f32, lo: f32, hi: f32| (v - lo).abs() < SLANT || (v - hi).abs() < SLANT;
    let corners = pts
        .iter()
        .all(|p| on_edge(p.0, x0, x1) && on_edge(p.1, y0, y1));
    (corners && x0.is_finite() && y0.is_finite() && x1.is_finite() && y1.is_finite())
        .then_some(Rect { x0, y0, x1, y1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strokes_become_rules_and_slants_do_not() {
        let mut p = PathBuilder::default();
        p.move_to((10.0, 100.0));
        p.line_to((200.0, 100.0));
        p.line_to((250.0, 150.0));
        p.line_to((250.0, 300.0));
        p.paint(Some(Paint {
            stroke: true,
            fill: false,
        }));
        assert_eq!(
            p.rules,
            vec![
                Rule {
                    x0: 10.0,
                    y0: 100.0,
                    x1: 200.0,
                    y1: 100.0
                },
                Rule {
                    x0: 250.0,
                    y0: 150.0,
                    x1: 250.0,
                    y1: 300.0
                },
            ]
        );
    }

    #[test]
    fn thin_filled_rectangles_are_rules_thick_ones_fills() {
        let mut p = PathBuilder::default();
        p.rect([(10.0, 100.0), (210.0, 100.0), (210.0, 100.8), (10.0, 100.8)]);
        p.rect([(10.0, 100.0), (10.5, 100.0), (10.5, 300.0), (10.0, 300.0)]);
        p.rect([(10.0, 100.0), (60.0, 100.0), (60.0, 120.0), (10.0, 120.0)]);
        let fill = Some(Paint {
            stroke: false,
            fill: true,
        });
        p.paint(fill);
        assert_eq!(p.rules.len(), 2);
        assert!(p.rules[0].horizontal() && !p.rules[1].horizontal());
        assert_eq!(p.fills.len(), 1);
        // Clipping paths (`W n`) leave nothing.
        p.rect([(0.0, 0.0), (595.0, 0.0), (595.0, 842.0), (0.0, 842.0)]);
        p.paint(None);
        assert_eq!((p.rules.len(), p.fills.len()), (2, 1));
    }

    #[test]
    fn curves_are_not_rules() {
        let mut p = PathBuilder::default();
        p.move_to((0.0, 0.0));
        p.curve_to((100.0, 0.0));
        p.paint(Some(Paint {
            stroke: true,
            fill: true,
        }));
        assert!(p.rules.is_empty() && p.fills.is_empty());
    }
}
