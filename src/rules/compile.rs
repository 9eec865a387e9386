//! Compiling a parsed rule file into a [`RuleSet`]: settings, themes with
//! their terms, regexes, proximity and exclusions, and the agency
//! categories. Every problem is recorded in [`Diags`] with its position.

use super::diag::{Diags, line_col};
use super::matcher::{self, PhraseSet, normalise_phrase};
use super::schema;
use super::{Agency, NearRule, RuleInfo, RuleSet, RulesError, Source, Theme};
use crate::model::SectionKind;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Size limits for user regexes (bytes of compiled program / lazy DFA cache).
const REGEX_SIZE_LIMIT: usize = 1 << 20;
const REGEX_DFA_SIZE_LIMIT: usize = 2 << 20;

/// A term as written → (normalised phrase, wildcard) for the automaton, or
/// a regex when `*` appears inside the phrase; Err for unusable terms.
pub(super) enum TermForm {
    Literal(String, bool),
    Pattern(String),
}

pub(super) fn term_form(raw: &str) -> Result<TermForm, String> {
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

pub(super) fn build_regex(pattern: &str) -> Result<regex::Regex, String> {
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

pub(super) fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Compile parsed rule files into one rule set: the first file's
/// `[ruleset]`, themes and agencies; every file's anatomy and bodies, in
/// order. Every problem of every file is reported.
pub(super) fn compile_all(
    files: Vec<(Source<'_>, schema::RuleFile)>,
) -> Result<RuleSet, RulesError> {
    let mut diags: Vec<Diags<'_>> = files
        .iter()
        .map(|(s, _)| Diags {
            src: s.text,
            origin: s.origin,
            list: vec![],
        })
        .collect();
    let (main_src, main) = &files[0];
    let Some(rs_def) = main.ruleset.as_ref() else {
        diags[0].at(
            0,
            "missing table [ruleset] (the rule set's name and settings)",
        );
        return Err(finish(diags));
    };
    let d = &mut diags[0];
    let settings = settings(rs_def, d);
    let ids = check_theme_ids(&main.theme, main_src.text, d);
    let has_child = check_parents(&main.theme, &ids, d);
    let themes = compile_themes(&main.theme, rs_def, &has_child, d);
    let (agencies, agency_terms) = compile_agencies(&main.agency, main_src.text, d);
    let anatomy = super::anatomy::compile(&files, &mut diags);
    let gazetteer = super::bodies::compile(&files, &agencies, &mut diags);
    let grouping = match &main.grouping {
        Some(g) => super::grouping::compile(g, &mut diags[0]),
        None => {
            diags[0].at(0, "missing table [grouping] (when recommendations recur)");
            return Err(finish(diags));
        }
    };
    let mut version_input = String::new();
    for (s, _) in &files {
        version_input.push_str(s.text);
    }
    // The grouping settings in use, which may be the default rules' table.
    version_input.push_str(&format!("{grouping:?}"));
    let rs = RuleSet {
        version: crate::model::sha256_hex(version_input.as_bytes())[..12].to_string(),
        name: rs_def.name.clone(),
        languages: rs_def.language.clone(),
        themes: themes.themes,
        rules: themes.rules,
        agencies,
        weights: settings.weights,
        default_weight: rs_def.default_weight,
        min_density: settings.min_density,
        second_hit_share: settings.second_hit_share,
        front_matter_max_words: rs_def.front_matter_max_words,
        window: rs_def.negation.window,
        terms: themes.terms,
        regexes: themes.regexes,
        near_terms: themes.near_terms,
        nears: themes.nears,
        excludes: themes.excludes,
        negation: settings.negation,
        agency_terms,
        anatomy: Arc::new(anatomy.0),
        rec_cues: Arc::new(anatomy.1),
        plan_cues: Arc::new(anatomy.2),
        gazetteer: Arc::new(gazetteer),
        grouping: Arc::new(grouping),
    };
    if diags.iter().all(|d| d.list.is_empty()) {
        Ok(rs)
    } else {
        Err(finish(diags))
    }
}

fn finish(diags: Vec<Diags<'_>>) -> RulesError {
    RulesError::Invalid(diags.into_iter().flat_map(|d| d.finish()).collect())
}

/// The `[ruleset]` settings that need checking.
struct Settings {
    weights: HashMap<SectionKind, f32>,
    min_density: f32,
    second_hit_share: f32,
    negation: PhraseSet,
}

fn settings(rs_def: &schema::RulesetDef, d: &mut Diags<'_>) -> Settings {
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
    if let Err(e) = negation.build() {
        d.at(0, format!("cannot build phrase automaton: {e}"));
    }
    Settings {
        weights,
        min_density,
        second_hit_share,
        negation,
    }
}

/// Theme ids: well formed and unique. Returns each id's first position.
fn check_theme_ids(
    themes: &[schema::ThemeDef],
    src: &str,
    d: &mut Diags<'_>,
) -> BTreeMap<String, usize> {
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    for t in themes {
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
    first
}

/// Parents: known, and no cycles. Returns the themes that have children.
fn check_parents<'a>(
    themes: &'a [schema::ThemeDef],
    ids: &BTreeMap<String, usize>,
    d: &mut Diags<'_>,
) -> HashMap<&'a str, bool> {
    let parent_of: HashMap<&str, &str> = themes
        .iter()
        .filter_map(|t| {
            t.parent
                .as_ref()
                .map(|p| (t.id.get_ref().as_str(), p.get_ref().as_str()))
        })
        .collect();
    let mut has_child: HashMap<&str, bool> = HashMap::new();
    for t in themes {
        if let Some(p) = &t.parent {
            has_child.insert(p.get_ref().as_str(), true);
            if !ids.contains_key(p.get_ref().as_str()) {
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
    has_child
}

/// Compiled themes and their matchers.
struct Themes {
    themes: Vec<Theme>,
    rules: Vec<RuleInfo>,
    terms: PhraseSet,
    regexes: Vec<(regex::Regex, usize)>,
    near_terms: PhraseSet,
    nears: Vec<NearRule>,
    excludes: PhraseSet,
}

fn compile_themes(
    defs: &[schema::ThemeDef],
    rs_def: &schema::RulesetDef,
    has_child: &HashMap<&str, bool>,
    d: &mut Diags<'_>,
) -> Themes {
    let mut out = Themes {
        themes: vec![],
        rules: vec![],
        terms: PhraseSet::default(),
        regexes: vec![],
        near_terms: PhraseSet::default(),
        nears: vec![],
        excludes: PhraseSet::default(),
    };
    for (ti, t) in defs.iter().enumerate() {
        compile_theme(t, ti, rs_def, has_child, &mut out, d);
    }
    for set in [&mut out.terms, &mut out.near_terms, &mut out.excludes] {
        if let Err(e) = set.build() {
            d.at(0, format!("cannot build phrase automaton: {e}"));
        }
    }
    out
}

fn compile_theme(
    t: &schema::ThemeDef,
    ti: usize,
    rs_def: &schema::RulesetDef,
    has_child: &HashMap<&str, bool>,
    out: &mut Themes,
    d: &mut Diags<'_>,
) {
    let id = t.id.get_ref().clone();
    let at = t.id.span().start;
    let has_rules =
        !(t.terms.is_empty() && t.aliases.is_empty() && t.regex.is_empty() && t.near.is_empty());
    if !has_rules && !has_child.contains_key(id.as_str()) {
        d.at(
            at,
            format!("theme \"{id}\": no terms, aliases, regex or near rules, and no child themes"),
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
        let ri = out.rules.len();
        out.rules.push(RuleInfo {
            id: format!("{id}/{name}"),
            theme: ti,
        });
        for term in list {
            match term_form(term.get_ref()) {
                Ok(TermForm::Literal(p, w)) => out.terms.add(&p, w, ri),
                Ok(TermForm::Pattern(p)) => match build_regex(&p) {
                    Ok(re) => out.regexes.push((re, ri)),
                    Err(e) => d.at(term.span().start, format!("theme \"{id}\": term: {e}")),
                },
                Err(e) => d.at(term.span().start, format!("theme \"{id}\": {e}")),
            }
        }
    }
    for (i, r) in t.regex.iter().enumerate() {
        let ri = out.rules.len();
        out.rules.push(RuleInfo {
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
                out.regexes.push((re, ri))
            }
            Err(e) => d.at(
                r.span().start,
                format!("theme \"{id}\": bad regex '{}': {e}", r.get_ref()),
            ),
        }
    }
    for (i, n) in t.near.iter().enumerate() {
        let ri = out.rules.len();
        out.rules.push(RuleInfo {
            id: format!("{id}/near/{i}"),
            theme: ti,
        });
        let ni = out.nears.len();
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
                    Ok(TermForm::Literal(p, wc)) => out.near_terms.add(&p, wc, ni * 2 + side),
                    Ok(TermForm::Pattern(_)) => d.at(
                        n.span().start,
                        format!("theme \"{id}\": near/{i}: \"{w}\": `*` only at the end"),
                    ),
                    Err(e) => d.at(n.span().start, format!("theme \"{id}\": near/{i}: {e}")),
                }
            }
        }
        out.nears.push(NearRule {
            rule: ri,
            within: nd.within,
        });
    }
    for x in &t.exclude {
        match term_form(x.get_ref()) {
            Ok(TermForm::Literal(p, w)) => out.excludes.add(&p, w, ti),
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
    out.themes.push(Theme {
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

/// Agency categories: ids well formed and unique, aliases compiled.
fn compile_agencies(
    defs: &[schema::AgencyDef],
    src: &str,
    d: &mut Diags<'_>,
) -> (Vec<Agency>, PhraseSet) {
    let mut agencies = vec![];
    let mut agency_terms = PhraseSet::default();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for a in defs {
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
    if let Err(e) = agency_terms.build() {
        d.at(0, format!("cannot build phrase automaton: {e}"));
    }
    (agencies, agency_terms)
}
