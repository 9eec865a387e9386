//! Exports for researchers (`ystorfa export`): reads the learning
//! repository `build` wrote, applies document filters, and renders every
//! row (no caps) as JSON Lines, JSON or CSV, with the theme codebook taken
//! from the rule set the repository was built with, a theme × document
//! matrix, a JSON Schema per file and a manifest (`export.json`).
//!
//! Rendering ([`render`]) is pure and byte-deterministic; [`write_export`]
//! writes each file atomically and refuses to overwrite a folder that is not
//! a previous export.

use super::csv_cells::csv_cell;
use super::{DocumentRow, PassageRow, RecommendationRow, TagRow, push_row, round3};
use crate::model::DocKind;
use crate::pipeline::output::{current_generation, write_atomic};
use crate::rules::RuleSet;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Written in every export manifest's `tool` field: marks a folder as ours.
pub const EXPORT_TOOL: &str = "ystorfa export";
/// The manifest's file name.
pub const MANIFEST: &str = "export.json";
/// The data files of an export, without extension, in the order written.
pub const EXPORT_TABLES: [&str; 6] = [
    "documents",
    "passages",
    "recommendations",
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
    #[error("no learning repository in {0}: run ystorfa build first (or pass --out)")]
    NoRepository(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
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
    #[error(
        "{0} is not empty and is not a ystorfa export: choose another --to, or pass --force to write into it anyway"
    )]
    NotOurs(String),
    #[error("{0} is part of the build output; export somewhere else")]
    IntoBuild(String),
    #[error(transparent)]
    Write(#[from] crate::pipeline::BuildError),
}

/// The learning repository as `build` wrote it.
#[derive(Debug, Clone, Default)]
pub struct Repository {
    /// `rules_version` of `report.json` (or of the tags when it is missing).
    pub rules_version: String,
    pub documents: Vec<DocumentRow<'static>>,
    pub passages: Vec<PassageRow<'static>>,
    pub recommendations: Vec<RecommendationRow<'static>>,
    pub tags: Vec<TagRow<'static>>,
}

impl Repository {
    /// Read `OUT/repository/*.jsonl` and `OUT/report.json`, all from the
    /// same generation (the one `OUT/current` points to when reading
    /// starts), so a build finishing meanwhile cannot mix two.
    pub fn load(out: &Path) -> Result<Repository, ExportError> {
        let base = current_generation(out).unwrap_or_else(|| out.to_path_buf());
        let dir = base.join("repository");
        if !dir.join("documents.jsonl").is_file() {
            return Err(ExportError::NoRepository(out.display().to_string()));
        }
        let mut repo = Repository {
            rules_version: String::new(),
            documents: read_jsonl(&dir.join("documents.jsonl"))?,
            passages: read_jsonl(&dir.join("passages.jsonl"))?,
            recommendations: read_jsonl(&dir.join("recommendations.jsonl"))?,
            tags: read_jsonl(&dir.join("tags.jsonl"))?,
        };
        let report = base.join("report.json");
        let from_report = std::fs::read(&report)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v.get("rules_version")?.as_str().map(str::to_string));
        repo.rules_version = from_report
            .or_else(|| repo.tags.first().map(|t| t.rules_version.to_string()))
            .unwrap_or_default();
        Ok(repo)
    }
}

/// Read a JSON Lines file of rows.
pub fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, ExportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ExportError::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse_jsonl(&text, &path.display().to_string())
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
/// filter given. Passages, tags and recommendations follow their document.
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

/// One proximity clause of a theme: a word of `a` within `within` words of
/// a word of `b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NearClause {
    pub a: Vec<String>,
    pub b: Vec<String>,
    pub within: usize,
}

/// One row of `themes.*`, the codebook: a theme, the rule text that
/// defines it, and the exported documents it is assigned to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodebookRow {
    /// Theme id, as in `tags.theme` and `documents.themes`.
    pub id: String,
    /// Label for people.
    pub label: String,
    /// What the theme covers.
    pub description: String,
    /// Parent theme id, if the theme is a sub-theme.
    pub parent: Option<String>,
    /// Ids of the sub-themes, in rule-file order.
    pub children: Vec<String>,
    /// Where the theme's definition comes from (URLs, documents).
    pub sources: Vec<String>,
    /// Name of the rule set (`[ruleset] name`).
    pub rules_name: String,
    /// Version (hash) of the rule set: the same as every tag's.
    pub rules_version: String,
    /// Ids of the theme's rules, as in `tags.rule`.
    pub rules: Vec<String>,
    /// Term list (`*` = any ending); matched case-insensitively.
    pub terms: Vec<String>,
    /// Alias list (misspellings, Welsh, US spellings), matched like terms.
    pub aliases: Vec<String>,
    /// Regular expressions (Rust `regex` syntax).
    pub regex: Vec<String>,
    /// Proximity clauses.
    pub near: Vec<NearClause>,
    /// Phrases that cancel a hit they overlap.
    pub exclude: Vec<String>,
    /// Document-level threshold on the theme's evidence score.
    pub min_score: f64,
    /// Whether negation cues ("no evidence of") turn hits into negated ones.
    pub negation: bool,
    /// Example sentences that must produce a hit.
    pub examples_match: Vec<String>,
    /// Example sentences that must not produce a hit.
    pub examples_no_match: Vec<String>,
    /// Number of exported documents the theme is assigned to.
    pub documents: usize,
    /// Those documents' ids, in the order of `documents.*`.
    pub doc_ids: Vec<String>,
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

