//! The tables aggregated over all documents of a generation, once every
//! document's rows are in it: `themes.jsonl` (from the ledger) and the
//! recurring recommendations (`patterns`), read back from the
//! generation's own tables so that documents carried over from the last
//! build count as much as those processed now.

use super::BuildError;
use crate::export::{DocumentRow, RecommendationRow};
use crate::patterns::{DocInfo, Grouper};
use crate::rules::RuleSet;
use crate::store::{Aggregates, DocFile, GenerationWriter, Reader, RowLines, StoreError};
use std::time::Instant;

/// The aggregated tables of `generation` (`themes` already rendered).
pub(super) fn aggregate(
    generation: &mut GenerationWriter<'_>,
    rules: &RuleSet,
    themes: Vec<u8>,
) -> Result<Aggregates, BuildError> {
    Ok(Aggregates {
        themes,
        recommendation_groups: recommendation_groups(|file| generation.rows(file), rules)?,
    })
}

/// `recommendation_groups.jsonl` of the generation `reader` holds, grouped
/// again under `rules` (the same bytes as the generation's own file when
/// the rules are those it was built with): for benchmarks and checks.
pub fn regroup(reader: &Reader, rules: &RuleSet) -> Result<Vec<u8>, BuildError> {
    recommendation_groups(|file| reader.rows(file), rules)
}

/// `recommendation_groups.jsonl` from the tables `rows` opens: two passes
/// over the recommendations, so that only the grouped ones' texts are held.
/// Rows are parsed and analysed a batch at a time on rayon's threads, and
/// taken in repository order.
fn recommendation_groups(
    mut rows: impl FnMut(DocFile) -> Result<RowLines, StoreError>,
    rules: &RuleSet,
) -> Result<Vec<u8>, BuildError> {
    let t = Instant::now();
    let mut grouper = Grouper::new(rules.grouping());
    each_row(rows(DocFile::Documents)?, |d: DocumentRow<'static>| {
        grouper.add_document(&d.id, DocInfo::of(&d));
    })?;
    let analyser = grouper.analyser();
    in_batches(
        rows(DocFile::Recommendations)?,
        || analyser.clone(),
        |a, line| serde_json::from_slice::<RecommendationRow<'_>>(line).map(|r| a.prepare(&r)),
        |prepared| grouper.push(prepared),
    )?;
    tracing::debug!(
        "grouping: recommendations read and analysed in {:.2}s",
        t.elapsed().as_secs_f64()
    );
    let groups = grouper.finish();
    tracing::debug!("{} groups of recurring recommendations", groups.len());
    let t = Instant::now();
    let mut members = Vec::new();
    in_batches(
        rows(DocFile::Recommendations)?,
        || (),
        |(), line| {
            // Most rows are not in a group: their id is enough.
            let row: RowId<'_> = serde_json::from_slice(line)?;
            if !groups.wants(&row.id) {
                return Ok(None);
            }
            serde_json::from_slice::<RecommendationRow<'_>>(line).map(|r| groups.member(&r))
        },
        |member| members.extend(member),
    )?;
    tracing::debug!(
        "grouping: {} members read in {:.2}s",
        members.len(),
        t.elapsed().as_secs_f64()
    );
    let out = groups.render(members);
    tracing::debug!(
        "grouping: members read and rendered in {:.2}s",
        t.elapsed().as_secs_f64()
    );
    Ok(out)
}

/// A row's id, the rest of it skipped.
#[derive(serde::Deserialize)]
struct RowId<'a> {
    #[serde(borrow)]
    id: std::borrow::Cow<'a, str>,
}

/// Rows read at a time by [`in_batches`]: enough to keep every thread busy,
/// few enough to hold (a recommendation's row is about a kilobyte).
const BATCH: usize = 1024;

/// Each row of `lines` made into a `P` by `make` (with a state of its
/// thread's, from `init`) on rayon's threads, [`BATCH`] rows at a time,
/// and handed to `take` in order; an unparsable row is an error naming its
/// file and line.
fn in_batches<S, P: Send>(
    mut lines: RowLines,
    init: impl Fn() -> S + Sync + Send,
    make: impl Fn(&mut S, &[u8]) -> Result<P, serde_json::Error> + Sync + Send,
    mut take: impl FnMut(P),
) -> Result<(), BuildError> {
    use rayon::prelude::*;
    loop {
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(line) = lines.next() {
            batch.push((line?, lines.position()));
            if batch.len() == BATCH {
                break;
            }
        }
        if batch.is_empty() {
            return Ok(());
        }
        let made: Vec<Result<P, serde_json::Error>> = batch
            .par_iter()
            .map_init(&init, |s, (line, _)| make(s, line))
            .collect();
        for (row, (_, position)) in made.into_iter().zip(batch) {
            match row {
                Ok(p) => take(p),
                Err(e) => {
                    return Err(StoreError::Unreadable {
                        path: position,
                        message: e.to_string(),
                    }
                    .into());
                }
            }
        }
    }
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
