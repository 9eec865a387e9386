//! The ToUnicode CMap parser on arbitrary bytes: it never fails (what it
//! cannot read it skips), so it must not panic or hang either, and every
//! mapping it returns must be usable.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::tolerate_caught_lopdf_panics();
    common::to_unicode_cmap(data);
});
