//! The streaming build: documents flow from extraction to the index writer
//! and the repository in the deterministic (repository) order, a bounded
//! window of them in flight at a time, so memory does not grow with the
//! number of documents. Worker threads process files (extract or read the
//! cache, segment, tag, render rows, prepare index documents); the calling
//! thread settles each file in order: its document added to the index and
//! its rows pushed into the new generation (rendered, or carried over from
//! the last one), its manifest entry and report row recorded.

use super::plan::{Action, LastBuild, Planned, not_carried};
use super::process::{DocFailure, analyse, extract_bytes};
use super::{BuildError, BuildOptions, Progress, worker};
use crate::export;
use crate::index::{self, IndexDoc, PassageWriter};
use crate::model::doc_id_from_sha;
use crate::rules::RuleSet;
use crate::store::{
    BuildLock, DocRecord, EncodedRows, ExtractCache, GenerationWriter, RowSource, Stage,
};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, mpsc};
use std::time::Instant;

use super::ledger::{DocOutput, FileOutcome, Ledger, Outcome};

/// Files processed ahead of the one being settled, per thread: bounds the
/// documents held in memory (each about its rows and index documents).
const WINDOW_PER_THREAD: usize = 3;

/// Where extraction runs in a build.
pub(super) enum Extractor {
    InProcess,
    Workers(worker::Pool),
}

/// What the build's threads share.
pub(super) struct Job<'a> {
    pub(super) rules: &'a RuleSet,
    pub(super) opts: &'a BuildOptions,
    pub(super) cache: ExtractCache,
    pub(super) extractor: Extractor,
    pub(super) progress: &'a dyn Progress,
    /// Files parsed in this build so far (a second attempt finds them in
    /// the cache but counts them as read).
    pub(super) extracted: Mutex<HashSet<String>>,
    /// Set when the machine, not a document, failed (no extraction worker
    /// could be started; the disk is full; too many files are open): the
    /// build stops before it records any file's outcome as the documents'
    /// failures, and the last good output stays.
    pub(super) fatal: Mutex<Option<BuildError>>,
}

/// A file's work done by a worker thread.
enum Work {
    Done(Box<FileOutcome>),
    /// The same content as an earlier file: settled after it.
    Deferred,
}

impl Job<'_> {
    fn work(&self, p: &Planned) -> Work {
        if p.duplicate && matches!(p.action, Action::Process) {
            return Work::Deferred;
        }
        let o = self.resolve(p);
        self.progress.file_done(&o);
        Work::Done(Box::new(o))
    }

    /// A file's outcome: carried, failed, or processed now.
    fn resolve(&self, p: &Planned) -> FileOutcome {
        let mut extracted = false;
        let outcome = match &p.action {
            Action::Carry(r) => Outcome::Document(DocOutput::carried(r.clone())),
            Action::CarriedFailure(f) => Outcome::Failed(f.clone()),
            Action::Failed(f) => Outcome::Failed(self.blame(p, f.clone())),
            Action::Process => match self.process(p, &mut extracted) {
                Ok(d) => Outcome::Document(d),
                Err(f) => Outcome::Failed(self.blame(p, f)),
            },
        };
        FileOutcome::of(p, outcome, extracted)
    }

    /// A file that could not be read because the machine ran short (too
    /// many open files, say) is not the file's failure: the build stops.
    fn blame(&self, p: &Planned, f: DocFailure) -> DocFailure {
        if f.stage == Stage::Read
            && let Some(shortage) = super::Shortage::in_text(&f.reason)
        {
            self.stop(BuildError::Shortage {
                shortage,
                path: Some(p.path.display().to_string()),
            });
        }
        f
    }

    /// Stop the build at the next file settled, with `e` (the first such
    /// error is kept).
    fn stop(&self, e: BuildError) {
        self.fatal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(e);
    }

    /// Segment and tag a file (extracted first unless the cache has it),
    /// render its rows and prepare its index documents.
    fn process(&self, p: &Planned, extracted: &mut bool) -> Result<DocOutput, DocFailure> {
        let ex = match self.cache.get(&p.sha256, &p.file) {
            Some(ex) => {
                tracing::trace!("{}: extraction from the cache", p.file);
                ex
            }
            None => {
                let t = Instant::now();
                let ex = match &self.extractor {
                    // The worker reads the file itself: big PDFs are not piped.
                    Extractor::Workers(pool) => {
                        pool.extract(&p.path, &p.file, &self.opts.limits)
                            .map_err(|e| match e {
                                worker::ExtractFailure::Document(f) => f,
                                // Not this document's failure: the build
                                // stops at this file (see `Job::fatal`).
                                worker::ExtractFailure::Start(s) => {
                                    let f = DocFailure::new(&p.file, Stage::Extract, s.to_string());
                                    self.stop(BuildError::Worker(s));
                                    f
                                }
                            })
                    }
                    Extractor::InProcess => super::read_input(&p.path)
                        .map_err(|e| DocFailure::new(&p.file, Stage::Read, e.to_string()))
                        .and_then(|b| extract_bytes(&p.file, &b, &self.opts.limits)),
                };
                *extracted = true;
                tracing::trace!("{}: extracted in {:.3}s", p.file, t.elapsed().as_secs_f64());
                let ex = ex?;
                // The cache only saves time: a failure to write it is not the document's.
                let _ = self.cache.put(&ex);
                ex
            }
        };
        if *extracted {
            self.extracted
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(p.file.clone());
        } else {
            *extracted = self
                .extracted
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(&p.file);
        }
        let pd = analyse(&ex, self.rules, &self.opts.analysis)?;
        drop(ex);
        let rows = export::doc_rows(&pd);
        let record = DocRecord::of(&pd, rows.themes.clone());
        let index = index::prepare(&pd);
        // Encoded (compressed) here, on the worker threads.
        Ok(DocOutput::processed(
            record,
            EncodedRows::encode(&rows),
            index,
        ))
    }
}

