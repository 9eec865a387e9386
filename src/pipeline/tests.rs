//! Builds of small fictional corpora: what is processed, carried over or
//! reported, and that an incremental build writes what a clean build of
//! the same inputs writes.

use super::*;
use crate::index;
use crate::store::{DocFile, Reader, testing};

const FICTIONAL: &str =
    "FICTIONAL EXAMPLE\n\n1. Introduction\n\nThis fictional review concerns coercive control.\n";

fn build_dir(input: &Path, out: &Path, rules: &RuleSet, retry: bool) -> BuildSummary {
    let opts = BuildOptions {
        retry_failed: retry,
        ..Default::default()
    };
    build(&[input.to_path_buf()], out, rules, &opts, &NoProgress).unwrap()
}

#[test]
fn second_build_reuses_everything_and_reports_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("a.txt"), FICTIONAL).unwrap();
    std::fs::write(
        input.join("b.txt"),
        format!("{FICTIONAL}\nA second fictional paragraph.\n"),
    )
    .unwrap();
    let rules = RuleSet::default_rules();
    let s1 = build_dir(&input, &out, &rules, false);
    assert_eq!((s1.added, s1.extracted, s1.documents), (2, 2, 2));
    let s2 = build_dir(&input, &out, &rules, false);
    assert_eq!(
        (s2.added, s2.unchanged, s2.extracted, s2.retagged),
        (0, 2, 0, 0)
    );
    std::fs::remove_file(input.join("b.txt")).unwrap();
    std::fs::write(input.join("c.txt"), format!("{FICTIONAL}\nA third.\n")).unwrap();
    let s3 = build_dir(&input, &out, &rules, false);
    assert_eq!(
        (s3.added, s3.removed, s3.unchanged, s3.extracted),
        (1, 1, 1, 1)
    );
    // Rules changed: everything is re-tagged from the cache, no file is re-read.
    let src = format!("{}\n# edited\n", crate::rules::DEFAULT_RULES);
    let edited = RuleSet::from_toml(&src, "edited.toml").unwrap();
    let s4 = build_dir(&input, &out, &edited, false);
    assert_eq!((s4.retagged, s4.extracted), (2, 0));
}

#[test]
fn a_failed_file_is_not_retried_unless_asked_and_duplicates_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("bad.pdf"), b"%PDF-1.7 broken").unwrap();
    std::fs::write(input.join("a.txt"), FICTIONAL).unwrap();
    std::fs::write(input.join("copy.txt"), FICTIONAL).unwrap();
    let rules = RuleSet::default_rules();
    let s1 = build_dir(&input, &out, &rules, false);
    assert_eq!((s1.documents, s1.failures.len()), (1, 1));
    let report = Reader::open(&out).unwrap().report().unwrap();
    let statuses: Vec<&str> = report
        .files
        .iter()
        .map(|r| match r.status {
            crate::store::FileStatus::Ok { .. } => "ok",
            crate::store::FileStatus::Failed { .. } => "failed",
            crate::store::FileStatus::Skipped { .. } => "skipped",
        })
        .collect();
    assert_eq!(statuses, ["ok", "failed", "skipped"]);
    let s2 = build_dir(&input, &out, &rules, false);
    assert_eq!(
        (s2.failures.len(), s2.extracted),
        (1, 0),
        "carried over, not retried"
    );
    let s3 = build_dir(&input, &out, &rules, true);
    assert_eq!(
        (s3.failures.len(), s3.extracted),
        (1, 1),
        "--retry-failed reads it again"
    );
}

