//! Diagnostics: every problem in a rule file with its origin, line and
//! column, collected in one pass and reported together.

use std::fmt;

/// One problem in a rule file, at a line and column (both 1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub origin: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.origin, self.line, self.column, self.message
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{origin}:{line}:{column}: {message}")]
    At {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// Every problem found in the file.
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render(d: &[Diagnostic]) -> String {
    let mut s = format!("{} error(s) in rule file:", d.len());
    for x in d {
        s.push('\n');
        s.push_str(&x.to_string());
    }
    s
}

impl RulesError {
    /// The diagnostics, one per problem.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            RulesError::At {
                origin,
                line,
                column,
                message,
            } => vec![Diagnostic {
                origin: origin.clone(),
                line: *line,
                column: *column,
                message: message.clone(),
            }],
            RulesError::Invalid(d) => d.clone(),
        }
    }
}

/// Line and column (1-based; column in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut off = offset.min(src.len());
    while !src.is_char_boundary(off) {
        off -= 1;
    }
    let before = &src[..off];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before, |i| &before[i + 1..])
        .chars()
        .count()
        + 1;
    (line, col)
}

pub(super) struct Diags<'a> {
    pub(super) src: &'a str,
    pub(super) origin: &'a str,
    pub(super) list: Vec<(usize, Diagnostic)>,
}

impl Diags<'_> {
    pub(super) fn at(&mut self, offset: usize, message: impl Into<String>) {
        let (line, column) = line_col(self.src, offset);
        self.list.push((
            offset,
            Diagnostic {
                origin: self.origin.to_string(),
                line,
                column,
                message: message.into(),
            },
        ));
    }
    pub(super) fn finish(mut self) -> Vec<Diagnostic> {
        // Stable: by position, then insertion order.
        self.list.sort_by_key(|(o, _)| *o);
        self.list.into_iter().map(|(_, d)| d).collect()
    }
}
