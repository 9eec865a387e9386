//! The ToUnicode CMap parser on arbitrary bytes: it never fails (what it
//! cannot read it skips), so it must not panic or hang either, and every
//! mapping it returns must be usable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ystorfa::extract::cmap::ToUnicode;

fuzz_target!(|data: &[u8]| {
    let cm = ToUnicode::parse(data);
    for len in 1..=4u8 {
        for code in [0u32, 1, 0x20, 0x41, 0xff, 0x100, 0xffff, 0x1_0000, u32::MAX] {
            let _ = cm.get(len, code);
        }
    }
});
