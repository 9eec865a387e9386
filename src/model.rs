//! Shared types that flow between the pipeline stages.
//!
//! `extract` produces an [`ExtractedDoc`] (pages → blocks → lines, with the
//! removed page furniture and the warnings); `segment` turns it into a
//! [`Document`] (one body text, sections, passages, sentences, all pointing
//! into that text by byte offsets); `tag` adds [`Tag`]s and
//! [`Recommendation`]s; `index` and `export` consume [`ProcessedDoc`].
//!
//! Offsets: every `start`/`end` in these types is a **byte** offset into
//! [`Document::text`] (UTF-8). Exports convert them to character offsets.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An axis-aligned box in PDF user space (points, origin bottom-left).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
    /// The smallest box holding both.
    pub fn union(&self, other: &Rect) -> Rect {
        Rect {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }
}

/// One line of text as laid out on the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    pub bbox: Rect,
    /// Base font name of the dominant font, subset prefix removed (`Arial-BoldMT`).
    pub font: String,
    /// Dominant font size in points (after the text matrix is applied).
    pub size: f32,
    pub bold: bool,
    pub italic: bool,
}

/// A block of consecutive lines (a paragraph, heading or list item), or a
/// whole table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// The lines in reading order. For a table, its rows in turn (see
    /// [`Table::lines`]), so that whatever reads only lines reads a table
    /// row by row, never across a wrapped cell.
    pub lines: Vec<Line>,
    pub bbox: Rect,
    /// The block is a table: its rows of cells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Table>,
}

impl Block {
    /// A block of lines (no table), its box the union of theirs.
    pub fn of_lines(lines: Vec<Line>) -> Block {
        let bbox = union_of(lines.iter().map(|l| &l.bbox));
        Block {
            lines,
            bbox,
            table: None,
        }
    }

    /// A table block: its lines are the cells' lines, row by row.
    pub fn of_table(table: Table) -> Block {
        let lines = table.lines();
        let bbox = union_of(table.rows.iter().map(|r| &r.bbox));
        Block {
            lines,
            bbox,
            table: Some(table),
        }
    }

    /// The block's text, lines joined by `\n`.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (i, l) in self.lines.iter().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str(&l.text);
        }
        s
    }
}

/// The union of boxes (the default box when there are none).
fn union_of<'a>(boxes: impl Iterator<Item = &'a Rect>) -> Rect {
    boxes
        .copied()
        .reduce(|a, b| a.union(&b))
        .unwrap_or_default()
}

/// A table found by the extractor: rows of cells, each cell's lines kept
/// together in reading order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// How the table was recognised.
    pub source: TableSource,
    /// Number of columns; every row's cells cover them all, in order.
    pub columns: usize,
    /// The table goes on from the last table of the previous page (a table
    /// broken by a page break; its header row is then usually repeated).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub continues: bool,
    /// Rows top to bottom.
    pub rows: Vec<Row>,
}

impl Table {
    /// The table's lines in reading order, row by row: a row whose cells
    /// hold one line each is one line (the cells joined by a space, as the
    /// row reads across the page); a row with a wrapped cell gives each
    /// cell's lines in turn, left to right, so no line mixes two cells.
    pub fn lines(&self) -> Vec<Line> {
        let mut out = Vec::new();
        for r in &self.rows {
            let filled: Vec<&Cell> = r.cells.iter().filter(|c| !c.lines.is_empty()).collect();
            if filled.iter().any(|c| c.lines.len() > 1) || filled.len() < 2 {
                out.extend(filled.iter().flat_map(|c| c.lines.iter().cloned()));
                continue;
            }
            let lines: Vec<&Line> = filled.iter().map(|c| &c.lines[0]).collect();
            let Some(longest) = lines.iter().max_by_key(|l| l.text.len()) else {
                continue;
            };
            out.push(Line {
                text: lines
                    .iter()
                    .map(|l| l.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                bbox: union_of(lines.iter().map(|l| &l.bbox)),
                ..(*longest).clone()
            });
        }
        out
    }
}

/// How a [`Table`] was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableSource {
    /// A grid of drawn rules (lines or thin filled rectangles) in a PDF.
    Ruled,
    /// Text aligned in columns, without rules, in a PDF.
    Aligned,
    /// A Markdown pipe table (`| a | b |`).
    Markdown,
    /// Tab-separated lines of a text file.
    Tabs,
}

