//! Rules: the transparent, editable TOML rule files, parsed, checked (every
//! error at once, with line and column) and compiled into a [`RuleSet`].
//! A rule set is made of three kinds of knowledge, each in its own
//! built-in file and each extendable from a panel's own rule file:
//!
//! - themes and agency categories (`rules/default.toml`, replaced by
//!   `--rules FILE`): terms, regexes, proximity, exclusions, negation,
//!   section weights, thresholds, examples;
//! - review anatomy (`rules/anatomy.toml`): which headings open which kind
//!   of section (compiled into a [`segment::Anatomy`]), the labels that mark
//!   learning rather than recommendations, and the fixed wording of
//!   statutory forms ([`RecCues`]);
//! - the gazetteer of bodies (`rules/bodies.toml`): named organisations and
//!   patterns for local ones ("{place} Police"), each with a category
//!   ([`Gazetteer`]).
//!
//! Matching semantics (documented for panel staff in `rules/default.toml`):
//! - `terms` / `aliases`: case-insensitive whole-word phrases; a trailing
//!   `*` on a word is a stem wildcard (`strangl*`). Whitespace runs,
//!   curly quotes and line-end hyphenation in the text are normalised
//!   before matching; offsets are mapped back to the original text.
//! - `regex`: case-insensitive, run over the same normalised text, with
//!   size limits so a rule cannot exhaust memory (the regex crate is
//!   linear-time, so no rule can hang).
//! - `near`: a word from `a` and a word from `b` in the same sentence at most
//!   `within` words apart.
//! - `exclude`: a hit overlapping an exclusion phrase of the same theme is
//!   dropped.
//! - negation: a hit is negated when a cue ends at most `window` words before
//!   it in the same sentence (unless the theme sets `negation = false`).
//! - Overlapping hits of one theme are merged: a hit inside a longer hit of
//!   the same theme is dropped, so one phrase counts once.

mod anatomy;
mod bodies;
mod compile;
mod diag;
mod grouping;
mod matcher;
mod scan;
mod schema;

pub(crate) use anatomy::content_words;
pub use anatomy::{PlanColumn, PlanCues, RecCues};
pub use bodies::{BodyMatch, Gazetteer};
pub use diag::{Diagnostic, RulesError, line_col};
pub use grouping::Grouping;

use crate::model::{AgencyLevel, SectionKind};
use crate::segment;
use diag::Diags;
use matcher::PhraseSet;
use std::collections::HashMap;
use std::sync::Arc;

/// The default themes and agency categories, shipped inside the binary.
pub const DEFAULT_RULES: &str = include_str!("../../rules/default.toml");
/// The built-in review anatomy.
pub const BUILTIN_ANATOMY: &str = include_str!("../../rules/anatomy.toml");
/// The built-in gazetteer of bodies.
pub const BUILTIN_BODIES: &str = include_str!("../../rules/bodies.toml");

/// One rule file's text and the name it goes by in messages.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub text: &'a str,
    pub origin: &'a str,
}

/// A theme as compiled (parents are themes too).
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub id: String,
    pub label: String,
    pub description: String,
    pub parent: Option<String>,
    pub sources: Vec<String>,
    /// Document-level threshold on the sum of present hit weights.
    pub min_score: f32,
    /// Whether negation cues cancel this theme's hits.
    pub negation: bool,
    /// Section kinds whose text counts for this theme; empty means all.
    /// Hits elsewhere are not tagged.
    pub sections: Vec<SectionKind>,
    /// Sentences that must produce a present hit.
    pub examples_match: Vec<String>,
    /// Sentences that must not produce a present hit.
    pub examples_no_match: Vec<String>,
    /// True when the theme has at least one rule of its own.
    pub has_rules: bool,
}

/// One rule: a term list, an alias list, a regex or a proximity clause.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInfo {
    /// "theme_id/terms", "theme_id/aliases", "theme_id/regex/0", "theme_id/near/0".
    pub id: String,
    /// Index into [`RuleSet::themes`].
    pub theme: usize,
}

