//! The rule file's TOML schema (serde, `deny_unknown_fields`, spans kept
//! for error messages) and the key check that reports every unknown key at
//! once (serde stops at the first).

use crate::model::{AgencyLevel, SectionKind};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    /// Required in the themes file; absent from the built-in anatomy and
    /// body files, which only extend a rule set.
    #[serde(default)]
    pub ruleset: Option<RulesetDef>,
    #[serde(default)]
    pub theme: Vec<ThemeDef>,
    #[serde(default)]
    pub agency: Vec<AgencyDef>,
    /// Review anatomy: which headings open which kind of section.
    #[serde(default)]
    pub section: Vec<SectionDef>,
    /// What is not a recommendation: labels and statutory boilerplate.
    #[serde(default)]
    pub recommendations: Option<RecommendationsDef>,
    /// The gazetteer of bodies recommendations are addressed to.
    #[serde(default)]
    pub body: Vec<BodyDef>,
    /// Action-plan tables: the words of column headers, by role.
    #[serde(default)]
    pub action_plan: Option<ActionPlanDef>,
    /// How recurring recommendations are grouped across documents.
    #[serde(default)]
    pub grouping: Option<GroupingDef>,
}

/// `[grouping]`: when two recommendations from different documents ask
/// for the same thing (see `rules::Grouping`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GroupingDef {
    pub min_similarity: Spanned<f32>,
    pub balance: Spanned<f32>,
    pub min_shared_words: Spanned<usize>,
    pub min_words: Spanned<usize>,
    pub twin_share: Spanned<f32>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    #[serde(default)]
    pub keep: Vec<Spanned<String>>,
}

