//! `ystorfa search`: query the passage index built by `ystorfa build` and
//! print the hits grouped by document (or as JSON with `--json`).
//!
//! Exit codes: 0 with hits, 1 with none, 2 on error (missing index, bad
//! query: the reason is printed on stderr).

use super::{EXIT_FATAL, EXIT_OK, EXIT_PARTIAL};
use crate::index::{self, IndexError, SearchResults};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The query: words (all must match), "phrases", OR, NOT, (groups), and
    /// field filters: theme:coercive_control, kind:dhr, year:[2019 TO 2023],
    /// section:recommendations, agency:police. May be "" when a filter flag
    /// is given (every passage passing the filters).
    pub query: String,
    /// Folder written by `ystorfa build`.
    #[arg(long, default_value = "index")]
    pub out: PathBuf,
    /// Print results as JSON (the `SearchResults` shape: query,
    /// total_documents, documents[].hits[], facets).
    #[arg(long)]
    pub json: bool,
    /// Maximum number of documents to list.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Maximum number of passages shown per document (0: all found).
    #[arg(long, default_value_t = 3)]
    pub per_doc: usize,
    /// Skip this many documents first (paging: `--offset 20` is page 2 of 20).
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    #[command(flatten)]
    pub filters: FilterArgs,
}

/// Facet filters (the same as the served page's). Repeat a flag for several
/// values: kinds, areas, languages and sections are alternatives; themes and
/// agencies must all be present.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only documents carrying this theme (repeatable: all must be carried).
    #[arg(long = "theme", value_name = "THEME")]
    pub themes: Vec<String>,
    /// Only documents of this kind: dhr, cpr, apr, mhhr, susr, pfd, strategy, other (repeatable).
    #[arg(long = "kind", value_name = "KIND")]
    pub kinds: Vec<String>,
    /// Only documents of this year or later.
    #[arg(long, value_name = "YEAR")]
    pub year_from: Option<i32>,
    /// Only documents of this year or earlier.
    #[arg(long, value_name = "YEAR")]
    pub year_to: Option<i32>,
    /// Only documents from this area (repeatable).
    #[arg(long = "area", value_name = "AREA")]
    pub areas: Vec<String>,
    /// Only documents with recommendations addressed to this agency, e.g.
    /// police, gp_primary_care (repeatable: all must be addressed).
    #[arg(long = "agency", value_name = "AGENCY")]
    pub agencies: Vec<String>,
    /// Only documents with recommendations addressed to this body, by its
    /// canonical name as `inspect` and the page show it, e.g. "Home Office",
    /// "Glanmor Police" (case-insensitive; repeatable: all must be addressed).
    #[arg(long = "body", value_name = "BODY")]
    pub bodies: Vec<String>,
    /// Only documents in this language: en, cy, en+cy (repeatable).
    #[arg(long = "language", value_name = "LANG")]
    pub languages: Vec<String>,
    /// Only passages in sections of this kind, e.g. analysis, recommendations (repeatable).
    #[arg(long = "section", value_name = "KIND")]
    pub sections: Vec<String>,
    /// Only passages that are (part of) a recommendation.
    #[arg(long)]
    pub recommendations: bool,
}

impl From<FilterArgs> for index::SearchFilters {
    fn from(a: FilterArgs) -> index::SearchFilters {
        index::SearchFilters {
            themes: a.themes,
            kinds: a.kinds,
            year_from: a.year_from,
            year_to: a.year_to,
            areas: a.areas,
            agencies: a.agencies,
            bodies: a.bodies,
            languages: a.languages,
            sections: a.sections,
            recommendations: a.recommendations,
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    // Pinned: a build finishing meanwhile does not remove what we read.
    let reader = crate::store::Reader::open(&args.out)?;
    let idx = index::open(&reader.search_dir())?;
    let res = index::search(
        &idx,
        &index::SearchRequest {
            query: args.query.clone(),
            filters: args.filters.into(),
            limit: args.limit,
            offset: args.offset,
            per_document: args.per_doc,
        },
    );
    let res = match res {
        Ok(r) => r,
        Err(e @ IndexError::Query(_)) => {
            eprintln!("ystorfa: {e}");
            return Ok(EXIT_FATAL);
        }
        Err(e) => return Err(e.into()),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &res)?;
        writeln!(out)?;
    } else {
        let style = if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
            Style::Ansi
        } else {
            Style::Brackets
        };
        out.write_all(render(&res, style).as_bytes())?;
    }
    Ok(if res.total_documents > 0 {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    })
}

