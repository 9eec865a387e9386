//! Exports for researchers (`ystorfa export`): from the learning
//! repository's rows (read through the store by the command), applies
//! document filters, and renders every row (no caps) as JSON Lines, JSON
//! or CSV, with the theme codebook taken from the rule set the repository
//! was built with ([`codebook`](mod@super::codebook)), a theme × document
//! matrix, a JSON Schema per file and a manifest (`export.json`).
//!
//! Rendering ([`render`]) is pure and byte-deterministic; the command
//! writes the files.

use super::codebook::{CodebookRow, codebook};
use super::table::{Columns, matrix_schema, names, render_rows, schema_bytes};
use super::{ActionRow, DocumentRow, PassageRow, RecommendationRow, TagRow};
use crate::model::DocKind;
use crate::rules::RuleSet;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Written in every export manifest's `tool` field: marks a folder as ours.
pub const EXPORT_TOOL: &str = "ystorfa export";
/// The manifest's file name.
pub const MANIFEST: &str = "export.json";
/// The data files of an export, without extension, in the order written.
pub const EXPORT_TABLES: [&str; 7] = [
    "documents",
    "passages",
    "recommendations",
    "action_plans",
    "tags",
    "themes",
    "theme_matrix",
];

/// Output format of the data files.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// One JSON array per file, one object per line.
    Json,
    /// RFC 4180 CSV with a header row (CRLF line ends).
    Csv,
}

impl Format {
    /// File extension (and `--format` value).
    pub fn ext(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

/// What can go wrong in an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}:{line}: not a row of this version's repository: {message}")]
    Parse {
        path: String,
        line: usize,
        message: String,
    },
    #[error(
        "the repository was built with rules version {repository}, but {origin} is version {rules}: \
         pass the rule file it was built with (--rules FILE), or run ystorfa build again, so that \
         the codebook matches the tags"
    )]
    RulesMismatch {
        repository: String,
        rules: String,
        origin: String,
    },
    #[error("cannot read the rule definitions of {origin}: {message}")]
    RulesText { origin: String, message: String },
    #[error("unknown theme {0:?} in --theme (the rule set has no such theme)")]
    UnknownTheme(String),
}

/// The learning repository's rows, as `build` wrote them (the command reads
/// them through the store).
#[derive(Debug, Clone, Default)]
pub struct Repository {
    /// `rules_version` of `report.json` (or of the tags when it is missing).
    pub rules_version: String,
    pub documents: Vec<DocumentRow<'static>>,
    pub passages: Vec<PassageRow<'static>>,
    pub recommendations: Vec<RecommendationRow<'static>>,
    pub action_plans: Vec<ActionRow<'static>>,
    pub tags: Vec<TagRow<'static>>,
}

/// Parse JSON Lines rows; errors name `origin` and the line.
pub fn parse_jsonl<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
) -> Result<Vec<T>, ExportError> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        rows.push(serde_json::from_str(line).map_err(|e| ExportError::Parse {
            path: origin.to_string(),
            line: i + 1,
            message: e.to_string(),
        })?);
    }
    Ok(rows)
}

/// Which documents to export; a document is kept when it passes every
/// filter given. Passages, recommendations, action-plan rows and tags
/// follow their document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    /// Documents carrying any of these themes (none: no theme filter).
    pub themes: Vec<String>,
    /// Documents of any of these kinds (none: every kind).
    pub kinds: Vec<DocKind>,
    /// Documents of this year or later (documents without a year are left out).
    pub year_from: Option<i32>,
    /// Documents of this year or earlier (documents without a year are left out).
    pub year_to: Option<i32>,
    /// Only these document ids (none: every document).
    pub docs: Vec<String>,
}

