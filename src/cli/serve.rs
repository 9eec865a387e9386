//! `ystorfa serve`: the search and browse page for learning-panel members,
//! over the output folder `ystorfa build` writes (see `crate::serve`).

use super::EXIT_OK;
use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder written by `ystorfa build`.
    #[arg(long, default_value = "index")]
    pub out: PathBuf,
    /// Address to listen on. Anything but loopback (127.0.0.1, [::1])
    /// requires an access token.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Access token every client must give (a link with `?token=…`, a
    /// cookie, or `Authorization: Bearer …`); at least 16 characters.
    /// Prefer the YSTORFA_TOKEN environment variable, which other users of
    /// the machine cannot read from the process list.
    #[arg(long, env = "YSTORFA_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Seconds between checks for a new build in --out.
    #[arg(long, default_value_t = 1.0)]
    pub reload_every: f64,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    if !(args.reload_every.is_finite() && args.reload_every >= 0.05) {
        anyhow::bail!("--reload-every must be at least 0.05 seconds");
    }
    let opts = crate::serve::ServeOptions {
        out: args.out.clone(),
        bind: args.bind,
        token: args.token.filter(|t| !t.is_empty()),
        reload_every: Duration::from_secs_f64(args.reload_every),
    };
    let with_token = opts.token.is_some();
    crate::serve::run(opts, |addr| {
        let hint = if with_token {
            " (give people the link with ?token=…)"
        } else {
            ""
        };
        eprintln!(
            "ystorfa serve: serving {} on http://{addr}/{hint}; Ctrl-C to stop",
            args.out.display()
        );
        eprintln!("listening on http://{addr}");
    })
    .with_context(|| format!("cannot serve {}", args.out.display()))?;
    Ok(EXIT_OK)
}
