//! The pages and their JSON twins: search, themes, one theme,
//! recommendations, documents, one document. Each view is built from one
//! [`Snapshot`] by a pure function (so tests can call it without HTTP);
//! the templates escape every piece of document text.

use super::params::{BadParam, Params, SearchParams};
use super::state::{Evidence, Snapshot, ThemeStats};
use crate::export::RecommendationRow;
use crate::index::{FacetCount, IndexError, SearchRequest, SearchResults, StoredPassage};
use askama::Template;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a view can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The request cannot be answered as asked (a bad query or parameter).
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Internal(String),
}

impl From<BadParam> for ViewError {
    fn from(e: BadParam) -> ViewError {
        ViewError::BadRequest(e.0)
    }
}

impl From<IndexError> for ViewError {
    fn from(e: IndexError) -> ViewError {
        match e {
            IndexError::Query(m) => ViewError::BadRequest(m),
            other => ViewError::Internal(other.to_string()),
        }
    }
}

/// People's names for document kinds.
pub fn kind_label(kind: &str) -> &str {
    match kind {
        "dhr" => "Domestic Homicide Review",
        "cpr" => "Child Practice Review",
        "apr" => "Adult Practice Review",
        "mhhr" => "Mental Health Homicide Review",
        "susr" => "Single Unified Safeguarding Review",
        "pfd" => "Prevention of Future Deaths report",
        "strategy" => "Strategy",
        "other" => "Other",
        k => k,
    }
}

/// People's names for agency levels.
pub fn level_label(level: &str) -> &str {
    match level {
        "single_agency" => "single agency",
        "multi_agency_local" => "multi-agency, local",
        "regional" => "regional",
        "national" => "national / government",
        l => l,
    }
}

