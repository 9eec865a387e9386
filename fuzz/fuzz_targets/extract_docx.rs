//! The Word reader on arbitrary bytes, as `build` runs it on an untrusted
//! `.docx`: the ZIP archive, the XML parts, styles, list numbering, tables;
//! then the segmenter on what comes out. It may return an error; it must
//! not panic, hang or exhaust memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::extract_docx(data);
});