/// What a table row is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Default,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// The column names.
    Header,
    /// The header row repeated at the top of a later page: not data.
    RepeatedHeader,
    #[default]
    Data,
}

/// One row of a [`Table`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub kind: RowKind,
    /// The row is the rest of the last row of the previous page's table,
    /// cut by the page break (its first cell goes on where that one stopped).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub continued: bool,
    /// One cell per column or run of merged columns, left to right; an
    /// empty cell has no lines.
    pub cells: Vec<Cell>,
    pub bbox: Rect,
}

/// One cell of a [`Row`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The first column the cell covers (0-based).
    pub column: usize,
    /// How many columns it covers (more than 1 for merged cells).
    pub span: usize,
    /// The cell's lines in reading order (a wrapped cell has several).
    pub lines: Vec<Line>,
    pub bbox: Rect,
}

/// One page of an extracted document: body blocks in reading order, with the
/// running headers/footers and page numbers removed from the body and kept here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// Physical page number, 1-based.
    pub number: u32,
    /// The page label printed on the page or in /PageLabels ("iv", "12"), if known.
    pub label: Option<String>,
    pub width: f32,
    pub height: f32,
    /// Body text blocks in reading order.
    pub blocks: Vec<Block>,
    /// Running header lines removed from the body.
    pub header: Vec<String>,
    /// Running footer lines (including "Page X of Y") removed from the body.
    pub footer: Vec<String>,
    /// True when the page has no text layer but shows an image (scanned page).
    pub needs_ocr: bool,
}

impl Page {
    /// The body text of the page: blocks separated by a blank line.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (i, b) in self.blocks.iter().enumerate() {
            if i > 0 {
                s.push_str("\n\n");
            }
            s.push_str(&b.text());
        }
        s
    }
}

/// Where a warning applies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Warning {
    /// 1-based page, when the warning is about one page.
    pub page: Option<u32>,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.page {
            Some(p) => write!(f, "page {p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Document-level metadata found by the extractor (PDF Info dictionary, or
/// a Markdown title), all optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SourceMeta {
    pub title: Option<String>,
    pub author: Option<String>,
    pub subject: Option<String>,
    pub producer: Option<String>,
    /// Creation year from the PDF's CreationDate, if any.
    pub year: Option<i32>,
}

/// What `extract` returns: the pages of one input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractedDoc {
    /// The input path as walked (forward slashes).
    pub file: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub format: SourceFormat,
    pub meta: SourceMeta,
    pub pages: Vec<Page>,
    pub warnings: Vec<Warning>,
}

impl ExtractedDoc {
    /// Bytes of text on its pages' lines (what segmenting and tagging
    /// work through).
    pub fn text_bytes(&self) -> u64 {
        self.pages
            .iter()
            .flat_map(|p| &p.blocks)
            .flat_map(|b| &b.lines)
            .map(|l| l.text.len() as u64)
            .sum()
    }

