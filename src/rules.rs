//! Rules: the transparent, editable TOML rule file (themes with terms,
//! regexes, proximity, exclusions, negation, section weights, thresholds,
//! examples; the agency gazetteer), parsed and compiled into a [`RuleSet`].
//!
//! STUB: interface only; the rules helper replaces this.

/// The default rule file, shipped inside the binary.
pub const DEFAULT_RULES: &str = "";

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{origin}:{line}:{column}: {message}")]
    At {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// A compiled rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    version: String,
}

impl RuleSet {
    /// The rule set shipped in the binary.
    pub fn default_rules() -> RuleSet {
        RuleSet::from_toml(DEFAULT_RULES, "<default>").expect("default rules compile")
    }
    /// Parse and compile a rule file; `origin` names it in errors.
    pub fn from_toml(src: &str, origin: &str) -> Result<RuleSet, RulesError> {
        let _ = origin;
        Ok(RuleSet {
            version: crate::model::sha256_hex(src.as_bytes())[..12].to_string(),
        })
    }
    /// Short hash of the rule file's text.
    pub fn version(&self) -> &str {
        &self.version
    }
}
