//! Source lines: each line of a block cleaned (Markdown markup removed,
//! list markers read), the body's style, lines joined into flowing text,
//! and a block's lines grouped into units (headings, list items,
//! paragraphs).

use super::*;
/// One cleaned source line.
#[derive(Debug, Clone)]
pub(super) struct SrcLine {
    /// Trimmed, markup removed, whitespace kept as written (for markers).
    pub(super) raw: String,
    pub(super) size: f32,
    pub(super) bold: bool,
    /// `#` count when the line is a Markdown heading.
    pub(super) md: Option<u8>,
    pub(super) marker: Option<Marker>,
}

/// A list marker at the start of a line.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Marker {
    pub(super) text: String,
    pub(super) family: MarkerFamily,
    /// Byte length of marker plus following space in the raw line.
    pub(super) len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum MarkerFamily {
    /// "•", "-", "–", "*".
    Bullet,
    /// "1", "1.", "2.3", "1)".
    Number,
    /// "(a)", "a)", "i.", "R1", "Recommendation 3:".
    Other,
    /// "We will:" (strategies).
    WeWill,
}

pub(super) static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:(?P<bullet>[•●▪■◦‣∙·○➢►✓\-–—*])\s+",
        r"|(?P<rec>(?i:recommendation|argymhelliad)\s+[0-9]{1,3}(?:\.[0-9]{1,2})?\s*[:.)–-]?)\s+",
        r"|(?P<r>R[0-9]{1,3}[.:)]?)\s+",
        r"|(?P<we>(?i:we will|byddwn yn):)\s*",
        r"|(?P<obj>(?i:objective|priority area|priority|amcan|blaenoriaeth)\s+[0-9]{1,2}[:.])\s*",
        r"|(?P<num>[0-9]{1,2}(?:\.[0-9]{1,3}){0,3}(?P<np>[.)])?)(?P<nws>\s+)(?P<nnext>\S)",
        r"|(?P<paren>\((?:[0-9]{1,3}|[a-zA-Z]|[ivxlcIVXLC]{1,6})\))\s+",
        r"|(?P<letter>(?:[a-zA-Z]|[ivxlc]{1,6}|[IVXLC]{1,6})[.)])\s+",
        r")"
    ))
    .expect("static regex")
});

pub(super) const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
];

/// The list marker a line starts with, if any.
pub(super) fn list_marker(raw: &str) -> Option<Marker> {
    let c = MARKER.captures(raw)?;
    let whole = c.get(0)?;
    let mk = |m: regex::Match<'_>, family, len| Marker {
        text: m.as_str().trim().to_string(),
        family,
        len,
    };
    if let Some(m) = c.name("bullet") {
        return Some(mk(m, MarkerFamily::Bullet, whole.end()));
    }
    if let Some(m) = c.name("rec").or(c.name("r")).or(c.name("paren")) {
        return Some(mk(m, MarkerFamily::Other, whole.end()));
    }
    if let Some(m) = c.name("we") {
        return Some(mk(m, MarkerFamily::WeWill, whole.end()));
    }
    if let Some(m) = c.name("obj") {
        return Some(mk(m, MarkerFamily::Number, whole.end()));
    }
    if let Some(m) = c.name("num") {
        let next = c.name("nnext")?;
        let ws = c.name("nws")?.as_str();
        // A bare number is a marker when punctuated ("1.", "1)"), dotted
        // ("2.3"), spaced like a list ("1   Text") or followed by a capital
        // that does not start a date ("1 March").
        let punctuated = c.name("np").is_some() || m.as_str().contains('.');
        let spaced = ws.len() >= 2 || ws.contains('\t');
        let rest = &raw[next.start()..];
        let capital = next
            .as_str()
            .chars()
            .next()
            .is_some_and(|ch| ch.is_uppercase() || ch == '(')
            && !MONTHS.iter().any(|mo| {
                rest.strip_prefix(mo)
                    .is_some_and(|r| !r.starts_with(|ch: char| ch.is_alphabetic()))
            });
        if punctuated || spaced || capital {
            return Some(mk(m, MarkerFamily::Number, next.start()));
        }
        return None;
    }
    if let Some(m) = c.name("letter") {
        return Some(mk(m, MarkerFamily::Other, whole.end()));
    }
    None
}

pub(super) static MD_RULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[-*_=]\s*){3,}$|^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
        .expect("static regex")
});
pub(super) static MD_INLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\*\*|__|</?(?:b|i|u|em|strong|sup|sub)>|<br\s*/?>").expect("static regex")
});

/// Clean one source line; None when it carries no text.
pub(super) fn clean_line(line: &Line, markdown: bool) -> Option<SrcLine> {
    let mut raw = line.text.trim().to_string();
    let mut md = None;
    if markdown {
        if MD_RULE.is_match(&raw) {
            return None;
        }
        raw = MD_INLINE.replace_all(&raw, "").trim().to_string();
        if let Some(rest) = raw
            .strip_prefix('\\')
            .filter(|r| r.starts_with(['#', '|', '>']))
        {
            // A backslash escape: the character is text ("#1 priority").
            raw = rest.to_string();
        } else {
            if let Some(rest) = raw.strip_prefix("> ") {
                raw = rest.trim().to_string();
            }
            // Single-star italics around a whole line: "*Develop a ...*".
            if raw.starts_with('*') && !raw.starts_with("* ") {
                raw = raw.trim_start_matches('*').to_string();
            }
            if raw.ends_with('*') && !raw.ends_with(" *") {
                raw = raw.trim_end_matches('*').to_string();
            }
            if let Some((level, text)) = headings::markdown_heading(&raw) {
                md = Some(level);
                raw = text.trim().to_string();
            }
        }
    }
    if !raw.chars().any(|c| !c.is_whitespace()) {
        return None;
    }
    let marker = if md.is_none() {
        list_marker(&raw)
    } else {
        None
    };
    Some(SrcLine {
        raw,
        size: line.size,
        bold: line.bold,
        md,
        marker,
    })
}

