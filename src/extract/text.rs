//! Plain text and Markdown loader: pages split at form feeds, blocks at
//! blank lines, one [`Line`] per source line (Markdown markup kept as-is
//! for the segmenter). The encoding is found as Windows editors leave it: a
//! byte-order mark (UTF-8, UTF-16), UTF-16 without one (by its NUL bytes),
//! UTF-8, else Windows-1252 with a warning; a text that still decodes to
//! control characters is refused as binary.
//!
//! Tables are blocks of their own with their [`Table`]: a run of Markdown
//! pipe-table lines (`| a | b |`; a delimiter row `|---|---|` after the
//! first row makes it the header and is dropped), or of tab-separated
//! lines (the first row is the header when its cells are short labels
//! without figures and the other rows' are not all so).

use super::ExtractError;
use crate::model::*;
use std::borrow::Cow;

/// The text of `bytes` and, when it was not plain UTF-8, how it was read.
fn decode(bytes: &[u8]) -> (Cow<'_, str>, Option<String>) {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, bad) = enc.decode_without_bom_handling(&bytes[bom..]);
        let note = (enc != encoding_rs::UTF_8 || bad).then(|| {
            format!(
                "read as {}{}",
                enc.name(),
                if bad {
                    " (with replacement characters)"
                } else {
                    ""
                }
            )
        });
        return (text, note);
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, bad) = enc.decode_without_bom_handling(bytes);
        let how = if bad {
            " (with replacement characters)"
        } else {
            ""
        };
        return (
            text,
            Some(format!(
                "read as {} without a byte-order mark{how}",
                enc.name()
            )),
        );
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), None),
        // Mostly UTF-8 (as many valid multi-byte characters as bad bytes, or
        // only cut short at the end): a stray byte is replaced, the Welsh
        // letters (ŵ, ŷ) Windows-1252 cannot hold are kept.
        Err(e) if mostly_utf8(bytes) => {
            let note = format!(
                "invalid UTF-8 at byte {}: decoded with replacement characters",
                e.valid_up_to()
            );
            (String::from_utf8_lossy(bytes), Some(note))
        }
        Err(e) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            let note = format!(
                "not UTF-8 (invalid at byte {}): read as windows-1252",
                e.valid_up_to()
            );
            (text, Some(note))
        }
    }
}

/// Invalid UTF-8 that is still UTF-8 text: only cut short at the end, or
/// with at least as many valid multi-byte characters as invalid sequences.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    let cut_short =
        invalid == 1 && std::str::from_utf8(bytes).is_err_and(|e| e.error_len().is_none());
    cut_short || (multibyte > 0 && multibyte >= invalid)
}

/// UTF-16 without a byte-order mark: most characters of a Latin-script text
/// are ASCII, so every other byte is NUL (the odd ones little-endian, the
/// even ones big-endian) and the others are not.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zeros = |odd: usize| {
        sample
            .iter()
            .skip(odd)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    let most = |n: usize| n * 10 >= pairs * 7;
    let few = |n: usize| n * 10 <= pairs;
    if most(odd) && few(even) {
        Some(encoding_rs::UTF_16LE)
    } else if most(even) && few(odd) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// More than one character in twenty a control character (other than tab,
/// line and page breaks) or a replacement character: not text.
fn looks_binary(text: &str) -> bool {
    let (mut n, mut bad) = (0usize, 0usize);
    for c in text.chars().take(65_536) {
        n += 1;
        if c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}')) {
            bad += 1;
        }
    }
    bad * 20 > n
}

