//! Rules: the transparent, editable TOML rule file (themes with terms,
//! regexes, proximity, exclusions, negation, section weights, thresholds,
//! examples; the agency gazetteer), parsed, checked (every error at once,
//! with line and column) and compiled into a [`RuleSet`] that scans text.
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

mod matcher;
mod schema;

use crate::model::{AgencyLevel, SectionKind, Span};
use matcher::{Norm, PhraseSet, count_words, normalise_phrase};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The default rule file, shipped inside the binary.
pub const DEFAULT_RULES: &str = include_str!("../../rules/default.toml");

/// Size limits for user regexes (bytes of compiled program / lazy DFA cache).
const REGEX_SIZE_LIMIT: usize = 1 << 20;
const REGEX_DFA_SIZE_LIMIT: usize = 2 << 20;

/// One problem in a rule file, at a line and column (both 1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub origin: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.origin, self.line, self.column, self.message
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{origin}:{line}:{column}: {message}")]
    At {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// Every problem found in the file.
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render(d: &[Diagnostic]) -> String {
    let mut s = format!("{} error(s) in rule file:", d.len());
    for x in d {
        s.push('\n');
        s.push_str(&x.to_string());
    }
    s
}

impl RulesError {
    /// The diagnostics, one per problem.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            RulesError::At {
                origin,
                line,
                column,
                message,
            } => vec![Diagnostic {
                origin: origin.clone(),
                line: *line,
                column: *column,
                message: message.clone(),
            }],
            RulesError::Invalid(d) => d.clone(),
        }
    }
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
}

/// Line and column (1-based; column in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut off = offset.min(src.len());
    while !src.is_char_boundary(off) {
        off -= 1;
    }
    let before = &src[..off];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before, |i| &before[i + 1..])
        .chars()
        .count()
        + 1;
    (line, col)
}

struct Diags<'a> {
    src: &'a str,
    origin: &'a str,
    list: Vec<(usize, Diagnostic)>,
}

impl Diags<'_> {
    fn at(&mut self, offset: usize, message: impl Into<String>) {
        let (line, column) = line_col(self.src, offset);
        self.list.push((
            offset,
            Diagnostic {
                origin: self.origin.to_string(),
                line,
                column,
                message: message.into(),
            },
        ));
    }
    fn finish(mut self) -> Vec<Diagnostic> {
        // Stable: by position, then insertion order.
        self.list.sort_by_key(|(o, _)| *o);
        self.list.into_iter().map(|(_, d)| d).collect()
    }
}

/// A term as written → (normalised phrase, wildcard) for the automaton, or
/// a regex when `*` appears inside the phrase; Err for unusable terms.
enum TermForm {
    Literal(String, bool),
    Pattern(String),
}

fn term_form(raw: &str) -> Result<TermForm, String> {
    let n = normalise_phrase(raw);
    if !n.chars().any(matcher::is_word_char) {
        return Err(format!("term \"{raw}\" has no letters or digits"));
    }
    let body = n.strip_suffix('*');
    let core = body.unwrap_or(&n);
    if !core.contains('*') {
        return Ok(TermForm::Literal(core.trim().to_string(), body.is_some()));
    }
    // `*` inside: each `word*` becomes `word\w*`.
    let mut re = String::new();
    if n.chars().next().is_some_and(matcher::is_word_char) {
        re.push_str(r"\b");
    }
    for (i, piece) in n.split('*').enumerate() {
        if i > 0 {
            re.push_str(r"\w*");
        }
        re.push_str(&regex::escape(piece));
    }
    if !n.ends_with('*') && n.chars().last().is_some_and(matcher::is_word_char) {
        re.push_str(r"\b");
    }
    Ok(TermForm::Pattern(re))
}

