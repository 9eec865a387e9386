//! Markers, units and items: passages cut at list markers into units, and
//! units gathered into items (one recommendation each) with their text
//! joined across page breaks.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Marker {
    /// "3.", "2.1", "R4", "Recommendation 3:", "(1)": ordinal as written.
    Num(String),
    /// "(a)", "b)", "iv.": a sub-item, label as written.
    Sub(String),
    /// "•", "-", "*".
    Bullet,
}

pub(super) static RE_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?i:recommendation|argymhelliad|rec\.?)\s+(?P<rec>[A-Z]?\d{1,3}(?:\.\d{1,3})*[a-z]?)\s*[:.)\-–—]?|(?P<r>R\d{1,3}(?:\.\d{1,3})*)[:.)]?|\((?P<pn>\d{1,3})\)|(?P<num>\d{1,3}(?:\.\d{1,3})*)(?P<np>[.):])?|\(?(?P<sub>[a-z]|[ivx]{1,4})[.)]|(?P<bul>[•●▪◦‣∙·○■□➢►✓➤\-–—*]))(?:\s+|$)",
    )
    .unwrap()
});

/// Parse a list marker at the start of `s`: the marker and its length in
/// bytes, trailing whitespace included.
pub(super) fn parse_marker(s: &str) -> Option<(Marker, usize)> {
    let c = RE_MARKER.captures(s)?;
    let len = c.get(0)?.end();
    let rest = &s[len..];
    if let Some(m) = c.name("rec") {
        // "Recommendation 3" may stand alone, its text in the next paragraph.
        return Some((Marker::Num(m.as_str().to_string()), len));
    }
    if let Some(m) = c.name("r").or(c.name("pn")) {
        // Also alone: a marker laid out apart from its text.
        return Some((Marker::Num(m.as_str().to_string()), len));
    }
    if let Some(m) = c.name("num") {
        let starts_upper = rest
            .chars()
            .next()
            .is_some_and(|ch| ch.is_uppercase() || "\"“‘'(".contains(ch));
        // "3 The CSP …" needs a capital after a bare number ("4 weeks" is prose);
        // "2.1" needs no punctuation; "3." may stand alone (a marker laid out
        // apart from its text), a bare "3" or "2.1" may not (page and section numbers).
        let dotted = m.as_str().contains('.');
        let punct = c.name("np").is_some();
        if !punct && !dotted && !starts_upper {
            return None;
        }
        if rest.trim().is_empty() && !punct {
            return None;
        }
        return Some((Marker::Num(m.as_str().to_string()), len));
    }
    if let Some(m) = c.name("sub") {
        if rest.trim().is_empty() {
            return None;
        }
        return Some((Marker::Sub(m.as_str().to_string()), len));
    }
    if c.name("bul").is_some() && !rest.trim().is_empty() {
        return Some((Marker::Bullet, len));
    }
    None
}

/// A piece of a passage: one list item, or the whole passage.
#[derive(Debug, Clone)]
pub(super) struct Unit<'a> {
    /// Byte span in the document text (marker included).
    pub(super) start: usize,
    pub(super) end: usize,
    /// Where the text after the marker starts.
    pub(super) body: usize,
    pub(super) marker: Option<Marker>,
    pub(super) passage: &'a Passage,
}

impl Unit<'_> {
    pub(super) fn body<'d>(&self, doc: &'d Document) -> &'d str {
        doc.text.get(self.body..self.end).unwrap_or("")
    }
}

pub(super) static RE_INLINE_NUM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\s)\(?(\d{1,2})[.)]\s+[A-Z“\x22‘]").unwrap());
pub(super) static RE_LINE_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\n[ \t]*").unwrap());

/// Segmenter markers that are lead-ins or labels rather than list markers.
pub(super) static RE_LEAD_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:we\s+will|byddwn\s+yn|objective|priority|amcan|blaenoriaeth)\b").unwrap()
});