/// Build an [`ExtractedDoc`] from a text or Markdown file's bytes.
pub fn load(file: &str, bytes: &[u8], format: SourceFormat) -> Result<ExtractedDoc, ExtractError> {
    let mut warnings = Vec::new();
    let (text, note) = decode(bytes);
    if let Some(message) = note {
        warnings.push(Warning {
            page: None,
            message,
        });
    }
    if looks_binary(&text) {
        return Err(ExtractError::NoText(format!(
            "{file}: not text in any encoding tried (UTF-8, UTF-16, Windows-1252): binary data?"
        )));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut pages = Vec::new();
    let markdown = format == SourceFormat::Markdown;
    for (i, page_text) in text.split('\u{c}').enumerate() {
        let mut blocks = Vec::new();
        let mut cur: Vec<&str> = Vec::new();
        for raw in page_text.lines() {
            let l = raw.trim_end_matches('\r');
            if l.trim().is_empty() {
                push_blocks(&mut blocks, &std::mem::take(&mut cur), markdown);
                continue;
            }
            cur.push(l);
        }
        push_blocks(&mut blocks, &cur, markdown);
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
    Ok(ExtractedDoc {
        file: file.to_string(),
        sha256: sha256_hex(bytes),
        format,
        meta,
        pages,
        warnings,
    })
}

fn line(text: &str) -> Line {
    Line {
        text: text.to_string(),
        bbox: Rect::default(),
        font: String::new(),
        size: 0.0,
        bold: false,
        italic: false,
    }
}

/// Which kind of table line a source line is, if any.
fn table_line(l: &str, markdown: bool) -> Option<TableSource> {
    if markdown && l.trim_start().starts_with('|') {
        Some(TableSource::Markdown)
    } else if l.contains('\t') && !l.trim().is_empty() {
        Some(TableSource::Tabs)
    } else {
        None
    }
}

/// The blocks of one blank-line-separated group of lines: runs of table
/// lines become table blocks, the lines around them plain blocks.
fn push_blocks(blocks: &mut Vec<Block>, lines: &[&str], markdown: bool) {
    let mut i = 0;
    while i < lines.len() {
        let kind = table_line(lines[i], markdown);
        let mut j = i + 1;
        while j < lines.len() && table_line(lines[j], markdown) == kind {
            j += 1;
        }
        match kind {
            Some(source) => blocks.push(Block::of_table(table(&lines[i..j], source))),
            None => blocks.push(Block::of_lines(
                lines[i..j].iter().map(|l| line(l)).collect(),
            )),
        }
        i = j;
    }
}

/// A Markdown delimiter row: `|---|:---:|`.
fn delimiter_row(cells: &[String]) -> bool {
    !cells.is_empty()
        && cells.iter().all(|c| {
            let t = c.trim().trim_matches(':');
            t.len() >= 3 && t.chars().all(|ch| ch == '-')
        })
}

/// The cells of a Markdown table line (`\|` is a literal bar).
fn pipe_cells(l: &str) -> Vec<String> {
    let t = l.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = if t.ends_with('|') && !t.ends_with("\\|") {
        &t[..t.len() - 1]
    } else {
        t
    };
    let mut cells = vec![String::new()];
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                if let Some(s) = cells.last_mut() {
                    s.push('|');
                }
            }
            '|' => cells.push(String::new()),
            c => {
                if let Some(s) = cells.last_mut() {
                    s.push(c);
                }
            }
        }
    }
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

/// A short label: a few words, no figures.
fn label(cell: &str) -> bool {
    !cell.is_empty()
        && cell.split_whitespace().count() <= 5
        && !cell.chars().any(|c| c.is_ascii_digit())
}

