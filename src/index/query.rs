//! Query parsing: tantivy's grammar with AND by default, mixed-operator
//! grouping, fuzzy `word~N`, and human messages for rejected queries.

use super::*;

/// The syntax tree of `query` (checked, operators grouped as
/// [`group_mixed_operators`] says).
pub(super) fn parse_ast(query: &str) -> Result<tantivy::query_grammar::UserInputAst, IndexError> {
    if query.trim().is_empty() {
        return Err(IndexError::Query("the query is empty".into()));
    }
    // The query grammar recurses on nesting; keep pathological input away.
    let depth = query
        .chars()
        .filter(|c| matches!(c, '(' | '[' | '{'))
        .count();
    if depth > 100 || query.len() > 10_000 {
        return Err(IndexError::Query(format!(
            "the query is too long or too deeply nested ({} bytes, {depth} brackets)",
            query.len()
        )));
    }
    let err =
        |e: tantivy::query::QueryParserError| IndexError::Query(query_error_message(&e, query));
    let ast = tantivy::query_grammar::parse_query(query)
        .map_err(|_| err(tantivy::query::QueryParserError::SyntaxError(query.into())))?;
    Ok(group_mixed_operators(ast))
}

/// The passage query of `query` (parsed by [`parse_ast`]) with the
/// index's query parser: default fields text, title and trail; AND between
/// words unless `OR` is written; `word~N` (an unquoted single word with a
/// distance) is a fuzzy term query with edit distance N (at most 2).
pub(super) fn to_query(
    index: &Index,
    f: &Fields,
    query: &str,
    ast: tantivy::query_grammar::UserInputAst,
) -> Result<Box<dyn tantivy::query::Query>, IndexError> {
    to_query_on(index, [f.text, f.title, f.trail], query, ast)
}

/// The query of a parsed `query` on the document rows: its words looked
/// up in every word, the title and the section trails of each document
/// (see [`matches_per_document`] for when that finds the same
/// documents as the passages do).
pub(super) fn to_document_query(
    index: &Index,
    f: &Fields,
    query: &str,
    ast: tantivy::query_grammar::UserInputAst,
) -> Result<Box<dyn tantivy::query::Query>, IndexError> {
    let mut analyzer = index
        .tokenizers()
        .get(ANALYZER_EN)
        .expect("the index's analyzers are registered");
    let ast = with_pairs(ast, &mut analyzer);
    to_query_on(index, [f.doc_words, f.doc_title, f.doc_trail], query, ast)
}

