//! Compiling the review anatomy of a rule set: every file's `[[section]]`
//! entries, in order, into the segmenter's [`Anatomy`]; the
//! `[recommendations]` tables into [`RecCues`] (labels that open learning
//! rather than a recommendation, and the fixed wording of statutory forms);
//! the `[action_plan]` tables into [`PlanCues`] (which column of an action
//! plan is which, by its header).

use super::Source;
use super::diag::Diags;
use super::schema::{self, RuleFile};
use crate::segment::{Anatomy, SectionCue, phrase_pattern};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// What is never a recommendation, from the rule files' `[recommendations]`.
#[derive(Debug, Clone)]
pub struct RecCues {
    /// "Learning point 3:", "Finding 2 –", "Consideration for the Board:".
    not_label: Option<Regex>,
    /// The content words of each boilerplate sentence.
    boilerplate: Vec<BTreeSet<String>>,
    /// Share of a sentence's content words that must occur in one
    /// boilerplate sentence.
    overlap: f32,
    /// "Sent to:", "THIS REPORT IS BEING SENT TO:" at a passage's start.
    sent_to: Option<Regex>,
    /// Words that make a capitalised name an organisation's, lower case.
    organisation_words: BTreeSet<String>,
    /// A lead-in naming recommendations and ending with a topic word
    /// ("… recommendations, in section 9, about:").
    preview: Option<Regex>,
}

impl Default for RecCues {
    fn default() -> Self {
        RecCues {
            not_label: None,
            boilerplate: Vec::new(),
            overlap: 0.75,
            sent_to: None,
            organisation_words: BTreeSet::new(),
            preview: None,
        }
    }
}

/// Words too common to tell one sentence from another.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "and", "or", "is", "are", "was",
    "were", "be", "been", "i", "my", "me", "you", "your", "it", "its", "this", "that", "which",
    "as", "with", "there", "have", "has", "had", "any", "such", "who", "he", "she", "they",
];

/// Content words: lower case, letters only, function words and numbers left out.
pub(crate) fn content_words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !FUNCTION_WORDS.contains(&w.as_str()))
        .collect()
}

impl RecCues {
    /// Whether a paragraph opens with a label of learning, findings or
    /// questions ("Learning point 2: …", "Finding 3 – …").
    pub fn is_not_label(&self, paragraph: &str) -> bool {
        self.not_label
            .as_ref()
            .is_some_and(|re| re.is_match(paragraph.trim_start()))
    }

    /// The text after a recipients lead-in in a passage, up to the next
    /// header field ("… Sent to: A; B Coroner: C" → "A; B"; "" when the
    /// list follows in the next passages).
    pub fn sent_to<'t>(&self, passage: &'t str) -> Option<&'t str> {
        static FIELD: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"\s[A-Z][A-Za-z]+(?: [a-z]+){0,3}:\s").expect("static regex")
        });
        let m = self.sent_to.as_ref()?.find(passage)?;
        let rest = &passage[m.end()..];
        let end = FIELD.find(rest).map_or(rest.len(), |f| f.start());
        Some(&rest[..end])
    }

    /// Whether a lead-in previews the topics of recommendations set out
    /// elsewhere ("We make seven recommendations, in section 9, about:"),
    /// so that the list after it holds topics, not recommendations.
    pub fn is_preview(&self, lead_in: &str) -> bool {
        self.preview
            .as_ref()
            .is_some_and(|re| re.is_match(lead_in.trim_end()))
    }

    /// Whether a capitalised name reads as an organisation's: one of its
    /// words is an organisation word ("Wrenmoor Homes", "Fenmere Housing
    /// Association"), not a theme ("Information Sharing").
    pub fn is_organisation_name(&self, name: &str) -> bool {
        name.split(|c: char| !c.is_alphanumeric())
            .any(|w| self.organisation_words.contains(&w.to_lowercase()))
    }

    /// Whether a sentence is the fixed wording of a statutory form: at least
    /// `boilerplate_overlap` of its content words occur in one boilerplate
    /// sentence, and at least half of that sentence's words occur in it.
    pub fn is_boilerplate(&self, sentence: &str) -> bool {
        let words = content_words(sentence);
        if words.is_empty() {
            return false;
        }
        self.boilerplate.iter().any(|b| {
            let common = words.intersection(b).count();
            common as f32 >= self.overlap * words.len() as f32 && common * 2 >= b.len()
        })
    }
}