    /// Plain text with pages separated by a form feed, as pdftotext prints it.
    pub fn plain_text(&self) -> String {
        let mut s = String::new();
        for (i, p) in self.pages.iter().enumerate() {
            if i > 0 {
                s.push('\u{c}');
            }
            s.push_str(&p.text());
            s.push('\n');
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Pdf,
    Text,
    Markdown,
    /// A Word document (`.docx`), read through Markdown.
    Docx,
}

impl SourceFormat {
    /// Whether the text is Markdown (or was written as Markdown from a
    /// structured format): `#` headings, list markers, pipe tables.
    pub fn is_markdown(self) -> bool {
        matches!(self, SourceFormat::Markdown | SourceFormat::Docx)
    }
}

/// The type of a document, a facet in exports and search.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Default,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// Domestic Homicide Review (incl. Domestic Abuse Related Death Review).
    Dhr,
    /// Child Practice Review (Wales) / Child Safeguarding Practice Review.
    Cpr,
    /// Adult Practice Review (Wales) / Safeguarding Adults Review.
    Apr,
    /// Mental Health Homicide Review.
    Mhhr,
    /// Single Unified Safeguarding Review (Wales).
    Susr,
    /// Coroner's Prevention of Future Deaths report.
    Pfd,
    /// Strategy or delivery framework.
    Strategy,
    #[default]
    Other,
}

impl DocKind {
    pub const ALL: [DocKind; 8] = [
        DocKind::Dhr,
        DocKind::Cpr,
        DocKind::Apr,
        DocKind::Mhhr,
        DocKind::Susr,
        DocKind::Pfd,
        DocKind::Strategy,
        DocKind::Other,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            DocKind::Dhr => "dhr",
            DocKind::Cpr => "cpr",
            DocKind::Apr => "apr",
            DocKind::Mhhr => "mhhr",
            DocKind::Susr => "susr",
            DocKind::Pfd => "pfd",
            DocKind::Strategy => "strategy",
            DocKind::Other => "other",
        }
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The part of a review (or strategy) a section belongs to.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Default,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    ExecutiveSummary,
    Introduction,
    TermsOfReference,
    Methodology,
    Background,
    Chronology,
    Analysis,
    Lessons,
    Conclusions,
    Recommendations,
    ActionPlan,
    Glossary,
    /// Strategies: objectives / priority areas.
    Objectives,
    /// Strategies: "We will" commitments.
    Commitments,
    /// Coroners' PFD reports: "matters of concern".
    Concerns,
    /// The fixed closing parts of a form: a coroner's "action should be
    /// taken", "your response" and "copies and publication"; a reviewer's
    /// or chair's statement; signatures.
    Closing,
    /// Text before the first heading (cover, contents).
    FrontMatter,
    #[default]
    Other,
}

impl SectionKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            SectionKind::ExecutiveSummary => "executive_summary",
            SectionKind::Introduction => "introduction",
            SectionKind::TermsOfReference => "terms_of_reference",
            SectionKind::Methodology => "methodology",
            SectionKind::Background => "background",
            SectionKind::Chronology => "chronology",
            SectionKind::Analysis => "analysis",
            SectionKind::Lessons => "lessons",
            SectionKind::Conclusions => "conclusions",
            SectionKind::Recommendations => "recommendations",
            SectionKind::ActionPlan => "action_plan",
            SectionKind::Glossary => "glossary",
            SectionKind::Objectives => "objectives",
            SectionKind::Commitments => "commitments",
            SectionKind::Concerns => "concerns",
            SectionKind::Closing => "closing",
            SectionKind::FrontMatter => "front_matter",
            SectionKind::Other => "other",
        }
    }
}

impl fmt::Display for SectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A heading-delimited section of the body text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Index in [`Document::sections`].
    pub index: usize,
    /// The heading as written, number included ("5.3 Health Board").
    pub heading: String,
    /// The heading's number if it has one ("5.3", "Appendix A").
    pub number: Option<String>,
    /// Nesting depth, 1 = top level.
    pub level: u8,
    /// Classified kind; inherited from the parent when the heading itself says nothing.
    pub kind: SectionKind,
    /// Headings from the top level down to this one.
    pub trail: Vec<String>,
    /// Page the heading is on.
    pub page: u32,
    /// Byte span in the document text, heading included.
    pub start: usize,
    pub end: usize,
}