fn language_label(lang: &str) -> &str {
    match lang {
        "en" => "English",
        "cy" => "Welsh (Cymraeg)",
        "en+cy" => "English and Welsh",
        l => l,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn doc_href(id: &str) -> String {
    format!("/documents/{}", encode(id))
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The page footer: what is being served.
#[derive(Debug, Clone, Default)]
pub struct Footer {
    pub documents: usize,
    pub recommendations: usize,
    pub rules_name: String,
    pub rules_version: String,
    pub generation: String,
}

impl Footer {
    pub fn of(s: &Snapshot) -> Footer {
        Footer {
            documents: s.documents.len(),
            recommendations: s.recommendations.len(),
            rules_name: s.vocabulary.rules_name.clone(),
            rules_version: s.vocabulary.rules_version.chars().take(12).collect(),
            generation: s.generation.clone(),
        }
    }
}

/// A facet value as a link that adds or removes it.
#[derive(Debug, Clone, Serialize)]
pub struct FacetItem {
    pub value: String,
    pub label: String,
    /// Documents with the value (None: not counted, a switch).
    pub count: Option<usize>,
    pub selected: bool,
    pub href: String,
}

/// One facet: its items, most frequent first.
#[derive(Debug, Clone, Serialize)]
pub struct FacetGroup {
    pub key: String,
    pub label: String,
    pub items: Vec<FacetItem>,
}

/// An active filter, with the link that removes it.
#[derive(Debug, Clone, Serialize)]
pub struct Chip {
    pub label: String,
    pub remove_href: String,
}

// ---------------------------------------------------------------- search

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

fn facet_group(
    key: &str,
    label: &str,
    counts: &[FacetCount],
    params: &Params,
    path: &str,
    name: impl Fn(&str) -> String,
    cap: usize,
) -> FacetGroup {
    let mut items: Vec<FacetItem> = counts
        .iter()
        .enumerate()
        .filter(|(i, c)| *i < cap || params.has(key, &c.value))
        .map(|(_, c)| FacetItem {
            value: c.value.clone(),
            label: name(&c.value),
            count: Some(c.documents),
            selected: params.has(key, &c.value),
            href: params.toggled(key, &c.value).href(path),
        })
        .collect();
    // A selected value with no matching document still shows, to be removed.
    for v in params.all(key) {
        if !items.iter().any(|i| i.value == v) {
            items.push(FacetItem {
                label: name(&v),
                count: Some(0),
                selected: true,
                href: params.toggled(key, &v).href(path),
                value: v,
            });
        }
    }
    FacetGroup {
        key: key.to_string(),
        label: label.to_string(),
        items,
    }
}

/// The year facet: a click narrows to that year (`year_from` = `year_to`),
/// a second click widens again.
fn year_facet<'a>(
    counts: impl IntoIterator<Item = &'a FacetCount>,
    params: &Params,
    path: &str,
) -> FacetGroup {
    let p = params.without("page");
    FacetGroup {
        key: "year".into(),
        label: "Year".into(),
        items: counts
            .into_iter()
            .map(|c| {
                let selected = params.get("year_from") == Some(c.value.as_str())
                    && params.get("year_to") == Some(c.value.as_str());
                let href = if selected {
                    p.without("year_from").without("year_to").href(path)
                } else {
                    p.with("year_from", &c.value)
                        .with("year_to", &c.value)
                        .href(path)
                };
                FacetItem {
                    value: c.value.clone(),
                    label: c.value.clone(),
                    count: Some(c.documents),
                    selected,
                    href,
                }
            })
            .collect(),
    }
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
    let summary = if res.total_passages == 0 {
        "No passage matches. Try fewer words, OR between alternatives, or remove a filter."
            .to_string()
    } else if res.documents.is_empty() {
        format!(
            "{} in {}; this page is past the last one.",
            plural(res.total_passages, "passage", "passages"),
            plural(res.total_documents, "document", "documents")
        )
    } else {
        format!(
            "{} in {} match; documents {first}–{last}, best first.",
            plural(res.total_passages, "passage", "passages"),
            plural(res.total_documents, "document", "documents")
        )
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

// ---------------------------------------------------------------- themes

/// A theme in the theme list (also `/api/themes`).
#[derive(Debug, Clone, Serialize)]
pub struct ThemeSummary {
    pub id: String,
    pub label: String,
    pub description: String,
    pub parent: Option<String>,
    pub sources: Vec<String>,
    pub documents: usize,
    pub recommendations: usize,
    pub hits: usize,
    pub by_year: Vec<(String, usize)>,
    #[serde(skip)]
    pub child: bool,
    #[serde(skip)]
    pub href: String,
    #[serde(skip)]
    pub search_href: String,
    #[serde(skip)]
    pub recs_href: String,
}

#[derive(Template)]
#[template(path = "themes.html")]
pub struct ThemesPage {
    pub nav: &'static str,
    pub footer: Footer,
    pub themes: Vec<ThemeSummary>,
}

fn theme_summary(snap: &Snapshot, id: &str) -> Option<ThemeSummary> {
    let t = snap.theme(id)?;
    let empty = ThemeStats::default();
    let s = snap.theme_stats.get(id).unwrap_or(&empty);
    Some(ThemeSummary {
        id: t.id.clone(),
        label: t.label.clone(),
        description: t.description.clone(),
        parent: t.parent.clone(),
        sources: t.sources.clone(),
        documents: s.documents,
        recommendations: s.recommendations,
        hits: s.hits,
        by_year: s.by_year.clone(),
        child: t.parent.is_some(),
        href: format!("/themes/{}", encode(&t.id)),
        search_href: Params::default().with("theme", &t.id).href("/search"),
        recs_href: Params::default()
            .with("theme", &t.id)
            .href("/recommendations"),
    })
}

/// Every theme, parents followed by their children.
pub fn themes(snap: &Snapshot) -> Vec<ThemeSummary> {
    let vocab = &snap.vocabulary.themes;
    let mut out = Vec::with_capacity(vocab.len());
    for t in vocab.iter().filter(|t| {
        t.parent
            .as_deref()
            .is_none_or(|p| !vocab.iter().any(|x| x.id == p))
    }) {
        out.extend(theme_summary(snap, &t.id));
        for c in vocab.iter().filter(|c| c.parent.as_deref() == Some(&t.id)) {
            out.extend(theme_summary(snap, &c.id));
        }
    }
    out
}

pub fn themes_page(snap: &Snapshot) -> ThemesPage {
    ThemesPage {
        nav: "themes",
        footer: Footer::of(snap),
        themes: themes(snap),
    }
}

/// A link with a label.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub label: String,
    pub href: String,
}

/// A source of a theme; a link only for http(s) addresses.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub text: String,
    pub url: Option<String>,
}

/// An evidence passage with its text.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    #[serde(flatten)]
    pub evidence: Evidence,
    pub title: String,
    pub text: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "theme.html")]
