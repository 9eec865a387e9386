//! CSV flattening of JSON rows, and the guard against spreadsheet formula
//! injection.
//!
//! A row is flattened field by field: null → empty cell, booleans and
//! numbers as JSON writes them, strings as they are, arrays of strings
//! joined with `;` (an array holding a `;` or anything but strings is
//! written as its JSON text instead, so nothing is ambiguous), objects as
//! their JSON text. Every cell that came from text and starts with `=`,
//! `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP,
//! "CSV Injection"), so a spreadsheet shows it as text instead of running
//! it as a formula. Numbers are never prefixed.

use serde_json::Value;

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `cell` with a leading `'` when it starts like a formula.
pub fn guard_formula(cell: &str) -> String {
    if cell.starts_with(FORMULA_START) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// One JSON value as a CSV cell (see the module documentation).
pub fn csv_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => guard_formula(s),
        Value::Array(items) => {
            let strings: Option<Vec<&str>> = items
                .iter()
                .map(|i| i.as_str().filter(|s| !s.contains(';')))
                .collect();
            match strings {
                Some(parts) => guard_formula(&parts.join(";")),
                None => guard_formula(&v.to_string()),
            }
        }
        Value::Object(_) => guard_formula(&v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars() {
        assert_eq!(csv_cell(&Value::Null), "");
        assert_eq!(csv_cell(&json!(true)), "true");
        assert_eq!(csv_cell(&json!(2024)), "2024");
        assert_eq!(csv_cell(&json!(0.125)), "0.125");
        assert_eq!(csv_cell(&json!(-3)), "-3", "numbers are not guarded");
        assert_eq!(
            csv_cell(&json!("plain, \"quoted\" text")),
            "plain, \"quoted\" text"
        );
    }

    #[test]
    fn arrays_join_with_semicolons_unless_ambiguous() {
        assert_eq!(csv_cell(&json!([])), "");
        assert_eq!(csv_cell(&json!(["police", "housing"])), "police;housing");
        assert_eq!(csv_cell(&json!(["a;b", "c"])), r#"["a;b","c"]"#);
        assert_eq!(
            csv_cell(&json!([{"a": ["x"], "within": 6}])),
            r#"[{"a":["x"],"within":6}]"#
        );
        assert_eq!(csv_cell(&json!([1, 2])), "[1,2]");
    }

    #[test]
    fn objects_become_json_text() {
        assert_eq!(csv_cell(&json!({"k": "v"})), r#"{"k":"v"}"#);
    }

    #[test]
    fn formula_starts_are_guarded() {
        for hostile in [
            "=HYPERLINK(\"http://fictional.invalid\",\"click\")",
            "+1+1",
            "-2+3",
            "@SUM(A1:A2)",
            "\tindented",
            "\rreturn",
        ] {
            let cell = csv_cell(&json!(hostile));
            assert_eq!(cell, format!("'{hostile}"));
        }
        assert_eq!(csv_cell(&json!(["=cmd", "b"])), "'=cmd;b");
        assert_eq!(guard_formula("fine = text"), "fine = text");
        assert_eq!(guard_formula(""), "");
        assert_eq!(guard_formula("'already"), "'already");
    }
}