impl Section {
    /// The heading trail as shown to people: "5 Analysis › 5.3 Health Board".
    pub fn trail_string(&self) -> String {
        self.trail.join(" › ")
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Default,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PassageKind {
    #[default]
    Paragraph,
    ListItem,
    Heading,
    TableRow,
}

/// A byte span into [`Document::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A paragraph, list item, heading or table row: the unit of search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// Index in [`Document::passages`].
    pub index: usize,
    pub kind: PassageKind,
    /// Index of the enclosing section in [`Document::sections`].
    pub section: usize,
    /// Page the passage starts on (1-based, physical).
    pub page: u32,
    /// Byte span in the document text.
    pub start: usize,
    pub end: usize,
    /// List marker as written ("1.", "(a)", "•"), if the passage is a list item.
    pub marker: Option<String>,
    /// Sentence spans inside the passage (inside each cell for a table row).
    pub sentences: Vec<Span>,
    /// A table row's cells, one span per column of its table, left to right
    /// (an empty cell, or a column covered by a merged cell, is an empty
    /// span where the next cell starts); the passage text is the non-empty
    /// cells joined by `" | "`. Empty for other passages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<Span>,
    /// For a table row: which table it belongs to and what row it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<TablePlace>,
}

/// Where a table-row [`Passage`] sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TablePlace {
    /// The table, numbered from 0 in document order; a table that goes on
    /// over several pages keeps one number (its repeated header rows are
    /// left out of the passages, and a row cut by a page break is one
    /// passage, on the page it starts on).
    pub index: usize,
    /// [`RowKind::Header`] for the column names, else [`RowKind::Data`].
    pub row: RowKind,
}

/// A segmented document: one body text and the structure pointing into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable id: "d" + first 16 hex digits of the file's SHA-256.
    pub id: String,
    /// The input path as walked.
    pub file: String,
    pub sha256: String,
    pub title: String,
    pub kind: DocKind,
    pub year: Option<i32>,
    /// Community safety partnership, police force or nation, if found.
    pub area: Option<String>,
    /// "en", "cy" or "en+cy".
    pub language: String,
    /// Number of pages (1 for text files without form feeds).
    pub pages: u32,
    /// Body text: pages' text joined; pages separated by `\n\n`.
    pub text: String,
    /// Byte offset at which each page starts in `text` (`page_starts[0] == 0`).
    pub page_starts: Vec<usize>,
    /// Page labels by physical page, where known.
    pub page_labels: Vec<Option<String>>,
    pub sections: Vec<Section>,
    pub passages: Vec<Passage>,
    pub warnings: Vec<Warning>,
}

impl Document {
    /// 1-based page holding byte offset `pos`.
    pub fn page_at(&self, pos: usize) -> u32 {
        match self.page_starts.binary_search(&pos) {
            Ok(i) => i as u32 + 1,
            Err(i) => i.max(1) as u32,
        }
    }

    /// Index of the innermost section holding byte offset `pos`.
    pub fn section_at(&self, pos: usize) -> Option<usize> {
        self.sections
            .iter()
            .rev()
            .find(|s| s.start <= pos && pos < s.end.max(s.start + 1))
            .map(|s| s.index)
    }

    /// The text of a passage.
    pub fn passage_text(&self, p: &Passage) -> &str {
        &self.text[p.start..p.end]
    }

    /// Byte offset → character offset (for exports).
    pub fn char_offset(&self, byte: usize) -> usize {
        self.text[..byte.min(self.text.len())].chars().count()
    }
}

/// Whether a rule hit asserts the theme or is negated ("no evidence of ...").
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    Present,
    Negated,
}

/// One piece of evidence for a theme: a rule that matched text in a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub doc_id: String,
    pub theme: String,
    /// Rule id, "theme_id/rule_name".
    pub rule: String,
    /// Rule-set version (hash of the rule file) that produced the tag.
    pub rules_version: String,
    pub page: u32,
    /// Heading trail of the section.
    pub section: String,
    pub section_kind: SectionKind,
    /// Index of the passage holding the match.
    pub passage: usize,
    /// Byte span of the match in the document text.
    pub start: usize,
    pub end: usize,
    /// The matched text, as written.
    pub matched: String,
    pub polarity: Polarity,
    /// Evidence weight after section scope weighting.
    pub weight: f32,
}

/// Scope of the body a recommendation is addressed to.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AgencyLevel {
    SingleAgency,
    MultiAgencyLocal,
    Regional,
    National,
}

