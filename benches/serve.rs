//! Serve latency benchmark over a scaled corpus (issue #5).
//!
//! In one invocation: generates N fictional review-sized Markdown documents
//! from the sample corpus sources (see `serve/scaled.rs`), runs `ystorfa
//! build` over them (release binary; build time, summary line, index size),
//! starts `ystorfa serve` on a free loopback port, waits for `/healthz`,
//! then sends a fixed query mix for a fixed duration after a warm-up, with
//! 1 client and with 8 concurrent clients (threads, keep-alive
//! connections), and reports p50/p90/p99/max latency and requests/s overall,
//! per query kind and per query. As a reference it runs the same searches
//! in process through `ystorfa::index::search`, so the HTTP/serve overhead
//! is visible. Everything is generated in a temporary folder (or `--keep
//! DIR`), never in the repository; all traffic goes to 127.0.0.1.
//!
//! Run: `cargo bench --bench serve -- [--docs 1000] [--seconds 10]
//! [--warmup 2] [--clients 1,8] [--pages 30-120] [--seed 5] [--keep DIR]
//! [--reuse] [--build-only] [--url http://127.0.0.1:PORT] [--json FILE]`
//! (`--reuse` with `--keep` skips generating and building when DIR holds a
//! build; `--url` drives a server already running on this machine instead of
//! starting one; `--build-only` skips the HTTP runs).

#[path = "serve/scaled.rs"]
mod scaled;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use ystorfa::index::{SearchIndex, SearchRequest};
use ystorfa::serve::{Params, SearchParams};

/// p99 target with 8 clients, from issue #5.
const TARGET_P99_MS: f64 = 20.0;

struct Args {
    docs: usize,
    seconds: f64,
    warmup: f64,
    clients: Vec<usize>,
    pages: (usize, usize),
    seed: u64,
    keep: Option<PathBuf>,
    build_only: bool,
    reuse: bool,
    /// A server already running on this machine (instead of starting one).
    url: Option<String>,
    json: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        docs: 1000,
        seconds: 10.0,
        warmup: 2.0,
        clients: vec![1, 8],
        pages: (30, 120),
        seed: 5,
        keep: None,
        build_only: false,
        reuse: false,
        url: None,
        json: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut val = || {
            it.next()
                .unwrap_or_else(|| die(&format!("{k} needs a value")))
        };
        match k.as_str() {
            "--docs" => a.docs = val().parse().unwrap_or_else(|_| die("--docs N")),
            "--seconds" => a.seconds = val().parse().unwrap_or_else(|_| die("--seconds S")),
            "--warmup" => a.warmup = val().parse().unwrap_or_else(|_| die("--warmup S")),
            "--clients" => {
                a.clients = val()
                    .split(',')
                    .map(|c| c.trim().parse().unwrap_or_else(|_| die("--clients 1,8")))
                    .collect()
            }
            "--pages" => {
                let v = val();
                let (lo, hi) = v.split_once('-').unwrap_or_else(|| die("--pages MIN-MAX"));
                a.pages = (
                    lo.parse().unwrap_or_else(|_| die("--pages MIN-MAX")),
                    hi.parse().unwrap_or_else(|_| die("--pages MIN-MAX")),
                );
                if a.pages.0 == 0 || a.pages.0 > a.pages.1 {
                    die("--pages MIN-MAX with 0 < MIN <= MAX");
                }
            }
            "--seed" => a.seed = val().parse().unwrap_or_else(|_| die("--seed N")),
            "--keep" => a.keep = Some(PathBuf::from(val())),
            "--json" => a.json = Some(PathBuf::from(val())),
            "--build-only" => a.build_only = true,
            "--reuse" => a.reuse = true,
            "--url" => {
                let u = val();
                // Load goes to this machine only.
                let host = u
                    .strip_prefix("http://")
                    .and_then(|r| r.split('/').next())
                    .map(|h| h.rsplit_once(':').map_or(h, |(h, _)| h))
                    .unwrap_or_else(|| die("--url http://127.0.0.1:PORT"));
                if !(host == "localhost" || host == "[::1]" || host.starts_with("127.")) {
                    die("--url must be a loopback address (127.0.0.1, localhost, [::1])");
                }
                a.url = Some(u);
            }
            // Passed by `cargo bench` to every bench target.
            "--bench" => {}
            other => die(&format!(
                "unknown option {other} (options: --docs N --seconds S --warmup S --clients 1,8 \
                 --pages MIN-MAX --seed N --keep DIR [--reuse] --build-only --url http://127.0.0.1:PORT --json FILE)"
            )),
        }
    }
    if a.reuse && a.keep.is_none() {
        die("--reuse needs --keep DIR");
    }
    a
}

