//! The bytes of a table's segment files: JSON Lines as `export` renders
//! them, or, for the tables that are compressed ([`DocFile::compressed`]),
//! each document's JSON Lines as one zstd frame. Concatenated frames are
//! one valid zstd stream, so `zstdcat repository/tags/*.jsonl.zst` prints
//! the table, while a document's rows stay one byte range the manifest
//! records (carried over by copying, read back by one read). The
//! compression level and the library's version (pinned by `Cargo.lock`)
//! fix the bytes: the same rows always give the same frame, so builds stay
//! byte-identical and an incremental build equals a clean one.

use super::{DocFile, StoreError};
use crate::export::DocRows;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

/// zstd level of the compressed tables (measured on the scale bench's
/// corpus: see README, *Outputs*).
const LEVEL: i32 = 3;

/// A document's rows as the store writes them, per table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EncodedRows {
    bytes: BTreeMap<DocFile, Vec<u8>>,
}

impl EncodedRows {
    /// Encode a document's rendered rows (compressing the tables that are).
    pub fn encode(rows: &DocRows) -> EncodedRows {
        let bytes = DocFile::ALL
            .iter()
            .map(|&f| (f, encode(f, f.rows(rows))))
            .collect();
        EncodedRows { bytes }
    }

    /// The bytes of `file`, as written to its segment.
    pub fn get(&self, file: DocFile) -> &[u8] {
        self.bytes.get(&file).map_or(&[], Vec::as_slice)
    }
}

/// The bytes stored for one document's `rows` of `file`. No rows, no bytes
/// (not an empty frame).
fn encode(file: DocFile, rows: &[u8]) -> Vec<u8> {
    if !file.compressed() || rows.is_empty() {
        return rows.to_vec();
    }
    zstd::bulk::compress(rows, LEVEL).expect("compressing in memory cannot fail")
}

/// The JSON Lines of one document's stored bytes of `file`.
pub(super) fn decode(file: DocFile, bytes: Vec<u8>, path: &str) -> Result<Vec<u8>, StoreError> {
    if !file.compressed() || bytes.is_empty() {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    zstd::stream::read::Decoder::new(bytes.as_slice())
        .and_then(|mut d| d.read_to_end(&mut out))
        .map_err(|e| StoreError::Unreadable {
            path: path.to_string(),
            message: e.to_string(),
        })?;
    Ok(out)
}

/// A reader of a segment file's JSON Lines: decompressed when the file is
/// a compressed one (by its name).
pub(super) fn lines_of(
    path: &std::path::Path,
    file: std::fs::File,
) -> std::io::Result<Box<dyn BufRead + Send>> {
    // A segment whose documents have no rows is empty: no frame to read.
    let empty = file.metadata()?.len() == 0;
    if path.extension().is_some_and(|x| x == "zst") && !empty {
        Ok(Box::new(BufReader::new(zstd::stream::read::Decoder::new(
            file,
        )?)))
    } else {
        Ok(Box::new(BufReader::new(file)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;

    fn read(path: &std::path::Path) -> String {
        let mut text = String::new();
        lines_of(path, File::open(path).unwrap())
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn documents_frames_read_as_one_stream_and_empty_files_as_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let a = encode(DocFile::Tags, b"{\"a\":1}\n");
        let none = encode(DocFile::Tags, b"");
        let c = encode(DocFile::Tags, b"{\"c\":3}\n");
        assert!(none.is_empty());
        assert_eq!(a, encode(DocFile::Tags, b"{\"a\":1}\n"), "deterministic");
        assert_eq!(encode(DocFile::Documents, b"x\n"), b"x\n");
        let p = dir.path().join("000000.jsonl.zst");
        std::fs::write(&p, [a.clone(), none, c].concat()).unwrap();
        assert_eq!(read(&p), "{\"a\":1}\n{\"c\":3}\n");
        assert_eq!(decode(DocFile::Tags, a, "x").unwrap(), b"{\"a\":1}\n");
        let empty = dir.path().join("000001.jsonl.zst");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(read(&empty), "");
    }
}
