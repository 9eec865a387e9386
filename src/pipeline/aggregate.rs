//! The tables aggregated over all documents of a generation, once every
//! document's rows are in it: `themes.jsonl` (from the ledger) and the
//! recurring recommendations (`patterns`), read back from the
//! generation's own tables so that documents carried over from the last
//! build count as much as those processed now.
//!
//! Grouping reads `recommendations.jsonl` a segment at a time, each
//! analysed once and kept in the store's grouping cache by the segment's
//! SHA-256: a build analyses only the segments it wrote, and takes the
//! others as the build that wrote them analysed them.

use super::BuildError;
use crate::export::{DocumentRow, RecommendationRow};
use crate::patterns::{AnalysedSegment, Analyser, DocInfo, Grouper, SegmentMembers, SegmentWords};
use crate::rules::RuleSet;
use crate::store::{
    Aggregates, DocFile, GenerationWriter, GroupingCache, Reader, RowLines, SegmentFile, StoreError,
};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// The aggregated tables of `generation` (`themes` already rendered).
pub(super) fn aggregate(
    generation: &mut GenerationWriter<'_>,
    rules: &RuleSet,
    themes: Vec<u8>,
) -> Result<Aggregates, BuildError> {
    let segments = generation.segment_files(DocFile::Recommendations)?;
    let cache = generation.grouping_cache(rules.version());
    let unwritable = AtomicBool::new(false);
    let documents = generation.rows(DocFile::Documents)?;
    Ok(Aggregates {
        themes,
        recommendation_groups: recommendation_groups(
            documents,
            &segments,
            Cached::Kept(&cache, &unwritable),
            rules,
        )?,
    })
}

/// `recommendation_groups.jsonl` of the generation `reader` holds, grouped
/// again under `rules` (the same bytes as the generation's own file when
/// the rules are those it was built with): for benchmarks and checks.
/// With `cache`, segments are taken from it when there (it is not written).
pub fn regroup(
    reader: &Reader,
    rules: &RuleSet,
    cache: Option<&GroupingCache>,
) -> Result<Vec<u8>, BuildError> {
    recommendation_groups(
        reader.rows(DocFile::Documents)?,
        &reader.segment_files(DocFile::Recommendations)?,
        cache.map_or(Cached::None, Cached::ReadOnly),
        rules,
    )
}

/// What the grouping cache is to a grouping.
#[derive(Clone, Copy)]
enum Cached<'c> {
    /// None: every segment is analysed.
    None,
    /// Segments are taken from it; those analysed are not kept.
    ReadOnly(&'c GroupingCache),
    /// Segments are taken from it; those analysed are kept in it, until
    /// it turns out it cannot be written (said once).
    Kept(&'c GroupingCache, &'c AtomicBool),
}

impl<'c> Cached<'c> {
    fn of(self, segment: &SegmentFile) -> Option<(&'c GroupingCache, &str)> {
        let cache = match self {
            Cached::None => return None,
            Cached::ReadOnly(c) | Cached::Kept(c, _) => c,
        };
        Some((cache, segment.sha256.as_deref()?))
    }
}

/// Segments analysed at a time: enough to keep every thread busy, few
/// enough to hold (a segment is about 500 recommendations).
const SEGMENTS_AT_ONCE: usize = 16;

/// `recommendation_groups.jsonl` from the documents and the segments of
/// recommendations: two passes over the segments (their words, then the
/// members of the groups found), so that only the grouped
/// recommendations' texts are held. Segments are read and analysed a few
/// at a time on rayon's threads, and taken in repository order.
fn recommendation_groups(
    documents: RowLines,
    segments: &[SegmentFile],
    cached: Cached<'_>,
    rules: &RuleSet,
) -> Result<Vec<u8>, BuildError> {
    let t = Instant::now();
    let mut grouper = Grouper::new(rules.grouping());
    each_row(documents, |d: DocumentRow<'static>| {
        grouper.add_document(&d.id, DocInfo::of(&d));
    })?;
    let analyser = grouper.analyser();
    let each = |a: &mut Analyser, s: &SegmentFile| words(a, s, cached);
    in_order(segments, &analyser, each, |w| grouper.push(&w))?;
    tracing::debug!(
        "grouping: recommendations read in {:.2}s",
        t.elapsed().as_secs_f64()
    );
    let groups = grouper.finish();
    tracing::debug!("{} groups of recurring recommendations", groups.len());
    let t = Instant::now();
    let mut found = Vec::new();
    let each = |a: &mut Analyser, s: &SegmentFile| Ok(groups.members(members(a, s, cached)?));
    in_order(segments, &analyser, each, |m| found.extend(m))?;
    tracing::debug!(
        "grouping: {} members read in {:.2}s",
        found.len(),
        t.elapsed().as_secs_f64()
    );
    let out = groups.render(found);
    tracing::debug!(
        "grouping: members read and rendered in {:.2}s",
        t.elapsed().as_secs_f64()
    );
    Ok(out)
}

