//! The words recommendations are compared by: the index's English
//! analysis (stemmed, stop words and the rule file's ignored words left
//! out), interned as numbers in the order they are first met, each
//! weighted by how rare it is among the recommendations.

use std::collections::HashMap;
use tantivy::tokenizer::TextAnalyzer;

/// One recommendation as compared: its id, document and distinct words
/// (sorted numbers).
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) id: String,
    pub(super) doc: u32,
    pub(super) terms: Vec<u32>,
}

/// The vocabulary of the recommendations seen, with how many contain each
/// word and the first form each word was written in (what people see).
pub(super) struct Words {
    analyzer: TextAnalyzer,
    ids: HashMap<String, u32>,
    surface: Vec<String>,
    df: Vec<u32>,
}

impl Words {
    pub(super) fn new(ignore: &[String]) -> Words {
        Words {
            analyzer: crate::index::comparison_analyzer(ignore),
            ids: HashMap::new(),
            surface: Vec::new(),
            df: Vec::new(),
        }
    }

    /// Analyse one recommendation's text.
    pub(super) fn item(&mut self, id: &str, doc: u32, text: &str) -> Item {
        let mut terms = Vec::new();
        let mut stream = self.analyzer.token_stream(text);
        while let Some(t) = stream.next() {
            // Numbers ("5", "2019") say little about what is asked.
            if t.text.len() < 2 || t.text.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let n = self.ids.len() as u32;
            let term = *self.ids.entry(t.text.clone()).or_insert(n);
            if term == n {
                let word = text.get(t.offset_from..t.offset_to).unwrap_or(&t.text);
                self.surface.push(word.to_lowercase());
                self.df.push(0);
            }
            terms.push(term);
        }
        drop(stream);
        terms.sort_unstable();
        terms.dedup();
        for &t in &terms {
            self.df[t as usize] += 1;
        }
        Item {
            id: id.to_string(),
            doc,
            terms,
        }
    }

    /// Each word's weight among `n` recommendations: ln((n + 1) / (df + ½)).
    pub(super) fn weights(&self, n: usize) -> Vec<f32> {
        let n = n as f64 + 1.0;
        self.df
            .iter()
            .map(|&df| (n / (f64::from(df) + 0.5)).ln().max(0.0) as f32)
            .collect()
    }

    /// A word as first written.
    pub(super) fn surface(&self, term: u32) -> &str {
        &self.surface[term as usize]
    }
}

/// `text` with each of `names` (as written, any case) blanked out.
pub(super) fn without(text: &str, names: &[&str]) -> String {
    let mut out = text.to_string();
    for name in names.iter().filter(|n| n.chars().count() > 2) {
        let lower = out.to_lowercase();
        if lower.len() != out.len() {
            // Lower-casing changed byte lengths: offsets would not match.
            continue;
        }
        let needle = name.to_lowercase();
        let mut cut = Vec::new();
        let mut from = 0;
        while let Some(i) = lower[from..].find(&needle) {
            cut.push((from + i, from + i + needle.len()));
            from += i + needle.len();
        }
        for (a, b) in cut.into_iter().rev() {
            out.replace_range(a..b, " ");
        }
    }
    out
}

/// Total weight of sorted terms.
pub(super) fn weight(terms: &[u32], weights: &[f32]) -> f32 {
    terms.iter().map(|&t| weights[t as usize]).sum()
}

/// The terms two sorted lists share, in order.
pub(super) fn shared(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addressees_are_blanked_in_any_case() {
        assert_eq!(
            without(
                "Glanmor Police should train officers; glanmor police to audit.",
                &["Glanmor Police"]
            ),
            "  should train officers;   to audit."
        );
        assert_eq!(
            without("İ Police", &["police"]),
            "İ Police",
            "offsets would shift: kept"
        );
    }

    #[test]
    fn words_are_stemmed_and_ignored_words_and_stop_words_left_out() {
        let mut w = Words::new(&["inquest".to_string()]);
        let a = w.item(
            "a",
            0,
            "The inquest heard that officers were not trained in 2019.",
        );
        let b = w.item("b", 1, "Train the officers.");
        let words: Vec<&str> = a.terms.iter().map(|&t| w.surface(t)).collect();
        assert!(
            words.contains(&"officers") && words.contains(&"trained"),
            "{words:?}"
        );
        assert!(
            !words
                .iter()
                .any(|x| ["inquest", "the", "2019", "were"].contains(x))
        );
        assert_eq!(
            shared(&a.terms, &b.terms).len(),
            2,
            "train/trained and officers"
        );
        let weights = w.weights(2);
        // "heard" is in one of two, "officers" in both: rarer weighs more.
        let heard = a.terms.iter().find(|&&t| w.surface(t) == "heard").unwrap();
        let officers = a
            .terms
            .iter()
            .find(|&&t| w.surface(t) == "officers")
            .unwrap();
        assert!(weights[*heard as usize] > weights[*officers as usize]);
    }
}
