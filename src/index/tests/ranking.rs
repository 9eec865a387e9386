//! Matching and ranking over many documents: the search against
//! tantivy's own answers (every passage grouped, whole documents scored),
//! the document rows against the passages, word pairs, and documents
//! without passages.

use super::super::fixtures::DocBuilder;
use super::super::*;
use std::collections::BTreeMap;

/// Forty fictional documents drawn from a small vocabulary (a fixed
/// pseudo-random sequence), with repeated paragraphs so that scores tie.
fn many_documents() -> Vec<ProcessedDoc> {
    const WORDS: [&str; 12] = [
        "police",
        "housing",
        "referral",
        "risk",
        "assessment",
        "strangulation",
        "training",
        "health",
        "visitor",
        "school",
        "coercive",
        "control",
    ];
    let mut seed: u64 = 7;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    (0..40)
        .map(|i| {
            let mut b = DocBuilder::new(
                &format!("many/review-{i:02}.md"),
                &format!("Fictional review {i}"),
                if i % 3 == 0 {
                    DocKind::Dhr
                } else {
                    DocKind::Cpr
                },
                Some(2015 + (i % 8)),
            )
            .language(if i % 5 == 0 { "cy" } else { "en" })
            .section("Analysis", 1, SectionKind::Analysis);
            for p in 0..(3 + next(8)) {
                let words: Vec<&str> = (0..(4 + next(10)))
                    .map(|_| WORDS[next(WORDS.len())])
                    .collect();
                b = b.para(&words.join(" "));
                if p % 4 == 0 {
                    b = b.para("The police made a referral.");
                }
            }
            if i % 4 == 0 {
                b = b.assign("coercive_control");
            }
            b.build()
        })
        .collect()
}

/// A document of a result page: id, matching passages, and the hits shown
/// (score, passage).
type Answer = (String, usize, Vec<(Score, usize)>);

/// What a search must answer, computed the slow way: every matching
/// passage scored by tantivy's own top-docs collector, grouped by document;
/// the documents in the order of `ranking` (by id where equal).
fn exhaustive(
    si: &SearchIndex,
    query: &str,
    req: &SearchRequest,
    ranking: &HashMap<String, Score>,
) -> Vec<Answer> {
    let q = to_query(&si.index, &si.f, query, parse_ast(query).unwrap()).unwrap();
    let searcher = si.reader.searcher();
    let all = searcher
        .search(
            &*q,
            &tantivy::collector::TopDocs::with_limit(1_000_000).order_by_score(),
        )
        .unwrap();
    let mut groups: BTreeMap<String, Vec<(Score, DocAddress)>> = BTreeMap::new();
    for (score, addr) in all {
        let doc: TantivyDocument = searcher.doc(addr).unwrap();
        // Passages only: a document row has no `doc` field.
        if let Some(id) = search::first_str(&doc, si.f.doc) {
            groups
                .entry(id.to_string())
                .or_default()
                .push((score, addr));
        }
    }
    let mut docs: Vec<(Answer, Score)> = groups
        .into_iter()
        .map(|(id, mut hits)| {
            hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let count = hits.len();
            if req.per_document > 0 {
                hits.truncate(req.per_document);
            }
            let hits = hits
                .into_iter()
                .map(|(s, a)| {
                    let doc: TantivyDocument = searcher.doc(a).unwrap();
                    (s, search::first_u64(&doc, si.f.passage) as usize)
                })
                .collect();
            let rank = ranking.get(&id).copied().unwrap_or(0.0);
            ((id, count, hits), rank)
        })
        .collect();
    docs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.0.cmp(&b.0.0)));
    docs.into_iter()
        .skip(req.offset)
        .take(req.limit)
        .map(|(answer, _)| answer)
        .collect()
}

