//! Tests of the passage index over three fictional documents.

use super::fixtures::{DocBuilder, corpus};
use super::*;
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| build_in_ram(&corpus()).expect("fixture index builds"))
}

fn run(query: &str) -> SearchResults {
    search(
        index(),
        &SearchRequest {
            query: query.into(),
            limit: 10,
            per_document: 0,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{query:?}: {e}"))
}

/// Matching passages over every matching document (the tests' searches
/// show them all).
trait TotalPassages {
    fn total_passages(&self) -> usize;
}

impl TotalPassages for SearchResults {
    fn total_passages(&self) -> usize {
        assert_eq!(
            self.documents.len(),
            self.total_documents.saturating_sub(self.offset),
            "every matching document is shown"
        );
        self.documents.iter().map(|d| d.matched_passages).sum()
    }
}

fn kinds(res: &SearchResults) -> Vec<&str> {
    res.documents.iter().map(|d| d.kind.as_str()).collect()
}

fn query_error(query: &str) -> String {
    match search(
        index(),
        &SearchRequest {
            query: query.into(),
            limit: 10,
            per_document: 0,
            ..Default::default()
        },
    ) {
        Err(IndexError::Query(m)) => m,
        other => panic!("{query:?}: expected a query error, got {other:?}"),
    }
}

#[test]
fn build_counts_documents_and_passages() {
    let docs = corpus();
    let dir = tempfile::tempdir().expect("tempdir");
    let stats = build_in_dir(dir.path(), &docs).expect("build");
    let passages: usize = docs.iter().map(|d| d.document.passages.len()).sum();
    assert_eq!(
        stats,
        IndexStats {
            documents: 3,
            passages
        }
    );
    // A reopened index has its analyzers: stemmed search still works.
    let idx = open(dir.path()).expect("open");
    let res = search(
        &idx,
        &SearchRequest {
            query: "assessments".into(),
            ..Default::default()
        },
    )
    .expect("search");
    assert_eq!(res.total_documents, 3);
}

#[test]
fn open_missing_dir_says_build_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = open(&dir.path().join("nope")).expect_err("missing");
    assert!(matches!(err, IndexError::Missing(_)));
    assert!(err.to_string().contains("ystorfa build"));
}

#[test]
fn phrase_finds_passage_with_page_and_section() {
    let res = run("\"risk assessment\"");
    let dhr = res
        .documents
        .iter()
        .find(|d| d.kind == "dhr")
        .expect("the DHR matches");
    assert_eq!(dhr.title, "Fictional DHR into the death of Adult Q");
    assert_eq!(dhr.year, Some(2021));
    // The phrase is in the 5.3 Police passage; "risk assessments" in the
    // recommendation stems to the same phrase.
    let police = dhr
        .hits
        .iter()
        .find(|h| h.section == "5 Analysis › 5.3 Police")
        .expect("5.3 Police hit");
    assert_eq!(police.page, 2);
    assert_eq!(police.section_kind, "analysis");
    assert!(police.snippet.contains("DASH risk assessment"));
    // Words apart are not the phrase.
    assert_eq!(run("\"assessment risk\"").total_passages(), 0);
    // Slop lets words in between.
    assert_eq!(run("\"completed assessment\"").total_passages(), 0);
    assert_eq!(run("\"completed assessment\"~3").total_passages(), 1);
}

#[test]
fn stemming_finds_other_word_forms() {
    let res = run("assessments");
    assert_eq!(res.total_documents, 3);
    let res = run("recognise");
    assert_eq!(res.total_passages(), 1);
    assert!(res.documents[0].hits[0].snippet.contains("recognised"));
    // Case and accents fold: ŵyn matches wyn.
    assert_eq!(run("WYN").total_passages(), 1);
}

#[test]
fn theme_filter_uses_present_tags_only() {
    let res = run("theme:coercive_control");
    assert_eq!(kinds(&res), ["dhr"], "the CPR's tag is negated");
    assert_eq!(res.total_passages(), 1);
    // Keyword fields fold case.
    assert_eq!(run("theme:Coercive_Control").total_passages(), 1);
    // Document-level themes.
    let res = run("doc_theme:risk_assessment");
    assert_eq!(res.total_documents, 2);
}

#[test]
fn kind_and_year_filters() {
    assert_eq!(kinds(&run("assessment kind:pfd")), ["pfd"]);
    assert_eq!(kinds(&run("assessment year:[2019 TO 2022]")), ["dhr"]);
    let both = run("assessment year:[2019 TO 2023]");
    let mut k = kinds(&both);
    k.sort();
    assert_eq!(k, ["dhr", "pfd"]);
    assert_eq!(kinds(&run("assessment year:2018")), ["cpr"]);
    assert_eq!(run("section:recommendations").total_documents, 2);
    assert_eq!(kinds(&run("agency:police")), ["dhr"]);
    assert_eq!(run("is_recommendation:true").total_passages(), 3);
    assert_eq!(kinds(&run("language:\"en+cy\"")), ["cpr"]);
}

#[test]
fn words_are_and_by_default() {
    // Both words in one passage of the CPR only.
    let res = run("coercive curiosity");
    assert_eq!(kinds(&res), ["cpr"]);
    assert_eq!(res.total_passages(), 1);
    // In different passages: no passage has both.
    assert_eq!(run("coercive MARAC").total_passages(), 0);
    // OR widens.
    assert_eq!(run("coercive OR MARAC").total_passages(), 3);
}

#[test]
fn not_excludes() {
    let all = run("assessment");
    let res = run("assessment NOT coroner");
    assert_eq!(res.total_passages(), all.total_passages() - 1);
    assert!(!kinds(&res).contains(&"pfd"));
    let res = run("assessment -kind:dhr");
    assert!(!kinds(&res).contains(&"dhr"));
}

#[test]
fn hits_group_by_document_best_first() {
    let res = run("risk");
    // The DHR has two passages with "risk"; one group holds both.
    let dhr: Vec<&DocHits> = res.documents.iter().filter(|d| d.kind == "dhr").collect();
    assert_eq!(dhr.len(), 1);
    assert_eq!(dhr[0].hits.len(), 2);
    assert_eq!(dhr[0].matched_passages, 2);
    assert_eq!(res.total_documents, res.documents.len());
    assert_eq!(
        res.total_passages(),
        res.documents.iter().map(|d| d.hits.len()).sum::<usize>()
    );
    for d in &res.documents {
        assert!(d.score > 0.0);
        assert!(d.hits.windows(2).all(|w| w[0].score >= w[1].score));
    }
    assert!(res.documents.windows(2).all(|w| w[0].score >= w[1].score));

    // Limit caps the groups, not the totals; per_document caps the hits.
    let res = search(
        index(),
        &SearchRequest {
            query: "risk".into(),
            limit: 1,
            per_document: 1,
            ..Default::default()
        },
    )
    .expect("search");
    assert_eq!(res.documents.len(), 1);
    assert_eq!(res.total_documents, 2);
    assert!(res.documents[0].hits.len() == 1);
}

#[test]
fn snippet_highlights_point_at_matched_words() {
    for q in ["assessment", "\"risk assessment\"", "coercive control"] {
        let res = run(q);
        assert!(res.total_passages() > 0, "{q}");
        for d in &res.documents {
            for h in &d.hits {
                assert!(!h.highlights.is_empty(), "{q}: {h:?}");
                for &(s, e) in &h.highlights {
                    let word = h.snippet[s..e].to_lowercase();
                    assert!(
                        ["risk", "assess", "coerc", "control"]
                            .iter()
                            .any(|p| word.starts_with(p)),
                        "{q}: highlighted {word:?} in {:?}",
                        h.snippet
                    );
                }
            }
        }
    }
}

#[test]
fn filter_only_query_snippet_is_passage_start() {
    let res = run("agency:police");
    let h = &res.documents[0].hits[0];
    assert!(h.highlights.is_empty());
    assert!(h.snippet.starts_with("Fictionshire Police should"));
    assert!(h.is_recommendation);
}

#[test]
fn malformed_queries_are_query_errors() {
    for q in [
        "\"unclosed",
        "year:[2019 TO",
        "nosuchfield:x",
        "year:abc",
        "   ",
        "NOT risk",
        "risk AND",
    ] {
        let m = query_error(q);
        assert!(!m.is_empty(), "{q}");
    }
    assert!(query_error("nosuchfield:x").contains("theme"));
    assert!(query_error("year:[2019 TO").contains("year:[2019 TO"));
    assert!(query_error("NOT risk").contains("only exclude"));
}

#[test]
fn hostile_text_is_escaped_in_html() {
    let res = run("hostile");
    let h = &res.documents[0].hits[0];
    assert!(h.snippet.contains("<script>"), "plain text is kept as is");
    assert!(!h.snippet_html.contains("<script>"), "{}", h.snippet_html);
    assert!(
        h.snippet_html
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(h.snippet_html.contains("<mark>hostile</mark>"));
}

#[test]
fn facets_count_matching_documents() {
    let res = run("assessment");
    let kind: Vec<(&str, usize)> = res
        .facets
        .kind
        .iter()
        .map(|f| (f.value.as_str(), f.documents))
        .collect();
    assert_eq!(kind, [("cpr", 1), ("dhr", 1), ("pfd", 1)]);
    let theme: Vec<(&str, usize)> = res
        .facets
        .theme
        .iter()
        .map(|f| (f.value.as_str(), f.documents))
        .collect();
    assert_eq!(
        theme,
        [
            ("risk_assessment", 2),
            ("coercive_control", 1),
            ("curiosity", 1)
        ]
    );
    assert_eq!(res.facets.year.len(), 3);
}

#[test]
fn snippets_cut_long_passages_and_collapse_whitespace() {
    let long = format!(
        "{} the  key\n\nword sits here {}",
        "filler ".repeat(60),
        "padding ".repeat(60)
    );
    let doc = DocBuilder::new("fictional/long.txt", "Fictional long", DocKind::Other, None)
        .para(&long)
        .build();
    let idx = build_in_ram(&[doc]).expect("build");
    let res = search(
        &idx,
        &SearchRequest {
            query: "word".into(),
            ..Default::default()
        },
    )
    .expect("search");
    let h = &res.documents[0].hits[0];
    assert!(
        h.snippet.starts_with('…') && h.snippet.ends_with('…'),
        "{h:?}"
    );
    assert!(h.snippet.contains("key word sits"), "{:?}", h.snippet);
    assert!(h.snippet.len() <= SNIPPET_CHARS + 10);
    assert_eq!(h.highlights.len(), 1);
    let (s, e) = h.highlights[0];
    assert_eq!(&h.snippet[s..e], "word");
    assert_eq!(res.documents[0].year, None);
}

#[test]
fn empty_index_finds_nothing() {
    let idx = build_in_ram(&[]).expect("build");
    let res = search(
        &idx,
        &SearchRequest {
            query: "risk".into(),
            ..Default::default()
        },
    )
    .expect("search");
    assert_eq!(res.total_passages(), 0);
    assert!(res.documents.is_empty());
}

#[test]
fn html_escape_covers_markup_characters() {
    assert_eq!(
        html_escape("<a href=\"x\">&'"),
        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
    );
    assert_eq!(
        snippet_html("a <b> c", &[(2, 5)]),
        "a <mark>&lt;b&gt;</mark> c"
    );
    // Ranges off character boundaries are skipped, not a panic.
    assert_eq!(snippet_html("ŵ", &[(1, 2)]), "ŵ");
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn arbitrary_queries_never_panic(q in "\\PC{0,40}") {
            let _ = search(index(), &SearchRequest { query: q, limit: 3, per_document: 2, ..Default::default() });
        }

        #[test]
        fn query_syntax_soup_never_panics(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("\""), Just("("), Just(")"), Just("["), Just("]"), Just("{"), Just("}"),
                    Just(" TO "), Just(" AND "), Just(" OR "), Just(" NOT "), Just("-"), Just("+"),
                    Just("~"), Just("~2"), Just("^"), Just("*"), Just(":"), Just("year:"),
                    Just("theme:"), Just("risk"), Just("assessment"), Just("2019"), Just(" "),
                    Just("ŵ"), Just("\\"), Just("'"), Just("IN"),
                ],
                0..16,
            )
        ) {
            let q: String = parts.concat();
            let _ = search(index(), &SearchRequest { query: q, limit: 3, per_document: 0, ..Default::default() });
        }
    }
}
#[test]
fn fuzzy_words_match_close_spellings() {
    // "assesment" (one letter missing) is one edit from the stem.
    assert_eq!(run("assesment").total_passages(), 0);
    let res = run("assesment~1");
    assert_eq!(res.total_documents, 3);
    // Fuzzy words combine with the rest of the query.
    assert_eq!(kinds(&run("assesment~1 kind:pfd")), ["pfd"]);
    assert_eq!(run("assesment~1 NOT coroner").total_documents, 2);
    assert_eq!(run("corener~1 OR MARAC").total_documents, 2);
    assert!(matches!(
        search(
            index(),
            &SearchRequest {
                query: "-assesment~1".into(),
                ..Default::default()
            }
        ),
        Err(IndexError::Query(_))
    ));
}