pub struct ThemePage {
    pub nav: &'static str,
    pub footer: Footer,
    pub id: String,
    pub label: String,
    pub description: String,
    pub parent: Option<Link>,
    pub children: Vec<Link>,
    pub sources: Vec<Source>,
    pub documents: usize,
    pub recommendations: usize,
    pub hits: usize,
    pub by_year: Vec<(String, usize)>,
    pub evidence: Vec<EvidenceView>,
    pub search_href: String,
    pub recs_href: String,
}

/// Longest evidence excerpt shown, in characters.
const EXCERPT_CHARS: usize = 420;

/// `text` cut to about `max` characters around the first of `words`.
fn excerpt(text: &str, words: &[String], max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_string();
    }
    let lower = text.to_lowercase();
    let at_byte = words
        .iter()
        .filter_map(|w| lower.find(&w.to_lowercase()))
        .min()
        .unwrap_or(0);
    let at = text.get(..at_byte).map_or(0, |s| s.chars().count());
    let mut start = at.saturating_sub(max / 3).min(chars.len() - max);
    // Start and end on word boundaries.
    while start > 0 && start < at && !chars[start - 1].is_whitespace() {
        start += 1;
    }
    let mut end = (start + max).min(chars.len());
    while end < chars.len() && end > start + max / 2 && !chars[end].is_whitespace() {
        end -= 1;
    }
    let mut s: String = chars[start..end]
        .iter()
        .collect::<String>()
        .trim()
        .to_string();
    if start > 0 {
        s.insert(0, '…');
    }
    if end < chars.len() {
        s.push('…');
    }
    s
}

pub fn theme_page(snap: &Snapshot, id: &str) -> Result<ThemePage, ViewError> {
    let summary =
        theme_summary(snap, id).ok_or_else(|| ViewError::NotFound(format!("no theme {id:?}")))?;
    let empty = ThemeStats::default();
    let stats = snap.theme_stats.get(id).unwrap_or(&empty);
    let mut evidence = Vec::new();
    for e in &stats.evidence {
        let text = snap
            .index
            .passage(&e.doc_id, e.passage)?
            .map(|p| p.text)
            .unwrap_or_default();
        evidence.push(EvidenceView {
            title: snap
                .document(&e.doc_id)
                .map(|d| d.title.to_string())
                .unwrap_or_else(|| e.doc_id.clone()),
            text: excerpt(&text, &e.matched, EXCERPT_CHARS),
            href: format!("{}#p{}", doc_href(&e.doc_id), e.passage),
            evidence: e.clone(),
        });
    }
    let link = |id: &str| Link {
        label: snap.theme_label(id).to_string(),
        href: format!("/themes/{}", encode(id)),
    };
    Ok(ThemePage {
        nav: "themes",
        footer: Footer::of(snap),
        parent: summary.parent.as_deref().map(link),
        children: snap
            .vocabulary
            .themes
            .iter()
            .filter(|c| c.parent.as_deref() == Some(id))
            .map(|c| link(&c.id))
            .collect(),
        sources: summary
            .sources
            .iter()
            .map(|s| Source {
                text: s.clone(),
                url: (s.starts_with("https://") || s.starts_with("http://")).then(|| s.clone()),
            })
            .collect(),
        id: summary.id,
        label: summary.label,
        description: summary.description,
        documents: summary.documents,
        recommendations: summary.recommendations,
        hits: summary.hits,
        by_year: summary.by_year,
        evidence,
        search_href: summary.search_href,
        recs_href: summary.recs_href,
    })
}

// ---------------------------------------------------------------- recommendations