fn die(msg: &str) -> ! {
    eprintln!("serve bench: {msg}");
    std::process::exit(2);
}

/// Hits listed per document, as the served search asks for
/// (`serve::views::run_search`).
const PER_DOCUMENT: usize = 3;

/// One request of the fixed mix.
#[derive(Clone)]
struct Query {
    /// Short label.
    name: &'static str,
    /// Query kind the per-kind table groups by.
    kind: &'static str,
    /// Path and query string sent to the server.
    path: String,
    /// The same search in process, for `/api/search` requests.
    in_process: Option<SearchRequest>,
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The search request the server makes for an `/api/search` URL: its
/// parameters parsed by `ystorfa::serve` itself, paged as the server pages.
fn in_process(path: &str) -> Option<SearchRequest> {
    let qs = path.strip_prefix("/api/search?")?;
    let params = Params::parse(Some(qs)).unwrap_or_else(|e| die(&format!("{path}: {}", e.0)));
    let sp =
        SearchParams::from_params(&params).unwrap_or_else(|e| die(&format!("{path}: {}", e.0)));
    Some(SearchRequest {
        query: sp.q,
        filters: sp.filters,
        limit: sp.per_page,
        offset: (sp.page - 1).saturating_mul(sp.per_page),
        per_document: PER_DOCUMENT,
    })
}

/// The fixed query mix.
fn mix() -> Vec<Query> {
    let req = |name, kind, path: String| Query {
        name,
        kind,
        in_process: in_process(&path),
        path,
    };
    let search = |name, kind, q: &str| req(name, kind, format!("/api/search?q={}", enc(q)));
    let with = |name, kind, q: &str, extra: &str| {
        req(name, kind, format!("/api/search?q={}&{extra}", enc(q)))
    };
    vec![
        search("strangulation", "word", "strangulation"),
        search("housing", "word", "housing"),
        search("police (broad)", "broad", "police"),
        search("\"risk assessment\"", "phrase", "\"risk assessment\""),
        search("\"coercive control\"", "phrase", "\"coercive control\""),
        search(
            "\"information sharing\"~3",
            "proximity",
            "\"information sharing\"~3",
        ),
        search(
            "strangulation OR choking",
            "boolean",
            "strangulation OR choking",
        ),
        search("MARAC NOT police", "boolean", "MARAC NOT police"),
        search("assesment~1", "fuzzy", "assesment~1"),
        search("harrassment~1", "fuzzy", "harrassment~1"),
        search(
            "risk theme:coercive_control",
            "field filter",
            "risk theme:coercive_control",
        ),
        search("training kind:dhr", "field filter", "training kind:dhr"),
        search(
            "training year:[2019 TO 2023]",
            "field filter",
            "training year:[2019 TO 2023]",
        ),
        search(
            "review agency:police section:recs",
            "field filter",
            "review agency:police section:recommendations",
        ),
        search(
            "is_recommendation:true training",
            "field filter",
            "is_recommendation:true training",
        ),
        with(
            "training &theme&kind&years (URL)",
            "url filter",
            "training",
            "theme=coercive_control&kind=dhr&year_from=2019&year_to=2023",
        ),
        with(
            "information &agency=police (URL)",
            "url filter",
            "information",
            "agency=police",
        ),
        search("xylophone (no hits)", "none", "xylophone"),
        with("police page 2", "page 2", "police", "page=2"),
        with(
            "safeguarding per_page=50",
            "broad",
            "safeguarding",
            "per_page=50",
        ),
        req("HTML /search", "html", "/search?q=coercive+control".into()),
        req("/api/themes", "view", "/api/themes".into()),
        req(
            "/api/recommendations",
            "view",
            "/api/recommendations?theme=stalking_harassment".into(),
        ),
    ]
}

/// Latency summary in milliseconds.
#[derive(Debug, Clone, Default, serde::Serialize)]
struct Summary {
    requests: usize,
    errors: usize,
    per_second: f64,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    /// Mean CPU time per request of the searching thread (in process only).
    cpu_ms: Option<f64>,
}

fn summarize(mut micros: Vec<u64>, errors: usize, seconds: f64) -> Summary {
    micros.sort_unstable();
    let q = |p: f64| -> f64 {
        if micros.is_empty() {
            return 0.0;
        }
        // Nearest rank.
        let rank = ((p * micros.len() as f64).ceil() as usize).clamp(1, micros.len());
        micros[rank - 1] as f64 / 1000.0
    };
    Summary {
        requests: micros.len(),
        errors,
        per_second: micros.len() as f64 / seconds,
        p50: q(0.50),
        p90: q(0.90),
        p99: q(0.99),
        max: micros.last().map_or(0.0, |&m| m as f64 / 1000.0),
        cpu_ms: None,
    }
}

/// One run: `clients` threads, each cycling through the mix.
#[derive(Debug, Clone, Default, serde::Serialize)]
struct Run {
    target: String,
    clients: usize,
    seconds: f64,
    overall: Summary,
    by_kind: BTreeMap<String, Summary>,
    by_query: Vec<(String, Summary)>,
    first_errors: Vec<String>,
    /// CPU time spent per request: by the searching threads (in process) or
    /// by the whole server process (HTTP), over the measured window. Less
    /// sensitive to other work on the machine than latency; with C clients
    /// on K idle cores, latency is at least about `cpu × C / K`.
    cpu_ms_per_request: Option<f64>,
    /// CPU time of the load generator's threads per request (HTTP runs).
    client_cpu_ms_per_request: Option<f64>,
    /// `/proc/loadavg` before and after the run (the machine is shared).
    load_before: String,
    load_after: String,
}

/// Whose CPU time a run measures.
#[derive(Clone, Copy)]
enum Cpu {
    /// The client threads' own (in-process searches).
    Threads,
    /// A server process's (user + system).
    Process(u32),
    None,
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// User + system CPU time of a process (Linux `/proc/PID/stat`).
fn process_cpu_time(pid: u32) -> Option<Duration> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (hz > 0).then(|| Duration::from_secs_f64(ticks as f64 / hz as f64))
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Send the mix with `clients` threads for `seconds`; `send` does one request
/// and returns an error text on failure. Each thread starts at a different
/// point of the mix.
#[allow(clippy::too_many_arguments)]
fn drive<S, F>(
    target: &str,
    mix: &[Query],
    clients: usize,
    warmup: f64,
    seconds: f64,
    cpu: Cpu,
    make: F,
) -> Run
where
    F: Fn() -> S + Sync,
    S: FnMut(&Query) -> Result<(), String>,
{
    /// Upper bound on requests per thread (the run is bounded by time too).
    const MAX_PER_THREAD: usize = 2_000_000;
    let load_before = loadavg();
    let mut process_cpu = (Duration::ZERO, Duration::ZERO);
    let per_request_cpu = matches!(cpu, Cpu::Threads);
    type ThreadFruit = (
        Vec<Vec<u64>>,
        Vec<usize>,
        Vec<String>,
        Duration,
        Vec<Duration>,
    );
    let results: Vec<ThreadFruit> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|t| {
                let make = &make;
                s.spawn(move || {
                    let mut send = make();
                    let mut lat = vec![Vec::new(); mix.len()];
                    let mut errs = vec![0usize; mix.len()];
                    let mut first = Vec::new();
                    let start = Instant::now();
                    let warm_end = start + Duration::from_secs_f64(warmup);
                    let end = warm_end + Duration::from_secs_f64(seconds);
                    let mut i = (t * 7) % mix.len();
                    let mut cpu_from: Option<Duration> = None;
                    let mut cpu_q = vec![Duration::ZERO; mix.len()];
                    for _ in 0..MAX_PER_THREAD {
                        let t0 = Instant::now();
                        if t0 >= end {
                            break;
                        }
                        if t0 >= warm_end && cpu_from.is_none() {
                            cpu_from = Some(thread_cpu());
                        }
                        let c0 = per_request_cpu.then(thread_cpu);
                        let r = send(&mix[i]);
                        let us = t0.elapsed().as_micros() as u64;
                        if t0 >= warm_end {
                            if let Some(c0) = c0 {
                                cpu_q[i] += thread_cpu().saturating_sub(c0);
                            }
                            match r {
                                Ok(()) => lat[i].push(us),
                                Err(e) => {
                                    errs[i] += 1;
                                    if first.len() < 3 {
                                        first.push(format!("{}: {e}", mix[i].path));
                                    }
                                }
                            }
                        }
                        i = (i + 1) % mix.len();
                    }
                    let used = cpu_from.map_or(Duration::ZERO, |c| thread_cpu().saturating_sub(c));
                    (lat, errs, first, used, cpu_q)
                })
            })
            .collect();
        if let Cpu::Process(pid) = cpu {
            std::thread::sleep(Duration::from_secs_f64(warmup));
            process_cpu.0 = process_cpu_time(pid).unwrap_or_default();
        }
        let r = handles.into_iter().map(|h| h.join().unwrap()).collect();
        if let Cpu::Process(pid) = cpu {
            process_cpu.1 = process_cpu_time(pid).unwrap_or_default();
        }
        r
    });
    let mut per_query: Vec<(Vec<u64>, usize)> = vec![(Vec::new(), 0); mix.len()];
    let mut first_errors = Vec::new();
    let mut threads_cpu = Duration::ZERO;
    let mut cpu_by_query = vec![Duration::ZERO; mix.len()];
    for (lat, errs, first, used, cpu_q) in results {
        threads_cpu += used;
        for (total, c) in cpu_by_query.iter_mut().zip(cpu_q) {
            *total += c;
        }
        for (i, (l, e)) in lat.into_iter().zip(errs).enumerate() {
            per_query[i].0.extend(l);
            per_query[i].1 += e;
        }
        first_errors.extend(first);
    }
    let mut by_kind: BTreeMap<&str, (Vec<u64>, usize)> = BTreeMap::new();
    let mut all = Vec::new();
    let mut all_errs = 0;
    for (q, (l, e)) in mix.iter().zip(&per_query) {
        let k = by_kind.entry(q.kind).or_default();
        k.0.extend(l);
        k.1 += e;
        all.extend(l);
        all_errs += e;
    }
    let overall = summarize(all, all_errs, seconds);
    let cpu_total = match cpu {
        Cpu::Threads => Some(threads_cpu),
        Cpu::Process(_) => Some(process_cpu.1.saturating_sub(process_cpu.0)),
        Cpu::None => None,
    };
    Run {
        target: target.to_string(),
        clients,
        seconds,
        cpu_ms_per_request: cpu_total
            .filter(|_| overall.requests > 0)
            .map(|c| c.as_secs_f64() * 1000.0 / overall.requests as f64),
        client_cpu_ms_per_request: (matches!(cpu, Cpu::Process(_)) && overall.requests > 0)
            .then(|| threads_cpu.as_secs_f64() * 1000.0 / overall.requests as f64),
        overall,
        by_kind: by_kind
            .into_iter()
            .map(|(k, (l, e))| (k.to_string(), summarize(l, e, seconds)))
            .collect(),
        by_query: mix
            .iter()
            .zip(per_query)
            .zip(&cpu_by_query)
            .map(|((q, (l, e)), c)| {
                let mut s = summarize(l, e, seconds);
                if per_request_cpu && s.requests > 0 {
                    s.cpu_ms = Some(c.as_secs_f64() * 1000.0 / s.requests as f64);
                }
                (q.name.to_string(), s)
            })
            .collect(),
        first_errors,
        load_before,
        load_after: loadavg(),
    }
}

