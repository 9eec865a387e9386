//! Recurring recommendations: the groups a build found (most documents
//! first, paged), and one group with its members and why they were
//! grouped (each member's strongest pair with the words both use).

use super::*;
use crate::patterns::RecommendationGroupRow;
use crate::serve::GroupHead;

/// Groups per page.
pub const GROUPS_PER_PAGE: usize = 25;

/// One group in the list.
#[derive(Debug, Clone)]
pub struct GroupItem {
    pub href: String,
    pub summary: String,
    pub text: String,
    pub words: String,
    pub kinds: String,
}

#[derive(Template)]
#[template(path = "patterns.html")]
pub struct PatternsPage {
    pub nav: &'static str,
    pub footer: Footer,
    pub total: usize,
    pub first: usize,
    pub last: usize,
    pub groups: Vec<GroupItem>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

/// A page of the groups (`page`, from 1); also what `/api/patterns` lists.
pub fn groups_page<'s>(
    snap: &'s Snapshot,
    params: &Params,
) -> Result<(usize, &'s [GroupHead]), ViewError> {
    let page: usize = match params.get("page") {
        None => 1,
        Some(p) => p.parse().ok().filter(|&n| n >= 1).ok_or_else(|| {
            ViewError::BadRequest(format!("page must be a number from 1, not {p:?}"))
        })?,
    };
    let start = (page - 1).saturating_mul(GROUPS_PER_PAGE);
    Ok((
        page,
        snap.groups
            .heads(start..start.saturating_add(GROUPS_PER_PAGE)),
    ))
}

pub fn patterns_page(snap: &Snapshot, params: &Params) -> Result<PatternsPage, ViewError> {
    let (page, groups) = groups_page(snap, params)?;
    let total = snap.groups.len();
    let first = (page - 1).saturating_mul(GROUPS_PER_PAGE);
    Ok(PatternsPage {
        nav: "patterns",
        footer: Footer::of(snap),
        total,
        first: first.saturating_add(1).min(total),
        last: first.saturating_add(groups.len()),
        groups: groups
            .iter()
            .map(|g| {
                let mut kinds: Vec<&str> = g.kinds.iter().map(|k| kind_label(k.as_str())).collect();
                kinds.sort_unstable();
                kinds.dedup();
                GroupItem {
                    href: group_href(&g.id),
                    summary: g.summary.clone(),
                    text: g.text.clone(),
                    words: g.words.join(", "),
                    kinds: kinds.join(", "),
                }
            })
            .collect(),
        prev_href: (page > 1).then(|| {
            params
                .with("page", &(page - 1).to_string())
                .href("/patterns")
        }),
        next_href: (first.saturating_add(groups.len()) < total).then(|| {
            params
                .with("page", &(page + 1).to_string())
                .href("/patterns")
        }),
    })
}

fn group_href(id: &str) -> String {
    format!("/patterns/{}", encode(id))
}

/// A member of the group page.
#[derive(Debug, Clone)]
pub struct MemberItem {
    pub id: String,
    pub year: String,
    pub title: String,
    pub href: String,
    pub kind: String,
    pub page: u32,
    pub to: String,
    pub text: String,
}

/// Why two members are grouped.
#[derive(Debug, Clone)]
pub struct LinkItem {
    pub a: String,
    pub b: String,
    pub percent: u32,
    pub shared: String,
}

#[derive(Template)]
#[template(path = "pattern.html")]
pub struct PatternPage {
    pub nav: &'static str,
    pub footer: Footer,
    pub id: String,
    pub summary: String,
    pub text: String,
    pub words: String,
    pub themes: String,
    pub members: Vec<MemberItem>,
    pub links: Vec<LinkItem>,
}

/// One group by id (also `/api/patterns/{id}`), read from the store.
pub fn group(snap: &Snapshot, id: &str) -> Result<RecommendationGroupRow, ViewError> {
    let head = snap.groups.find(id).ok_or_else(|| {
        ViewError::NotFound(format!("no recurring recommendation {id:?} in this build"))
    })?;
    Ok(snap.groups.row(snap.reader(), head)?)
}

pub fn pattern_page(snap: &Snapshot, id: &str) -> Result<PatternPage, ViewError> {
    let g = group(snap, id)?;
    // Members are named by their year and document in the pairs.
    let name = |rec: &str| {
        g.members
            .iter()
            .find(|m| m.id == rec)
            .map(|m| {
                format!(
                    "{} ({})",
                    m.title,
                    m.year.map(|y| y.to_string()).unwrap_or_default()
                )
            })
            .unwrap_or_else(|| rec.to_string())
    };
    Ok(PatternPage {
        nav: "patterns",
        footer: Footer::of(snap),
        id: g.id.clone(),
        summary: g.summary.clone(),
        text: g.text.clone(),
        words: g.words.join(", "),
        themes: g
            .themes
            .iter()
            .map(|t| {
                snap.theme(t)
                    .map(|t| t.label.clone())
                    .unwrap_or_else(|| t.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
        members: g
            .members
            .iter()
            .map(|m| MemberItem {
                id: m.id.clone(),
                year: m
                    .year
                    .map(|y| y.to_string())
                    .unwrap_or_else(|| "year unknown".into()),
                title: m.title.clone(),
                href: doc_href(&m.doc_id),
                kind: kind_label(m.kind.as_str()).to_string(),
                page: m.page,
                to: m.addressees.join("; "),
                text: m.text.clone(),
            })
            .collect(),
        links: g
            .links
            .iter()
            .map(|l| LinkItem {
                a: name(&l.a),
                b: name(&l.b),
                percent: (l.similarity * 100.0).round() as u32,
                shared: l.shared.join(", "),
            })
            .collect(),
    })
}