/// An agency or mechanism in the gazetteer.
#[derive(Debug, Clone, PartialEq)]
pub struct Agency {
    pub id: String,
    pub label: String,
    pub level: AgencyLevel,
    pub aliases: Vec<String>,
}

/// One rule hit in a scanned text (offsets relative to that text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index into [`RuleSet::themes`].
    pub theme: usize,
    /// Index into [`RuleSet::rules`].
    pub rule: usize,
    pub start: usize,
    pub end: usize,
    pub negated: bool,
}

#[derive(Debug, Clone)]
struct NearRule {
    rule: usize,
    within: usize,
}

/// A compiled rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    version: String,
    name: String,
    languages: Vec<String>,
    themes: Vec<Theme>,
    rules: Vec<RuleInfo>,
    agencies: Vec<Agency>,
    weights: HashMap<SectionKind, f32>,
    default_weight: f32,
    min_density: f32,
    second_hit_share: f32,
    front_matter_max_words: usize,
    window: usize,
    /// owner = rule index
    terms: PhraseSet,
    /// (regex, rule index)
    regexes: Vec<(regex::Regex, usize)>,
    /// owner = near index * 2 + side (0 = a, 1 = b)
    near_terms: PhraseSet,
    nears: Vec<NearRule>,
    /// owner = theme index
    excludes: PhraseSet,
    /// owner = 0
    negation: PhraseSet,
    /// owner = agency index
    agency_terms: PhraseSet,
    /// Review anatomy: headings → section kinds (for the segmenter).
    anatomy: Arc<segment::Anatomy>,
    /// What is not a recommendation.
    rec_cues: Arc<RecCues>,
    /// Which column of an action-plan table is which, by its header.
    plan_cues: Arc<PlanCues>,
    /// Named bodies and patterns for local ones.
    gazetteer: Arc<Gazetteer>,
    /// When recommendations of different documents are grouped.
    grouping: Arc<Grouping>,
}

/// Check a rule file (with the built-in anatomy and gazetteer it extends):
/// every problem, sorted by position. Empty when fine.
pub fn check(src: &str, origin: &str) -> Vec<Diagnostic> {
    match RuleSet::from_toml(src, origin) {
        Ok(_) => vec![],
        Err(e) => e.diagnostics(),
    }
}

impl RuleSet {
    /// The rule set shipped in the binary.
    /// Compiled once per process, then cloned (the automata are shared).
    pub fn default_rules() -> RuleSet {
        static DEFAULT: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
        DEFAULT
            .get_or_init(
                || match RuleSet::from_toml(DEFAULT_RULES, "rules/default.toml") {
                    Ok(r) => r,
                    // The built-in files are checked by unit tests; this
                    // cannot happen in a tested build.
                    Err(e) => panic!("built-in rules do not compile: {e}"),
                },
            )
            .clone()
    }

    /// Parse and compile a themes file (`origin` names it in errors) with
    /// the built-in anatomy and gazetteer after its own `[[section]]`,
    /// `[recommendations]` and `[[body]]` entries (unless its `[ruleset]`
    /// sets `builtin_anatomy` / `builtin_bodies` to false).
    pub fn from_toml(src: &str, origin: &str) -> Result<RuleSet, RulesError> {
        let main = parse(Source { text: src, origin })?;
        let (anatomy, bodies) = main
            .ruleset
            .as_ref()
            .map_or((true, true), |r| (r.builtin_anatomy, r.builtin_bodies));
        let mut files = vec![(Source { text: src, origin }, main)];
        if anatomy {
            let s = Source {
                text: BUILTIN_ANATOMY,
                origin: "rules/anatomy.toml",
            };
            files.push((s, parse(s)?));
        }
        if bodies {
            let s = Source {
                text: BUILTIN_BODIES,
                origin: "rules/bodies.toml",
            };
            files.push((s, parse(s)?));
        }
        if files[0].1.grouping.is_none() && src != DEFAULT_RULES {
            // A rule file without `[grouping]` groups as the default rules do.
            let s = Source {
                text: DEFAULT_RULES,
                origin: "rules/default.toml",
            };
            let mut default = parse(s)?;
            files[0].1.grouping = default.grouping.take();
        }
        compile::compile_all(files)
    }