/// How highlights are shown in human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `[word]`.
    Brackets,
    /// ANSI bold (stdout is a terminal and `NO_COLOR` is not set).
    Ansi,
}

/// Human output: a summary line, then per document its title, kind, year and
/// file, and per hit the page, section trail and highlighted snippet.
pub fn render(res: &SearchResults, style: Style) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = match res.total_documents {
        0 => writeln!(s, "no passage matches {:?}", res.query),
        n => writeln!(
            s,
            "{n} document{} {} a passage matching {:?}",
            plural(n),
            if n == 1 { "has" } else { "have" },
            res.query
        ),
    };
    if res.documents.len() < res.total_documents {
        if res.offset == 0 {
            let _ = writeln!(s, "showing the best {}", res.documents.len());
        } else {
            let _ = writeln!(
                s,
                "showing documents {} to {}",
                res.offset + 1,
                res.offset + res.documents.len()
            );
        }
    }
    for d in &res.documents {
        let year = d.year.map(|y| format!(", {y}")).unwrap_or_default();
        let _ = writeln!(s, "\n{} ({}{})\n  {}", d.title, d.kind, year, d.file);
        for h in &d.hits {
            let section = if h.section.is_empty() {
                String::new()
            } else {
                format!(" · {}", h.section)
            };
            let _ = writeln!(s, "  p.{}{}", h.page, section);
            let _ = writeln!(s, "    {}", highlight(&h.snippet, &h.highlights, style));
        }
        let more = d.matched_passages.saturating_sub(d.hits.len());
        if more > 0 {
            let _ = writeln!(s, "  (+{more} more passage{})", plural(more));
        }
    }
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `snippet` with the byte ranges marked; ranges not on character
/// boundaries are left unmarked.
fn highlight(snippet: &str, ranges: &[(usize, usize)], style: Style) -> String {
    let (open, close) = match style {
        Style::Brackets => ("[", "]"),
        Style::Ansi => ("\x1b[1m", "\x1b[0m"),
    };
    let mut out = String::new();
    let mut at = 0;
    for &(s, e) in ranges {
        let (Some(before), Some(mark)) = (snippet.get(at..s), snippet.get(s..e)) else {
            continue;
        };
        out.push_str(before);
        out.push_str(open);
        out.push_str(mark);
        out.push_str(close);
        at = e;
    }
    out.push_str(snippet.get(at..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{DocHits, Hit};

    fn results() -> SearchResults {
        SearchResults {
            query: "risk".into(),
            filters: Default::default(),
            offset: 0,
            limit: 20,
            total_documents: 2,
            documents: vec![DocHits {
                doc_id: "d1".into(),
                file: "fictional/dhr-a.txt".into(),
                title: "Fictional Review A".into(),
                kind: "dhr".into(),
                year: Some(2021),
                score: 1.0,
                matched_passages: 2,
                hits: vec![Hit {
                    passage: 3,
                    page: 12,
                    section: "5 Analysis › 5.3 Police".into(),
                    section_kind: "analysis".into(),
                    score: 1.0,
                    snippet: "the risk was high".into(),
                    highlights: vec![(4, 8)],
                    snippet_html: String::new(),
                    is_recommendation: false,
                }],
            }],
            facets: Default::default(),
        }
    }

    #[test]
    fn renders_groups_with_markers() {
        let s = render(&results(), Style::Brackets);
        insta::assert_snapshot!(s);
    }

    #[test]
    fn renders_a_real_search_over_fictional_documents() {
        let idx = crate::index::build_in_ram(&crate::index::fixtures::corpus()).expect("index");
        let res = index::search(
            &idx,
            &index::SearchRequest {
                query: "\"risk assessment\" OR coercive".into(),
                limit: 10,
                per_document: 1,
                ..Default::default()
            },
        )
        .expect("search");
        insta::assert_snapshot!(render(&res, Style::Brackets));
    }

    #[test]
    fn ansi_bold_highlights() {
        let s = render(&results(), Style::Ansi);
        assert!(s.contains("the \x1b[1mrisk\x1b[0m was high"), "{s}");
    }

    #[test]
    fn bad_ranges_are_ignored() {
        assert_eq!(highlight("ŵyn", &[(1, 2)], Style::Brackets), "ŵyn");
        assert_eq!(highlight("ab", &[(0, 9)], Style::Brackets), "ab");
        assert_eq!(highlight("ab", &[(0, 1)], Style::Brackets), "[a]b");
    }
}