#[derive(Debug, Deserialize)]
struct RawFile {
    #[serde(default)]
    theme: Vec<RawTheme>,
}

#[derive(Debug, Deserialize)]
struct RawTheme {
    id: String,
    #[serde(default)]
    terms: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    regex: Vec<String>,
    #[serde(default)]
    near: Vec<RawNear>,
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawNear {
    a: Vec<String>,
    b: Vec<String>,
    #[serde(default = "eight")]
    within: usize,
}

fn eight() -> usize {
    8
}

/// The codebook of `rules` (compiled from `rules_src`), with each theme's
/// exported documents, in rule-file order.
pub fn codebook(
    rules: &RuleSet,
    rules_src: &str,
    origin: &str,
    docs: &[&DocumentRow],
) -> Result<Vec<CodebookRow>, ExportError> {
    let raw: RawFile = toml::from_str(rules_src).map_err(|e| ExportError::RulesText {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    let raw: BTreeMap<&str, &RawTheme> = raw.theme.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut rows = Vec::new();
    for (i, t) in rules.themes().iter().enumerate() {
        let r = raw.get(t.id.as_str());
        let doc_ids: Vec<String> = docs
            .iter()
            .filter(|d| d.themes.iter().any(|x| x == &t.id))
            .map(|d| d.id.to_string())
            .collect();
        rows.push(CodebookRow {
            id: t.id.clone(),
            label: t.label.clone(),
            description: t.description.clone(),
            parent: t.parent.clone(),
            children: rules
                .children(&t.id)
                .iter()
                .map(|s| s.to_string())
                .collect(),
            sources: t.sources.clone(),
            rules_name: rules.name().to_string(),
            rules_version: rules.version().to_string(),
            rules: rules
                .rules()
                .iter()
                .filter(|ri| ri.theme == i)
                .map(|ri| ri.id.clone())
                .collect(),
            terms: r.map(|r| r.terms.clone()).unwrap_or_default(),
            aliases: r.map(|r| r.aliases.clone()).unwrap_or_default(),
            regex: r.map(|r| r.regex.clone()).unwrap_or_default(),
            near: r
                .map(|r| {
                    r.near
                        .iter()
                        .map(|n| NearClause {
                            a: n.a.clone(),
                            b: n.b.clone(),
                            within: n.within,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            exclude: r.map(|r| r.exclude.clone()).unwrap_or_default(),
            min_score: round3(t.min_score),
            negation: t.negation,
            examples_match: t.examples_match.clone(),
            examples_no_match: t.examples_no_match.clone(),
            documents: doc_ids.len(),
            doc_ids,
        });
    }
    Ok(rows)
}

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

fn names(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|s| s.to_string()).collect()
}

/// Pretty JSON of a schema, with `title` set to the file it describes.
fn schema_bytes(mut schema: schemars::Schema, file: &str) -> Vec<u8> {
    schema.insert("title".into(), format!("ystorfa export: {file}").into());
    let mut b = serde_json::to_vec_pretty(&schema).unwrap_or_default();
    b.push(b'\n');
    b
}

/// Schema of `theme_matrix.*`: the fixed columns, then one 0/1 property
/// per theme id.
fn matrix_schema(theme_ids: &[String]) -> schemars::Schema {
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
    let tables: [(usize, Vec<u8>, schemars::Schema); 6] = [
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

/// The manifest of a previous export in `dir`, if there is one.
pub fn previous_export(dir: &Path) -> Option<ExportManifest> {
    let bytes = std::fs::read(dir.join(MANIFEST)).ok()?;
    let m: ExportManifest = serde_json::from_slice(&bytes).ok()?;
    (m.tool == EXPORT_TOOL).then_some(m)
}

/// Write `rendered` into `dir` (created if missing), each file atomically,
/// the manifest last. A non-empty `dir` must hold a previous export (whose
/// files are replaced; files of it this export does not write are removed),
/// unless `force`. `out` is the build folder, which is never written into.
pub fn write_export(
    dir: &Path,
    out: &Path,
    rendered: &Rendered,
    force: bool,
) -> Result<(), ExportError> {
    if let (Ok(d), Ok(o)) = (dir.canonicalize(), out.canonicalize()) {
        let build_owned = [".gen", "repository", "search", "current", "cache"]
            .iter()
            .filter_map(|n| o.join(n).canonicalize().ok())
            .any(|p| d.starts_with(&p));
        if d == o || build_owned {
            return Err(ExportError::IntoBuild(dir.display().to_string()));
        }
    }
    let non_empty = std::fs::read_dir(dir)
        .map(|mut rd| rd.next().is_some())
        .unwrap_or(false);
    if non_empty {
        match previous_export(dir) {
            Some(old) => {
                let new: BTreeSet<&str> = rendered.files.iter().map(|(n, _)| n.as_str()).collect();
                for f in &old.files {
                    for name in [&f.name, &f.schema] {
                        let plain = !name.contains(['/', '\\']) && !name.starts_with('.');
                        if plain && !new.contains(name.as_str()) {
                            let _ = std::fs::remove_file(dir.join(name));
                        }
                    }
                }
            }
            None if force => {}
            None => return Err(ExportError::NotOurs(dir.display().to_string())),
        }
    }
    for (name, bytes) in &rendered.files {
        write_atomic(&dir.join(name), bytes)?;
    }
    Ok(())
}

/// The default `--to`: `OUT/export-FORMAT`.
pub fn default_export_dir(out: &Path, format: Format) -> PathBuf {
    out.join(format!("export-{}", format.ext()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::fixtures::corpus;

    /// A tiny fictional rule file: one parent theme, one sub-theme with
    /// every kind of rule text.
    pub(crate) const TINY_RULES: &str = r#"
[ruleset]
name = "fictional tiny rules"
language = ["en"]
builtin_anatomy = false
builtin_bodies = false

[[theme]]
id = "fictional_parent"
label = "Fictional parent theme"
description = "A parent theme for tests."

[[theme]]
id = "fictional_lanterns"
label = "Lanterns (fictional)"
description = "Mentions of lanterns in fictional test reviews."
parent = "fictional_parent"
sources = ["https://example.invalid/fictional-source"]
terms = ["lantern*", "lamp post"]
aliases = ["lanturn"]
regex = ['\bglow(ing)? (lamp|light)s?\b']
near = [{ a = ["light*"], b = ["street"], within = 4 }]
exclude = ["lantern festival"]
min_score = 1.5
[theme.examples]
match = ["The fictional lantern was lit."]
no_match = ["The lantern festival was held."]
"#;

    fn repo_of(docs: &[crate::model::ProcessedDoc], version: &str) -> Repository {
        let files = crate::export::repository_files(docs);
        let get = |n: &str| {
            files
                .iter()
                .find(|(name, _)| name == n)
                .map(|(_, b)| String::from_utf8(b.clone()).expect("utf-8"))
                .unwrap_or_default()
        };
        fn parse<T: serde::de::DeserializeOwned>(s: &str) -> Vec<T> {
            s.lines()
                .map(|l| serde_json::from_str(l).expect("row"))
                .collect()
        }
        Repository {
            rules_version: version.to_string(),
            documents: parse(&get("documents.jsonl")),
            passages: parse(&get("passages.jsonl")),
            recommendations: parse(&get("recommendations.jsonl")),
            tags: parse(&get("tags.jsonl")),
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
        let repo = repo_of(&corpus(), "v");
        key_order(&repo.documents[0], DocumentRow::COLUMNS);
        key_order(&repo.passages[0], PassageRow::COLUMNS);
        key_order(&repo.recommendations[0], RecommendationRow::COLUMNS);
        key_order(&repo.tags[0], TagRow::COLUMNS);
        let rules = RuleSet::from_toml(TINY_RULES, "tiny").expect("rules");
        let book = codebook(&rules, TINY_RULES, "tiny", &[]).expect("codebook");
        key_order(&book[0], CodebookRow::COLUMNS);
    }

    #[test]
    fn repository_rows_round_trip_to_the_same_bytes() {
        let files = crate::export::repository_files(&corpus());
        let repo = repo_of(&corpus(), "v");
        let again = [
            render_rows(&repo.documents, &[], Format::Jsonl),
            render_rows(&repo.passages, &[], Format::Jsonl),
            render_rows(&repo.recommendations, &[], Format::Jsonl),
            render_rows(&repo.tags, &[], Format::Jsonl),
        ];
        for (i, bytes) in again.iter().enumerate() {
            assert_eq!(&files[i].1, bytes, "{}", files[i].0);
        }
    }

    #[test]
    fn codebook_of_a_tiny_rule_file() {
        let rules = RuleSet::from_toml(TINY_RULES, "tiny").expect("rules");
        let book = codebook(&rules, TINY_RULES, "tiny", &[]).expect("codebook");
        insta::assert_json_snapshot!(book);
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
        let (_, tags) = &one.files[6];
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
