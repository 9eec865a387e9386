//! The passage index schema: field names (also the query language's field
//! filters), field options, and the English and keyword analyzers.

use super::*;

/// Field names of the passage index; they are also the field filters of the
/// query language.
pub mod fields {
    /// Document id (exact).
    pub const DOC: &str = "doc";
    /// A number naming the document (internal, fast field): the 64 bits of
    /// its id, so that documents added later never renumber earlier ones.
    pub const DOC_KEY: &str = "doc_key";
    /// Input path (exact).
    pub const FILE: &str = "file";
    /// Document title (analysed text).
    pub const TITLE: &str = "title";
    /// Document kind: `dhr`, `cpr`, `pfd`, ... (keyword).
    pub const KIND: &str = "kind";
    /// Publication year (i64, indexed and fast: ranges work).
    pub const YEAR: &str = "year";
    /// Area (keyword, lower-cased).
    pub const AREA: &str = "area";
    /// `en`, `cy`, `en+cy` (keyword).
    pub const LANGUAGE: &str = "language";
    /// Section kind of the passage: `recommendations`, `analysis`, ... (keyword).
    pub const SECTION: &str = "section";
    /// Heading trail of the passage (analysed text).
    pub const TRAIL: &str = "trail";
    /// Page the passage starts on (u64).
    pub const PAGE: &str = "page";
    /// Index of the passage in the document (u64, stored only).
    pub const PASSAGE: &str = "passage";
    /// Passage kind: `paragraph`, `list_item`, ... (keyword).
    pub const PASSAGE_KIND: &str = "passage_kind";
    /// Passage text (analysed, with positions; stored for snippets).
    pub const TEXT: &str = "text";
    /// Themes with present evidence in the passage (keyword, multi-valued).
    pub const THEME: &str = "theme";
    /// Themes assigned to the whole document (keyword, multi-valued).
    pub const DOC_THEME: &str = "doc_theme";
    /// Agencies addressed by a recommendation overlapping the passage.
    pub const AGENCY: &str = "agency";
    /// Bodies (canonical names, e.g. `Home Office`) addressed by a
    /// recommendation overlapping the passage (keyword, lower-cased).
    pub const BODY: &str = "body";
    /// True when the passage overlaps a recommendation.
    pub const IS_RECOMMENDATION: &str = "is_recommendation";
    /// Agencies addressed by any recommendation of the passage's document
    /// (keyword, one value each; the document-level agency facet).
    pub const DOC_AGENCY: &str = "doc_agency";
    /// Bodies addressed by any counted recommendation of the passage's
    /// document (keyword; the document-level named-body facet).
    pub const DOC_BODY: &str = "doc_body";
    /// Character offset of the passage's start in the document text (the
    /// offsets of `tags.jsonl` and `recommendations.jsonl`).
    pub const START: &str = "start";
    /// The document's metadata as JSON (a bytes fast field, on the
    /// document's first passage only: document-level fields are indexed on
    /// every passage for filtering but kept once, in a compact column that
    /// opening the index reads without decompressing stored passages).
    pub const DOC_META: &str = "doc_meta";
    /// Document id of a document row (exact, internal): besides its
    /// passages, each document has one row holding all its words, which
    /// ranks documents (see `rank`) and is deleted with them.
    pub const DOC_ROW: &str = "doc_row";
    /// The document key of a document row (internal, fast field).
    pub const DOC_ROW_KEY: &str = "doc_row_key";
    /// Every word of the document's passages (internal, document rows
    /// only; frequencies, no positions, not stored).
    pub const DOC_WORDS: &str = "doc_words";
    /// The document's title (internal, document rows only).
    pub const DOC_TITLE: &str = "doc_title";
    /// The section trails of the document's passages (internal, document
    /// rows only; matched, not counted). Document rows also carry the
    /// document-level fields (kind, year, area, language, doc_theme,
    /// doc_agency, doc_body), so filters on them apply to both.
    pub const DOC_TRAIL: &str = "doc_trail";
    /// Every two words that follow each other in a passage's text, the
    /// title or a section trail (internal, document rows only; analysed by
    /// [`ANALYZER_PAIRS`](super::ANALYZER_PAIRS)), so a two-word phrase is
    /// found per document by one term.
    pub const DOC_PAIRS: &str = "doc_pairs";
}

/// Name of the English analyzer: simple tokenizer, long tokens removed,
/// lower-cased, ASCII-folded, English stemmer.
pub const ANALYZER_EN: &str = "ystorfa_en";
/// Name of the keyword analyzer: the whole value as one lower-cased token.
pub const ANALYZER_KEYWORD: &str = "ystorfa_keyword";
/// Name of the word-pair analyzer: every two words at neighbouring
/// positions of the English analysis, as one token ("risk assess").
pub const ANALYZER_PAIRS: &str = "ystorfa_pairs";

