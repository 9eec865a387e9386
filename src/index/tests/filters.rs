//! Filters, paging and facet counts: what a filter keeps, every document
//! reached once across pages, and facets equal to a direct count.

use super::*;

#[test]
fn filters_narrow_by_document_facets() {
    let all = search_with("risk", SearchFilters::default(), 10, 0);
    assert_eq!(kinds(&all).len(), 2, "{:?}", kinds(&all));
    let f = |f: SearchFilters| kinds(&search_with("risk", f, 10, 0)).join(",");
    assert_eq!(
        f(SearchFilters {
            kinds: vec!["PFD".into()],
            ..Default::default()
        }),
        "pfd"
    );
    assert_eq!(
        f(SearchFilters {
            year_from: Some(2019),
            year_to: Some(2022),
            ..Default::default()
        }),
        "dhr"
    );
    assert_eq!(
        f(SearchFilters {
            agencies: vec!["ambulance".into()],
            ..Default::default()
        }),
        "pfd"
    );
    // Themes must all be carried: only the DHR carries both.
    assert_eq!(
        f(SearchFilters {
            themes: vec!["coercive_control".into(), "risk_assessment".into()],
            ..Default::default()
        }),
        "dhr"
    );
    // Kinds are alternatives.
    let both = f(SearchFilters {
        kinds: vec!["dhr".into(), "pfd".into()],
        ..Default::default()
    });
    assert!(both.contains("dhr") && both.contains("pfd"), "{both}");
    // Recommendations only: the DHR's analysis hit drops out, its
    // recommendation stays.
    let recs = search_with(
        "risk",
        SearchFilters {
            recommendations: true,
            ..Default::default()
        },
        10,
        0,
    );
    assert!(
        recs.documents
            .iter()
            .flat_map(|d| &d.hits)
            .all(|h| h.is_recommendation),
        "{recs:?}"
    );
    assert_eq!(recs.total_passages(), 2);
}

#[test]
fn an_empty_query_with_a_filter_browses_everything_it_keeps() {
    let res = search_with(
        "",
        SearchFilters {
            kinds: vec!["cpr".into()],
            ..Default::default()
        },
        10,
        0,
    );
    assert_eq!(kinds(&res), ["cpr"]);
    let cpr_passages = corpus()[1].document.passages.len();
    assert_eq!(res.total_passages(), cpr_passages);
    // Without a filter an empty query is still an error.
    assert!(matches!(
        SearchIndex::from_index(index().clone())
            .unwrap()
            .search(&SearchRequest::default()),
        Err(IndexError::Query(_))
    ));
    let empty_range = SearchIndex::from_index(index().clone())
        .unwrap()
        .search(&SearchRequest {
            query: "risk".into(),
            filters: SearchFilters {
                year_from: Some(2024),
                year_to: Some(2020),
                ..Default::default()
            },
            ..Default::default()
        });
    assert!(
        matches!(&empty_range, Err(IndexError::Query(m)) if m.contains("2024")),
        "{empty_range:?}"
    );
}

#[test]
fn paging_reaches_every_document_once() {
    let all = search_with(
        "risk OR coercive OR curiosity OR hostile",
        SearchFilters::default(),
        10,
        0,
    );
    assert_eq!(all.total_documents, 3);
    let mut paged = Vec::new();
    for offset in 0..3 {
        let page = search_with(
            "risk OR coercive OR curiosity OR hostile",
            SearchFilters::default(),
            1,
            offset,
        );
        assert_eq!(page.documents.len(), 1);
        assert_eq!(page.total_documents, 3, "totals do not depend on the page");
        paged.push(page.documents[0].doc_id.clone());
    }
    let first: Vec<String> = all.documents.iter().map(|d| d.doc_id.clone()).collect();
    assert_eq!(paged, first);
    let past = search_with("risk", SearchFilters::default(), 10, 10);
    assert!(past.documents.is_empty());
    assert_eq!(past.total_documents, 2);
}

#[test]
fn facets_count_documents_over_the_whole_result_set() {
    let res = search_with("risk", SearchFilters::default(), 1, 0);
    assert_eq!(res.documents.len(), 1);
    let count = |v: &[FacetCount], k: &str| v.iter().find(|f| f.value == k).map(|f| f.documents);
    assert_eq!(count(&res.facets.kind, "dhr"), Some(1));
    assert_eq!(count(&res.facets.kind, "pfd"), Some(1));
    assert_eq!(count(&res.facets.theme, "risk_assessment"), Some(2));
    assert_eq!(count(&res.facets.agency, "police"), Some(1));
    assert_eq!(count(&res.facets.agency, "ambulance"), Some(1));
    assert_eq!(count(&res.facets.body, "Fictionshire Police"), Some(1));
    assert_eq!(res.facets.body.len(), 1, "{:?}", res.facets.body);
    assert_eq!(count(&res.facets.year, "2021"), Some(1));
}

/// Facet counts equal a direct count over the matching documents' metadata
/// (most frequent first, equal counts in value order), for several queries.
#[test]
fn facets_equal_a_direct_count_of_the_matching_documents() {
    let si = SearchIndex::from_index(index().clone()).expect("open");
    for query in ["risk", "assessment", "police OR school", "the"] {
        let res = si
            .search(&SearchRequest {
                query: query.into(),
                limit: 1000,
                per_document: 1,
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{query:?}: {e}"));
        assert!(res.total_documents > 0, "{query:?} matches");
        assert_eq!(res.documents.len(), res.total_documents);
        let mut expect: [BTreeMap<String, usize>; 6] = Default::default();
        for d in &res.documents {
            let m = si.document(&d.doc_id).expect("known document");
            let mut add = |i: usize, v: &str| *expect[i].entry(v.to_string()).or_default() += 1;
            if !m.kind.is_empty() {
                add(0, &m.kind);
            }
            if let Some(y) = m.year {
                add(1, &y.to_string());
            }
            m.themes.iter().for_each(|t| add(2, t));
            if let Some(a) = &m.area {
                add(3, a);
            }
            m.agencies.iter().for_each(|a| add(4, a));
            if !m.language.is_empty() {
                add(5, &m.language);
            }
        }
        let ranked = |m: &BTreeMap<String, usize>| {
            let mut v: Vec<(String, usize)> = m.iter().map(|(k, n)| (k.clone(), *n)).collect();
            v.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            v
        };
        let got = |v: &[FacetCount]| -> Vec<(String, usize)> {
            v.iter().map(|f| (f.value.clone(), f.documents)).collect()
        };
        let f = &res.facets;
        let all = [&f.kind, &f.year, &f.theme, &f.area, &f.agency, &f.language];
        for (i, facet) in all.into_iter().enumerate() {
            assert_eq!(got(facet), ranked(&expect[i]), "{query:?} facet {i}");
        }
        assert!(!f.kind.is_empty() && !f.theme.is_empty(), "{query:?}");
    }
}
