//! The search page and its JSON twin: results grouped by document, facets, active filters.

use super::*;

/// One hit as the page shows it.
#[derive(Debug, Clone)]
pub struct HitView {
    pub page: u32,
    pub section: String,
    pub snippet_html: String,
    pub href: String,
    pub is_recommendation: bool,
}

/// One document group as the page shows it.
#[derive(Debug, Clone)]
pub struct DocView {
    pub title: String,
    pub href: String,
    pub kind: String,
    pub year: Option<i32>,
    pub file: String,
    pub matched: String,
    pub hits: Vec<HitView>,
}

/// The results part of the search page.
#[derive(Debug, Clone)]
pub struct ResultsView {
    pub summary: String,
    pub docs: Vec<DocView>,
    pub facets: Vec<FacetGroup>,
    pub page: usize,
    pub pages: usize,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub nav: &'static str,
    pub footer: Footer,
    pub q: String,
    pub hidden: Vec<(String, String)>,
    pub year_hidden: Vec<(String, String)>,
    pub year_from: String,
    pub year_to: String,
    pub error: Option<String>,
    pub chips: Vec<Chip>,
    pub clear_href: String,
    pub results: Option<ResultsView>,
}

/// Run the search a page or `/api/search` asks for.
pub fn run_search(snap: &Snapshot, sp: &SearchParams) -> Result<SearchResults, ViewError> {
    let req = SearchRequest {
        query: sp.q.clone(),
        filters: sp.filters.clone(),
        limit: sp.per_page,
        offset: (sp.page - 1).saturating_mul(sp.per_page),
        per_document: 3,
    };
    Ok(snap.index.search(&req)?)
}

/// The search page for these parameters (a bad query is shown on the page,
/// with the query kept in the box to correct it).
pub fn search_page(snap: &Snapshot, params: &Params) -> SearchPage {
    let mut page = SearchPage {
        nav: "search",
        footer: Footer::of(snap),
        q: params.get("q").unwrap_or_default().to_string(),
        hidden: params.without("q").without("page").pairs().to_vec(),
        year_hidden: params
            .without("year_from")
            .without("year_to")
            .without("page")
            .pairs()
            .to_vec(),
        year_from: params.get("year_from").unwrap_or_default().to_string(),
        year_to: params.get("year_to").unwrap_or_default().to_string(),
        error: None,
        chips: search_chips(snap, params),
        clear_href: Params::default()
            .with("q", params.get("q").unwrap_or_default())
            .href("/search"),
        results: None,
    };
    let sp = match SearchParams::from_params(params) {
        Ok(sp) => sp,
        Err(e) => {
            page.error = Some(e.0);
            return page;
        }
    };
    if sp.is_empty() {
        return page;
    }
    match run_search(snap, &sp) {
        Ok(res) => page.results = Some(results_view(snap, params, &sp, &res)),
        Err(e) => page.error = Some(e.to_string()),
    }
    page
}

fn search_chips(snap: &Snapshot, params: &Params) -> Vec<Chip> {
    let mut chips = Vec::new();
    for (k, v) in params.pairs() {
        let label = match k.as_str() {
            "theme" => format!("theme: {}", snap.theme_label(v)),
            "kind" => format!("type: {}", kind_label(v)),
            "area" => format!("area: {v}"),
            "agency" => format!("agency: {}", snap.agency_label(v)),
            "body" => format!("addressed to: {v}"),
            "language" => format!("language: {}", language_label(v)),
            "section" => format!("section: {}", v.replace('_', " ")),
            "year_from" => format!("from {v}"),
            "year_to" => format!("to {v}"),
            "rec" => "recommendations only".to_string(),
            _ => continue,
        };
        let remove_href = if k == "rec" {
            params.without("rec").without("page").href("/search")
        } else {
            params.toggled(k, v).href("/search")
        };
        chips.push(Chip { label, remove_href });
    }
    chips
}

