//! Updating an index in place: it answers as a fresh build of the same
//! documents (documents removed, added, or both).

use super::super::*;

/// Every search answer, by query: what a reader of the index sees.
fn answers(idx: &SearchIndex) -> Vec<String> {
    [
        "risk assessment",
        "coercive control",
        "assessments",
        "kind:cpr",
        "police OR school",
        "-marac risk",
    ]
    .iter()
    .map(|q| {
        let res = idx
            .search(&SearchRequest {
                query: q.to_string(),
                per_document: 0,
                ..Default::default()
            })
            .expect("search");
        serde_json::to_string(&res).expect("json")
    })
    .collect()
}

/// The (document, passage) pairs each query matches, ignoring scores.
fn hit_sets(idx: &SearchIndex) -> Vec<Vec<(String, usize)>> {
    answers(idx)
        .iter()
        .map(|a| {
            let res: serde_json::Value = serde_json::from_str(a).unwrap();
            let mut v: Vec<(String, usize)> = res["documents"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|d| {
                    let id = d["doc_id"].as_str().unwrap().to_string();
                    d["hits"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(move |h| (id.clone(), h["passage"].as_u64().unwrap() as usize))
                })
                .collect();
            v.sort();
            v
        })
        .collect()
}

#[test]
fn an_updated_index_answers_as_a_fresh_build_of_the_same_documents() {
    let (dhr, cpr, pfd) = (
        super::super::fixtures::dhr(),
        super::super::fixtures::cpr(),
        super::super::fixtures::pfd(),
    );
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    std::fs::create_dir_all(&first).unwrap();
    build_in_dir(&first, [&dhr, &cpr]).unwrap();
    let before = SearchIndex::open(&first).unwrap();

    // Added only: the same answers, scores included, as a fresh build.
    let added = tmp.path().join("added");
    let stats = update_in_dir(&added, &first, &[], &[&pfd]).unwrap();
    assert_eq!(stats.documents, 1);
    let fresh = tmp.path().join("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    build_in_dir(&fresh, [&dhr, &cpr, &pfd]).unwrap();
    let (added_idx, fresh_idx) = (
        SearchIndex::open(&added).unwrap(),
        SearchIndex::open(&fresh).unwrap(),
    );
    assert_eq!(answers(&added_idx), answers(&fresh_idx));
    let ids = |i: &SearchIndex| i.documents().map(|d| d.doc_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&added_idx), ids(&fresh_idx), "documents listed by id");

    // One removed, one replaced: the same documents and passages match
    // (scores may differ until deleted passages are merged away).
    let mut dhr2 = dhr.clone();
    dhr2.document.title = "Fictional DHR into the death of Adult Q (revised)".into();
    let updated = tmp.path().join("updated");
    update_in_dir(
        &updated,
        &added,
        &[&cpr.document.id, &dhr.document.id],
        &[&dhr2],
    )
    .unwrap();
    let fresh2 = tmp.path().join("fresh2");
    std::fs::create_dir_all(&fresh2).unwrap();
    build_in_dir(&fresh2, [&dhr2, &pfd]).unwrap();
    let (updated_idx, fresh2_idx) = (
        SearchIndex::open(&updated).unwrap(),
        SearchIndex::open(&fresh2).unwrap(),
    );
    assert_eq!(hit_sets(&updated_idx), hit_sets(&fresh2_idx));
    // Deleted passages were merged away: scores agree closely (the merged
    // segment's average length is estimated from length norms).
    for (a, b) in answers(&updated_idx).iter().zip(answers(&fresh2_idx)) {
        let (a, b): (serde_json::Value, serde_json::Value) = (
            serde_json::from_str(a).unwrap(),
            serde_json::from_str(&b).unwrap(),
        );
        let docs = |v: &serde_json::Value| {
            v["documents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    (
                        d["doc_id"].as_str().unwrap().to_string(),
                        d["score"].as_f64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let (da, db) = (docs(&a), docs(&b));
        assert_eq!(da.len(), db.len());
        for ((ia, sa), (ib, sb)) in da.iter().zip(&db) {
            assert_eq!(ia, ib, "same order");
            assert!((sa - sb).abs() <= 0.01 * sb.abs(), "{sa} vs {sb}");
        }
    }
    assert_eq!(ids(&updated_idx), ids(&fresh2_idx));
    assert!(
        updated_idx
            .document(&dhr.document.id)
            .is_some_and(|d| d.title.ends_with("(revised)"))
    );

    // The indexes updated from are untouched and still answer as before.
    assert_eq!(
        answers(&SearchIndex::open(&first).unwrap()),
        answers(&before)
    );
    assert_eq!(
        answers(&SearchIndex::open(&added).unwrap()),
        answers(&added_idx)
    );
}
