//! Hostile and broken input: a corpus of bad files generated here (never
//! committed) is built together with good fictional documents. Nothing may
//! crash the batch; every bad file gets a clear failure row naming it; the
//! good documents come out as if the bad ones were not there.

mod common;

use assert_cmd::Command;
use common::damage::Damage;
use common::table;
use std::io::Write;
use std::path::Path;

const GOOD: &str = "FICTIONAL EXAMPLE\n\n1. Introduction\n\nThis fictional review found that no DASH risk assessment was completed.\n\n2. Recommendations\n\n1. Glanmor Police should complete a DASH risk assessment at every incident.\n";

/// A minimal valid one-page PDF with the given content stream, built with
/// correct xref offsets.
fn pdf_with(objects: &[String]) -> Vec<u8> {
    let raw: Vec<Vec<u8>> = objects.iter().map(|o| o.clone().into_bytes()).collect();
    pdf_with_bytes(&raw)
}

fn pdf_with_bytes(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        writeln!(out, "{} 0 obj", i + 1).unwrap();
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).unwrap();
    for off in offsets {
        writeln!(out, "{off:010} 00000 n ").unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    )
    .unwrap();
    out
}

fn simple_pdf(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    pdf_with(&[
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".into(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    ])
}

/// A zlib stream of a few hundred KB that inflates to about 200 MB of
/// spaces: one literal, then length-258 back-references at distance 1, in a
/// fixed-Huffman deflate block (RFC 1951 3.2.6).
fn flate_bomb() -> Vec<u8> {
    let mut bits: Vec<bool> = Vec::new();
    // Huffman codes go most-significant bit first; header fields least first.
    let code = |v: u32, n: u32| (0..n).map(move |i| (v >> (n - 1 - i)) & 1 == 1);
    bits.push(true); // BFINAL
    bits.extend([true, false]); // BTYPE = 01, fixed Huffman (LSB first)
    bits.extend(code(0x30 + 0x20, 8)); // literal ' '
    for _ in 0..800_000 {
        bits.extend(code(0b1100_0101, 8)); // length 258 (code 285)
        bits.extend(code(0, 5)); // distance 1 (code 0)
    }
    bits.extend(code(0, 7)); // end of block
    let mut out = vec![0x78, 0x01];
    for chunk in bits.chunks(8) {
        out.push(
            chunk
                .iter()
                .enumerate()
                .fold(0u8, |b, (i, bit)| b | ((*bit as u8) << i)),
        );
    }
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// `ystorfa build -q [extra…] INPUT --out OUT`, killed after `seconds`.
fn build(input: &Path, out: &Path, extra: &[&str], seconds: u64) -> std::process::Output {
    Command::cargo_bin("ystorfa")
        .unwrap()
        .args(["build", "-q"])
        .args(extra)
        .arg(input)
        .arg("--out")
        .arg(out)
        .timeout(std::time::Duration::from_secs(seconds))
        .output()
        .unwrap()
}

#[test]
fn hostile_corpus_reports_every_bad_file_and_loses_no_good_one() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    // Good documents.
    write(&input, "good-review.txt", GOOD.as_bytes());
    write(
        &input,
        "good-page.pdf",
        &simple_pdf("A fictional report about coercive control."),
    );
    // Bad ones.
    let good_pdf = simple_pdf("A fictional page.");
    write(&input, "truncated.pdf", &good_pdf[..good_pdf.len() / 2]);
    write(&input, "zero-bytes.pdf", b"");
    write(
        &input,
        "html.pdf",
        b"<!DOCTYPE html><html><body><h1>Not a PDF</h1></body></html>",
    );
    write(
        &input,
        "zip.pdf",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00not really a zip",
    );
    let mut noise = Vec::new();
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.push(x as u8);
    }
    write(&input, "random.pdf", &noise);
    // Word documents that are not: empty, a web page, a ZIP without a body.
    write(&input, "zero-bytes.docx", b"");
    write(
        &input,
        "html.docx",
        b"<!DOCTYPE html><html><body><p>Not a Word document</p></body></html>",
    );
    write(&input, "not-word.docx", &noise[..4096]);
    // A page tree whose Kids point back at itself.
    write(
        &input,
        "page-tree-cycle.pdf",
        &pdf_with(&[
            "<< /Type /Catalog /Pages 2 0 R >>".into(),
            "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>".into(),
            "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>".into(),
        ]),
    );
    // An xref whose offsets all point at garbage, and a startxref looping on itself.
    let mut looping = good_pdf.clone();
    let n = looping.len();
    looping.truncate(n - 20);
    looping.extend_from_slice(b"startxref\n9\n%%EOF\n");
    write(&input, "looping-xref.pdf", &looping);
    // Deeply nested arrays in the content stream and in an object.
    let deep = format!("{}1{}", "[".repeat(50_000), "]".repeat(50_000));
    write(
        &input,
        "deep-nesting.pdf",
        &pdf_with(&[
            "<< /Type /Catalog /Pages 2 0 R >>".into(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".into(),
            format!("<< /Length {} >>\nstream\n{deep}\nendstream", deep.len()),
        ]),
    );
    // A Flate bomb: a small stream that inflates to about 200 MB.
    let bomb = flate_bomb();
    let mut bomb_obj = format!(
        "<< /Length {} /Filter /FlateDecode >>\nstream\n",
        bomb.len()
    )
    .into_bytes();
    bomb_obj.extend_from_slice(&bomb);
    bomb_obj.extend_from_slice(b"\nendstream");
    write(
        &input,
        "flate-bomb.pdf",
        &pdf_with_bytes(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
            bomb_obj,
        ]),
    );
    // A page count that claims a million pages.
    write(
        &input,
        "huge-page-count.pdf",
        &pdf_with(&[
            "<< /Type /Catalog /Pages 2 0 R >>".into(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1000000 >>".into(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>".into(),
        ]),
    );
    // An encryption dictionary that makes no sense.
    let mut enc = simple_pdf("secret");
    let t = String::from_utf8_lossy(&enc).replace(
        "/Root 1 0 R",
        "/Root 1 0 R /Encrypt << /Filter /Standard /V 9 /R 42 /O (x) /U (y) /P -1 >>",
    );
    enc = t.into_bytes();
    write(&input, "bad-encryption.pdf", &enc);

    let out = tmp.path().join("out");
    let o = build(&input, &out, &[], 120);
    let stderr = String::from_utf8_lossy(&o.stderr);
    println!("{stderr}");
    assert_eq!(
        o.status.code(),
        Some(1),
        "partial failure exit code; stderr:\n{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let rows = report["files"].as_array().unwrap();
    let files = std::fs::read_dir(&input).unwrap().count();
    assert_eq!(rows.len(), files, "exactly one row per file");
    for r in rows {
        let name = r["file"].as_str().unwrap().rsplit('/').next().unwrap();
        if name.starts_with("good-") {
            assert_eq!(r["status"], "ok", "{r}");
        } else if r["status"] == "failed" {
            assert!(!r["reason"].as_str().unwrap().is_empty(), "{r}");
            assert!(stderr.contains(name), "stderr names {name}");
        }
    }
    let reason = |name: &str| {
        rows.iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(name))
            .and_then(|r| r["reason"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert!(reason("zero-bytes.pdf").contains("empty"));
    for name in ["zero-bytes.docx", "html.docx", "not-word.docx"] {
        let why = reason(name);
        assert!(
            why.contains("empty") || why.contains("not a Word document"),
            "{name}: {why}"
        );
    }
    for name in ["html.pdf", "zip.pdf", "random.pdf"] {
        assert!(
            reason(name).contains("not a PDF"),
            "{name}: {}",
            reason(name)
        );
    }
    let docs = table(&out, "documents");
    assert!(
        docs.contains("good-review.txt") && docs.contains("good-page.pdf"),
        "{docs}"
    );

    // The damaged-state round: a byte flipped in an index segment, a
    // repository row, the manifest and a cache entry, and a published link
    // removed. The next build says so and matches a clean build.
    for d in Damage::ALL {
        d.apply(&out);
    }
    let again = |out: &Path| {
        Command::cargo_bin("ystorfa")
            .unwrap()
            .arg("build")
            .arg(&input)
            .arg("--out")
            .arg(out)
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap()
    };
    let o = again(&out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("damaged"), "{stderr}");
    let clean = tmp.path().join("clean");
    assert_eq!(again(&clean).status.code(), Some(1));
    for name in ["report.json", "manifest.json"] {
        assert!(
            std::fs::read(out.join(name)).unwrap() == std::fs::read(clean.join(name)).unwrap(),
            "{name} differs from a clean build's"
        );
    }
    assert_eq!(
        common::tree(&out.join("repository")),
        common::tree(&clean.join("repository"))
    );
}

/// Inputs as machines leave them: a text saved as UTF-16 by a Windows
/// editor is read as its words (with a note), a symbolic link to a review
/// is followed, a link looping back is not walked twice, and a FIFO named
/// like a review is reported as refused, never read until it ends.
#[cfg(unix)]
#[test]
fn windows_text_links_and_fifos_are_read_or_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out, elsewhere) = (
        tmp.path().join("in"),
        tmp.path().join("out"),
        tmp.path().join("elsewhere"),
    );
    std::fs::create_dir_all(&input).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let utf16: Vec<u8> = std::iter::once(0xfeff_u16)
        .chain(GOOD.encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(input.join("notepad.txt"), utf16).unwrap();
    std::fs::write(elsewhere.join("linked.txt"), GOOD.replace("every", "each")).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("linked.txt"), input.join("linked.txt")).unwrap();
    std::os::unix::fs::symlink(&input, input.join("loop")).unwrap();
    let fifo = std::ffi::CString::new(input.join("pipe.txt").into_os_string().into_encoded_bytes())
        .unwrap();
    // SAFETY: a valid NUL-terminated path; creates a FIFO.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    Command::cargo_bin("ystorfa")
        .unwrap()
        .args(["build", "-q"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .code(1); // one file failed (the FIFO), the others built
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let status = |name: &str| {
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} not in the report: {report}"))
            .clone()
    };
    assert_eq!(status("/notepad.txt")["status"], "ok");
    assert!(
        status("/notepad.txt")["warnings"]
            .to_string()
            .contains("UTF-16LE"),
        "{report}"
    );
    assert_eq!(status("/linked.txt")["status"], "ok");
    let pipe = status("/pipe.txt");
    assert_eq!(pipe["status"], "failed", "{report}");
    assert!(
        pipe["reason"]
            .to_string()
            .contains("not a regular file (a FIFO)"),
        "{pipe}"
    );
    assert_eq!(
        report["files"].as_array().unwrap().len(),
        3,
        "the loop is walked once: {report}"
    );
    let recs = table(&out, "recommendations");
    assert!(
        recs.contains("complete a DASH risk assessment at every incident"),
        "the UTF-16 text is read as its words: {recs}"
    );
}

/// Entries nobody expected in the cache folder (a folder someone made
/// there, a read-only one a backup tool left) are not the cache's: builds
/// leave them alone and succeed, every time.
#[cfg(unix)]
#[test]
fn stray_entries_in_the_cache_are_left_alone_and_builds_succeed() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("review.txt"), GOOD).unwrap();
    let build = || {
        Command::cargo_bin("ystorfa")
            .unwrap()
            .args(["build", "-q"])
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
    };
    build();
    let extract = std::fs::read_dir(out.join("cache/extract"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let strays = [
        out.join("cache/backup-tool"),
        extract.join("stray-folder"),
        extract.join("notes.txt"),
    ];
    for s in &strays[..2] {
        std::fs::create_dir_all(s.join("inner")).unwrap();
        std::fs::write(s.join("inner/file"), b"not ystorfa's").unwrap();
        std::fs::set_permissions(s.join("inner"), std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    std::fs::write(&strays[2], b"not ystorfa's").unwrap();
    std::fs::write(input.join("second.txt"), GOOD.replace("every", "each")).unwrap();
    build();
    std::fs::remove_file(input.join("second.txt")).unwrap();
    build();
    for s in &strays {
        assert!(s.exists(), "{} was removed", s.display());
    }
    for s in &strays[..2] {
        std::fs::set_permissions(s.join("inner"), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A full disk while a build writes is named as such (with where it was
/// met), not blamed on the last build with a `--rebuild` hint; the last
/// good output stays searchable, the failed build has its line in
/// `runs.jsonl`, and once there is room again the next build succeeds.
///
/// The output folder is a 2 MiB tmpfs mounted in a private user and mount
/// namespace (`unshare -rm`), so the test needs no privileges.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_named_and_the_last_good_output_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let more = tmp.path().join("more");
    let mnt = tmp.path().join("mnt");
    for d in [&input, &more, &mnt] {
        std::fs::create_dir(d).unwrap();
    }
    write(&input, "a.txt", GOOD.as_bytes());
    // Forty distinct fictional reports of about 60 KB: more than the disk holds.
    for i in 0..40 {
        let para = format!(
            "{i}. Fictional finding {i}: the invented Glanmor agency number {i} did not share information about risk.\n\n"
        );
        write(
            &more,
            &format!("more-{i:02}.txt"),
            format!("FICTIONAL EXAMPLE {i}\n\n{}", para.repeat(600)).as_bytes(),
        );
    }
    let script = r#"
        mount -t tmpfs -o size=2m tmpfs "$MNT" || exit 99
        "$B" build -q "$IN" --out "$MNT/out"; echo "first=$?"
        cp "$MORE"/* "$IN"/
        "$B" build -q "$IN" --out "$MNT/out" 2>"$MNT/../stderr"; echo "full=$?"
        "$B" search DASH --out "$MNT/out" >/dev/null; echo "search=$?"
        echo "run=$(tail -n1 "$MNT/out/runs.jsonl")"
        rm "$IN"/more-*
        "$B" build -q "$IN" --out "$MNT/out"; echo "freed=$?"
        echo "generations=$(ls -A "$MNT/out/.gen" | wc -l)"
    "#;
    let o = std::process::Command::new("unshare")
        .args(["-rm", "sh", "-c", script])
        .env("B", assert_cmd::cargo::cargo_bin("ystorfa"))
        .env("IN", &input)
        .env("MORE", &more)
        .env("MNT", &mnt)
        .output();
    let o = match o {
        Ok(o) if o.status.code() != Some(99) => o,
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI must be able to mount a tmpfs in a user namespace (unshare -rm)")
        }
        _ => {
            eprintln!("SKIPPED: cannot mount a tmpfs in a user namespace here (unshare -rm)");
            return;
        }
    };
    let out = String::from_utf8_lossy(&o.stdout);
    let stderr = std::fs::read_to_string(tmp.path().join("stderr")).unwrap_or_default();
    let said = |key: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key}= in {out}\n{}", String::from_utf8_lossy(&o.stderr)))
            .to_string()
    };
    assert_eq!(said("first"), "0");
    assert_eq!(said("full"), "2", "{stderr}");
    assert!(stderr.contains("the disk is full (ENOSPC)"), "{stderr}");
    assert!(stderr.contains("free space"), "{stderr}");
    assert!(!stderr.contains("--rebuild"), "{stderr}");
    assert_eq!(said("search"), "0", "the last good output is searchable");
    assert!(said("run").contains("\"error\":"), "{out}");
    assert_eq!(said("freed"), "0", "{out}");
    assert_eq!(said("generations"), "1", "no partial generation is left");
}

/// Too few file descriptors while the index is written is named as such,
/// with the remedy, and the last good output is kept.
#[cfg(unix)]
#[test]
fn too_few_file_descriptors_are_named_and_the_last_good_output_is_kept() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let bin = assert_cmd::cargo::cargo_bin("ystorfa");
    Command::new(&bin)
        .args(["build", "-q"])
        .arg(&corpus)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let before = std::fs::read(out.join("report.json")).unwrap();
    let o = std::process::Command::new("sh")
        .args([
            "-c",
            r#"ulimit -n 16 && exec "$B" build -q --rebuild "$IN" --out "$OUT""#,
        ])
        .env("B", &bin)
        .env("IN", &corpus)
        .env("OUT", &out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("too many open files (EMFILE)"), "{stderr}");
    assert!(stderr.contains("ulimit -n"), "{stderr}");
    assert!(!stderr.contains("--rebuild` builds"), "{stderr}");
    assert_eq!(std::fs::read(out.join("report.json")).unwrap(), before);
    let runs = std::fs::read_to_string(out.join("runs.jsonl")).unwrap();
    assert!(runs.lines().last().unwrap().contains("EMFILE"), "{runs}");
}

/// Words from a fixed list, `bytes` long, from a fixed seed (fictional
/// word salad; the rule phrases in it are what the tests count).
fn word_salad(words: &[&str], bytes: usize, sep: &str) -> String {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut out = String::with_capacity(bytes + 32);
    while out.len() < bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push_str(words[(x % words.len() as u64) as usize]);
        out.push_str(sep);
    }
    out
}

/// #18 defect 9: text no review has (one line of megabytes; a paragraph of
/// hundreds of kilobytes dense in both sides of a `near` rule) is tagged in
/// time linear in its length: cut into passages of at most 16 KB, said in a
/// warning, every part scanned. Before, the one line was one passage and
/// the paragraph's `near` rule compared every pair of matches (minutes).
#[test]
fn over_long_text_is_cut_into_bounded_passages_and_tagged_throughout() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    write(&input, "good-review.txt", GOOD.as_bytes());
    let line = word_salad(
        &[
            "the", "agency", "should", "assess", "risk", "of", "abuse", "police", "health",
        ],
        1 << 20,
        " ",
    );
    write(
        &input,
        "one-line.txt",
        format!("FICTIONAL EXAMPLE {line}MARAC\n").as_bytes(),
    );
    let paragraph = word_salad(
        &[
            "she", "was", "isolated", "from", "her", "friends", "and", "family",
        ],
        300_000,
        " ",
    );
    write(
        &input,
        "dense-paragraph.txt",
        format!("FICTIONAL EXAMPLE\n\n{paragraph}\n").as_bytes(),
    );
    let out = tmp.path().join("out");
    let o = build(&input, &out, &[], 300);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let row = |name: &str| {
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(name))
            .unwrap()
            .clone()
    };
    let warned = row("one-line.txt")["warnings"].to_string();
    assert!(
        warned.contains("1 passage longer than 16 KB") && warned.contains("cut into"),
        "{warned}"
    );
    assert!(
        row("good-review.txt")["warnings"].is_null()
            || !row("good-review.txt")["warnings"]
                .to_string()
                .contains("cut into")
    );
    let one_line = row("one-line.txt")["doc_id"].as_str().unwrap().to_string();
    let dense = row("dense-paragraph.txt")["doc_id"]
        .as_str()
        .unwrap()
        .to_string();

    let passages: Vec<serde_json::Value> = table(&out, "passages")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |doc: &str| {
        passages
            .iter()
            .filter(|p| p["doc_id"] == doc)
            .collect::<Vec<_>>()
    };
    for p in of(&one_line).iter().chain(&of(&dense)) {
        let text = p["text"].as_str().unwrap();
        assert!(text.len() <= 16 * 1024, "a passage of {} bytes", text.len());
    }
    assert!(
        of(&one_line).len() >= 64,
        "1 MB in passages of at most 16 KB"
    );
    // Every part was scanned: the term at the very end of the line is tagged,
    // and the dense paragraph's `near` pairs are found in its last passage.
    let tags: Vec<serde_json::Value> = table(&out, "tags")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        tags.iter()
            .any(|t| t["doc_id"] == one_line.as_str() && t["matched"] == "MARAC"),
        "the last word of the line is tagged"
    );
    let last = of(&dense).last().unwrap()["start"].as_u64().unwrap();
    let near = tags
        .iter()
        .filter(|t| t["doc_id"] == dense.as_str() && t["rule"].as_str().unwrap().contains("/near/"))
        .collect::<Vec<_>>();
    assert!(near.len() > 1000, "{} near hits", near.len());
    assert!(near.iter().any(|t| t["start"].as_u64().unwrap() >= last));
}

/// #18 defect 9: a document whose text would need more memory to segment
/// and tag than `--max-memory` allows fails alone, before the work, naming
/// the limit; the others are built.
#[test]
fn text_too_big_for_the_memory_limit_fails_alone_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    write(&input, "good-review.txt", GOOD.as_bytes());
    let big = word_salad(
        &["fictional", "words", "of", "a", "large", "text."],
        3 << 20,
        " ",
    );
    write(&input, "big.txt", big.as_bytes());
    let out = tmp.path().join("out");
    // In process: the limit then bounds analysis only (a 20 MB address
    // space would not let an extraction worker start).
    let o = build(&input, &out, &["--in-process", "--max-memory", "20"], 120);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("big.txt")
            && stderr.contains("--max-memory")
            && stderr.contains("MB allowed per document"),
        "{stderr}"
    );
    assert!(table(&out, "documents").contains("good-review.txt"));
    assert!(!table(&out, "documents").contains("big.txt"));
}