fn print_run(r: &Run) {
    println!(
        "\n{} with {} client{} ({:.0} s after warm-up; load average {} before, {} after)",
        r.target,
        r.clients,
        if r.clients == 1 { "" } else { "s" },
        r.seconds,
        r.load_before,
        r.load_after
    );
    println!(
        "  {:<40} {:>7} {:>5} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "", "req", "err", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "cpu ms"
    );
    let row = |name: &str, s: &Summary| {
        let cpu = s.cpu_ms.map(|c| format!("{c:.2}")).unwrap_or_default();
        println!(
            "  {:<40} {:>7} {:>5} {:>8.1} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8}",
            name, s.requests, s.errors, s.per_second, s.p50, s.p90, s.p99, s.max, cpu
        );
    };
    row("ALL", &r.overall);
    if let Some(c) = r.cpu_ms_per_request {
        match r.client_cpu_ms_per_request {
            Some(cc) => println!("  CPU per request: {c:.2} ms (server), {cc:.2} ms (client)"),
            None => println!("  CPU per request: {c:.2} ms"),
        }
    }
    println!("  by kind:");
    for (k, s) in &r.by_kind {
        row(k, s);
    }
    println!("  by query:");
    for (k, s) in &r.by_query {
        row(k, s);
    }
    for e in &r.first_errors {
        println!("  error: {e}");
    }
}