fn results_view(
    snap: &Snapshot,
    params: &Params,
    sp: &SearchParams,
    res: &SearchResults,
) -> ResultsView {
    let f = &res.facets;
    let mut facets = vec![
        facet_group(
            "theme",
            "Themes",
            &f.theme,
            params,
            "/search",
            |v| snap.theme_label(v).to_string(),
            60,
        ),
        facet_group(
            "kind",
            "Type of document",
            &f.kind,
            params,
            "/search",
            |v| kind_label(v).to_string(),
            20,
        ),
    ];
    // Years: a click narrows to that year.
    let mut years: Vec<&FacetCount> = f.year.iter().collect();
    years.sort_by(|a, b| b.value.cmp(&a.value));
    facets.push(year_facet(years, params, "/search"));
    facets.push(facet_group(
        "area",
        "Area",
        &f.area,
        params,
        "/search",
        str::to_string,
        20,
    ));
    facets.push(facet_group(
        "agency",
        "Recommendations to",
        &f.agency,
        params,
        "/search",
        |v| snap.agency_label(v).to_string(),
        30,
    ));
    facets.push(facet_group(
        "body",
        "Addressed to (by name)",
        &f.body,
        params,
        "/search",
        str::to_string,
        30,
    ));
    facets.push(facet_group(
        "language",
        "Language",
        &f.language,
        params,
        "/search",
        |v| language_label(v).to_string(),
        5,
    ));
    facets.push(FacetGroup {
        key: "rec".into(),
        label: "Passages".into(),
        items: vec![FacetItem {
            value: "1".into(),
            label: "only recommendations".into(),
            count: None,
            selected: sp.filters.recommendations,
            href: if sp.filters.recommendations {
                params.without("rec").without("page").href("/search")
            } else {
                params.without("page").with("rec", "1").href("/search")
            },
        }],
    });
    facets.retain(|g| !g.items.is_empty());

    let pages = res.total_documents.div_ceil(sp.per_page).max(1);
    let first = res.offset + 1;
    let last = res.offset + res.documents.len();
    let found = format!(
        "{} {} a matching passage",
        plural(res.total_documents, "document", "documents"),
        if res.total_documents == 1 {
            "has"
        } else {
            "have"
        }
    );
    let summary = if res.total_documents == 0 {
        "No passage matches. Try fewer words, OR between alternatives, or remove a filter."
            .to_string()
    } else if res.documents.is_empty() {
        format!("{found}; this page is past the last one.")
    } else {
        format!("{found}; documents {first}–{last}, most relevant first.")
    };
    let q = params.get("q").unwrap_or_default();
    let docs = res
        .documents
        .iter()
        .map(|d| {
            let base = if q.is_empty() {
                doc_href(&d.doc_id)
            } else {
                Params::default().with("q", q).href(&doc_href(&d.doc_id))
            };
            let more = d.matched_passages.saturating_sub(d.hits.len());
            DocView {
                title: d.title.clone(),
                href: base.clone(),
                kind: kind_label(&d.kind).to_string(),
                year: d.year,
                file: d.file.clone(),
                matched: if more > 0 {
                    format!(
                        "{} matching; {more} more in the document",
                        plural(d.matched_passages, "passage", "passages")
                    )
                } else {
                    format!(
                        "{} matching",
                        plural(d.matched_passages, "passage", "passages")
                    )
                },
                hits: d
                    .hits
                    .iter()
                    .map(|h| HitView {
                        page: h.page,
                        section: h.section.clone(),
                        snippet_html: h.snippet_html.clone(),
                        href: format!("{base}#p{}", h.passage),
                        is_recommendation: h.is_recommendation,
                    })
                    .collect(),
            }
        })
        .collect();
    ResultsView {
        summary,
        docs,
        facets,
        page: sp.page,
        pages,
        prev_href: (sp.page > 1).then(|| {
            params
                .with("page", &(sp.page - 1).to_string())
                .href("/search")
        }),
        next_href: (sp.page < pages).then(|| {
            params
                .with("page", &(sp.page + 1).to_string())
                .href("/search")
        }),
    }
}