    /// Short hash of the rule files' text.
    pub fn version(&self) -> &str {
        &self.version
    }
    /// The rule set's name (`[ruleset] name`).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Languages the rules cover.
    pub fn languages(&self) -> &[String] {
        &self.languages
    }
    /// Themes in file order.
    pub fn themes(&self) -> &[Theme] {
        &self.themes
    }
    /// A theme by id.
    pub fn theme(&self, id: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.id == id)
    }
    /// Every rule; [`Hit::rule`] indexes this.
    pub fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }
    /// The agency gazetteer.
    pub fn agencies(&self) -> &[Agency] {
        &self.agencies
    }
    /// How much one hit counts in a section of this kind.
    pub fn section_weight(&self, kind: SectionKind) -> f32 {
        self.weights
            .get(&kind)
            .copied()
            .unwrap_or(self.default_weight)
    }
    /// Ids of the direct children of a theme.
    /// Evidence a theme needs per 1,000 words (ruleset `min_density`).
    pub fn min_density(&self) -> f32 {
        self.min_density
    }

    /// Share of its weight a second hit in the same passage adds to a
    /// theme's score (ruleset `second_hit_share`, 0 to 1).
    pub fn second_hit_share(&self) -> f32 {
        self.second_hit_share
    }

    /// Words above which a front-matter section is read as body text
    /// (ruleset `front_matter_max_words`; 0 = never).
    pub fn front_matter_max_words(&self) -> usize {
        self.front_matter_max_words
    }

    /// The threshold a theme must reach in a document of `words` words:
    /// the larger of its `min_score` and `min_density` × words / 1,000.
    pub fn threshold_for(&self, min_score: f32, words: usize) -> f32 {
        let scaled = self.min_density * words as f32 / 1000.0;
        let t = min_score.max(scaled);
        (t * 100.0).round() / 100.0
    }

    pub fn children(&self, id: &str) -> Vec<&str> {
        self.themes
            .iter()
            .filter(|t| t.parent.as_deref() == Some(id))
            .map(|t| t.id.as_str())
            .collect()
    }

    /// An agency by id.
    pub fn agency(&self, id: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.id == id)
    }

    /// The review anatomy the segmenter reads headings with.
    pub fn anatomy(&self) -> &segment::Anatomy {
        &self.anatomy
    }

    /// Labels and boilerplate that are never recommendations.
    pub fn rec_cues(&self) -> &RecCues {
        &self.rec_cues
    }

    /// The action-plan column cues (`[action_plan]`).
    pub fn plan_cues(&self) -> &PlanCues {
        &self.plan_cues
    }

    /// The gazetteer of bodies recommendations are addressed to.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// The settings of recurring-recommendation grouping (`[grouping]`).
    pub fn grouping(&self) -> &Grouping {
        &self.grouping
    }
}

/// Steps 1-3 of reading a rule file: syntax (every error the recovering
/// parser finds), unknown keys (all of them), types (serde stops at the
/// first).
fn parse(src: Source<'_>) -> Result<schema::RuleFile, RulesError> {
    let mut d = Diags {
        src: src.text,
        origin: src.origin,
        list: vec![],
    };
    let (doc, errors) = toml::de::DeTable::parse_recoverable(src.text);
    for e in &errors {
        d.at(e.span().map_or(0, |s| s.start), e.message().to_string());
    }
    if !errors.is_empty() {
        return Err(RulesError::Invalid(d.finish()));
    }
    let unknown = schema::unknown_keys(doc.get_ref());
    for (span, msg) in unknown.iter() {
        d.at(span.start, msg.clone());
    }
    if !unknown.is_empty() {
        return Err(RulesError::Invalid(d.finish()));
    }
    toml::from_str(src.text).map_err(|e| {
        d.at(e.span().map_or(0, |s| s.start), e.message().to_string());
        RulesError::Invalid(d.finish())
    })
}

#[cfg(test)]
mod tests;
