//! The documents list and one document: its passages with the tags marked, its table of contents.

use super::*;

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
    pub action_plan: Vec<ActionItem>,
}

/// One row of the document's action plan as the page shows it.
#[derive(Debug, Clone)]
pub struct ActionItem {
    /// The recommendation's number as the row gives it, or "".
    pub ordinal: String,
    /// Link to the recommendation's passage, or "" when the row is linked
    /// to none.
    pub rec_href: String,
    /// The action (or, when the table has no action column, the row's
    /// restated recommendation or its text).
    pub action: String,
    /// The lead as written, then the bodies it names.
    pub lead: String,
    pub lead_bodies: String,
    pub target_date: String,
    pub outcome: String,
    pub page: u32,
    pub href: String,
}

/// The document as JSON (`/api/documents/ID`).
#[derive(Debug, Clone, Serialize)]
pub struct DocumentJson {
    pub document: crate::export::DocumentRow<'static>,
    pub passages: Vec<StoredPassage>,
    pub tags: Vec<crate::export::TagRow<'static>>,
    pub recommendations: Vec<RecommendationRow<'static>>,
    pub action_plans: Vec<crate::export::ActionRow<'static>>,
}

pub fn document_json(snap: &Snapshot, id: &str) -> Result<DocumentJson, ViewError> {
    let ord = snap
        .ordinal(id)
        .ok_or_else(|| ViewError::NotFound(format!("no document {id:?}")))?;
    Ok(DocumentJson {
        document: snap.documents[ord].clone(),
        passages: snap.index.passages(id)?.unwrap_or_default(),
        tags: snap.tags(ord)?.to_vec(),
        recommendations: snap.doc_recommendations(ord)?.to_vec(),
        action_plans: snap.doc_action_plans(ord)?.to_vec(),
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
    let ord = snap
        .ordinal(id)
        .ok_or_else(|| ViewError::NotFound(format!("no document {id:?}")))?;
    let d = &snap.documents[ord];
    let doc_tags = snap.tags(ord)?;
    let doc_recs = snap.doc_recommendations(ord)?;
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
    let mut passages = Vec::with_capacity(stored.len());
    let mut toc = Vec::new();
    let mut last_page = 0;
    for p in &stored {
        let end = p.start + p.text.chars().count();
        let tags: Vec<&crate::export::TagRow<'static>> = doc_tags
            .iter()
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
    let recs = doc_recs
        .iter()
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
            agencies: addressed_to(snap, r),
            level: r.level.map(|l| level_label(l.as_str()).to_string()),
            themes: String::new(),
            action_plan: r.action_plan.as_ref().map(|a| a.to_string()),
            action_plan_page: String::new(),
        })
        .collect();
    let action_plan = action_items(snap, id, &doc_recs, &snap.doc_action_plans(ord)?);
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
        action_plan,
    })
}

/// The document's action-plan rows for its table, each linked to the
/// passage of the recommendation it belongs to.
fn action_items(
    snap: &Snapshot,
    id: &str,
    recs: &[RecommendationRow<'static>],
    rows: &[crate::export::ActionRow<'static>],
) -> Vec<ActionItem> {
    let text = |v: &Option<std::borrow::Cow<'static, str>>| v.as_deref().unwrap_or("").to_string();
    rows.iter()
        .map(|a| {
            let rec = a
                .recommendation_id
                .as_deref()
                .and_then(|rid| recs.iter().find(|r| r.id == rid));
            let passage = |start: usize| {
                snap.index
                    .passage_at(id, start)
                    .map(|p| format!("#p{p}"))
                    .unwrap_or_default()
            };
            ActionItem {
                ordinal: a
                    .ordinal
                    .as_deref()
                    .or_else(|| rec.and_then(|r| r.ordinal.as_deref()))
                    .unwrap_or("")
                    .to_string(),
                rec_href: rec.map(|r| passage(r.start)).unwrap_or_default(),
                action: a
                    .action
                    .as_deref()
                    .or(a.recommendation_text.as_deref())
                    .unwrap_or(&a.text)
                    .to_string(),
                lead: text(&a.lead),
                // The bodies the lead names, unless the lead is one body
                // named as the gazetteer names it.
                lead_bodies: match &a.lead_addressees[..] {
                    [one] if a.lead.as_deref() == Some(one.canonical.as_str()) => String::new(),
                    bodies => bodies_label(snap, bodies),
                },
                target_date: text(&a.target_date),
                outcome: text(&a.outcome),
                page: a.page,
                href: passage(a.start),
            }
        })
        .collect()
}