/// Cut passages into units at list markers.
pub(super) fn units_of<'a>(doc: &Document, run: &[&'a Passage]) -> Vec<Unit<'a>> {
    let mut out = Vec::new();
    for &p in run {
        let Some(text) = doc.text.get(p.start..p.end) else {
            continue;
        };
        // Cut points: (offset in text, marker, marker length).
        let mut cuts: Vec<(usize, Option<Marker>, usize)> = Vec::new();
        let lead = text.len() - text.trim_start().len();
        let own = match &p.marker {
            // "We will:" and "Objective 2:" are lead-ins and labels, not list
            // markers: they stay in the text for the family rules to read.
            Some(m) if RE_LEAD_MARKER.is_match(m.trim()) => None,
            Some(m) => {
                let mk = parse_marker(&format!("{} X", m.trim())).map(|(k, _)| k);
                let t = &text[lead..];
                let len = if t.starts_with(m.trim()) {
                    let after = &t[m.trim().len()..];
                    lead + m.trim().len() + (after.len() - after.trim_start().len())
                } else {
                    lead
                };
                Some((mk.unwrap_or(Marker::Bullet), len))
            }
            None => match parse_marker(&text[lead..]) {
                Some((k, l)) => Some((k, lead + l)),
                // A list item whose marker was not kept (a bullet glyph lost).
                None if p.kind == PassageKind::ListItem => Some((Marker::Bullet, lead)),
                None => None,
            },
        };
        match own {
            Some((k, l)) => cuts.push((0, Some(k), l)),
            None => cuts.push((0, None, lead)),
        }
        // Line-start bullets and sub-items.
        for m in RE_LINE_START.find_iter(text) {
            let at = m.end();
            if let Some((k @ (Marker::Bullet | Marker::Sub(_)), l)) = parse_marker(&text[at..]) {
                cuts.push((at, Some(k), l));
            }
        }
        // Runs of consecutive numbers, at line starts or inline.
        let mut expect: Option<u32> = match &cuts[0].1 {
            Some(Marker::Num(n)) => n.parse::<u32>().ok().map(|v| v + 1),
            _ => None,
        };
        let mut seq: Vec<(usize, usize, String)> = Vec::new();
        for c in RE_INLINE_NUM.captures_iter(text) {
            let (Some(whole), Some(num)) = (c.get(0), c.get(1)) else {
                continue;
            };
            let at = whole.start() + (whole.as_str().len() - whole.as_str().trim_start().len());
            if at == 0 {
                continue;
            }
            let Ok(v) = num.as_str().parse::<u32>() else {
                continue;
            };
            let first_ok = {
                let before = text[..at].trim_end();
                (before.ends_with([':', '.', '-', '–', '—', ';']) || text[..at].ends_with('\n'))
                    && !in_quotation(&text[..at])
            };
            let fits = match expect {
                Some(e) => v == e,
                None => v == 1 && first_ok,
            };
            if !fits {
                continue;
            }
            if let Some((_, l)) = parse_marker(&text[at..]) {
                seq.push((at, l, num.as_str().to_string()));
                expect = Some(v + 1);
            }
        }
        // A lone inline "1." is not a list.
        let own_num = matches!(cuts[0].1, Some(Marker::Num(_)));
        if own_num || seq.len() >= 2 {
            for (at, l, n) in seq {
                cuts.push((at, Some(Marker::Num(n)), l));
            }
        }
        cuts.sort_by_key(|c| c.0);
        cuts.dedup_by_key(|c| c.0);
        for (k, (at, marker, mlen)) in cuts.iter().enumerate() {
            let end = cuts.get(k + 1).map(|c| c.0).unwrap_or(text.len());
            let piece = &text[*at..end];
            let trimmed_end = at + piece.trim_end().len();
            let label_only = matches!(marker, Some(Marker::Num(_)));
            if trimmed_end <= at + mlen && !label_only {
                // A preamble with nothing in it, or an empty item.
                continue;
            }
            let body = (at + mlen).min(trimmed_end);
            out.push(Unit {
                start: p.start + at + if marker.is_none() { *mlen } else { 0 },
                end: p.start + trimmed_end,
                body: p.start + body,
                marker: marker.clone(),
                passage: p,
            });
        }
    }
    // Keep stand-alone "Recommendation 3" labels: their text follows.
    out.retain(|u| {
        u.start < u.end
            && (matches!(u.marker, Some(Marker::Num(_)))
                || !doc.text[u.body..u.end].trim().is_empty())
    });
    out
}

