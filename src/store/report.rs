//! `report.json` (one status row per input file) and `runs.jsonl` (one
//! line per build), as typed rows.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which stage failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Read,
    Extract,
    Segment,
    Tag,
}

/// What became of one input file, as `report.json` says it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum FileStatus {
    /// In the repository as document `doc_id`.
    Ok {
        doc_id: String,
        pages: u32,
        /// Problems met while reading it ("page 3: ...").
        warnings: Vec<String>,
    },
    /// Not in the repository: `stage` failed for `reason`.
    Failed { stage: Stage, reason: String },
    /// The same content as another file, which holds the document.
    Skipped { reason: String },
}

/// One row of `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FileReport {
    /// The input path as walked.
    pub file: String,
    #[serde(flatten)]
    pub status: FileStatus,
}

/// `report.json`: one row per input file, in input order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub tool_version: String,
    /// Version (hash) of the rule set the repository was built with.
    pub rules_version: String,
    pub files: Vec<FileReport>,
}

/// One line of `runs.jsonl`: what a build did and how long it took.
/// Timings live only here, so that every other output stays byte-identical
/// across builds of the same inputs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunRecord {
    /// When the build finished (seconds since the epoch).
    pub finished_unix: u64,
    pub seconds: f64,
    pub documents: usize,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub retagged: usize,
    pub failed: usize,
    pub extracted: usize,
    pub from_cache: usize,
    pub carried_over: usize,
    pub kept_outputs: bool,
    /// Why the build stopped, when it failed (then nothing was changed and
    /// the counts are zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