mod snippet_prop {
    use super::*;
    use proptest::prelude::*;

    fn generator(words: &[&str]) -> SnippetGenerator {
        let index = Index::create_in_ram(schema());
        register_analyzers(&index);
        let tokenizer = index
            .tokenizers()
            .get(ANALYZER_EN)
            .expect("analyzer registered");
        let f = Fields::from_schema(&index.schema()).expect("fields");
        let mut analyzer = tokenizer.clone();
        let mut terms = BTreeMap::new();
        for w in words {
            let mut stream = analyzer.token_stream(w);
            while let Some(t) = stream.next() {
                terms.insert(t.text.clone(), 1.0);
            }
        }
        SnippetGenerator::new(terms, tokenizer, f.text, SNIPPET_CHARS)
    }

    #[test]
    fn highlights_survive_whitespace_collapsing() {
        let g = generator(&["risk"]);
        let (s, h) = make_snippet(&g, "The\n\n  risk   was\tnoted.");
        assert_eq!(s, "The risk was noted.");
        assert_eq!(h, [(4, 8)]);
        let (s, h) = make_snippet(&g, "“Risk”");
        assert_eq!(s, "“Risk”");
        assert_eq!(&s[h[0].0..h[0].1], "Risk");
        // Adjacent terms merge across collapsed whitespace; others do not.
        let g = generator(&["risk", "assessment", "noted"]);
        let (s, h) = make_snippet(&g, "The risk\n assessment was noted.");
        assert_eq!(s, "The risk assessment was noted.");
        let marked: Vec<&str> = h.iter().map(|&(a, b)| &s[a..b]).collect();
        assert_eq!(marked, ["risk assessment", "noted"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn snippet_ranges_are_valid(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(" risks ".to_string()),
                    Just(" ".to_string()),
                    "[a-zŵ’“]{1,8}",
                    "\\s{1,3}",
                    "\\PC{1,2}",
                ],
                0..120,
            ),
            word in prop_oneof![Just("risk".to_string()), "[a-zŵ]{1,6}"],
        ) {
            let text: String = parts.concat();
            let g = generator(&[&word]);
            let (s, h) = make_snippet(&g, &text);
            for &(a, b) in &h {
                prop_assert!(a <= b && b <= s.len());
                prop_assert!(s.is_char_boundary(a) && s.is_char_boundary(b));
            }
            prop_assert!(s.chars().count() <= SNIPPET_CHARS + 2);
            if word == "risk" && text.contains(" risks ") {
                prop_assert!(!h.is_empty(), "{text:?} -> {s:?}");
            }
        }
    }
}

