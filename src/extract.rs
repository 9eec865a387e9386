//! Extract: turns input bytes (PDF, plain text, Markdown) into pages of
//! positioned text lines ([`ExtractedDoc`]).
//!
//! STUB: interface only; the extract helper replaces this.

use crate::model::*;

/// Limits that keep one hostile document from taking the machine down.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Max decompressed bytes of all content streams of one page.
    pub max_stream_bytes: usize,
    /// Max content-stream operators interpreted per page.
    pub max_ops_per_page: usize,
    /// Max pages read from one document.
    pub max_pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_stream_bytes: 64 << 20,
            max_ops_per_page: 2_000_000,
            max_pages: 5_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("not a PDF: {0}")]
    NotPdf(String),
    #[error("cannot parse PDF: {0}")]
    Parse(String),
    #[error("the PDF is encrypted and cannot be opened without a password")]
    Encrypted,
    #[error("no text: {0}")]
    NoText(String),
    #[error("the file is empty")]
    Empty,
}

/// Extract a document from its bytes. `file` is the path as walked, used
/// for the format (by extension, then by sniffing) and in messages.
pub fn extract(file: &str, bytes: &[u8], limits: &Limits) -> Result<ExtractedDoc, ExtractError> {
    let _ = limits;
    let text = String::from_utf8_lossy(bytes);
    let pages = text
        .split('\u{c}')
        .enumerate()
        .map(|(i, t)| Page {
            number: i as u32 + 1,
            label: None,
            width: 0.0,
            height: 0.0,
            blocks: t
                .split("\n\n")
                .filter(|b| !b.trim().is_empty())
                .map(|b| Block {
                    lines: b
                        .lines()
                        .map(|l| Line {
                            text: l.to_string(),
                            bbox: Rect::default(),
                            font: String::new(),
                            size: 0.0,
                            bold: false,
                            italic: false,
                        })
                        .collect(),
                    bbox: Rect::default(),
                })
                .collect(),
            header: vec![],
            footer: vec![],
            needs_ocr: false,
        })
        .collect();
    Ok(ExtractedDoc {
        file: file.to_string(),
        sha256: sha256_hex(bytes),
        format: SourceFormat::Text,
        meta: SourceMeta::default(),
        pages,
        warnings: vec![],
    })
}
