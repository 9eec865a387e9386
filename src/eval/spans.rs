//! The span reference: a `truth.jsonl` from an external extraction (the
//! format of `../shared/pfd-reports/README`), one line per document, giving
//! where its matters of concern lie in the source file and who it was sent
//! to. Scored by words, so that the figures hold whatever a "recommendation"
//! is cut into:
//!
//! - **concern recall**: the share of the concerns' words (from
//!   `concerns_body_start`, after any standard opening, to `concerns_end`)
//!   that lie inside a found recommendation;
//! - **spurious**: the share of found recommendations whose words lie mostly
//!   (more than half) outside the concerns: a heading, the statutory
//!   boilerplate, the circumstances of the death;
//! - **documents with none**: documents with concerns but no recommendation;
//! - **addressee recall**: the share of the named recipients
//!   (`receivers`) that some found recommendation of the document is
//!   addressed to ([`names_match`]);
//! - **titles** that name the person who died (the name taken from the
//!   report's address, `url`) without swallowing the header block, and
//!   **areas** equal to the reference's.
//!
//! The found recommendations' spans are byte offsets into the document's
//! body text, which differs from the source file (page furniture removed,
//! whitespace tidied). Both are cut into words and aligned with a diff, so a
//! body word maps to the file word it came from.

use super::{normalise, ratio};
use crate::model::ProcessedDoc;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One line of a `truth.jsonl`. Offsets are in code points of the source
/// file read as UTF-8 with its line endings kept. Other fields of the line
/// are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct TruthRow {
    /// The document's file, relative to the reference's `docs/` folder.
    pub file: String,
    /// Document kind, when the reference gives it (else ystorfa's own).
    #[serde(default)]
    pub kind: Option<String>,
    pub concerns_start: usize,
    pub concerns_end: usize,
    /// Where the coroner's own concerns begin, after a standard opening.
    #[serde(default)]
    pub concerns_body_start: Option<usize>,
    /// The named recipients, as written.
    #[serde(default)]
    pub receivers: Vec<String>,
    #[serde(default)]
    pub area: Option<String>,
    /// The report's web address; its last part names the person who died.
    #[serde(default)]
    pub url: Option<String>,
}

/// Figures for one document.
#[derive(Debug, Clone, Serialize)]
pub struct SpanDocEval {
    pub file: String,
    pub kind: String,
    pub concern_words: usize,
    pub covered_words: usize,
    pub found: usize,
    pub spurious: usize,
    /// First words of each spurious recommendation.
    pub spurious_texts: Vec<String>,
    /// First words of each stretch of concerns (five words or more) that no
    /// recommendation covers.
    pub missed_texts: Vec<String>,
    pub receivers: usize,
    pub receivers_found: usize,
    pub missed_receivers: Vec<String>,
    pub title: String,
    /// Whether the title names the person who died and stays short (None
    /// when the reference gives no name).
    pub title_ok: Option<bool>,
    pub area: Option<String>,
    pub expected_area: Option<String>,
    /// Whether the area matches the reference's (None when it has none).
    pub area_ok: Option<bool>,
}

/// Figures over a set of documents.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SpanFigures {
    pub documents: usize,
    pub concern_words: usize,
    pub covered_words: usize,
    pub concern_recall: f64,
    pub found: usize,
    pub spurious: usize,
    pub spurious_share: f64,
    pub without_recommendations: usize,
    pub without_share: f64,
    pub receivers: usize,
    pub receivers_found: usize,
    pub addressee_recall: f64,
    pub titles_judged: usize,
    pub titles_ok: usize,
    pub areas_judged: usize,
    pub areas_ok: usize,
}

/// The whole span evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct SpanReport {
    pub documents: Vec<SpanDocEval>,
    pub all: SpanFigures,
    pub by_kind: BTreeMap<String, SpanFigures>,
}

