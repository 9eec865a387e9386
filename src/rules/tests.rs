//! Unit tests for the rules engine: parsing, checking, matching semantics.

use super::*;
use proptest::prelude::*;

/// A small rule file with one theme per feature under test (fictional).
const MINI: &str = r#"
[ruleset]
name = "mini"
[ruleset.negation]
cues = ["no evidence of", "denied"]
window = 3

[[theme]]
id = "illness"
label = "Illness"
terms = ["ill", "strangl*", "threat* to kill"]
[theme.examples]
match = ["x"]
no_match = ["y"]

[[theme]]
id = "control"
label = "Control"
terms = ["coercive control", "Controlling Behaviour"]
exclude = ["coercive control unit"]
[theme.examples]
match = ["x"]
no_match = ["y"]

[[theme]]
id = "isolation"
label = "Isolation"
near = [{ a = ["isolat*"], b = ["friends", "family"], within = 3 }]
[theme.examples]
match = ["x"]
no_match = ["y"]

[[theme]]
id = "money"
label = "Money"
regex = ['\bcontroll(ed|ing) (her|his) money\b']
[theme.examples]
match = ["x"]
no_match = ["y"]
"#;

fn mini() -> RuleSet {
    RuleSet::from_toml(MINI, "mini.toml").unwrap()
}

/// (theme id, matched text, negated) for every hit in `text` (one sentence
/// per `. `).
fn hits(rs: &RuleSet, text: &str) -> Vec<(String, String, bool)> {
    let sentences = crate::tag::rough_sentences(text);
    rs.scan(text, &sentences)
        .into_iter()
        .map(|h| {
            (
                rs.themes()[h.theme].id.clone(),
                text[h.start..h.end].to_string(),
                h.negated,
            )
        })
        .collect()
}

fn present(rs: &RuleSet, text: &str, theme: &str) -> Vec<String> {
    hits(rs, text)
        .into_iter()
        .filter(|(t, _, n)| t == theme && !n)
        .map(|(_, m, _)| m)
        .collect()
}

#[test]
fn default_rules_compile_with_all_contract_themes() {
    let rs = RuleSet::default_rules();
    assert_eq!(rs.version().len(), 12);
    for id in [
        "coercive_control",
        "risk_assessment",
        "information_sharing",
        "multi_agency_working",
        "training_awareness",
        "mental_health",
        "substance_misuse",
        "children_young_people",
        "stalking_harassment",
        "honour_based_abuse_fgm_forced_marriage",
        "perpetrator_interventions",
        "housing",
        "criminal_justice",
        "health_services",
        "education",
        "record_keeping",
        "professional_curiosity",
        "marac_dash",
        "separation",
        "financial_abuse",
        "older_people",
        "disability",
        "bame_minority_communities",
        "lgbt",
        "sexual_violence",
        "modern_slavery_exploitation",
        "survivor_voice",
    ] {
        let t = rs.theme(id).unwrap_or_else(|| panic!("missing theme {id}"));
        assert!(t.has_rules, "{id} has no rules");
        assert!(
            t.examples_match.len() >= 2,
            "{id}: fewer than 2 match examples"
        );
        assert!(
            t.examples_no_match.len() >= 2,
            "{id}: fewer than 2 no_match examples"
        );
        assert!(!t.sources.is_empty(), "{id}: no sources");
    }
    for id in [
        "police",
        "probation",
        "gp_primary_care",
        "hospital_emergency",
        "ambulance",
        "mental_health_services",
        "substance_misuse_services",
        "childrens_services",
        "adult_social_care",
        "housing",
        "education",
        "specialist_da_services",
        "marac",
        "mappa",
        "health_board",
        "local_authority",
        "community_safety_partnership",
        "regional_safeguarding_board",
        "welsh_government",
        "home_office",
        "department_of_health",
        "cps_courts",
        "firearms_licensing",
        "nhs_england",
        "integrated_care_board",
    ] {
        assert!(rs.agency(id).is_some(), "missing agency {id}");
    }
}

