//! The whole extractor on arbitrary bytes, as `build` runs it on an
//! untrusted file: lopdf loading, fonts and CMaps, the content-stream
//! interpreter, layout, running headers and footers; then the segmenter on
//! what comes out. It may return an error; it must not panic, hang or
//! exhaust memory (libFuzzer's -timeout and -rss_limit_mb catch those).
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::tolerate_caught_lopdf_panics();
    common::extract_pdf(data);
});
