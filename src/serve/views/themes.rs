//! The theme browser: every theme with its figures, and one theme with its strongest evidence.

use super::*;

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