/// `[action_plan]`: for each role of an action-plan column, the phrases
/// of the headers that name it.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActionPlanDef {
    #[serde(default)]
    pub recommendation: Vec<Spanned<String>>,
    #[serde(default)]
    pub action: Vec<Spanned<String>>,
    #[serde(default)]
    pub lead_agency: Vec<Spanned<String>>,
    #[serde(default)]
    pub target_date: Vec<Spanned<String>>,
    #[serde(default)]
    pub milestones: Vec<Spanned<String>>,
    #[serde(default)]
    pub outcome: Vec<Spanned<String>>,
    #[serde(default)]
    pub scope: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SectionDef {
    pub kind: Spanned<String>,
    pub headings: Vec<Spanned<String>>,
    #[serde(default)]
    pub known: bool,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecommendationsDef {
    #[serde(default)]
    pub not_labels: Vec<Spanned<String>>,
    #[serde(default)]
    pub boilerplate: Vec<Spanned<String>>,
    #[serde(default)]
    pub boilerplate_overlap: Option<Spanned<f32>>,
    /// Lead-ins of a coroner's list of recipients ("Sent to:").
    #[serde(default)]
    pub sent_to: Vec<Spanned<String>>,
    /// Words that make a capitalised name an organisation's ("Council",
    /// "Homes", "Association").
    #[serde(default)]
    pub organisation_words: Vec<Spanned<String>>,
    /// Endings of a lead-in that previews the recommendations' topics
    /// ("We make seven recommendations about:").
    #[serde(default)]
    pub preview_endings: Vec<Spanned<String>>,
}

/// One body of the gazetteer: a named organisation ("Home Office"), or a
/// pattern for a family of local bodies ("{place} Police").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BodyDef {
    /// Canonical name, or a pattern with `{place}`.
    pub name: Spanned<String>,
    /// The agency id (category) of the rule file's `[[agency]]` list.
    pub category: Spanned<String>,
    #[serde(default)]
    pub level: Option<AgencyLevel>,
    /// Other names and abbreviations, Welsh names; patterns with `{place}`
    /// for a pattern body.
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RulesetDef {
    pub name: String,
    #[serde(default)]
    #[allow(dead_code)]
    pub description: Option<String>,
    #[serde(default)]
    pub language: Vec<String>,
    /// Weight for section kinds not listed in `section_weights`.
    #[serde(default = "one")]
    pub default_weight: f32,
    /// Threshold for themes without their own `min_score`.
    #[serde(default = "two")]
    pub default_min_score: f32,
    /// Evidence a theme needs per 1,000 words of the document, on top of
    /// its `min_score` (the larger of the two applies): long documents
    /// mention everything once; their main themes recur.
    #[serde(default)]
    pub min_density: Option<Spanned<f32>>,
    /// A front-matter section longer than this many words is read as body
    /// text (the segmenter missed the headings after a title page or
    /// contents list); 0 switches the rule off.
    #[serde(default)]
    pub front_matter_max_words: usize,
    /// Share of its weight a second hit in the same passage adds (the
    /// first counts in full, a third and more add nothing).
    #[serde(default)]
    pub second_hit_share: Option<Spanned<f32>>,
    #[serde(default)]
    pub section_weights: BTreeMap<String, Spanned<f32>>,
    #[serde(default)]
    pub negation: NegationDef,
    /// Whether the built-in anatomy (rules/anatomy.toml) follows this
    /// file's own `[[section]]` and `[recommendations]` entries.
    #[serde(default = "yes")]
    pub builtin_anatomy: bool,
    /// Whether the built-in gazetteer (rules/bodies.toml) follows this
    /// file's own `[[body]]` entries.
    #[serde(default = "yes")]
    pub builtin_bodies: bool,
}

fn one() -> f32 {
    1.0
}
fn two() -> f32 {
    2.0
}
fn six() -> usize {
    6
}
fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NegationDef {
    #[serde(default)]
    pub cues: Vec<Spanned<String>>,
    #[serde(default = "six")]
    pub window: usize,
}

impl Default for NegationDef {
    fn default() -> Self {
        NegationDef {
            cues: vec![],
            window: 6,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ThemeDef {
    pub id: Spanned<String>,
    pub label: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub parent: Option<Spanned<String>>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub terms: Vec<Spanned<String>>,
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    #[serde(default)]
    pub regex: Vec<Spanned<String>>,
    #[serde(default)]
    pub near: Vec<Spanned<NearDef>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub min_score: Option<Spanned<f32>>,
    /// Section kinds whose text counts for this theme (empty: all).
    #[serde(default)]
    pub sections: Vec<Spanned<String>>,
    /// Whether negation cues cancel hits of this theme.
    #[serde(default = "yes")]
    pub negation: bool,
    #[serde(default)]
    pub examples: Option<ExamplesDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NearDef {
    pub a: Vec<String>,
    pub b: Vec<String>,
    #[serde(default = "eight")]
    pub within: usize,
}

fn eight() -> usize {
    8
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExamplesDef {
    #[serde(default, rename = "match")]
    pub matches: Vec<String>,
    #[serde(default)]
    pub no_match: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AgencyDef {
    pub id: Spanned<String>,
    pub label: String,
    pub level: AgencyLevel,
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
}

/// All section kind names, as written in `[ruleset.section_weights]`.
pub(crate) const SECTION_KINDS: [SectionKind; 18] = [
    SectionKind::ExecutiveSummary,
    SectionKind::Introduction,
    SectionKind::TermsOfReference,
    SectionKind::Methodology,
    SectionKind::Background,
    SectionKind::Chronology,
    SectionKind::Analysis,
    SectionKind::Lessons,
    SectionKind::Conclusions,
    SectionKind::Recommendations,
    SectionKind::ActionPlan,
    SectionKind::Glossary,
    SectionKind::Objectives,
    SectionKind::Commitments,
    SectionKind::Concerns,
    SectionKind::Closing,
    SectionKind::FrontMatter,
    SectionKind::Other,
];

fn allowed_keys(path: &str) -> Option<Vec<&'static str>> {
    Some(match path {
        "" => vec![
            "ruleset",
            "theme",
            "agency",
            "section",
            "recommendations",
            "body",
            "action_plan",
            "grouping",
        ],
        "ruleset" => vec![
            "name",
            "description",
            "language",
            "default_weight",
            "default_min_score",
            "min_density",
            "front_matter_max_words",
            "second_hit_share",
            "section_weights",
            "negation",
            "builtin_anatomy",
            "builtin_bodies",
        ],
        "ruleset.section_weights" => SECTION_KINDS.iter().map(|k| k.as_str()).collect(),
        "ruleset.negation" => vec!["cues", "window"],
        "theme" => vec![
            "id",
            "label",
            "description",
            "parent",
            "sources",
            "terms",
            "aliases",
            "regex",
            "near",
            "exclude",
            "min_score",
            "sections",
            "negation",
            "examples",
        ],
        "theme.near" => vec!["a", "b", "within"],
        "theme.examples" => vec!["match", "no_match"],
        "agency" => vec!["id", "label", "level", "aliases"],
        "section" => vec!["kind", "headings", "known"],
        "recommendations" => vec![
            "not_labels",
            "boilerplate",
            "boilerplate_overlap",
            "sent_to",
            "organisation_words",
            "preview_endings",
        ],
        "body" => vec!["name", "category", "level", "aliases"],
        "action_plan" => vec![
            "recommendation",
            "action",
            "lead_agency",
            "target_date",
            "milestones",
            "outcome",
            "scope",
        ],
        "grouping" => vec![
            "min_similarity",
            "balance",
            "min_shared_words",
            "min_words",
            "twin_share",
            "ignore",
            "keep",
        ],
        _ => return None,
    })
}

fn table_name(path: &str) -> String {
    match path {
        "" => "the top level".into(),
        "theme" | "agency" | "section" | "body" => format!("[[{path}]]"),
        "theme.near" => "a `near` clause".into(),
        p => format!("[{p}]"),
    }
}

/// Every unknown key in the document: (byte span, message).
pub(crate) fn unknown_keys(root: &DeTable<'_>) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = vec![];
    walk_table(root, "", &mut out);
    out
}

fn walk_table(t: &DeTable<'_>, path: &str, out: &mut Vec<(std::ops::Range<usize>, String)>) {
    let Some(allowed) = allowed_keys(path) else {
        return;
    };
    for (k, v) in t.iter() {
        let key: &str = k.get_ref();
        if !allowed.contains(&key) {
            out.push((
                k.span(),
                format!(
                    "unknown key \"{key}\" in {} (expected one of: {})",
                    table_name(path),
                    allowed.join(", ")
                ),
            ));
            continue;
        }
        let child = if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        };
        walk_value(v.get_ref(), &child, out);
    }
}

fn walk_value(v: &DeValue<'_>, path: &str, out: &mut Vec<(std::ops::Range<usize>, String)>) {
    match v {
        DeValue::Table(t) => walk_table(t, path, out),
        DeValue::Array(a) => {
            for item in a {
                if let DeValue::Table(t) = item.get_ref() {
                    walk_table(t, path, out);
                }
            }
        }
        _ => {}
    }
}
