//! The pages and their JSON twins: search, themes, one theme,
//! recommendations, recurring recommendations and one group, documents,
//! one document (one file each). Each view is
//! built from one [`Snapshot`] by a pure function (so tests can call it
//! without HTTP); the templates escape every piece of document text. This
//! file holds what they share: errors, labels, the footer, facet links and
//! the message page.

use super::params::{BadParam, Params, SearchParams};
use super::state::{Evidence, LoadError, Snapshot, ThemeStats};
use crate::export::RecommendationRow;
use crate::index::{FacetCount, IndexError, SearchRequest, SearchResults, StoredPassage};
use askama::Template;
use serde::Serialize;
use std::collections::BTreeMap;

mod documents;
mod patterns;
mod recommendations;
mod search;
mod themes;

pub use documents::*;
pub use patterns::*;
pub use recommendations::*;
pub use search::*;
pub use themes::*;

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

impl From<LoadError> for ViewError {
    fn from(e: LoadError) -> ViewError {
        ViewError::Internal(e.to_string())
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

/// Whom a recommendation is addressed to, for people: each body by name
/// with its agency's label ("Glanmor County Borough Council (Local
/// authority), Home Office"), or the agencies' labels when no body was
/// named.
fn addressed_to(snap: &Snapshot, r: &RecommendationRow) -> String {
    let named = bodies_label(snap, &r.addressees);
    if !named.is_empty() {
        return named;
    }
    r.agencies
        .iter()
        .map(|a| snap.agency_label(a).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Bodies as the page names them: "Canonical name (Agency label)", each
/// once, in order; the label is left out when it says the same thing.
fn bodies_label(snap: &Snapshot, bodies: &[crate::model::Addressee]) -> String {
    let mut names: Vec<String> = Vec::new();
    for a in bodies {
        let label = snap.agency_label(&a.category);
        let shown = if a.category == "other" || label.eq_ignore_ascii_case(&a.canonical) {
            a.canonical.clone()
        } else {
            format!("{} ({label})", a.canonical)
        };
        if !names.contains(&shown) {
            names.push(shown);
        }
    }
    names.join(", ")
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
