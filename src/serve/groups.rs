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
    /// Its line in the file (from 1), for messages.
    line: usize,
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
/// The list is read with only the fields it shows; a row that does not
/// parse as a whole is an error when its group is asked for, naming its
/// line.
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
        let mut line = 0;
        while let Some(next) = lines.next() {
            let (bytes, at) = next?;
            line += 1;
            if bytes.trim_ascii().is_empty() {
                continue;
            }
            let row: HeadRow = serde_json::from_slice(&bytes).map_err(|e| {
                crate::store::StoreError::Unreadable {
                    path: lines.position(),
                    message: e.to_string(),
                }
            })?;
            let mut kinds: Vec<DocKind> = row.members.iter().map(|m| m.kind).collect();
            kinds.sort_unstable();
            kinds.dedup();
            let next = table.heads.len();
            table.by_id.entry(row.id.clone()).or_insert(next);
            table.heads.push(GroupHead {
                id: row.id,
                summary: row.summary,
                text: row.text,
                words: row.words,
                kinds,
                at,
                line,
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
        serde_json::from_slice(&bytes).map_err(|e| {
            LoadError::Repository(crate::export::ExportError::Parse {
                path: crate::store::RECOMMENDATION_GROUPS_FILE.to_string(),
                line: head.line,
                message: e.to_string(),
            })
        })
    }
}