/// Total size of the files under `dir` (links not followed), in bytes.
fn dir_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn mib(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

/// Kills the server when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| die(&format!("no free loopback port: {e}")))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .max_idle_connections_per_host(4)
        .build()
        .into()
}

/// GET `url`: status and body.
fn get(agent: &ureq::Agent, url: &str) -> Result<(u16, Vec<u8>), String> {
    let mut resp = agent.get(url).call().map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(256 << 20)
        .read_to_vec()
        .map_err(|e| e.to_string())?;
    Ok((status, body))
}

/// Peak resident memory of a process, in kB (Linux).
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A request of the mix: name, path, and for searches the totals the
/// server reported (matching documents, matching passages of the documents
/// shown).
#[derive(Debug, Default, serde::Serialize)]
struct MixRow {
    name: String,
    path: String,
    totals: Option<(u64, u64)>,
}

#[derive(Debug, Default, serde::Serialize)]
struct Report {
    docs: usize,
    seed: u64,
    generated: scaled::Generated,
    generate_seconds: f64,
    build_seconds: f64,
    build_summary: String,
    search_index_bytes: u64,
    repository_bytes: u64,
    cache_bytes: u64,
    output_bytes: u64,
    /// Each request of the mix and what the server answered.
    mix: Vec<MixRow>,
    runs: Vec<Run>,
    /// Seconds to open the index in process (reading the document table).
    open_seconds: f64,
    server_peak_rss_kb: Option<u64>,
    target_p99_ms: f64,
    target_met: Option<bool>,
}