fn assert_same_outputs(a: &Path, b: &Path) {
    let (oa, ob) = (testing::outputs(a), testing::outputs(b));
    let names = |o: &[(String, Vec<u8>)]| o.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&oa), names(&ob), "the files differ");
    for ((name, x), (_, y)) in oa.iter().zip(ob) {
        assert!(
            *x == y,
            "{name} differs:\n{}\n---\n{}",
            String::from_utf8_lossy(x),
            String::from_utf8_lossy(&y)
        );
    }
    let ids = |out: &Path| {
        let idx = index::SearchIndex::open(&Reader::open(out).unwrap().search_dir()).unwrap();
        let res = idx
            .search(&index::SearchRequest {
                query: "fictional".into(),
                limit: 100,
                ..Default::default()
            })
            .unwrap();
        let mut v: Vec<(String, String, usize)> = res
            .documents
            .iter()
            .map(|d| (d.doc_id.clone(), d.file.clone(), d.matched_passages))
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(a), ids(b), "the indexes hold other documents");
}

fn clean_build(input: &Path, dir: &Path, rules: &RuleSet) -> PathBuf {
    let out = dir.join(format!(
        "clean-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    build_dir(input, &out, rules, false);
    out
}

fn write_docs(input: &Path, docs: &[(&str, &str)]) {
    std::fs::create_dir_all(input).unwrap();
    for (name, extra) in docs {
        std::fs::write(input.join(name), format!("{FICTIONAL}\n{extra}\n")).unwrap();
    }
}

#[test]
fn unchanged_documents_are_carried_over_and_the_bytes_match_a_clean_build() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    write_docs(
        &input,
        &[
            ("a.txt", "A fictional note on housing."),
            ("b.txt", "A fictional note on stalking."),
            ("d.txt", "A fictional note on MARAC referrals."),
        ],
    );
    let rules = RuleSet::default_rules();
    let s1 = build_dir(&input, &out, &rules, false);
    assert_eq!((s1.documents, s1.carried_over), (3, 0));
    let first = Reader::open(&out).unwrap().generation().to_string();

    // Nothing changed: the outputs are kept, no generation is written.
    let s2 = build_dir(&input, &out, &rules, false);
    assert!(s2.kept_outputs);
    assert_eq!((s2.carried_over, s2.retagged, s2.extracted), (3, 0, 0));
    assert_eq!(Reader::open(&out).unwrap().generation(), first);

    // Change one, remove one, add one: only those are processed.
    write_docs(
        &input,
        &[
            ("a.txt", "A fictional note on housing, revised."),
            ("c.txt", "A fictional note on coercive control."),
        ],
    );
    std::fs::remove_file(input.join("b.txt")).unwrap();
    let s3 = build_dir(&input, &out, &rules, false);
    assert_eq!(
        (
            s3.added,
            s3.changed,
            s3.removed,
            s3.carried_over,
            s3.extracted
        ),
        (1, 1, 1, 1, 2)
    );
    assert!(!s3.kept_outputs);
    assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));

    // A file moved to another path is the same document under a new
    // name: processed again (its rows name the file), from the cache.
    std::fs::rename(input.join("d.txt"), input.join("z.txt")).unwrap();
    let s4 = build_dir(&input, &out, &rules, false);
    assert_eq!(
        (
            s4.added,
            s4.removed,
            s4.carried_over,
            s4.extracted,
            s4.from_cache
        ),
        (1, 1, 2, 0, 1)
    );
    assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));
}

#[test]
fn a_last_generation_that_does_not_match_its_manifest_is_not_carried_over() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    write_docs(
        &input,
        &[
            ("a.txt", "A fictional note on housing."),
            ("b.txt", "A fictional note on stalking."),
        ],
    );
    let rules = RuleSet::default_rules();
    build_dir(&input, &out, &rules, false);
    // Damage the record of where a.txt's rows are.
    testing::edit_manifest(&out, |m| {
        let crate::store::EntryStatus::Ok { output } = &mut m.files[0].status else {
            panic!("a.txt is a document");
        };
        output
            .rows
            .ranges
            .get_mut(&DocFile::Passages)
            .unwrap()
            .offset += 1;
    });
    write_docs(
        &input,
        &[("c.txt", "A fictional note on coercive control.")],
    );
    let s = build_dir(&input, &out, &rules, false);
    assert_eq!((s.carried_over, s.from_cache, s.extracted), (0, 2, 1));
    assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));

    // The same when its rows were cut short.
    testing::truncate_segment(&out, DocFile::Passages);
    write_docs(&input, &[("d.txt", "A fictional note on MARAC.")]);
    let s = build_dir(&input, &out, &rules, false);
    assert_eq!(s.carried_over, 0);
    assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));
}