/// A processed document's outputs, ready to be placed.
#[derive(Debug)]
pub(super) struct Prepared {
    pub(super) rows: EncodedRows,
    pub(super) index: IndexDoc,
}

/// Write a new generation holding the planned files' documents: every
/// file settled in order. Returns the generation (not yet committed) and
/// what was recorded.
pub(super) fn write<'l>(
    job: &Job,
    lock: &'l BuildLock,
    planned: &[Planned],
    last: &LastBuild,
) -> Result<(GenerationWriter<'l>, Ledger), BuildError> {
    let previous = last.reader.as_ref().filter(|_| last.carry_over);
    let mut generation = lock.begin(previous.map(|r| (r, &last.manifest)))?;
    let carries = planned.iter().any(|p| matches!(p.action, Action::Carry(_)));
    let mut index = match previous {
        Some(r) if carries => {
            let remove = not_carried(&last.manifest, planned);
            tracing::debug!(
                "index: the last build's, {} documents removed",
                remove.len()
            );
            PassageWriter::update(&generation.search_dir(), &r.search_dir(), &remove)?
        }
        _ => PassageWriter::create(&generation.search_dir())?,
    };
    let mut ledger = Ledger::new();
    let threads = rayon::current_num_threads().max(1);
    let t = Instant::now();
    ordered(
        planned,
        threads * WINDOW_PER_THREAD,
        |p| job.work(p),
        |i, work| {
            let p = &planned[i];
            let mut o = match work {
                Work::Done(o) => *o,
                Work::Deferred => {
                    let o = match ledger.taken_by(&doc_id_from_sha(&p.sha256)) {
                        Some(first) => {
                            FileOutcome::of(p, Outcome::Duplicate(first.to_string()), false)
                        }
                        None => job.resolve(p),
                    };
                    job.progress.file_done(&o);
                    o
                }
            };
            if let Some(e) = job.fatal.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return Err(e);
            }
            ledger.settle(
                &mut o,
                &mut |id: &str, doc: &mut DocOutput| match doc.prepared.take() {
                    Some(prep) => {
                        index.add(prep.index)?;
                        Ok(generation.push(id, RowSource::Rendered(&prep.rows))?)
                    }
                    None => Ok(generation.push(id, RowSource::Carried(&doc.record.rows))?),
                },
            )
        },
    )?;
    tracing::debug!(
        "{} files settled in {:.2}s; committing and merging the index",
        planned.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let stats = index.finish()?;
    tracing::debug!(
        "index: {} documents, {} passages added, merged in {:.2}s",
        stats.documents,
        stats.passages,
        t.elapsed().as_secs_f64()
    );
    Ok((generation, ledger))
}

/// When every file can be settled without processing anything (carried
/// over, failed before, or the same content as a carried document), what
/// the build would record: the caller compares it with the current
/// generation and keeps that when they are the same.
pub(super) fn settle_without_processing(planned: &[Planned]) -> Option<(Ledger, Vec<FileOutcome>)> {
    let mut ledger = Ledger::new();
    let mut outcomes = Vec::with_capacity(planned.len());
    for p in planned {
        let outcome = match &p.action {
            Action::Carry(r) => Outcome::Document(DocOutput::carried(r.clone())),
            Action::CarriedFailure(f) | Action::Failed(f) => Outcome::Failed(f.clone()),
            Action::Process if p.duplicate => {
                Outcome::Duplicate(ledger.taken_by(&doc_id_from_sha(&p.sha256))?.to_string())
            }
            Action::Process => return None,
        };
        let mut o = FileOutcome::of(p, outcome, false);
        ledger
            .settle(&mut o, &mut |_: &str, doc: &mut DocOutput| {
                Ok(doc.record.rows.clone())
            })
            .ok()?;
        outcomes.push(o);
    }
    Some((ledger, outcomes))
}

