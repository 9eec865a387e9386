//! The tables aggregated over all documents of a generation, once every
//! document's rows are in it: `themes.jsonl` (from the ledger) and the
//! recurring recommendations (`patterns`), read back from the
//! generation's own tables so that documents carried over from the last
//! build count as much as those processed now.

use super::BuildError;
use crate::export::{DocumentRow, RecommendationRow};
use crate::patterns::{DocInfo, Grouper};
use crate::rules::RuleSet;
use crate::store::{Aggregates, DocFile, GenerationWriter, RowLines, StoreError};

/// The aggregated tables of `generation` (`themes` already rendered).
pub(super) fn aggregate(
    generation: &mut GenerationWriter<'_>,
    rules: &RuleSet,
    themes: Vec<u8>,
) -> Result<Aggregates, BuildError> {
    Ok(Aggregates {
        themes,
        recommendation_groups: recommendation_groups(generation, rules)?,
    })
}

/// `recommendation_groups.jsonl`: two passes over the recommendations, so
/// that only the grouped ones' texts are held.
fn recommendation_groups(
    generation: &mut GenerationWriter<'_>,
    rules: &RuleSet,
) -> Result<Vec<u8>, BuildError> {
    let mut grouper = Grouper::new(rules.grouping());
    each_row(
        generation.rows(DocFile::Documents)?,
        |d: DocumentRow<'static>| {
            grouper.add_document(&d.id, DocInfo::of(&d));
        },
    )?;
    each_row(
        generation.rows(DocFile::Recommendations)?,
        |r: RecommendationRow<'static>| {
            grouper.add(&r);
        },
    )?;
    let groups = grouper.finish();
    tracing::debug!("{} groups of recurring recommendations", groups.len());
    let mut members = Vec::new();
    each_row(
        generation.rows(DocFile::Recommendations)?,
        |r: RecommendationRow<'static>| {
            if groups.wants(&r.id) {
                members.push(r);
            }
        },
    )?;
    Ok(groups.render(members))
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
