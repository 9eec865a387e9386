//! Unit tests for tagging: scoring by section weight and threshold, parent
//! themes, deterministic order, recommendations, explanations, and the
//! default rule file's examples.

use super::*;

/// Build a fictional document from (heading, section kind, paragraphs).
fn doc(sections: &[(&str, SectionKind, &[&str])]) -> Document {
    let mut text = String::new();
    let mut secs = vec![];
    let mut passages = vec![];
    for (si, (heading, kind, paras)) in sections.iter().enumerate() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let start = text.len();
        text.push_str(heading);
        for p in paras.iter() {
            text.push_str("\n\n");
            let ps = text.len();
            text.push_str(p);
            let sentences = rough_sentences(p)
                .into_iter()
                .map(|s| Span {
                    start: ps + s.start,
                    end: ps + s.end,
                })
                .collect();
            passages.push(Passage {
                index: passages.len(),
                kind: PassageKind::Paragraph,
                section: si,
                page: 1,
                start: ps,
                end: text.len(),
                marker: None,
                sentences,
                cells: vec![],
                table: None,
            });
        }
        secs.push(Section {
            index: si,
            heading: heading.to_string(),
            number: None,
            level: 1,
            kind: *kind,
            trail: vec![heading.to_string()],
            page: 1,
            start,
            end: text.len(),
        });
    }
    Document {
        id: "dfictional0000001".into(),
        file: "fictional/review.txt".into(),
        sha256: "0".repeat(64),
        title: "Fictional review (test data)".into(),
        kind: DocKind::Dhr,
        year: Some(2099),
        area: None,
        language: "en".into(),
        pages: 1,
        text,
        page_starts: vec![0],
        page_labels: vec![None],
        sections: secs,
        passages,
        warnings: vec![],
    }
}

fn fictional_review() -> Document {
    doc(&[
        (
            "1 Introduction",
            SectionKind::Introduction,
            &["This fictional review concerns Person A, an invented adult, and Person B."],
        ),
        (
            "5 Analysis",
            SectionKind::Analysis,
            &[
                "Person B monitored her phone and controlled her money. Friends described him as jealous.",
                "The GP did not share information with the police. There was no evidence of stalking.",
            ],
        ),
        (
            "7 Lessons",
            SectionKind::Lessons,
            &["Practitioners should recognise coercive control and complete a risk assessment."],
        ),
        (
            "Glossary",
            SectionKind::Glossary,
            &["Coercive control: a pattern of controlling behaviour."],
        ),
    ])
}

#[test]
fn default_rule_examples_all_pass() {
    let rules = RuleSet::default_rules();
    let (total, failures) = run_examples(&rules);
    let msgs: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
    assert!(failures.is_empty(), "{}", msgs.join("\n"));
    assert!(total > 100);
}

#[test]
fn example_failures_are_reported() {
    let src = r#"
[ruleset]
name = "m"
[[theme]]
id = "t"
label = "T"
terms = ["refuge"]
[theme.examples]
match = ["She stayed with her sister."]
no_match = ["She moved to a refuge."]
"#;
    let rules = RuleSet::from_toml(src, "m").unwrap();
    let (total, failures) = run_examples(&rules);
    assert_eq!(total, 2);
    let msgs: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
    assert_eq!(
        msgs,
        [
            "theme t: example \"She stayed with her sister.\" should match but did not",
            "theme t: example \"She moved to a refuge.\" should not match but did (t/terms matched \"refuge\")",
        ]
    );
}