/// Run `work` over `items` on rayon's pool, at most `window` items beyond
/// the one being settled, and hand each result to `settle` in input order
/// on the calling thread (which must not be one of the pool's). Stops at
/// the first error of `settle`; a panic in `work` is raised again here.
///
/// The calling thread spawns one task per item as the window opens, so no
/// task ever waits for its turn on a pool thread: a pool thread inside a
/// nested parallel loop (the pages of an in-process PDF extraction) may
/// run any queued task, and a task that waited there for the window would
/// wait for the item below it on the same thread's stack. The pool's
/// threads live as long as the process: extraction workers they start are
/// not killed when a task ends (a worker dies with the thread that started
/// it).
fn ordered<T: Sync, R: Send, E>(
    items: &[T],
    window: usize,
    work: impl Fn(&T) -> R + Sync,
    mut settle: impl FnMut(usize, R) -> Result<(), E>,
) -> Result<(), E> {
    let window = window.max(1);
    let work = &work;
    rayon::in_place_scope(|s| {
        let (tx, rx) = mpsc::channel::<(usize, std::thread::Result<R>)>();
        let mut spawned = 0;
        let mut expected = 0;
        let mut waiting: BTreeMap<usize, R> = BTreeMap::new();
        while expected < items.len() {
            while spawned < items.len() && spawned < expected + window {
                let (tx, i) = (tx.clone(), spawned);
                s.spawn(move |_| {
                    let r =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&items[i])));
                    // The receiver is gone only when settling stopped.
                    let _ = tx.send((i, r));
                });
                spawned += 1;
            }
            // This thread holds a sender: a result always comes.
            let Ok((i, r)) = rx.recv() else { break };
            match r {
                Ok(r) => waiting.insert(i, r),
                Err(panic) => std::panic::resume_unwind(panic),
            };
            while let Some(r) = waiting.remove(&expected) {
                settle(expected, r)?;
                expected += 1;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_settles_in_input_order_with_a_bounded_window() {
        let items: Vec<usize> = (0..200).collect();
        let in_flight = std::sync::atomic::AtomicUsize::new(0);
        let most = std::sync::atomic::AtomicUsize::new(0);
        let mut seen = Vec::new();
        let r: Result<(), ()> = ordered(
            &items,
            5,
            |&i| {
                let n = in_flight.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                most.fetch_max(n, std::sync::atomic::Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_micros((i % 7) as u64 * 50));
                i * 2
            },
            |i, v| {
                in_flight.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                assert_eq!(v, i * 2);
                seen.push(i);
                Ok(())
            },
        );
        assert!(r.is_ok());
        assert_eq!(seen, items);
        // At most `window` processed and not yet settled (plus the one settling).
        assert!(most.load(std::sync::atomic::Ordering::SeqCst) <= 6);
    }

    #[test]
    fn ordered_work_may_run_nested_parallel_loops() {
        // Each item runs a parallel loop of its own, as an in-process PDF
        // extraction does over its pages: a pool thread waiting in it
        // may run another item's task, which must never wait for its turn.
        use rayon::prelude::*;
        let items: Vec<usize> = (0..64).collect();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            let r: Result<(), ()> = ordered(
                &items,
                2,
                |&i| {
                    (0..8usize)
                        .into_par_iter()
                        .map(|k| {
                            std::thread::sleep(std::time::Duration::from_millis(1));
                            k * i
                        })
                        .sum::<usize>()
                },
                |i, v| {
                    assert_eq!(v, i * 28);
                    seen.push(i);
                    Ok(())
                },
            );
            let _ = tx.send((r, seen.len()));
        });
        let done = rx.recv_timeout(std::time::Duration::from_secs(30));
        assert_eq!(done, Ok((Ok(()), 64)), "ordered deadlocked");
    }

    #[test]
    fn ordered_raises_a_panic_of_work() {
        let items: Vec<usize> = (0..20).collect();
        let r = std::panic::catch_unwind(|| {
            ordered(
                &items,
                4,
                |&i| assert!(i != 7, "fictional failure"),
                |_, _| Ok::<(), ()>(()),
            )
        });
        assert!(r.is_err());
    }

    #[test]
    fn ordered_stops_at_the_first_error() {
        let items: Vec<usize> = (0..100).collect();
        let mut seen = 0;
        let r = ordered(
            &items,
            4,
            |&i| i,
            |i, _| {
                seen += 1;
                if i == 10 { Err(i) } else { Ok(()) }
            },
        );
        assert_eq!(r, Err(10));
        assert_eq!(seen, 11);
    }
}
