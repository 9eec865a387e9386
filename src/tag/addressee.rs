//! Addressees: the bodies a recommendation is addressed to, by name, each
//! with where it was found. In order of precedence:
//!
//! 1. **Subject**: bodies named before the first modal verb of the
//!    recommendation's first sentence ("Glanmor Police and Aberwen
//!    University Health Board should …", "The panel recommends that the
//!    Home Office …", "That NHS England considers …").
//! 2. **Heading**: a body, or an agency category, named by a sub-heading
//!    the recommendation sits under ("Glanmor Police", "For HMP Glanmor",
//!    "GP SERVICES", "Police IMR recommendations").
//! 3. **Sent to**: for a coroner's concern with neither, every recipient of
//!    the report ("Sent to:", "THIS REPORT IS BEING SENT TO:").
//! 4. **Issuer**: for a strategy's commitment with neither, the body that
//!    issues the strategy (named on its cover).
//!
//! A body is named through the rule set's gazetteer (canonical name,
//! category, level); an agency category named without a body ("the GP
//! practice should …") is kept as written in that category; any other
//! organisation in a recipients list is kept as written in category
//! "other", never dropped.

use super::recommend::Found;
use crate::model::*;
use crate::rules::{BodyMatch, RuleSet};
use regex::Regex;
use std::sync::LazyLock;

/// What the whole document says about addressees.
#[derive(Debug, Clone, Default)]
pub struct DocAddressees {
    /// A coroner's recipients, in order.
    pub sent_to: Vec<Addressee>,
    /// The body that issues a strategy.
    pub issuer: Option<Addressee>,
}

/// The words that end a recommendation's subject: a modal or a directive verb.
static RE_MODAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:should|must|shall|ought\s+to|will|needs?\s+to|(?:is|are)\s+(?:asked|requested|invited|encouraged|recommended)\s+to|to\s+(?:review|ensure|consider|develop|provide|establish|undertake|commission|introduce|update|work|share|implement|raise|agree|produce|audit|seek|assure|strengthen|improve|lead|create|publish|monitor|set|make|carry)|considers?|reviews?|ensures?|dylai|dylid|dylent|i\s+sicrhau|i\s+adolygu)\b").unwrap()
});

/// "… recommends that", "asks", "invites": what follows is the subject.
static RE_RECOMMENDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:recommends?|recommended|recommendation\s+is|asks|invites|requests|urges|argymell(?:ir|wn)?)\s+(?:that\s+|bod\s+)?").unwrap()
});

/// The document-level addressee facts: recipients and issuer.
pub fn document_addressees(doc: &Document, rules: &RuleSet) -> DocAddressees {
    DocAddressees {
        sent_to: sent_to(doc, rules),
        issuer: (doc.kind == DocKind::Strategy)
            .then(|| issuer(doc, rules))
            .flatten(),
    }
}

/// The addressees of one found recommendation.
pub fn addressees(
    doc: &Document,
    rules: &RuleSet,
    ctx: &DocAddressees,
    f: &Found,
) -> Vec<Addressee> {
    let mut out = subject(rules, &f.text);
    if out.is_empty() {
        out = heading(doc, rules, f);
    }
    if out.is_empty() {
        let sec = doc.sections.get(f.section).map(|s| s.kind);
        if sec == Some(SectionKind::Concerns) || doc.kind == DocKind::Pfd {
            out = ctx.sent_to.clone();
        } else if doc.kind == DocKind::Strategy
            && let Some(i) = &ctx.issuer
        {
            out = vec![i.clone()];
        }
    }
    dedup(out)
}

fn addressee(m: BodyMatch, source: AddresseeSource) -> Addressee {
    Addressee {
        name: m.name,
        canonical: m.canonical,
        category: m.category,
        level: m.level,
        source,
    }
}

/// One per canonical name, first kept.
fn dedup(v: Vec<Addressee>) -> Vec<Addressee> {
    let mut out: Vec<Addressee> = Vec::with_capacity(v.len());
    for a in v {
        if !out.iter().any(|b| b.canonical == a.canonical) {
            out.push(a);
        }
    }
    out
}

/// Bodies (or agency categories) named as the subject of the first sentence.
fn subject(rules: &RuleSet, text: &str) -> Vec<Addressee> {
    let first = first_sentence(text);
    let Some(modal) = RE_MODAL.find(first) else {
        return vec![];
    };
    if modal.start() == 0 {
        // Welsh puts the verb first: "Dylai Heddlu Glanmor adolygu …".
        let after = &first[modal.end()..];
        let end = after
            .split_whitespace()
            .take(10)
            .map(|w| w.as_ptr() as usize - after.as_ptr() as usize + w.len())
            .last()
            .unwrap_or(0);
        return named_in(rules, &after[..end], AddresseeSource::Subject);
    }
    let start = RE_RECOMMENDS
        .find_iter(&first[..modal.start()])
        .last()
        .map_or(0, |m| m.end());
    let window = &first[start..modal.start()];
    if window.split_whitespace().count() > 30 {
        return vec![];
    }
    named_in(rules, window, AddresseeSource::Subject)
}

/// Bodies named in a short text; else the agency categories it names, as
/// written.
fn named_in(rules: &RuleSet, text: &str, source: AddresseeSource) -> Vec<Addressee> {
    let bodies = rules.gazetteer().find_all(text);
    if !bodies.is_empty() {
        return bodies.into_iter().map(|m| addressee(m, source)).collect();
    }
    let mut mentions = rules.agency_mentions(text);
    // Longest first where mentions overlap ("GP practice" over "GP").
    mentions.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));
    let mut last_end = 0;
    mentions.retain(|m| {
        let keep = m.0 >= last_end;
        if keep {
            last_end = m.1;
        }
        keep
    });
    let found: Vec<Addressee> = mentions
        .into_iter()
        .map(|(s, e, id)| {
            let name = tidy(&text[s..e]);
            Addressee {
                canonical: rules.agency(&id).map_or(name.clone(), |a| a.label.clone()),
                name,
                level: rules.agency(&id).map(|a| a.level),
                category: id,
                source,
            }
        })
        .collect();
    dedup(found)
}

