//! A child process run to its end with its wall time and peak resident
//! memory (Linux `wait4`: the largest of the process and its children),
//! its pipes read on threads so it never blocks on them. Shared by the
//! build benches.

use std::process::{Command, Stdio};
use std::time::Instant;

/// What a measured run gives.
pub struct Measured {
    pub seconds: f64,
    pub peak_rss_mib: f64,
    /// Exited normally with status 0.
    pub success: bool,
    /// The raw wait status, for messages.
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Spawn `cmd` (stdin closed, stdout and stderr piped), wait for it, and
/// measure it. An error when it cannot be started.
// The child is reaped by `wait4`, which clippy does not see.
#[allow(clippy::zombie_processes)]
pub fn run(cmd: &mut Command) -> std::io::Result<Measured> {
    let t = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).ok();
        s
    });
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value of the plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child, with valid pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let seconds = t.elapsed().as_secs_f64();
    let (stdout, stderr) = (out_t.join().unwrap(), err_t.join().unwrap());
    Ok(Measured {
        seconds,
        peak_rss_mib: usage.ru_maxrss as f64 / 1024.0,
        success: r == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        status,
        stdout,
        stderr,
    })
}