#[test]
fn tags_and_themes_snapshot() {
    let rules = RuleSet::default_rules();
    let p = tag(fictional_review(), &rules);
    let mut out = String::new();
    for t in &p.tags {
        out.push_str(&format!(
            "{:>3}..{:<3} {:<24} {:<32} {:<8} w={} [{}] {:?}\n",
            t.start,
            t.end,
            t.theme,
            t.rule,
            format!("{:?}", t.polarity),
            t.weight,
            t.section,
            t.matched
        ));
    }
    out.push_str("--\n");
    for s in &p.theme_scores {
        out.push_str(&format!(
            "{:<24} score={} present={} negated={} threshold={} assigned={}\n",
            s.theme, s.score, s.present_hits, s.negated_hits, s.threshold, s.assigned
        ));
    }
    out.push_str(&format!("-- themes: {}\n", p.themes.join(", ")));
    insta::assert_snapshot!(out);
    assert!(p.tags.iter().all(|t| t.rules_version == rules.version()));
}

#[test]
fn section_weights_and_thresholds() {
    let rules = RuleSet::default_rules();
    // One hit in a glossary (weight 0) is not enough.
    let d = doc(&[(
        "Glossary",
        SectionKind::Glossary,
        &["Coercive control: see the statutory definition. Controlling behaviour: likewise."],
    )]);
    let p = tag(d, &rules);
    let s = p
        .theme_scores
        .iter()
        .find(|s| s.theme == "coercive_control")
        .unwrap();
    assert_eq!((s.present_hits, s.score, s.assigned), (2, 0.0, false));
    assert!(!p.themes.contains(&"coercive_control".to_string()));
    // Two hits in ONE lessons passage: the first counts in full (1.5), the
    // second adds only `second_hit_share` of its weight.
    let d = doc(&[(
        "Lessons",
        SectionKind::Lessons,
        &["Coercive control was present. Controlling behaviour escalated."],
    )]);
    let p = tag(d, &rules);
    let s = p
        .theme_scores
        .iter()
        .find(|s| s.theme == "coercive_control")
        .unwrap();
    let expected = 1.5 + rules.second_hit_share() * 1.5;
    assert!(expected < 3.0);
    assert_eq!(
        (s.present_hits, s.score),
        (2, (expected * 1000.0).round() / 1000.0)
    );
    // A third hit in the same passage adds nothing more.
    let d = doc(&[(
        "Lessons",
        SectionKind::Lessons,
        &[
            "Coercive control was present. Controlling behaviour escalated. Coercive behaviour again.",
        ],
    )]);
    let p = tag(d, &rules);
    let s3 = p
        .theme_scores
        .iter()
        .find(|s| s.theme == "coercive_control")
        .unwrap();
    assert_eq!((s3.present_hits, s3.score), (3, s.score));
    // The same two hits in two passages count twice.
    let d = doc(&[(
        "Lessons",
        SectionKind::Lessons,
        &[
            "Coercive control was present.",
            "Controlling behaviour escalated.",
        ],
    )]);
    let p = tag(d, &rules);
    let s = p
        .theme_scores
        .iter()
        .find(|s| s.theme == "coercive_control")
        .unwrap();
    assert_eq!((s.present_hits, s.score, s.assigned), (2, 3.0, true));
    // A front-matter mention barely counts.
    let d = doc(&[(
        "Contents",
        SectionKind::FrontMatter,
        &["Coercive control 4"],
    )]);
    let p = tag(d, &rules);
    let s = p
        .theme_scores
        .iter()
        .find(|s| s.theme == "coercive_control")
        .unwrap();
    assert!(!s.assigned, "{s:?}");
}

/// A fictional paragraph of `n` words that names no theme.
fn filler(n: usize) -> String {
    vec!["panel"; n].join(" ") + "."
}