/// Compare one processed document with its reference row. `source` is the
/// source file's text.
pub fn evaluate_doc(row: &TruthRow, source: &str, doc: &ProcessedDoc) -> SpanDocEval {
    let file_words = words(source);
    let body_words = words(&doc.document.text);
    let to_file = align(source, &file_words, &doc.document.text, &body_words);
    let bytes = CharToByte::new(source);
    let body_start = bytes.at(row.concerns_body_start.unwrap_or(row.concerns_start));
    let concerns_end = bytes.at(row.concerns_end);
    let in_concerns: Vec<bool> = file_words
        .iter()
        .map(|w| w.0 >= body_start && w.0 < concerns_end)
        .collect();
    let mut covered = vec![false; file_words.len()];
    let mut spurious_texts = Vec::new();
    for r in &doc.recommendations {
        let (mut inside, mut n) = (0usize, 0usize);
        for (bi, w) in body_words.iter().enumerate() {
            if w.0 < r.start || w.0 >= r.end {
                continue;
            }
            n += 1;
            if let Some(fi) = to_file[bi] {
                covered[fi] = true;
                inside += usize::from(in_concerns[fi]);
            }
        }
        if inside * 2 <= n {
            spurious_texts.push(first_words(&r.text, 12));
        }
    }
    let concern_words = in_concerns.iter().filter(|&&c| c).count();
    let covered_words = (0..file_words.len())
        .filter(|&i| in_concerns[i] && covered[i])
        .count();
    let missed_texts = missed_stretches(source, &file_words, &in_concerns, &covered);
    let found_names: Vec<&str> = doc
        .recommendations
        .iter()
        .flat_map(|r| r.addressees.iter())
        .flat_map(|a| [a.name.as_str(), a.canonical.as_str()])
        .collect();
    let missed_receivers: Vec<String> = row
        .receivers
        .iter()
        .filter(|rcv| !found_names.iter().any(|n| names_match(rcv, n)))
        .cloned()
        .collect();
    let d = &doc.document;
    let person = row.url.as_deref().and_then(person_from_url);
    let expected_area = row.area.clone();
    SpanDocEval {
        file: row.file.clone(),
        kind: row
            .kind
            .clone()
            .unwrap_or_else(|| d.kind.as_str().to_string()),
        concern_words,
        covered_words,
        found: doc.recommendations.len(),
        spurious: spurious_texts.len(),
        spurious_texts,
        missed_texts,
        receivers: row.receivers.len(),
        receivers_found: row.receivers.len() - missed_receivers.len(),
        missed_receivers,
        title: d.title.clone(),
        title_ok: person.map(|p| title_names(&d.title, &p)),
        area: d.area.clone(),
        area_ok: expected_area
            .as_deref()
            .map(|e| d.area.as_deref().is_some_and(|a| area_matches(a, e))),
        expected_area,
    }
}

/// Aggregate per-document evaluations, overall and by kind.
pub fn report(documents: Vec<SpanDocEval>) -> SpanReport {
    let all = figures(documents.iter());
    let mut kinds: Vec<&str> = documents.iter().map(|d| d.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let by_kind = kinds
        .into_iter()
        .map(|k| {
            let f = figures(documents.iter().filter(|d| d.kind == k));
            (k.to_string(), f)
        })
        .collect();
    SpanReport {
        documents,
        all,
        by_kind,
    }
}

fn figures<'a>(docs: impl Iterator<Item = &'a SpanDocEval>) -> SpanFigures {
    let mut f = SpanFigures::default();
    for d in docs {
        f.documents += 1;
        f.concern_words += d.concern_words;
        f.covered_words += d.covered_words;
        f.found += d.found;
        f.spurious += d.spurious;
        f.without_recommendations += usize::from(d.found == 0 && d.concern_words > 0);
        f.receivers += d.receivers;
        f.receivers_found += d.receivers_found;
        if let Some(ok) = d.title_ok {
            f.titles_judged += 1;
            f.titles_ok += usize::from(ok);
        }
        if let Some(ok) = d.area_ok {
            f.areas_judged += 1;
            f.areas_ok += usize::from(ok);
        }
    }
    f.concern_recall = ratio(f.covered_words, f.concern_words);
    f.spurious_share = 1.0 - ratio(f.found - f.spurious, f.found);
    f.without_share = 1.0 - ratio(f.documents - f.without_recommendations, f.documents);
    f.addressee_recall = ratio(f.receivers_found, f.receivers);
    f
}

// ---------------------------------------------------------------------------
// Words and their alignment

/// Words (runs of letters and digits) as byte spans.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// For each body word, the file word it came from (by a word diff).
fn align(
    file: &str,
    file_words: &[(usize, usize)],
    body: &str,
    body_words: &[(usize, usize)],
) -> Vec<Option<usize>> {
    let key = |t: &str, w: &(usize, usize)| t[w.0..w.1].to_lowercase();
    let a: Vec<String> = body_words.iter().map(|w| key(body, w)).collect();
    let b: Vec<String> = file_words.iter().map(|w| key(file, w)).collect();
    let mut map = vec![None; a.len()];
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &a, &b) {
        if let similar::DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for k in 0..len {
                map[old_index + k] = Some(new_index + k);
            }
        }
    }
    map
}

/// Code-point offsets to byte offsets.
struct CharToByte(Vec<usize>);

impl CharToByte {
    fn new(s: &str) -> Self {
        let mut v: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
        v.push(s.len());
        CharToByte(v)
    }

    fn at(&self, chars: usize) -> usize {
        self.0
            .get(chars)
            .copied()
            .unwrap_or_else(|| *self.0.last().unwrap_or(&0))
    }
}

