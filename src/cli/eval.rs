//! `ystorfa eval`: how well recommendations, addressees and themes are
//! found, against the labelled documents in `eval/labels/` and against a
//! `truth.jsonl` of spans (`--truth`, e.g. `../shared/pfd-reports`).

use super::log::Verbosity;
use super::{EXIT_OK, EXIT_PARTIAL};
use crate::eval::{self, Labels, pairs, spans};
use crate::export::RecommendationRow;
use crate::extract::Limits;
use crate::pipeline;
use crate::rules::RuleSet;
use crate::store::{DocFile, Reader};
use anyhow::Context;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use tracing::{error, warn};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Label files or folders of them (`*.toml`). Document paths inside are
    /// relative to the current folder (the repository root). Default
    /// `eval/labels` when no `--truth` is given.
    pub labels: Vec<PathBuf>,
    /// A `truth.jsonl` of spans (the format of ../shared/pfd-reports/README):
    /// scores concern recall, spurious recommendations, documents with none,
    /// addressee recall, titles and areas by words. Its documents are read
    /// from the `docs/` folder beside it (or `--docs`).
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Folder holding the documents of `--truth` (default: `docs/` beside it).
    #[arg(long, value_name = "DIR", requires = "truth")]
    pub docs: Option<PathBuf>,
    /// Labelled pairs of recommendations (`eval/pairs/pairs.jsonl`):
    /// scores the recurring-recommendation groups of the build in `--out`
    /// (precision and recall of "in the same group").
    #[arg(long, value_name = "FILE", requires = "out")]
    pub pairs: Option<PathBuf>,
    /// Output folder of the build `--pairs` is scored against (built over
    /// the documents the pairs come from).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// `--pairs`: fail when the grouping precision is below this.
    #[arg(long)]
    pub min_group_precision: Option<f64>,
    /// `--pairs`: fail when the grouping recall is below this.
    #[arg(long)]
    pub min_group_recall: Option<f64>,
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
    /// Fail (exit 1) when the labelled addressee accuracy is below this.
    #[arg(long)]
    pub min_addressee_accuracy: Option<f64>,
    /// `--truth`: fail when the share of concern words found is below this.
    #[arg(long)]
    pub min_concern_recall: Option<f64>,
    /// `--truth`: fail when the share of spurious recommendations is above this.
    #[arg(long)]
    pub max_spurious: Option<f64>,
    /// `--truth`: fail when the share of documents with no recommendation is above this.
    #[arg(long)]
    pub max_without: Option<f64>,
    /// `--truth`: fail when the share of named recipients found is below this.
    #[arg(long)]
    pub min_addressee_recall: Option<f64>,
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

/// Gates: each failed one is reported and makes the exit code 1.
struct Gates(bool);

impl Gates {
    fn at_least(&mut self, name: &str, got: f64, min: Option<f64>) {
        if let Some(min) = min
            && got < min
        {
            error!("eval: {name} {got:.3} is below the target {min:.3}");
            self.0 = false;
        }
    }

    fn at_most(&mut self, name: &str, got: f64, max: Option<f64>) {
        if let Some(max) = max
            && got > max
        {
            error!("eval: {name} {got:.3} is above the limit {max:.3}");
            self.0 = false;
        }
    }
}