fn main() {
    let a = args();
    let tmp;
    let root = match &a.keep {
        Some(d) => d.clone(),
        None => {
            tmp = tempfile::tempdir().unwrap_or_else(|e| die(&format!("temp dir: {e}")));
            tmp.path().to_path_buf()
        }
    };
    let corpus = root.join("corpus");
    let out = root.join("out");
    let mut rep = Report {
        docs: a.docs,
        seed: a.seed,
        target_p99_ms: TARGET_P99_MS,
        ..Report::default()
    };

    if a.reuse && out.join("search").exists() {
        println!("reusing the corpus and build in {}", root.display());
    } else {
        generate_and_build(&a, &corpus, &out, &mut rep);
    }
    // Sizes of the current generation's parts (through the links) and of
    // the whole folder (every generation kept, the extraction cache).
    let part = |name: &str| {
        let p = out.join(name);
        dir_size(&p.canonicalize().unwrap_or(p))
    };
    rep.search_index_bytes = part("search");
    rep.repository_bytes = part("repository");
    rep.cache_bytes = part("cache");
    rep.output_bytes = dir_size(&out);
    if !rep.build_summary.is_empty() {
        println!(
            "build: {:.1} s wall; {}",
            rep.build_seconds, rep.build_summary
        );
    }
    println!(
        "sizes: search/ {:.1} MiB, repository/ {:.1} MiB, cache/ {:.1} MiB, whole output folder {:.1} MiB",
        mib(rep.search_index_bytes),
        mib(rep.repository_bytes),
        mib(rep.cache_bytes),
        mib(rep.output_bytes)
    );

    let mix = mix();
    if !a.build_only {
        serve_runs(&a, &out, &mix, &mut rep);
    }

    // 4. In-process reference.
    let t = Instant::now();
    let index = SearchIndex::open(&out.join("search"))
        .unwrap_or_else(|e| die(&format!("opening the index: {e}")));
    rep.open_seconds = t.elapsed().as_secs_f64();
    println!(
        "\nin process: SearchIndex::open in {:.2} s",
        rep.open_seconds
    );
    let searches: Vec<Query> = mix
        .iter()
        .filter(|q| q.in_process.is_some())
        .cloned()
        .collect();
    for &c in &a.clients {
        let r = drive(
            "in-process SearchIndex::search",
            &searches,
            c,
            a.warmup,
            a.seconds,
            Cpu::Threads,
            || {
                let index = &index;
                move |q: &Query| match &q.in_process {
                    Some(req) => index.search(req).map(|_| ()).map_err(|e| e.to_string()),
                    None => Ok(()),
                }
            },
        );
        print_run(&r);
        rep.runs.push(r);
    }

    if let Some(r) = rep
        .runs
        .iter()
        .find(|r| r.target.starts_with("ystorfa serve") && r.clients == 8)
    {
        rep.target_met = Some(r.overall.p99 <= TARGET_P99_MS && r.overall.errors == 0);
        println!(
            "\ntarget p99 <= {TARGET_P99_MS} ms with 8 clients: {} (p99 {:.2} ms)",
            if rep.target_met == Some(true) {
                "met"
            } else {
                "MISSED"
            },
            r.overall.p99
        );
    }
    if let Some(j) = &a.json {
        let s = serde_json::to_string_pretty(&rep).expect("report serialises");
        std::fs::write(j, s + "\n")
            .unwrap_or_else(|e| die(&format!("writing {}: {e}", j.display())));
    }
    let _ = std::io::stdout().flush();
}

