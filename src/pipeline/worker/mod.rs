//! Isolated extraction: supervised worker processes, as Apache Tika's forked
//! mode runs its parsers. This module owns both sides of the pipe.
//!
//! - The **worker** ([`run_worker`], behind the hidden `ystorfa
//!   extract-worker` subcommand) caps its own address space (`RLIMIT_AS`)
//!   and then reads requests from stdin, one JSON line each
//!   (`{"path": ..., "file": ..., "limits": {...}}`), reads the file itself,
//!   extracts it and writes one JSON line per request to stdout:
//!   `{"ok": ExtractedDoc}` or `{"err": {"stage": ..., "reason": ...}}`.
//! - The **supervisor** ([`Pool`]) keeps long-lived workers, one per build
//!   thread at most, sends one document at a time and waits for the reply
//!   with a deadline. A worker that runs past the deadline is killed
//!   (SIGKILL) and reaped; a worker that dies (abort, stack overflow, out of
//!   memory, killed by the kernel) is reaped. Either way the document fails
//!   alone with a clear reason, and the next document gets a fresh worker.
//!   A document that brought a worker down is not retried in the same build.
//!
//! Worker stderr is captured (never mixed into the build's progress output);
//! its last line is attached to the failure reason of a crash.
//!
//! Test hook, compiled only with the cargo feature `fault-injection` (which
//! `cargo test` turns on through the crate's dev-dependency on itself, and
//! no release build has): see `faults`.

use super::{DocFailure, Stage, extract_bytes};
use crate::extract::Limits;
use crate::model::ExtractedDoc;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Name of the hidden subcommand that runs a worker.
pub const WORKER_SUBCOMMAND: &str = "extract-worker";

#[cfg(feature = "fault-injection")]
pub mod faults;

/// How to run extraction out of process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Isolation {
    /// The `ystorfa` executable (it must understand `extract-worker`).
    pub exe: PathBuf,
    /// Wall time allowed for one document.
    pub timeout: Duration,
    /// Address-space limit of each worker, in MiB (0: no limit).
    pub max_memory_mb: u64,
}

impl Isolation {
    /// Isolation with the running executable as worker.
    pub fn current_exe(timeout: Duration, max_memory_mb: u64) -> std::io::Result<Self> {
        Ok(Isolation {
            exe: std::env::current_exe()?,
            timeout,
            max_memory_mb,
        })
    }
}

/// [`Limits`] as they travel over the pipe.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WireLimits {
    max_stream_bytes: usize,
    max_ops_per_page: usize,
    max_pages: usize,
}

impl From<&Limits> for WireLimits {
    fn from(l: &Limits) -> Self {
        WireLimits {
            max_stream_bytes: l.max_stream_bytes,
            max_ops_per_page: l.max_ops_per_page,
            max_pages: l.max_pages,
        }
    }
}

impl From<WireLimits> for Limits {
    fn from(l: WireLimits) -> Self {
        Limits {
            max_stream_bytes: l.max_stream_bytes,
            max_ops_per_page: l.max_ops_per_page,
            max_pages: l.max_pages,
        }
    }
}

/// One request to a worker.
#[derive(Debug, Serialize, Deserialize)]
struct Request {
    /// Where to read the file: the operating system's bytes, so a name
    /// that is not UTF-8 reaches the worker as it is.
    #[serde(with = "os_path")]
    path: PathBuf,
    /// The name as walked, used in the document and in messages.
    file: String,
    limits: WireLimits,
}

/// A path over the pipe as the operating system's bytes (on Unix a file
/// name may be any bytes; JSON strings hold only Unicode).
mod os_path {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::path::{Path, PathBuf};

    pub(super) fn serialize<S: Serializer>(p: &Path, s: S) -> Result<S::Ok, S::Error> {
        bytes(p).serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
        path(Vec::<u8>::deserialize(d)?).map_err(serde::de::Error::custom)
    }

    #[cfg(unix)]
    fn bytes(p: &Path) -> Vec<u8> {
        use std::os::unix::ffi::OsStrExt;
        p.as_os_str().as_bytes().to_vec()
    }

    #[cfg(unix)]
    fn path(b: Vec<u8>) -> Result<PathBuf, String> {
        use std::os::unix::ffi::OsStringExt;
        Ok(PathBuf::from(std::ffi::OsString::from_vec(b)))
    }

    #[cfg(not(unix))]
    fn bytes(p: &Path) -> Vec<u8> {
        p.to_string_lossy().into_owned().into_bytes()
    }

