//! The real `ystorfa serve` over a build: started on a free loopback
//! port, asked over HTTP, killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ystorfa"))
}

/// A running server, killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(out: &Path) -> Server {
    let mut child = Command::new(bin())
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--reload-every",
            "0.1",
            "--out",
        ])
        .arg(out)
        .env_remove("YSTORFA_TOKEN")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("listening on ") {
                let _ = tx.send(addr.trim().to_string());
            }
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("serve says where it listens");
    Server { child, base }
}

pub fn get(url: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut res = agent.get(url).call().expect("request");
    let status = res.status().as_u16();
    let body = res.body_mut().read_to_string().expect("body");
    (status, body)
}
