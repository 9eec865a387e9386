//! Snippets: the passage fragment around the query terms with highlight
//! ranges, whitespace collapsed, and its HTML form.

use super::*;

/// A snippet of `text` around the query terms: whitespace collapsed, `…`
/// where the passage was cut, highlight byte ranges into the snippet. When
/// no query term is in the text (a filter-only query, or a title match),
/// the start of the passage.
pub(super) fn make_snippet(
    generator: &SnippetGenerator,
    text: &str,
) -> (String, Vec<(usize, usize)>) {
    let s = generator.snippet(text);
    let (range, marks): (std::ops::Range<usize>, Vec<std::ops::Range<usize>>) =
        if s.fragment().is_empty() {
            (0..cut_at_word(text, SNIPPET_CHARS), Vec::new())
        } else {
            let r = s.fragment_range();
            let marks = tantivy::snippet::collapse_overlapped_ranges(s.highlighted())
                .into_iter()
                .map(|m| m.start + r.start..m.end + r.start)
                .collect();
            // Keep leading or trailing punctuation the tokenizer left out.
            let start = if text
                .get(..r.start)
                .is_none_or(|t| t.chars().any(char::is_alphanumeric))
            {
                r.start
            } else {
                0
            };
            let end = if text
                .get(r.end..)
                .is_none_or(|t| t.chars().any(char::is_alphanumeric))
            {
                r.end
            } else {
                text.len()
            };
            (start..end, marks)
        };
    let mut out = String::new();
    let mut highlights = Vec::new();
    if range.start > 0 {
        out.push('…');
    }
    // Copy the fragment collapsing whitespace; map highlight offsets.
    let mut open: Option<usize> = None;
    let mut mi = 0;
    let mut last_space = out.is_empty() || out.ends_with('…');
    let frag = text.get(range.clone()).unwrap_or_default();
    for (i, c) in frag.char_indices() {
        let pos = range.start + i;
        while let Some(m) = marks.get(mi) {
            if pos >= m.end {
                if let Some(s) = open.take() {
                    highlights.push((s, out.len()));
                }
                mi += 1;
                continue;
            }
            if open.is_none() && pos >= m.start {
                open = Some(out.len());
            }
            break;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(c);
            last_space = false;
        }
    }
    if let Some(s) = open {
        highlights.push((s, out.len()));
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    for h in &mut highlights {
        h.1 = h.1.min(out.len());
        h.0 = h.0.min(h.1);
    }
    // Adjacent highlighted words read as one: "[risk assessment]".
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(highlights.len());
    for h in highlights {
        match merged.last_mut() {
            Some(last)
                if out
                    .get(last.1..h.0)
                    .is_some_and(|gap| gap.chars().all(char::is_whitespace)) =>
            {
                last.1 = h.1;
            }
            _ => merged.push(h),
        }
    }
    if range.end < text.trim_end().len() {
        out.push('…');
    }
    (out, merged)
}

/// Byte length of the longest prefix of `text` with at most `max` bytes that
/// ends at a word boundary (or the whole text).
pub(super) fn cut_at_word(text: &str, max: usize) -> usize {
    if text.len() <= max {
        return text.len();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => i,
        _ => end,
    }
}

/// Escape `s` for HTML text and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The snippet as HTML: escaped, highlights wrapped in `<mark>`.
pub(super) fn snippet_html(snippet: &str, highlights: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for &(s, e) in highlights {
        let (Some(before), Some(mark)) = (snippet.get(at..s), snippet.get(s..e)) else {
            continue;
        };
        out.push_str(&html_escape(before));
        out.push_str("<mark>");
        out.push_str(&html_escape(mark));
        out.push_str("</mark>");
        at = e;
    }
    out.push_str(&html_escape(snippet.get(at..).unwrap_or_default()));
    out
}
