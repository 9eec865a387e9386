//! Heading detection and section classification.
//!
//! A unit of text (a block, or a line split off a block) is a heading when it
//! passes the *shape* test and at least one *cue* fires. The rules, in order:
//!
//! - **Shape**: 1–12 words, at most 120 characters, at least one letter; no
//!   final `.` `,` `;`; no sentence break inside; not a contents line
//!   ("Introduction ..... 3"); a final `:` only for very short headings
//!   ("We will:") or styled/Markdown ones.
//! - **Markdown**: a `#`…`######` line (Markdown sources). Always a heading.
//! - **Numbered**: `1`, `1.`, `2.3`, `2.3.1`, `Section 4`, `Part 2`,
//!   `Appendix A`, `Annex 1` (and Welsh `Rhan`, `Adran`, `Atodiad`) followed by a
//!   title-like rest with no finite/modal verb ("should", "was", ...), so that
//!   numbered paragraphs and numbered recommendations stay passages.
//! - **Large**: every line's font size is clearly above the body median.
//! - **Bold**: every line is bold while the body text is not.
//! - **Caps**: letters are (almost) all upper case.
//! - **Title**: (unstyled sources only) short, starts upper case, most long
//!   words capitalised or a section keyword, no verb cue.
//!
//! Levels come from the numbering depth, the `#` count, or the font-size rank;
//! see [`assign_levels`]. Which [`SectionKind`] a heading names is data:
//! the [`Anatomy`] compiled from the rule file.

use super::anatomy::Anatomy;
use crate::model::SectionKind;
use regex::Regex;
use std::sync::LazyLock;

/// Font facts about the body text of a document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BodyStyle {
    /// Character-weighted median font size of the lines (0 when unknown).
    pub median_size: f32,
    /// True when the extractor gave font information at all.
    pub styled: bool,
    /// True when most body text is bold (then bold is no cue).
    pub bold_body: bool,
}

impl BodyStyle {
    /// True when `size` is clearly larger than body text.
    pub fn is_large(&self, size: f32) -> bool {
        self.styled && self.median_size > 0.0 && size >= self.median_size * 1.15 + 0.01
    }
}

/// Style summary of the lines of one unit.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct UnitStyle {
    /// Smallest font size of the unit's lines.
    pub min_size: f32,
    /// Every line bold.
    pub all_bold: bool,
}

/// Which rule made a unit a heading (decides the level).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cue {
    /// `#` count.
    Markdown(u8),
    /// Numbering depth.
    Numbered(u8),
    /// Font size of the heading.
    Large(f32),
    Bold,
    Caps,
    Title,
}

/// A detected heading.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Heading {
    pub cue: Cue,
    /// "5.3", "Appendix A".
    pub number: Option<String>,
}

static MD_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(#{1,6})\s+(.*?)\s*#*\s*$").expect("static regex"));

/// Numbering at the start of a heading: group 1 is the number as written.
static NUMBERING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^((?i:section|part|chapter|appendix|annex|annexe|schedule|rhan|adran|atodiad|pennod)\s+(?:[0-9]{1,3}|[A-Z]|[IVXivx]{1,5})\b|[0-9]{1,2}(?:\.[0-9]{1,3}){0,3}\b)\.?[:\s]\s*(\S.*)$",
    )
    .expect("static regex")
});

/// "Introduction ....... 3", "Executive Summary<TAB>Page 4".
static CONTENTS_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:\.{3,}|…{2,}|\t)\s*(?:(?i:page|tudalen)\s*)?[0-9ivxlc]+\s*$|(?i:\bpage\s+[0-9]+)\s*$",
    )
    .expect("static regex")
});

/// Words that make a short line read as a sentence rather than a title.
const VERB_CUES: &[&str] = &[
    "should",
    "must",
    "will",
    "would",
    "shall",
    "could",
    "may",
    "was",
    "were",
    "is",
    "are",
    "has",
    "had",
    "have",
    "did",
    "does",
    "recommends",
    "recommended",
    "ensure",
];

/// Markdown `#` heading: (`#` count, heading text).
pub(crate) fn markdown_heading(line: &str) -> Option<(u8, &str)> {
    let c = MD_HEADING.captures(line.trim())?;
    let hashes = c.get(1)?.as_str().len() as u8;
    let text = c.get(2)?.as_str();
    if text.is_empty() {
        return None;
    }
    Some((hashes, text))
}

/// A contents-page line ("Introduction ....... 3").
pub(crate) fn is_contents_line(text: &str) -> bool {
    CONTENTS_LINE.is_match(text)
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

fn letters(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|c| c.is_alphabetic())
}

/// Text stripped of trailing closing quotes/brackets/spaces.
fn trim_end_closers(text: &str) -> &str {
    text.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '’' | '”' | ')' | ']' | '*' | '_')
    })
}

