//! The recurring recommendations a snapshot serves: what the list of
//! groups shows (id, summary, representative text, words, the kinds of
//! document) is held for every group; a group's members and links are
//! read from the store when its page or its JSON is asked for, so the
//! server's memory does not hold every member's text.

use super::state::LoadError;
use crate::model::DocKind;
use crate::patterns::RecommendationGroupRow;
use crate::store::{LineAt, Reader};
use std::collections::HashMap;

/// What the list of groups shows of one group, and where its row is.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupHead {
    pub id: String,
    pub summary: String,
    /// The representative's text.
    pub text: String,
    pub words: Vec<String>,
    /// The kinds of its members' documents, sorted, without repeats.
    pub kinds: Vec<DocKind>,
    at: LineAt,
}

/// A group's row with only what [`GroupHead`] keeps (the members' texts
/// are skipped, not held).
#[derive(serde::Deserialize)]
struct HeadRow {
    id: String,
    summary: String,
    text: String,
    words: Vec<String>,
    members: Vec<MemberKind>,
}

#[derive(serde::Deserialize)]
struct MemberKind {
    kind: DocKind,
}

/// The groups of one generation, most documents first (the file's order).
#[derive(Debug, Default)]
pub struct GroupTable {
    heads: Vec<GroupHead>,
    by_id: HashMap<String, usize>,
}

impl GroupTable {
    /// One pass over `recommendation_groups.jsonl`; an unreadable row is an
    /// error naming its line (a build by another version).
    pub fn load(reader: &Reader) -> Result<GroupTable, LoadError> {
        let mut lines = reader.recommendation_group_lines()?;
        let mut table = GroupTable::default();
        while let Some(line) = lines.next() {
            let (bytes, at) = line?;
            let row: HeadRow = serde_json::from_slice(&bytes).map_err(|e| {
                crate::store::StoreError::Unreadable {
                    path: lines.position(),
                    message: e.to_string(),
                }
            })?;
            let mut kinds: Vec<DocKind> = row.members.iter().map(|m| m.kind).collect();
            kinds.sort_unstable();
            kinds.dedup();
            table.by_id.insert(row.id.clone(), table.heads.len());
            table.heads.push(GroupHead {
                id: row.id,
                summary: row.summary,
                text: row.text,
                words: row.words,
                kinds,
                at,
            });
        }
        Ok(table)
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.heads.len()
    }

    /// True when nothing recurs (or the build did not group).
    pub fn is_empty(&self) -> bool {
        self.heads.is_empty()
    }

    /// The heads of groups `range` (clamped to the groups there are).
    pub fn heads(&self, range: std::ops::Range<usize>) -> &[GroupHead] {
        let end = range.end.min(self.heads.len());
        &self.heads[range.start.min(end)..end]
    }

    /// The head of group `id`.
    pub fn find(&self, id: &str) -> Option<&GroupHead> {
        self.by_id.get(id).map(|&i| &self.heads[i])
    }

    /// A group's whole row, read from the store.
    pub fn row(
        &self,
        reader: &Reader,
        head: &GroupHead,
    ) -> Result<RecommendationGroupRow, LoadError> {
        let bytes = reader.recommendation_group_at(&head.at)?;
        let rows = crate::patterns::parse_groups(&bytes, "recommendation_groups.jsonl")?;
        rows.into_iter().next().ok_or_else(|| {
            LoadError::Outdated(format!(
                "recommendation_groups.jsonl has no row where group {} was",
                head.id
            ))
        })
    }
}
