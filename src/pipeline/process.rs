//! Processing one document: extract → segment → tag, with every panic
//! caught and every failure a [`DocFailure`] naming the stage.

use crate::extract::{self, Limits};
use crate::model::*;
use crate::rules::RuleSet;
use crate::store::Stage;
use crate::{segment, tag};
use std::path::Path;

/// One document that could not be processed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, thiserror::Error)]
#[error("{file}: {stage:?}: {reason}")]
pub struct DocFailure {
    pub file: String,
    pub stage: Stage,
    pub reason: String,
}

impl DocFailure {
    pub(super) fn new(file: &str, stage: Stage, reason: impl Into<String>) -> DocFailure {
        DocFailure {
            file: file.to_string(),
            stage,
            reason: reason.into(),
        }
    }
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Extract one document's bytes; a panic is caught and becomes a failure.
pub fn extract_bytes(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<ExtractedDoc, DocFailure> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        extract::extract(file, bytes, limits)
    })) {
        Ok(Ok(ex)) => Ok(ex),
        Ok(Err(e)) => Err(DocFailure::new(file, Stage::Extract, e.to_string())),
        Err(p) => Err(DocFailure::new(
            file,
            Stage::Extract,
            format!("internal error (panic): {}", panic_message(p)),
        )),
    }
}

/// Segment and tag an extracted document; a document with no text is a
/// failure (never a silently empty document), and a panic is caught.
pub fn analyse(ex: &ExtractedDoc, rules: &RuleSet) -> Result<ProcessedDoc, DocFailure> {
    let fail = |stage, reason: String| DocFailure::new(&ex.file, stage, reason);
    let doc = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        segment::segment(ex, rules.anatomy())
    }))
    .map_err(|p| {
        fail(
            Stage::Segment,
            format!("internal error (panic): {}", panic_message(p)),
        )
    })?;
    if doc.text.trim().is_empty() {
        let why = if ex.pages.iter().any(|p| p.needs_ocr) {
            "the document has no text layer (scanned?): it needs OCR"
        } else {
            "the document yields no text"
        };
        return Err(fail(Stage::Extract, why.into()));
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tag::tag(doc, rules))).map_err(|p| {
        fail(
            Stage::Tag,
            format!("internal error (panic): {}", panic_message(p)),
        )
    })
}

/// Run extract → segment → tag over one document's bytes. Pure.
pub fn process_bytes(
    file: &str,
    bytes: &[u8],
    rules: &RuleSet,
    limits: &Limits,
) -> Result<ProcessedDoc, DocFailure> {
    analyse(&extract_bytes(file, bytes, limits)?, rules)
}

/// Read and process one file.
pub fn process_file(
    path: &Path,
    rules: &RuleSet,
    limits: &Limits,
) -> Result<ProcessedDoc, DocFailure> {
    let file = super::display_path(path);
    let bytes =
        super::read_input(path).map_err(|e| DocFailure::new(&file, Stage::Read, e.to_string()))?;
    process_bytes(&file, &bytes, rules, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_document_is_reported_not_propagated() {
        let rules = RuleSet::default_rules();
        let err =
            process_bytes("x.pdf", b"%PDF-1.4 garbage", &rules, &Limits::default()).unwrap_err();
        assert_eq!(err.file, "x.pdf");
        assert_eq!(err.stage, Stage::Extract);
        let err = process_bytes("empty.txt", b"   \n", &rules, &Limits::default()).unwrap_err();
        assert!(err.reason.contains("no text"), "{}", err.reason);
    }
}