/// The bodies named by the sub-headings the recommendation sits under,
/// innermost first: the headings of nested sections inside the section of
/// items (not the "Recommendations" heading itself), or a short heading
/// passage just before it in the same section.
fn heading(doc: &Document, rules: &RuleSet, f: &Found) -> Vec<Addressee> {
    let mut idx = Some(f.section);
    while let Some(i) = idx {
        let Some(sec) = doc.sections.get(i) else {
            break;
        };
        if rules.anatomy().classify(&sec.heading).is_some() {
            // The section's own kind heading ("Recommendations"): look for
            // an agency named in it ("Police IMR recommendations").
            let found = named_in(rules, &sec.heading, AddresseeSource::Heading);
            return found;
        }
        let found = named_in(rules, &sec.heading, AddresseeSource::Heading);
        if !found.is_empty() {
            return found;
        }
        idx = parent(doc, i);
    }
    vec![]
}

/// The innermost section that encloses section `i`.
fn parent(doc: &Document, i: usize) -> Option<usize> {
    let s = doc.sections.get(i)?;
    doc.sections[..i]
        .iter()
        .rev()
        .find(|p| p.level < s.level && p.start <= s.start && s.start < p.end.max(p.start + 1))
        .map(|p| p.index)
}

/// A coroner's recipients: the passage that opens with a recipients lead-in
/// ("Sent to: A; B") and, when the list follows it, the passages after it
/// up to the next heading. Entries are split at semicolons, line breaks and
/// list numbers.
fn sent_to(doc: &Document, rules: &RuleSet) -> Vec<Addressee> {
    let cues = rules.rec_cues();
    let mut entries: Vec<String> = Vec::new();
    let mut it = doc.passages.iter();
    for p in it.by_ref() {
        let Some(text) = doc.text.get(p.start..p.end) else {
            continue;
        };
        if let Some(rest) = cues.sent_to(text) {
            entries.extend(split_entries(rest));
            break;
        }
    }
    if entries.is_empty() {
        for p in it {
            if p.kind == PassageKind::Heading {
                break;
            }
            entries.extend(split_entries(doc.text.get(p.start..p.end).unwrap_or("")));
        }
    }
    let mut out: Vec<Addressee> = entries
        .into_iter()
        .map(|e| addressee(rules.gazetteer().resolve(&e), AddresseeSource::SentTo))
        .collect();
    // A recipient named only by a job title keeps its words ("Chief
    // Executive"); one without letters is no recipient.
    out.retain(|a| a.name.chars().any(char::is_alphabetic));
    out
}

/// Recipients' entries: split at semicolons, line breaks and list numbers
/// ("1. Kent Police 2. Kent County Council").
fn split_entries(s: &str) -> Vec<String> {
    static NUM: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|\s)\(?\d{1,2}[.)]\s+").unwrap());
    let mut out = Vec::new();
    for part in s.split([';', '\n']) {
        for piece in NUM.split(part) {
            let t = tidy(piece.trim_matches(|c: char| c.is_whitespace() || c == ',' || c == '.'));
            if !t.is_empty() {
                out.push(t);
            }
        }
    }
    out
}

/// A strategy's issuer: the first body named in its title, else on its cover.
fn issuer(doc: &Document, rules: &RuleSet) -> Option<Addressee> {
    let g = rules.gazetteer();
    let from_title = g.find_all(&doc.title).into_iter().next();
    let cover_end = doc
        .page_starts
        .get(1)
        .copied()
        .unwrap_or(doc.text.len().min(2000));
    let cover = doc.text.get(..cover_end).unwrap_or("");
    let m = from_title.or_else(|| g.find_all(cover).into_iter().next())?;
    Some(addressee(m, AddresseeSource::Issuer))
}

fn first_sentence(text: &str) -> &str {
    static END: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[.!?;]\s+[A-Z(“\x22]|\n").unwrap());
    END.find(text).map_or(text, |m| &text[..m.start() + 1])
}

fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subj(text: &str) -> Vec<String> {
        subject(&RuleSet::default_rules(), text)
            .into_iter()
            .map(|a| a.canonical)
            .collect()
    }

    #[test]
    fn the_subject_before_the_modal() {
        assert_eq!(
            subj("Glanmor Police should review its training."),
            ["Glanmor Police"]
        );
        assert_eq!(
            subj("The panel recommends that the Home Office and NHS England consider guidance."),
            ["Home Office", "NHS England"]
        );
        assert_eq!(
            subj("Glanmor Police should work with the Home Office to review guidance."),
            ["Glanmor Police"]
        );
        assert_eq!(
            subj("That the fictional GP practice should audit records."),
            ["GP and primary care"]
        );
        assert!(subj("Training should be refreshed annually.").is_empty());
        assert_eq!(
            subj("Dylai Heddlu Glanmor adolygu ei hyfforddiant."),
            ["Glanmor Police"]
        );
    }

    #[test]
    fn recipients_are_split_and_kept() {
        assert_eq!(
            split_entries(
                "The Rt Hon A Minister MP, Secretary of State for Transport; General Medical Council; GP"
            ),
            [
                "The Rt Hon A Minister MP, Secretary of State for Transport",
                "General Medical Council",
                "GP"
            ]
        );
        assert_eq!(
            split_entries("1. Fictional Glanmor Council 2. Glanmor Police"),
            ["Fictional Glanmor Council", "Glanmor Police"]
        );
    }
}
