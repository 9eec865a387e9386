//! The recommendations explorer: every recommendation, filtered and paged.

use super::*;
use crate::serve::recs::CompactRec;

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
/// `theme`, `agency` and `body` (a canonical name; all present), `level` and `kind` (any of),
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
    let bodies = params.all("body");
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
    let table = &snap.recommendations;
    // Filters as small ids; a value no recommendation has keeps nothing.
    let ids = |names: &[String], interner: &super::super::recs::Interner| -> Option<Vec<u32>> {
        names.iter().map(|n| interner.id(n)).collect()
    };
    let (Some(theme_ids), Some(agency_ids)) =
        (ids(&themes, &table.themes), ids(&agencies, &table.agencies))
    else {
        return Ok(empty_results(per_page, page));
    };
    let body_ids: Vec<Vec<u32>> = bodies
        .iter()
        .map(|b| table.bodies.ids_ignoring_case(b))
        .collect();
    let doc = |r: &CompactRec| &snap.documents[r.doc as usize];
    // A translation is listed and counted once, as its original.
    let mut kept: Vec<usize> = Vec::new();
    for i in table.candidates(&theme_ids, &agency_ids) {
        let r = &table.recs[i];
        if r.translation {
            continue;
        }
        let d = doc(r);
        let kind = d.kind.as_str();
        let year = d.year;
        let ok = theme_ids.iter().all(|t| r.themes.contains(t))
            && agency_ids.iter().all(|a| r.agencies.contains(a))
            && body_ids
                .iter()
                .all(|any| any.iter().any(|b| r.bodies.contains(b)))
            && (levels.is_empty()
                || r.level
                    .is_some_and(|l| levels.iter().any(|x| x == l.as_str())))
            && (kinds.is_empty() || kinds.iter().any(|k| k == kind))
            && from.is_none_or(|f| year.is_some_and(|y| y >= f))
            && to.is_none_or(|t| year.is_some_and(|y| y <= t));
        if ok {
            kept.push(i);
        }
    }
    if !words.is_empty() {
        kept = table.with_words(snap.reader(), &kept, &words)?;
    }
    // Counted in table order, the order the table lies in memory.
    let facets = facet_counts(snap, &kept);
    // Newest documents first, then document order, then text order.
    kept.sort_unstable_by_key(|&i| table.listing[i]);
    let offset = (page - 1).saturating_mul(per_page);
    let total = kept.len();
    let mut recommendations = Vec::new();
    for &i in kept.iter().skip(offset).take(per_page) {
        let r = &table.recs[i];
        let d = doc(r);
        let rows = snap.doc_recommendations(r.doc as usize)?;
        let row = rows.get(r.nth as usize).ok_or_else(|| {
            ViewError::Internal(format!("a recommendation of {} is missing", d.id))
        })?;
        recommendations.push(RecView {
            passage: snap.index.passage_at(&d.id, r.start),
            title: d.title.to_string(),
            kind: d.kind.as_str().to_string(),
            year: d.year,
            rec: row.clone(),
        });
    }
    Ok(RecResults {
        total,
        offset,
        limit: per_page,
        recommendations,
        facets,
    })
}

fn empty_results(per_page: usize, page: usize) -> RecResults {
    RecResults {
        total: 0,
        offset: (page - 1).saturating_mul(per_page),
        limit: per_page,
        recommendations: Vec::new(),
        facets: BTreeMap::new(),
    }
}

/// Counts of the kept recommendations by theme, agency, body, level, kind
/// and year: most frequent first (years newest first).
fn facet_counts(snap: &Snapshot, kept: &[usize]) -> BTreeMap<String, Vec<FacetCount>> {
    let table = &snap.recommendations;
    let mut themes = vec![0usize; table.themes.len()];
    let mut agencies = vec![0usize; table.agencies.len()];
    let mut bodies = vec![0usize; table.bodies.len()];
    let mut levels: BTreeMap<&'static str, usize> = BTreeMap::new();
    // Kind and year are the document's: counted by document, then added.
    let mut per_doc = vec![0usize; snap.documents.len()];
    for &i in kept {
        let r = &table.recs[i];
        per_doc[r.doc as usize] += 1;
        for &t in r.themes.iter() {
            themes[t as usize] += 1;
        }
        for &a in r.agencies.iter() {
            agencies[a as usize] += 1;
        }
        for &b in r.bodies.iter() {
            bodies[b as usize] += 1;
        }
        if let Some(l) = r.level {
            *levels.entry(l.as_str()).or_default() += 1;
        }
    }
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut years: BTreeMap<String, usize> = BTreeMap::new();
    for (d, n) in snap.documents.iter().zip(per_doc).filter(|(_, n)| *n > 0) {
        *kinds.entry(d.kind.as_str()).or_default() += n;
        if let Some(y) = d.year {
            *years.entry(y.to_string()).or_default() += n;
        }
    }
    let mut counts: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    let owned = |m: BTreeMap<&'static str, usize>| -> BTreeMap<String, usize> {
        m.into_iter().map(|(k, n)| (k.to_string(), n)).collect()
    };
    for (key, m) in [
        ("level", owned(levels)),
        ("kind", owned(kinds)),
        ("year", years),
    ] {
        if !m.is_empty() {
            counts.insert(key, m);
        }
    }
    for (key, n, interner) in [
        ("theme", themes, &table.themes),
        ("agency", agencies, &table.agencies),
        ("body", bodies, &table.bodies),
    ] {
        for (id, c) in n.into_iter().enumerate().filter(|(_, c)| *c > 0) {
            counts
                .entry(key)
                .or_default()
                .insert(interner.name(id as u32).to_string(), c);
        }
    }
    counts
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
        .collect()
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
            "body" => format!("to: {v}"),
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
            "body",
            "Addressed to (by name)",
            get("body"),
            params,
            path,
            str::to_string,
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
            agencies: addressed_to(snap, &r.rec),
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