/// Character-weighted median font size, and whether bold dominates.
pub(super) fn body_style(ex: &ExtractedDoc) -> BodyStyle {
    let mut sizes: Vec<(f32, usize)> = Vec::new();
    let (mut bold_chars, mut all_chars) = (0usize, 0usize);
    let mut styled = false;
    for l in ex
        .pages
        .iter()
        .flat_map(|p| &p.blocks)
        .flat_map(|b| &b.lines)
    {
        let n = l.text.chars().filter(|c| !c.is_whitespace()).count();
        if l.size.is_finite() && l.size > 0.0 {
            styled = true;
            sizes.push((l.size, n));
        }
        styled |= l.bold;
        all_chars += n;
        if l.bold {
            bold_chars += n;
        }
    }
    sizes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: usize = sizes.iter().map(|s| s.1).sum();
    let mut acc = 0;
    let mut median = 0.0;
    for (s, n) in &sizes {
        acc += n;
        if acc * 2 >= total {
            median = *s;
            break;
        }
    }
    let bold_body = all_chars > 0 && bold_chars * 2 > all_chars;
    // Fonts only count as a heading cue when they vary: a document set in
    // one size and weight is read like plain text.
    let varied =
        (bold_chars > 0 && !bold_body) || sizes.iter().any(|(s, _)| *s >= median * 1.15 + 0.01);
    BodyStyle {
        median_size: median,
        styled: styled && varied,
        bold_body,
    }
}

/// Join cleaned lines into flowing text: single spaces, a line-end hyphen
/// kept and glued to a lower-case continuation ("co-" + "operation").
pub(super) fn join_lines(lines: &[&SrcLine]) -> String {
    let mut out = String::new();
    for l in lines {
        let text = collapse_ws(&l.raw);
        if !out.is_empty() {
            let glue = out.ends_with('-')
                && out[..out.len() - 1].ends_with(char::is_alphabetic)
                && text.starts_with(char::is_lowercase);
            if !glue {
                out.push(' ');
            }
        }
        out.push_str(&text);
    }
    out
}

pub(super) fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Ends like a finished sentence or lead-in ("…:", "…;").
pub(super) fn ends_terminal(text: &str) -> bool {
    text.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '’' | '”' | ')' | ']')
    })
    .ends_with(['.', '?', '!', ':', ';'])
}

pub(super) fn heading_styled(l: &SrcLine, body: &BodyStyle) -> bool {
    body.is_large(l.size) || (body.styled && l.bold && !body.bold_body)
}

/// Split one block's cleaned lines into groups, one per unit.
///
/// A line starts a new unit when it is (or follows) a Markdown heading;
/// when it starts with a bullet, or with another list marker
/// after a line that ended a sentence or lead-in; when the heading style
/// (large/bold) changes; or when the block's first line is itself a heading
/// followed by a new sentence ("Our Approach" / "The partnership ...").
pub(super) fn group_lines<'a>(
    lines: &'a [SrcLine],
    body: &BodyStyle,
    anatomy: &Anatomy,
) -> Vec<Vec<&'a SrcLine>> {
    let mut groups: Vec<Vec<&SrcLine>> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let new = match i.checked_sub(1).map(|j| &lines[j]) {
            None => true,
            Some(prev) => {
                prev.md.is_some()
                    || l.md.is_some()
                    || l.marker.as_ref().is_some_and(|m| {
                        m.family == MarkerFamily::Bullet || ends_terminal(&prev.raw)
                    })
                    || heading_styled(prev, body) != heading_styled(l, body)
                    || (heading_styled(prev, body) && (prev.size - l.size).abs() > 0.5)
                    || (i == 1 && first_line_is_heading(prev, l, body, anatomy))
            }
        };
        match groups.last_mut() {
            Some(g) if !new => g.push(l),
            _ => groups.push(vec![l]),
        }
    }
    groups
}

/// The first line of a block is a heading of its own when it passes the
/// heading rules, is clearly shorter than the next line, and the next line
/// starts a new sentence (capital, digit or list marker).
pub(super) fn first_line_is_heading(
    first: &SrcLine,
    next: &SrcLine,
    body: &BodyStyle,
    anatomy: &Anatomy,
) -> bool {
    if first
        .marker
        .as_ref()
        .is_some_and(|m| m.family != MarkerFamily::Number)
        || (headings::is_all_caps(&first.raw) && headings::is_all_caps(&next.raw))
    {
        return false;
    }
    let next_starts_new = next.marker.is_some()
        || next
            .raw
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    let shorter = first.raw.chars().count() * 10 < next.raw.chars().count() * 7;
    next_starts_new
        && shorter
        && headings::detect(
            &collapse_ws(&first.raw),
            UnitStyle {
                min_size: first.size,
                all_bold: first.bold,
            },
            body,
            None,
            anatomy,
        )
        .is_some()
}
