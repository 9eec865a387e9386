//! Page content streams: the lexer on its own (it must always terminate and
//! make progress), then the same bytes as the content of a well-formed
//! one-page PDF through the whole extractor, so that the interpreter
//! (text and graphics state, TJ arrays, Form XObjects, marked content,
//! inline images) sees arbitrary operators without lopdf rejecting the file
//! first. The input is split at the first NUL NUL: the part after it is the
//! ToUnicode CMap of the composite font F2.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ystorfa::extract::lexer::Lexer;
use ystorfa::extract::{Limits, extract};

mod common;

fuzz_target!(|data: &[u8]| {
    common::tolerate_caught_lopdf_panics();
    let (content, cmap) = match data.windows(2).position(|w| w == [0, 0]) {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &b""[..]),
    };
    let mut lexer = Lexer::new(content);
    let mut ops = Vec::new();
    let mut n = 0usize;
    while lexer.next_op(&mut ops).is_some() {
        n += 1;
        // Every operator consumes at least one byte.
        assert!(n <= content.len(), "the lexer does not make progress");
    }
    let pdf = common::page_with_content(content, cmap);
    let _ = extract("fuzz.pdf", &pdf, &Limits::default());
});