impl AgencyLevel {
    pub fn as_str(&self) -> &'static str {
        match self {
            AgencyLevel::SingleAgency => "single_agency",
            AgencyLevel::MultiAgencyLocal => "multi_agency_local",
            AgencyLevel::Regional => "regional",
            AgencyLevel::National => "national",
        }
    }
}

/// A recommendation, "We will" commitment, or coroner's matter of concern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// Stable id: doc id + ordinal/position hash.
    pub id: String,
    pub doc_id: String,
    pub file: String,
    /// Ordinal as written ("3", "2.1", "R4", "(b)"), or None when unnumbered.
    pub ordinal: Option<String>,
    /// Whole text, across page breaks, headers/footers removed.
    pub text: String,
    pub page: u32,
    /// Heading trail of the section.
    pub section: String,
    pub section_kind: SectionKind,
    /// Canonical agency ids addressed ("police", "gp_primary_care", ...):
    /// the categories of [`Recommendation::addressees`].
    pub agencies: Vec<String>,
    /// The bodies it is addressed to, by name, each with where it was found.
    #[serde(default)]
    pub addressees: Vec<Addressee>,
    pub level: Option<AgencyLevel>,
    /// Theme ids with present evidence inside the recommendation's text.
    pub themes: Vec<String>,
    /// Byte span in the document text.
    pub start: usize,
    pub end: usize,
    /// The first row of the document's action plan linked to this
    /// recommendation (see [`ProcessedDoc::action_plans`]), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_plan: Option<ActionPlanRow>,
    /// Why it was taken: place, form and content cues.
    #[serde(default)]
    pub cues: Vec<RecCue>,
    /// In a bilingual document, the id of the recommendation this one
    /// translates (the first language's): such a recommendation is counted
    /// once, as its original, in every count, facet and total.
    #[serde(default)]
    pub translation_of: Option<String>,
}

/// Why a passage was taken as a recommendation: the evidence of its place,
/// form and content (`ystorfa inspect` lists them).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RecCue {
    /// It stands in a recommendations section ("Recommendations",
    /// "Improving Systems and Practice", "Argymhellion").
    RecommendationsSection,
    /// It stands in a coroner's matters of concern.
    ConcernsSection,
    /// It stands in a strategy's commitments, objectives or a "We will:" list.
    CommitmentsSection,
    /// A heading over it names recommendations, in a section of no known kind.
    CueHeading,
    /// It carries a number or letter of its own ("3.", "2.1", "(b)").
    Numbered,
    /// It is labelled as one ("Recommendation 3:", "R4", "Argymhelliad 2").
    Label,
    /// A modal verb directs someone ("should", "must", "dylai").
    Modal,
    /// "… recommends that …".
    RecommendsThat,
    /// It names the body it is addressed to as its subject.
    AddresseeSubject,
    /// "We will …" (a strategy's commitment).
    WeWill,
    /// The coroner states a concern ("I am concerned …", "My second concern is …").
    ConcernStated,
    /// Read from a table of recommendations, by its columns or row labels.
    Table,
}

impl std::fmt::Display for RecCue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RecCue::RecommendationsSection => "in a recommendations section",
            RecCue::ConcernsSection => "in the matters of concern",
            RecCue::CommitmentsSection => "in a commitments list",
            RecCue::CueHeading => "under a heading naming recommendations",
            RecCue::Numbered => "numbered",
            RecCue::Label => "labelled as a recommendation",
            RecCue::Modal => "directive verb (should, must)",
            RecCue::RecommendsThat => "\"recommends that\"",
            RecCue::AddresseeSubject => "addressee as subject",
            RecCue::WeWill => "\"we will\"",
            RecCue::ConcernStated => "concern stated",
            RecCue::Table => "a table's recommendation cell",
        })
    }
}

