//! Processing one document: extract → segment → tag, with every panic
//! caught and every failure a [`DocFailure`] naming the stage.

use crate::extract::{self, Limits};
use crate::model::*;
use crate::rules::RuleSet;
use crate::store::Stage;
use crate::tag::Deadline;
use crate::{segment, tag};
use std::path::Path;
use std::time::Duration;

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

/// Bounds on segmenting and tagging one document: the build's
/// per-document limits (`--timeout`, `--max-memory`), which bound
/// extraction too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalysisLimits {
    /// Wall time allowed to tag one document.
    pub time: Option<Duration>,
    /// Memory allowed to segment and tag one document, in bytes. It is
    /// checked before the work starts, from the size of the text (see
    /// [`MEMORY_PER_TEXT_BYTE`]), so a document fails alone and before it
    /// takes the memory, not the build when the machine runs out.
    pub memory: Option<u64>,
}

/// Bytes of memory segmenting, tagging and rendering one document need
/// per byte of its text, at most: a 200 MB text dense in theme words (a
/// tag every few words) peaked at 1.9 GB in the whole build process, 9.4
/// bytes per byte; 12 leaves room. Passages are bounded in length
/// ([`crate::segment::MAX_PASSAGE_BYTES`]) and every step is linear, so
/// the need grows with the text and nothing else.
pub const MEMORY_PER_TEXT_BYTE: u64 = 12;

impl AnalysisLimits {
    /// Why `ex` must not be segmented and tagged under these limits.
    fn refuses(&self, ex: &ExtractedDoc) -> Option<String> {
        let allowed = self.memory?;
        let text = ex.text_bytes();
        let need = text.saturating_mul(MEMORY_PER_TEXT_BYTE);
        (need > allowed).then(|| {
            format!(
                "its text is {} MB: segmenting and tagging it would need about {} MB, more than \
                 the {} MB allowed per document (--max-memory); split the document or raise \
                 --max-memory",
                text.div_ceil(1 << 20),
                need.div_ceil(1 << 20),
                allowed >> 20,
            )
        })
    }
}

/// Segment and tag an extracted document; a document with no text is a
/// failure (never a silently empty document), and a panic is caught.
pub fn analyse(
    ex: &ExtractedDoc,
    rules: &RuleSet,
    limits: &AnalysisLimits,
) -> Result<ProcessedDoc, DocFailure> {
    let fail = |stage, reason: String| DocFailure::new(&ex.file, stage, reason);
    if let Some(why) = limits.refuses(ex) {
        return Err(fail(Stage::Segment, why));
    }
    let deadline = limits.time.map_or(Deadline::never(), Deadline::after);
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
    let tagged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        tag::tag_within(doc, rules, deadline)
    }))
    .map_err(|p| {
        fail(
            Stage::Tag,
            format!("internal error (panic): {}", panic_message(p)),
        )
    })?;
    tagged.map_err(|late| {
        let limit = limits.time.unwrap_or_default().as_secs_f64();
        fail(
            Stage::Tag,
            format!(
                "segmenting and tagging took longer than the {limit:.0} s allowed per document \
                 (--timeout): \
                 stopped with {} of {} passages tagged",
                late.done, late.passages
            ),
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
    analyse(
        &extract_bytes(file, bytes, limits)?,
        rules,
        &AnalysisLimits::default(),
    )
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

    /// The per-document limits fail the document (naming the limit) and
    /// nothing else: a deadline already passed stops tagging; a text whose
    /// estimated need is over the memory limit is refused before the work.
    #[test]
    fn analysis_limits_fail_the_document_naming_the_limit() {
        let rules = RuleSet::default_rules();
        let text = b"FICTIONAL EXAMPLE\n\nNo DASH risk assessment was completed.\n";
        let ex = extract_bytes("a.txt", text, &Limits::default()).unwrap();
        let need = ex.text_bytes() * MEMORY_PER_TEXT_BYTE;
        let limits = |time, memory| AnalysisLimits { time, memory };

        let late = analyse(&ex, &rules, &limits(Some(Duration::ZERO), None)).unwrap_err();
        assert_eq!(late.stage, Stage::Tag);
        assert!(late.reason.contains("(--timeout)"), "{}", late.reason);

        let big = analyse(&ex, &rules, &limits(None, Some(need - 1))).unwrap_err();
        assert_eq!(big.stage, Stage::Segment);
        assert!(big.reason.contains("(--max-memory)"), "{}", big.reason);

        let hour = Some(Duration::from_secs(3600));
        let pd = analyse(&ex, &rules, &limits(hour, Some(need))).unwrap();
        assert_eq!(
            pd,
            analyse(&ex, &rules, &AnalysisLimits::default()).unwrap()
        );
    }
}