#[test]
fn explicit_operators_mixed_with_implicit_and() {
    // (coroner OR MARAC) AND assessment: not "assessment, optionally
    // coroner or MARAC" as tantivy's grammar has it.
    assert_eq!(run("assessment").total_passages(), 4);
    let res = run("coroner OR MARAC assessment");
    assert_eq!(res.total_passages(), 2);
    for d in &res.documents {
        for h in &d.hits {
            assert!(h.snippet.contains("coroner") || h.snippet.contains("MARAC"));
        }
    }
    // (risk AND assessment) AND curiosity: no passage has all three.
    assert_eq!(run("curiosity").total_passages(), 1);
    assert_eq!(run("risk AND assessment curiosity").total_passages(), 0);
    assert_eq!(kinds(&run("risk AND assessment kind:pfd")), ["pfd"]);
    // Pure OR and pure AND are unchanged.
    assert_eq!(run("coroner OR MARAC").total_passages(), 2);
    assert_eq!(run("coroner AND MARAC").total_passages(), 0);
}

#[test]
fn bad_spans_are_skipped_not_a_panic() {
    let mut pd = DocBuilder::new("fictional/bad.txt", "Fictional bad", DocKind::Other, None)
        .para("Ŵyn fictional passage one.")
        .para("A fictional passage two.")
        .build();
    // A span past the end and one inside a multi-byte character.
    pd.document.passages[0].start = 1;
    pd.document.passages[1].end = 10_000;
    let idx = build_in_ram(std::slice::from_ref(&pd)).expect("build");
    let res = search(
        &idx,
        &SearchRequest {
            query: "fictional".into(),
            ..Default::default()
        },
    )
    .expect("search");
    // Neither passage is indexed, so nothing matches, not even the title.
    assert_eq!(res.total_passages(), 0);
    // Export copes too.
    let rows = crate::export::doc_rows(&pd);
    assert_eq!(rows.documents.iter().filter(|&&b| b == b'\n').count(), 1);
}

