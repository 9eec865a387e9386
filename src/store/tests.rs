//! The store's tests: the repository rendered whole, segments shared or
//! written, generations switched and collected, readers pinned, typed
//! report and manifest, and the rule that no other module names a file of
//! the output folder.

use super::*;
use crate::index::fixtures::corpus;

fn render(docs: &[crate::model::ProcessedDoc]) -> String {
    let mut s = String::new();
    for (name, bytes) in repository_files(docs) {
        s.push_str(&format!("=== {name}\n"));
        s.push_str(&String::from_utf8(bytes).expect("utf-8"));
    }
    s
}

#[test]
fn snapshot_of_all_files() {
    insta::assert_snapshot!(render(&corpus()));
}

#[test]
fn output_is_deterministic_and_independent_of_input_order() {
    let docs = corpus();
    let a = repository_files(&docs);
    let b = repository_files(&docs);
    assert_eq!(a, b);
    let mut reversed = docs.clone();
    reversed.reverse();
    for pd in &mut reversed {
        pd.tags.reverse();
        pd.recommendations.reverse();
    }
    assert_eq!(repository_files(&reversed), a);
    let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "documents.jsonl",
            "passages.jsonl",
            "recommendations.jsonl",
            "action_plans.jsonl",
            "tags.jsonl",
            "evidence.jsonl",
            "themes.jsonl"
        ]
    );
}

#[test]
fn every_line_is_one_json_object() {
    let mut docs = corpus();
    docs.push(crate::export::action_plans::tests::fictional_review());
    for (name, bytes) in repository_files(&docs) {
        let text = String::from_utf8(bytes).expect("utf-8");
        assert!(text.ends_with('\n'), "{name}");
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect(name.as_str());
            assert!(v.is_object(), "{name}: {line}");
        }
    }
}

#[test]
fn empty_input_gives_empty_files() {
    let files = repository_files(&[]);
    assert_eq!(files.len(), DocFile::ALL.len() + 1);
    assert!(files.iter().all(|(_, b)| b.is_empty()));
}

