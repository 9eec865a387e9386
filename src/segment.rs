//! Segment: turns an [`ExtractedDoc`] into a [`Document`]: one body text,
//! heading-delimited sections classified by the anatomy of a review,
//! passages (paragraphs, list items, table rows) and sentences, all with
//! page numbers and byte offsets.
//!
//! STUB: interface only; the segment helper replaces this.

use crate::model::*;

/// Segment an extracted document.
pub fn segment(ex: &ExtractedDoc) -> Document {
    let mut text = String::new();
    let mut page_starts = vec![];
    let mut passages = vec![];
    for p in &ex.pages {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        page_starts.push(text.len());
        for b in &p.blocks {
            if !text.is_empty() && !text.ends_with("\n\n") {
                text.push_str("\n\n");
            }
            let start = text.len();
            text.push_str(&b.text());
            passages.push(Passage {
                index: passages.len(),
                kind: PassageKind::Paragraph,
                section: 0,
                page: p.number,
                start,
                end: text.len(),
                marker: None,
                sentences: vec![Span {
                    start,
                    end: text.len(),
                }],
            });
        }
    }
    let len = text.len();
    Document {
        id: doc_id_from_sha(&ex.sha256),
        file: ex.file.clone(),
        sha256: ex.sha256.clone(),
        title: ex.meta.title.clone().unwrap_or_else(|| ex.file.clone()),
        kind: DocKind::Other,
        year: ex.meta.year,
        area: None,
        language: "en".into(),
        pages: ex.pages.len() as u32,
        text,
        page_starts,
        page_labels: ex.pages.iter().map(|p| p.label.clone()).collect(),
        sections: vec![Section {
            index: 0,
            heading: String::new(),
            number: None,
            level: 1,
            kind: SectionKind::FrontMatter,
            trail: vec![],
            page: 1,
            start: 0,
            end: len,
        }],
        passages,
        warnings: ex.warnings.clone(),
    }
}