#[test]
fn deep_nesting_is_bounded() {
    let nested = format!("{}risk{}", "(".repeat(100), ")".repeat(100));
    let res = run(&nested);
    assert_eq!(res.total_passages(), run("risk").total_passages());
    let too_deep = format!("{}risk{}", "(".repeat(101), ")".repeat(101));
    assert!(query_error(&too_deep).contains("nested"));
    assert!(query_error(&"risk ".repeat(3000)).contains("too long"));
}

fn search_with(query: &str, filters: SearchFilters, limit: usize, offset: usize) -> SearchResults {
    SearchIndex::from_index(index().clone())
        .expect("open")
        .search(&SearchRequest {
            query: query.into(),
            filters,
            limit,
            offset,
            per_document: 0,
        })
        .unwrap_or_else(|e| panic!("{query:?}: {e}"))
}

#[test]
fn document_view_reads_passages_in_order_with_char_offsets() {
    let si = SearchIndex::from_index(index().clone()).expect("open");
    let docs = corpus();
    let cpr = &docs[1].document;
    let stored = si.passages(&cpr.id).expect("read").expect("known document");
    assert_eq!(stored.len(), cpr.passages.len());
    for (s, p) in stored.iter().zip(&cpr.passages) {
        assert_eq!(s.index, p.index);
        assert_eq!(s.text, cpr.text[p.start..p.end]);
        // `start` counts characters: the Welsh passage sits after
        // multi-byte characters.
        assert_eq!(s.start, cpr.text[..p.start].chars().count());
        assert_eq!(si.passage_at(&cpr.id, s.start), Some(p.index));
    }
    assert!(si.passages("d-unknown").expect("read").is_none());
    let meta = si.document(&cpr.id).expect("meta");
    assert_eq!(meta.kind, "cpr");
    assert_eq!(meta.agencies, ["regional_board"]);
    assert_eq!(si.documents().count(), 3);
}

