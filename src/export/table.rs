//! The tables of an export as bytes: rows as JSON Lines, JSON or CSV (the
//! CSV header from each row type's [`Columns`]), and the JSON Schemas that
//! describe them.

use super::codebook::CodebookRow;
use super::csv_cells::csv_cell;
use super::research::{Format, MatrixColumns};
use super::{ActionRow, DocumentRow, PassageRow, RecommendationRow, TagRow, push_row};
use serde::Serialize;

/// Columns of a row type in serialisation order (the CSV header).
pub trait Columns {
    const COLUMNS: &'static [&'static str];
}

impl Columns for DocumentRow<'_> {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "file",
        "sha256",
        "title",
        "kind",
        "year",
        "area",
        "language",
        "pages",
        "themes",
        "recommendations",
        "warnings",
    ];
}
impl Columns for PassageRow<'_> {
    const COLUMNS: &'static [&'static str] = &[
        "doc_id",
        "index",
        "kind",
        "page",
        "section",
        "section_kind",
        "start",
        "end",
        "text",
    ];
}
impl Columns for RecommendationRow<'_> {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "doc_id",
        "file",
        "ordinal",
        "text",
        "page",
        "section",
        "section_kind",
        "agencies",
        "addressees",
        "level",
        "themes",
        "start",
        "end",
        "action_plan_page",
        "action_plan",
        "cues",
        "translation_of",
    ];
}
impl Columns for ActionRow<'_> {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "doc_id",
        "recommendation_id",
        "ordinal",
        "recommendation_text",
        "action",
        "lead",
        "lead_addressees",
        "target_date",
        "target_date_iso",
        "milestones",
        "outcome",
        "scope",
        "other",
        "page",
        "start",
        "end",
        "text",
    ];
}
impl Columns for TagRow<'_> {
    const COLUMNS: &'static [&'static str] = &[
        "doc_id",
        "theme",
        "rule",
        "rules_version",
        "polarity",
        "page",
        "section",
        "section_kind",
        "start",
        "end",
        "matched",
        "weight",
    ];
}
impl Columns for CodebookRow {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "label",
        "description",
        "parent",
        "children",
        "sources",
        "rules_name",
        "rules_version",
        "rules",
        "terms",
        "aliases",
        "regex",
        "near",
        "exclude",
        "min_score",
        "negation",
        "examples_match",
        "examples_no_match",
        "documents",
        "doc_ids",
    ];
}

/// Rows in `format`; `columns` is the CSV header.
pub fn render_rows<T: Serialize>(rows: &[T], columns: &[String], format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    match format {
        Format::Jsonl => {
            for r in rows {
                push_row(&mut out, r);
            }
        }
        Format::Json => {
            out.push(b'[');
            for (i, r) in rows.iter().enumerate() {
                out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                if let Ok(line) = serde_json::to_vec(r) {
                    out.extend_from_slice(&line);
                }
            }
            if !rows.is_empty() {
                out.push(b'\n');
            }
            out.extend_from_slice(b"]\n");
        }
        Format::Csv => {
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new());
            // Writing to a Vec cannot fail.
            let _ = w.write_record(columns);
            for r in rows {
                let v = serde_json::to_value(r).unwrap_or_default();
                let cells = columns
                    .iter()
                    .map(|c| csv_cell(v.get(c).unwrap_or(&serde_json::Value::Null)));
                let _ = w.write_record(cells);
            }
            out = w.into_inner().unwrap_or_default();
        }
    }
    out
}

pub(super) fn names(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|s| s.to_string()).collect()
}

/// Pretty JSON of a schema, with `title` set to the file it describes.
pub(super) fn schema_bytes(mut schema: schemars::Schema, file: &str) -> Vec<u8> {
    schema.insert("title".into(), format!("ystorfa export: {file}").into());
    let mut b = serde_json::to_vec_pretty(&schema).unwrap_or_default();
    b.push(b'\n');
    b
}

/// Schema of `theme_matrix.*`: the fixed columns, then one 0/1 property
/// per theme id.
pub(super) fn matrix_schema(theme_ids: &[String]) -> schemars::Schema {
    let mut s = schemars::schema_for!(MatrixColumns);
    if let Some(obj) = s.as_object_mut() {
        if let Some(props) = obj.get_mut("properties").and_then(|p| p.as_object_mut()) {
            for id in theme_ids {
                props.insert(
                    id.clone(),
                    serde_json::json!({
                        "type": "integer",
                        "enum": [0, 1],
                        "description": format!("1 when theme {id} is assigned to the document, else 0."),
                    }),
                );
            }
        }
        if let Some(req) = obj.get_mut("required").and_then(|r| r.as_array_mut()) {
            req.extend(
                theme_ids
                    .iter()
                    .map(|id| serde_json::Value::from(id.as_str())),
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_render_the_same_rows() {
        #[derive(Serialize)]
        struct R {
            a: &'static str,
            b: Vec<&'static str>,
            n: Option<i32>,
        }
        let rows = [
            R {
                a: "=1+1",
                b: vec!["x", "y"],
                n: Some(3),
            },
            R {
                a: "line\nbreak, \"q\"",
                b: vec![],
                n: None,
            },
        ];
        let cols = names(&["a", "b", "n"]);
        let jsonl = String::from_utf8(render_rows(&rows, &cols, Format::Jsonl)).expect("utf8");
        assert_eq!(
            jsonl,
            "{\"a\":\"=1+1\",\"b\":[\"x\",\"y\"],\"n\":3}\n{\"a\":\"line\\nbreak, \\\"q\\\"\",\"b\":[],\"n\":null}\n"
        );
        let json = String::from_utf8(render_rows(&rows, &cols, Format::Json)).expect("utf8");
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(v.as_array().map(Vec::len), Some(2));
        assert_eq!(render_rows::<R>(&[], &cols, Format::Json), b"[]\n");
        let csv = String::from_utf8(render_rows(&rows, &cols, Format::Csv)).expect("utf8");
        assert_eq!(
            csv,
            "a,b,n\r\n'=1+1,x;y,3\r\n\"line\nbreak, \"\"q\"\"\",,\r\n"
        );
        assert_eq!(render_rows::<R>(&[], &cols, Format::Csv), b"a,b,n\r\n");
    }
}