/// An unnumbered "Recommendation:" label opening an item's text (numbered
/// ones are markers) is not part of the recommendation.
pub(super) fn strip_label(s: &str) -> &str {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?i:recommendation|argymhelliad)\s*[:\-–—]\s*").unwrap());
    RE.find(s).map_or(s, |m| &s[m.end()..])
}

/// Whether the end of `s` is inside an open quotation (a quoted list is
/// someone else's, e.g. an inspectorate's recommendation cited by a coroner).
pub(super) fn in_quotation(s: &str) -> bool {
    let open = s.matches('“').count();
    let close = s.matches('”').count();
    open > close || s.matches('"').count() % 2 == 1
}

/// Units gathered into one item.
pub(super) struct Item<'a> {
    pub(super) ordinal: Option<String>,
    pub(super) units: Vec<Unit<'a>>,
}

impl<'a> Item<'a> {
    pub(super) fn new(ordinal: Option<String>, u: Unit<'a>) -> Self {
        Item {
            ordinal,
            units: vec![u],
        }
    }

    pub(super) fn from_units(ordinal: Option<String>, units: Vec<Unit<'a>>) -> Self {
        Item { ordinal, units }
    }

    pub(super) fn text(&self, doc: &Document) -> String {
        let mut s = String::new();
        for (k, u) in self.units.iter().enumerate() {
            let t = if k == 0 {
                strip_label(strip_md(u.body(doc))).to_string()
            } else {
                doc.text.get(u.start..u.end).unwrap_or("").to_string()
            };
            let t = collapse(strip_md(&t));
            if t.is_empty() {
                continue;
            }
            if !s.is_empty() {
                let split = !ends_sentence(&s) && starts_lower(&t);
                s.push(if split { ' ' } else { '\n' });
            }
            s.push_str(&t);
        }
        s
    }

    /// The item as a recommendation; None for a contents line, an empty
    /// item or a question (terms of reference).
    pub(super) fn found(&self, doc: &Document) -> Option<Found> {
        self.found_or_question(doc).filter(|f| {
            // A contents line ("3 Recommendations ....... 12") ends with a
            // page number; a terms-of-reference question with "?".
            let contents = RE_LEADERS.is_match(&f.text) && f.text.len() < 120;
            let question = f.text.trim_end().ends_with('?');
            !contents && !question
        })
    }

    /// The item as a recommendation, questions included (a coroner may
    /// put a concern as a question: "Would the junction be safer …?").
    pub(super) fn found_or_question(&self, doc: &Document) -> Option<Found> {
        let first = self.units.first()?;
        let last = self.units.last()?;
        let text = self.text(doc);
        if text.is_empty() || text.contains("....") {
            return None;
        }
        let page = page_at(doc, first.passage, first.start);
        Some(Found {
            ordinal: self.ordinal.clone(),
            text,
            page,
            section: first.passage.section,
            start: first.start,
            end: last.end,
            cues: Vec::new(),
            lead: None,
        })
    }
}

pub(super) fn ends_sentence(s: &str) -> bool {
    s.trim_end()
        .ends_with(['.', '!', '?', ';', ':', ')', '"', '”', '’', '\''])
}

pub(super) fn starts_lower(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_lowercase())
}

/// A unit that continues the previous item across a page break: the item
/// stopped mid-sentence, or the unit starts in lower case.
pub(super) fn page_split(doc: &Document, item: &Item, u: &Unit) -> bool {
    let Some(last) = item.units.last() else {
        return false;
    };
    let prev = doc.text.get(last.start..last.end).unwrap_or("");
    let next = strip_md(u.body(doc));
    starts_lower(next) || (!ends_sentence(prev) && !next.is_empty())
}

pub(super) static RE_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z][\w’' ]{0,30}:\s").unwrap());

/// A short unpunctuated line after a finished item: a sub-heading the
/// segmenter did not mark ("Glanmor Police" over that agency's items).
pub(super) fn looks_like_label(text: &str) -> bool {
    let t = strip_md(text);
    t.split_whitespace().count() <= 8
        && !t.ends_with(['.', ';', ':', '!', '?', ','])
        && t.chars().next().is_some_and(|c| c.is_uppercase())
}

/// The panel, chair or author speaking: an intro or a closing remark.
pub(super) static RE_PANEL_VOICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:The\s+(?:review\s+)?panel|The\s+(?:independent\s+)?chair|The\s+author|We\s+would\s+like|Finally)\b").unwrap()
});

