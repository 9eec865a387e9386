//! The gazetteer of bodies recommendations are addressed to: the rule
//! files' `[[body]]` entries compiled into matchers. A body is either named
//! ("Home Office", with aliases such as "Home Secretary" and "Swyddfa
//! Gartref") or a pattern for a family of local bodies ("{place} Police",
//! with aliases "{place} Constabulary", "Heddlu {place}"), whose canonical
//! name is the pattern with the place filled in. Each body has a category
//! (an agency id of the rule file) and a level.
//!
//! Matching: an alias written in capitals (an acronym: "CQC", "NICE") must
//! match as written; any other alias matches in any letter case but the
//! text must start with a capital (a name, not a phrase: "the home office
//! she worked from" is no body). `&` and "and", straight and curly
//! apostrophes, and runs of spaces are interchangeable. A place is one to
//! five capitalised words ("Devon and Cornwall", "Stoke-on-Trent",
//! "Kingston upon Hull"), without the role words that may stand before it
//! ("the Chief Constable of Hertfordshire Constabulary" names
//! "Hertfordshire Constabulary").

use super::diag::Diags;
use super::matcher::{Norm, PhraseSet, normalise_phrase};
use super::schema::RuleFile;
use super::{Agency, Source};
use crate::model::AgencyLevel;
use aho_corasick::AhoCorasick;
use regex::Regex;

/// A named body found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyMatch {
    /// Byte span of the name in the text searched.
    pub start: usize,
    pub end: usize,
    /// The name as written.
    pub name: String,
    /// The canonical name (the gazetteer's, place filled in).
    pub canonical: String,
    /// An agency id of the rule file, or "other".
    pub category: String,
    pub level: Option<AgencyLevel>,
}

#[derive(Debug, Clone)]
struct Body {
    /// Canonical name, with `{place}` for a pattern.
    name: String,
    category: String,
    level: Option<AgencyLevel>,
}

#[derive(Debug, Clone)]
struct Alias {
    body: usize,
    /// How the alias is found.
    how: AliasMatch,
    /// Whether the match may start lower case (acronyms: no such test).
    needs_capital: bool,
}

/// A named alias is a phrase of the gazetteer's phrase set (one automaton
/// for all of them); only a pattern with `{place}` needs a regex.
#[derive(Debug, Clone)]
enum AliasMatch {
    /// Found through the phrase set; an acronym must match as written.
    Named {
        acronym: Option<String>,
    },
    Pattern(Regex),
}

/// The compiled gazetteer.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    bodies: Vec<Body>,
    aliases: Vec<Alias>,
    /// Every named alias, normalised (owner = alias index).
    named: PhraseSet,
    /// The longest literal word of every pattern alias, to find which
    /// patterns can occur in a text at all; `anchor_aliases[k]` lists the
    /// aliases of anchor `k`.
    anchors: Option<AhoCorasick>,
    anchor_aliases: Vec<Vec<usize>>,
}

/// Words that stand before a place but are not part of it.
const ROLE_WORDS: &[&str] = &[
    "the",
    "chief",
    "constable",
    "executive",
    "officer",
    "director",
    "secretary",
    "state",
    "minister",
    "head",
    "manager",
    "lead",
    "team",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "professor",
    "sir",
    "dame",
    "rt",
    "hon",
    "mp",
    "qc",
    "kc",
    "cc",
    "for",
    "to",
    "from",
    "with",
    "by",
    "and",
    "of",
    "at",
    "in",
    "on",
    "dear",
    "medical",
    "nursing",
    "deputy",
    "assistant",
    "interim",
    "acting",
    "senior",
    "coroner",
    "area",
    "via",
    "also",
    "copy",
    "copies",
    "cc:",
];

/// Words that join the words of a place ("Devon and Cornwall").
const JOINERS: &[&str] = &["and", "&", "upon", "on", "of", "in", "the", "y", "yr"];

/// A place: capitalised words, possibly joined.
const PLACE: &str = r"(?P<place>[A-Z][A-Za-z0-9À-ÖØ-öø-ſŴŵŶŷ'’\-]*(?:[ \t]+(?:(?:and|&|upon|on|of|in|the|y|yr)[ \t]+)?[A-Z][A-Za-z0-9À-ÖØ-öø-ſŴŵŶŷ'’\-]*){0,5})";

