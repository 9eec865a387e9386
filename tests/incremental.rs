//! Batch runs that never lose work: an incremental build gives the same
//! bytes as a clean build of the final state, and `kill -9` at any moment
//! leaves the last good outputs readable and the next build converges.
//! Inputs are the fictional sample corpus (`corpus/`).

mod common;

use assert_cmd::Command;
use common::damage::Damage;
use common::{table, tree};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("ystorfa")
}

fn build(input: &Path, out: &Path) -> std::process::Output {
    Command::new(bin())
        .args(["build", "-q"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// `build` at the default verbosity (what it says is on stderr).
fn build_said(input: &Path, out: &Path) -> std::process::Output {
    Command::new(bin())
        .arg("build")
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// `build -q --rebuild` (every document processed again), which must
/// succeed.
fn rebuild(input: &Path, out: &Path) {
    let run = Command::new(bin())
        .args(["build", "-q", "--rebuild"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn sample_pdfs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
            .collect();
    v.sort();
    v
}

/// `dir/in` holding the first `n` sample PDFs.
fn sample_input(dir: &Path, n: usize) -> PathBuf {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    for p in sample_pdfs().iter().take(n) {
        std::fs::copy(p, input.join(p.file_name().unwrap())).unwrap();
    }
    input
}

/// The files a researcher takes away, which must be byte-identical.
fn exported(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = tree(&out.join("repository"));
    for name in ["report.json", "manifest.json"] {
        files.push((name.into(), std::fs::read(out.join(name)).unwrap()));
    }
    files.sort();
    files
}

fn assert_same(a: &Path, b: &Path) {
    // Nothing in either folder that no generation uses.
    for out in [a, b] {
        assert_eq!(ystorfa::store::audit(out), Vec::<PathBuf>::new());
    }
    let (ea, eb) = (exported(a), exported(b));
    assert_eq!(ea.len(), eb.len());
    for ((na, ba), (nb, bb)) in ea.iter().zip(&eb) {
        assert_eq!(na, nb);
        assert!(
            ba == bb,
            "{na} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn incremental_build_equals_clean_build_of_the_final_state() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let pdfs = sample_pdfs();
    for p in &pdfs[..3] {
        std::fs::copy(p, input.join(p.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        input.join("note.txt"),
        "FICTIONAL NOTE\n\nThe panel discussed coercive control.\n",
    )
    .unwrap();
    let inc = tmp.path().join("incremental");
    assert!(build(&input, &inc).status.success());
    // Add two, change one, remove one.
    for p in &pdfs[3..5] {
        std::fs::copy(p, input.join(p.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        input.join("note.txt"),
        "FICTIONAL NOTE\n\nThe panel discussed risk assessment and MARAC.\n",
    )
    .unwrap();
    std::fs::remove_file(input.join(pdfs[0].file_name().unwrap())).unwrap();
    let o = build(&input, &inc);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let clean = tmp.path().join("clean");
    assert!(build(&input, &clean).status.success());
    assert_same(&inc, &clean);
    // The index holds the same documents and passages: every query matches
    // the same passages (scores can differ in the last digits until deleted
    // passages are merged away).
    for q in ["risk", "coercive control", "police OR housing", "MARAC"] {
        assert_eq!(hits(&inc, q), hits(&clean, q), "{q}");
    }
    // Nothing changed since: the outputs are kept as they are.
    let o = build_said(&input, &inc);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(stderr.contains("nothing changed"), "{stderr}");
    assert!(
        stderr.contains("5 unchanged (0 re-tagged), 0 failed; 0 files read, 0 from the extraction cache, 5 carried over"),
        "{stderr}"
    );
    assert_same(&inc, &clean);
    // The manifest names every input by its SHA-256, as sha256sum prints it.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(inc.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["files"].as_array().unwrap().len(), 5);
}

/// The (document, passage) pairs a query matches, sorted.
fn hits(out: &Path, query: &str) -> Vec<(String, u64)> {
    let o = Command::new(bin())
        .args([
            "search",
            "--json",
            "--limit",
            "1000",
            "--per-doc",
            "0",
            query,
            "--out",
        ])
        .arg(out)
        .output()
        .unwrap();
    let res: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut v: Vec<(String, u64)> = res["documents"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| {
            let id = d["doc_id"].as_str().unwrap().to_string();
            d["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |h| (id.clone(), h["passage"].as_u64().unwrap()))
        })
        .collect();
    v.sort();
    v
}

#[test]
fn changes_are_reported_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(
        input.join("a.txt"),
        "FICTIONAL\n\nFirst fictional note about housing.\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    assert!(build(&input, &out).status.success());
    std::fs::write(
        input.join("b.txt"),
        "FICTIONAL\n\nSecond fictional note about stalking.\n",
    )
    .unwrap();
    Command::new(bin())
        .arg("build")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "1 added, 0 changed, 0 removed, 1 unchanged",
        ));
}

/// A tiny deterministic generator, seeded from the clock and printed, so a
/// failing run can be replayed with YSTORFA_KILL_SEED.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn kill_9_at_random_moments_never_leaves_an_unreadable_state() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    // Enough distinct documents that a build takes a while: each sample PDF
    // four times, made distinct by a comment after %%EOF.
    for (i, p) in sample_pdfs().iter().enumerate() {
        for k in 0..4 {
            let mut bytes = std::fs::read(p).unwrap();
            bytes.extend_from_slice(format!("\n% copy {i}-{k}\n").as_bytes());
            std::fs::write(
                input.join(format!("{k}-{}", p.file_name().unwrap().to_string_lossy())),
                bytes,
            )
            .unwrap();
        }
    }
    let clean = tmp.path().join("clean");
    let t0 = Instant::now();
    assert!(build(&input, &clean).status.success());
    let full = t0.elapsed();
    let seed = std::env::var("YSTORFA_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("kill seed {seed}, clean build {full:?}");
    let mut rng = Lcg(seed);
    let out = tmp.path().join("out");
    let span = (full.as_millis() as u64 * 12 / 10).max(20);
    let mut had_state = 0;
    let names: Vec<PathBuf> = {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&input)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    for round in 0..20 {
        // Every few rounds, drop the extraction cache so builds do more work.
        if round % 5 == 4 {
            let _ = std::fs::remove_dir_all(out.join("cache"));
        }
        // Each round changes the inputs a little (a document edited,
        // removed or put back), so builds carry some documents over and
        // process others when they are killed.
        let victim = &names[(rng.next() as usize) % names.len()];
        match rng.next() % 3 {
            0 => {
                let _ = std::fs::remove_file(victim);
            }
            _ => {
                let src = &sample_pdfs()[(rng.next() as usize) % sample_pdfs().len()];
                let mut bytes = std::fs::read(src).unwrap();
                bytes.extend_from_slice(format!("\n% round {round}\n").as_bytes());
                std::fs::write(victim, bytes).unwrap();
            }
        }
        let mut child = std::process::Command::new(bin())
            .args(["build", "-q"])
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.next() % span));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        if out.join("current").exists() {
            had_state += 1;
            // Whatever is current is complete and readable.
            let docs = table(&out, "documents");
            for l in docs.lines() {
                serde_json::from_str::<serde_json::Value>(l).unwrap();
            }
            let report: serde_json::Value =
                serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
            assert!(report["files"].is_array());
            let code = Command::new(bin())
                .args(["search", "risk", "--out"])
                .arg(&out)
                .output()
                .unwrap()
                .status
                .code();
            assert!(
                matches!(code, Some(0 | 1)),
                "round {round} (seed {seed}): search exit {code:?}"
            );
        } else {
            assert!(
                !out.join("repository").exists(),
                "no half state before the first good build"
            );
        }
    }
    println!("{had_state} of 20 kills left a previous good state");
    // The damaged-state round: whatever the kills left, damaged in every
    // way at once; the next build repairs it.
    if out.join("current").exists() && out.join("cache").is_dir() {
        for d in Damage::ALL {
            d.apply(&out);
        }
    }
    let o = build(&input, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let clean = tmp.path().join("clean-final");
    assert!(build(&input, &clean).status.success());
    assert_same(&out, &clean);
    // Nothing left over from the killed builds.
    assert_eq!(std::fs::read_dir(out.join(".gen")).unwrap().count(), 1);
    assert_eq!(ystorfa::store::audit(&out), Vec::<PathBuf>::new());
}

/// Damage to the published layout is noticed by the next build even when
/// no input changed: a public name removed (`OUT/search`,
/// `OUT/report.json`), `themes.jsonl` deleted, an index segment file lost.
/// Each time the next build repairs it and the folder matches a clean build.
#[test]
fn a_damaged_layout_is_repaired_by_the_next_build_though_nothing_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let input = sample_input(tmp.path(), 2);
    let (out, clean) = (tmp.path().join("out"), tmp.path().join("clean"));
    assert!(build(&input, &clean).status.success());
    assert!(build(&input, &out).status.success());
    let segment_file = |out: &Path| {
        let mut v: Vec<PathBuf> = std::fs::read_dir(out.join("search"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "idx"))
            .collect();
        v.sort();
        v.remove(0)
    };
    type Damage<'a> = (&'a str, &'a dyn Fn(&Path));
    let damage: [Damage; 4] = [
        ("OUT/search removed", &|o| {
            std::fs::remove_file(o.join("search")).unwrap()
        }),
        ("OUT/report.json removed", &|o| {
            std::fs::remove_file(o.join("report.json")).unwrap()
        }),
        ("themes.jsonl deleted", &|o| {
            std::fs::remove_file(o.join("repository/themes.jsonl")).unwrap()
        }),
        ("an index segment file lost", &|o| {
            std::fs::remove_file(segment_file(o)).unwrap()
        }),
    ];
    for (what, hurt) in damage {
        hurt(&out);
        let run = build(&input, &out);
        assert!(
            run.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        for name in ["search", "report.json", "manifest.json", "repository"] {
            assert!(
                out.join(name).exists(),
                "{what}: OUT/{name} is missing after the build"
            );
        }
        assert_same(&out, &clean);
        let search = Command::new(bin())
            .args(["search", "recommend", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            search.status.success(),
            "{what}: search fails after the build"
        );
    }
}

/// A byte changed in an extraction cache entry is never silent wrong text:
/// the next build that reads the cache (here `--rebuild`) finds the entry
/// damaged, extracts the file again and matches a clean build.
#[test]
fn a_damaged_cache_entry_is_extracted_again() {
    let tmp = tempfile::tempdir().unwrap();
    let input = sample_input(tmp.path(), 2);
    let (out, clean) = (tmp.path().join("out"), tmp.path().join("clean"));
    assert!(build(&input, &clean).status.success());
    assert!(build(&input, &out).status.success());
    let fingerprint = std::fs::read_dir(out.join("cache/extract"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&fingerprint)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let entry = &entries[0];
    let text = std::fs::read_to_string(entry).unwrap();
    let at = text.find("review").expect("the entry holds the word");
    let damaged = format!("{}R{}", &text[..at], &text[at + 1..]);
    std::fs::write(entry, &damaged).unwrap();
    rebuild(&input, &out);
    assert_same(&out, &clean);
    assert!(
        !std::fs::read_to_string(entry)
            .unwrap()
            .contains("Review\":"),
        "the entry is replaced"
    );
}

/// The grouping cache keeps each segment of recommendations as analysed;
/// an entry damaged since (a byte of its words or of its members) is
/// analysed again and replaced: the groups are those of a clean build.
#[test]
fn a_damaged_grouping_cache_entry_is_analysed_again() {
    let tmp = tempfile::tempdir().unwrap();
    let input = sample_input(tmp.path(), 3);
    let (out, clean) = (tmp.path().join("out"), tmp.path().join("clean"));
    assert!(build(&input, &clean).status.success());
    assert!(build(&input, &out).status.success());
    let entries = |out: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v = Vec::new();
        for key in std::fs::read_dir(out.join("cache/grouping")).unwrap() {
            for e in std::fs::read_dir(key.unwrap().path()).unwrap() {
                let p = e.unwrap().path();
                v.push((
                    p.file_name().unwrap().to_string_lossy().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
        v.sort();
        v
    };
    let kept = entries(&out);
    assert!(!kept.is_empty(), "every segment is kept");
    assert_eq!(kept, entries(&clean), "the same entries as a clean build");
    // Damage the members of an entry (its last byte), then its words (the
    // first byte after the header): each is a miss, analysed again and
    // the entry replaced.
    let dir = std::fs::read_dir(out.join("cache/grouping"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let (name, bytes) = &kept[0];
    for at in [bytes.len() - 1, 212] {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x20;
        std::fs::write(dir.join(name), &damaged).unwrap();
        rebuild(&input, &out);
        assert_same(&out, &clean);
        assert_eq!(entries(&out), kept, "the damaged entry is replaced");
    }
}

/// Grouping code has its own fingerprint, out of the output fingerprint:
/// a build by other grouping code carries every document over but does
/// not keep the last generation as it is (its groups are made again).
#[test]
fn other_grouping_code_groups_again_without_processing_documents_again() {
    let tmp = tempfile::tempdir().unwrap();
    let input = sample_input(tmp.path(), 3);
    let (out, clean) = (tmp.path().join("out"), tmp.path().join("clean"));
    assert!(build(&input, &clean).status.success());
    assert!(build(&input, &out).status.success());
    let path = out.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let ours = manifest["aggregate_fingerprint"].clone();
    assert!(ours.as_str().is_some_and(|f| !f.is_empty()), "{ours}");
    manifest["aggregate_fingerprint"] = "other grouping code".into();
    let bytes = serde_json::to_vec_pretty(&manifest).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    // The manifest's checksum as a build writes it: the edit is not damage.
    let sum = ystorfa::model::sha256_hex(&bytes);
    std::fs::write(
        out.join("current/manifest.json.sha256"),
        format!("{sum}  manifest.json\n"),
    )
    .unwrap();
    let o = build_said(&input, &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(!stderr.contains("nothing changed"), "{stderr}");
    assert!(!stderr.contains("damaged"), "{stderr}");
    assert!(stderr.contains("3 carried over"), "{stderr}");
    assert_same(&out, &clean);
}

/// A repository row changed after the build that wrote it (same length, so
/// only its checksum tells) is not carried forward: the next build says the
/// last build cannot be carried, processes the documents again from the
/// extraction cache, and matches a clean build.
#[test]
fn a_damaged_repository_row_is_not_carried_forward() {
    let tmp = tempfile::tempdir().unwrap();
    let input = sample_input(tmp.path(), 2);
    let pdfs = sample_pdfs();
    let (out, clean) = (tmp.path().join("out"), tmp.path().join("clean"));
    assert!(build(&input, &out).status.success());
    let table = out.join("repository/documents/000000.jsonl");
    let rows = std::fs::read_to_string(&table).unwrap();
    let at = rows.find("\"title\":\"").unwrap() + "\"title\":\"".len();
    let flipped = if rows.as_bytes()[at] == b'X' {
        "Y"
    } else {
        "X"
    };
    let damaged = format!("{}{flipped}{}", &rows[..at], &rows[at + 1..]);
    // Through a new inode: the file may be shared with other generations.
    std::fs::remove_file(&table).unwrap();
    std::fs::write(&table, damaged).unwrap();
    std::fs::copy(&pdfs[2], input.join(pdfs[2].file_name().unwrap())).unwrap();
    let run = Command::new(bin())
        .args(["build", "-v"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("has changed since the build that wrote it"),
        "{stderr}"
    );
    assert!(build(&input, &clean).status.success());
    assert_same(&out, &clean);
}

/// `build -v`: what it says, which must succeed.
fn build_verbose(input: &Path, out: &Path) -> String {
    let run = Command::new(bin())
        .args(["build", "-v"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(run.status.success(), "{stderr}");
    stderr
}

fn set_modified(p: &Path, t: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(p)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

/// A build reads against their checksums only the last generation's files
/// that changed since they were stamped (`cache/checked/`): none when
/// nothing changed, and a row rewritten in place with its modification
/// time put back is still found (its change time moved) and not carried
/// forward.
#[test]
fn only_files_changed_since_stamped_are_read_again() {
    let tmp = tempfile::tempdir().unwrap();
    let input = sample_input(tmp.path(), 2);
    let out = tmp.path().join("out");
    assert!(build(&input, &out).status.success());
    // Written an hour ago: old enough to be stamped (a build stamps
    // nothing modified within 2 seconds).
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let generation = std::fs::canonicalize(out.join("current")).unwrap();
    for (name, _) in common::tree(&generation) {
        set_modified(&generation.join(name), hour_ago);
    }
    let said = build_verbose(&input, &out);
    assert!(!said.contains("files checked: 0 read"), "{said}");
    let said = build_verbose(&input, &out);
    assert!(said.contains("files checked: 0 read"), "{said}");
    let table = out.join("repository/documents/000000.jsonl");
    let mut rows = std::fs::read(&table).unwrap();
    let at = rows.len() / 2;
    rows[at] = if rows[at] == b'7' { b'8' } else { b'7' };
    std::fs::write(&table, rows).unwrap();
    set_modified(&table, hour_ago);
    let said = build_verbose(&input, &out);
    assert!(
        said.contains("has changed since the build that wrote it"),
        "{said}"
    );
}

/// The damaged-state round: a byte flipped in an index segment, a
/// repository row, the manifest or an extraction cache entry, a published
/// link removed; each alone, then all at once. The next build (no input
/// changed) says what it found damaged, does not carry it forward, and
/// leaves a folder that matches a clean build byte for byte.
#[test]
fn damaged_state_is_found_said_and_repaired() {
    let tmp = tempfile::tempdir().unwrap();
    let input = sample_input(tmp.path(), 3);
    let clean = tmp.path().join("clean");
    assert!(build(&input, &clean).status.success());
    let rounds: Vec<Vec<Damage>> = Damage::ALL
        .iter()
        .map(|d| vec![*d])
        .chain([Damage::ALL.to_vec()])
        .collect();
    for (i, damage) in rounds.iter().enumerate() {
        let out = tmp.path().join(format!("out-{i}"));
        assert!(build(&input, &out).status.success());
        for d in damage {
            d.apply(&out);
        }
        let run = build_said(&input, &out);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{damage:?}: {stderr}");
        let said = [
            Damage::IndexSegment,
            Damage::RepositoryRow,
            Damage::Manifest,
        ]
        .iter()
        .any(|d| damage.contains(d));
        assert_eq!(
            stderr.contains("damaged"),
            said,
            "{damage:?}: the damage is said (and only then): {stderr}"
        );
        assert_same(&out, &clean);
        let search = Command::new(bin())
            .args(["search", "risk", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(search.status.code(), Some(0), "{damage:?}");
    }
}

/// `export` while builds switch generations under it: each export reads
/// the generation it opened to the end (a reader holds it, so no build
/// removes it), never fails with a missing file, and writes a whole
/// repository of one build or the other.
#[test]
fn exports_during_builds_read_one_whole_generation() {
    let tmp = tempfile::tempdir().unwrap();
    let input = sample_input(tmp.path(), 4);
    let out = tmp.path().join("out");
    assert!(build(&input, &out).status.success());
    let pdfs = sample_pdfs();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let builder = {
        let (input, out, stop) = (input.clone(), out.clone(), stop.clone());
        std::thread::spawn(move || {
            // Documents come and go, so every build writes a new generation
            // and removes the one before.
            for round in 0..6 {
                let p = &pdfs[4 + round % 2];
                let target = input.join(p.file_name().unwrap());
                if round % 4 < 2 {
                    std::fs::copy(p, &target).unwrap();
                } else {
                    std::fs::remove_file(&target).unwrap();
                }
                let o = build(&input, &out);
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            }
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        })
    };
    let mut exports = 0;
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        let to = tmp.path().join(format!("export-{exports}"));
        let o = Command::new(bin())
            .args(["export", "--out"])
            .arg(&out)
            .arg("--to")
            .arg(&to)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "export {exports}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let docs = std::fs::read_to_string(to.join("documents.jsonl")).unwrap();
        let n = docs.lines().count();
        assert!((4..=6).contains(&n), "export {exports}: {n} documents");
        exports += 1;
    }
    builder.join().unwrap();
    assert!(exports > 0);
    println!("{exports} exports during 6 builds");
}