/// The shape rule: short, letters, no final sentence punctuation.
fn has_heading_shape(text: &str, allow_colon: bool) -> bool {
    let w = words(text);
    if w.is_empty() || w.len() > 12 || text.chars().count() > 120 {
        return false;
    }
    if letters(text).count() < 2 || is_contents_line(text) || is_address(text) {
        return false;
    }
    let t = trim_end_closers(text);
    match t.chars().last() {
        Some('.' | ',' | ';' | '…') => return false,
        Some(':') if !allow_colon && w.len() > 3 => return false,
        _ => {}
    }
    // A sentence break inside ("Done. Next") reads as running text; the dot
    // of a leading number ("2. Terms of Reference") is no sentence break.
    let inner = split_number(t).map_or(t, |(_, rest)| rest);
    !inner.contains(". ") || w.len() <= 3
}

/// A web or e-mail address (a footnote's, a contact line's).
fn is_address(text: &str) -> bool {
    text.contains("://") || text.contains("www.") || text.contains('@')
}

fn starts_upper_or_digit(text: &str) -> bool {
    text.trim_start_matches(['"', '\'', '‘', '“', '('])
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

fn has_verb_cue(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| VERB_CUES.iter().any(|v| w.eq_ignore_ascii_case(v)))
}

/// No verb cue, or the verb is the heading's keyword ("We will:", "What we will do").
fn verb_ok(text: &str, anatomy: &Anatomy) -> bool {
    !has_verb_cue(text) || anatomy.classify(text) == Some(SectionKind::Commitments)
}

/// Title-like: most words longer than three letters are capitalised.
fn is_title_like(text: &str, anatomy: &Anatomy) -> bool {
    if anatomy.classify(text).is_some() {
        return true;
    }
    let long: Vec<&str> = words(text)
        .into_iter()
        .filter(|w| letters(w).count() > 3)
        .collect();
    if long.is_empty() {
        return starts_upper_or_digit(text);
    }
    let caps = long
        .iter()
        .filter(|w| letters(w).next().is_some_and(|c| c.is_uppercase()))
        .count();
    caps * 2 >= long.len()
}

/// A clause that introduces what follows ("During the inquest, evidence
/// showed:-"): a comma followed by a lower-case word, or a final ":-".
fn reads_as_lead_in(text: &str) -> bool {
    let t = text.trim_end();
    t.ends_with(":-")
        || t.ends_with(":–")
        || t.split(", ")
            .skip(1)
            .any(|rest| rest.starts_with(char::is_lowercase))
}

/// Almost all letters upper case (and enough of them to tell).
pub(crate) fn is_all_caps(text: &str) -> bool {
    let (mut up, mut all) = (0usize, 0usize);
    for c in letters(text) {
        all += 1;
        if c.is_uppercase() {
            up += 1;
        }
    }
    all >= 3 && up * 10 >= all * 9
}

/// Split a heading's numbering off: ("5.3", "Health Board").
pub(crate) fn split_number(text: &str) -> Option<(String, &str)> {
    let c = NUMBERING.captures(text)?;
    let number = c.get(1)?.as_str();
    let rest = c.get(2)?.as_str();
    // "2019 – 2024" and "33,000" are not numbering: the regex caps at two
    // digits; reject a rest that starts with punctuation.
    if !rest
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '(' || c == '"' || c == '‘')
    {
        return None;
    }
    Some((number.to_string(), rest))
}

/// Depth of a numbering: "5" → 1, "5.3" → 2, "Appendix A" → 1.
fn number_depth(number: &str) -> u8 {
    if number.starts_with(|c: char| c.is_ascii_digit()) {
        (number
            .split('.')
            .filter(|p| !p.is_empty())
            .count()
            .clamp(1, 6)) as u8
    } else {
        1
    }
}