/// `-v` (the global flag) also lists every missed and spurious recommendation.
pub fn run(args: Args, verbosity: Verbosity) -> anyhow::Result<i32> {
    let rules = super::load_rules(args.rules.as_ref())?;
    let verbose = matches!(verbosity, Verbosity::Verbose(_));
    let mut gates = Gates(true);
    let labels = if args.labels.is_empty() && args.truth.is_none() && args.pairs.is_none() {
        vec![PathBuf::from("eval/labels")]
    } else {
        args.labels.clone()
    };
    let mut json = serde_json::Map::new();
    if !labels.is_empty() {
        let report = run_labels(&labels, &rules)?;
        if args.json {
            json.insert("labels".into(), serde_json::to_value(&report)?);
        } else {
            print!("{}", render(&report, verbose));
        }
        gates.at_least(
            "recommendation precision",
            report.recommendations.precision,
            args.min_rec_precision,
        );
        gates.at_least(
            "recommendation recall",
            report.recommendations.recall,
            args.min_rec_recall,
        );
        gates.at_least("theme macro-F1", report.theme_macro_f1, args.min_theme_f1);
        gates.at_least(
            "addressee accuracy",
            report.addressee_accuracy,
            args.min_addressee_accuracy,
        );
    }
    if let Some(truth) = &args.truth {
        let report = run_truth(truth, args.docs.as_deref(), &rules)?;
        if args.json {
            json.insert("truth".into(), serde_json::to_value(&report)?);
        } else {
            print!("{}", render_spans(&report, verbose));
        }
        let f = &report.all;
        gates.at_least("concern recall", f.concern_recall, args.min_concern_recall);
        gates.at_most("spurious share", f.spurious_share, args.max_spurious);
        gates.at_most(
            "share without recommendations",
            f.without_share,
            args.max_without,
        );
        gates.at_least(
            "addressee recall",
            f.addressee_recall,
            args.min_addressee_recall,
        );
    }
    if let (Some(pairs), Some(out)) = (&args.pairs, &args.out) {
        let report = run_pairs(pairs, out)?;
        if args.json {
            json.insert("pairs".into(), serde_json::to_value(&report)?);
        } else {
            print!("{}", render_pairs(pairs, &report, verbose));
        }
        let g = &report.grouping;
        anyhow::ensure!(
            report.pairs > report.missing.len(),
            "{}: none of the labelled pairs' recommendations is in {}: was it built over the documents the pairs come from?",
            pairs.display(),
            out.display()
        );
        if !report.missing.is_empty()
            && (args.min_group_precision.is_some() || args.min_group_recall.is_some())
        {
            error!(
                "eval: {} labelled pairs name recommendations {} does not hold",
                report.missing.len(),
                out.display()
            );
            gates.0 = false;
        }
        gates.at_least("grouping precision", g.precision, args.min_group_precision);
        gates.at_least("grouping recall", g.recall, args.min_group_recall);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json)?);
    }
    Ok(if gates.0 { EXIT_OK } else { EXIT_PARTIAL })
}

/// Score the groups of the build in `out` against the pairs in `file`.
fn run_pairs(file: &Path, out: &Path) -> anyhow::Result<pairs::PairsReport> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut list = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        list.push(
            serde_json::from_str::<pairs::Pair>(line)
                .with_context(|| format!("{}:{}: not a labelled pair", file.display(), n + 1))?,
        );
    }
    let reader = Reader::open(out)?;
    let groups = crate::patterns::parse_groups(
        &reader.recommendation_groups()?,
        &out.display().to_string(),
    )?;
    let known: HashSet<String> = reader
        .read_all::<RecommendationRow<'static>>(DocFile::Recommendations)?
        .into_iter()
        .map(|r| r.id.into_owned())
        .collect();
    Ok(pairs::score(&list, &groups, &known))
}

fn render_pairs(file: &Path, r: &pairs::PairsReport, verbose: bool) -> String {
    let g = &r.grouping;
    let mut s = format!(
        "Recurring recommendations against {} labelled pairs ({}):\n  \
         in the same group: precision {:.3} ({} of {} grouped pairs labelled same), \
         recall {:.3} ({} of {} pairs labelled same)\n",
        r.pairs,
        file.display(),
        g.precision,
        g.tp,
        g.tp + g.fp,
        g.recall,
        g.tp,
        g.tp + g.fn_,
    );
    if !r.missing.is_empty() {
        s.push_str(&format!(
            "  not scored: {} pairs with a recommendation this build does not hold\n",
            r.missing.len()
        ));
    }
    if verbose {
        for p in &r.wrong {
            let what = match p.label {
                pairs::PairLabel::Same => "same, not grouped",
                pairs::PairLabel::Different => "different, grouped",
            };
            s.push_str(&format!("    {what}: {} {} ({})\n", p.a, p.b, p.why));
        }
    }
    s
}

