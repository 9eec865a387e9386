//! Ranking documents: which documents match is decided passage by passage
//! (the query's words in one passage), but the order of the matching
//! documents is BM25 over each whole document (its title counting 1.5
//! times), from the document rows ([`fields::DOC_ROW`]): the query's
//! positive words (not those after `NOT`, not field filters), a fuzzy
//! word by each word it stands for. A document row is one per document,
//! so ranking costs the same whatever the number of passages.

use super::docmap::SegmentRows;
use super::*;
use tantivy::postings::Postings;
use tantivy::query::{Bm25Weight, FuzzyTermQuery};
use tantivy::query_grammar::{UserInputAst, UserInputLeaf};
use tantivy::{DocSet, Searcher, TERMINATED, Term};

/// Weight of a title word against a word of the text.
const TITLE_BOOST: Score = 1.5;

/// A positive word of a query, as the index analyses it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum RankWord {
    /// The word itself.
    Exact(String),
    /// Any word within this many edits.
    Fuzzy(String, u8),
}

/// The positive words of a parsed query, sorted, each once.
pub(super) fn rank_words(index: &Index, ast: &UserInputAst) -> Vec<RankWord> {
    let mut analyzer = index
        .tokenizers()
        .get(ANALYZER_EN)
        .expect("the index's analyzers are registered");
    let mut out = Vec::new();
    collect_words(ast, &mut analyzer, &mut out);
    out.sort();
    out.dedup();
    out
}

fn collect_words(ast: &UserInputAst, analyzer: &mut TextAnalyzer, out: &mut Vec<RankWord>) {
    match ast {
        UserInputAst::Clause(children) => {
            for (occur, child) in children {
                if *occur != Some(tantivy::query::Occur::MustNot) {
                    collect_words(child, analyzer, out);
                }
            }
        }
        UserInputAst::Boost(inner, _) => collect_words(inner, analyzer, out),
        UserInputAst::Leaf(leaf) => {
            let UserInputLeaf::Literal(l) = leaf.as_ref() else {
                return;
            };
            let text_field = match l.field_name.as_deref() {
                None => true,
                Some(name) => [fields::TEXT, fields::TITLE, fields::TRAIL].contains(&name),
            };
            if !text_field {
                return;
            }
            let fuzzy = (l.delimiter == tantivy::query_grammar::Delimiter::None)
                .then(|| super::query::fuzzy_word(&l.phrase))
                .flatten();
            let (text, distance) = match fuzzy {
                Some((word, d)) => (word, Some(u8::try_from(d.min(2)).unwrap_or(2))),
                None => (l.phrase.as_str(), None),
            };
            let mut stream = analyzer.token_stream(text);
            while let Some(token) = stream.next() {
                out.push(match distance {
                    Some(d) => RankWord::Fuzzy(token.text.clone(), d),
                    None => RankWord::Exact(token.text.clone()),
                });
            }
        }
    }
}

/// Each document's ranking score (by `doc_ord`; 0 for none of the words).
pub(super) fn document_scores(
    searcher: &Searcher,
    f: &Fields,
    ords: usize,
    seg_rows: &[std::sync::Arc<SegmentRows>],
    words: &[RankWord],
) -> Result<Vec<Score>, IndexError> {
    let mut scores = vec![0.0; ords];
    if words.is_empty() || ords == 0 {
        return Ok(scores);
    }
    for (k, (field, boost)) in [(f.doc_words, 1.0), (f.doc_title, TITLE_BOOST)]
        .into_iter()
        .enumerate()
    {
        let mut tokens = 0u64;
        for seg in searcher.segment_readers() {
            tokens += seg.inverted_index(field)?.total_num_tokens();
        }
        let average = tokens as Score / ords as Score;
        for term in terms_of(searcher, field, words)? {
            let mut doc_freq = 0u64;
            for seg in searcher.segment_readers() {
                doc_freq += u64::from(
                    seg.inverted_index(field)?
                        .doc_freq(&term)
                        .map_err(io_error)?,
                );
            }
            if doc_freq == 0 {
                continue;
            }
            // (Every row with the term is a document's: rows are written
            // for documents with passages only; the bound keeps an index
            // written otherwise from failing the idf's assertion.)
            let doc_freq = doc_freq.min(ords as u64);
            let weight = Bm25Weight::for_one_term_without_explain(doc_freq, ords as u64, average)
                .boost_by(boost);
            for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
                let Some(rows) = seg_rows.get(seg_ord) else {
                    continue;
                };
                let mut rows = rows.cursor();
                let alive = seg.alive_bitset();
                let Some(mut postings) = seg
                    .inverted_index(field)?
                    .read_postings(&term, IndexRecordOption::WithFreqs)
                    .map_err(io_error)?
                else {
                    continue;
                };
                while postings.doc() != TERMINATED {
                    let doc = postings.doc();
                    if alive.is_none_or(|a| a.is_alive(doc))
                        && let Some(i) = rows.seek(doc)
                        && let Some(s) = scores.get_mut(rows.ord(i) as usize)
                    {
                        *s += weight.score(rows.norm(k, i), postings.term_freq());
                    }
                    postings.advance();
                }
            }
        }
    }
    Ok(scores)
}

/// The terms of `field` the words stand for, in term order, each once (a
/// fuzzy word by every word of the index within its distance).
fn terms_of(
    searcher: &Searcher,
    field: Field,
    words: &[RankWord],
) -> Result<Vec<Term>, IndexError> {
    let mut out: Vec<Term> = Vec::new();
    for w in words {
        match w {
            RankWord::Exact(text) => out.push(Term::from_field_text(field, text)),
            RankWord::Fuzzy(text, d) => {
                let automaton = FuzzyTermQuery::new(Term::from_field_text(field, text), *d, true)
                    .automaton()?;
                for seg in searcher.segment_readers() {
                    let inverted = seg.inverted_index(field)?;
                    let mut stream = inverted
                        .terms()
                        .search(&automaton)
                        .into_stream()
                        .map_err(|e| IndexError::Tantivy(e.into()))?;
                    while stream.advance() {
                        if let Ok(word) = std::str::from_utf8(stream.key()) {
                            out.push(Term::from_field_text(field, word));
                        }
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn io_error(e: std::io::Error) -> IndexError {
    IndexError::Tantivy(e.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(query: &str) -> Vec<RankWord> {
        let index = Index::create_in_ram(schema());
        register_analyzers(&index);
        rank_words(&index, &super::super::query::parse_ast(query).unwrap())
    }

    fn exact(w: &[&str]) -> Vec<RankWord> {
        w.iter().map(|w| RankWord::Exact(w.to_string())).collect()
    }

    #[test]
    fn a_query_ranks_by_its_positive_words_as_the_index_analyses_them() {
        // Phrases and proximity count their words; words are stemmed.
        assert_eq!(
            words("\"risk assessments\"~2 Police"),
            exact(&["assess", "polic", "risk"])
        );
        // Excluded words and field filters do not rank.
        assert_eq!(words("marac NOT police -housing"), exact(&["marac"]));
        assert_eq!(
            words("training kind:dhr theme:coercive_control year:[2019 TO 2023]"),
            exact(&["train"])
        );
        // Text fields named in the query still rank; each word once.
        assert_eq!(
            words("title:review text:review OR trail:review"),
            exact(&["review"])
        );
        // A fuzzy word ranks by the words within its distance.
        assert_eq!(
            words("assesment~1 risk"),
            vec![
                RankWord::Exact("risk".into()),
                RankWord::Fuzzy("asses".into(), 1)
            ]
        );
        assert_eq!(words("*"), Vec::new());
    }
}