/// The query of `ast` with `text` (the text, title and trail fields the
/// words are looked up in).
fn to_query_on(
    index: &Index,
    text: [Field; 3],
    query: &str,
    ast: tantivy::query_grammar::UserInputAst,
) -> Result<Box<dyn tantivy::query::Query>, IndexError> {
    use tantivy::query_grammar::{UserInputAst, UserInputLeaf};
    let err =
        |e: tantivy::query::QueryParserError| IndexError::Query(query_error_message(&e, query));
    let [body, title, trail] = text;
    let parser = |fuzzy: Option<u8>| {
        let mut qp = tantivy::query::QueryParser::for_index(index, vec![body, title, trail]);
        qp.set_conjunction_by_default();
        qp.set_field_boost(title, 1.5);
        qp.set_field_boost(trail, 1.2);
        if let Some(d) = fuzzy {
            for field in text {
                qp.set_field_fuzzy(field, false, d, true);
            }
        }
        qp
    };

    fn fuzzy_distance(ast: &UserInputAst) -> Option<u32> {
        match ast {
            UserInputAst::Leaf(leaf) => match leaf.as_ref() {
                UserInputLeaf::Literal(l)
                    if l.delimiter == tantivy::query_grammar::Delimiter::None =>
                {
                    fuzzy_word(&l.phrase).map(|(_, d)| d)
                }
                _ => None,
            },
            _ => None,
        }
    }
    fn has_fuzzy(ast: &UserInputAst) -> bool {
        match ast {
            UserInputAst::Clause(c) => c.iter().any(|(_, a)| has_fuzzy(a)),
            UserInputAst::Boost(a, _) => has_fuzzy(a),
            leaf => fuzzy_distance(leaf).is_some(),
        }
    }
    type Parser<'a> = dyn Fn(Option<u8>) -> tantivy::query::QueryParser + 'a;
    fn convert(
        ast: UserInputAst,
        parser: &Parser<'_>,
        top: bool,
    ) -> Result<Box<dyn tantivy::query::Query>, tantivy::query::QueryParserError> {
        use tantivy::query::{BoostQuery, QueryParserError};
        if !has_fuzzy(&ast) {
            return parser(None).build_query_from_user_input_ast(ast);
        }
        if let Some(d) = fuzzy_distance(&ast) {
            let UserInputAst::Leaf(mut leaf) = ast else {
                return Err(QueryParserError::UnsupportedQuery("fuzzy".into()));
            };
            if let UserInputLeaf::Literal(l) = leaf.as_mut()
                && let Some((word, _)) = fuzzy_word(&l.phrase)
            {
                l.phrase = word.to_string();
            }
            let d = u8::try_from(d.min(2)).unwrap_or(2);
            return parser(Some(d)).build_query_from_user_input_ast(UserInputAst::Leaf(leaf));
        }
        match ast {
            UserInputAst::Clause(children) => {
                clause(children, top, |child| convert(child, parser, false))
            }
            UserInputAst::Boost(inner, boost) => Ok(Box::new(BoostQuery::new(
                convert(*inner, parser, false)?,
                boost.0 as Score,
            ))),
            leaf => parser(None).build_query_from_user_input_ast(leaf),
        }
    }
    convert(ast, &parser, true).map_err(err)
}

/// The passage query of a parsed `query` for finding which documents
/// match, scores unused: the same passages as [`to_query`], but the
/// places each unfielded word or phrase is looked for (text, title,
/// trail) are joined by a [`SkipUnion`](super::skip::SkipUnion), which a
/// walk that skips to each next document moves cheaply.
pub(super) fn to_match_query(
    index: &Index,
    f: &Fields,
    query: &str,
    ast: tantivy::query_grammar::UserInputAst,
) -> Result<Box<dyn tantivy::query::Query>, IndexError> {
    use tantivy::query::{QueryParser, QueryParserError};
    use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf};
    let fields = [f.text, f.title, f.trail];
    // A parser for `on` (its default fields), fuzzy at distance `d`.
    let parser = |on: &[Field], d: Option<u8>| {
        let mut qp = QueryParser::for_index(index, on.to_vec());
        qp.set_conjunction_by_default();
        if let Some(d) = d {
            for &field in on {
                qp.set_field_fuzzy(field, false, d, true);
            }
        }
        qp
    };
    fn convert(
        ast: UserInputAst,
        top: bool,
        fields: &[Field; 3],
        parser: &dyn Fn(&[Field], Option<u8>) -> QueryParser,
        has_terms: &dyn Fn(Field, &str) -> bool,
    ) -> Result<Box<dyn tantivy::query::Query>, QueryParserError> {
        match ast {
            UserInputAst::Clause(children) => clause(children, top, |child| {
                convert(child, false, fields, parser, has_terms)
            }),
            UserInputAst::Boost(inner, _) => convert(*inner, top, fields, parser, has_terms),
            UserInputAst::Leaf(mut leaf) => {
                let UserInputLeaf::Literal(l) = leaf.as_mut() else {
                    return parser(fields, None)
                        .build_query_from_user_input_ast(UserInputAst::Leaf(leaf));
                };
                // As `to_query`: any literal `word~N` is fuzzy.
                let mut distance = None;
                if l.delimiter == Delimiter::None
                    && let Some((word, d)) = fuzzy_word(&l.phrase)
                {
                    distance = Some(u8::try_from(d.min(2)).unwrap_or(2));
                    l.phrase = word.to_string();
                }
                if l.field_name.is_some() {
                    return parser(fields, distance)
                        .build_query_from_user_input_ast(UserInputAst::Leaf(leaf));
                }
                // tantivy's parser leaves out a field, or the whole word,
                // where the text has no terms ("&"): not done here, so
                // such a query is left to the scored query.
                if fields.iter().any(|&field| !has_terms(field, &l.phrase)) {
                    return Err(QueryParserError::UnsupportedQuery(
                        "a word with no terms".into(),
                    ));
                }
                let per_field = fields
                    .iter()
                    .map(|&field| {
                        parser(&[field], distance)
                            .build_query_from_user_input_ast(UserInputAst::Leaf(leaf.clone()))
                    })
                    .collect::<Result<_, _>>()?;
                Ok(Box::new(super::skip::SkipUnion(per_field)))
            }
        }
    }
    // Whether `text` has a term as `field` analyses it.
    let has_terms = |field: Field, text: &str| {
        index.tokenizer_for_field(field).is_ok_and(|mut analyzer| {
            let mut any = false;
            analyzer.token_stream(text).process(&mut |_| any = true);
            any
        })
    };
    convert(ast, true, &fields, &parser, &has_terms)
        .map_err(|e| IndexError::Query(query_error_message(&e, query)))
}