#[test]
fn content_hash_ids_are_their_own_keys_and_other_ids_hash() {
    assert_eq!(doc_key("dba7816bf8f01cfea"), 0xba78_16bf_8f01_cfea);
    // Only the lower-case form is the content id: others hash.
    assert_ne!(doc_key("dBA7816BF8F01CFEA"), doc_key("dba7816bf8f01cfea"));
    assert_ne!(doc_key("d+a7816bf8f01cfea"), 0x0a78_16bf_8f01_cfea);
    let other = doc_key("fictional/dhr-adult-q.txt");
    assert_eq!(other, doc_key("fictional/dhr-adult-q.txt"));
    assert_ne!(other, doc_key("fictional/cpr-child-r.txt"));
}

#[test]
fn named_bodies_filter_documents_and_passages() {
    let filters = SearchFilters {
        bodies: vec!["FICTIONSHIRE police".into()],
        ..Default::default()
    };
    let res = search_with("risk", filters, 10, 0);
    let kinds: Vec<&str> = res.documents.iter().map(|d| d.kind.as_str()).collect();
    assert_eq!(kinds, ["dhr"]);
    let nobody = SearchFilters {
        bodies: vec!["Home Office".into()],
        ..Default::default()
    };
    assert_eq!(search_with("risk", nobody, 10, 0).total_documents, 0);
    // In the query language: only the passage of the recommendation.
    let res = run(r#"body:"fictionshire police""#);
    assert_eq!(res.total_passages(), 1);
    assert!(res.documents[0].hits[0].is_recommendation);
    assert_eq!(run(r#"doc_body:"fictionshire police""#).total_documents, 1);
}

mod filters;
mod ranking;
mod update;

/// The first step's query on passages (`to_match_query`) finds the
/// documents the scored query finds, also where a word has no terms
/// ("&", left out by tantivy's parser) or a fielded word is fuzzy.
#[test]
fn a_word_without_terms_or_a_fielded_fuzzy_word_matches_as_without_the_skipping_union() {
    let theme = run("theme:coercive_control");
    assert_eq!(
        run("& theme:coercive_control").total_documents,
        theme.total_documents
    );
    let fuzzy = run("title:reveiw~1 theme:coercive_control");
    assert_eq!(
        fuzzy.total_documents,
        run("title:review theme:coercive_control").total_documents
    );
}