/// A table from its source lines.
fn table(lines: &[&str], source: TableSource) -> Table {
    let mut rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| match source {
            TableSource::Tabs => l.split('\t').map(|c| c.trim().to_string()).collect(),
            _ => pipe_cells(l),
        })
        .collect();
    let header = match source {
        TableSource::Markdown => {
            let delimited = rows.get(1).is_some_and(|r| delimiter_row(r));
            rows.retain(|r| !delimiter_row(r));
            delimited
        }
        _ => {
            rows.len() >= 2
                && rows[0].iter().all(|c| label(c))
                && !rows[1..].iter().all(|r| r.iter().all(|c| label(c)))
        }
    };
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(k, cells)| Row {
            kind: if k == 0 && header {
                RowKind::Header
            } else {
                RowKind::Data
            },
            continued: false,
            cells: (0..columns)
                .map(|c| Cell {
                    column: c,
                    span: 1,
                    lines: cells
                        .get(c)
                        .filter(|t| !t.is_empty())
                        .map(|t| vec![line(t)])
                        .unwrap_or_default(),
                    bbox: Rect::default(),
                })
                .collect(),
            bbox: Rect::default(),
        })
        .collect();
    Table {
        source,
        columns,
        continues: false,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(file: &str, bytes: &[u8], format: SourceFormat) -> ExtractedDoc {
        super::load(file, bytes, format).expect("fictional text loads")
    }

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

    fn cells(t: &Table) -> Vec<Vec<String>> {
        t.rows
            .iter()
            .map(|r| {
                r.cells
                    .iter()
                    .map(|c| c.lines.iter().map(|l| l.text.as_str()).collect())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn markdown_pipe_table_with_header_between_paragraphs() {
        let d = load(
            "x.md",
            b"Text before.\n| Rec | Action | Lead agency |\n|---|:---:|---|\n| 1 | Train staff \\| managers | Glanmor CSP |\n| 2 | | Police |\nText after.",
            SourceFormat::Markdown,
        );
        let b = &d.pages[0].blocks;
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].text(), "Text before.");
        assert_eq!(b[2].text(), "Text after.");
        let t = b[1].table.as_ref().expect("a table");
        assert_eq!((t.source, t.columns), (TableSource::Markdown, 3));
        assert_eq!(
            cells(t),
            vec![
                vec!["Rec", "Action", "Lead agency"],
                vec!["1", "Train staff | managers", "Glanmor CSP"],
                vec!["2", "", "Police"],
            ]
        );
        let kinds: Vec<RowKind> = t.rows.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, vec![RowKind::Header, RowKind::Data, RowKind::Data]);
        // The block's lines are the rows, each row's cells in turn.
        let lines: Vec<&str> = b[1].lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            lines,
            vec![
                "Rec Action Lead agency",
                "1 Train staff | managers Glanmor CSP",
                "2 Police"
            ]
        );
    }

    #[test]
    fn tab_separated_lines_are_a_table() {
        let d = load(
            "x.txt",
            b"Rec\tLead agency\tTarget date\n1\tGlanmor Police\tMarch 2099\n2\tCouncil\t\n",
            SourceFormat::Text,
        );
        let t = d.pages[0].blocks[0].table.as_ref().expect("a table");
        assert_eq!(t.source, TableSource::Tabs);
        assert_eq!(t.rows[0].kind, RowKind::Header);
        assert_eq!(cells(t)[2], vec!["2", "Council", ""]);
        // Pipes in a plain text file are text.
        let d = load("x.txt", b"| a | b |\n", SourceFormat::Text);
        assert!(d.pages[0].blocks[0].table.is_none());
    }

    #[test]
    fn invalid_utf8_is_read_as_windows_1252_with_warning() {
        let d = load("x.txt", b"ok \xff here", SourceFormat::Text);
        assert_eq!(d.pages[0].text(), "ok \u{ff} here");
        assert_eq!(d.warnings.len(), 1);
    }
}

#[cfg(test)]
mod decoding {
    use super::*;

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for u in std::iter::once(0xfeff_u16)
            .filter(|_| bom)
            .chain(text.encode_utf16())
        {
            out.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    const TEXT: &str =
        "A fictional review of Glanmor’s services\n\nThe panel recommends training.\n";

    #[test]
    fn windows_encodings_are_read_as_written() {
        for (bytes, note) in [
            (utf16(TEXT, false, true), Some("read as UTF-16LE")),
            (utf16(TEXT, true, true), Some("read as UTF-16BE")),
            (
                utf16(TEXT, false, false),
                Some("read as UTF-16LE without a byte-order mark"),
            ),
            (
                utf16(TEXT, true, false),
                Some("read as UTF-16BE without a byte-order mark"),
            ),
            ([&b"\xef\xbb\xbf"[..], TEXT.as_bytes()].concat(), None),
            (TEXT.as_bytes().to_vec(), None),
        ] {
            let (text, how) = decode(&bytes);
            assert_eq!(text, TEXT);
            assert_eq!(how.as_deref(), note);
        }
        // UTF-8 with one stray Windows-1252 quote: still UTF-8 (Welsh
        // letters kept), the stray byte replaced.
        let stray = [TEXT.replace('’', "ŵ").as_bytes(), b" \x92"].concat();
        let (text, how) = decode(&stray);
        assert!(text.contains('ŵ') && text.ends_with('\u{fffd}'), "{text}");
        assert!(how.unwrap().starts_with("invalid UTF-8 at byte"));
        // Windows-1252: the right single quote is byte 0x92.
        let cp1252 = TEXT.replace('’', "\u{92}");
        let bytes: Vec<u8> = cp1252.chars().map(|c| c as u32 as u8).collect();
        let (text, how) = decode(&bytes);
        assert_eq!(text, TEXT);
        assert!(how.unwrap().contains("read as windows-1252"));
    }

    #[test]
    fn binary_data_is_refused_not_read_as_text() {
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
        let err = load("in/blob.txt", &bytes, SourceFormat::Text).unwrap_err();
        assert!(err.to_string().contains("binary data"), "{err}");
        assert!(load("in/ok.txt", TEXT.as_bytes(), SourceFormat::Text).is_ok());
    }
}