/// A body a recommendation is addressed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Addressee {
    /// The name as written in the document ("Hertfordshire Constabulary",
    /// "the Secretary of State for Transport", "Heddlu Glanmor").
    pub name: String,
    /// The body's canonical name ("Hertfordshire Constabulary",
    /// "Department for Transport", "Glanmor Police"): the rule file's
    /// gazetteer name, or the name as written, tidied, for a body outside it.
    pub canonical: String,
    /// The category: an agency id of the rule file ("police",
    /// "health_board"), or "other" for a body outside the gazetteer.
    pub category: String,
    pub level: Option<AgencyLevel>,
    /// Where the addressee was found.
    pub source: AddresseeSource,
}

/// Where an [`Addressee`] was found.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AddresseeSource {
    /// The subject of the recommendation's sentence ("Glanmor Police should …").
    Subject,
    /// Named elsewhere in the recommendation ("… asks the Home Office to …").
    Text,
    /// The heading it sits under ("Police IMR recommendations", "For HMP …").
    Heading,
    /// A coroner's "Sent to" / "THIS REPORT IS BEING SENT TO" list.
    SentTo,
    /// The lead agency of its action-plan row.
    ActionPlan,
    /// The body responsible named beside it in a table of recommendations
    /// (an "Agency" column, a "Responsible organisation" row).
    Table,
    /// The body that issues a strategy and so owns its commitments.
    Issuer,
}

impl std::fmt::Display for AddresseeSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AddresseeSource::Subject => "subject of the sentence",
            AddresseeSource::Text => "named in the text",
            AddresseeSource::Heading => "heading",
            AddresseeSource::SentTo => "sent-to list",
            AddresseeSource::ActionPlan => "action-plan lead",
            AddresseeSource::Table => "responsible body in the table",
            AddresseeSource::Issuer => "issuer of the document",
        })
    }
}

/// A row of a review's action-plan table: what is to be done about one
/// recommendation, by whom and by when, linked to the recommendation.
///
/// The cells are read by their column's header (see `[action_plan]` in
/// `rules/anatomy.toml`); a field is `null` when the table has no such
/// column or the cell is empty. A row cut by a page break is one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ActionPlanRow {
    /// Stable id: the document id, `-a`, and a hash of the row's text.
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub doc_id: String,
    /// The recommendation reference as written ("1", "R3", "2.1"), without
    /// "Recommendation" or a "(continued)" note.
    #[serde(default)]
    pub recommendation: Option<String>,
    /// The id of the [`Recommendation`] the row belongs to, when found (by
    /// its number, else by its opening words).
    #[serde(default)]
    pub recommendation_id: Option<String>,
    /// The recommendation's words restated in the row, if the table has them.
    #[serde(default)]
    pub recommendation_text: Option<String>,
    /// What will be done.
    #[serde(default)]
    pub action: Option<String>,
    /// Who leads it ("Lead agency", "Owner", "Asiantaeth arweiniol"), as
    /// written.
    #[serde(default)]
    pub lead_agency: Option<String>,
    /// The bodies the lead cell names, resolved through the gazetteer as a
    /// recommendation's addressees are (source `action_plan`).
    #[serde(default)]
    pub lead_addressees: Vec<Addressee>,
    /// By when ("Target date", "Timescale", "Dyddiad targed"), as written.
    #[serde(default)]
    pub target_date: Option<String>,
    /// The target date as an ISO 8601 date (`2025-03-31`, or `2025-03` /
    /// `2025` when the cell names only a month or a year), when the cell
    /// is one date.
    #[serde(default)]
    pub target_date_iso: Option<String>,
    /// Milestones reached so far ("Key milestones achieved").
    #[serde(default)]
    pub milestones: Option<String>,
    /// Outcome, completion or progress as reported.
    #[serde(default)]
    pub outcome: Option<String>,
    /// The scope or level ("Local", "Regional", "Single agency").
    #[serde(default)]
    pub scope: Option<String>,
    /// Cells of columns with no role above, by their header.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<NamedCell>,
    /// Page the row starts on.
    pub page: u32,
    /// The row's text: its non-empty cells joined by `" | "`.
    pub text: String,
    /// Byte span of the row in the document text (its first passage's start
    /// to its last passage's end).
    #[serde(default)]
    pub start: usize,
    #[serde(default)]
    pub end: usize,
}