/// An alias as a regex: words with flexible spaces, `&` or "and",
/// apostrophes optional; `{place}` for a place.
fn alias_pattern(alias: &str) -> Result<(String, bool), String> {
    let letters: Vec<char> = alias
        .replace("{place}", "")
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect();
    if letters.is_empty() {
        return Err(format!("alias \"{alias}\" has no letters"));
    }
    let acronym = letters.len() <= 8 && letters.iter().all(|c| c.is_uppercase());
    let mut out = String::new();
    let parts: Vec<&str> = alias.split("{place}").collect();
    if parts.len() > 2 {
        return Err(format!("alias \"{alias}\": `{{place}}` at most once"));
    }
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(PLACE);
        }
        let lit = literal(part);
        if lit.is_empty() {
            continue;
        }
        if acronym {
            out.push_str(&lit);
        } else {
            out.push_str(&format!("(?i:{lit})"));
        }
    }
    let has_place = parts.len() == 2;
    Ok((format!(r"\b{out}\b"), !acronym || has_place))
}

fn literal(part: &str) -> String {
    let mut out = String::new();
    let words: Vec<&str> = part.split_whitespace().collect();
    let lead = part.starts_with(char::is_whitespace);
    let trail = part.ends_with(char::is_whitespace);
    if lead && !words.is_empty() {
        out.push_str(r"[ \t\n]+");
    }
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push_str(r"[ \t\n]+");
        }
        if w.eq_ignore_ascii_case("and") || *w == "&" {
            out.push_str("(?:and|&)");
            continue;
        }
        for c in w.chars() {
            match c {
                '\'' | '’' => out.push_str("['’]?"),
                _ => out.push_str(&regex::escape(&c.to_string())),
            }
        }
    }
    if trail && !words.is_empty() {
        out.push_str(r"[ \t\n]+");
    }
    out
}

/// The place without the role words before it: "Chief Constable of
/// Hertfordshire" → "Hertfordshire". Returns its byte offset in `place`.
fn trim_place(place: &str) -> Option<usize> {
    let words: Vec<(usize, &str)> = place
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - place.as_ptr() as usize, w))
        .collect();
    let is_role = |w: &str| ROLE_WORDS.contains(&w.to_lowercase().as_str());
    // The last role word that is not a joiner between two place words.
    let mut first = 0;
    for (i, (_, w)) in words.iter().enumerate() {
        let lw = w.to_lowercase();
        let joiner = JOINERS.contains(&lw.as_str()) && i > first && i + 1 < words.len();
        // A joiner between two place words ("Devon and Cornwall") stays.
        let inside_place = joiner && !is_role(words[i - 1].1);
        if is_role(w) && !inside_place {
            first = i + 1;
        }
    }
    while first < words.len() && JOINERS.contains(&words[first].1.to_lowercase().as_str()) {
        first += 1;
    }
    words.get(first).map(|(off, _)| *off)
}