/// Stretches of at least five concern words that nothing covers.
fn missed_stretches(
    source: &str,
    file_words: &[(usize, usize)],
    in_concerns: &[bool],
    covered: &[bool],
) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < file_words.len() {
        if !in_concerns[i] || covered[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < file_words.len() && in_concerns[i] && !covered[i] {
            i += 1;
        }
        if i - start >= 5 {
            let end = file_words[(start + 11).min(i - 1)].1;
            out.push(collapse(&source[file_words[start].0..end]));
        }
    }
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_words(s: &str, n: usize) -> String {
    s.split_whitespace().take(n).collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------
// Names, titles and areas

/// Words that say nothing about which body is meant.
const FILLER: &[&str] = &[
    "the",
    "of",
    "and",
    "for",
    "to",
    "in",
    "at",
    "on",
    "a",
    "an",
    "rt",
    "hon",
    "mp",
    "chief",
    "executive",
    "officer",
    "chair",
    "director",
    "redacted",
];

/// Whether a recipient as the reference writes it ("The Rt Hon Grant
/// Shapps MP, Secretary of State for Transport") and a found name
/// ("Secretary of State for Transport") are the same body: after
/// normalising, the shorter's words occur in order, together, in the
/// longer, and at least one of them says something (not "the", "chief").
pub fn names_match(receiver: &str, found: &str) -> bool {
    let a = normalise(receiver);
    let b = normalise(found);
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let sw: Vec<&str> = short.split(' ').filter(|w| *w != "the").collect();
    if sw.is_empty() || sw.iter().all(|w| FILLER.contains(w)) {
        return false;
    }
    let lw: Vec<&str> = long.split(' ').filter(|w| *w != "the").collect();
    lw.windows(sw.len()).any(|win| win == sw.as_slice())
}

/// The person's name from a report's address
/// (".../billy-warwick-jones-prevention-of-future-deaths-report/").
fn person_from_url(url: &str) -> Option<Vec<String>> {
    let slug = url.trim_end_matches('/').rsplit('/').next()?;
    let cut = slug.find("-prevention-of-future-death")?;
    let name: Vec<String> = slug[..cut]
        .split('-')
        .filter(|w| w.len() > 1 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect();
    (!name.is_empty()).then_some(name)
}

/// A title names the person when it holds the last word of their name (a
/// surname), and stays a title: at most 30 words, none of the header
/// block's labels ("Reference:", "Date of report:", "Sent to:").
fn title_names(title: &str, person: &[String]) -> bool {
    let t: String = title
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .to_lowercase();
    let tw: Vec<&str> = t.split_whitespace().collect();
    let header = ["reference", "sent to", "date of report", "coroner area"];
    let lower = title.to_lowercase();
    if tw.len() > 30 || header.iter().any(|h| lower.contains(&format!("{h}:"))) {
        return false;
    }
    person
        .last()
        .is_some_and(|surname| tw.contains(&surname.to_lowercase().as_str()))
}

/// Areas match when one's words contain the other's ("London Inner
/// South" and "Inner South London" do not: the reference's spelling is one
/// of many, so this errs on the strict side).
fn area_matches(found: &str, expected: &str) -> bool {
    names_match(expected, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_by_words_in_order() {
        assert!(names_match(
            "The Rt Hon Grant Shapps MP, Secretary of State for Transport",
            "Secretary of State for Transport"
        ));
        assert!(names_match(
            "[REDACTED] Chief Executive of NHS England",
            "NHS England"
        ));
        assert!(names_match("GP", "GP"));
        assert!(!names_match(
            "Chief Executive",
            "Chief Executive of NHS England"
        ));
        assert!(!names_match("Kent Police", "Essex Police"));
        assert!(!names_match("The", "The Home Office"));
    }

    #[test]
    fn person_and_title() {
        let p = person_from_url(
            "https://www.judiciary.uk/prevention-of-future-death-reports/billy-warwick-jones-prevention-of-future-deaths-report/",
        )
        .unwrap();
        assert_eq!(p, ["billy", "warwick", "jones"]);
        assert!(title_names(
            "Prevention of Future Deaths report: Billy Warwick-Jones",
            &p
        ));
        assert!(!title_names(
            "REGULATION 28: REPORT TO PREVENT FUTURE DEATHS Reference: 2021-0305 Billy Warwick-Jones",
            &p
        ));
        assert!(!title_names(
            "Regulation 28: Report to Prevent Future Deaths",
            &p
        ));
    }

    #[test]
    fn words_align_across_removed_furniture() {
        let file = "Page 1 of 2\nThe council should act.\nPage 2 of 2\nNow.";
        let body = "The council should act.\nNow.";
        let fw = words(file);
        let bw = words(body);
        let m = align(file, &fw, body, &bw);
        assert_eq!(m.len(), bw.len());
        // "The" is the 5th file word (Page 1 of 2 The ...).
        assert_eq!(m[0], Some(4));
        assert!(m.iter().all(Option::is_some));
    }

    #[test]
    fn code_points_to_bytes() {
        let c = CharToByte::new("a’b");
        assert_eq!(c.at(0), 0);
        assert_eq!(c.at(2), 4);
        assert_eq!(c.at(3), 5);
        assert_eq!(c.at(99), 5);
    }
}
