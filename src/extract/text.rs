//! Plain text and Markdown loader: pages split at form feeds, blocks at
//! blank lines, one [`Line`] per source line (Markdown markup kept as-is
//! for the segmenter). Invalid UTF-8 is decoded lossily with a warning.

use crate::model::*;

/// Build an [`ExtractedDoc`] from a text or Markdown file's bytes.
pub fn load(file: &str, bytes: &[u8], format: SourceFormat) -> ExtractedDoc {
    let mut warnings = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(e) => {
            warnings.push(Warning {
                page: None,
                message: format!(
                    "invalid UTF-8 at byte {}: decoded with replacement characters",
                    e.valid_up_to()
                ),
            });
            String::from_utf8_lossy(bytes)
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut pages = Vec::new();
    for (i, page_text) in text.split('\u{c}').enumerate() {
        let mut blocks = Vec::new();
        let mut cur: Vec<Line> = Vec::new();
        for raw in page_text.lines() {
            let l = raw.trim_end_matches('\r');
            if l.trim().is_empty() {
                if !cur.is_empty() {
                    blocks.push(Block {
                        lines: std::mem::take(&mut cur),
                        bbox: Rect::default(),
                    });
                }
                continue;
            }
            cur.push(Line {
                text: l.to_string(),
                bbox: Rect::default(),
                font: String::new(),
                size: 0.0,
                bold: false,
                italic: false,
            });
        }
        if !cur.is_empty() {
            blocks.push(Block {
                lines: cur,
                bbox: Rect::default(),
            });
        }
        pages.push(Page {
            number: i as u32 + 1,
            label: None,
            width: 0.0,
            height: 0.0,
            blocks,
            header: Vec::new(),
            footer: Vec::new(),
            needs_ocr: false,
        });
    }
    // A trailing form feed leaves an empty last page: drop it.
    if pages.len() > 1 && pages.last().is_some_and(|p| p.blocks.is_empty()) {
        pages.pop();
    }
    let mut meta = SourceMeta::default();
    if format == SourceFormat::Markdown {
        meta.title = text
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
    }
    ExtractedDoc {
        file: file.to_string(),
        sha256: sha256_hex(bytes),
        format,
        meta,
        pages,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_blocks_lines() {
        let d = load(
            "x.md",
            b"# A fictional review\n\nPara one\nline two\n\n\nPara two\x0cPage two\n",
            SourceFormat::Markdown,
        );
        assert_eq!(d.pages.len(), 2);
        assert_eq!(d.pages[0].blocks.len(), 3);
        assert_eq!(d.pages[0].blocks[1].text(), "Para one\nline two");
        assert_eq!(d.pages[1].text(), "Page two");
        assert_eq!(d.meta.title.as_deref(), Some("A fictional review"));
        assert_eq!(d.format, SourceFormat::Markdown);
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn invalid_utf8_is_lossy_with_warning() {
        let d = load("x.txt", b"ok \xff here", SourceFormat::Text);
        assert_eq!(d.pages[0].text(), "ok \u{fffd} here");
        assert_eq!(d.warnings.len(), 1);
    }
}
