//! `[grouping]`: the settings that decide when recommendations from
//! different documents ask for the same thing (the `patterns` stage reads
//! them). A rule file without the table uses the default rules' one.

use super::diag::Diags;
use super::schema::GroupingDef;

/// How recurring recommendations are grouped (see `patterns`).
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    /// Two recommendations are alike when the weight of the words they
    /// share, over a mean of the two texts' weights, is at least this
    /// (0 to 1).
    pub min_similarity: f32,
    /// Which mean: 0 = the lighter text's weight (a short text inside a
    /// long one is alike to it), 0.5 = the geometric mean (texts of very
    /// different lengths are seldom alike); the mean is
    /// lighter^(1 - balance) × heavier^balance.
    pub balance: f32,
    /// ... and they have at least this many (distinct, stemmed) content
    /// words in common.
    pub min_shared_words: usize,
    /// A recommendation with fewer distinct content words than this is
    /// not grouped (too short to say what it asks).
    pub min_words: usize,
    /// Two documents are renderings of one (a PDF and its Markdown, the
    /// same report filed twice) when this share of the smaller one's
    /// recommendations have the same words in the other; their
    /// recommendations are never grouped together.
    pub twin_share: f32,
    /// Words that say nothing about what is asked ("inquest", "evidence",
    /// "ensure"), left out before comparing (with their other forms:
    /// "reviewed" with "review").
    pub ignore: Vec<String>,
    /// Everyday words the English stop list leaves out that name what is
    /// asked in this field ("gp", "information", "home", "order").
    pub keep: Vec<String>,
}

pub(super) fn compile(def: &GroupingDef, d: &mut Diags<'_>) -> Grouping {
    let share = |v: &toml::Spanned<f32>, name: &str, d: &mut Diags<'_>| {
        let x = *v.get_ref();
        if !(0.0..=1.0).contains(&x) {
            d.at(v.span().start, format!("{name} must be between 0 and 1"));
        }
        x
    };
    let min_similarity = share(&def.min_similarity, "min_similarity", d);
    let twin_share = share(&def.twin_share, "twin_share", d);
    let balance = *def.balance.get_ref();
    if !(0.0..=0.5).contains(&balance) {
        d.at(
            def.balance.span().start,
            "balance must be between 0 and 0.5",
        );
    }
    let w = &def.min_shared_words;
    if *w.get_ref() == 0 {
        d.at(w.span().start, "min_shared_words must be 1 or more");
    }
    let ignore = words(&def.ignore, "ignored", d);
    let keep = words(&def.keep, "kept", d);
    if *def.min_similarity.get_ref() <= 0.0 {
        d.at(
            def.min_similarity.span().start,
            "min_similarity must be more than 0",
        );
    }
    Grouping {
        min_similarity,
        balance,
        min_shared_words: *w.get_ref(),
        min_words: *def.min_words.get_ref(),
        twin_share,
        ignore,
        keep,
    }
}

/// Lower-case single words, sorted; each that is not one word is reported.
fn words(list: &[toml::Spanned<String>], what: &str, d: &mut Diags<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for word in list {
        let lower = word.get_ref().trim().to_lowercase();
        if lower.is_empty() || !lower.chars().all(char::is_alphanumeric) {
            d.at(
                word.span().start,
                format!(
                    "{what} word \"{}\": one word of letters or digits",
                    word.get_ref()
                ),
            );
        } else {
            out.push(lower);
        }
    }
    out.sort();
    out.dedup();
    out
}
