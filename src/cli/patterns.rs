//! `ystorfa patterns`: the recurring recommendations of a build, the
//! groups most documents share first (or as JSON Lines with `--json`).
//!
//! Exit codes: 0 with groups listed, 1 with none, 2 on error.

use super::{EXIT_OK, EXIT_PARTIAL};
use crate::patterns::RecommendationGroupRow;
use crate::store::Reader;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder written by `ystorfa build`.
    #[arg(long, default_value = "index")]
    pub out: PathBuf,
    /// Print the groups as JSON Lines (the rows of
    /// `repository/recommendation_groups.jsonl`).
    #[arg(long)]
    pub json: bool,
    /// Maximum number of groups to list (0: all).
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Only groups with members in at least this many documents.
    #[arg(long, default_value_t = 2)]
    pub min_documents: usize,
    /// Only groups with a member of this kind of document: dhr, cpr, apr,
    /// mhhr, susr, pfd, strategy, other (repeatable: any of them).
    #[arg(long = "kind", value_name = "KIND", value_parser = super::export::parse_kind)]
    pub kinds: Vec<crate::model::DocKind>,
    /// Only groups tied by this theme (repeatable: all of them).
    #[arg(long = "theme", value_name = "THEME")]
    pub themes: Vec<String>,
    /// Print the JSON Schema of a group (a line of
    /// `repository/recommendation_groups.jsonl`) and exit.
    #[arg(long)]
    pub schema: bool,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    if args.schema {
        let schema = schemars::schema_for!(RecommendationGroupRow);
        println!("{}", serde_json::to_string_pretty(&schema)?);
        return Ok(EXIT_OK);
    }
    let reader = Reader::open(&args.out)?;
    let origin = format!("{}: recommendation groups", args.out.display());
    let groups = crate::patterns::parse_groups(&reader.recommendation_groups()?, &origin)?;
    let mut shown = 0;
    let mut out = std::io::stdout().lock();
    for g in &groups {
        if !wanted(g, &args) {
            continue;
        }
        if args.limit > 0 && shown == args.limit {
            break;
        }
        shown += 1;
        if args.json {
            serde_json::to_writer(&mut out, g)?;
            out.write_all(b"\n")?;
        } else {
            write!(out, "{}", render(shown, g))?;
        }
    }
    if shown == 0 {
        tracing::warn!("no recurring recommendations in {}", args.out.display());
        return Ok(EXIT_PARTIAL);
    }
    Ok(EXIT_OK)
}

fn wanted(g: &RecommendationGroupRow, args: &Args) -> bool {
    g.documents >= args.min_documents
        && (args.kinds.is_empty() || g.members.iter().any(|m| args.kinds.contains(&m.kind)))
        && args.themes.iter().all(|t| g.themes.contains(t))
}

/// One group for people: what it asks, where and when, and why grouped.
fn render(n: usize, g: &RecommendationGroupRow) -> String {
    let mut s = format!("{n}. {}  [{}]\n", g.summary, g.id);
    s.push_str(&format!("   \"{}\"\n", one_line(&g.text, 200)));
    if !g.words.is_empty() {
        s.push_str(&format!("   shared words: {}\n", g.words.join(", ")));
    }
    for m in &g.members {
        let year = m
            .year
            .map(|y| y.to_string())
            .unwrap_or_else(|| "----".into());
        let to = if m.addressees.is_empty() {
            String::new()
        } else {
            format!(" → {}", m.addressees.join("; "))
        };
        s.push_str(&format!(
            "   {year} {} p.{}{to}\n        {}\n",
            m.title,
            m.page,
            one_line(&m.text, 160)
        ));
    }
    s.push('\n');
    s
}

/// `text` on one line, cut at a character boundary after `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}