/// Each document's ranking score computed by tantivy itself, on an index
/// of whole documents (one tantivy document each: every passage's text and
/// the title): its BM25 for the query's positive words, the title's
/// boosted. Fuzzy words are left out (tantivy scores them as constants).
fn whole_document_scores(
    docs: &[ProcessedDoc],
    si: &SearchIndex,
    query: &str,
) -> HashMap<String, Score> {
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
    let mut b = Schema::builder();
    let counts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER_EN)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let id = b.add_text_field("id", STRING | STORED);
    let words = b.add_text_field("words", counts.clone());
    let title = b.add_text_field("title", counts);
    let index = Index::create_in_ram(b.build());
    register_analyzers(&index);
    let mut w: IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
    for pd in docs {
        let d = &pd.document;
        let mut t = TantivyDocument::default();
        t.add_text(id, &d.id);
        t.add_text(title, &d.title);
        for p in &d.passages {
            t.add_text(words, &d.text[p.start..p.end]);
        }
        w.add_document(t).unwrap();
    }
    w.commit().unwrap();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let ast = parse_ast(query).unwrap();
    for word in rank::rank_words(&si.index, &ast) {
        let rank::RankWord::Exact(word) = word else {
            continue;
        };
        let term = |f| {
            TermQuery::new(
                tantivy::Term::from_field_text(f, &word),
                IndexRecordOption::WithFreqs,
            )
        };
        clauses.push((Occur::Should, Box::new(term(words))));
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(term(title)), 1.5)),
        ));
    }
    let searcher = index.reader().unwrap().searcher();
    searcher
        .search(
            &BooleanQuery::new(clauses),
            &tantivy::collector::TopDocs::with_limit(1_000).order_by_score(),
        )
        .unwrap()
        .into_iter()
        .map(|(score, addr)| {
            let doc: TantivyDocument = searcher.doc(addr).unwrap();
            (search::first_str(&doc, id).unwrap().to_string(), score)
        })
        .collect()
}

#[test]
fn the_search_answers_as_grouping_every_passage_and_ranking_whole_documents_would() {
    let docs = many_documents();
    let tmp = tempfile::tempdir().unwrap();
    let (first, second) = (tmp.path().join("first"), tmp.path().join("second"));
    std::fs::create_dir_all(&first).unwrap();
    build_in_dir(&first, &docs[..20]).unwrap();
    // A second segment, so documents are found across segments.
    let added: Vec<&ProcessedDoc> = docs[20..].iter().collect();
    update_in_dir(&second, &first, &[], &added).unwrap();
    let si = SearchIndex::open(&second).unwrap();
    assert_eq!(si.documents().count(), 40);
    for query in [
        "police",
        "risk assessment",
        "\"coercive control\"",
        "housing OR school",
        "referral -police",
        "health~1",
        "*",
        "year:[2000 TO 2030]",
    ] {
        let ranking = whole_document_scores(&docs, &si, query);
        for (per_document, offset, limit) in [(0, 0, 10), (2, 0, 5), (1, 7, 9), (3, 35, 10)] {
            let req = SearchRequest {
                query: query.into(),
                per_document,
                offset,
                limit,
                ..Default::default()
            };
            let got = si.search(&req).unwrap();
            let got: Vec<Answer> = got
                .documents
                .iter()
                .map(|d| {
                    if !query.contains('~') {
                        let want = ranking.get(&d.doc_id).copied().unwrap_or(0.0);
                        assert!(
                            (d.score - want).abs() <= 1e-4 * want.abs().max(1.0),
                            "{query}: {} scores {} as a whole document, not {want}",
                            d.doc_id,
                            d.score
                        );
                    }
                    (
                        d.doc_id.clone(),
                        d.matched_passages,
                        d.hits.iter().map(|h| (h.score, h.passage)).collect(),
                    )
                })
                .collect();
            let ranking = if query.contains('~') {
                // Fuzzy: ranked by the search's own scores, checked
                // above to be whole-document scores for exact words.
                let all = si
                    .search(&SearchRequest {
                        limit: 1_000,
                        offset: 0,
                        ..req.clone()
                    })
                    .unwrap();
                all.documents
                    .iter()
                    .map(|d| (d.doc_id.clone(), d.score))
                    .collect()
            } else {
                ranking.clone()
            };
            assert_eq!(
                got,
                exhaustive(&si, query, &req, &ranking),
                "{query} {per_document} {offset} {limit}"
            );
        }
    }
}