#[test]
fn report_and_manifest_rows_round_trip_with_named_fields() {
    let record = DocRecord {
        doc_id: "d0123456789abcdef".into(),
        pages: 3,
        rows: RowLocation {
            segment: 2,
            ranges: DocFile::ALL
                .iter()
                .map(|&f| {
                    (
                        f,
                        RowRange {
                            offset: 7,
                            length: 9,
                        },
                    )
                })
                .collect(),
        },
        ..DocRecord::default()
    };
    let m = Manifest {
        segments: vec![SegmentRecord::default()],
        ..Manifest::new(
            "v1",
            vec![
                ManifestEntry {
                    file: "a.txt".into(),
                    sha256: "ab".into(),
                    size: 1,
                    mtime_ns: u128::from(u64::MAX) + 1,
                    status: EntryStatus::Ok { output: record },
                },
                ManifestEntry {
                    file: "b.pdf".into(),
                    sha256: "cd".into(),
                    size: 2,
                    mtime_ns: 5,
                    status: EntryStatus::Failed {
                        stage: Stage::Extract,
                        reason: "broken".into(),
                    },
                },
            ],
        )
    };
    let json = String::from_utf8(pretty(&m)).unwrap();
    assert!(json.contains("\"status\": \"ok\""), "{json}");
    assert!(json.contains("\"passages\": {"), "{json}");
    assert!(json.contains("\"stage\": \"extract\""), "{json}");
    assert_eq!(serde_json::from_str::<Manifest>(&json).unwrap(), m);
    let r = Report {
        tool_version: "0".into(),
        rules_version: "v1".into(),
        files: vec![FileReport {
            file: "c.txt".into(),
            status: FileStatus::Skipped {
                reason: "same content as a.txt".into(),
            },
        }],
    };
    let json = serde_json::to_string(&r).unwrap();
    assert!(
        json.contains(r#"{"file":"c.txt","status":"skipped","reason":"same content as a.txt"}"#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Report>(&json).unwrap(), r);
}

#[test]
fn json_schemas_of_the_report_and_the_manifest() {
    let schemas: Vec<(&str, serde_json::Value)> = schemas()
        .into_iter()
        .map(|(name, s)| (name, serde_json::to_value(s).unwrap()))
        .collect();
    insta::assert_json_snapshot!(schemas);
}

/// Rows rendered for a document id (each table one line naming the id).
fn rows_of(id: &str) -> crate::export::DocRows {
    let line = |t: &str| format!("{{\"{t}\":\"{id}\"}}\n").into_bytes();
    crate::export::DocRows {
        documents: line("id"),
        passages: [line("doc_id"), line("doc_id")].concat(),
        recommendations: Vec::new(),
        action_plans: line("doc_id"),
        tags: line("doc_id"),
        evidence: line("doc_id"),
        themes: Vec::new(),
    }
}

/// Write a generation of documents `ids` (rendered, or carried from the
/// current generation when `carry` says so) and commit it.
fn write_generation(out: &Path, ids: &[&str], carry: &dyn Fn(&str) -> bool) -> Manifest {
    let lock = BuildLock::acquire(out).unwrap();
    let last = lock.last();
    let last_manifest = last.as_ref().map(|r| r.manifest().unwrap());
    let mut g = lock
        .begin(last.as_ref().zip(last_manifest.as_ref()))
        .unwrap();
    // An empty index: the last one's files linked (orphans included) when
    // there is one.
    let index = match &last {
        Some(r) => crate::index::PassageWriter::update(&g.search_dir(), &r.search_dir(), &[]),
        None => crate::index::PassageWriter::create(&g.search_dir()),
    };
    index.unwrap().finish().unwrap();
    let mut entries = Vec::new();
    for id in ids {
        let carried = last_manifest
            .as_ref()
            .and_then(|m| m.documents().find(|r| r.doc_id == *id).cloned())
            .filter(|_| carry(id));
        let rows = rows_of(id);
        let loc = match &carried {
            Some(r) => g.push(id, RowSource::Carried(&r.rows)).unwrap(),
            None => g
                .push(id, RowSource::Rendered(&EncodedRows::encode(&rows)))
                .unwrap(),
        };
        entries.push(ManifestEntry {
            file: format!("{id}.txt"),
            sha256: id.to_string(),
            size: 0,
            mtime_ns: 0,
            status: EntryStatus::Ok {
                output: DocRecord {
                    doc_id: id.to_string(),
                    rows: loc,
                    ..DocRecord::default()
                },
            },
        });
    }
    let report = Report::default();
    let vocabulary = crate::export::Vocabulary::default();
    let m = g
        .commit(
            &report,
            Manifest::new("v", entries),
            &vocabulary,
            Default::default(),
        )
        .unwrap();
    drop(last);
    lock.collect(&m).unwrap();
    m
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("d{i:016x}")).collect()
}

#[test]
fn unchanged_segments_are_shared_and_the_bytes_equal_a_fresh_write() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let (inc, fresh) = (tmp.path().join("inc"), tmp.path().join("fresh"));
    let all = ids(40);
    let mut first: Vec<&str> = all.iter().map(String::as_str).collect();
    let added = first.remove(20);
    let m1 = write_generation(&inc, &first, &|_| false);
    assert!(m1.segments.len() > 5, "several segments: {:?}", m1.segments);
    // Pin the first generation so its files can be compared afterwards.
    let old = Reader::open(&inc).unwrap();
    let all_ids: Vec<&str> = all.iter().map(String::as_str).collect();
    let m2 = write_generation(&inc, &all_ids, &|_| true);
    let m3 = write_generation(&fresh, &all_ids, &|_| false);
    assert_eq!(m2, m3, "the incremental manifest is a fresh one");
    assert_eq!(testing::outputs(&inc), testing::outputs(&fresh));
    // Every segment but the one the new document went into is a hard link.
    let new = Reader::open(&inc).unwrap();
    let inode = |r: &Reader, seq: u32| {
        std::fs::metadata(segments::segment_path(
            &r.repository_dir(),
            DocFile::Tags,
            seq,
        ))
        .unwrap()
        .ino()
    };
    let old_inodes: Vec<u64> = (0..m1.segments.len() as u32)
        .map(|s| inode(&old, s))
        .collect();
    let shared = (0..m2.segments.len() as u32)
        .filter(|&s| old_inodes.contains(&inode(&new, s)))
        .count();
    // One segment rewritten, or two when the new document ends a segment
    // and so cuts the one it lands in.
    let rewritten = m2.segments.len() - shared;
    assert!(
        (1..=2).contains(&rewritten),
        "{added} rewrote {rewritten} segments"
    );
    // The old generation is kept while pinned, and counts as used.
    assert!(audit(&inc).is_empty(), "{:?}", audit(&inc));
    drop((old, new));
}

#[test]
fn a_pinned_generation_outlives_builds_and_goes_once_released() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let docs = ids(5);
    let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
    write_generation(out, &docs[..3], &|_| false);
    let pinned_reader = Reader::open(out).unwrap();
    let pinned = pinned_reader.generation().to_string();
    write_generation(out, &docs, &|_| true);
    assert_ne!(Reader::open(out).unwrap().generation(), pinned);
    // Still readable: the build kept it.
    let rows: Vec<serde_json::Value> = pinned_reader.read_all(DocFile::Documents).unwrap();
    assert_eq!(rows.len(), 3);
    // The audit does not count a generation a reader holds.
    assert!(audit(out).is_empty(), "{:?}", audit(out));
    drop(pinned_reader);
    assert_eq!(
        audit(out).len(),
        1,
        "the released generation is no longer used"
    );
    write_generation(out, &docs, &|_| true);
    assert!(audit(out).is_empty(), "{:?}", audit(out));
    let gens = std::fs::read_dir(out.join(GENERATIONS)).unwrap().count();
    assert_eq!(gens, 1);
}