#[test]
fn threshold_grows_with_document_length() {
    let rules = RuleSet::default_rules();
    let m = rules.theme("coercive_control").unwrap().min_score;
    let mention = "The fictional panel found coercive control was present.";
    // Short document: one analysis passage meets min_score.
    let d = doc(&[("Analysis", SectionKind::Analysis, &[mention])]);
    let p = tag(d, &rules);
    let s = p
        .theme_scores
        .iter()
        .find(|s| s.theme == "coercive_control")
        .unwrap();
    assert_eq!((s.score, s.threshold, s.assigned), (1.0, m, true));
    // The same single mention in a 6,000-word document is a passing mention.
    let long = filler(6000);
    let d = doc(&[("Analysis", SectionKind::Analysis, &[mention, &long])]);
    let words = word_count(&d.text);
    let p = tag(d, &rules);
    let s = p
        .theme_scores
        .iter()
        .find(|s| s.theme == "coercive_control")
        .unwrap();
    let expected = rules.threshold_for(m, words);
    assert!(expected > m);
    assert_eq!((s.score, s.threshold, s.assigned), (1.0, expected, false));
    // Raised passage after passage, it is a main theme again.
    let paras: Vec<&str> = std::iter::repeat_n(mention, 4)
        .chain([long.as_str()])
        .collect();
    let d = doc(&[("Analysis", SectionKind::Analysis, &paras)]);
    let p = tag(d, &rules);
    let s = p
        .theme_scores
        .iter()
        .find(|s| s.theme == "coercive_control")
        .unwrap();
    assert_eq!((s.score, s.assigned), (4.0, true));
}

#[test]
fn long_front_matter_is_weighed_as_body_text() {
    let rules = RuleSet::default_rules();
    let max = rules.front_matter_max_words();
    assert!(max > 0);
    let mention = "The fictional panel found coercive control was present.";
    let short = doc(&[("Contents", SectionKind::FrontMatter, &[mention])]);
    let t = find_tags(&short, &rules);
    assert!(
        t.iter()
            .all(|t| t.weight == rules.section_weight(SectionKind::FrontMatter))
    );
    let long = filler(max + 10);
    let d = doc(&[("Contents", SectionKind::FrontMatter, &[mention, &long])]);
    let t = find_tags(&d, &rules);
    assert!(!t.is_empty());
    assert!(
        t.iter()
            .all(|t| t.weight == rules.section_weight(SectionKind::Other))
    );
    assert!(t.iter().all(|t| t.section_kind == SectionKind::FrontMatter));
}

#[test]
fn title_phrase_is_not_sexual_violence_evidence() {
    let rules = RuleSet::default_rules();
    let d = doc(&[(
        "Introduction",
        SectionKind::Introduction,
        &[
            "This fictional Violence against Women, Domestic Abuse and Sexual Violence strategy runs to 2099.",
        ],
    )]);
    let t = find_tags(&d, &rules);
    assert!(t.iter().all(|t| t.theme != "sexual_violence"), "{t:?}");
}

#[test]
fn negated_hits_are_tagged_but_not_scored() {
    let rules = RuleSet::default_rules();
    let d = doc(&[(
        "Lessons",
        SectionKind::Lessons,
        &["There was no evidence of strangulation. Nothing to suggest stalking."],
    )]);
    let p = tag(d, &rules);
    assert!(
        p.tags.iter().all(|t| t.polarity == Polarity::Negated),
        "{:?}",
        p.tags
    );
    let s = p
        .theme_scores
        .iter()
        .find(|s| s.theme == "non_fatal_strangulation")
        .unwrap();
    assert_eq!(
        (s.present_hits, s.negated_hits, s.score, s.assigned),
        (0, 1, 0.0, false)
    );
    assert!(p.themes.is_empty());
}

#[test]
fn parents_assigned_through_children() {
    let rules = RuleSet::default_rules();
    let p = tag(fictional_review(), &rules);
    assert!(p.themes.contains(&"coercive_control".to_string()));
    assert!(p.themes.contains(&"abuse_types".to_string()));
    let parent = p
        .theme_scores
        .iter()
        .find(|s| s.theme == "abuse_types")
        .unwrap();
    assert_eq!((parent.present_hits, parent.assigned), (0, true));
    // Sorted outputs.
    assert!(p.themes.windows(2).all(|w| w[0] < w[1]));
    assert!(p.theme_scores.windows(2).all(|w| w[0].theme < w[1].theme));
}