#[test]
fn version_is_hash_of_text() {
    let a = mini();
    let b = RuleSet::from_toml(&format!("{MINI}\n# edited\n"), "m").unwrap();
    assert_ne!(a.version(), b.version());
    // The themes file with the built-in anatomy and gazetteer it extends,
    // and the grouping settings in use (here the default rules').
    let all = format!(
        "{MINI}{}{}{:?}",
        super::BUILTIN_ANATOMY,
        super::BUILTIN_BODIES,
        a.grouping()
    );
    assert_eq!(a.version(), &crate::model::sha256_hex(all.as_bytes())[..12]);
}

#[test]
fn whole_words_only() {
    let rs = mini();
    assert!(present(&rs, "Her professional skills were praised.", "illness").is_empty());
    assert!(present(&rs, "An illness was reported.", "illness").is_empty());
    assert_eq!(
        present(&rs, "She felt ill, then better.", "illness"),
        ["ill"]
    );
}

#[test]
fn stem_wildcards_and_interior_wildcards() {
    let rs = mini();
    assert_eq!(
        present(
            &rs,
            "He strangled her; strangling is a red flag.",
            "illness"
        ),
        ["strangled", "strangling"]
    );
    assert_eq!(
        present(&rs, "He made threats to kill her.", "illness"),
        ["threats to kill"]
    );
    assert!(present(&rs, "He threatened a kilogram.", "illness").is_empty());
}

#[test]
fn case_whitespace_and_quotes_do_not_matter() {
    let rs = mini();
    assert_eq!(
        present(&rs, "A pattern of COERCIVE\n  Control was seen.", "control"),
        ["COERCIVE\n  Control"]
    );
    assert_eq!(
        present(&rs, "controlling behaviour", "control"),
        ["controlling behaviour"]
    );
}

#[test]
fn exclusion_vetoes_overlapping_hit() {
    let rs = mini();
    assert!(present(&rs, "The coercive control unit met weekly.", "control").is_empty());
    assert_eq!(
        present(&rs, "Coercive control was not recognised.", "control").len(),
        1
    );
}

#[test]
fn negation_within_window_in_same_sentence() {
    let rs = mini();
    let h = hits(&rs, "There was no evidence of coercive control.");
    assert_eq!(h, [("control".into(), "coercive control".into(), true)]);
    // Within the window (3 words between cue and hit).
    let h = hits(&rs, "He denied any form of coercive control.");
    assert!(h[0].2, "{h:?}");
    // Beyond the window (4 words between).
    let h = hits(&rs, "He denied it and then described coercive control.");
    assert!(!h[0].2, "{h:?}");
    // A cue after the hit does not negate it.
    let h = hits(&rs, "Coercive control: he denied it.");
    assert!(!h[0].2, "{h:?}");
}

#[test]
fn negation_does_not_cross_sentence_boundary() {
    let rs = mini();
    let h = hits(&rs, "He denied it. Coercive control was evident.");
    assert_eq!(h.len(), 1);
    assert!(!h[0].2, "negation leaked across sentences: {h:?}");
}

#[test]
fn negation_can_be_switched_off_per_theme() {
    let src = MINI.replace(
        "id = \"control\"\nlabel = \"Control\"",
        "id = \"control\"\nlabel = \"Control\"\nnegation = false",
    );
    let rs = RuleSet::from_toml(&src, "m").unwrap();
    let h = hits(&rs, "There was no evidence of coercive control.");
    assert!(!h[0].2);
}

#[test]
fn proximity_within_n_words_same_sentence() {
    let rs = mini();
    assert_eq!(
        present(&rs, "He isolated her from her friends.", "isolation"),
        ["isolated her from her friends"]
    );
    // Either order.
    assert_eq!(
        present(&rs, "Her family said she was isolated.", "isolation").len(),
        1
    );
    // Too far apart (4 words between).
    assert!(
        present(
            &rs,
            "Isolated in a small rural village far from friends.",
            "isolation"
        )
        .is_empty()
    );
    // Different sentences.
    assert!(present(&rs, "She was isolated. Friends visited.", "isolation").is_empty());
}

#[test]
fn regex_rules_match_case_insensitively() {
    let rs = mini();
    assert_eq!(
        present(&rs, "He Controlled her money for years.", "money"),
        ["Controlled her money"]
    );
}