/// Decide whether a unit's text is a heading.
///
/// `markdown_level` is the `#` count when the unit is a Markdown heading line.
pub(crate) fn detect(
    text: &str,
    style: UnitStyle,
    body: &BodyStyle,
    markdown_level: Option<u8>,
    anatomy: &Anatomy,
) -> Option<Heading> {
    let number = split_number(text);
    if let Some(level) = markdown_level {
        return Some(Heading {
            cue: Cue::Markdown(level),
            number: number.map(|(n, _)| n),
        });
    }
    let large = body.is_large(style.min_size);
    let bold = body.styled && style.all_bold && !body.bold_body;
    let styled = large || bold;
    // A heading of a fixed form ("6 ACTION SHOULD BE TAKEN", "THIS REPORT
    // IS BEING SENT TO:") is one whatever its verbs.
    let known = text.len() <= 120 && anatomy.is_known_heading(text);
    if !has_heading_shape(text, styled || known) {
        return None;
    }
    if let Some((num, rest)) = &number {
        let rest_ok = known || (verb_ok(rest, anatomy) && (styled || is_title_like(rest, anatomy)));
        if rest_ok {
            return Some(Heading {
                cue: Cue::Numbered(number_depth(num)),
                number: Some(num.clone()),
            });
        }
        if !styled {
            return None;
        }
    }
    if !starts_upper_or_digit(text) {
        return None;
    }
    let number = number.map(|(n, _)| n);
    if large {
        return Some(Heading {
            cue: Cue::Large(style.min_size),
            number,
        });
    }
    if bold {
        return Some(Heading {
            cue: Cue::Bold,
            number,
        });
    }
    if is_all_caps(text) || known {
        return Some(Heading {
            cue: Cue::Caps,
            number,
        });
    }
    if !body.styled
        && words(text).len() <= 8
        && verb_ok(text, anatomy)
        && is_title_like(text, anatomy)
        && !reads_as_lead_in(text)
    {
        return Some(Heading {
            cue: Cue::Title,
            number,
        });
    }
    None
}

