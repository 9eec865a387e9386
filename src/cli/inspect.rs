//! `ystorfa inspect`: one document's sections, tags with their evidence,
//! theme decisions, recommendations and action-plan rows, for rule authors.

use super::EXIT_OK;
use crate::extract::Limits;
use crate::model::{ActionPlanRow, Addressee, Polarity, ProcessedDoc, Recommendation};
use crate::pipeline;
use crate::tag::ThemeExplanation;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The document (.pdf, .txt, .md or .docx).
    pub file: PathBuf,
    /// Rule file (TOML) to use instead of the built-in default rules.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Print the whole processed document (text, sections, passages, tags,
    /// recommendations, theme scores) as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let rules = super::load_rules(args.rules.as_ref())?;
    let d = pipeline::process_file(&args.file, &rules, &Limits::default())?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &d)?;
        writeln!(out)?;
    } else {
        let why = crate::tag::explain(&d, &rules);
        out.write_all(render(&d, rules.version(), &why).as_bytes())?;
    }
    Ok(EXIT_OK)
}

/// The human-readable report: stable text, snapshot-tested.
pub fn render(d: &ProcessedDoc, rules_version: &str, why: &[ThemeExplanation]) -> String {
    let doc = &d.document;
    let mut s = String::new();
    let _ = writeln!(s, "{}", doc.title);
    let _ = writeln!(
        s,
        "  file {} · id {} · kind {} · year {} · {} pages · language {} · rules {}",
        doc.file,
        doc.id,
        doc.kind,
        doc.year
            .map(|y| y.to_string())
            .unwrap_or_else(|| "?".into()),
        doc.pages,
        doc.language,
        rules_version
    );
    for w in &doc.warnings {
        let _ = writeln!(s, "  warning: {w}");
    }
    let _ = writeln!(s, "\nSections ({})", doc.sections.len());
    for sec in &doc.sections {
        let indent = "  ".repeat(sec.level.max(1) as usize);
        let heading = if sec.heading.is_empty() {
            "(before the first heading)"
        } else {
            &sec.heading
        };
        let _ = writeln!(s, "{indent}{heading}  [{}, p.{}]", sec.kind, sec.page);
    }
    let _ = writeln!(
        s,
        "\nThemes (✓ assigned; a theme is assigned when its score reaches its threshold)"
    );
    for t in why {
        let rules: Vec<String> = t.rules.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
        let _ = writeln!(
            s,
            "  {} {:<40} {}{}",
            if t.assigned { "✓" } else { "·" },
            t.theme,
            t.reason,
            if rules.is_empty() {
                String::new()
            } else {
                format!(" [{}]", rules.join(", "))
            }
        );
    }
    let _ = writeln!(s, "\nEvidence ({} tags)", d.tags.len());
    for t in &d.tags {
        let _ = writeln!(
            s,
            "  {:<28} p.{:<3} {:<18} {}{} «{}»  [{}] {}",
            t.theme,
            t.page,
            t.section_kind.as_str(),
            if t.polarity == Polarity::Negated {
                "NEGATED "
            } else {
                ""
            },
            format_args!("w{:.1}", t.weight),
            t.matched,
            t.rule,
            t.section
        );
    }
    let translations = d.recommendations.len() - d.counted_recommendations();
    let _ = writeln!(
        s,
        "\nRecommendations ({}{})",
        d.counted_recommendations(),
        if translations > 0 {
            format!(", and {translations} translations of them")
        } else {
            String::new()
        }
    );
    for r in &d.recommendations {
        render_recommendation(&mut s, d, r);
    }
    let unlinked: Vec<&ActionPlanRow> = d
        .action_plans
        .iter()
        .filter(|a| a.recommendation_id.is_none())
        .collect();
    if !d.action_plans.is_empty() {
        let _ = writeln!(
            s,
            "\nAction plan: {} rows, {} not linked to a recommendation",
            d.action_plans.len(),
            unlinked.len()
        );
    }
    for a in unlinked {
        render_plan_row(&mut s, a);
    }
    s
}

/// One recommendation: its figures, text, cues, addressees, translation
/// and action-plan rows.
fn render_recommendation(s: &mut String, d: &ProcessedDoc, r: &Recommendation) {
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(
        s,
        "  {} {} p.{} [{}] agencies: {} · level: {} · themes: {}",
        r.ordinal.as_deref().unwrap_or("•"),
        r.id,
        r.page,
        r.section,
        list(&r.agencies),
        r.level.map(|l| l.as_str()).unwrap_or("-"),
        list(&r.themes),
    );
    let _ = writeln!(s, "     {}", r.text.replace('\n', " "));
    if !r.cues.is_empty() {
        let why: Vec<String> = r.cues.iter().map(|c| c.to_string()).collect();
        let _ = writeln!(s, "     why: {}", why.join("; "));
    }
    for a in &r.addressees {
        let _ = writeln!(s, "     addressed to: {} (from the {})", body(a), a.source);
    }
    if let Some(t) = &r.translation_of {
        let _ = writeln!(s, "     translation of {t}");
    }
    for a in d
        .action_plans
        .iter()
        .filter(|a| a.recommendation_id.as_deref() == Some(r.id.as_str()))
    {
        render_plan_row(s, a);
    }
}

/// An addressee: canonical name, the name as written when it differs,
/// category and level.
fn body(a: &Addressee) -> String {
    format!(
        "{}{} [{}{}]",
        a.canonical,
        if a.name == a.canonical {
            String::new()
        } else {
            format!(" (as written: \"{}\")", a.name)
        },
        a.category,
        a.level
            .map(|l| format!(", {}", l.as_str()))
            .unwrap_or_default()
    )
}

/// One action-plan row: reference, page, action, lead (as written and the
/// bodies it names), target date (and its ISO date), outcome.
fn render_plan_row(s: &mut String, a: &ActionPlanRow) {
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let _ = writeln!(
        s,
        "     action plan row {} (p.{}): {}",
        a.recommendation.as_deref().unwrap_or("•"),
        a.page,
        a.action.as_deref().unwrap_or(&a.text)
    );
    let leads: Vec<String> = a.lead_addressees.iter().map(body).collect();
    let _ = writeln!(
        s,
        "       lead: {}{} · target: {}{} · outcome: {}",
        dash(&a.lead_agency),
        if leads.is_empty() {
            String::new()
        } else {
            format!(" → {}", leads.join("; "))
        },
        dash(&a.target_date),
        a.target_date_iso
            .as_ref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default(),
        dash(&a.outcome)
    );
}