impl Filters {
    /// Whether document `d` is exported.
    pub fn keeps(&self, d: &DocumentRow) -> bool {
        let theme_ok =
            self.themes.is_empty() || d.themes.iter().any(|t| self.themes.iter().any(|f| f == t));
        let kind_ok = self.kinds.is_empty() || self.kinds.contains(&d.kind);
        let year_ok = match (self.year_from, self.year_to, d.year) {
            (None, None, _) => true,
            (_, _, None) => false,
            (from, to, Some(y)) => from.is_none_or(|f| y >= f) && to.is_none_or(|t| y <= t),
        };
        let doc_ok = self.docs.is_empty() || self.docs.iter().any(|id| id == &d.id);
        theme_ok && kind_ok && year_ok && doc_ok
    }
}

/// One row of `theme_matrix.*`: a document and, for every theme of the
/// codebook (in rule-file order), 1 when assigned, 0 otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixRow {
    pub doc_id: String,
    pub file: String,
    pub title: String,
    pub kind: DocKind,
    pub year: Option<i32>,
    /// (theme id, 1 or 0), in codebook order.
    pub themes: Vec<(String, u8)>,
}

/// The fixed columns of `theme_matrix.*`; one column per theme follows.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixColumns {
    /// Document id.
    pub doc_id: String,
    /// The document's input path.
    pub file: String,
    /// The document's title.
    pub title: String,
    /// Type of document.
    pub kind: DocKind,
    /// Year of the document, if known.
    pub year: Option<i32>,
}

/// Names of [`MatrixColumns`]' fields, in order.
pub const MATRIX_FIXED: [&str; 5] = ["doc_id", "file", "title", "kind", "year"];

impl Serialize for MatrixRow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(5 + self.themes.len()))?;
        m.serialize_entry("doc_id", &self.doc_id)?;
        m.serialize_entry("file", &self.file)?;
        m.serialize_entry("title", &self.title)?;
        m.serialize_entry("kind", &self.kind)?;
        m.serialize_entry("year", &self.year)?;
        for (id, v) in &self.themes {
            m.serialize_entry(id, v)?;
        }
        m.end()
    }
}

/// One data file in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileRecord {
    /// File name.
    pub name: String,
    /// Name of its JSON Schema file.
    pub schema: String,
    /// Number of rows (not counting a CSV header).
    pub rows: usize,
}

/// `export.json`: what an export holds and how it was made. Its presence
/// (with `tool` = "ystorfa export") marks the folder as an export that a
/// later export may replace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportManifest {
    /// Always "ystorfa export".
    pub tool: String,
    /// ystorfa's version.
    pub tool_version: String,
    /// Format of the data files.
    pub format: Format,
    /// Name of the rule set.
    pub rules_name: String,
    /// Version of the rule set (the repository's).
    pub rules_version: String,
    /// The document filters applied.
    pub filters: Filters,
    /// The data files, in order.
    pub files: Vec<FileRecord>,
}

/// A rendered export: file names and bytes, data files first (each followed
/// by its schema), the manifest last.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub files: Vec<(String, Vec<u8>)>,
    pub manifest: ExportManifest,
}