#[test]
fn documents_found_by_their_rows_are_the_documents_their_passages_find() {
    let docs = many_documents();
    let tmp = tempfile::tempdir().unwrap();
    build_in_dir(tmp.path(), &docs).unwrap();
    let si = SearchIndex::open(tmp.path()).unwrap();
    let filters = [
        SearchFilters::default(),
        SearchFilters {
            kinds: vec!["dhr".into()],
            ..Default::default()
        },
        SearchFilters {
            themes: vec!["coercive_control".into()],
            year_from: Some(2017),
            languages: vec!["en".into()],
            ..Default::default()
        },
    ];
    let mut by_rows = 0;
    for query in [
        "police",
        "\"police\"",
        "analysis",
        "fictional",
        "police OR xylophone",
        "health~1",
        "police kind:cpr",
        "\"police made\"",
        "\"made a\" OR \"fictional review\"",
        "\"review 4\" kind:dhr",
        "(housing OR school) NOT kind:dhr",
        "housing year:[2016 TO 2019] OR doc_theme:coercive_control",
        "kind:dhr",
        "*",
        "",
        // These need the passages.
        "police housing",
        "\"police made a\"",
        "\"police made\"~1",
        "\"police made\" housing",
        "referral -police",
        "theme:coercive_control",
    ] {
        for f in &filters {
            if query.is_empty() && f.is_empty() {
                continue;
            }
            let req = SearchRequest {
                query: query.into(),
                filters: f.clone(),
                limit: 50,
                per_document: 2,
                ..Default::default()
            };
            let ast = (!query.is_empty()).then(|| parse_ast(query).unwrap());
            let mut analyzer = si.index.tokenizers().get(ANALYZER_EN).unwrap();
            if ast.is_none_or(|a| matches_per_document(&a, &mut analyzer)) {
                by_rows += 1;
            }
            let fast = si.search(&req).unwrap();
            // An extra clause that keeps every passage makes the search
            // find documents by their passages.
            let slow = si
                .search_with(&req, Some(Box::new(tantivy::query::AllQuery)))
                .unwrap();
            assert_eq!(fast.total_documents, slow.total_documents, "{query} {f:?}");
            assert_eq!(fast.facets, slow.facets, "{query} {f:?}");
            // (The extra clause may change the constant score of `*`.)
            let shown = |r: &SearchResults| -> Vec<(String, Score, usize, Vec<usize>)> {
                r.documents
                    .iter()
                    .map(|d| {
                        let passages = d.hits.iter().map(|h| h.passage).collect();
                        (d.doc_id.clone(), d.score, d.matched_passages, passages)
                    })
                    .collect()
            };
            assert_eq!(shown(&fast), shown(&slow), "{query} {f:?}");
        }
    }
    assert_eq!(
        by_rows,
        15 * 3 - 1,
        "the queries above that rows can answer"
    );
}

#[test]
fn word_pairs_are_neighbouring_words_after_analysis() {
    let index = Index::create_in_ram(schema());
    register_analyzers(&index);
    let pairs = |text: &str| {
        let mut analyzer = index.tokenizers().get(ANALYZER_PAIRS).unwrap();
        let mut out: Vec<String> = Vec::new();
        analyzer
            .token_stream(text)
            .process(&mut |t| out.push(t.text.clone()));
        out
    };
    assert_eq!(
        pairs("Risk assessments were DONE."),
        ["risk assess", "assess were", "were done"]
    );
    // A word too long for the index breaks the pair, as it breaks a phrase.
    assert!(pairs(&format!("risk {} assessment", "x".repeat(60))).is_empty());
    assert!(pairs("risk").is_empty());
}

#[test]
fn a_document_without_passages_neither_matches_nor_upsets_the_ranking() {
    let with = DocBuilder::new("one.md", "Review one", DocKind::Dhr, Some(2020))
        .section("Analysis", 1, SectionKind::Analysis)
        .para("The police made a referral.")
        .build();
    let mut without = DocBuilder::new("two.md", "Review two", DocKind::Dhr, Some(2020)).build();
    without.document.passages.clear();
    let index = build_in_ram(&[with, without]).unwrap();
    let res = search(
        &index,
        &SearchRequest {
            query: "review".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(res.total_documents, 1);
    assert!(res.documents[0].score > 0.0);
}