fn build_regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            // Syntax errors are multi-line with a caret; keep the last line.
            let s = e.to_string();
            s.lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid regex")
                .trim()
                .trim_start_matches("error: ")
                .to_string()
        })
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Check a rule file: every problem, sorted by position. Empty when fine.
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
                    // The default file is checked by unit tests; this cannot
                    // happen in a tested build.
                    Err(e) => panic!("built-in rules do not compile: {e}"),
                },
            )
            .clone()
    }

    /// Parse and compile a rule file; `origin` names it in errors.
    pub fn from_toml(src: &str, origin: &str) -> Result<RuleSet, RulesError> {
        let mut d = Diags {
            src,
            origin,
            list: vec![],
        };
        // 1. Syntax: every error the recovering parser finds.
        let (doc, errors) = toml::de::DeTable::parse_recoverable(src);
        for e in &errors {
            d.at(e.span().map_or(0, |s| s.start), e.message().to_string());
        }
        if !errors.is_empty() {
            return Err(RulesError::Invalid(d.finish()));
        }
        // 2. Unknown keys, all of them.
        let unknown = schema::unknown_keys(doc.get_ref());
        for (span, msg) in unknown.iter() {
            d.at(span.start, msg.clone());
        }
        if !unknown.is_empty() {
            return Err(RulesError::Invalid(d.finish()));
        }
        // 3. Types (serde stops at the first).
        let file: schema::RuleFile = match toml::from_str(src) {
            Ok(f) => f,
            Err(e) => {
                d.at(e.span().map_or(0, |s| s.start), e.message().to_string());
                return Err(RulesError::Invalid(d.finish()));
            }
        };
        // 4. Meaning.
        let rs = compile(file, src, &mut d);
        if d.list.is_empty() {
            Ok(rs)
        } else {
            Err(RulesError::Invalid(d.finish()))
        }
    }

    /// Short hash of the rule file's text.
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

    /// Scan one passage: `text` is the passage text and `sentences` its
    /// sentence spans relative to `text` (empty = one sentence). Hits are
    /// relative to `text`, merged per theme, sorted by (start, theme, rule).
    pub fn scan(&self, text: &str, sentences: &[Span]) -> Vec<Hit> {
        let norm = Norm::new(text);
        let nt = norm.text.as_str();
        // Sentence index of a normalised offset.
        let sent_spans: Vec<(usize, usize)> = if sentences.is_empty() {
            vec![(0, text.len())]
        } else {
            sentences.iter().map(|s| (s.start, s.end)).collect()
        };
        let sentence_of = |npos: usize| -> usize {
            let o = norm.orig(npos);
            sent_spans
                .iter()
                .position(|&(s, e)| s <= o && o < e)
                .unwrap_or_else(|| {
                    // Between sentences: attach to the previous one.
                    sent_spans.iter().rposition(|&(s, _)| s <= o).unwrap_or(0)
                })
        };

        // (theme, rule, nstart, nend)
        let mut raw: Vec<(usize, usize, usize, usize)> = vec![];
        for m in self.terms.find(nt) {
            raw.push((self.rules[m.owner].theme, m.owner, m.start, m.end));
        }
        for (re, rule) in &self.regexes {
            for m in re.find_iter(nt) {
                if m.start() < m.end() {
                    raw.push((self.rules[*rule].theme, *rule, m.start(), m.end()));
                }
            }
        }
        if !self.nears.is_empty() {
            let nm = self.near_terms.find(nt);
            for (ni, near) in self.nears.iter().enumerate() {
                let a: Vec<_> = nm.iter().filter(|m| m.owner == ni * 2).collect();
                let b: Vec<_> = nm.iter().filter(|m| m.owner == ni * 2 + 1).collect();
                for ma in &a {
                    let sa = sentence_of(ma.start);
                    let best = b
                        .iter()
                        .filter(|mb| sentence_of(mb.start) == sa)
                        .filter(|mb| mb.end <= ma.start || ma.end <= mb.start)
                        .map(|mb| {
                            let gap = if mb.start >= ma.end {
                                &nt[ma.end..mb.start]
                            } else {
                                &nt[mb.end..ma.start]
                            };
                            (count_words(gap), mb)
                        })
                        .filter(|(g, _)| *g <= near.within)
                        .min_by_key(|(g, mb)| (*g, mb.start));
                    if let Some((_, mb)) = best {
                        let theme = self.rules[near.rule].theme;
                        raw.push((theme, near.rule, ma.start.min(mb.start), ma.end.max(mb.end)));
                    }
                }
            }
        }
        if raw.is_empty() {
            return vec![];
        }
        // Exclusions veto overlapping hits of the same theme.
        let ex = self.excludes.find(nt);
        raw.retain(|&(theme, _, s, e)| {
            !ex.iter()
                .any(|x| x.owner == theme && x.start < e && s < x.end)
        });
        // Merge: drop a hit inside a longer (or earlier-rule) hit of the same theme.
        raw.sort_by(|a, b| {
            (a.0, a.2, std::cmp::Reverse(a.3), a.1).cmp(&(b.0, b.2, std::cmp::Reverse(b.3), b.1))
        });
        let mut merged: Vec<(usize, usize, usize, usize)> = vec![];
        for h in raw {
            let contained = merged
                .iter()
                .rev()
                .take_while(|k| k.0 == h.0)
                .any(|k| k.2 <= h.2 && h.3 <= k.3);
            if !contained {
                merged.push(h);
            }
        }
        // Negation.
        let cues = self.negation.find(nt);
        let mut hits: Vec<Hit> = merged
            .into_iter()
            .map(|(theme, rule, s, e)| {
                let negated = self.themes[theme].negation && {
                    let sh = sentence_of(s);
                    cues.iter().any(|c| {
                        c.end <= s
                            && sentence_of(c.start) == sh
                            && count_words(&nt[c.end..s]) <= self.window
                    })
                };
                Hit {
                    theme,
                    rule,
                    start: norm.orig(s),
                    end: norm.orig(e),
                    negated,
                }
            })
            .collect();
        hits.sort_by_key(|h| (h.start, h.theme, h.rule, h.end));
        hits
    }

    /// Canonical ids of the agencies named in `text` (whole words, any
    /// case), sorted and deduplicated.
    pub fn agencies_in(&self, text: &str) -> Vec<String> {
        let norm = Norm::new(text);
        let mut ids: Vec<String> = self
            .agency_terms
            .find(&norm.text)
            .into_iter()
            .map(|m| self.agencies[m.owner].id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// An agency by id.
    pub fn agency(&self, id: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.id == id)
    }
}