/// A clause of `children` converted by `convert`: a child with no
/// operator is required (AND by default); a query of nothing but `NOT`s
/// (`top`) is refused, as tantivy's parser refuses it.
fn clause(
    children: Vec<(
        Option<tantivy::query::Occur>,
        tantivy::query_grammar::UserInputAst,
    )>,
    top: bool,
    mut convert: impl FnMut(
        tantivy::query_grammar::UserInputAst,
    )
        -> Result<Box<dyn tantivy::query::Query>, tantivy::query::QueryParserError>,
) -> Result<Box<dyn tantivy::query::Query>, tantivy::query::QueryParserError> {
    use tantivy::query::{BooleanQuery, Occur, QueryParserError};
    let mut subs = Vec::with_capacity(children.len());
    for (occur, child) in children {
        subs.push((occur.unwrap_or(Occur::Must), convert(child)?));
    }
    if top && subs.iter().all(|(o, _)| *o == Occur::MustNot) {
        return Err(QueryParserError::AllButQueryForbidden);
    }
    Ok(Box::new(BooleanQuery::new(subs)))
}

/// The word and edit distance of a fuzzy literal (`word~N`, unquoted;
/// the grammar keeps the `~N` inside the word).
pub(super) fn fuzzy_word(phrase: &str) -> Option<(&str, u32)> {
    let (word, n) = phrase.rsplit_once('~')?;
    if word.is_empty() || word.contains(['~', ' ']) || n.is_empty() || n.len() > 3 {
        return None;
    }
    if !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((word, n.parse().ok()?))
}

