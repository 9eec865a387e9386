//! `ystorfa search`: query the passage index.

use super::{EXIT_OK, EXIT_PARTIAL};
use crate::index;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The query: words, "phrases", AND/OR/NOT, field filters such as theme:coercive_control.
    pub query: String,
    /// Folder written by `ystorfa build`.
    #[arg(long, default_value = "index")]
    pub out: PathBuf,
    /// Print results as JSON.
    #[arg(long)]
    pub json: bool,
    /// Maximum number of documents to list.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let idx = index::open(&args.out.join("search"))?;
    let res = index::search(
        &idx,
        &index::SearchRequest {
            query: args.query.clone(),
            limit: args.limit,
        },
    )?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &res)?;
        writeln!(out)?;
    } else {
        for d in &res.documents {
            writeln!(out, "{} ({})", d.title, d.file)?;
            for h in &d.hits {
                writeln!(out, "  p.{} {}: {}", h.page, h.section, h.snippet)?;
            }
        }
    }
    Ok(if res.total_passages > 0 {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    })
}
