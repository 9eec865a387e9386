//! `ystorfa rules check|test`: validate a rule file.

use super::EXIT_OK;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Report every error in a rule file (default: the built-in rules).
    Check { file: Option<PathBuf> },
}

pub fn run(cmd: Command) -> anyhow::Result<i32> {
    match cmd {
        Command::Check { file } => {
            let r = super::load_rules(file.as_ref())?;
            println!("rules ok (version {})", r.version());
            Ok(EXIT_OK)
        }
    }
}