/// The fields of the schema, resolved once.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    pub(super) doc: Field,
    pub(super) doc_key: Field,
    pub(super) file: Field,
    pub(super) title: Field,
    pub(super) kind: Field,
    pub(super) year: Field,
    pub(super) area: Field,
    pub(super) language: Field,
    pub(super) section: Field,
    pub(super) trail: Field,
    pub(super) page: Field,
    pub(super) passage: Field,
    pub(super) passage_kind: Field,
    pub(super) text: Field,
    pub(super) theme: Field,
    pub(super) doc_theme: Field,
    pub(super) agency: Field,
    pub(super) body: Field,
    pub(super) is_recommendation: Field,
    pub(super) doc_agency: Field,
    pub(super) doc_body: Field,
    pub(super) start: Field,
    pub(super) doc_meta: Field,
    pub(super) doc_row: Field,
    pub(super) doc_row_key: Field,
    pub(super) doc_words: Field,
    pub(super) doc_title: Field,
    pub(super) doc_trail: Field,
    pub(super) doc_pairs: Field,
}

impl Fields {
    pub(super) fn from_schema(schema: &Schema) -> Result<Fields, IndexError> {
        let get = |name: &str| {
            schema.get_field(name).map_err(|_| {
                IndexError::Tantivy(tantivy::TantivyError::SchemaError(format!(
                    "the index has no field {name:?}: it was written by another version; run `ystorfa build` again"
                )))
            })
        };
        use fields::*;
        Ok(Fields {
            doc: get(DOC)?,
            doc_key: get(DOC_KEY)?,
            file: get(FILE)?,
            title: get(TITLE)?,
            kind: get(KIND)?,
            year: get(YEAR)?,
            area: get(AREA)?,
            language: get(LANGUAGE)?,
            section: get(SECTION)?,
            trail: get(TRAIL)?,
            page: get(PAGE)?,
            passage: get(PASSAGE)?,
            passage_kind: get(PASSAGE_KIND)?,
            text: get(TEXT)?,
            theme: get(THEME)?,
            doc_theme: get(DOC_THEME)?,
            agency: get(AGENCY)?,
            body: get(BODY)?,
            is_recommendation: get(IS_RECOMMENDATION)?,
            doc_agency: get(DOC_AGENCY)?,
            doc_body: get(DOC_BODY)?,
            start: get(START)?,
            doc_meta: get(DOC_META)?,
            doc_row: get(DOC_ROW)?,
            doc_row_key: get(DOC_ROW_KEY)?,
            doc_words: get(DOC_WORDS)?,
            doc_title: get(DOC_TITLE)?,
            doc_trail: get(DOC_TRAIL)?,
            doc_pairs: get(DOC_PAIRS)?,
        })
    }
}

/// The passage index schema.
pub fn schema() -> Schema {
    use fields::*;
    let en = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_EN)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let keyword = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_KEYWORD)
                .set_index_option(IndexRecordOption::Basic),
        )
        .set_stored();
    // Document-level fields: indexed on every passage, stored once (DOC_META).
    let en_doc = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER_EN)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let keyword_doc = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER_KEYWORD)
            .set_index_option(IndexRecordOption::Basic),
    );
    let mut b = Schema::builder();
    b.add_text_field(DOC, STRING | STORED);
    b.add_u64_field(DOC_KEY, tantivy::schema::FAST);
    b.add_text_field(FILE, STRING);
    b.add_text_field(TITLE, en_doc);
    b.add_text_field(KIND, keyword_doc.clone());
    b.add_i64_field(YEAR, INDEXED | tantivy::schema::FAST);
    b.add_text_field(AREA, keyword_doc.clone());
    b.add_text_field(LANGUAGE, keyword_doc.clone());
    b.add_text_field(SECTION, keyword.clone());
    b.add_text_field(TRAIL, en.clone());
    b.add_u64_field(PAGE, INDEXED | STORED);
    b.add_u64_field(PASSAGE, STORED | tantivy::schema::FAST);
    b.add_text_field(PASSAGE_KIND, keyword.clone());
    b.add_text_field(TEXT, en);
    b.add_text_field(THEME, keyword.clone());
    b.add_text_field(DOC_THEME, keyword_doc.clone());
    b.add_text_field(AGENCY, keyword.clone());
    b.add_text_field(BODY, keyword.clone());
    b.add_bool_field(IS_RECOMMENDATION, INDEXED | STORED);
    b.add_text_field(DOC_AGENCY, keyword_doc.clone());
    b.add_text_field(DOC_BODY, keyword_doc);
    b.add_u64_field(START, STORED | tantivy::schema::FAST);
    b.add_bytes_field(DOC_META, tantivy::schema::FAST);
    // Document rows: word counts for ranking documents, no positions.
    let en_counts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER_EN)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    b.add_text_field(DOC_ROW, STRING);
    b.add_u64_field(DOC_ROW_KEY, tantivy::schema::FAST);
    b.add_text_field(DOC_WORDS, en_counts.clone());
    b.add_text_field(DOC_TITLE, en_counts);
    let matched_only = |analyzer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::Basic),
        )
    };
    b.add_text_field(DOC_TRAIL, matched_only(ANALYZER_EN));
    b.add_text_field(DOC_PAIRS, matched_only(ANALYZER_PAIRS));
    b.build()
}