#[test]
fn hits_of_one_theme_inside_a_longer_hit_count_once() {
    let src = r#"
[ruleset]
name = "m"
[[theme]]
id = "t"
label = "T"
terms = ["risk", "risk assessment"]
regex = ['\brisk assess\w*']
[theme.examples]
match = ["x"]
no_match = ["y"]
"#;
    let rs = RuleSet::from_toml(src, "m").unwrap();
    let h = rs.scan("A risk assessment was done.", &[]);
    assert_eq!(h.len(), 1);
    assert_eq!(rs.rules()[h[0].rule].id, "t/terms");
}

#[test]
fn hits_are_sorted_and_deterministic() {
    let rs = RuleSet::default_rules();
    let text = "Coercive control, stalking and a risk assessment at MARAC. The GP shared information with the IDVA.";
    let a = rs.scan(text, &crate::tag::rough_sentences(text));
    let b = rs.scan(text, &crate::tag::rough_sentences(text));
    assert_eq!(a, b);
    assert!(
        a.windows(2)
            .all(|w| (w[0].start, w[0].theme, w[0].rule) <= (w[1].start, w[1].theme, w[1].rule))
    );
    assert!(a.len() >= 6, "{a:?}");
}

#[test]
fn agencies_in_text() {
    let rs = RuleSet::default_rules();
    assert_eq!(
        rs.agencies_in(
            "The Police and the Health Board should report to Welsh Government and the MARAC."
        ),
        ["health_board", "marac", "police", "welsh_government"]
    );
    // Whole words: "gps" in "GPS tracker" is an agency alias only as a word.
    assert!(rs.agencies_in("A policeman's hat.").is_empty());
}

#[test]
fn pathological_regex_is_rejected_not_run() {
    for (pat, why) in [
        (r"(a*)*{1000}", "matches empty text"),
        (r"\w{1000}{1000}", "size limit"),
        (r"(x{500}){500}", "size limit"),
        (r"(?:a|b|c|d){100000}", "size limit"),
    ] {
        let src = format!(
            "[ruleset]\nname = \"m\"\n[[theme]]\nid = \"t\"\nlabel = \"T\"\nregex = ['{pat}']\n[theme.examples]\nmatch = [\"x\"]\nno_match = [\"y\"]\n"
        );
        let started = std::time::Instant::now();
        let d = check(&src, "big.toml");
        assert!(started.elapsed().as_secs() < 10, "took too long for {pat}");
        assert_eq!(d.len(), 1, "{pat}: {d:?}");
        assert_eq!((d[0].line, d[0].column), (6, 10), "{pat}: {d:?}");
        assert!(d[0].message.contains(why), "{}", d[0].message);
        assert!(d[0].message.contains(pat), "{}", d[0].message);
    }
}

fn report(src: &str, origin: &str) -> String {
    check(src, origin)
        .iter()
        .map(|d| d.to_string() + "\n")
        .collect()
}

#[test]
fn broken_file_reports_every_error_with_position() {
    let src = include_str!("../../tests/fixtures/rules/broken.toml");
    insta::assert_snapshot!(report(src, "broken.toml"));
}

#[test]
fn unknown_keys_all_reported() {
    let src = r#"[ruleset]
name = "m"
colour = "blue"
[ruleset.section_weights]
analysis = 1.0
anaylsis = 2.0
[[theme]]
id = "t"
label = "T"
term = ["x"]
[theme.examples]
match = ["x"]
nomatch = ["y"]
[[agency]]
id = "a"
label = "A"
level = "single_agency"
alias = ["a"]
"#;
    insta::assert_snapshot!(report(src, "keys.toml"));
}

#[test]
fn syntax_errors_reported_with_position() {
    let src = "[ruleset]\nname = \"m\nlanguage = [\"en\"\n[[theme]]\nid = = \"x\"\n";
    let d = check(src, "syntax.toml");
    assert!(!d.is_empty());
    assert_eq!(d[0].line, 2, "{d:?}");
    insta::assert_snapshot!(report(src, "syntax.toml"));
}