#[test]
fn rebuild_processes_every_document_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    write_docs(&input, &[("a.txt", "A fictional note on housing.")]);
    let rules = RuleSet::default_rules();
    build_dir(&input, &out, &rules, false);
    let opts = BuildOptions {
        rebuild: true,
        ..Default::default()
    };
    let s = build(
        std::slice::from_ref(&input),
        &out,
        &rules,
        &opts,
        &NoProgress,
    )
    .unwrap();
    assert_eq!((s.carried_over, s.retagged, s.extracted), (0, 1, 0));
    assert!(!s.kept_outputs);
}

#[test]
fn a_copy_that_sorts_first_takes_over_a_carried_document() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    write_docs(
        &input,
        &[
            ("m.txt", "A fictional note on housing."),
            ("n.txt", "A fictional note on stalking."),
        ],
    );
    let rules = RuleSet::default_rules();
    build_dir(&input, &out, &rules, false);
    // The same content as m.txt under a path that sorts before it: the
    // new path keeps the document, m.txt is reported as skipped.
    std::fs::copy(input.join("m.txt"), input.join("a-copy.txt")).unwrap();
    let s = build_dir(&input, &out, &rules, false);
    assert_eq!((s.documents, s.carried_over, s.from_cache), (2, 1, 1));
    assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));
    let report = Reader::open(&out).unwrap().report().unwrap();
    assert!(
        report.files.iter().any(|f| matches!(
            &f.status,
            crate::store::FileStatus::Skipped { reason } if reason.contains("same content as")
        )),
        "{report:?}"
    );
    // And back: the copy removed, m.txt keeps the document again.
    std::fs::remove_file(input.join("a-copy.txt")).unwrap();
    let s = build_dir(&input, &out, &rules, false);
    assert_eq!((s.documents, s.removed), (2, 1));
    assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));
}

#[test]
fn a_file_rewritten_within_the_timestamp_granularity_is_hashed_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    write_docs(&input, &[("a.txt", "A fictional note on housing.")]);
    let rules = RuleSet::default_rules();
    build_dir(&input, &out, &rules, false);
    // Same size, and the modification time put back as it was: only the
    // bytes differ (a rewrite within one tick of a coarse clock).
    let path = input.join("a.txt");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    write_docs(&input, &[("a.txt", "A fictional note on hostels.")]);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let s = build_dir(&input, &out, &rules, false);
    assert_eq!((s.changed, s.extracted), (1, 1));
    assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));
}

