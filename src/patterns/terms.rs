//! The words recommendations are compared by: the index's English
//! analysis (stemmed, stop words and the rule file's ignored words left
//! out), interned as numbers in the order they are first met, each
//! weighted by how rare it is among the recommendations.

use tantivy::tokenizer::TextAnalyzer;

/// One recommendation as compared: its id, document and distinct words
/// (sorted numbers).
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) id: String,
    pub(super) doc: u32,
    pub(super) terms: Vec<u32>,
}

/// How texts become words: the comparison analyser and the stems of the
/// rule file's ignored words. Cloned for each thread that analyses.
#[derive(Clone)]
pub(super) struct Analysis {
    analyzer: TextAnalyzer,
    /// Stems of the rule file's ignored words ("reviewed" goes with "review").
    ignored: std::sync::Arc<std::collections::HashSet<String>>,
}

/// One text's words as analysed, in order, with where each was written
/// (to show a word as it was first written).
#[derive(Debug, Clone)]
pub(super) struct Analysed {
    text: String,
    words: Vec<(String, std::ops::Range<usize>)>,
}

impl Analysed {
    /// Each word (its stem) in order, with the text it was written as.
    pub(super) fn words(&self) -> impl Iterator<Item = (&str, &str)> {
        self.words
            .iter()
            .map(|(w, at)| (w.as_str(), self.text.get(at.clone()).unwrap_or(w)))
    }
}

impl Analysis {
    pub(super) fn new(ignore: &[String], keep: &[String]) -> Analysis {
        let mut analyzer = crate::index::comparison_analyzer(keep);
        let mut ignored = std::collections::HashSet::new();
        for word in ignore {
            let mut stream = analyzer.token_stream(word);
            while let Some(t) = stream.next() {
                ignored.insert(t.text.clone());
            }
        }
        Analysis {
            analyzer,
            ignored: std::sync::Arc::new(ignored),
        }
    }

    /// The words of `text` compared: numbers ("5", "2019") and one-letter
    /// words say little about what is asked.
    pub(super) fn analyse(&mut self, text: String) -> Analysed {
        let mut words = Vec::new();
        let mut stream = self.analyzer.token_stream(&text);
        while stream.advance() {
            let t = stream.token_mut();
            if t.text.len() < 2
                || t.text.bytes().all(|b| b.is_ascii_digit())
                || self.ignored.contains(&t.text)
            {
                continue;
            }
            words.push((std::mem::take(&mut t.text), t.offset_from..t.offset_to));
        }
        drop(stream);
        Analysed { text, words }
    }
}

/// The vocabulary of the recommendations seen, with how many contain each
/// word and the first form each word was written in (what people see).
#[derive(Default)]
pub(super) struct Words {
    ids: rustc_hash::FxHashMap<String, u32>,
    surface: Vec<String>,
}

impl Words {
    /// The number of word `stem`, numbered now if it is new (shown as
    /// `written` says).
    pub(super) fn intern(&mut self, stem: &str, written: impl FnOnce() -> String) -> u32 {
        if let Some(&term) = self.ids.get(stem) {
            return term;
        }
        let term = self.ids.len() as u32;
        self.surface.push(written());
        self.ids.insert(stem.to_string(), term);
        term
    }

    /// Each word's weight among `items`: ln((n + 1) / (df + ½)), where df
    /// is how many of the n contain it.
    pub(super) fn weights(&self, items: &[Item]) -> Vec<f32> {
        let mut df = vec![0u32; self.surface.len()];
        for item in items {
            for &t in &item.terms {
                df[t as usize] += 1;
            }
        }
        let n = items.len() as f64 + 1.0;
        df.iter()
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
    // The lower-cased text, and for each of its bytes the original byte
    // offset of the character it came from, or None inside a character's
    // lower case (a match must start and end on a character's).
    let mut lower = String::with_capacity(text.len());
    let mut origin: Vec<Option<usize>> = Vec::with_capacity(text.len() + 1);
    for (at, c) in text.char_indices() {
        let first = lower.len();
        lower.extend(c.to_lowercase());
        origin.extend((first..lower.len()).map(|b| (b == first).then_some(at)));
    }
    origin.push(Some(text.len()));
    let mut cut: Vec<(usize, usize)> = Vec::new();
    for name in names.iter().filter(|n| n.chars().count() > 2) {
        let needle = name.to_lowercase();
        let mut from = 0;
        while let Some(i) = lower[from..].find(&needle) {
            let (a, b) = (from + i, from + i + needle.len());
            if let (Some(x), Some(y)) = (origin[a], origin[b]) {
                cut.push((x, y));
            }
            from = a + lower[a..].chars().next().map_or(1, char::len_utf8);
        }
    }
    // Blank the ranges (overlaps merged), last first.
    cut.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in cut {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let mut out = text.to_string();
    for (a, b) in merged.into_iter().rev() {
        out.replace_range(a..b, " ");
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
        // Lower case of another length before a match, and after it.
        assert_eq!(without("İİ police \u{212A}", &["Police"]), "İİ   \u{212A}");
        assert_eq!(without("ẞ POLICE", &["police"]), "ẞ  ");
        // "İ" lower-cases to two characters: a name cannot end inside it.
        assert_eq!(without("xİ", &["xi"]), "xİ");
        assert_eq!(
            without("Glanmor Police", &["Glanmor Police", "Police"]),
            " "
        );
    }

    proptest::proptest! {
        #[test]
        fn blanking_names_never_panics_and_keeps_other_text(
            text in "[a-zA-Zİ\u{212A}ẞ ]{0,40}",
            name in "[a-zA-Zİ\u{212A}ẞ]{3,6}",
        ) {
            let out = without(&text, &[name.as_str()]);
            proptest::prop_assert!(!out.to_lowercase().contains(&name.to_lowercase()) || out == text);
        }
    }

    #[test]
    fn words_are_stemmed_and_ignored_words_and_stop_words_left_out() {
        let mut analysis = Analysis::new(
            &["inquest".to_string(), "review".to_string()],
            &["gp".to_string()],
        );
        let mut w = Words::default();
        let mut item = |id: &str, doc: u32, text: &str| {
            let analysed = analysis.analyse(text.to_string());
            let mut terms: Vec<u32> = analysed
                .words()
                .map(|(stem, written)| w.intern(stem, || written.to_lowercase()))
                .collect();
            terms.sort_unstable();
            terms.dedup();
            Item {
                id: id.to_string(),
                doc,
                terms,
            }
        };
        let a = item(
            "a",
            0,
            "The inquest heard that officers were not trained in 2019 and reviewed by a GP.",
        );
        let b = item("b", 1, "Train the officers.");
        let words: Vec<&str> = a.terms.iter().map(|&t| w.surface(t)).collect();
        assert!(
            words.contains(&"officers") && words.contains(&"trained"),
            "{words:?}"
        );
        assert!(
            !words
                .iter()
                .any(|x| ["inquest", "the", "2019", "were", "reviewed"].contains(x)),
            "{words:?}"
        );
        assert!(words.contains(&"gp"), "a stop word kept: {words:?}");
        assert_eq!(
            shared(&a.terms, &b.terms).len(),
            2,
            "train/trained and officers"
        );
        let weights = w.weights(&[a.clone(), b.clone()]);
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
