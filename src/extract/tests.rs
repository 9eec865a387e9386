//! Tests for the extractor: generated PDFs with known text.
use super::*;

#[test]
fn f1_basics() {
    assert_eq!(word_f1("a b c", "a b c"), 1.0);
    assert_eq!(word_f1("", ""), 1.0);
    assert_eq!(word_f1("a b", ""), 0.0);
    let f = word_f1("a a b", "a b b");
    assert!((f - 2.0 / 3.0).abs() < 1e-9, "{f}");
    assert_eq!(word_f1("\u{fb01}ne", "fine"), 1.0);
}