/// Tokens longer than this (bytes) are left out of the index.
const MAX_TOKEN_BYTES: usize = 40;

/// The English analysis of the index (words, lower case, accents folded,
/// stemmed) with English stop words left out, except `keep` (lower-case
/// words): the words two texts are compared by (recurring
/// recommendations).
pub fn comparison_analyzer(keep: &[String]) -> TextAnalyzer {
    // The Stopwords ISO English list (1,298 everyday words: "his", "ago",
    // "fact", "whilst"), fuller than the index's, but for the words kept.
    let stop = stop_words::get("en")
        .iter()
        .filter(|w| !keep.iter().any(|k| k == *w))
        .map(|w| w.to_string());
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(tantivy::tokenizer::StopWordFilter::remove(stop))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Register the analyzers the schema names; needed on every opened index
/// (tantivy does not persist analyzers).
pub(super) fn register_analyzers(index: &Index) {
    let en = english();
    let keyword = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(ANALYZER_EN, en.clone());
    index.tokenizers().register(ANALYZER_KEYWORD, keyword);
    index.tokenizers().register(
        ANALYZER_PAIRS,
        TextAnalyzer::from(PairTokenizer { words: en }),
    );
}

/// The word pairs of [`ANALYZER_PAIRS`] from a text's English analysis.
pub(super) fn pairs_of(words: &[tantivy::tokenizer::Token]) -> Vec<tantivy::tokenizer::Token> {
    words
        .windows(2)
        .filter(|w| w[1].position == w[0].position + 1)
        .map(|w| tantivy::tokenizer::Token {
            offset_from: w[0].offset_from,
            offset_to: w[1].offset_to,
            position: w[0].position,
            text: format!("{} {}", w[0].text, w[1].text),
            position_length: 2,
        })
        .collect()
}

/// The index's English analysis (see [`ANALYZER_EN`]).
pub(super) fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The tokenizer of [`ANALYZER_PAIRS`]: the English analysis's words, two
/// at a time when their positions are neighbours (a word left out, as a
/// too-long one is, breaks the pair as it breaks a phrase).
#[derive(Clone)]
struct PairTokenizer {
    words: TextAnalyzer,
}

/// The pairs of one text.
struct PairStream {
    pairs: std::vec::IntoIter<tantivy::tokenizer::Token>,
    token: tantivy::tokenizer::Token,
}

impl tantivy::tokenizer::Tokenizer for PairTokenizer {
    type TokenStream<'a> = PairStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PairStream {
        use tantivy::tokenizer::{Token, TokenStream as _};
        let mut words: Vec<Token> = Vec::new();
        self.words
            .token_stream(text)
            .process(&mut |t| words.push(t.clone()));
        PairStream {
            pairs: pairs_of(&words).into_iter(),
            token: Token::default(),
        }
    }
}

impl tantivy::tokenizer::TokenStream for PairStream {
    fn advance(&mut self) -> bool {
        match self.pairs.next() {
            Some(t) => {
                self.token = t;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        &mut self.token
    }
}

/// Metadata of one indexed document, shared by all its passages (stored
/// once, as JSON on its first passage).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DocMeta {
    pub doc_id: String,
    pub file: String,
    pub title: String,
    pub kind: String,
    pub year: Option<i32>,
    pub area: Option<String>,
    pub language: String,
    /// Themes assigned to the document.
    pub themes: Vec<String>,
    /// Agencies addressed by the document's recommendations.
    pub agencies: Vec<String>,
    /// Bodies (canonical names) addressed by the document's counted
    /// recommendations.
    #[serde(default)]
    pub bodies: Vec<String>,
    /// Number of passages indexed.
    #[serde(default)]
    pub passages: usize,
}