/// Make explicit operators mixed with implicit AND mean what a reader
/// expects. tantivy's grammar turns `a OR b c` into "c, optionally a or b"
/// and `a AND b c` into "c, optionally a and b"; in a clause that mixes
/// implicit (AND by default) and `OR`-joined children, each run of
/// `OR`-joined children becomes one required group: `(a OR b) AND c`,
/// `(a AND b) AND c`.
pub(super) fn group_mixed_operators(
    ast: tantivy::query_grammar::UserInputAst,
) -> tantivy::query_grammar::UserInputAst {
    use tantivy::query::Occur;
    use tantivy::query_grammar::UserInputAst;
    match ast {
        UserInputAst::Clause(children) => {
            let children: Vec<(Option<Occur>, UserInputAst)> = children
                .into_iter()
                .map(|(o, c)| (o, group_mixed_operators(c)))
                .collect();
            let has_implicit = children.iter().any(|(o, _)| o.is_none());
            let has_should = children.iter().any(|(o, _)| *o == Some(Occur::Should));
            if !(has_implicit && has_should) {
                return UserInputAst::Clause(children);
            }
            let mut out: Vec<(Option<Occur>, UserInputAst)> = Vec::new();
            let mut run: Vec<(Option<Occur>, UserInputAst)> = Vec::new();
            let flush = |run: &mut Vec<(Option<Occur>, UserInputAst)>,
                         out: &mut Vec<(Option<Occur>, UserInputAst)>| {
                match run.len() {
                    0 => {}
                    1 => {
                        if let Some((_, c)) = run.pop() {
                            out.push((Some(Occur::Must), c));
                        }
                    }
                    _ => out.push((Some(Occur::Must), UserInputAst::Clause(std::mem::take(run)))),
                }
            };
            for (o, c) in children {
                if o == Some(Occur::Should) {
                    run.push((o, c));
                } else {
                    flush(&mut run, &mut out);
                    out.push((o, c));
                }
            }
            flush(&mut run, &mut out);
            UserInputAst::Clause(out)
        }
        UserInputAst::Boost(inner, b) => {
            UserInputAst::Boost(Box::new(group_mixed_operators(*inner)), b)
        }
        leaf => leaf,
    }
}

/// A human message for a query the parser rejected.
pub(super) fn query_error_message(e: &tantivy::query::QueryParserError, query: &str) -> String {
    use tantivy::query::QueryParserError as E;
    // The query as typed, in typographic quotes (no escaping to confuse people).
    let query = format!("“{query}”");
    let hint = match e {
        E::SyntaxError(_) => {
            return format!(
                "cannot parse {query}: check for an unclosed quote, bracket or parenthesis, \
                 or an AND/OR/NOT with nothing after it (ranges are written year:[2019 TO 2023])"
            );
        }
        E::ExpectedInt(_) => {
            return format!(
                "year and page take whole numbers (year:2021, year:[2019 TO 2023]), in query {query}"
            );
        }
        E::FieldDoesNotExist(_) => format!(
            " (fields: {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
            fields::TEXT,
            fields::TITLE,
            fields::TRAIL,
            fields::THEME,
            fields::DOC_THEME,
            fields::KIND,
            fields::YEAR,
            fields::SECTION,
            fields::AGENCY,
            fields::BODY,
            fields::DOC_BODY,
            fields::AREA,
            fields::LANGUAGE,
            fields::PAGE,
            fields::IS_RECOMMENDATION,
            fields::DOC
        ),
        E::AllButQueryForbidden => {
            " (a query cannot only exclude: add a word or filter to search for)".to_string()
        }
        _ => String::new(),
    };
    format!("{e}{hint}, in query {query}")
}

/// The fields whose values are the same on every passage of a document
/// (and on its document row).
const DOCUMENT_FIELDS: [&str; 7] = [
    fields::KIND,
    fields::YEAR,
    fields::AREA,
    fields::LANGUAGE,
    fields::DOC_THEME,
    fields::DOC_AGENCY,
    fields::DOC_BODY,
];

/// What a part of a query depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Only the document (its kind, year, …).
    Document,
    /// A passage, but a document has a matching passage exactly when its
    /// document row matches: one word (`∃ passage ∋ w` is `document ∋ w`),
    /// alternatives of such parts, and such a part with document filters.
    AnyPassage,
}

/// True when the documents with a passage matching `ast` are exactly the
/// documents whose row matches it ([`to_document_query`]): single words
/// (fuzzy or not), two-word phrases, `OR`, field filters on document-level
/// fields, and at most one word-dependent part in each `AND`. Longer
/// phrases, phrases with slop, several words that must meet in one
/// passage, `NOT` a word, and passage fields (`theme:`, `section:`, …)
/// need the passages.
pub(super) fn matches_per_document(
    ast: &tantivy::query_grammar::UserInputAst,
    analyzer: &mut TextAnalyzer,
) -> bool {
    scope(ast, analyzer).is_some()
}

