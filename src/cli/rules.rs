//! `ystorfa rules check|test`: validate a rule file (every error at once,
//! with line and column) and run every theme's examples. Exit 0 when fine,
//! 1 on any error or failing example (CI-friendly).

use super::{EXIT_OK, EXIT_PARTIAL};
use crate::rules::{DEFAULT_RULES, RuleSet};
use anyhow::Context;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Report every error in a rule file (default: the built-in rules).
    Check { file: Option<PathBuf> },
    /// Run every theme's `match` / `no_match` examples (default: the built-in rules).
    Test { file: Option<PathBuf> },
}

fn read(file: Option<&PathBuf>) -> anyhow::Result<(String, String)> {
    match file {
        None => Ok((DEFAULT_RULES.to_string(), "rules/default.toml".to_string())),
        Some(p) => {
            let src = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read rule file {}", p.display()))?;
            Ok((src, p.display().to_string()))
        }
    }
}

/// The `rules check` report and whether the file is fine.
pub fn check_report(src: &str, origin: &str) -> (String, bool) {
    match RuleSet::from_toml(src, origin) {
        Ok(r) => (
            format!(
                "{origin}: ok: {} themes, {} rules, {} agencies (version {})\n",
                r.themes().len(),
                r.rules().len(),
                r.agencies().len(),
                r.version()
            ),
            true,
        ),
        Err(e) => {
            let d = e.diagnostics();
            let mut s = String::new();
            for x in &d {
                s.push_str(&x.to_string());
                s.push('\n');
            }
            s.push_str(&format!("{origin}: {} error(s)\n", d.len()));
            (s, false)
        }
    }
}

/// The `rules test` report and whether every example passed.
pub fn test_report(src: &str, origin: &str) -> (String, bool) {
    let rules = match RuleSet::from_toml(src, origin) {
        Ok(r) => r,
        Err(_) => return check_report(src, origin),
    };
    let (total, failures) = crate::tag::run_examples(&rules);
    let mut s = String::new();
    for f in &failures {
        s.push_str(&format!("{origin}: {f}\n"));
    }
    s.push_str(&format!(
        "{origin}: {total} examples, {} passed, {} failed\n",
        total - failures.len(),
        failures.len()
    ));
    (s, failures.is_empty())
}

pub fn run(cmd: Command) -> anyhow::Result<i32> {
    let (report, ok) = match cmd {
        Command::Check { file } => {
            let (src, origin) = read(file.as_ref())?;
            check_report(&src, &origin)
        }
        Command::Test { file } => {
            let (src, origin) = read(file.as_ref())?;
            test_report(&src, &origin)
        }
    };
    print!("{report}");
    Ok(if ok { EXIT_OK } else { EXIT_PARTIAL })
}