impl Gazetteer {
    /// Every body named in `text`, leftmost and longest first, not
    /// overlapping, in text order.
    pub fn find_all(&self, text: &str) -> Vec<BodyMatch> {
        let mut found = self.raw_matches(text);
        shrink_places(text, &mut found);
        // Longest first at each start; named bodies (listed first) win ties.
        found.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end), r.body));
        let mut out: Vec<BodyMatch> = Vec::new();
        let mut last_end = 0;
        for r in found {
            if r.start < last_end {
                continue;
            }
            last_end = r.end;
            let body = &self.bodies[r.body];
            let canonical = match r.place {
                Some((ps, pe)) => body.name.replace("{place}", &tidy(&text[ps..pe])),
                None => body.name.clone(),
            };
            out.push(BodyMatch {
                start: r.start,
                end: r.end,
                name: tidy(&text[r.start..r.end]),
                canonical,
                category: body.category.clone(),
                level: body.level,
            });
        }
        out
    }

    /// Every alias match, places trimmed of role words, capitals checked.
    fn raw_matches(&self, text: &str) -> Vec<Raw> {
        let mut found = self.named_matches(text);
        let Some(ac) = &self.anchors else {
            return found;
        };
        let mut candidates: Vec<usize> = ac
            .find_overlapping_iter(text)
            .flat_map(|m| self.anchor_aliases[m.pattern().as_usize()].iter().copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for ai in candidates {
            let a = &self.aliases[ai];
            let AliasMatch::Pattern(re) = &a.how else {
                continue;
            };
            for c in re.captures_iter(text) {
                let Some(m) = c.get(0) else { continue };
                let mut raw = Raw {
                    start: m.start(),
                    end: m.end(),
                    body: a.body,
                    place: None,
                };
                if let Some(p) = c.name("place") {
                    let Some(off) = trim_place(p.as_str()) else {
                        continue;
                    };
                    if p.start() == m.start() {
                        raw.start = p.start() + off;
                    }
                    raw.place = Some((p.start() + off, p.end()));
                }
                if a.needs_capital && !starts_upper(&text[raw.start..]) {
                    continue;
                }
                found.push(raw);
            }
        }
        found
    }

    /// Named aliases through the phrase set, on the normalised text; an
    /// acronym must appear as written, a name must start with a capital.
    fn named_matches(&self, text: &str) -> Vec<Raw> {
        let norm = Norm::new(text);
        let mut out = Vec::new();
        for m in self.named.find(&norm.text) {
            let a = &self.aliases[m.owner];
            let (start, end) = (norm.orig(m.start), norm.orig(m.end));
            let written = &text[start..end];
            let ok = match &a.how {
                AliasMatch::Named {
                    acronym: Some(exact),
                } => written.split_whitespace().eq(exact.split_whitespace()),
                _ => !a.needs_capital || starts_upper(written),
            };
            if ok {
                out.push(Raw {
                    start,
                    end,
                    body: a.body,
                    place: None,
                });
            }
        }
        out
    }

    /// The body a name as written stands for: the longest body named in
    /// it, or, outside the gazetteer, the name itself, tidied, in category
    /// "other".
    pub fn resolve(&self, name: &str) -> BodyMatch {
        let name = tidy(name);
        let best = self
            .find_all(&name)
            .into_iter()
            .max_by_key(|m| (m.end - m.start, std::cmp::Reverse(m.start)));
        match best {
            Some(m) => BodyMatch {
                start: 0,
                end: name.len(),
                name,
                ..m
            },
            None => BodyMatch {
                start: 0,
                end: name.len(),
                canonical: name
                    .trim_start_matches("The ")
                    .trim_start_matches("the ")
                    .to_string(),
                name,
                category: "other".into(),
                level: None,
            },
        }
    }

    /// Number of bodies (named and patterns).
    pub fn len(&self) -> usize {
        self.bodies.len()
    }

    /// Whether the gazetteer is empty.
    pub fn is_empty(&self) -> bool {
        self.bodies.is_empty()
    }
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

/// An alias match before overlaps are resolved.
#[derive(Debug, Clone, Copy)]
struct Raw {
    start: usize,
    end: usize,
    body: usize,
    /// Byte span of the place, for a pattern.
    place: Option<(usize, usize)>,
}

/// A place that holds another body's whole name ("Glanmor Police and
/// Aberwen" before "University Health Board") starts after it.
fn shrink_places(text: &str, found: &mut Vec<Raw>) {
    let spans: Vec<(usize, usize)> = found.iter().map(|r| (r.start, r.end)).collect();
    found.retain_mut(|r| {
        let Some((ps, pe)) = r.place else {
            return true;
        };
        let inner = spans
            .iter()
            .filter(|&&(s, e)| ps <= s && e <= pe && (s, e) != (r.start, r.end))
            .map(|&(_, e)| e)
            .max();
        let Some(cut) = inner else {
            return true;
        };
        let rest = &text[cut..pe];
        let Some(off) = trim_place(rest) else {
            return false;
        };
        let new_ps = cut + off;
        if r.start == ps {
            r.start = new_ps;
        }
        r.place = Some((new_ps, pe));
        true
    });
}

/// Whitespace collapsed, trailing punctuation dropped.
fn tidy(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches([',', ';', ':', '.'])
        .to_string()
}

/// Every file's `[[body]]` entries, in order.
pub(super) fn compile(
    files: &[(Source<'_>, RuleFile)],
    agencies: &[Agency],
    diags: &mut [Diags<'_>],
) -> Gazetteer {
    let mut g = Gazetteer::default();
    let mut anchors: Vec<String> = Vec::new();
    for (fi, (_, file)) in files.iter().enumerate() {
        for b in &file.body {
            let mut cat = b.category.get_ref().as_str();
            let agency = agencies.iter().find(|a| a.id == cat);
            if agency.is_none() && cat != "other" {
                // A rule file without this category still gets the built-in
                // bodies, as "other"; its own bodies must name a category it has.
                if fi == 0 {
                    diags[fi].at(
                        b.category.span().start,
                        format!(
                            "body \"{}\": unknown category \"{cat}\" (an [[agency]] id, or \"other\")",
                            b.name.get_ref()
                        ),
                    );
                    continue;
                }
                cat = "other";
            }
            let bi = g.bodies.len();
            g.bodies.push(Body {
                name: b.name.get_ref().clone(),
                category: cat.to_string(),
                level: b.level.or(agency.map(|a| a.level)),
            });
            let forms = std::iter::once(&b.name).chain(&b.aliases).flat_map(|al| {
                welsh_mutations(al.get_ref())
                    .into_iter()
                    .map(move |f| (al, f))
            });
            for (al, form) in forms {
                let ai = g.aliases.len();
                match compile_alias(&form, bi) {
                    Ok((alias, phrases)) => {
                        for p in phrases {
                            g.named.add(&p, false, ai);
                        }
                        if matches!(alias.how, AliasMatch::Pattern(_)) {
                            let anchor = anchor_word(&form);
                            let k = match anchors.iter().position(|a| *a == anchor) {
                                Some(k) => k,
                                None => {
                                    anchors.push(anchor);
                                    g.anchor_aliases.push(Vec::new());
                                    anchors.len() - 1
                                }
                            };
                            g.anchor_aliases[k].push(ai);
                        }
                        g.aliases.push(alias);
                    }
                    Err(e) => diags[fi].at(al.span().start, format!("body: {e}")),
                }
            }
        }
    }
    if let Err(e) = g.named.build() {
        diags[0].at(0, format!("cannot build the gazetteer: {e}"));
    }
    match AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&anchors)
    {
        Ok(ac) => g.anchors = Some(ac),
        Err(e) => diags[0].at(0, format!("cannot build the gazetteer: {e}")),
    }
    g
}

/// Welsh words that open a body's name and change their first sound after
/// "a", "i", "gan", "yn", "ei" ("a Chyngor Sir …", "i Fwrdd Iechyd …",
/// "yng Nghyngor …").
const WELSH_HEADS: &[&str] = &[
    "Cyngor",
    "Bwrdd",
    "Llywodraeth",
    "Gwasanaeth",
    "Gwasanaethau",
    "Comisiynydd",
    "Comisiwn",
    "Prifysgol",
    "Arolygiaeth",
    "Gofal",
    "Partneriaeth",
    "Canolfan",
    "Ymddiriedolaeth",
    "Swyddfa",
    "Adran",
    "Panel",
    "Cymdeithas",
    "Awdurdod",
    "Llys",
    "Tîm",
    "Pwyllgor",
    "Bwrdeistref",
];

/// An alias and, when its first word is a Welsh head, the forms of that
/// word under the soft, aspirate and nasal mutations ("Cyngor": "Gyngor",
/// "Chyngor", "Nghyngor"), so that a body is found as the sentence writes it.
fn welsh_mutations(alias: &str) -> Vec<String> {
    let mut out = vec![alias.to_string()];
    let (first, rest) = alias.split_once(' ').unwrap_or((alias, ""));
    if !WELSH_HEADS.contains(&first) {
        return out;
    }
    const MUTATIONS: &[(&str, &[&str])] = &[
        ("Ll", &["L"]),
        ("Rh", &["R"]),
        ("C", &["G", "Ch", "Ngh"]),
        ("P", &["B", "Ph", "Mh"]),
        ("T", &["D", "Th", "Nh"]),
        ("B", &["F", "M"]),
        ("D", &["Dd", "N"]),
        ("G", &["", "Ng"]),
        ("M", &["F"]),
    ];
    let Some((from, tos)) = MUTATIONS.iter().find(|(f, _)| first.starts_with(f)) else {
        return out;
    };
    let tail = &first[from.len()..];
    for to in *tos {
        let mut word = format!("{to}{tail}");
        if to.is_empty() {
            // "Gofal" → "Ofal": the next letter takes the capital.
            let mut cs = tail.chars();
            word = cs
                .next()
                .map(|c| c.to_uppercase().chain(cs).collect())
                .unwrap_or_default();
        }
        let form = if rest.is_empty() {
            word
        } else {
            format!("{word} {rest}")
        };
        out.push(form);
    }
    out
}

/// One alias: a pattern (with `{place}`) as a regex; a name as the
/// normalised phrases of the phrase set ("&" and "and" both).
fn compile_alias(alias: &str, body: usize) -> Result<(Alias, Vec<String>), String> {
    let (pattern, needs_capital) = alias_pattern(alias)?;
    if alias.contains("{place}") {
        let re = regex::RegexBuilder::new(&pattern)
            .dfa_size_limit(1 << 18)
            .build()
            .map_err(|e| e.to_string())?;
        let how = AliasMatch::Pattern(re);
        return Ok((
            Alias {
                body,
                how,
                needs_capital,
            },
            vec![],
        ));
    }
    let acronym = (!needs_capital).then(|| alias.to_string());
    let base = normalise_phrase(alias);
    let mut phrases = vec![base.clone()];
    for (from, to) in [(" & ", " and "), (" and ", " & ")] {
        if base.contains(from) {
            phrases.push(base.replace(from, to));
        }
    }
    let how = AliasMatch::Named { acronym };
    Ok((
        Alias {
            body,
            how,
            needs_capital,
        },
        phrases,
    ))
}

/// The longest word of an alias outside `{place}`, lower case: a text
/// without it cannot hold the alias.
fn anchor_word(alias: &str) -> String {
    alias
        .replace("{place}", " ")
        .split(|c: char| !c.is_alphanumeric())
        .max_by_key(|w| w.chars().count())
        .unwrap_or("")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> Gazetteer {
        crate::rules::RuleSet::default_rules().gazetteer().clone()
    }

    fn canon(text: &str) -> Vec<String> {
        g().find_all(text)
            .into_iter()
            .map(|m| m.canonical)
            .collect()
    }

    #[test]
    fn named_bodies_and_patterns() {
        assert_eq!(
            canon("The Chief Constable of Hertfordshire Constabulary should ensure"),
            ["Hertfordshire Constabulary"]
        );
        assert_eq!(
            canon("Heddlu Glanmor a Bwrdd Iechyd Prifysgol Aberwen"),
            ["Glanmor Police", "Aberwen University Health Board"]
        );
        assert_eq!(
            canon("the Secretary of State for Transport"),
            ["Department for Transport"]
        );
        assert_eq!(
            canon("NICE and the CQC"),
            [
                "National Institute for Health and Care Excellence",
                "Care Quality Commission"
            ]
        );
        assert_eq!(canon("It would be nice to see."), Vec::<String>::new());
        assert_eq!(
            canon("Devon and Cornwall Police"),
            ["Devon and Cornwall Police"]
        );
        assert_eq!(canon("she worked from a home office"), Vec::<String>::new());
    }

    #[test]
    fn welsh_names_are_found_after_a_mutation() {
        assert_eq!(
            canon("Dylai Bwrdd Iechyd Prifysgol Ffuglen a Chyngor Bwrdeistref Sirol Gwernant"),
            [
                "Ffuglen University Health Board",
                "Gwernant County Borough Council"
            ]
        );
        assert_eq!(
            canon("adroddiad i Fwrdd Diogelu Ffuglen"),
            ["Ffuglen Regional Safeguarding Board"]
        );
        assert_eq!(
            welsh_mutations("Gofal Cymdeithasol Cymru"),
            [
                "Gofal Cymdeithasol Cymru",
                "Ofal Cymdeithasol Cymru",
                "Ngofal Cymdeithasol Cymru"
            ]
        );
        // English names are never mutated ("Mind" never becomes "Find").
        assert_eq!(welsh_mutations("Mind"), ["Mind"]);
    }

    #[test]
    fn resolve_keeps_the_name_as_written() {
        let m =
            g().resolve("Ms A Person, Chief Executive, Camden & Islington NHS Foundation Trust");
        assert_eq!(m.canonical, "Camden & Islington NHS Foundation Trust");
        assert_eq!(m.category, "health_board");
        let o = g().resolve("The Fictional Rowing Club");
        assert_eq!(
            (o.canonical.as_str(), o.category.as_str()),
            ("Fictional Rowing Club", "other")
        );
    }

    #[test]
    fn every_built_in_category_is_an_agency_of_the_default_rules() {
        let rules = crate::rules::RuleSet::default_rules();
        let g = rules.gazetteer();
        for b in &g.bodies {
            assert!(
                b.category == "other" || rules.agency(&b.category).is_some(),
                "{}: {}",
                b.name,
                b.category
            );
        }
        assert!(g.len() > 100);
    }

    #[test]
    fn places_lose_role_words() {
        let p = "Chief Constable of Hertfordshire";
        assert_eq!(&p[trim_place(p).unwrap()..], "Hertfordshire");
        let p = "Devon and Cornwall";
        assert_eq!(&p[trim_place(p).unwrap()..], "Devon and Cornwall");
        let p = "Kingston upon Hull";
        assert_eq!(&p[trim_place(p).unwrap()..], "Kingston upon Hull");
        assert_eq!(trim_place("The Chief"), None);
    }
}