/// What an unfielded literal looks for, when a document row can answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Words {
    /// One word (or a fuzzy word).
    One,
    /// Two words next to each other (a phrase of two words, no slop): one
    /// term of [`fields::DOC_PAIRS`].
    Pair,
}

fn words(
    l: &tantivy::query_grammar::UserInputLiteral,
    analyzer: &mut TextAnalyzer,
) -> Option<Words> {
    use tantivy::query_grammar::Delimiter;
    if l.prefix {
        return None;
    }
    let fuzzy = fuzzy_word(&l.phrase).filter(|_| l.delimiter == Delimiter::None);
    let text = fuzzy.map_or(l.phrase.as_str(), |(word, _)| word);
    let mut positions: Vec<usize> = Vec::new();
    analyzer
        .token_stream(text)
        .process(&mut |t| positions.push(t.position));
    match positions[..] {
        [_] => Some(Words::One),
        [a, b] if fuzzy.is_none() && l.slop == 0 && b == a + 1 => Some(Words::Pair),
        _ => None,
    }
}

/// `ast` with each two-word phrase looked up as one word pair
/// ([`fields::DOC_PAIRS`]), for [`to_document_query`].
fn with_pairs(
    ast: tantivy::query_grammar::UserInputAst,
    analyzer: &mut TextAnalyzer,
) -> tantivy::query_grammar::UserInputAst {
    use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
    match ast {
        UserInputAst::Clause(children) => UserInputAst::Clause(
            children
                .into_iter()
                .map(|(o, c)| (o, with_pairs(c, analyzer)))
                .collect(),
        ),
        UserInputAst::Boost(inner, b) => {
            UserInputAst::Boost(Box::new(with_pairs(*inner, analyzer)), b)
        }
        UserInputAst::Leaf(leaf) => match *leaf {
            UserInputLeaf::Literal(l)
                if l.field_name.is_none() && words(&l, analyzer) == Some(Words::Pair) =>
            {
                UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(UserInputLiteral {
                    field_name: Some(fields::DOC_PAIRS.to_string()),
                    phrase: l.phrase,
                    delimiter: Delimiter::DoubleQuotes,
                    slop: 0,
                    prefix: false,
                })))
            }
            other => UserInputAst::Leaf(Box::new(other)),
        },
    }
}

fn scope(ast: &tantivy::query_grammar::UserInputAst, analyzer: &mut TextAnalyzer) -> Option<Scope> {
    use tantivy::query::Occur;
    use tantivy::query_grammar::{UserInputAst, UserInputLeaf};
    match ast {
        UserInputAst::Clause(children) => {
            if children.is_empty() {
                return None;
            }
            let any_of =
                children.len() == 1 || children.iter().all(|(o, _)| *o == Some(Occur::Should));
            let mut passage_parts = 0;
            for (occur, child) in children {
                let s = scope(child, analyzer)?;
                if *occur == Some(Occur::MustNot) && s != Scope::Document {
                    return None;
                }
                passage_parts += usize::from(s == Scope::AnyPassage);
            }
            if !any_of && passage_parts > 1 {
                return None;
            }
            Some(if passage_parts > 0 {
                Scope::AnyPassage
            } else {
                Scope::Document
            })
        }
        UserInputAst::Boost(inner, _) => scope(inner, analyzer),
        UserInputAst::Leaf(leaf) => match leaf.as_ref() {
            UserInputLeaf::Literal(l) => match l.field_name.as_deref() {
                None => words(l, analyzer).map(|_| Scope::AnyPassage),
                Some(name) => DOCUMENT_FIELDS.contains(&name).then_some(Scope::Document),
            },
            UserInputLeaf::Range {
                field: Some(name), ..
            }
            | UserInputLeaf::Set {
                field: Some(name), ..
            } => DOCUMENT_FIELDS
                .contains(&name.as_str())
                .then_some(Scope::Document),
            UserInputLeaf::All => Some(Scope::Document),
            _ => None,
        },
    }
}