/// A paragraph that opens something new rather than continuing an item:
/// a lead-in ("… as follows:"), a "Label: …" paragraph ("Learning point 2: …"),
/// one that talks about recommendations ("The panel also recommends …"), or
/// the panel speaking ("The panel thanks …").
pub(super) fn looks_like_intro(text: &str) -> bool {
    let t = strip_md(text);
    t.ends_with(':')
        || RE_LABEL.is_match(t)
        || RE_REC_HEAD.is_match(t)
        || RE_PANEL_VOICE.is_match(t)
}

/// Whether the numbered paragraph `n` stands outside the list that follows
/// it: the next number starts a list ("1") or is of another form ("9.1"
/// before "Recommendation 1"). "3. Glanmor Police to review the following:"
/// before "4." is an item of the list.
pub(super) fn opens_list(n: &str, rest: &[Unit]) -> bool {
    let next = rest.iter().find_map(|u| match &u.marker {
        Some(Marker::Num(m)) => Some(m.as_str()),
        _ => None,
    });
    match next {
        None => true,
        Some(m) => {
            m == "1"
                || m.trim_start_matches(|c: char| !c.is_ascii_digit()) == "1"
                || n.contains('.') != m.contains('.')
        }
    }
}

/// A paragraph that introduces recommendations rather than making one: its
/// first sentence talks about recommendations or actions ("The panel makes
/// six recommendations.", "… identified the following actions:") or is the
/// panel speaking, and directs nobody ("should", "recommends that").
pub(super) fn is_preamble(text: &str) -> bool {
    let t = strip_md(text).trim();
    let first = first_sentence(t).trim_end();
    if RE_DIRECTIVE.is_match(first) {
        return false;
    }
    static RE_ABOUT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\brecommendations?\b|\bthe\s+following\b|\bactions\s+(?:for|are)\b|\bargymhellion\b|\bcanlynol\b")
            .unwrap()
    });
    RE_ABOUT.is_match(first) || RE_PANEL_VOICE.is_match(first) || first.ends_with(':')
}

/// Sentence starts inside `text` (byte offsets): 0 and after end punctuation
/// followed by a capital.
pub(super) fn sentence_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(later_starts(text)).collect()
}

/// The first sentence of `text` (all of it when it is one sentence).
pub(super) fn first_sentence(text: &str) -> &str {
    later_starts(text).next().map_or(text, |e| &text[..e])
}

/// Sentence starts after the first, in order.
fn later_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"[.!?]["”’)]*\s+["“‘]?[A-Z]"#).unwrap());
    RE.find_iter(text).map(|m| {
        let off = m
            .as_str()
            .char_indices()
            .find(|(i, c)| *i > 0 && !c.is_whitespace() && !"\"”’)".contains(*c))
            .map(|(i, _)| i)
            .unwrap_or(0);
        m.start() + off
    })
}

/// The page `start` (a byte offset inside passage `p`) stands on: never
/// before the passage's own page.
pub(super) fn page_at(doc: &Document, p: &Passage, start: usize) -> u32 {
    if doc.page_starts.is_empty() {
        p.page
    } else {
        doc.page_at(start).max(p.page)
    }
}

/// Cut a unit's body at `cuts` (offsets into `text`), one Found per piece.
pub(super) fn pieces(
    doc: &Document,
    u: &Unit,
    text: &str,
    cuts: &[usize],
    ordinal: Option<String>,
) -> Vec<Found> {
    let mut out = Vec::new();
    for (k, &c) in cuts.iter().enumerate() {
        let end = cuts.get(k + 1).copied().unwrap_or(text.len());
        let piece = &text[c..end];
        let trimmed = piece.trim_end();
        if trimmed.is_empty() {
            continue;
        }
        let start = u.body + c;
        let sub = Unit {
            start: if k == 0 && cuts.len() == 1 && c == 0 {
                u.start
            } else {
                start
            },
            end: start + trimmed.len(),
            body: start,
            marker: None,
            passage: u.passage,
        };
        if let Some(f) = Item::new(ordinal.clone(), sub).found(doc) {
            out.push(f);
        }
    }
    out
}