    #[cfg(not(unix))]
    fn path(b: Vec<u8>) -> Result<PathBuf, String> {
        String::from_utf8(b)
            .map(PathBuf::from)
            .map_err(|e| format!("a path that is not UTF-8: {e}"))
    }
}

/// A failure as it travels over the pipe.
#[derive(Debug, Serialize, Deserialize)]
struct WireFailure {
    stage: Stage,
    reason: String,
}

/// One reply from a worker.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Reply {
    Ok(Box<ExtractedDoc>),
    Err(WireFailure),
}

// ---------------------------------------------------------------- worker side

/// Errors of the worker loop itself (not of a document).
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("cannot set the memory limit: {0}")]
    Limit(std::io::Error),
    #[error("pipe to the build: {0}")]
    Io(#[from] std::io::Error),
    #[error("bad request from the build: {0}")]
    Request(#[from] serde_json::Error),
}

/// Cap this process's address space at `max_memory_mb` MiB (Linux
/// `setrlimit(RLIMIT_AS)`), so that an allocation beyond it fails and the
/// allocation-failure handler aborts this worker, never the build. Also asks
/// the kernel to kill this worker if the build dies (`PR_SET_PDEATHSIG`).
/// Elsewhere than Linux this does nothing.
pub fn limit_self(max_memory_mb: u64) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain system calls with valid arguments; no memory is shared.
        unsafe {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
            if max_memory_mb > 0 {
                let bytes = max_memory_mb.saturating_mul(1 << 20) as libc::rlim_t;
                let lim = libc::rlimit {
                    rlim_cur: bytes,
                    rlim_max: bytes,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = max_memory_mb;
    Ok(())
}

/// Run a worker over `input`/`output` until `input` closes: one reply line
/// per request line. The caller applies [`limit_self`] first.
pub fn serve(input: impl BufRead, mut output: impl Write) -> Result<(), WorkerError> {
    #[cfg(feature = "fault-injection")]
    let faults = faults::Faults::from_env();
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let req: Request = serde_json::from_str(&line)?;
        #[cfg(feature = "fault-injection")]
        faults.trigger(&req.file);
        let reply = match super::read_input(&req.path) {
            Err(e) => Reply::Err(WireFailure {
                stage: Stage::Read,
                reason: e.to_string(),
            }),
            Ok(bytes) => match extract_bytes(&req.file, &bytes, &req.limits.into()) {
                Ok(ex) => Reply::Ok(Box::new(ex)),
                Err(f) => Reply::Err(WireFailure {
                    stage: f.stage,
                    reason: f.reason,
                }),
            },
        };
        serde_json::to_writer(&mut output, &reply)?;
        output.write_all(b"\n")?;
        output.flush()?;
    }
    Ok(())
}

/// The line a worker writes once it has limited itself and is ready for
/// requests: until the supervisor reads it, a failure is the worker's
/// start-up (the environment), never a document's.
const READY: &str = "ystorfa-extract-worker ready";

/// The worker process: limit itself, say it is ready, then serve stdin →
/// stdout.
///
/// Documents are extracted on a thread whose stack is mapped before the
/// address space is capped: a document that recurses too deep meets the
/// stack's guard page and is said to have overflowed the stack, instead
/// of meeting the cap (the allocator reserves address space ahead, so the
/// main thread's stack could not grow) and dying of a bare SIGSEGV.
pub fn run_worker(max_memory_mb: u64) -> Result<(), WorkerError> {
    let extract = std::thread::Builder::new()
        .name("extract".into())
        .stack_size(WORKER_STACK)
        .spawn(move || {
            limit_self(max_memory_mb).map_err(WorkerError::Limit)?;
            let stdin = std::io::stdin().lock();
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{READY}")?;
            stdout.flush()?;
            serve(stdin, std::io::BufWriter::new(stdout))
        })?;
    match extract.join() {
        Ok(done) => done,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// The extracting thread's stack: as deep as a main thread's.
const WORKER_STACK: usize = 8 << 20;

/// A worker that could not be started or did not become ready: the
/// machine's fault (a limit, a missing executable), so a build stops
/// rather than blame every document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot start the extraction worker {exe}: {reason}")]
pub struct StartFailure {
    pub exe: String,
    pub reason: String,
}

/// Why a worker gave no extraction.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExtractFailure {
    /// The document failed (or made its worker fail).
    #[error(transparent)]
    Document(#[from] DocFailure),
    /// No worker could be started: no document was tried.
    #[error(transparent)]
    Start(#[from] StartFailure),
}

/// How long a new worker may take to say it is ready.
const START_TIMEOUT: Duration = Duration::from_secs(30);

// ------------------------------------------------------------ supervisor side

/// Last lines of a worker's stderr kept for failure reasons.
const STDERR_TAIL: usize = 8;

/// One running worker process.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<std::io::Result<String>>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    stderr_thread: Option<JoinHandle<()>>,
}

impl Worker {
    fn spawn(iso: &Isolation) -> std::io::Result<Worker> {
        let mut child = Command::new(&iso.exe)
            .arg(WORKER_SUBCOMMAND)
            .arg("--max-memory-mb")
            .arg(iso.max_memory_mb.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let (stdin, stdout, stderr) =
            match (child.stdin.take(), child.stdout.take(), child.stderr.take()) {
                (Some(i), Some(o), Some(e)) => (i, o, e),
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(std::io::Error::other("the worker's pipes were not opened"));
                }
            };
        let (tx, replies) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                match r.read_line(&mut line) {
                    // EOF: the worker is gone; dropping `tx` tells the supervisor.
                    Ok(0) => break,
                    Ok(_) => {
                        if tx.send(Ok(line)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
        });
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        let tail = Arc::clone(&stderr_tail);
        let stderr_thread = std::thread::spawn(move || {
            let mut r = BufReader::new(stderr);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match r.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&buf).trim().to_string();
                        if line.is_empty() {
                            continue;
                        }
                        if let Ok(mut t) = tail.lock() {
                            if t.len() == STDERR_TAIL {
                                t.pop_front();
                            }
                            t.push_back(line);
                        }
                    }
                }
            }
            // Drain anything left so the worker never blocks on a full pipe.
            let _ = std::io::copy(&mut r.take(u64::MAX), &mut std::io::sink());
        });
        let mut w = Worker {
            child,
            stdin,
            replies,
            stderr_tail,
            stderr_thread: Some(stderr_thread),
        };
        match w.replies.recv_timeout(START_TIMEOUT) {
            Ok(Ok(line)) if line.trim_end() == READY => Ok(w),
            Ok(Ok(line)) => {
                w.kill();
                Err(std::io::Error::other(format!(
                    "it said {:?} instead of being ready",
                    line.trim_end()
                )))
            }
            Err(RecvTimeoutError::Timeout) => {
                w.kill();
                Err(std::io::Error::other(format!(
                    "it was not ready within {}",
                    human_secs(START_TIMEOUT)
                )))
            }
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => {
                let status = w.reap();
                let last = w.last_stderr_line();
                Err(std::io::Error::other(match (status, last) {
                    (_, Some(last)) => format!("it exited at start: {last}"),
                    (Some(s), None) => format!("it exited at start ({s})"),
                    (None, None) => "it exited at start".to_string(),
                }))
            }
        }
    }

    /// Kill and reap the process; wait for its stderr to close.
    fn kill(&mut self) -> Option<ExitStatus> {
        let _ = self.child.kill();
        let status = self.child.wait().ok();
        if let Some(h) = self.stderr_thread.take() {
            let _ = h.join();
        }
        status
    }

    /// Reap a process that has exited (or is exiting) by itself.
    fn reap(&mut self) -> Option<ExitStatus> {
        // Its stdout closed: it is dead or dying. Do not wait forever on a
        // process that closed stdout but lives on.
        for _ in 0..200 {
            match self.child.try_wait() {
                Ok(Some(s)) => {
                    if let Some(h) = self.stderr_thread.take() {
                        let _ = h.join();
                    }
                    return Some(s);
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(_) => break,
            }
        }
        self.kill()
    }

    /// The most telling line of the worker's last stderr lines: an
    /// allocation failure, a fatal runtime error or a panic, else the last.
    fn last_stderr_line(&self) -> Option<String> {
        let tail = self.stderr_tail.lock().ok()?;
        tail_summary(tail.iter().map(String::as_str))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Pick the line that says why a worker died from its last stderr lines.
fn tail_summary<'a>(lines: impl DoubleEndedIterator<Item = &'a str> + Clone) -> Option<String> {
    const TELLING: [&str; 3] = ["memory allocation of", "fatal runtime error", "panicked at"];
    TELLING
        .iter()
        .find_map(|t| lines.clone().rev().find(|l| l.contains(t)))
        .or_else(|| lines.clone().next_back())
        .map(str::to_string)
}

/// Describe how a worker ended, for a failure reason.
fn describe_exit(
    status: Option<ExitStatus>,
    last_line: Option<&str>,
    max_memory_mb: u64,
) -> String {
    let oom_hint = last_line.is_some_and(|l| l.contains("memory allocation of"));
    let limit = if max_memory_mb > 0 {
        format!("limit --max-memory {max_memory_mb} MB")
    } else {
        "no --max-memory limit".to_string()
    };
    let mut how = match status {
        #[cfg(unix)]
        Some(s) if std::os::unix::process::ExitStatusExt::signal(&s).is_some() => {
            let sig = std::os::unix::process::ExitStatusExt::signal(&s).unwrap_or(0);
            let name = match sig {
                6 => " (SIGABRT)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV)",
                7 => " (SIGBUS)",
                _ => "",
            };
            if oom_hint {
                format!("the extractor ran out of memory (killed by signal {sig}{name}; {limit})")
            } else if sig == 9 {
                format!(
                    "the extractor crashed (killed by signal 9 (SIGKILL): out of memory? {limit})"
                )
            } else {
                format!("the extractor crashed (killed by signal {sig}{name})")
            }
        }
        Some(s) => match s.code() {
            Some(c) if oom_hint => {
                format!("the extractor ran out of memory (exited with code {c}; {limit})")
            }
            Some(c) => format!("the extractor crashed (exited with code {c})"),
            None => "the extractor crashed".to_string(),
        },
        None => "the extractor crashed (its exit status is unknown)".to_string(),
    };
    if let Some(l) = last_line {
        how.push_str(": ");
        how.push_str(l);
    }
    how
}

/// A pool of long-lived extraction workers, shared by the build's threads.
/// Each extraction checks a worker out (starting one if none is idle) and
/// checks it back in if it is still healthy. Dropping the pool kills and
/// reaps every idle worker.
pub struct Pool {
    iso: Isolation,
    idle: Mutex<Vec<Worker>>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("iso", &self.iso).finish()
    }
}

impl Pool {
    /// A pool that starts workers lazily, as documents arrive.
    pub fn new(iso: Isolation) -> Pool {
        Pool {
            iso,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Process ids of the idle workers (for monitoring and tests).
    pub fn idle_pids(&self) -> Vec<u32> {
        self.idle
            .lock()
            .map(|v| v.iter().map(|w| w.child.id()).collect())
            .unwrap_or_default()
    }

    fn checkout(&self) -> std::io::Result<Worker> {
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        match idle {
            Some(w) => Ok(w),
            None => {
                let w = Worker::spawn(&self.iso)?;
                tracing::debug!("started extraction worker (pid {})", w.child.id());
                Ok(w)
            }
        }
    }

    fn checkin(&self, w: Worker) {
        if let Ok(mut v) = self.idle.lock() {
            v.push(w);
        }
    }

    /// Extract the file at `path` (shown as `file`) in a worker under the
    /// pool's wall-time and memory limits.
    pub fn extract(
        &self,
        path: &Path,
        file: &str,
        limits: &Limits,
    ) -> Result<ExtractedDoc, ExtractFailure> {
        let fail = |stage, reason: String| DocFailure {
            file: file.to_string(),
            stage,
            reason,
        };
        let cannot_start = |e: std::io::Error| StartFailure {
            exe: self.iso.exe.display().to_string(),
            reason: e.to_string(),
        };
        let req = Request {
            path: path.to_path_buf(),
            file: file.to_string(),
            limits: limits.into(),
        };
        let mut line = serde_json::to_vec(&req)
            .map_err(|e| fail(Stage::Extract, format!("cannot encode the request: {e}")))?;
        line.push(b'\n');
        let send = |w: &mut Worker| w.stdin.write_all(&line).and_then(|_| w.stdin.flush());
        let mut w = self.checkout().map_err(cannot_start)?;
        if send(&mut w).is_err() {
            // An idle worker died (killed from outside?) before this document
            // reached it: the document is not to blame; a fresh worker takes it.
            tracing::debug!(
                "extraction worker (pid {}) died while idle; starting another for {file}",
                w.child.id()
            );
            drop(w);
            w = Worker::spawn(&self.iso).map_err(cannot_start)?;
            if send(&mut w).is_err() {
                let status = w.reap();
                let last = w.last_stderr_line();
                return Err(fail(
                    Stage::Extract,
                    describe_exit(status, last.as_deref(), self.iso.max_memory_mb),
                )
                .into());
            }
        }
        match w.replies.recv_timeout(self.iso.timeout) {
            Ok(Ok(reply)) => match serde_json::from_str::<Reply>(&reply) {
                Ok(Reply::Ok(ex)) => {
                    self.checkin(w);
                    Ok(*ex)
                }
                Ok(Reply::Err(e)) => {
                    self.checkin(w);
                    Err(fail(e.stage, e.reason).into())
                }
                // A garbled reply: do not trust this worker again.
                Err(e) => {
                    w.kill();
                    Err(fail(
                        Stage::Extract,
                        format!("the extraction worker sent an unreadable reply: {e}"),
                    )
                    .into())
                }
            },
            Err(RecvTimeoutError::Timeout) => {
                tracing::debug!(
                    "{file}: killing extraction worker (pid {}) after {}",
                    w.child.id(),
                    human_secs(self.iso.timeout)
                );
                w.kill();
                Err(fail(
                    Stage::Extract,
                    format!(
                        "extraction took longer than {} (limit --timeout)",
                        human_secs(self.iso.timeout)
                    ),
                )
                .into())
            }
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => {
                let status = w.reap();
                let last = w.last_stderr_line();
                Err(fail(
                    Stage::Extract,
                    describe_exit(status, last.as_deref(), self.iso.max_memory_mb),
                )
                .into())
            }
        }
    }
}

fn human_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{s:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_answers_one_line_per_request() {
        let tmp = tempfile::tempdir().unwrap();
        let good = tmp.path().join("good.txt");
        std::fs::write(&good, "FICTIONAL EXAMPLE\n\nA fictional paragraph.\n").unwrap();
        let mut input = Vec::new();
        for (p, f) in [
            (&good, "in/good.txt"),
            (&tmp.path().join("nope.txt"), "in/nope.txt"),
        ] {
            let req = Request {
                path: p.to_path_buf(),
                file: f.into(),
                limits: (&Limits::default()).into(),
            };
            input.extend(serde_json::to_vec(&req).unwrap());
            input.push(b'\n');
        }
        let mut out = Vec::new();
        serve(&input[..], &mut out).unwrap();
        let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        assert_eq!(lines.len(), 2);
        match serde_json::from_str::<Reply>(lines[0]).unwrap() {
            Reply::Ok(ex) => {
                let direct = extract_bytes(
                    "in/good.txt",
                    &std::fs::read(&good).unwrap(),
                    &Limits::default(),
                )
                .unwrap();
                assert_eq!(*ex, direct, "the pipe changes nothing");
            }
            Reply::Err(e) => panic!("unexpected failure {e:?}"),
        }
        match serde_json::from_str::<Reply>(lines[1]).unwrap() {
            Reply::Err(e) => assert_eq!(e.stage, Stage::Read),
            Reply::Ok(_) => panic!("a missing file cannot succeed"),
        }
    }

    #[test]
    fn a_bad_request_stops_the_worker_with_an_error() {
        let mut out = Vec::new();
        let err = serve(&b"{not json\n"[..], &mut out).unwrap_err();
        assert!(matches!(err, WorkerError::Request(_)), "{err}");
        assert!(out.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn exit_descriptions_name_the_cause() {
        use std::os::unix::process::ExitStatusExt;
        let abrt = ExitStatus::from_raw(6);
        let kill = ExitStatus::from_raw(9);
        let code3 = ExitStatus::from_raw(3 << 8);
        assert_eq!(
            describe_exit(Some(abrt), None, 256),
            "the extractor crashed (killed by signal 6 (SIGABRT))"
        );
        assert!(
            describe_exit(Some(abrt), Some("memory allocation of 16 bytes failed"), 256)
                .starts_with("the extractor ran out of memory (killed by signal 6 (SIGABRT); limit --max-memory 256 MB)")
        );
        assert!(
            describe_exit(Some(kill), None, 4096)
                .contains("out of memory? limit --max-memory 4096 MB")
        );
        assert_eq!(
            describe_exit(Some(code3), Some("boom"), 0),
            "the extractor crashed (exited with code 3): boom"
        );
        assert_eq!(human_secs(Duration::from_secs(2)), "2 s");
        let tail = [
            "memory allocation of 16777216 bytes failed",
            "skipping backtrace printing to avoid potential recursion",
        ];
        assert_eq!(tail_summary(tail.into_iter()).as_deref(), Some(tail[0]));
        assert_eq!(
            tail_summary(["a", "b"].into_iter()).as_deref(),
            Some("b"),
            "else the last line"
        );
        assert_eq!(tail_summary([].into_iter()), None);
        assert_eq!(human_secs(Duration::from_millis(1500)), "1.5 s");
    }
}