impl Rendered {
    /// `documents=3 passages=120 ...` for the summary line.
    pub fn counts(&self) -> String {
        self.manifest
            .files
            .iter()
            .map(|f| {
                let stem = f.name.rsplit_once('.').map_or(f.name.as_str(), |(s, _)| s);
                format!("{stem}={}", f.rows)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Render an export of `repo`: check that `rules` is the rule set it was
/// built with, keep the documents `filters` selects, and render every file.
pub fn render(
    repo: &Repository,
    rules: &RuleSet,
    rules_src: &str,
    origin: &str,
    filters: &Filters,
    format: Format,
) -> Result<Rendered, ExportError> {
    if rules.version() != repo.rules_version {
        return Err(ExportError::RulesMismatch {
            repository: repo.rules_version.clone(),
            rules: rules.version().to_string(),
            origin: origin.to_string(),
        });
    }
    if let Some(t) = filters.themes.iter().find(|t| rules.theme(t).is_none()) {
        return Err(ExportError::UnknownTheme(t.clone()));
    }
    let docs: Vec<&DocumentRow<'static>> =
        repo.documents.iter().filter(|d| filters.keeps(d)).collect();
    let kept: BTreeSet<&str> = docs.iter().map(|d| d.id.as_ref()).collect();
    let keep = |id: &str| kept.contains(id);
    let passages: Vec<_> = repo.passages.iter().filter(|p| keep(&p.doc_id)).collect();
    let recs: Vec<_> = repo
        .recommendations
        .iter()
        .filter(|r| keep(&r.doc_id))
        .collect();
    let plans: Vec<_> = repo
        .action_plans
        .iter()
        .filter(|a| keep(&a.doc_id))
        .collect();
    let tags: Vec<_> = repo.tags.iter().filter(|t| keep(&t.doc_id)).collect();
    let book = codebook(rules, rules_src, origin, &docs)?;
    let theme_ids: Vec<String> = book.iter().map(|t| t.id.clone()).collect();
    let matrix: Vec<MatrixRow> = docs
        .iter()
        .map(|d| MatrixRow {
            doc_id: d.id.to_string(),
            file: d.file.to_string(),
            title: d.title.to_string(),
            kind: d.kind,
            year: d.year,
            themes: theme_ids
                .iter()
                .map(|id| (id.clone(), u8::from(d.themes.iter().any(|t| t == id))))
                .collect(),
        })
        .collect();
    let mut matrix_cols = names(&MATRIX_FIXED);
    matrix_cols.extend(theme_ids.iter().cloned());

    let ext = format.ext();
    let tables: [(usize, Vec<u8>, schemars::Schema); 7] = [
        (
            docs.len(),
            render_rows(&docs, &names(DocumentRow::COLUMNS), format),
            schemars::schema_for!(DocumentRow<'static>),
        ),
        (
            passages.len(),
            render_rows(&passages, &names(PassageRow::COLUMNS), format),
            schemars::schema_for!(PassageRow<'static>),
        ),
        (
            recs.len(),
            render_rows(&recs, &names(RecommendationRow::COLUMNS), format),
            schemars::schema_for!(RecommendationRow<'static>),
        ),
        (
            plans.len(),
            render_rows(&plans, &names(ActionRow::COLUMNS), format),
            schemars::schema_for!(ActionRow<'static>),
        ),
        (
            tags.len(),
            render_rows(&tags, &names(TagRow::COLUMNS), format),
            schemars::schema_for!(TagRow<'static>),
        ),
        (
            book.len(),
            render_rows(&book, &names(CodebookRow::COLUMNS), format),
            schemars::schema_for!(CodebookRow),
        ),
        (
            matrix.len(),
            render_rows(&matrix, &matrix_cols, format),
            matrix_schema(&theme_ids),
        ),
    ];
    let mut files = Vec::new();
    let mut records = Vec::new();
    for (stem, (rows, bytes, schema)) in EXPORT_TABLES.iter().zip(tables) {
        let name = format!("{stem}.{ext}");
        let schema_name = format!("{stem}.schema.json");
        files.push((name.clone(), bytes));
        files.push((schema_name.clone(), schema_bytes(schema, &name)));
        records.push(FileRecord {
            name,
            schema: schema_name,
            rows,
        });
    }
    let manifest = ExportManifest {
        tool: EXPORT_TOOL.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        format,
        rules_name: rules.name().to_string(),
        rules_version: rules.version().to_string(),
        filters: filters.clone(),
        files: records,
    };
    let mut m = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    m.push(b'\n');
    files.push((MANIFEST.to_string(), m));
    Ok(Rendered { files, manifest })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::codebook::tests::TINY_RULES;
    use crate::index::fixtures::corpus;

    /// The sample fixtures, and a fictional review with an action plan.
    fn docs() -> Vec<crate::model::ProcessedDoc> {
        let mut v = corpus();
        v.push(crate::export::action_plans::tests::fictional_review());
        v
    }

    /// The rendered rows of `docs`, per table, in repository order.
    fn tables(docs: &[crate::model::ProcessedDoc]) -> [Vec<u8>; 5] {
        let mut sorted: Vec<&crate::model::ProcessedDoc> = docs.iter().collect();
        sorted.sort_by(|a, b| crate::export::repository_order(a, b));
        let mut t: [Vec<u8>; 5] = Default::default();
        for pd in sorted {
            let r = crate::export::doc_rows(pd);
            let rows = [
                r.documents,
                r.passages,
                r.recommendations,
                r.action_plans,
                r.tags,
            ];
            for (table, rows) in t.iter_mut().zip(rows) {
                table.extend(rows);
            }
        }
        t
    }

    fn repo_of(docs: &[crate::model::ProcessedDoc], version: &str) -> Repository {
        let [d, p, r, a, t] = tables(docs);
        let parse = |b: &[u8]| std::str::from_utf8(b).expect("utf-8").to_string();
        Repository {
            rules_version: version.to_string(),
            documents: parse_jsonl(&parse(&d), "documents").expect("rows"),
            passages: parse_jsonl(&parse(&p), "passages").expect("rows"),
            recommendations: parse_jsonl(&parse(&r), "recommendations").expect("rows"),
            action_plans: parse_jsonl(&parse(&a), "action_plans").expect("rows"),
            tags: parse_jsonl(&parse(&t), "tags").expect("rows"),
        }
    }

    /// Serialisation key order of one row, from its JSON text.
    fn key_order<T: Serialize>(row: &T, columns: &[&str]) {
        let json = serde_json::to_string(row).expect("json");
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        let obj = v.as_object().expect("object");
        assert_eq!(obj.len(), columns.len(), "{json}");
        let pos: Vec<usize> = columns
            .iter()
            .map(|c| json.find(&format!("\"{c}\":")).expect(c))
            .collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{columns:?} vs {json}");
    }

    #[test]
    fn columns_are_the_fields_in_serialisation_order() {
        let repo = repo_of(&docs(), "v");
        key_order(&repo.documents[0], DocumentRow::COLUMNS);
        key_order(&repo.passages[0], PassageRow::COLUMNS);
        key_order(&repo.recommendations[0], RecommendationRow::COLUMNS);
        for a in &repo.action_plans {
            key_order(a, ActionRow::COLUMNS);
        }
        assert!(!repo.action_plans.is_empty());
        key_order(&repo.tags[0], TagRow::COLUMNS);
        let rules = RuleSet::from_toml(TINY_RULES, "tiny").expect("rules");
        let book = codebook(&rules, TINY_RULES, "tiny", &[]).expect("codebook");
        key_order(&book[0], CodebookRow::COLUMNS);
    }

    #[test]
    fn repository_rows_round_trip_to_the_same_bytes() {
        let tables = tables(&docs());
        let repo = repo_of(&docs(), "v");
        let again = [
            render_rows(&repo.documents, &[], Format::Jsonl),
            render_rows(&repo.passages, &[], Format::Jsonl),
            render_rows(&repo.recommendations, &[], Format::Jsonl),
            render_rows(&repo.action_plans, &[], Format::Jsonl),
            render_rows(&repo.tags, &[], Format::Jsonl),
        ];
        for (i, bytes) in again.iter().enumerate() {
            assert_eq!(&tables[i], bytes, "table {i}");
        }
    }

    #[test]
    fn action_plan_rows_follow_their_document_in_every_format() {
        let rules = RuleSet::from_toml(TINY_RULES, "tiny").expect("rules");
        let repo = repo_of(&docs(), rules.version());
        let plan_doc = repo.action_plans[0].doc_id.to_string();
        let only = |id: &str| Filters {
            docs: vec![id.to_string()],
            ..Filters::default()
        };
        let r = render(
            &repo,
            &rules,
            TINY_RULES,
            "t",
            &only(&plan_doc),
            Format::Csv,
        )
        .expect("render");
        let (name, bytes) = &r.files[6];
        assert_eq!(name, "action_plans.csv");
        assert_eq!(r.manifest.files[3].rows, 4);
        let csv = String::from_utf8(bytes.clone()).expect("utf-8");
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some(ActionRow::COLUMNS.join(",").as_str()));
        // The lead's bodies are one cell of JSON text; a row without a
        // recommendation has an empty cell.
        assert!(
            csv.contains("\"\"canonical\"\":\"\"Glanmor Police\"\""),
            "{csv}"
        );
        assert!(lines.any(|l| l.contains(",,7,")), "{csv}");
        let other = repo
            .documents
            .iter()
            .find(|d| d.id != plan_doc)
            .expect("a doc");
        let r = render(
            &repo,
            &rules,
            TINY_RULES,
            "t",
            &only(&other.id),
            Format::Jsonl,
        )
        .expect("render");
        assert_eq!(r.manifest.files[3].rows, 0);
        assert_eq!(r.files[7].0, "action_plans.schema.json");
    }

    #[test]
    fn mismatched_rules_are_refused() {
        let rules = RuleSet::from_toml(TINY_RULES, "tiny").expect("rules");
        let repo = repo_of(&corpus(), "not-this-version");
        let err = render(
            &repo,
            &rules,
            TINY_RULES,
            "tiny.toml",
            &Filters::default(),
            Format::Jsonl,
        )
        .expect_err("mismatch");
        let msg = err.to_string();
        assert!(
            msg.contains("not-this-version") && msg.contains(rules.version()),
            "{msg}"
        );
        assert!(msg.contains("tiny.toml"), "{msg}");
    }

    #[test]
    fn filters_select_documents_and_follow_through() {
        let rules = RuleSet::from_toml(TINY_RULES, "tiny").expect("rules");
        let repo = repo_of(&corpus(), rules.version());
        let all = render(
            &repo,
            &rules,
            TINY_RULES,
            "t",
            &Filters::default(),
            Format::Jsonl,
        )
        .expect("render");
        assert_eq!(all.manifest.files[0].rows, repo.documents.len());
        let first = repo.documents[0].clone();
        let only = Filters {
            docs: vec![first.id.to_string()],
            ..Filters::default()
        };
        let one = render(&repo, &rules, TINY_RULES, "t", &only, Format::Jsonl).expect("render");
        assert_eq!(one.manifest.files[0].rows, 1);
        let passages = repo
            .passages
            .iter()
            .filter(|p| p.doc_id == first.id)
            .count();
        assert_eq!(one.manifest.files[1].rows, passages);
        assert!(passages > 0 && passages < repo.passages.len());
        let (_, tags) = &one.files[8];
        for line in std::str::from_utf8(tags).expect("utf-8").lines() {
            assert!(
                line.contains(&format!("\"doc_id\":\"{}\"", first.id)),
                "{line}"
            );
        }
        // Kinds and years.
        let k = Filters {
            kinds: vec![first.kind],
            ..Filters::default()
        };
        assert!(
            repo.documents
                .iter()
                .filter(|d| k.keeps(d))
                .all(|d| d.kind == first.kind)
        );
        let mut d = first.clone();
        d.year = Some(2020);
        let y = |from, to| Filters {
            year_from: from,
            year_to: to,
            ..Filters::default()
        };
        assert!(y(Some(2020), Some(2020)).keeps(&d));
        assert!(y(Some(2019), None).keeps(&d));
        assert!(!y(Some(2021), None).keeps(&d));
        assert!(!y(None, Some(2019)).keeps(&d));
        d.year = None;
        assert!(!y(Some(2000), None).keeps(&d));
        assert!(y(None, None).keeps(&d));
        // Themes: any of them.
        d.themes = vec!["a".into(), "b".into()];
        let t = |ids: &[&str]| Filters {
            themes: ids.iter().map(|s| s.to_string()).collect(),
            ..Filters::default()
        };
        assert!(t(&["x", "b"]).keeps(&d));
        assert!(!t(&["x"]).keeps(&d));
        // Unknown theme ids are an error, not an empty export.
        let bad = render(
            &repo,
            &rules,
            TINY_RULES,
            "t",
            &t(&["no_such"]),
            Format::Jsonl,
        );
        assert!(matches!(bad, Err(ExportError::UnknownTheme(_))));
    }
}