#[test]
fn deterministic_order() {
    let rules = RuleSet::default_rules();
    let a = tag(fictional_review(), &rules);
    let b = tag(fictional_review(), &rules);
    assert_eq!(a, b);
    assert!(a.tags.windows(2).all(|w| {
        (w[0].start, &w[0].theme, &w[0].rule) <= (w[1].start, &w[1].theme, &w[1].rule)
    }));
}

#[test]
fn tag_offsets_point_at_matched_text() {
    let rules = RuleSet::default_rules();
    let p = tag(fictional_review(), &rules);
    for t in &p.tags {
        assert_eq!(&p.document.text[t.start..t.end], t.matched);
        let passage = &p.document.passages[t.passage];
        assert!(passage.start <= t.start && t.end <= passage.end);
    }
}

#[test]
fn recommendations_get_agencies_level_and_themes() {
    let rules = RuleSet::default_rules();
    let d = doc(&[(
        "9 Recommendations",
        SectionKind::Recommendations,
        &[
            "The Police and the Health Board should review their risk assessment training on coercive control.",
            "Welsh Government should fund refuge provision for the fictional region.",
            "Learning from this review should be shared widely.",
        ],
    )]);
    let tags = find_tags(&d, &rules);
    let mk = |i: usize, ord: Option<&str>| {
        let p = &d.passages[i];
        recommend::Found {
            ordinal: ord.map(str::to_string),
            text: d.text[p.start..p.end].to_string(),
            page: 1,
            section: 0,
            start: p.start,
            end: p.end,
            cues: Vec::new(),
            lead: None,
        }
    };
    let r1 = build_recommendation(&d, &rules, &tags, &Default::default(), mk(0, Some("1")));
    assert_eq!(r1.agencies, ["health_board", "police"]);
    assert_eq!(r1.level, Some(AgencyLevel::SingleAgency));
    assert_eq!(
        r1.themes,
        [
            "coercive_control",
            "health_services",
            "risk_assessment",
            "training_awareness"
        ]
    );
    assert_eq!(r1.section, "9 Recommendations");
    assert_eq!(r1.section_kind, SectionKind::Recommendations);
    assert!(r1.id.starts_with("dfictional0000001-r"));
    assert_eq!(r1.id.len(), "dfictional0000001-r".len() + 12);

    let r2 = build_recommendation(&d, &rules, &tags, &Default::default(), mk(1, Some("2")));
    // Addressed to the Welsh Government; the services it funds are named, not addressed.
    assert_eq!(r2.agencies, ["welsh_government"]);
    assert_eq!(r2.level, Some(AgencyLevel::National));
    assert_eq!(r2.themes, ["specialist_services"]);

    let r3 = build_recommendation(&d, &rules, &tags, &Default::default(), mk(2, None));
    assert!(r3.agencies.is_empty());
    assert_eq!(r3.level, None);

    // Stable ids: same input, same id; a different ordinal, a different id.
    let again = build_recommendation(&d, &rules, &tags, &Default::default(), mk(0, Some("1")));
    assert_eq!(again.id, r1.id);
    let other = build_recommendation(&d, &rules, &tags, &Default::default(), mk(0, Some("1a")));
    assert_ne!(other.id, r1.id);
}

#[test]
fn explain_says_why() {
    let rules = RuleSet::default_rules();
    let p = tag(fictional_review(), &rules);
    let ex = explain(&p, &rules);
    assert_eq!(ex.len(), rules.themes().len());
    let get = |id: &str| ex.iter().find(|e| e.theme == id).unwrap();
    assert!(
        get("coercive_control")
            .reason
            .starts_with("assigned: score")
    );
    assert!(
        get("abuse_types")
            .reason
            .starts_with("assigned through child")
    );
    assert_eq!(
        get("stalking_harassment").reason,
        "not assigned: all 1 hit(s) negated"
    );
    assert_eq!(get("lgbt").reason, "not assigned: no hits");
    assert!(
        get("coercive_control")
            .rules
            .contains_key("coercive_control/regex/0")
    );
}