#[test]
fn type_errors_reported_with_position() {
    let src = "[ruleset]\nname = \"m\"\n[[agency]]\nid = \"a\"\nlabel = \"A\"\nlevel = \"planetary\"\naliases = [\"a\"]\n";
    let d = check(src, "types.toml");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].line, 6);
    assert!(d[0].message.contains("planetary"), "{}", d[0].message);
}

#[test]
fn line_col_counts_characters() {
    let s = "ab\ncŵd\n";
    assert_eq!(line_col(s, 0), (1, 1));
    assert_eq!(line_col(s, 3), (2, 1));
    assert_eq!(line_col(s, s.find('d').unwrap()), (2, 3));
}

proptest! {
    #[test]
    fn scan_never_panics_and_spans_are_valid(text in "\\PC{0,200}") {
        let rs = RuleSet::default_rules();
        let sentences = crate::tag::rough_sentences(&text);
        for h in rs.scan(&text, &sentences) {
            prop_assert!(h.start < h.end && h.end <= text.len());
            prop_assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end));
        }
        let _ = rs.agencies_in(&text);
    }

    #[test]
    fn check_never_panics_on_mangled_default(cut in 0usize..60000, junk in "[\\[\\]=\"'a-z \n]{0,20}") {
        let src = DEFAULT_RULES;
        let mut cut = cut.min(src.len());
        while !src.is_char_boundary(cut) { cut -= 1; }
        let mangled = format!("{}{}{}", &src[..cut], junk, &src[cut..]);
        let _ = check(&mangled, "m.toml");
    }
}

#[test]
fn welsh_terms_match_with_non_ascii_case_folding() {
    let rs = RuleSet::default_rules();
    let text = "Mae angen gwasanaethau ar gyfer POBL HŶN a rheolaeth drwy orfodaeth.";
    let themes: Vec<String> = hits(&rs, text).into_iter().map(|h| h.0).collect();
    assert!(themes.contains(&"older_people".to_string()), "{themes:?}");
    assert!(
        themes.contains(&"coercive_control".to_string()),
        "{themes:?}"
    );
    assert_eq!(
        rs.agencies_in("Dylai Llywodraeth Cymru a'r Heddlu"),
        ["police", "welsh_government"]
    );
}

#[test]
fn real_world_false_friends_are_not_tagged() {
    // Wording seen in real documents that must not hit these themes.
    let rs = RuleSet::default_rules();
    for (text, theme) in [
        ("GPs are required to record this.", "stalking_harassment"),
        (
            "Decisions must not be seen in isolation from family courts.",
            "coercive_control",
        ),
        (
            "Guidance from the College of Policing applies.",
            "education",
        ),
        (
            "The jury recorded a narrative conclusion.",
            "record_keeping",
        ),
        ("She was in receipt of housing benefit.", "housing"),
    ] {
        assert!(present(&rs, text, theme).is_empty(), "{theme} in {text:?}");
    }
}

proptest! {
    #[test]
    fn norm_offsets_are_monotone_char_boundaries(text in "\\PC{0,120}") {
        let n = matcher::Norm::new(&text);
        let mut last = 0;
        for i in 0..=n.text.len() {
            let o = n.orig(i);
            prop_assert!(o >= last && o <= text.len() && text.is_char_boundary(o));
            last = o;
        }
        prop_assert_eq!(n.orig(n.text.len()), text.len());
    }
}

#[test]
fn scoring_settings_are_read_and_checked() {
    let ok = "[ruleset]\nname = \"s\"\nmin_density = 0.5\nsecond_hit_share = 0.25\nfront_matter_max_words = 300\n";
    let rs = RuleSet::from_toml(ok, "s.toml").unwrap();
    assert_eq!(rs.min_density(), 0.5);
    assert_eq!(rs.second_hit_share(), 0.25);
    assert_eq!(rs.front_matter_max_words(), 300);
    // Threshold: the larger of min_score and min_density x words / 1,000.
    assert_eq!(rs.threshold_for(1.0, 1000), 1.0);
    assert_eq!(rs.threshold_for(1.0, 6000), 3.0);
    // Unset: no length scaling, no second-hit share, no long-front-matter rule.
    let rs = RuleSet::from_toml("[ruleset]\nname = \"s\"\n", "s.toml").unwrap();
    assert_eq!(
        (
            rs.min_density(),
            rs.second_hit_share(),
            rs.front_matter_max_words()
        ),
        (0.0, 0.0, 0)
    );
    assert_eq!(rs.threshold_for(1.5, 100_000), 1.5);
    // Out of range values are errors with their position.
    let bad = "[ruleset]\nname = \"s\"\nmin_density = -1.0\nsecond_hit_share = 2.0\n";
    let r = report(bad, "bad.toml");
    assert!(
        r.contains("bad.toml:3:15: error: min_density must be 0 or more"),
        "{r}"
    );
    assert!(
        r.contains("bad.toml:4:20: error: second_hit_share must be between 0 and 1"),
        "{r}"
    );
}