/// What a column of an action-plan table holds, named by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlanColumn {
    /// The recommendation's number, or its words restated.
    Recommendation,
    Action,
    LeadAgency,
    TargetDate,
    Milestones,
    /// Outcome, completion, progress or status.
    Outcome,
    /// Scope or level (local, regional, single agency).
    Scope,
}

impl PlanColumn {
    /// The order roles are tried in: a header takes the first role one of
    /// whose phrases it contains ("Scope of recommendation" is a scope,
    /// "Completion date and outcome" an outcome, not a target date).
    pub const ORDER: [PlanColumn; 7] = [
        PlanColumn::Scope,
        PlanColumn::Milestones,
        PlanColumn::Outcome,
        PlanColumn::TargetDate,
        PlanColumn::LeadAgency,
        PlanColumn::Action,
        PlanColumn::Recommendation,
    ];

    /// The key under `[action_plan]`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PlanColumn::Recommendation => "recommendation",
            PlanColumn::Action => "action",
            PlanColumn::LeadAgency => "lead_agency",
            PlanColumn::TargetDate => "target_date",
            PlanColumn::Milestones => "milestones",
            PlanColumn::Outcome => "outcome",
            PlanColumn::Scope => "scope",
        }
    }
}

/// Which column of an action-plan table is which, from `[action_plan]`.
#[derive(Debug, Clone, Default)]
pub struct PlanCues {
    /// One matcher per role with phrases, in [`PlanColumn::ORDER`].
    roles: Vec<(PlanColumn, Regex)>,
}

impl PlanCues {
    /// The role a column header names, if any.
    pub fn role(&self, header: &str) -> Option<PlanColumn> {
        self.roles
            .iter()
            .find(|(_, re)| re.is_match(header))
            .map(|(r, _)| *r)
    }
}

/// The phrases of one role in one file's `[action_plan]`.
fn plan_phrases(def: &schema::ActionPlanDef, role: PlanColumn) -> &[toml::Spanned<String>] {
    match role {
        PlanColumn::Recommendation => &def.recommendation,
        PlanColumn::Action => &def.action,
        PlanColumn::LeadAgency => &def.lead_agency,
        PlanColumn::TargetDate => &def.target_date,
        PlanColumn::Milestones => &def.milestones,
        PlanColumn::Outcome => &def.outcome,
        PlanColumn::Scope => &def.scope,
    }
}