#[test]
fn rough_sentences_split_on_terminal_punctuation() {
    let s = rough_sentences("One. Two? Three! Four");
    let t = "One. Two? Three! Four";
    let parts: Vec<&str> = s.iter().map(|x| &t[x.start..x.end]).collect();
    assert_eq!(parts, ["One.", " Two?", " Three!", " Four"]);
    assert!(rough_sentences("").is_empty());
}

#[test]
fn malformed_passages_do_not_panic() {
    let rules = RuleSet::default_rules();
    let mut d = fictional_review();
    let len = d.text.len();
    d.passages.push(Passage {
        index: 99,
        kind: PassageKind::Paragraph,
        section: 42,
        page: 1,
        start: len + 5,
        end: len + 10,
        marker: None,
        sentences: vec![Span { start: 0, end: 3 }],
        cells: vec![],
        table: None,
    });
    let _ = tag(d, &rules);
}

#[test]
fn untabulated_action_plan_items_keep_their_number() {
    let mut d = doc(&[
        (
            "9 Recommendations",
            SectionKind::Recommendations,
            &[
                "1. Glanmor Police should complete a DASH risk assessment at every incident.",
                "2. The Community Safety Partnership should commission training.",
            ],
        ),
        (
            "Appendix A: Action Plan",
            SectionKind::ActionPlan,
            &[
                "2 Multi-agency local Commission training",
                "Glanmor CSP March 2099",
                "1 Single agency Amend the DASH procedure",
                "Glanmor Police",
            ],
        ),
    ]);
    for i in [2, 4] {
        d.passages[i].kind = PassageKind::ListItem;
        d.passages[i].marker = Some(d.text[d.passages[i].start..].chars().take(1).collect());
    }
    use action_plan::plan_key;
    assert_eq!(plan_key("Recommendation 3:"), Some("3".into()));
    assert_eq!(plan_key("R2.1"), Some("2.1".into()));
    assert_eq!(plan_key("(a)"), None);
    let rows: BTreeMap<String, String> = action_plan::untabulated(&d)
        .into_iter()
        .map(|r| (r.recommendation.unwrap_or_default(), r.text))
        .collect();
    assert_eq!(
        rows["1"],
        "1 Single agency Amend the DASH procedure Glanmor Police"
    );
    assert_eq!(
        rows["2"],
        "2 Multi-agency local Commission training Glanmor CSP March 2099"
    );
    // Rows in the recommendations section itself are not action-plan rows.
    assert_eq!(rows.len(), 2);
}

#[test]
fn a_theme_scoped_to_sections_is_tagged_only_there() {
    let src = r#"
[ruleset]
name = "fictional scope test"

[[theme]]
id = "refuge_funding"
label = "Refuge funding"
terms = ["refuge funding"]
sections = ["recommendations", "lessons"]
[theme.examples]
match = ["Refuge funding should be secured."]
no_match = ["The weather was cold."]
"#;
    let rules = RuleSet::from_toml(src, "scope.toml").unwrap();
    assert_eq!(
        rules.themes()[0].sections,
        [SectionKind::Recommendations, SectionKind::Lessons]
    );
    let d = doc(&[
        (
            "1 Terms of reference",
            SectionKind::TermsOfReference,
            &["Was refuge funding considered?"],
        ),
        (
            "9 Recommendations",
            SectionKind::Recommendations,
            &["Refuge funding should be secured."],
        ),
    ]);
    let tags = find_tags(&d, &rules);
    assert_eq!(tags.len(), 1, "{tags:#?}");
    assert_eq!(tags[0].section_kind, SectionKind::Recommendations);

    let bad = src.replace(r#""lessons"]"#, r#""lesons"]"#);
    let err = RuleSet::from_toml(&bad, "scope.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown section kind \"lesons\""), "{err}");
    assert!(err.contains("scope.toml:9:32:"), "line and column: {err}");
}
