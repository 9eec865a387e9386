//! Anatomy: which headings open which kind of section, as data. The rule
//! file's `[[section]]` entries (built in: `rules/anatomy.toml`, English and
//! Welsh, for the templates ystorfa knows) are compiled here into one
//! matcher per entry; the first entry that matches a heading decides its
//! [`SectionKind`]. The segmenter asks an [`Anatomy`]; it never keeps a
//! heading vocabulary of its own.

use crate::model::SectionKind;
use regex::Regex;

/// One `[[section]]` entry: a kind and the heading phrases that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionCue {
    pub kind: SectionKind,
    /// Phrases, whole words, any letter case; `*` ends a word with any ending.
    pub headings: Vec<String>,
    /// Headings of a fixed form that read like sentences ("ACTION SHOULD BE
    /// TAKEN"): a heading whenever the line is one of them.
    pub known: bool,
}

#[derive(Debug, Clone)]
struct Compiled {
    kind: SectionKind,
    /// Any phrase, anywhere in the heading.
    any: Regex,
    /// The heading is (numbering and a final colon aside) one of the phrases.
    whole: Regex,
    known: bool,
}

/// Compiled section cues, in order.
#[derive(Debug, Clone, Default)]
pub struct Anatomy {
    entries: Vec<Compiled>,
}

/// A phrase that cannot be compiled: which entry, which phrase, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnatomyError {
    pub entry: usize,
    pub phrase: usize,
    pub message: String,
}

/// A heading phrase as a regex fragment: words separated by any space,
/// `*` at a word's end for any ending, an apostrophe optional and either
/// straight or curly ("coroner's" matches "CORONERS" and "CORONER’S").
pub fn phrase_pattern(phrase: &str) -> Result<String, String> {
    let words: Vec<&str> = phrase.split_whitespace().collect();
    if !words.iter().any(|w| w.chars().any(char::is_alphanumeric)) {
        return Err(format!("heading \"{phrase}\" has no letters or digits"));
    }
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push_str(r"\s+");
        }
        let (core, stem) = match w.strip_suffix('*') {
            Some(c) => (c, true),
            None => (*w, false),
        };
        if core.contains('*') {
            return Err(format!(
                "heading \"{phrase}\": `*` may only end a word (\"{w}\")"
            ));
        }
        for c in core.chars() {
            match c {
                '\'' | '’' => out.push_str("['’]?"),
                _ => out.push_str(&regex::escape(&c.to_lowercase().to_string())),
            }
        }
        if stem {
            out.push_str(r"\w*");
        }
    }
    Ok(out)
}

impl Anatomy {
    /// Compile the entries in order (the first match wins).
    pub fn new(cues: &[SectionCue]) -> Result<Anatomy, Vec<AnatomyError>> {
        let mut errors = Vec::new();
        let mut entries = Vec::new();
        for (ei, cue) in cues.iter().enumerate() {
            let mut alts = Vec::new();
            for (pi, p) in cue.headings.iter().enumerate() {
                match phrase_pattern(p) {
                    Ok(s) => alts.push(s),
                    Err(message) => errors.push(AnatomyError {
                        entry: ei,
                        phrase: pi,
                        message,
                    }),
                }
            }
            if alts.is_empty() {
                continue;
            }
            let alt = alts.join("|");
            let any = Regex::new(&format!(r"(?i)(?:^|\W)(?:{alt})(?:\W|$)"));
            let whole = Regex::new(&format!(r"(?i)^\W*(?:{alt})\W*$"));
            match (any, whole) {
                (Ok(any), Ok(whole)) => entries.push(Compiled {
                    kind: cue.kind,
                    any,
                    whole,
                    known: cue.known,
                }),
                (Err(e), _) | (_, Err(e)) => errors.push(AnatomyError {
                    entry: ei,
                    phrase: 0,
                    message: e.to_string(),
                }),
            }
        }
        if errors.is_empty() {
            Ok(Anatomy { entries })
        } else {
            Err(errors)
        }
    }

    /// The section kind a heading's words name, if any: "CORONER'S
    /// CONCERNS" → Concerns, "Argymhellion" → Recommendations.
    pub fn classify(&self, heading: &str) -> Option<SectionKind> {
        let h = super::headings::split_number(heading).map_or(heading, |(_, rest)| rest);
        self.entries
            .iter()
            .find(|e| e.any.is_match(h))
            .map(|e| e.kind)
    }

    /// Every kind a heading's words name, in entry order ("Key practice
    /// episodes, analysis and recommendations" → analysis, recommendations).
    pub fn kinds(&self, heading: &str) -> Vec<SectionKind> {
        let h = super::headings::split_number(heading).map_or(heading, |(_, rest)| rest);
        let mut v: Vec<SectionKind> = Vec::new();
        for e in &self.entries {
            if e.any.is_match(h) && !v.contains(&e.kind) {
                v.push(e.kind);
            }
        }
        v
    }

    /// Whether a line is a heading of a fixed form ("6 ACTION SHOULD BE
    /// TAKEN", "THIS REPORT IS BEING SENT TO:") whatever its verbs.
    pub fn is_known_heading(&self, line: &str) -> bool {
        let h = super::headings::split_number(line).map_or(line, |(_, rest)| rest);
        self.entries
            .iter()
            .filter(|e| e.known)
            .any(|e| e.whole.is_match(h.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(kind: SectionKind, hs: &[&str], known: bool) -> SectionCue {
        SectionCue {
            kind,
            headings: hs.iter().map(|s| s.to_string()).collect(),
            known,
        }
    }

    #[test]
    fn first_entry_wins_and_words_are_whole() {
        let a = Anatomy::new(&[
            cue(SectionKind::ActionPlan, &["action plan*"], false),
            cue(
                SectionKind::Recommendations,
                &["recommendation*", "argymhell*"],
                false,
            ),
            cue(SectionKind::Closing, &["action should be taken"], true),
            cue(SectionKind::Concerns, &["coroner's concerns"], true),
        ])
        .unwrap();
        assert_eq!(
            a.classify("9. Recommendations"),
            Some(SectionKind::Recommendations)
        );
        assert_eq!(
            a.classify("Recommendations Action Plan"),
            Some(SectionKind::ActionPlan)
        );
        assert_eq!(
            a.classify("Argymhellion"),
            Some(SectionKind::Recommendations)
        );
        assert_eq!(a.classify("CORONERS CONCERNS"), Some(SectionKind::Concerns));
        assert_eq!(
            a.classify("CORONER’S CONCERNS"),
            Some(SectionKind::Concerns)
        );
        assert_eq!(a.classify("Interactions"), None);
        assert_eq!(a.classify("Transactional analysis"), None);
        assert!(a.is_known_heading("6 ACTION SHOULD BE TAKEN"));
        assert!(a.is_known_heading("ACTION SHOULD BE TAKEN:"));
        assert!(
            !a.is_known_heading("In my opinion action should be taken to prevent future deaths")
        );
    }

    #[test]
    fn bad_phrases_are_reported() {
        let e = Anatomy::new(&[cue(SectionKind::Other, &["ok", "a*b", "--"], false)]).unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].entry, e[0].phrase), (0, 1));
        assert_eq!((e[1].entry, e[1].phrase), (0, 2));
    }
}