/// `make` of each segment (with an analyser of its thread's) on rayon's
/// threads, [`SEGMENTS_AT_ONCE`] at a time, handed to `take` in order.
fn in_order<P: Send>(
    segments: &[SegmentFile],
    analyser: &Analyser,
    make: impl Fn(&mut Analyser, &SegmentFile) -> Result<P, BuildError> + Sync + Send,
    mut take: impl FnMut(P),
) -> Result<(), BuildError> {
    for chunk in segments.chunks(SEGMENTS_AT_ONCE) {
        let made: Vec<Result<P, BuildError>> = chunk
            .par_iter()
            .map_init(|| analyser.clone(), |a, s| make(a, s))
            .collect();
        for p in made {
            take(p?);
        }
    }
    Ok(())
}

/// The words of a segment: kept, or analysed now (and kept).
fn words(
    a: &mut Analyser,
    s: &SegmentFile,
    cached: Cached<'_>,
) -> Result<SegmentWords, BuildError> {
    match cached.of(s).and_then(|(c, sha)| c.words(sha)) {
        Some(words) => Ok(words),
        None => Ok(analyse_and_keep(a, s, cached)?.words),
    }
}

/// What the rows of groups show of a segment's recommendations: kept, or
/// read again (and kept).
fn members(
    a: &mut Analyser,
    s: &SegmentFile,
    cached: Cached<'_>,
) -> Result<SegmentMembers, BuildError> {
    match cached.of(s).and_then(|(c, sha)| c.members(sha)) {
        Some(members) => Ok(members),
        None => Ok(analyse_and_keep(a, s, cached)?.members),
    }
}

/// A segment analysed, and kept when the cache is the build's (a cache
/// that cannot be written is a warning: the next build analyses again).
fn analyse_and_keep(
    a: &mut Analyser,
    s: &SegmentFile,
    cached: Cached<'_>,
) -> Result<AnalysedSegment, BuildError> {
    let analysed = analyse(a, s)?;
    if let (Cached::Kept(c, unwritable), Some(sha)) = (cached, s.sha256.as_deref())
        && !unwritable.load(Ordering::Relaxed)
        && let Err(e) = c.put(sha, &analysed)
        && !unwritable.swap(true, Ordering::Relaxed)
    {
        tracing::warn!(
            "cannot keep the analysed recommendations for the next build ({e}); \
             grouping goes on without"
        );
    }
    Ok(analysed)
}

/// A segment's recommendations read and analysed; an unparsable row is an
/// error naming its file and line.
fn analyse(a: &mut Analyser, s: &SegmentFile) -> Result<AnalysedSegment, BuildError> {
    let mut lines = s.lines();
    let mut rows = Vec::new();
    while let Some(line) = lines.next() {
        rows.push((line?, lines.line()));
    }
    let parsed: Vec<RecommendationRow<'_>> = rows
        .iter()
        .map(|(line, n)| {
            serde_json::from_slice(line).map_err(|e| StoreError::Unreadable {
                path: format!("{}:{n}", s.path.display()),
                message: e.to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(a.segment(parsed))
}

/// Parse each row of `lines` as `T` and hand it to `f`; an unparsable row
/// is an error naming its file and line.
fn each_row<T: serde::de::DeserializeOwned>(
    mut lines: RowLines,
    mut f: impl FnMut(T),
) -> Result<(), BuildError> {
    while let Some(line) = lines.next() {
        let line = line?;
        let row = serde_json::from_slice(&line).map_err(|e| StoreError::Unreadable {
            path: lines.position(),
            message: e.to_string(),
        })?;
        f(row);
    }
    Ok(())
}
