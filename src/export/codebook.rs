//! The theme codebook of an export: each theme with the rule text that
//! defines it (terms, aliases, regular expressions, proximity clauses,
//! exclusions, examples, as the rule file writes them) and the exported
//! documents it is assigned to.

use super::research::ExportError;
use super::{DocumentRow, round3};
use crate::rules::RuleSet;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One proximity clause of a theme: a word of `a` within `within` words of
/// a word of `b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NearClause {
    pub a: Vec<String>,
    pub b: Vec<String>,
    pub within: usize,
}

/// One row of `themes.*`, the codebook: a theme, the rule text that
/// defines it, and the exported documents it is assigned to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodebookRow {
    /// Theme id, as in `tags.theme` and `documents.themes`.
    pub id: String,
    /// Label for people.
    pub label: String,
    /// What the theme covers.
    pub description: String,
    /// Parent theme id, if the theme is a sub-theme.
    pub parent: Option<String>,
    /// Ids of the sub-themes, in rule-file order.
    pub children: Vec<String>,
    /// Where the theme's definition comes from (URLs, documents).
    pub sources: Vec<String>,
    /// Name of the rule set (`[ruleset] name`).
    pub rules_name: String,
    /// Version (hash) of the rule set: the same as every tag's.
    pub rules_version: String,
    /// Ids of the theme's rules, as in `tags.rule`.
    pub rules: Vec<String>,
    /// Term list (`*` = any ending); matched case-insensitively.
    pub terms: Vec<String>,
    /// Alias list (misspellings, Welsh, US spellings), matched like terms.
    pub aliases: Vec<String>,
    /// Regular expressions (Rust `regex` syntax).
    pub regex: Vec<String>,
    /// Proximity clauses.
    pub near: Vec<NearClause>,
    /// Phrases that cancel a hit they overlap.
    pub exclude: Vec<String>,
    /// Document-level threshold on the theme's evidence score.
    pub min_score: f64,
    /// Whether negation cues ("no evidence of") turn hits into negated ones.
    pub negation: bool,
    /// Example sentences that must produce a hit.
    pub examples_match: Vec<String>,
    /// Example sentences that must not produce a hit.
    pub examples_no_match: Vec<String>,
    /// Number of exported documents the theme is assigned to.
    pub documents: usize,
    /// Those documents' ids, in the order of `documents.*`.
    pub doc_ids: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawFile {
    #[serde(default)]
    theme: Vec<RawTheme>,
}

#[derive(Debug, Deserialize)]
struct RawTheme {
    id: String,
    #[serde(default)]
    terms: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    regex: Vec<String>,
    #[serde(default)]
    near: Vec<RawNear>,
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawNear {
    a: Vec<String>,
    b: Vec<String>,
    #[serde(default = "eight")]
    within: usize,
}

fn eight() -> usize {
    8
}

/// The codebook of `rules` (compiled from `rules_src`), with each theme's
/// exported documents, in rule-file order.
pub fn codebook(
    rules: &RuleSet,
    rules_src: &str,
    origin: &str,
    docs: &[&DocumentRow],
) -> Result<Vec<CodebookRow>, ExportError> {
    let raw: RawFile = toml::from_str(rules_src).map_err(|e| ExportError::RulesText {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    let raw: BTreeMap<&str, &RawTheme> = raw.theme.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut rows = Vec::new();
    for (i, t) in rules.themes().iter().enumerate() {
        let r = raw.get(t.id.as_str());
        let doc_ids: Vec<String> = docs
            .iter()
            .filter(|d| d.themes.iter().any(|x| x == &t.id))
            .map(|d| d.id.to_string())
            .collect();
        rows.push(CodebookRow {
            id: t.id.clone(),
            label: t.label.clone(),
            description: t.description.clone(),
            parent: t.parent.clone(),
            children: rules
                .children(&t.id)
                .iter()
                .map(|s| s.to_string())
                .collect(),
            sources: t.sources.clone(),
            rules_name: rules.name().to_string(),
            rules_version: rules.version().to_string(),
            rules: rules
                .rules()
                .iter()
                .filter(|ri| ri.theme == i)
                .map(|ri| ri.id.clone())
                .collect(),
            terms: r.map(|r| r.terms.clone()).unwrap_or_default(),
            aliases: r.map(|r| r.aliases.clone()).unwrap_or_default(),
            regex: r.map(|r| r.regex.clone()).unwrap_or_default(),
            near: r
                .map(|r| {
                    r.near
                        .iter()
                        .map(|n| NearClause {
                            a: n.a.clone(),
                            b: n.b.clone(),
                            within: n.within,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            exclude: r.map(|r| r.exclude.clone()).unwrap_or_default(),
            min_score: round3(t.min_score),
            negation: t.negation,
            examples_match: t.examples_match.clone(),
            examples_no_match: t.examples_no_match.clone(),
            documents: doc_ids.len(),
            doc_ids,
        });
    }
    Ok(rows)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny fictional rule file: one parent theme, one sub-theme with
    /// every kind of rule text.
    pub(crate) const TINY_RULES: &str = r#"
[ruleset]
name = "fictional tiny rules"
language = ["en"]
builtin_anatomy = false
builtin_bodies = false

[[theme]]
id = "fictional_parent"
label = "Fictional parent theme"
description = "A parent theme for tests."

[[theme]]
id = "fictional_lanterns"
label = "Lanterns (fictional)"
description = "Mentions of lanterns in fictional test reviews."
parent = "fictional_parent"
sources = ["https://example.invalid/fictional-source"]
terms = ["lantern*", "lamp post"]
aliases = ["lanturn"]
regex = ['\bglow(ing)? (lamp|light)s?\b']
near = [{ a = ["light*"], b = ["street"], within = 4 }]
exclude = ["lantern festival"]
min_score = 1.5
[theme.examples]
match = ["The fictional lantern was lit."]
no_match = ["The lantern festival was held."]
"#;

    #[test]
    fn codebook_of_a_tiny_rule_file() {
        let rules = RuleSet::from_toml(TINY_RULES, "tiny").expect("rules");
        let book = codebook(&rules, TINY_RULES, "tiny", &[]).expect("codebook");
        insta::assert_json_snapshot!(book);
    }
}
