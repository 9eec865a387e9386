//! `ystorfa eval`: precision and recall of recommendations, and per-theme
//! F1, against the labelled documents in `eval/labels/`.

use super::log::Verbosity;
use super::{EXIT_OK, EXIT_PARTIAL};
use crate::eval::{self, Labels};
use crate::extract::Limits;
use crate::pipeline;
use anyhow::Context;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use tracing::{error, warn};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Label files or folders of them (`*.toml`). Document paths inside are
    /// relative to the current folder (the repository root).
    #[arg(default_value = "eval/labels")]
    pub labels: Vec<PathBuf>,
    /// Rule file (TOML) to use instead of the built-in default rules.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Print the whole report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Fail (exit 1) when recommendation precision is below this.
    #[arg(long)]
    pub min_rec_precision: Option<f64>,
    /// Fail (exit 1) when recommendation recall is below this.
    #[arg(long)]
    pub min_rec_recall: Option<f64>,
    /// Fail (exit 1) when the theme macro-F1 is below this.
    #[arg(long)]
    pub min_theme_f1: Option<f64>,
}

fn label_files(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for i in inputs {
        if i.is_file() {
            out.push(i.clone());
            continue;
        }
        anyhow::ensure!(i.is_dir(), "{}: no such label file or folder", i.display());
        for e in walkdir::WalkDir::new(i).sort_by_file_name() {
            let e = e?;
            if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "toml") {
                out.push(e.path().to_path_buf());
            }
        }
    }
    Ok(out)
}

/// `-v` (the global flag) also lists every missed and spurious recommendation.
pub fn run(args: Args, verbosity: Verbosity) -> anyhow::Result<i32> {
    let rules = super::load_rules(args.rules.as_ref())?;
    let ci = std::env::var("CI").as_deref() == Ok("true");
    let mut jobs: Vec<(Labels, PathBuf)> = Vec::new();
    for f in label_files(&args.labels)? {
        let src =
            std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?;
        let labels: Labels =
            toml::from_str(&src).with_context(|| format!("{}: invalid labels", f.display()))?;
        let doc = PathBuf::from(&labels.file);
        if !doc.exists() {
            anyhow::ensure!(
                !ci,
                "{}: labelled document {} is missing",
                f.display(),
                doc.display()
            );
            warn!("SKIPPED {}: {} is missing", f.display(), doc.display());
            continue;
        }
        jobs.push((labels, doc));
    }
    anyhow::ensure!(!jobs.is_empty(), "no labelled documents found");
    let evals: Vec<eval::DocEval> = jobs
        .par_iter()
        .map(|(labels, doc)| -> anyhow::Result<eval::DocEval> {
            let d = pipeline::process_file(Path::new(doc), &rules, &Limits::default())?;
            Ok(eval::evaluate_doc(labels, &d))
        })
        .collect::<anyhow::Result<_>>()?;
    let report = eval::report(evals);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!(
            "{}",
            render(&report, matches!(verbosity, Verbosity::Verbose(_)))
        );
    }
    let mut ok = true;
    let mut check = |name: &str, got: f64, min: Option<f64>| {
        if let Some(min) = min
            && got < min
        {
            error!("eval: {name} {got:.3} is below the target {min:.3}");
            ok = false;
        }
    };
    check(
        "recommendation precision",
        report.recommendations.precision,
        args.min_rec_precision,
    );
    check(
        "recommendation recall",
        report.recommendations.recall,
        args.min_rec_recall,
    );
    check("theme macro-F1", report.theme_macro_f1, args.min_theme_f1);
    Ok(if ok { EXIT_OK } else { EXIT_PARTIAL })
}

fn render(r: &eval::Report, verbose: bool) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<52} {:>9} {:>6} {:>8} {:>7}",
        "document", "labelled", "found", "matched", "themes"
    );
    for d in &r.documents {
        let name = d.file.rsplit('/').next().unwrap_or(&d.file);
        let common = d
            .themes_assigned
            .iter()
            .filter(|t| d.themes_labelled.contains(t))
            .count();
        let _ = writeln!(
            s,
            "{:<52} {:>9} {:>6} {:>8} {:>3}/{:<3}",
            name,
            d.labelled_recs,
            d.found_recs,
            d.matched_recs,
            common,
            d.themes_labelled.len()
        );
        if verbose {
            for m in &d.missed {
                let _ = writeln!(s, "    missed:   {m}");
            }
            for m in &d.spurious {
                let _ = writeln!(s, "    spurious: {m}");
            }
            let extra: Vec<&String> = d
                .themes_assigned
                .iter()
                .filter(|t| !d.themes_labelled.contains(t))
                .collect();
            let lost: Vec<&String> = d
                .themes_labelled
                .iter()
                .filter(|t| !d.themes_assigned.contains(t))
                .collect();
            if !extra.is_empty() {
                let _ = writeln!(s, "    themes assigned, not labelled: {extra:?}");
            }
            if !lost.is_empty() {
                let _ = writeln!(s, "    themes labelled, not assigned: {lost:?}");
            }
        }
    }
    let p = &r.recommendations;
    let _ = writeln!(
        s,
        "\nrecommendations: precision {:.3} recall {:.3} F1 {:.3} ({} matched, {} spurious, {} missed)",
        p.precision, p.recall, p.f1, p.tp, p.fp, p.fn_
    );
    for (k, p) in &r.recommendations_by_kind {
        let _ = writeln!(
            s,
            "  {k:<9} precision {:.3} recall {:.3} ({} / {} / {})",
            p.precision, p.recall, p.tp, p.fp, p.fn_
        );
    }
    let _ = writeln!(
        s,
        "themes: macro-F1 {:.3} over {} themes",
        r.theme_macro_f1,
        r.themes.len()
    );
    for (t, p) in &r.themes {
        let _ = writeln!(
            s,
            "  {t:<40} P {:.2} R {:.2} F1 {:.2} (tp {} fp {} fn {})",
            p.precision, p.recall, p.f1, p.tp, p.fp, p.fn_
        );
    }
    s
}