/// One change to the inputs or the rules between two builds.
#[derive(Debug, Clone)]
enum Step {
    /// Write file `k` with content variant `v` (the same variant in two
    /// files makes a duplicate; variant 0 has no text and fails).
    Write(usize, usize),
    Remove(usize),
    /// Build with the edited rules (true) or the default ones.
    Rules(bool),
    /// Build with --rebuild.
    Rebuild,
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        4 => (0..5usize, 0..5usize).prop_map(|(k, v)| Step::Write(k, v)),
        2 => (0..5usize).prop_map(Step::Remove),
        1 => any::<bool>().prop_map(Step::Rules),
        1 => Just(Step::Rebuild),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..Default::default()
    })]

    /// After any sequence of changes, an incremental build writes the
    /// same repository, report and manifest, and indexes the same
    /// documents, as a clean build of the final state.
    #[test]
    fn incremental_equals_clean_after_any_sequence(steps in proptest::collection::vec(step(), 1..7)) {
        let tmp = tempfile::tempdir().unwrap();
        let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
        std::fs::create_dir_all(&input).unwrap();
        let default = RuleSet::default_rules();
        let edited = RuleSet::from_toml(
            &format!("{}\n# edited\n", crate::rules::DEFAULT_RULES),
            "edited.toml",
        )
        .unwrap();
        let texts = [
            "",
            "A fictional note on housing and homelessness.",
            "A fictional note on stalking and harassment.",
            "A fictional note on coercive control; the victim was isolated.",
            "A fictional note on MARAC referrals and risk assessment.",
        ];
        let mut use_edited = false;
        write_docs(&input, &[("f0.txt", texts[1])]);
        build_dir(&input, &out, &default, false);
        for s in &steps {
            let mut rebuild = false;
            match s {
                Step::Write(k, v) => {
                    let p = input.join(format!("f{k}.txt"));
                    if *v == 0 {
                        std::fs::write(&p, "  \n").unwrap();
                    } else {
                        std::fs::write(&p, format!("{FICTIONAL}\n{}\n", texts[*v])).unwrap();
                    }
                }
                Step::Remove(k) => {
                    let _ = std::fs::remove_file(input.join(format!("f{k}.txt")));
                }
                Step::Rules(e) => use_edited = *e,
                Step::Rebuild => rebuild = true,
            }
            if std::fs::read_dir(&input).unwrap().count() == 0 {
                write_docs(&input, &[("f0.txt", texts[1])]);
            }
            let rules = if use_edited { &edited } else { &default };
            let opts = BuildOptions { rebuild, ..Default::default() };
            build(std::slice::from_ref(&input), &out, rules, &opts, &NoProgress).unwrap();
            assert_same_outputs(&out, &clean_build(&input, tmp.path(), rules));
        }
    }
}

#[test]
fn a_damaged_last_index_is_not_fatal_everything_is_processed_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    write_docs(
        &input,
        &[
            ("a.txt", "A fictional note on housing."),
            ("b.txt", "A fictional note on stalking."),
        ],
    );
    let rules = RuleSet::default_rules();
    build_dir(&input, &out, &rules, false);
    // Truncate the segment files of the last generation's index (its
    // meta.json still opens, so the checks pass).
    testing::truncate_index(&out);
    std::fs::remove_file(input.join("b.txt")).unwrap();
    write_docs(
        &input,
        &[("c.txt", "A fictional note on coercive control.")],
    );
    let s = build_dir(&input, &out, &rules, false);
    assert_eq!((s.documents, s.carried_over, s.from_cache), (2, 0, 1));
    assert_same_outputs(&out, &clean_build(&input, tmp.path(), &rules));
}

#[test]
fn failures_are_retried_when_the_code_changed_or_on_rebuild() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    write_docs(&input, &[("a.txt", "A fictional note on housing.")]);
    std::fs::write(input.join("bad.pdf"), b"%PDF-1.7 broken").unwrap();
    let rules = RuleSet::default_rules();
    build_dir(&input, &out, &rules, false);
    let s = build_dir(&input, &out, &rules, false);
    assert_eq!((s.failures.len(), s.extracted), (1, 0), "carried over");
    // The last build made by other code: the failure is tried again.
    testing::edit_manifest(&out, |m| m.output_fingerprint = "other code".into());
    let s = build_dir(&input, &out, &rules, false);
    assert_eq!((s.failures.len(), s.extracted), (1, 1), "retried");
    let opts = BuildOptions {
        rebuild: true,
        ..Default::default()
    };
    let s = build(
        std::slice::from_ref(&input),
        &out,
        &rules,
        &opts,
        &NoProgress,
    )
    .unwrap();
    assert_eq!((s.failures.len(), s.extracted), (1, 1), "--rebuild retries");
}

#[test]
fn the_report_and_the_manifest_match_their_json_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    write_docs(&input, &[("a.txt", "A fictional note on housing.")]);
    std::fs::write(input.join("bad.pdf"), b"%PDF-1.7 broken").unwrap();
    std::fs::copy(input.join("a.txt"), input.join("b.txt")).unwrap();
    build_dir(&input, &out, &RuleSet::default_rules(), false);
    let files = testing::outputs(&out);
    for (name, schema) in crate::store::schemas() {
        let Some((_, bytes)) = files.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let schema = serde_json::to_value(schema).unwrap();
        let v = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = v.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
}