/// Give each heading a level (1 = top).
///
/// Markdown: `#` count relative to the shallowest one; numbered: depth;
/// large: rank of its font size among the heading sizes (largest = 1);
/// bold, caps and title-only headings: one below the smallest large size
/// and the deepest Markdown level (level 1 in plain unstyled documents).
pub(crate) fn assign_levels(cues: &[&Cue]) -> Vec<u8> {
    let min_md = cues
        .iter()
        .filter_map(|c| match c {
            Cue::Markdown(n) => Some(*n),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let mut sizes: Vec<f32> = cues
        .iter()
        .filter_map(|c| match c {
            Cue::Large(s) => Some((s * 2.0).round() / 2.0),
            _ => None,
        })
        .collect();
    sizes.sort_by(|a, b| b.total_cmp(a));
    sizes.dedup();
    let max_md = cues
        .iter()
        .filter_map(|c| match c {
            Cue::Markdown(n) => Some(n.saturating_sub(min_md) + 1),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let plain = (sizes.len() as u8).max(max_md).saturating_add(1).min(6);
    cues.iter()
        .map(|c| match c {
            Cue::Markdown(n) => n.saturating_sub(min_md).saturating_add(1),
            Cue::Numbered(d) => *d,
            Cue::Large(s) => {
                let r = (s * 2.0).round() / 2.0;
                sizes.iter().position(|x| *x == r).unwrap_or(0) as u8 + 1
            }
            Cue::Bold | Cue::Caps | Cue::Title => plain,
        })
        .map(|l| l.clamp(1, 6))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    static ANATOMY: std::sync::LazyLock<Anatomy> =
        std::sync::LazyLock::new(|| crate::rules::RuleSet::default_rules().anatomy().clone());

    const PLAIN: BodyStyle = BodyStyle {
        median_size: 0.0,
        styled: false,
        bold_body: false,
    };

    fn is_heading(t: &str) -> bool {
        detect(t, UnitStyle::default(), &PLAIN, None, &ANATOMY).is_some()
    }

    #[test]
    fn numbered_headings_vs_paragraphs_and_recommendations() {
        assert!(is_heading("5 Analysis"));
        assert!(is_heading("5.3 Health Board"));
        assert!(is_heading("2.3.1 Contact with the GP"));
        assert!(is_heading("Section 4 Agency Involvement"));
        assert!(is_heading("Appendix A Glossary"));
        assert!(!is_heading(
            "6.1.3 The GP saw Ms A on 3 March and noted a bruise on her arm."
        ));
        assert!(!is_heading(
            "1. The police should review their DASH training"
        ));
        assert!(!is_heading("2. Training for staff on coercive control"));
        assert!(!is_heading("1  defining and monitoring the problem"));
        assert!(!is_heading("2019 – 2024"));
        // The number's dot is no sentence break.
        assert!(is_heading("2. Terms of Reference"));
        assert!(!is_heading("2. Done. The next part"));
        assert!(!is_heading("303.5 million annually"));
    }

    #[test]
    fn numbers_and_depths() {
        assert_eq!(
            split_number("5.3 Health Board").map(|x| x.0),
            Some("5.3".into())
        );
        assert_eq!(
            split_number("1. Introduction").map(|x| x.0),
            Some("1".into())
        );
        assert_eq!(
            split_number("Appendix A: Glossary").map(|x| x.0),
            Some("Appendix A".into())
        );
        assert_eq!(number_depth("2.3.1"), 3);
        assert_eq!(number_depth("Part 2"), 1);
    }

    #[test]
    fn caps_and_title_headings() {
        assert!(is_heading("CORONER'S CONCERNS"));
        assert!(is_heading("Values and principles"));
        assert!(is_heading("We will:"));
        assert!(is_heading("What we will do"));
        assert!(!is_heading("The conclusion was:"));
        assert!(!is_heading(
            "The strategy focuses on four key priority areas for action:"
        ));
        assert!(!is_heading("domestic abuse incidents"));
        assert!(!is_heading("Introduction ........ 3"));
        assert!(!is_heading("She left. He stayed"));
    }

    #[test]
    fn styled_headings() {
        let body = BodyStyle {
            median_size: 11.0,
            styled: true,
            bold_body: false,
        };
        let big = UnitStyle {
            min_size: 16.0,
            all_bold: false,
        };
        let bold = UnitStyle {
            min_size: 11.0,
            all_bold: true,
        };
        let plain = UnitStyle {
            min_size: 11.0,
            all_bold: false,
        };
        assert_eq!(
            detect("Background", big, &body, None, &ANATOMY).map(|h| h.cue),
            Some(Cue::Large(16.0))
        );
        assert_eq!(
            detect("Background", bold, &body, None, &ANATOMY).map(|h| h.cue),
            Some(Cue::Bold)
        );
        // Title-only rule is for unstyled sources.
        assert_eq!(
            detect("Values and principles", plain, &body, None, &ANATOMY),
            None
        );
        assert!(detect("A bold sentence that ends.", bold, &body, None, &ANATOMY).is_none());
        // A numbered styled heading with a colon inside (fictional wording).
        assert!(
            detect(
                "9. Improving Practice: Recommendations",
                bold,
                &body,
                None,
                &ANATOMY
            )
            .is_some()
        );
        assert!(
            detect(
                "5. Chronology: Brief Outline of Events",
                big,
                &body,
                None,
                &ANATOMY
            )
            .is_some()
        );
    }

    #[test]
    fn levels() {
        let cues = [
            Cue::Large(18.0),
            Cue::Large(14.0),
            Cue::Bold,
            Cue::Numbered(2),
            Cue::Markdown(2),
            Cue::Markdown(3),
        ];
        let refs: Vec<&Cue> = cues.iter().collect();
        assert_eq!(assign_levels(&refs), vec![1, 2, 3, 2, 1, 2]);
        let md = [Cue::Markdown(2), Cue::Title, Cue::Markdown(4)];
        let refs: Vec<&Cue> = md.iter().collect();
        assert_eq!(assign_levels(&refs), vec![1, 4, 3]);
    }

    #[test]
    fn kinds_english_and_welsh() {
        use SectionKind::*;
        let cases = [
            ("Executive Summary", ExecutiveSummary),
            ("Crynodeb Gweithredol", ExecutiveSummary),
            ("1 Introduction", Introduction),
            ("Cyflwyniad", Introduction),
            ("Terms of Reference", TermsOfReference),
            ("Cylch Gorchwyl", TermsOfReference),
            ("Involvement of the family", Methodology),
            ("Family background", Background),
            ("Summary of events", Chronology),
            ("3. Crynodeb o'r Achos / Summary of the Case", Chronology),
            ("CIRCUMSTANCES OF THE DEATH", Chronology),
            ("Analysis of involvement", Analysis),
            ("Key practice episodes", Analysis),
            ("Practice and organisational learning", Lessons),
            ("Conclusions", Conclusions),
            ("Casgliadau", Conclusions),
            ("Recommendations", Recommendations),
            ("Argymhellion", Recommendations),
            ("CORONER'S CONCERNS", Concerns),
            ("Action Plan", ActionPlan),
            ("Cynllun Gweithredu", ActionPlan),
            ("Glossary", Glossary),
            ("Priority Area 2: Safeguarding", Objectives),
            (
                "Objective 4: Make early intervention a priority",
                Objectives,
            ),
            ("We will:", Commitments),
            ("What we will do", Commitments),
            ("Improving Systems and Practice", Recommendations),
            ("Gwella Systemau ac Arferion", Recommendations),
            ("6 ACTION SHOULD BE TAKEN", Closing),
            ("COPIES and PUBLICATION", Closing),
            ("Statement by Reviewer(s)", Closing),
            ("Lessons to be Learnt", Lessons),
            ("Considerations for the Board", Lessons),
            ("Summary of recommendations", Recommendations),
            ("Recommendations Action Plan", ActionPlan),
        ];
        for (h, k) in cases {
            assert_eq!(ANATOMY.classify(h), Some(k), "{h}");
        }
        assert_eq!(ANATOMY.classify("5.3 Health Board"), None);
        assert_eq!(
            ANATOMY.classify("Improve the timeliness of investigations"),
            None
        );
        assert_eq!(ANATOMY.classify("CONTENTS"), Some(FrontMatter));
    }
}
