//! Page content streams: the lexer on its own (it must always terminate and
//! make progress), then the same bytes as the content of a well-formed
//! one-page PDF through the whole extractor, so that the interpreter
//! (text and graphics state, TJ arrays, Form XObjects, marked content,
//! inline images) sees arbitrary operators without lopdf rejecting the file
//! first. The input is split at the first NUL NUL: the part after it is the
//! ToUnicode CMap of the composite font F2.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::tolerate_caught_lopdf_panics();
    common::content_stream(data);
});