/// 1. Generate the corpus, 2. build it.
fn generate_and_build(a: &Args, corpus: &Path, out: &Path, rep: &mut Report) {
    // 1. Generate.
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/corpus/sources");
    let t = Instant::now();
    let generator = scaled::Generator::from_sources(&sources, a.seed, a.pages)
        .unwrap_or_else(|e| die(&format!("reading {}: {e}", sources.display())));
    if corpus.exists() {
        // Only what this run generates (a kept folder may hold an older, larger run).
        for e in std::fs::read_dir(corpus).into_iter().flatten().flatten() {
            if e.path().extension().is_some_and(|x| x == "md") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    rep.generated = generator
        .write(corpus, a.docs)
        .unwrap_or_else(|e| die(&format!("writing {}: {e}", corpus.display())));
    rep.generate_seconds = t.elapsed().as_secs_f64();
    println!(
        "generated {} fictional documents ({:?}), {} pages, {:.1} MiB in {:.1} s into {}",
        rep.generated.documents,
        rep.generated.by_kind,
        rep.generated.pages,
        mib(rep.generated.bytes),
        rep.generate_seconds,
        corpus.display()
    );

    // 2. Build.
    let exe = env!("CARGO_BIN_EXE_ystorfa");
    let t = Instant::now();
    let o = Command::new(exe)
        .arg("build")
        .arg(corpus)
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| die(&format!("running {exe}: {e}")));
    rep.build_seconds = t.elapsed().as_secs_f64();
    rep.build_summary = String::from_utf8_lossy(&o.stdout).trim().to_string();
    if !o.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&o.stderr));
        die(&format!("ystorfa build failed ({})", o.status));
    }
}