fn compile(file: schema::RuleFile, src: &str, d: &mut Diags<'_>) -> RuleSet {
    let rs_def = file.ruleset;
    let mut weights = HashMap::new();
    for (k, v) in &rs_def.section_weights {
        if let Some(kind) = schema::SECTION_KINDS.iter().find(|s| s.as_str() == k) {
            if *v.get_ref() < 0.0 || !v.get_ref().is_finite() {
                d.at(
                    v.span().start,
                    format!("section weight for {k} must be 0 or more"),
                );
            }
            weights.insert(*kind, *v.get_ref());
        }
    }
    let mut min_density = 0.0;
    if let Some(m) = &rs_def.min_density {
        if *m.get_ref() < 0.0 || !m.get_ref().is_finite() {
            d.at(m.span().start, "min_density must be 0 or more".to_string());
        } else {
            min_density = *m.get_ref();
        }
    }
    let mut second_hit_share = 0.0;
    if let Some(m) = &rs_def.second_hit_share {
        if !(0.0..=1.0).contains(m.get_ref()) {
            d.at(
                m.span().start,
                "second_hit_share must be between 0 and 1".to_string(),
            );
        } else {
            second_hit_share = *m.get_ref();
        }
    }
    let mut negation = PhraseSet::default();
    for c in &rs_def.negation.cues {
        match term_form(c.get_ref()) {
            Ok(TermForm::Literal(p, w)) => negation.add(&p, w, 0),
            Ok(TermForm::Pattern(_)) => d.at(
                c.span().start,
                format!(
                    "negation cue \"{}\": `*` only at the end of a cue",
                    c.get_ref()
                ),
            ),
            Err(e) => d.at(c.span().start, format!("negation cue: {e}")),
        }
    }

    // Themes: ids, duplicates.
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    for t in &file.theme {
        let id = t.id.get_ref();
        if !valid_id(id) {
            d.at(
                t.id.span().start,
                format!("theme id \"{id}\" must be lower-case letters, digits and _"),
            );
        }
        if let Some(&prev) = first.get(id.as_str()) {
            let (line, _) = line_col(src, prev);
            d.at(
                t.id.span().start,
                format!("duplicate theme id \"{id}\" (first defined on line {line})"),
            );
        } else {
            first.insert(id.clone(), t.id.span().start);
        }
    }
    // Parents: unknown, cycles.
    let parent_of: HashMap<&str, &str> = file
        .theme
        .iter()
        .filter_map(|t| {
            t.parent
                .as_ref()
                .map(|p| (t.id.get_ref().as_str(), p.get_ref().as_str()))
        })
        .collect();
    let mut has_child: HashMap<&str, bool> = HashMap::new();
    for t in &file.theme {
        if let Some(p) = &t.parent {
            has_child.insert(p.get_ref().as_str(), true);
            if !first.contains_key(p.get_ref().as_str()) {
                d.at(
                    p.span().start,
                    format!(
                        "theme \"{}\": unknown parent \"{}\"",
                        t.id.get_ref(),
                        p.get_ref()
                    ),
                );
                continue;
            }
            // Walk up; a cycle returns to this theme.
            let me = t.id.get_ref().as_str();
            let mut cur = p.get_ref().as_str();
            let mut steps = 0;
            while steps <= parent_of.len() {
                if cur == me {
                    d.at(
                        p.span().start,
                        format!("theme \"{me}\": parent cycle through \"{}\"", p.get_ref()),
                    );
                    break;
                }
                match parent_of.get(cur) {
                    Some(n) => cur = n,
                    None => break,
                }
                steps += 1;
            }
        }
    }

    let mut themes = vec![];
    let mut rules: Vec<RuleInfo> = vec![];
    let mut terms = PhraseSet::default();
    let mut regexes = vec![];
    let mut near_terms = PhraseSet::default();
    let mut nears = vec![];
    let mut excludes = PhraseSet::default();
    for (ti, t) in file.theme.iter().enumerate() {
        let id = t.id.get_ref().clone();
        let at = t.id.span().start;
        let has_rules = !(t.terms.is_empty()
            && t.aliases.is_empty()
            && t.regex.is_empty()
            && t.near.is_empty());
        if !has_rules && !has_child.contains_key(id.as_str()) {
            d.at(
                at,
                format!(
                    "theme \"{id}\": no terms, aliases, regex or near rules, and no child themes"
                ),
            );
        }
        let ex = t.examples.clone().unwrap_or_default();
        if has_rules && (ex.matches.is_empty() || ex.no_match.is_empty()) {
            d.at(
                at,
                format!(
                    "theme \"{id}\": examples missing (add [theme.examples] with at least one `match` and one `no_match` sentence)"
                ),
            );
        }
        let min_score = match &t.min_score {
            Some(m) => {
                if *m.get_ref() < 0.0 || !m.get_ref().is_finite() {
                    d.at(
                        m.span().start,
                        format!("theme \"{id}\": min_score must be 0 or more"),
                    );
                }
                *m.get_ref()
            }
            None => rs_def.default_min_score,
        };
        for (list, name) in [(&t.terms, "terms"), (&t.aliases, "aliases")] {
            if list.is_empty() {
                continue;
            }
            let ri = rules.len();
            rules.push(RuleInfo {
                id: format!("{id}/{name}"),
                theme: ti,
            });
            for term in list {
                match term_form(term.get_ref()) {
                    Ok(TermForm::Literal(p, w)) => terms.add(&p, w, ri),
                    Ok(TermForm::Pattern(p)) => match build_regex(&p) {
                        Ok(re) => regexes.push((re, ri)),
                        Err(e) => d.at(term.span().start, format!("theme \"{id}\": term: {e}")),
                    },
                    Err(e) => d.at(term.span().start, format!("theme \"{id}\": {e}")),
                }
            }
        }
        for (i, r) in t.regex.iter().enumerate() {
            let ri = rules.len();
            rules.push(RuleInfo {
                id: format!("{id}/regex/{i}"),
                theme: ti,
            });
            match build_regex(r.get_ref()) {
                Ok(re) => {
                    if re.is_match("") {
                        d.at(
                            r.span().start,
                            format!("theme \"{id}\": regex '{}' matches empty text", r.get_ref()),
                        );
                    }
                    regexes.push((re, ri))
                }
                Err(e) => d.at(
                    r.span().start,
                    format!("theme \"{id}\": bad regex '{}': {e}", r.get_ref()),
                ),
            }
        }
        for (i, n) in t.near.iter().enumerate() {
            let ri = rules.len();
            rules.push(RuleInfo {
                id: format!("{id}/near/{i}"),
                theme: ti,
            });
            let ni = nears.len();
            let nd = n.get_ref();
            if nd.a.is_empty() || nd.b.is_empty() {
                d.at(
                    n.span().start,
                    format!("theme \"{id}\": near/{i} needs words in both `a` and `b`"),
                );
            }
            for (side, words) in [(0, &nd.a), (1, &nd.b)] {
                for w in words {
                    match term_form(w) {
                        Ok(TermForm::Literal(p, wc)) => near_terms.add(&p, wc, ni * 2 + side),
                        Ok(TermForm::Pattern(_)) => d.at(
                            n.span().start,
                            format!("theme \"{id}\": near/{i}: \"{w}\": `*` only at the end"),
                        ),
                        Err(e) => d.at(n.span().start, format!("theme \"{id}\": near/{i}: {e}")),
                    }
                }
            }
            nears.push(NearRule {
                rule: ri,
                within: nd.within,
            });
        }
        for x in &t.exclude {
            match term_form(x.get_ref()) {
                Ok(TermForm::Literal(p, w)) => excludes.add(&p, w, ti),
                Ok(TermForm::Pattern(_)) => d.at(
                    x.span().start,
                    format!(
                        "theme \"{id}\": exclude \"{}\": `*` only at the end",
                        x.get_ref()
                    ),
                ),
                Err(e) => d.at(x.span().start, format!("theme \"{id}\": exclude: {e}")),
            }
        }
        let mut sections = vec![];
        for k in &t.sections {
            match schema::SECTION_KINDS
                .iter()
                .find(|s| s.as_str() == k.get_ref())
            {
                Some(kind) => sections.push(*kind),
                None => d.at(
                    k.span().start,
                    format!(
                        "theme \"{id}\": unknown section kind \"{}\" (one of: {})",
                        k.get_ref(),
                        schema::SECTION_KINDS.map(|s| s.as_str()).join(", ")
                    ),
                ),
            }
        }
        themes.push(Theme {
            sections,
            id,
            label: t.label.clone(),
            description: t.description.clone(),
            parent: t.parent.as_ref().map(|p| p.get_ref().clone()),
            sources: t.sources.clone(),
            min_score,
            negation: t.negation,
            examples_match: ex.matches,
            examples_no_match: ex.no_match,
            has_rules,
        });
    }

    // Agencies.
    let mut agencies = vec![];
    let mut agency_terms = PhraseSet::default();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for a in &file.agency {
        let id = a.id.get_ref();
        if !valid_id(id) {
            d.at(
                a.id.span().start,
                format!("agency id \"{id}\" must be lower-case letters, digits and _"),
            );
        }
        if let Some(&prev) = seen.get(id.as_str()) {
            let (line, _) = line_col(src, prev);
            d.at(
                a.id.span().start,
                format!("duplicate agency id \"{id}\" (first defined on line {line})"),
            );
            continue;
        }
        seen.insert(id.clone(), a.id.span().start);
        let ai = agencies.len();
        if a.aliases.is_empty() {
            d.at(a.id.span().start, format!("agency \"{id}\": no aliases"));
        }
        for al in &a.aliases {
            match term_form(al.get_ref()) {
                Ok(TermForm::Literal(p, w)) => agency_terms.add(&p, w, ai),
                Ok(TermForm::Pattern(_)) => d.at(
                    al.span().start,
                    format!(
                        "agency \"{id}\": alias \"{}\": `*` only at the end",
                        al.get_ref()
                    ),
                ),
                Err(e) => d.at(al.span().start, format!("agency \"{id}\": {e}")),
            }
        }
        agencies.push(Agency {
            id: id.clone(),
            label: a.label.clone(),
            level: a.level,
            aliases: a.aliases.iter().map(|x| x.get_ref().clone()).collect(),
        });
    }

    for set in [
        &mut terms,
        &mut near_terms,
        &mut excludes,
        &mut negation,
        &mut agency_terms,
    ] {
        if let Err(e) = set.build() {
            d.at(0, format!("cannot build phrase automaton: {e}"));
        }
    }

    RuleSet {
        version: crate::model::sha256_hex(src.as_bytes())[..12].to_string(),
        name: rs_def.name,
        languages: rs_def.language,
        themes,
        rules,
        agencies,
        weights,
        default_weight: rs_def.default_weight,
        min_density,
        second_hit_share,
        front_matter_max_words: rs_def.front_matter_max_words,
        window: rs_def.negation.window,
        terms,
        regexes,
        near_terms,
        nears,
        excludes,
        negation,
        agency_terms,
    }
}

#[cfg(test)]
mod tests;