// ---- The linear scan against the obvious quadratic one ----------------

/// The scan as first written (every pair of matches compared): the
/// reference the linear [`RuleSet::scan`] must agree with.
fn scan_naive(rs: &RuleSet, text: &str, sentences: &[crate::model::Span]) -> Vec<Hit> {
    use super::matcher::{Norm, count_words};
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
    for m in rs.terms.find(nt) {
        raw.push((rs.rules[m.owner].theme, m.owner, m.start, m.end));
    }
    for (re, rule) in &rs.regexes {
        for m in re.find_iter(nt) {
            if m.start() < m.end() {
                raw.push((rs.rules[*rule].theme, *rule, m.start(), m.end()));
            }
        }
    }
    if !rs.nears.is_empty() {
        let nm = rs.near_terms.find(nt);
        for (ni, near) in rs.nears.iter().enumerate() {
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
                    let theme = rs.rules[near.rule].theme;
                    raw.push((theme, near.rule, ma.start.min(mb.start), ma.end.max(mb.end)));
                }
            }
        }
    }
    if raw.is_empty() {
        return vec![];
    }
    // Exclusions veto overlapping hits of the same theme.
    let ex = rs.excludes.find(nt);
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
    let cues = rs.negation.find(nt);
    let mut hits: Vec<Hit> = merged
        .into_iter()
        .map(|(theme, rule, s, e)| {
            let negated = rs.themes[theme].negation && {
                let sh = sentence_of(s);
                cues.iter().any(|c| {
                    c.end <= s
                        && sentence_of(c.start) == sh
                        && count_words(&nt[c.end..s]) <= rs.window
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

/// Texts from a small vocabulary dense in the mini rules' phrases, with
/// sentence ends, so that near pairs, negation cues, exclusions and
/// overlapping hits crowd together.
fn dense_text() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "isolated",
        "isolating",
        "friends",
        "family",
        "her",
        "from",
        "no evidence of",
        "denied",
        "coercive control",
        "coercive control unit",
        "unit",
        "controlling behaviour",
        "ill",
        "strangled",
        "threats to kill",
        "controlled her money",
        "the",
        "and",
        "was",
        "skills",
        "friends.",
        "family.",
        "Isolation.",
        "ill.",
    ]);
    prop::collection::vec(words, 0..60).prop_map(|w| w.join(" "))
}

proptest! {
    #[test]
    fn linear_scan_agrees_with_the_quadratic_one(text in dense_text()) {
        let rs = mini();
        let sentences = crate::tag::rough_sentences(&text);
        prop_assert_eq!(rs.scan(&text, &sentences), scan_naive(&rs, &text, &sentences));
        prop_assert_eq!(rs.scan(&text, &[]), scan_naive(&rs, &text, &[]));
    }
}

/// A broad `near` rule over a long sentence dense in both sides: the
/// quadratic scan compared every pair (minutes for 300 KB); the linear one
/// looks only within reach. Counted, not timed: every `a` finds its pair.
#[test]
fn near_over_a_long_dense_sentence_finds_every_pair() {
    let rs = mini();
    let text = "isolated from family and friends ".repeat(20_000);
    let hits = rs.scan(&text, &[]);
    let near = hits
        .iter()
        .filter(|h| rs.themes()[h.theme].id == "isolation")
        .count();
    assert_eq!(near, 20_000);
}