/// 3. Start `ystorfa serve`, check the mix once, then drive it.
fn serve_runs(a: &Args, out: &Path, mix: &[Query], rep: &mut Report) {
    let probe = agent();
    let (base, mut server) = match &a.url {
        Some(url) => (url.trim_end_matches('/').to_string(), None),
        None => {
            let exe = env!("CARGO_BIN_EXE_ystorfa");
            let port = free_port();
            let log = out.with_file_name("serve.log");
            let stderr =
                std::fs::File::create(&log).unwrap_or_else(|e| die(&format!("serve log: {e}")));
            let child = Command::new(exe)
                .arg("serve")
                .arg("--out")
                .arg(out)
                .arg("--bind")
                .arg(format!("127.0.0.1:{port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn()
                .unwrap_or_else(|e| die(&format!("starting ystorfa serve: {e}")));
            (
                format!("http://127.0.0.1:{port}"),
                Some((Server(child), log)),
            )
        }
    };
    let t = Instant::now();
    loop {
        if let Ok((200, _)) = get(&probe, &format!("{base}/healthz")) {
            break;
        }
        if let Some((server, log)) = server.as_mut()
            && let Ok(Some(st)) = server.0.try_wait()
        {
            eprintln!("{}", std::fs::read_to_string(log).unwrap_or_default());
            die(&format!("ystorfa serve exited ({st}) before it was ready"));
        }
        if t.elapsed() > Duration::from_secs(120) {
            die(&format!("{base}/healthz not ready after 120 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = server.as_ref().map(|(s, _)| s.0.id());
    println!(
        "serve: ready in {:.2} s on {base}",
        t.elapsed().as_secs_f64()
    );

    // What each query returns (and a check that every one answers 200).
    println!("\nquery mix ({} requests):", mix.len());
    for q in mix {
        let (status, body) = get(&probe, &format!("{base}{}", q.path))
            .unwrap_or_else(|e| die(&format!("GET {}: {e}", q.path)));
        if status != 200 {
            die(&format!("GET {} answered {status}", q.path));
        }
        let totals = q.path.starts_with("/api/search").then(|| {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let shown = v["documents"].as_array().map_or(0, |docs| {
                docs.iter()
                    .map(|d| d["matched_passages"].as_u64().unwrap_or(0))
                    .sum()
            });
            (v["total_documents"].as_u64().unwrap_or(0), shown)
        });
        match totals {
            Some((d, p)) => println!(
                "  {:<40} {:>5} documents {:>7} passages shown {:>8} bytes  {}",
                q.name,
                d,
                p,
                body.len(),
                q.path
            ),
            None => println!("  {:<40} {:>32} bytes  {}", q.name, body.len(), q.path),
        }
        rep.mix.push(MixRow {
            name: q.name.to_string(),
            path: q.path.clone(),
            totals,
        });
    }

    for &c in &a.clients {
        let cpu = pid.map_or(Cpu::None, Cpu::Process);
        let r = drive(
            "ystorfa serve (HTTP)",
            mix,
            c,
            a.warmup,
            a.seconds,
            cpu,
            || {
                let agent = agent();
                let base = base.clone();
                move |q: &Query| match get(&agent, &format!("{base}{}", q.path)) {
                    Ok((200, _)) => Ok(()),
                    Ok((s, _)) => Err(format!("status {s}")),
                    Err(e) => Err(e),
                }
            },
        );
        print_run(&r);
        rep.runs.push(r);
    }
    rep.server_peak_rss_kb = pid.and_then(peak_rss_kb);
    if let Some(kb) = rep.server_peak_rss_kb {
        println!("\nserve peak RSS: {:.0} MiB", kb as f64 / 1024.0);
    }
    drop(server);
}
