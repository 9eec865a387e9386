//! HTTP-level tests of the served page over an in-RAM snapshot of three
//! fictional documents (one of them holding hostile markup).

use super::*;
use crate::index::fixtures::corpus;
use axum::http::Request;
use tower::ServiceExt;

fn state(token: Option<&str>, loopback: bool) -> AppState {
    let snap =
        Snapshot::from_docs(&corpus(), &crate::rules::RuleSet::default_rules()).expect("snapshot");
    AppState::new(Arc::new(Live::new(None, snap)), token, loopback)
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn send(st: &AppState, req: Request<Body>) -> Answer {
    let res = router(st.clone()).oneshot(req).await.expect("answer");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 10_000_000)
        .await
        .expect("body");
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).to_string(),
    }
}

async fn get(st: &AppState, uri: &str) -> Answer {
    send(
        st,
        Request::get(uri)
            .header(header::HOST, "127.0.0.1:8080")
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

fn json(a: &Answer) -> serde_json::Value {
    serde_json::from_str(&a.body).unwrap_or_else(|e| panic!("{e}: {}", a.body))
}

fn dhr_id() -> String {
    corpus()[0].document.id.clone()
}

fn cpr_id() -> String {
    corpus()[1].document.id.clone()
}

#[tokio::test]
async fn search_page_lists_hits_with_snippets_facets_and_security_headers() {
    let st = state(None, true);
    let a = get(&st, "/search?q=%22risk+assessment%22").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(
        a.body.contains("Fictional DHR into the death of Adult Q"),
        "{}",
        a.body
    );
    assert!(
        a.body.contains("<mark>risk assessment</mark>"),
        "{}",
        a.body
    );
    assert!(a.body.contains("data-facet=\"kind\""), "{}", a.body);
    assert!(
        a.body.contains(&format!("/documents/{}?q=", dhr_id())),
        "{}",
        a.body
    );
    let csp = a.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(a.headers["x-content-type-options"], "nosniff");
    assert_eq!(a.headers["x-frame-options"], "DENY");
    assert_eq!(a.headers["content-type"], "text/html; charset=utf-8");
    // The landing page has the query box and the syntax help, no results.
    let home = get(&st, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("How to search") && !home.body.contains("class=\"results\""));
}

#[tokio::test]
async fn facet_filters_narrow_the_results() {
    let st = state(None, true);
    let all = json(&get(&st, "/api/search?q=risk").await);
    assert_eq!(all["total_documents"], 2);
    let pfd = json(&get(&st, "/api/search?q=risk&kind=pfd").await);
    assert_eq!(pfd["total_documents"], 1);
    assert_eq!(pfd["documents"][0]["kind"], "pfd");
    assert_eq!(pfd["filters"]["kinds"][0], "pfd");
    let police = json(&get(&st, "/api/search?q=risk&agency=police").await);
    assert_eq!(police["documents"][0]["kind"], "dhr");
    // A named body: the facet counts it, the filter keeps its document.
    let named = json(&get(&st, "/api/search?q=risk&body=fictionshire+police").await);
    assert_eq!(named["total_documents"], 1);
    assert_eq!(named["documents"][0]["kind"], "dhr");
    assert_eq!(all["facets"]["body"][0]["value"], "Fictionshire Police");
    let page = get(&st, "/search?q=risk").await;
    assert!(
        page.body.contains("Addressed to (by name)"),
        "{}",
        page.body
    );
    // Facet links on the page toggle the filter.
    let page = get(&st, "/search?q=risk&kind=pfd").await;
    assert!(page.body.contains("aria-pressed=\"true\""), "{}", page.body);
    assert!(
        page.body
            .contains("type: Prevention of Future Deaths report"),
        "{}",
        page.body
    );
    // Paging: one document per page, page 2 is the other one.
    let p2 = json(&get(&st, "/api/search?q=risk&per_page=1&page=2").await);
    assert_eq!(p2["documents"].as_array().unwrap().len(), 1);
    assert_eq!(p2["offset"], 1);
    assert_ne!(p2["documents"][0]["doc_id"], all["documents"][0]["doc_id"]);
}

#[tokio::test]
async fn malformed_queries_and_parameters_get_a_clear_message_never_a_500() {
    let st = state(None, true);
    for q in [
        "%22unclosed",
        "(risk",
        "year:[2019+TO",
        "title:",
        "AND",
        "~~~",
    ] {
        let page = get(&st, &format!("/search?q={q}")).await;
        assert_eq!(page.status, StatusCode::OK, "{q}: {}", page.body);
        let api = get(&st, &format!("/api/search?q={q}")).await;
        if api.status != StatusCode::OK {
            assert_eq!(api.status, StatusCode::BAD_REQUEST, "{q}: {}", api.body);
            assert!(json(&api)["error"].as_str().is_some_and(|m| !m.is_empty()));
            assert!(page.body.contains("This search could not be run"), "{q}");
        }
    }
    let bad = get(&st, "/api/search?q=risk&year_from=soon").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(json(&bad)["error"].as_str().unwrap().contains("year_from"));
    let page = get(&st, "/search?q=risk&page=0").await;
    assert!(page.body.contains("page=0"), "{}", page.body);
}

#[tokio::test]
async fn hostile_document_text_is_shown_as_text() {
    let st = state(None, true);
    let a = get(&st, "/search?q=hostile").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(!a.body.contains("<script>alert"), "{}", a.body);
    assert!(
        a.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        a.body
    );
    let doc = get(&st, &format!("/documents/{}", cpr_id())).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(!doc.body.contains("<script>alert"), "{}", doc.body);
    // askama writes numeric entities.
    assert!(
        doc.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{}",
        doc.body
    );
    // A query with markup is echoed escaped.
    let q = get(&st, "/search?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E").await;
    assert!(!q.body.contains("<img src=x"), "{}", q.body);
}

#[tokio::test]
async fn document_view_marks_tags_with_their_rule_and_lists_recommendations() {
    let st = state(None, true);
    let a = get(&st, &format!("/documents/{}?q=coercive", dhr_id())).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains("class=\"tag\""), "{}", a.body);
    assert!(
        a.body.contains("data-rule=\"risk_assessment/cue\""),
        "{}",
        a.body
    );
    assert!(a.body.contains(">coercive control</mark>"), "{}", a.body);
    assert!(
        a.body.contains("Fictionshire Police should review"),
        "{}",
        a.body
    );
    assert!(
        a.body.contains("class=\"passage paragraph hit"),
        "{}",
        a.body
    );
    // Negated evidence is marked as such.
    let cpr = get(&st, &format!("/documents/{}", cpr_id())).await;
    assert!(cpr.body.contains("tag negated"), "{}", cpr.body);
    let api = json(&get(&st, &format!("/api/documents/{}", dhr_id())).await);
    assert_eq!(api["document"]["kind"], "dhr");
    assert!(!api["passages"].as_array().unwrap().is_empty());
    assert!(!api["tags"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn themes_and_recommendations_browse_with_counts() {
    let st = state(None, true);
    let list = get(&st, "/themes").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("data-theme=\"coercive_control\""));
    let themes = json(&get(&st, "/api/themes").await);
    let rc = themes
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "risk_assessment")
        .expect("risk_assessment listed");
    assert_eq!(rc["documents"], 2);
    assert_eq!(rc["by_year"][0][0], "2021");
    let one = get(&st, "/themes/risk_assessment").await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("Strongest evidence"), "{}", one.body);
    assert!(
        one.body.contains("Fictionshire Police should review"),
        "{}",
        one.body
    );
    assert_eq!(get(&st, "/themes/nope").await.status, StatusCode::NOT_FOUND);
    let recs = json(&get(&st, "/api/recommendations?agency=police").await);
    assert_eq!(recs["total"], 1);
    assert_eq!(recs["recommendations"][0]["ordinal"], "1");
    assert_eq!(recs["recommendations"][0]["kind"], "dhr");
    let all = json(&get(&st, "/api/recommendations").await);
    assert_eq!(all["total"], 3);
    let named = json(&get(&st, "/api/recommendations?body=Fictionshire+Police").await);
    assert_eq!(named["total"], 1);
    assert_eq!(all["facets"]["body"][0]["value"], "Fictionshire Police");
    assert_eq!(
        json(&get(&st, "/api/recommendations?body=Home+Office").await)["total"],
        0
    );
    let page = get(&st, "/recommendations?body=Fictionshire+Police").await;
    assert!(
        page.body.contains("To: Fictionshire Police"),
        "{}",
        page.body
    );
    // Newest first: the 2023 PFD.
    assert_eq!(all["recommendations"][0]["kind"], "pfd");
    let page = get(&st, "/recommendations?level=regional").await;
    assert!(page.body.contains("Dylai’r bwrdd"), "{}", page.body);
    assert!(page.body.contains("1 recommendation;"), "{}", page.body);
    let docs = get(&st, "/documents").await;
    assert!(
        docs.body
            .contains("Fictional Child Practice Review: Child R")
    );
}

#[tokio::test]
async fn no_path_traversal_no_writes_no_foreign_hosts() {
    let st = state(None, true);
    for uri in [
        "/documents/..%2F..%2F..%2Fetc%2Fpasswd",
        "/static/..%2F..%2FCargo.toml",
        "/static/../Cargo.toml",
        "/../../etc/passwd",
        "/api/documents/%2e%2e",
    ] {
        let a = get(&st, uri).await;
        assert!(
            a.status == StatusCode::NOT_FOUND || a.status == StatusCode::BAD_REQUEST,
            "{uri}: {}",
            a.status
        );
        assert!(
            !a.body.contains("root:") && !a.body.contains("[package]"),
            "{uri}"
        );
    }
    let post = send(
        &st,
        Request::post("/search")
            .header(header::HOST, "localhost")
            .body(Body::from("q=x"))
            .unwrap(),
    )
    .await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    let rebinding = send(
        &st,
        Request::get("/api/status")
            .header(header::HOST, "attacker.example")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(rebinding.status, StatusCode::MISDIRECTED_REQUEST);
    assert!(host_is_loopback(&{
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("[::1]:8080"));
        h
    }));
}

#[tokio::test]
async fn a_token_is_required_when_set() {
    let token = "fictional-token-0123456789";
    let st = state(Some(token), false);
    let denied = send(
        &st,
        Request::get("/api/status")
            .header(header::HOST, "panel.example")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
    assert!(denied.body.contains("Access token needed"));
    let bearer = send(
        &st,
        Request::get("/api/status")
            .header(header::HOST, "panel.example")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(bearer.status, StatusCode::OK);
    let link = get(&st, &format!("/search?q=risk&token={token}")).await;
    assert_eq!(link.status, StatusCode::SEE_OTHER);
    assert_eq!(link.headers[header::LOCATION], "/search?q=risk");
    let cookie = link.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let with_cookie = send(
        &st,
        Request::get("/search?q=risk")
            .header(header::HOST, "panel.example")
            .header(header::COOKIE, cookie.split(';').next().unwrap())
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(with_cookie.status, StatusCode::OK);
    let wrong = get(&st, "/search?token=not-the-token-at-all").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    // Liveness needs no token.
    assert_eq!(get(&st, "/healthz").await.status, StatusCode::OK);
}

#[test]
fn refuses_to_listen_off_loopback_without_a_strong_token() {
    let opts = |bind: &str, token: Option<&str>| ServeOptions {
        out: "index".into(),
        bind: bind.parse().unwrap(),
        token: token.map(str::to_string),
        reload_every: Duration::from_secs(1),
    };
    assert!(check_options(&opts("127.0.0.1:0", None)).is_ok());
    assert!(matches!(
        check_options(&opts("0.0.0.0:8080", None)),
        Err(ServeError::TokenRequired(_))
    ));
    assert!(matches!(
        check_options(&opts("0.0.0.0:8080", Some("short"))),
        Err(ServeError::WeakToken)
    ));
    assert!(check_options(&opts("0.0.0.0:8080", Some("a-long-enough-token-123"))).is_ok());
}

#[tokio::test]
async fn recurring_recommendations_are_listed_and_each_group_says_why() {
    let st = state(None, true);
    let api = json(&get(&st, "/api/patterns").await);
    let groups = api["groups"].as_array().expect("groups");
    assert_eq!(
        api["total"].as_u64().unwrap() as usize,
        groups.len(),
        "{api}"
    );
    let list = get(&st, "/patterns").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("<h1>Recurring recommendations</h1>"),
        "{}",
        list.body
    );
    assert!(
        list.body
            .contains(r#"href="/patterns" aria-current="page""#)
    );
    let Some(first) = groups.first() else {
        assert!(
            list.body.contains("No recommendation recurs"),
            "{}",
            list.body
        );
        return;
    };
    let id = first["id"].as_str().unwrap();
    assert!(
        list.body.contains(&format!("/patterns/{id}")),
        "{}",
        list.body
    );
    let page = get(&st, &format!("/patterns/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Why they are grouped"), "{}", page.body);
    let word = first["links"][0]["shared"][0].as_str().unwrap();
    assert!(
        page.body.contains(word),
        "the shared word {word} is not shown"
    );
    assert_eq!(
        json(&get(&st, &format!("/api/patterns/{id}")).await)["id"],
        id
    );
    assert_eq!(
        get(&st, "/patterns/g-nothing").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&st, "/patterns?page=0").await.status,
        StatusCode::BAD_REQUEST
    );
}

/// Three fictional documents that each ask their police force for the
/// same two things: two recurring groups.
fn recurring() -> Vec<crate::model::ProcessedDoc> {
    use crate::index::fixtures::DocBuilder;
    use crate::model::{AgencyLevel, DocKind, SectionKind};
    [
        (
            "dhr-a.txt",
            "Fictional DHR: Adult A",
            DocKind::Dhr,
            2021,
            "Glanmor",
        ),
        (
            "apr-b.txt",
            "Fictional APR: Mr B",
            DocKind::Apr,
            2023,
            "Morlan",
        ),
        (
            "dhr-c.txt",
            "Fictional DHR: Adult C",
            DocKind::Dhr,
            2024,
            "Penfeini",
        ),
    ]
    .into_iter()
    .map(|(file, title, kind, year, place)| {
        let force = format!("{place} Police");
        DocBuilder::new(file, title, kind, Some(year))
            .section("7 Recommendations", 1, SectionKind::Recommendations)
            .item(
                "1.",
                &format!(
                    "{force} should quality assure every DASH risk assessment completed \
                     by officers attending domestic abuse incidents."
                ),
            )
            .rec(Some("1"), &["police"], Some(AgencyLevel::SingleAgency))
            .to(&force, "police", AgencyLevel::SingleAgency)
            .item(
                "2.",
                &format!(
                    "{force} should train every call handler to recognise coercive and \
                     controlling behaviour when a victim reports stalking or harassment."
                ),
            )
            .rec(Some("2"), &["police"], Some(AgencyLevel::SingleAgency))
            .to(&force, "police", AgencyLevel::SingleAgency)
            .build()
    })
    .collect()
}

#[tokio::test]
async fn recurring_groups_are_read_from_the_store_as_the_build_wrote_them() {
    let snap = Snapshot::from_docs(&recurring(), &crate::rules::RuleSet::default_rules())
        .expect("snapshot");
    let written = crate::patterns::parse_groups(
        &snap.reader().recommendation_groups().expect("groups file"),
        "recommendation_groups.jsonl",
    )
    .expect("rows");
    assert_eq!(written.len(), 2, "the fixture recurs twice");
    assert_eq!(snap.groups.len(), 2);
    let heads = snap.groups.heads(0..25).to_vec();
    let mut kinds = vec![crate::model::DocKind::Dhr, crate::model::DocKind::Apr];
    kinds.sort();
    for (head, row) in heads.iter().zip(&written) {
        assert_eq!(head.id, row.id);
        assert_eq!(head.kinds, kinds, "each kind once");
        assert_eq!(snap.groups.row(snap.reader(), head).expect("row"), *row);
    }
    let head = heads[1].clone();
    let st = AppState::new(Arc::new(Live::new(None, snap)), None, true);
    let api = json(&get(&st, "/api/patterns").await);
    assert_eq!(api["total"], 2);
    assert_eq!(api["groups"], serde_json::to_value(&written).unwrap());
    let one = json(&get(&st, &format!("/api/patterns/{}", head.id)).await);
    assert_eq!(one["members"].as_array().map(Vec::len), Some(3));
    let list = get(&st, "/patterns").await;
    assert!(
        list.body
            .contains("Adult Practice Review, Domestic Homicide Review"),
        "{}",
        list.body
    );
}