#[test]
fn a_document_s_rows_are_read_by_their_location() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = ids(9);
    let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
    let m = write_generation(tmp.path(), &docs, &|_| false);
    let r = Reader::open(tmp.path()).unwrap();
    for rec in m.documents() {
        for f in DocFile::ALL {
            assert_eq!(
                r.doc_rows(&rec.rows, f).unwrap(),
                f.rows(&rows_of(&rec.doc_id))
            );
        }
    }
    // A stream of every row, in order, across the segments.
    let passages: Vec<Vec<u8>> = r
        .rows(DocFile::Passages)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(passages.len(), 2 * docs.len());
    assert!(String::from_utf8_lossy(&passages[17]).contains(docs[8]));
    r.verify(&m).unwrap();
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn set_modified(p: &Path, t: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(p)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

#[test]
fn files_unchanged_since_stamped_are_not_read_again_and_a_rewrite_is_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let docs = ids(5);
    let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
    let m = write_generation(out, &docs, &|_| false);
    let r = Reader::open(out).unwrap();
    let files = 6 * m.segments.len();
    assert_eq!(r.verify(&m).unwrap(), files, "nothing stamped: all read");
    // Stamped just after being written: too recent to trust (a write in
    // the same tick of the clock would not show).
    r.record_checked(&m);
    assert_eq!(r.verify(&m).unwrap(), files);
    // Written an hour ago, then stamped: none is read again.
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let dir = Reader::open(out).unwrap().repository_dir();
    for p in files_under(&dir) {
        set_modified(&p, hour_ago);
    }
    r.record_checked(&m);
    assert_eq!(r.verify(&m).unwrap(), 0);
    assert!(audit(out).is_empty(), "{:?}", audit(out));
    // One byte changed in place and the modification time put back: the
    // same size, inode and modification time, but not the change time.
    std::thread::sleep(std::time::Duration::from_millis(30));
    let seg = &r.segment_files(DocFile::Documents).unwrap()[0].path;
    let mut bytes = std::fs::read(seg).unwrap();
    bytes[2] = if bytes[2] == b'x' { b'y' } else { b'x' };
    std::fs::write(seg, &bytes).unwrap();
    set_modified(seg, hour_ago);
    let e = r.verify(&m).unwrap_err();
    assert!(e.contains("has changed since"), "{e}");
}

#[test]
fn leftovers_of_killed_builds_are_found_and_swept() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let docs = ids(3);
    let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
    write_generation(out, &docs, &|_| false);
    // A generation never committed, a temporary link, an orphaned index file.
    std::fs::create_dir_all(out.join(GENERATIONS).join("123-1/search")).unwrap();
    std::os::unix::fs::symlink("nowhere", out.join(".current-123-1")).unwrap();
    let search = Reader::open(out).unwrap().search_dir();
    std::fs::write(search.join("0123456789abcdef0123456789abcdef.idx"), b"").unwrap();
    assert_eq!(audit(out).len(), 3, "{:?}", audit(out));
    write_generation(out, &docs, &|_| true);
    assert!(audit(out).is_empty(), "{:?}", audit(out));
}

/// The output folder's layout is the store's alone: no other module names
/// one of its files (comments aside). Reading or writing them goes through
/// the store.
#[test]
fn no_module_outside_the_store_names_a_file_of_the_output_folder() {
    let names = "report\\.json|manifest\\.json|vocabulary\\.json|runs\\.jsonl|\\.ystorfa\\.lock|\\.readers\\.lock|(documents|passages|recommendations|tags|themes)\\.jsonl";
    let in_literal = regex::Regex::new(&format!("\"[^\"]*({names})[^\"]*\"")).unwrap();
    let joined =
        regex::Regex::new(r#"join\(\s*"(\.gen|current|search|repository|cache|\.started)"\s*\)"#)
            .unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for e in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let e = e.unwrap();
        let path = e.path();
        if path.starts_with(src.join("store")) || path.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if in_literal.is_match(code) || joined.is_match(code) {
                found.push(format!("{}:{}: {}", path.display(), n + 1, code));
            }
        }
    }
    assert!(
        found.is_empty(),
        "only the store names the output folder's files:\n{}",
        found.join("\n")
    );
}