/// Every file's `[action_plan]` phrases, compiled role by role (a panel's
/// own file first).
fn compile_plan(files: &[(Source<'_>, RuleFile)], diags: &mut [Diags<'_>]) -> PlanCues {
    let mut cues = PlanCues::default();
    for role in PlanColumn::ORDER {
        let mut alts: Vec<String> = Vec::new();
        for (fi, (_, file)) in files.iter().enumerate() {
            let Some(def) = &file.action_plan else {
                continue;
            };
            for p in plan_phrases(def, role) {
                match phrase_pattern(p.get_ref()) {
                    Ok(pat) => alts.push(pat),
                    Err(e) => diags[fi].at(p.span().start, format!("[action_plan]: {e}")),
                }
            }
        }
        if alts.is_empty() {
            continue;
        }
        let pat = format!(r"(?i)(?:^|\W)(?:{})(?:\W|$)", alts.join("|"));
        match Regex::new(&pat) {
            Ok(re) => cues.roles.push((role, re)),
            Err(e) => diags[0].at(0, format!("[action_plan]: {e}")),
        }
    }
    cues
}

/// The anatomy, recommendation cues and action-plan cues of every file,
/// in order.
pub(super) fn compile(
    files: &[(Source<'_>, RuleFile)],
    diags: &mut [Diags<'_>],
) -> (Anatomy, RecCues, PlanCues) {
    let mut cues: Vec<SectionCue> = Vec::new();
    // (file, position) of each cue's heading phrases, for errors.
    let mut at: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let mut sent: Vec<String> = Vec::new();
    let mut previews: Vec<String> = Vec::new();
    let mut rec = RecCues::default();
    for (fi, (_, file)) in files.iter().enumerate() {
        for s in &file.section {
            let Some(kind) = schema::SECTION_KINDS
                .iter()
                .find(|k| k.as_str() == s.kind.get_ref())
            else {
                diags[fi].at(
                    s.kind.span().start,
                    format!(
                        "unknown section kind \"{}\" (one of: {})",
                        s.kind.get_ref(),
                        schema::SECTION_KINDS.map(|k| k.as_str()).join(", ")
                    ),
                );
                continue;
            };
            cues.push(SectionCue {
                kind: *kind,
                headings: s.headings.iter().map(|h| h.get_ref().clone()).collect(),
                known: s.known,
            });
            at.push((fi, s.headings.iter().map(|h| h.span().start).collect()));
        }
        let Some(r) = &file.recommendations else {
            continue;
        };
        for l in &r.not_labels {
            match phrase_pattern(l.get_ref()) {
                Ok(p) => labels.push(p),
                Err(e) => diags[fi].at(l.span().start, format!("not_labels: {e}")),
            }
        }
        for l in &r.sent_to {
            match phrase_pattern(l.get_ref()) {
                // A short word ("To:") only where a line starts: a letter's
                // address line, never "… referred to: …" in a sentence.
                Ok(p) if l.get_ref().trim().len() <= 3 => sent.push(format!(r"(?m:^[ \t]*){p}")),
                Ok(p) => sent.push(format!(r"(?:^|\b){p}")),
                Err(e) => diags[fi].at(l.span().start, format!("sent_to: {e}")),
            }
        }
        for l in &r.preview_endings {
            match phrase_pattern(l.get_ref()) {
                Ok(p) => previews.push(p),
                Err(e) => diags[fi].at(l.span().start, format!("preview_endings: {e}")),
            }
        }
        for w in &r.organisation_words {
            rec.organisation_words.insert(w.get_ref().to_lowercase());
        }
        for b in &r.boilerplate {
            let w = content_words(b.get_ref());
            if w.is_empty() {
                diags[fi].at(b.span().start, "boilerplate sentence has no words");
            } else {
                rec.boilerplate.push(w);
            }
        }
        if let Some(o) = &r.boilerplate_overlap {
            if (0.0..=1.0).contains(o.get_ref()) && *o.get_ref() > 0.0 {
                rec.overlap = *o.get_ref();
            } else {
                diags[fi].at(
                    o.span().start,
                    "boilerplate_overlap must be above 0 and at most 1",
                );
            }
        }
    }
    if !labels.is_empty() {
        // The label with an optional number or letter and a separator
        // ("Finding 3 –"), or with a few more words and a colon or dash
        // ("Consideration for the Board:").
        let pat = format!(
            r"(?i)^\W{{0,3}}(?:{l})(?:(?:\s+(?:\d{{1,3}}[a-z]?|[A-Z]|[ivx]{{1,4}}))?\s*[:.\-–—)]|(?:\s+[\w'’]+){{1,5}}\s*[:–—])",
            l = labels.join("|")
        );
        match Regex::new(&pat) {
            Ok(re) => rec.not_label = Some(re),
            Err(e) => diags[0].at(0, format!("not_labels: {e}")),
        }
    }
    if !previews.is_empty() {
        let pat = format!(
            r"(?i)\b(?:recommendations?|argymhellion)\b[^.:]{{0,80}}?\b(?:{})\s*:$",
            previews.join("|")
        );
        match Regex::new(&pat) {
            Ok(re) => rec.preview = Some(re),
            Err(e) => diags[0].at(0, format!("preview_endings: {e}")),
        }
    }
    if !sent.is_empty() {
        let pat = format!(r"(?i)(?:{})\s*(?::-?|-|–)\s*", sent.join("|"));
        match Regex::new(&pat) {
            Ok(re) => rec.sent_to = Some(re),
            Err(e) => diags[0].at(0, format!("sent_to: {e}")),
        }
    }
    let anatomy = match Anatomy::new(&cues) {
        Ok(a) => a,
        Err(errors) => {
            for e in errors {
                let (fi, pos) = &at[e.entry];
                let off = pos.get(e.phrase).copied().unwrap_or(0);
                diags[*fi].at(off, format!("[[section]]: {}", e.message));
            }
            Anatomy::default()
        }
    };
    let plan = compile_plan(files, diags);
    (anatomy, rec, plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues() -> RecCues {
        crate::rules::RuleSet::default_rules().rec_cues().clone()
    }

    #[test]
    fn boilerplate_variants_but_not_concerns() {
        let c = cues();
        assert!(c.is_boilerplate(
            "During the course of the inquest I heard evidence which gave rise to concern."
        ));
        assert!(c.is_boilerplate("The MATTERS OF CONCERN are as follows."));
        assert!(c.is_boilerplate(
            "In my opinion action should be taken to prevent future deaths and I believe your organisation has the power to take such action."
        ));
        assert!(!c.is_boilerplate(
            "In my opinion there is a risk that future deaths will occur if the trust does not review its discharge policy."
        ));
        assert!(!c.is_boilerplate(
            "The fictional Trust had no policy on the observation of patients at night."
        ));
    }

    #[test]
    fn action_plan_columns_by_header_in_english_and_welsh() {
        let rules = crate::rules::RuleSet::default_rules();
        let c = rules.plan_cues();
        let role = |h: &str| c.role(h);
        assert_eq!(role("Recommendation"), Some(PlanColumn::Recommendation));
        assert_eq!(role("Rec. no."), Some(PlanColumn::Recommendation));
        assert_eq!(
            role("Scope of recommendation i.e. local or regional"),
            Some(PlanColumn::Scope)
        );
        assert_eq!(role("Action to take"), Some(PlanColumn::Action));
        assert_eq!(role("Lead Agency"), Some(PlanColumn::LeadAgency));
        assert_eq!(role("Owner"), Some(PlanColumn::LeadAgency));
        assert_eq!(role("Target date"), Some(PlanColumn::TargetDate));
        assert_eq!(role("By when?"), Some(PlanColumn::TargetDate));
        assert_eq!(
            role("Key milestones achieved in enacting recommendation"),
            Some(PlanColumn::Milestones)
        );
        assert_eq!(
            role("Completion date and outcome"),
            Some(PlanColumn::Outcome)
        );
        assert_eq!(role("Progress / status"), Some(PlanColumn::Outcome));
        assert_eq!(role("Asiantaeth arweiniol"), Some(PlanColumn::LeadAgency));
        assert_eq!(role("Dyddiad targed"), Some(PlanColumn::TargetDate));
        assert_eq!(role("Cam gweithredu"), Some(PlanColumn::Action));
        assert_eq!(role("Argymhelliad"), Some(PlanColumn::Recommendation));
        assert_eq!(role("Canlyniad"), Some(PlanColumn::Outcome));
        assert_eq!(role("Date of birth"), None);
        assert_eq!(role("Event"), None);
    }

    #[test]
    fn a_panels_action_plan_headers_come_first() {
        let src = format!(
            "{}\n[action_plan]\nlead_agency = [\"accountable body\"]\ntarget_date = [\"sign-off\"]\n",
            crate::rules::DEFAULT_RULES
        );
        let rules = crate::rules::RuleSet::from_toml(&src, "panel.toml").expect("rules");
        let c = rules.plan_cues();
        assert_eq!(c.role("Accountable body"), Some(PlanColumn::LeadAgency));
        assert_eq!(c.role("Sign-off"), Some(PlanColumn::TargetDate));
        // The built-in phrases still count.
        assert_eq!(c.role("Lead agency"), Some(PlanColumn::LeadAgency));
        let default = crate::rules::RuleSet::default_rules();
        assert_eq!(default.plan_cues().role("Accountable body"), None);
        // A phrase that is not a pattern is reported where it stands.
        let bad = format!(
            "{}\n[action_plan]\naction = [\"\"]\n",
            crate::rules::DEFAULT_RULES
        );
        let err = crate::rules::RuleSet::from_toml(&bad, "panel.toml").expect_err("empty");
        assert!(err.to_string().contains("[action_plan]"), "{err}");
    }

    #[test]
    fn labels_of_learning() {
        let c = cues();
        assert!(c.is_not_label("Learning point 2: professionals should be curious."));
        assert!(c.is_not_label("Finding 3 – Information was not shared."));
        assert!(c.is_not_label("Consideration for the Board: how can assurance be sought?"));
        assert!(!c.is_not_label("Learning and development teams should review training."));
        assert!(!c.is_not_label("Glanmor Police should review its training."));
    }
}