/// A recommendation with its document's metadata (also `/api/recommendations`).
#[derive(Debug, Clone, Serialize)]
pub struct RecView {
    #[serde(flatten)]
    pub rec: RecommendationRow<'static>,
    pub title: String,
    pub kind: String,
    pub year: Option<i32>,
    /// Position of the passage where it starts (for `/documents/ID#pN`).
    pub passage: Option<usize>,
}

/// One recommendation as the page shows it.
#[derive(Debug, Clone)]
pub struct RecItem {
    pub ordinal: Option<String>,
    pub text: String,
    pub title: String,
    pub href: String,
    pub kind: String,
    pub year: Option<i32>,
    pub page: u32,
    pub section: String,
    pub agencies: String,
    pub level: Option<String>,
    pub themes: String,
    pub action_plan: Option<String>,
    pub action_plan_page: String,
}

/// The recommendations matching the explorer's filters, and facet counts
/// over them (`/api/recommendations`).
#[derive(Debug, Clone, Serialize)]
pub struct RecResults {
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub recommendations: Vec<RecView>,
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

/// Recommendations per page.
pub const RECS_PER_PAGE: usize = 50;

/// Filter the recommendations: `q` (words, all present, case-insensitive),
/// `theme` and `agency` (all present), `level` and `kind` (any of),
/// `year_from`, `year_to`, `page`, `per_page`.
pub fn find_recommendations(snap: &Snapshot, params: &Params) -> Result<RecResults, ViewError> {
    let words: Vec<String> = params
        .get("q")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let themes = params.all("theme");
    let agencies = params.all("agency");
    let levels = params.all("level");
    let kinds = params.all("kind");
    let from: Option<i32> = params.int("year_from", "a year")?;
    let to: Option<i32> = params.int("year_to", "a year")?;
    let per_page: usize = params
        .int("per_page", "a number of recommendations")?
        .unwrap_or(RECS_PER_PAGE);
    if per_page == 0 || per_page > 10_000 {
        return Err(ViewError::BadRequest(format!(
            "per_page={per_page} is out of range (1 to 10000)"
        )));
    }
    let page = params.page()?;
    let mut kept: Vec<(
        &RecommendationRow<'static>,
        Option<&crate::export::DocumentRow<'static>>,
    )> = Vec::new();
    for r in &snap.recommendations {
        let d = snap.document(&r.doc_id);
        let kind = d.map(|d| d.kind.as_str()).unwrap_or("other");
        let year = d.and_then(|d| d.year);
        let ok = themes.iter().all(|t| r.themes.contains(t))
            && agencies.iter().all(|a| r.agencies.contains(a))
            && (levels.is_empty()
                || r.level
                    .is_some_and(|l| levels.iter().any(|x| x == l.as_str())))
            && (kinds.is_empty() || kinds.iter().any(|k| k == kind))
            && from.is_none_or(|f| year.is_some_and(|y| y >= f))
            && to.is_none_or(|t| year.is_some_and(|y| y <= t))
            && (words.is_empty() || {
                let text = r.text.to_lowercase();
                words.iter().all(|w| text.contains(w.as_str()))
            });
        if ok {
            kept.push((r, d));
        }
    }
    // Newest documents first, then document order, then text order.
    kept.sort_by(|a, b| {
        let ya = a.1.and_then(|d| d.year);
        let yb = b.1.and_then(|d| d.year);
        yb.cmp(&ya)
            .then_with(|| a.0.doc_id.cmp(&b.0.doc_id))
            .then(a.0.start.cmp(&b.0.start))
    });
    let mut counts: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for (r, d) in &kept {
        for t in r.themes.iter() {
            *counts
                .entry("theme")
                .or_default()
                .entry(t.clone())
                .or_default() += 1;
        }
        for a in r.agencies.iter() {
            *counts
                .entry("agency")
                .or_default()
                .entry(a.clone())
                .or_default() += 1;
        }
        if let Some(l) = r.level {
            *counts
                .entry("level")
                .or_default()
                .entry(l.as_str().into())
                .or_default() += 1;
        }
        let kind = d.map(|d| d.kind.as_str()).unwrap_or("other");
        *counts
            .entry("kind")
            .or_default()
            .entry(kind.into())
            .or_default() += 1;
        if let Some(y) = d.and_then(|d| d.year) {
            *counts
                .entry("year")
                .or_default()
                .entry(y.to_string())
                .or_default() += 1;
        }
    }
    let facets = counts
        .into_iter()
        .map(|(k, m)| {
            let mut v: Vec<FacetCount> = m
                .into_iter()
                .map(|(value, documents)| FacetCount { value, documents })
                .collect();
            if k == "year" {
                v.reverse();
            } else {
                v.sort_by_key(|f| std::cmp::Reverse(f.documents));
            }
            (k.to_string(), v)
        })
        .collect();
    let offset = (page - 1).saturating_mul(per_page);
    let total = kept.len();
    let recommendations = kept
        .into_iter()
        .skip(offset)
        .take(per_page)
        .map(|(r, d)| RecView {
            passage: snap.index.passage_at(&r.doc_id, r.start),
            title: d.map(|d| d.title.to_string()).unwrap_or_default(),
            kind: d.map(|d| d.kind.as_str().to_string()).unwrap_or_default(),
            year: d.and_then(|d| d.year),
            rec: r.clone(),
        })
        .collect();
    Ok(RecResults {
        total,
        offset,
        limit: per_page,
        recommendations,
        facets,
    })
}

#[derive(Template)]
#[template(path = "recommendations.html")]
pub struct RecsPage {
    pub nav: &'static str,
    pub footer: Footer,
    pub q: String,
    pub hidden: Vec<(String, String)>,
    pub error: Option<String>,
    pub chips: Vec<Chip>,
    pub facets: Vec<FacetGroup>,
    pub summary: String,
    pub recs: Vec<RecItem>,
    pub page: usize,
    pub pages: usize,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

fn agencies_text(snap: &Snapshot, ids: &[String]) -> String {
    ids.iter()
        .map(|a| snap.agency_label(a))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn recs_page(snap: &Snapshot, params: &Params) -> RecsPage {
    let mut page = RecsPage {
        nav: "recommendations",
        footer: Footer::of(snap),
        q: params.get("q").unwrap_or_default().to_string(),
        hidden: params.without("q").without("page").pairs().to_vec(),
        error: None,
        chips: Vec::new(),
        facets: Vec::new(),
        summary: String::new(),
        recs: Vec::new(),
        page: 1,
        pages: 1,
        prev_href: None,
        next_href: None,
    };
    for (k, v) in params.pairs() {
        let label = match k.as_str() {
            "theme" => format!("theme: {}", snap.theme_label(v)),
            "agency" => format!("to: {}", snap.agency_label(v)),
            "level" => format!("level: {}", level_label(v)),
            "kind" => format!("type: {}", kind_label(v)),
            "year_from" => format!("from {v}"),
            "year_to" => format!("to {v}"),
            "q" => format!("words: {v}"),
            _ => continue,
        };
        page.chips.push(Chip {
            label,
            remove_href: params.toggled(k, v).href("/recommendations"),
        });
    }
    let res = match find_recommendations(snap, params) {
        Ok(r) => r,
        Err(e) => {
            page.error = Some(e.to_string());
            return page;
        }
    };
    let path = "/recommendations";
    let empty = Vec::new();
    let get = |k: &str| res.facets.get(k).unwrap_or(&empty);
    page.facets = vec![
        facet_group(
            "theme",
            "Themes",
            get("theme"),
            params,
            path,
            |v| snap.theme_label(v).to_string(),
            60,
        ),
        facet_group(
            "agency",
            "Addressed to",
            get("agency"),
            params,
            path,
            |v| snap.agency_label(v).to_string(),
            40,
        ),
        facet_group(
            "level",
            "Level",
            get("level"),
            params,
            path,
            |v| level_label(v).to_string(),
            10,
        ),
        facet_group(
            "kind",
            "Type of document",
            get("kind"),
            params,
            path,
            |v| kind_label(v).to_string(),
            10,
        ),
    ];
    // Years narrow to one year, as on the search page.
    page.facets.push(year_facet(get("year"), params, path));
    page.facets.retain(|g| !g.items.is_empty());
    page.page = params.page().unwrap_or(1);
    page.pages = res.total.div_ceil(res.limit).max(1);
    page.summary = if res.total == 0 {
        "No recommendation matches these filters.".into()
    } else {
        format!(
            "{}; showing {}–{}, newest documents first.",
            plural(res.total, "recommendation", "recommendations"),
            res.offset + 1,
            res.offset + res.recommendations.len()
        )
    };
    page.prev_href =
        (page.page > 1).then(|| params.with("page", &(page.page - 1).to_string()).href(path));
    page.next_href = (page.page < page.pages)
        .then(|| params.with("page", &(page.page + 1).to_string()).href(path));
    page.recs = res
        .recommendations
        .iter()
        .map(|r| RecItem {
            ordinal: r.rec.ordinal.as_ref().map(|o| o.to_string()),
            text: r.rec.text.to_string(),
            title: r.title.clone(),
            href: match r.passage {
                Some(p) => format!("{}#p{p}", doc_href(&r.rec.doc_id)),
                None => doc_href(&r.rec.doc_id),
            },
            kind: kind_label(&r.kind).to_string(),
            year: r.year,
            page: r.rec.page,
            section: r.rec.section.to_string(),
            agencies: agencies_text(snap, &r.rec.agencies),
            level: r.rec.level.map(|l| level_label(l.as_str()).to_string()),
            themes: r
                .rec
                .themes
                .iter()
                .map(|t| snap.theme_label(t))
                .collect::<Vec<_>>()
                .join(", "),
            action_plan: r.rec.action_plan.as_ref().map(|a| a.to_string()),
            action_plan_page: r
                .rec
                .action_plan_page
                .map(|p| p.to_string())
                .unwrap_or_default(),
        })
        .collect();
    page
}

// ---------------------------------------------------------------- documents

/// A document in the list.
#[derive(Debug, Clone)]
pub struct DocRow {
    pub title: String,
    pub href: String,
    pub file: String,
    pub kind: String,
    pub year: Option<i32>,
    pub area: String,
    pub pages: u32,
    pub recommendations: usize,
    pub themes: usize,
}

#[derive(Template)]
#[template(path = "documents.html")]
pub struct DocumentsPage {
    pub nav: &'static str,
    pub footer: Footer,
    pub docs: Vec<DocRow>,
}

pub fn documents_page(snap: &Snapshot) -> DocumentsPage {
    let mut docs: Vec<DocRow> = snap
        .documents
        .iter()
        .map(|d| DocRow {
            title: d.title.to_string(),
            href: doc_href(&d.id),
            file: d.file.to_string(),
            kind: kind_label(d.kind.as_str()).to_string(),
            year: d.year,
            area: d.area.as_deref().unwrap_or_default().to_string(),
            pages: d.pages,
            recommendations: d.recommendations,
            themes: d.themes.len(),
        })
        .collect();
    docs.sort_by(|a, b| b.year.cmp(&a.year).then_with(|| a.title.cmp(&b.title)));
    DocumentsPage {
        nav: "documents",
        footer: Footer::of(snap),
        docs,
    }
}

/// A tag as the document view marks it.
#[derive(Debug, Clone)]
pub struct TagMark {
    pub theme: String,
    pub label: String,
    pub rule: String,
    pub weight: String,
    pub matched: String,
    pub polarity: &'static str,
    pub negated: bool,
    /// Hover text: every tag covering the words.
    pub title: String,
}

/// A run of passage text, marked when a tag covers it.
#[derive(Debug, Clone)]
pub struct Segment {
    pub text: String,
    pub tag: Option<TagMark>,
}

/// A passage of the document view.
#[derive(Debug, Clone)]
pub struct PassageView {
    pub index: usize,
    pub kind: String,
    pub heading: bool,
    pub section: String,
    pub new_page: Option<u32>,
    pub hit: bool,
    pub is_recommendation: bool,
    pub segments: Vec<Segment>,
}

/// A table-of-contents line.
#[derive(Debug, Clone)]
pub struct TocEntry {
    pub label: String,
    pub passage: usize,
    pub level: usize,
}

#[derive(Template)]
#[template(path = "document.html")]
pub struct DocumentPage {
    pub nav: &'static str,
    pub footer: Footer,
    pub id: String,
    pub title: String,
    pub kind: String,
    pub year: Option<i32>,
    pub area: String,
    pub pages: u32,
    pub file: String,
    pub warnings: Vec<String>,
    pub themes: Vec<Link>,
    pub q: String,
    pub hit_count: String,
    pub passages: Vec<PassageView>,
    pub toc: Vec<TocEntry>,
    pub recs: Vec<RecItem>,
}

/// The document as JSON (`/api/documents/ID`).
#[derive(Debug, Clone, Serialize)]
pub struct DocumentJson {
    pub document: crate::export::DocumentRow<'static>,
    pub passages: Vec<StoredPassage>,
    pub tags: Vec<crate::export::TagRow<'static>>,
    pub recommendations: Vec<RecommendationRow<'static>>,
}

pub fn document_json(snap: &Snapshot, id: &str) -> Result<DocumentJson, ViewError> {
    let d = snap
        .document(id)
        .ok_or_else(|| ViewError::NotFound(format!("no document {id:?}")))?;
    Ok(DocumentJson {
        document: d.clone(),
        passages: snap.index.passages(id)?.unwrap_or_default(),
        tags: snap.tags.get(id).cloned().unwrap_or_default(),
        recommendations: snap
            .recommendations
            .iter()
            .filter(|r| r.doc_id == id)
            .cloned()
            .collect(),
    })
}

/// Split a passage's text into runs at tag boundaries. `start` is the
/// passage's character offset in the document; tag offsets are too.
pub fn segments(
    snap: &Snapshot,
    text: &str,
    start: usize,
    tags: &[&crate::export::TagRow<'static>],
) -> Vec<Segment> {
    let n = text.chars().count();
    let end = start + n;
    let inside: Vec<&&crate::export::TagRow> = tags
        .iter()
        .filter(|t| t.start < end && t.end > start && t.end > t.start)
        .collect();
    if inside.is_empty() {
        return vec![Segment {
            text: text.to_string(),
            tag: None,
        }];
    }
    let mut cuts: Vec<usize> = vec![0, n];
    for t in &inside {
        cuts.push(t.start.saturating_sub(start).min(n));
        cuts.push(t.end.saturating_sub(start).min(n));
    }
    cuts.sort_unstable();
    cuts.dedup();
    // Byte offset of each character position.
    let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    bytes.push(text.len());
    let mut out = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let piece = &text[bytes[a]..bytes[b]];
        let covering: Vec<&&&crate::export::TagRow> = inside
            .iter()
            .filter(|t| t.start <= start + a && t.end >= start + b)
            .collect();
        let tag = covering
            .iter()
            .max_by(|x, y| {
                let px = x.polarity == crate::model::Polarity::Present;
                let py = y.polarity == crate::model::Polarity::Present;
                px.cmp(&py).then(x.weight.total_cmp(&y.weight))
            })
            .map(|t| {
                let negated = t.polarity == crate::model::Polarity::Negated;
                let title = covering
                    .iter()
                    .map(|c| {
                        format!(
                            "{}{} — rule {} (weight {})",
                            snap.theme_label(&c.theme),
                            if c.polarity == crate::model::Polarity::Negated {
                                " (negated)"
                            } else {
                                ""
                            },
                            c.rule,
                            c.weight
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                TagMark {
                    theme: t.theme.to_string(),
                    label: snap.theme_label(&t.theme).to_string(),
                    rule: t.rule.to_string(),
                    weight: t.weight.to_string(),
                    matched: t.matched.to_string(),
                    polarity: if negated { "negated" } else { "present" },
                    negated,
                    title,
                }
            });
        out.push(Segment {
            text: piece.to_string(),
            tag,
        });
    }
    out
}

pub fn document_page(
    snap: &Snapshot,
    id: &str,
    params: &Params,
) -> Result<DocumentPage, ViewError> {
    let d = snap
        .document(id)
        .ok_or_else(|| ViewError::NotFound(format!("no document {id:?}")))?;
    let stored = snap.index.passages(id)?.unwrap_or_default();
    let q = params.get("q").unwrap_or_default().to_string();
    // Passages matching the query, marked in the margin.
    let mut hits: std::collections::HashSet<usize> = std::collections::HashSet::new();
    let mut hit_count = String::new();
    if !q.is_empty() {
        let req = SearchRequest {
            query: q.clone(),
            filters: crate::index::SearchFilters::default(),
            limit: 1,
            offset: 0,
            per_document: 0,
        };
        // A query that was valid on the search page is valid here; a bad
        // one typed into the address only loses the marks.
        if let Ok(res) = snap.index.search_in(id, &req) {
            for dh in &res.documents {
                hits.extend(dh.hits.iter().map(|h| h.passage));
            }
        }
        hit_count = plural(hits.len(), "passage", "passages");
    }
    let doc_tags: Vec<&crate::export::TagRow<'static>> = snap
        .tags
        .get(id)
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    let mut passages = Vec::with_capacity(stored.len());
    let mut toc = Vec::new();
    let mut last_page = 0;
    for p in &stored {
        let end = p.start + p.text.chars().count();
        let tags: Vec<&crate::export::TagRow<'static>> = doc_tags
            .iter()
            .copied()
            .filter(|t| t.start < end && t.end > p.start)
            .collect();
        let heading = p.kind == "heading";
        if heading {
            toc.push(TocEntry {
                label: p.text.clone(),
                passage: p.index,
                level: p.section.matches(" › ").count() + 1,
            });
        }
        passages.push(PassageView {
            index: p.index,
            kind: p.kind.clone(),
            heading,
            section: p.section.clone(),
            new_page: (p.page != last_page).then_some(p.page),
            hit: hits.contains(&p.index),
            is_recommendation: p.is_recommendation,
            segments: segments(snap, &p.text, p.start, &tags),
        });
        last_page = p.page;
    }
    let recs = snap
        .recommendations
        .iter()
        .filter(|r| r.doc_id == id)
        .map(|r| RecItem {
            ordinal: r.ordinal.as_ref().map(|o| o.to_string()),
            text: r.text.to_string(),
            title: d.title.to_string(),
            href: snap
                .index
                .passage_at(id, r.start)
                .map(|p| format!("#p{p}"))
                .unwrap_or_default(),
            kind: kind_label(d.kind.as_str()).to_string(),
            year: d.year,
            page: r.page,
            section: r.section.to_string(),
            agencies: agencies_text(snap, &r.agencies),
            level: r.level.map(|l| level_label(l.as_str()).to_string()),
            themes: String::new(),
            action_plan: r.action_plan.as_ref().map(|a| a.to_string()),
            action_plan_page: String::new(),
        })
        .collect();
    Ok(DocumentPage {
        nav: "documents",
        footer: Footer::of(snap),
        id: d.id.to_string(),
        title: d.title.to_string(),
        kind: kind_label(d.kind.as_str()).to_string(),
        year: d.year,
        area: d.area.as_deref().unwrap_or_default().to_string(),
        pages: d.pages,
        file: d.file.to_string(),
        warnings: d.warnings.clone(),
        themes: d
            .themes
            .iter()
            .map(|t| Link {
                label: snap.theme_label(t).to_string(),
                href: format!("/themes/{}", encode(t)),
            })
            .collect(),
        q,
        hit_count,
        passages,
        toc,
        recs,
    })
}

// ---------------------------------------------------------------- messages

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub nav: &'static str,
    pub footer: Footer,
    pub heading: String,
    pub message: String,
    pub token_form: bool,
    pub token_action: String,
}

impl MessagePage {
    pub fn new(footer: Footer, heading: &str, message: &str) -> MessagePage {
        MessagePage {
            nav: "",
            footer,
            heading: heading.to_string(),
            message: message.to_string(),
            token_form: false,
            token_action: String::new(),
        }
    }
}
