//! Query parsing: tantivy's grammar with AND by default, mixed-operator
//! grouping, fuzzy `word~N`, and human messages for rejected queries.

use super::*;

/// Parse `query` with the index's query parser: default fields text, title
/// and trail; AND between words unless `OR` is written; `word~N` (an
/// unquoted single word with a distance) is a fuzzy term query with edit
/// distance N (at most 2).
pub(super) fn parse(
    index: &Index,
    f: &Fields,
    query: &str,
) -> Result<Box<dyn tantivy::query::Query>, IndexError> {
    use tantivy::query_grammar::{UserInputAst, UserInputLeaf};
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

    let ast = group_mixed_operators(ast);

    let parser = |fuzzy: Option<u8>| {
        let mut qp = tantivy::query::QueryParser::for_index(index, vec![f.text, f.title, f.trail]);
        qp.set_conjunction_by_default();
        qp.set_field_boost(f.title, 1.5);
        qp.set_field_boost(f.trail, 1.2);
        if let Some(d) = fuzzy {
            for field in [f.text, f.title, f.trail] {
                qp.set_field_fuzzy(field, false, d, true);
            }
        }
        qp
    };

    /// The word and edit distance of a fuzzy literal (`word~N`, unquoted;
    /// the grammar keeps the `~N` inside the word).
    fn fuzzy_word(phrase: &str) -> Option<(&str, u32)> {
        let (word, n) = phrase.rsplit_once('~')?;
        if word.is_empty() || word.contains(['~', ' ']) || n.is_empty() || n.len() > 3 {
            return None;
        }
        if !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some((word, n.parse().ok()?))
    }
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
        use tantivy::query::{BooleanQuery, BoostQuery, Occur, QueryParserError};
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
                let mut subs = Vec::with_capacity(children.len());
                for (occur, child) in children {
                    subs.push((occur.unwrap_or(Occur::Must), convert(child, parser, false)?));
                }
                if top && subs.iter().all(|(o, _)| *o == Occur::MustNot) {
                    return Err(QueryParserError::AllButQueryForbidden);
                }
                Ok(Box::new(BooleanQuery::new(subs)))
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
