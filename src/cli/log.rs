//! Messages for people on stderr: the `tracing` subscriber (levels from
//! `-q`/`-v`/`RUST_LOG`) and the progress bar, which log lines never
//! interleave with (the writer suspends the bar while a line is written).
//!
//! stdout is never written here: it carries data only.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use tracing::{Event, Level, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

/// How much to say on stderr, from the global `-q` and `-v` flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// `-q`: errors only, no progress bar.
    Quiet,
    /// The default: what was done, warnings, errors, and a progress bar on a terminal.
    Normal,
    /// `-v` (1: debug), `-vv` (2: trace), `-vvv` (3: trace for dependencies too).
    Verbose(u8),
}

impl Verbosity {
    pub fn from_flags(quiet: bool, verbose: u8) -> Self {
        match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, n) => Verbosity::Verbose(n),
        }
    }

    /// The filter used when `RUST_LOG` is not set. Other crates' log
    /// records (tantivy's, through `tracing-log`) stay one level quieter
    /// than ystorfa's own.
    pub fn directives(self) -> &'static str {
        match self {
            Verbosity::Quiet => "error",
            Verbosity::Normal => "warn,ystorfa=info",
            Verbosity::Verbose(1) => "info,ystorfa=debug",
            Verbosity::Verbose(2) => "debug,ystorfa=trace",
            Verbosity::Verbose(_) => "trace",
        }
    }

    pub fn is_quiet(self) -> bool {
        self == Verbosity::Quiet
    }
}

/// The bar currently drawn, if any; the log writer suspends it.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

fn current_bar() -> Option<ProgressBar> {
    BAR.lock().ok().and_then(|b| b.clone())
}

/// Install the subscriber for this process: `RUST_LOG` when set (see
/// `tracing_subscriber::EnvFilter` for its syntax), otherwise the level
/// the flags ask for. Call once, before anything logs.
pub fn init(verbosity: Verbosity) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(s) if !s.trim().is_empty() => EnvFilter::builder().parse_lossy(s),
        _ => EnvFilter::new(verbosity.directives()),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(StderrSuspendingBar)
        .event_format(Human)
        .try_init();
}

/// One line per event: `ystorfa: message`, with `warning:` for warnings,
/// `debug:`/`trace:` for the verbose levels, and the origin for records
/// from other crates.
struct Human;

impl<S, N> FormatEvent<S, N> for Human
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        // Records forwarded from the `log` crate (tantivy's) carry their
        // real target in fields; normalise to see it.
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        write!(w, "ystorfa: ")?;
        match *meta.level() {
            Level::ERROR | Level::INFO => {}
            Level::WARN => write!(w, "warning: ")?,
            Level::DEBUG => write!(w, "debug: ")?,
            Level::TRACE => write!(w, "trace: ")?,
        }
        // Name the origin of records from other crates.
        let target = meta.target();
        if target != "ystorfa" && !target.starts_with("ystorfa::") {
            write!(w, "[{target}] ")?;
        }
        ctx.field_format().format_fields(w.by_ref(), event)?;
        writeln!(w)
    }
}

/// Writes log lines to stderr with the progress bar (if one is drawn)
/// cleared first and drawn again after, so they never interleave.
struct StderrSuspendingBar;

impl<'a> MakeWriter<'a> for StderrSuspendingBar {
    type Writer = LineWriter;
    fn make_writer(&'a self) -> Self::Writer {
        LineWriter
    }
}

struct LineWriter;

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match current_bar() {
            Some(bar) => bar.suspend(|| std::io::stderr().lock().write(buf)),
            None => std::io::stderr().lock().write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        // A whole formatted event at once, inside one suspension.
        match current_bar() {
            Some(bar) => bar.suspend(|| std::io::stderr().lock().write_all(buf)),
            None => std::io::stderr().lock().write_all(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Whether a progress bar may be drawn: stderr is a terminal, not `-q`,
/// and not in CI (the `CI` environment variable, set by CI services).
pub fn progress_wanted(verbosity: Verbosity) -> bool {
    !verbosity.is_quiet() && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// A progress bar over `total` items on stderr, or a hidden one when
/// [`progress_wanted`] says no. Log lines suspend it while it lives; it is
/// cleared when dropped, whatever happens to the command.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(total: u64, what: &str, verbosity: Verbosity) -> Self {
        if !progress_wanted(verbosity) {
            return Progress {
                bar: ProgressBar::hidden(),
            };
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let template = format!(
            "ystorfa: {{bar:30}} {{pos}}/{{len}} {what} [{{elapsed}}, {{eta}} left] {{wide_msg}}"
        );
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        if let Ok(mut slot) = BAR.lock() {
            *slot = Some(bar.clone());
        }
        Progress { bar }
    }

    /// One more item done; `msg` says which.
    pub fn inc(&self, msg: &str) {
        self.bar.set_message(msg.to_string());
        self.bar.inc(1);
    }

    /// Say what happens now (after the items).
    pub fn set_message(&self, msg: &str) {
        self.bar.set_message(msg.to_string());
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Ok(mut slot) = BAR.lock() {
            *slot = None;
        }
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_map_to_levels() {
        assert_eq!(Verbosity::from_flags(true, 0), Verbosity::Quiet);
        assert_eq!(Verbosity::from_flags(false, 0), Verbosity::Normal);
        assert_eq!(Verbosity::from_flags(false, 2), Verbosity::Verbose(2));
        assert_eq!(Verbosity::Quiet.directives(), "error");
        assert!(Verbosity::Verbose(1).directives().contains("ystorfa=debug"));
        for v in [0, 1, 2, 3, 9] {
            let d = Verbosity::from_flags(false, v).directives();
            EnvFilter::builder().parse(d).expect("valid directives");
        }
    }

    #[test]
    fn no_bar_when_quiet() {
        assert!(!progress_wanted(Verbosity::Quiet));
        let p = Progress::new(3, "documents", Verbosity::Quiet);
        assert!(p.bar.is_hidden());
        p.inc("a");
        assert_eq!(p.bar.position(), 1);
        drop(p);
        assert!(current_bar().is_none());
    }
}