fn run_labels(inputs: &[PathBuf], rules: &RuleSet) -> anyhow::Result<eval::Report> {
    let ci = std::env::var("CI").as_deref() == Ok("true");
    let mut jobs: Vec<(Labels, PathBuf)> = Vec::new();
    for f in label_files(inputs)? {
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
            let d = pipeline::process_file(Path::new(doc), rules, &Limits::default())?;
            Ok(eval::evaluate_doc(labels, &d, rules.gazetteer()))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(eval::report(evals))
}

fn run_truth(
    truth: &Path,
    docs: Option<&Path>,
    rules: &RuleSet,
) -> anyhow::Result<spans::SpanReport> {
    let text = std::fs::read_to_string(truth)
        .with_context(|| format!("cannot read {}", truth.display()))?;
    let base = truth.parent().unwrap_or(Path::new("."));
    let docs = docs
        .map(Path::to_path_buf)
        .unwrap_or_else(|| base.join("docs"));
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: spans::TruthRow = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a truth row", truth.display(), n + 1))?;
        rows.push(row);
    }
    anyhow::ensure!(!rows.is_empty(), "{}: no rows", truth.display());
    let evals: Vec<spans::SpanDocEval> = rows
        .par_iter()
        .map(|row| -> anyhow::Result<spans::SpanDocEval> {
            let path = docs.join(&row.file);
            let source = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let d = pipeline::process_file(&path, rules, &Limits::default())?;
            Ok(spans::evaluate_doc(row, &source, &d))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(spans::report(evals))
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
            for m in &d.addressee_errors {
                let _ = writeln!(s, "    addressees: {m}");
            }
            if eval::labels::area_right(d) == Some(false) {
                let _ = writeln!(
                    s,
                    "    area: {} (labelled {})",
                    d.area.as_deref().unwrap_or("-"),
                    d.expected_area.as_deref().unwrap_or("-")
                );
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
        "addressees: accuracy {:.3} over {} recommendations; translations linked {:.3} of {}; areas {:.3} of {}",
        r.addressee_accuracy,
        r.addressees_judged,
        r.translation_linking,
        r.translations_labelled,
        r.area_accuracy,
        r.areas_judged
    );
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

fn render_spans(r: &spans::SpanReport, verbose: bool) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    if verbose {
        for d in &r.documents {
            let clean = d.spurious == 0
                && d.missed_texts.is_empty()
                && d.missed_receivers.is_empty()
                && d.title_ok != Some(false)
                && d.area_ok != Some(false);
            if clean {
                continue;
            }
            let _ = writeln!(
                s,
                "{} ({}): {}/{} concern words, {} found, {} spurious",
                d.file, d.kind, d.covered_words, d.concern_words, d.found, d.spurious
            );
            for m in &d.missed_texts {
                let _ = writeln!(s, "    missed:   {m}");
            }
            for m in &d.spurious_texts {
                let _ = writeln!(s, "    spurious: {m}");
            }
            for m in &d.missed_receivers {
                let _ = writeln!(s, "    recipient not found: {m}");
            }
            if d.title_ok == Some(false) {
                let _ = writeln!(s, "    title: {}", d.title);
            }
            if d.area_ok == Some(false) {
                let _ = writeln!(
                    s,
                    "    area: {} (expected {})",
                    d.area.as_deref().unwrap_or("-"),
                    d.expected_area.as_deref().unwrap_or("-")
                );
            }
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "{:<10} {:>5} {:>15} {:>9} {:>13} {:>15} {:>8} {:>8}",
        "kind",
        "docs",
        "concern recall",
        "spurious",
        "without recs",
        "addressee rec.",
        "titles",
        "areas"
    );
    let rows = r.by_kind.iter().map(|(k, f)| (k.as_str(), f));
    for (k, f) in rows.chain(std::iter::once(("all", &r.all))) {
        let _ = writeln!(
            s,
            "{:<10} {:>5} {:>15.3} {:>9.3} {:>6} {:>6.2}% {:>15.3} {:>8.3} {:>8.3}",
            k,
            f.documents,
            f.concern_recall,
            f.spurious_share,
            f.without_recommendations,
            f.without_share * 100.0,
            f.addressee_recall,
            eval::ratio(f.titles_ok, f.titles_judged),
            eval::ratio(f.areas_ok, f.areas_judged),
        );
    }
    let _ = writeln!(
        s,
        "({} recommendations, {} spurious; {} of {} recipients found)",
        r.all.found, r.all.spurious, r.all.receivers_found, r.all.receivers
    );
    s
}