/// A table cell with the header of its column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NamedCell {
    pub column: String,
    pub text: String,
}

/// Why a theme is (or is not) assigned to a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeScore {
    pub theme: String,
    /// Evidence from present tags: per passage, the heaviest tag's weight
    /// plus the rule file's `second_hit_share` of the second-heaviest
    /// (see `tag::score_document`).
    pub score: f32,
    pub present_hits: usize,
    pub negated_hits: usize,
    /// The theme's `min_score`, or the rule file's `min_density` × the
    /// document's words / 1,000 when that is larger.
    pub threshold: f32,
    pub assigned: bool,
}

/// A document after every stage: what `index` and `export` consume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessedDoc {
    pub document: Document,
    pub tags: Vec<Tag>,
    pub recommendations: Vec<Recommendation>,
    /// Scores for every theme with at least one hit, sorted by theme id.
    pub theme_scores: Vec<ThemeScore>,
    /// Ids of the themes assigned to the document, sorted.
    pub themes: Vec<String>,
    /// The rows of the document's action-plan tables, in document order.
    #[serde(default)]
    pub action_plans: Vec<ActionPlanRow>,
}

impl ProcessedDoc {
    /// Recommendations as counted: a translation of another in the same
    /// document (`translation_of`) counts once, as its original.
    pub fn counted_recommendations(&self) -> usize {
        self.recommendations
            .iter()
            .filter(|r| r.translation_of.is_none())
            .count()
    }
}

/// Content hash helpers, shared by every stage that names things.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex SHA-256 of everything `reader` gives, read in blocks.
pub fn sha256_hex_of(mut reader: impl std::io::Read) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match reader.read(&mut buf)? {
            0 => return Ok(hex(&hasher.finalize())),
            n => hasher.update(&buf[..n]),
        }
    }
}

fn hex(digest: &[u8]) -> String {
    let mut s = String::with_capacity(2 * digest.len());
    for b in digest {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Document id from the file's SHA-256 hex.
pub fn doc_id_from_sha(sha256: &str) -> String {
    format!("d{}", &sha256[..16.min(sha256.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha_and_id() {
        let h = sha256_hex(b"abc");
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(doc_id_from_sha(&h), "dba7816bf8f01cfea");
    }

    #[test]
    fn enum_schemas_list_the_serde_names() {
        let text = |schema: schemars::Schema| serde_json::to_string(&schema).expect("json");
        let sections = text(schemars::schema_for!(SectionKind));
        for k in [
            SectionKind::ActionPlan,
            SectionKind::Concerns,
            SectionKind::FrontMatter,
        ] {
            assert!(
                sections.contains(&format!("\"{}\"", k.as_str())),
                "{sections}"
            );
        }
        let kinds = text(schemars::schema_for!(DocKind));
        for k in DocKind::ALL {
            assert!(kinds.contains(&format!("\"{}\"", k.as_str())), "{kinds}");
        }
        let levels = text(schemars::schema_for!(AgencyLevel));
        assert!(levels.contains("\"multi_agency_local\""), "{levels}");
        assert!(text(schemars::schema_for!(PassageKind)).contains("\"table_row\""));
        assert!(text(schemars::schema_for!(Polarity)).contains("\"negated\""));
    }

    #[test]
    fn page_at_uses_page_starts() {
        let doc = Document {
            id: "d".into(),
            file: "f".into(),
            sha256: String::new(),
            title: String::new(),
            kind: DocKind::Other,
            year: None,
            area: None,
            language: "en".into(),
            pages: 3,
            text: "aaaa\n\nbbbb\n\ncccc".into(),
            page_starts: vec![0, 6, 12],
            page_labels: vec![None, None, None],
            sections: vec![],
            passages: vec![],
            warnings: vec![],
        };
        assert_eq!(doc.page_at(0), 1);
        assert_eq!(doc.page_at(5), 1);
        assert_eq!(doc.page_at(6), 2);
        assert_eq!(doc.page_at(13), 3);
    }
}
