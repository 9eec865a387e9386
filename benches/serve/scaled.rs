//! Scaled corpus for the serve benchmark: N fictional review-sized Markdown
//! documents recombined from the fictional sample corpus sources
//! (`tools/corpus/sources/*.src`), deterministic for a given seed.
//!
//! Each generated document has a cover page (title, partnership or board,
//! "Report completed: Month YEAR", the fictional notice), then numbered
//! `##` sections in the order of a real review (introduction, terms of
//! reference, methodology, background, chronology, analysis with `###`
//! agency sub-sections, lessons, conclusions, recommendations, action plan)
//! or of a strategy (foreword, priority areas with "We will:" lists,
//! governance, action plan). Paragraphs are drawn from the same kind of
//! section across every source document, their sentences recombined, and
//! the names of the fictional people, areas and years varied. Pages are
//! separated by form feeds (`\f`), which the text loader splits pages at;
//! the analysis (or priority areas) grows until the document reaches its
//! drawn page count.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Characters of text that count as one page.
pub const PAGE_CHARS: usize = 1800;

/// SplitMix64: small, seeded, good enough to shuffle text.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.range(0, v.len() - 1)]
    }
}

/// The kind of section a piece of source text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Intro,
    /// A strategy's foreword and introduction.
    StrategyIntro,
    Terms,
    Method,
    Background,
    Chronology,
    Analysis,
    Lessons,
    Conclusions,
    Recommendations,
    Priority,
    Governance,
    Other,
}

fn classify(heading: &str) -> Class {
    let h = heading.to_lowercase();
    let has = |w: &[&str]| w.iter().any(|x| h.contains(x));
    if has(&["recommendation", "argymhellion"]) {
        Class::Recommendations
    } else if has(&["terms of reference"]) {
        Class::Terms
    } else if has(&["introduction", "foreword"]) {
        Class::Intro
    } else if has(&["methodology", "involvement"]) {
        Class::Method
    } else if has(&["background", "summary of the case"]) {
        Class::Background
    } else if has(&["chronology"]) {
        Class::Chronology
    } else if has(&["analysis", "findings", "themes", "good practice"]) {
        Class::Analysis
    } else if has(&["lessons", "learning"]) {
        Class::Lessons
    } else if has(&["conclusion"]) {
        Class::Conclusions
    } else if has(&["priority area"]) {
        Class::Priority
    } else if has(&["governance", "achieved", "vision"]) {
        Class::Governance
    } else {
        Class::Other
    }
}

/// One paragraph-sized piece of source text.
#[derive(Debug, Clone)]
enum Unit {
    /// A body paragraph (its numbering removed).
    Para(String),
    /// A bullet list, one item per entry; `lead` is the line introducing it.
    List {
        lead: Option<String>,
        items: Vec<String>,
    },
    /// A recommendation's text and its `(a) …` sub-items.
    Rec { text: String, subs: Vec<String> },
    /// A chronology entry: when, who, what.
    Event(String, String, String),
    /// An action-plan row without its number: scope, action, lead, date, outcome.
    Action(Vec<String>),
}

#[derive(Default)]
struct Pools {
    units: BTreeMap<Class, Vec<Unit>>,
    /// Analysis sub-section headings (numbering removed).
    agencies: Vec<String>,
    /// Every paragraph sentence, per class, for recombination.
    sentences: BTreeMap<Class, Vec<String>>,
}

/// Remove inline source markup the loader would not understand.
fn clean_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    // Footnotes `^[...]` are dropped.
    while let Some(i) = rest.find("^[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let mut depth = 1;
        let mut end = after.len();
        for (j, c) in after.char_indices() {
            match c {
                '[' => depth += 1,
                ']' => {
                    depth -= 1;
                    if depth == 0 {
                        end = j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end.min(after.len())..];
    }
    out.push_str(rest);
    out.replace("\\-", "").trim().to_string()
}

/// Strip a leading paragraph number such as `6.1.1 ` or `3. `.
fn strip_number(s: &str) -> &str {
    let t = s.trim_start();
    let n = t
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '.')
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    if n > 0 && t[n..].starts_with(' ') && t[..n].chars().next().is_some_and(|c| c.is_ascii_digit())
    {
        t[n..].trim_start()
    } else {
        t
    }
}

/// Split a paragraph into sentences at `. `, `? ` or `! ` before a capital.
fn sentences(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = p.as_bytes();
    let mut start = 0;
    for i in 1..b.len().saturating_sub(2) {
        if matches!(b[i], b'.' | b'?' | b'!') && b[i + 1] == b' ' && b[i + 2].is_ascii_uppercase() {
            // Not after a one-letter initial ("Mr B. Smith").
            if i >= 2 && b[i - 2] == b' ' {
                continue;
            }
            out.push(p[start..=i].trim().to_string());
            start = i + 2;
        }
    }
    let tail = p[start..].trim();
    if !tail.is_empty() {
        out.push(tail.to_string());
    }
    out
}

fn parse_source(text: &str, strategy: bool, pools: &mut Pools) {
    let classify = |h: &str| match classify(h) {
        Class::Intro if strategy => Class::StrategyIntro,
        c => c,
    };
    let mut class = Class::Other;
    let mut in_cover = false;
    let mut table: Option<Vec<Vec<String>>> = None;
    let mut list: Option<(Option<String>, Vec<String>)> = None;
    let mut last_para: Option<String> = None;
    let mut rec: Option<(String, Vec<String>)> = None;

    fn flush(
        class: Class,
        pools: &mut Pools,
        table: &mut Option<Vec<Vec<String>>>,
        list: &mut Option<(Option<String>, Vec<String>)>,
        last_para: &mut Option<String>,
        rec: &mut Option<(String, Vec<String>)>,
    ) {
        if let Some((text, subs)) = rec.take() {
            pools
                .units
                .entry(Class::Recommendations)
                .or_default()
                .push(Unit::Rec { text, subs });
        }
        if let Some((lead, items)) = list.take() {
            if lead.is_some() {
                *last_para = None;
            }
            pools
                .units
                .entry(class)
                .or_default()
                .push(Unit::List { lead, items });
        }
        // A sentence or more (not a signature or caption line).
        let prose = |p: &String| {
            p.split_whitespace().count() >= 8
                && p.trim_end()
                    .ends_with(['.', ':', ';', '?', '!', '"', '\u{201d}', ')'])
        };
        if let Some(p) = last_para.take().filter(prose) {
            pools
                .sentences
                .entry(class)
                .or_default()
                .extend(sentences(&p));
            pools.units.entry(class).or_default().push(Unit::Para(p));
        }
        if let Some(rows) = table.take() {
            for row in rows.into_iter().skip(1) {
                if class == Class::Chronology && row.len() >= 3 {
                    pools.units.entry(class).or_default().push(Unit::Event(
                        row[0].clone(),
                        row[1].clone(),
                        row[2..].join(" "),
                    ));
                } else if row.len() >= 6 && row[0].chars().all(|c| c.is_ascii_digit()) {
                    pools
                        .units
                        .entry(Class::Recommendations)
                        .or_default()
                        .push(Unit::Action(row[1..6].to_vec()));
                } else if !row.is_empty() {
                    let p = row.join(": ");
                    pools.units.entry(class).or_default().push(Unit::Para(p));
                }
            }
        }
    }

    for raw in text.lines() {
        let line = raw.trim_end();
        if line.starts_with("%%") {
            continue;
        }
        if line == "%cover" {
            in_cover = true;
            continue;
        }
        if line == "%endcover" {
            in_cover = false;
            continue;
        }
        if in_cover {
            continue;
        }
        if line.starts_with('%') {
            if line.starts_with("%table") {
                flush(
                    class,
                    pools,
                    &mut table,
                    &mut list,
                    &mut last_para,
                    &mut rec,
                );
                table = Some(Vec::new());
            }
            continue;
        }
        if let Some(rows) = table.as_mut()
            && line.starts_with('|')
        {
            rows.push(
                line.trim_matches('|')
                    .split(" | ")
                    .map(|c| clean_inline(&c.replace(" // ", " ")))
                    .collect(),
            );
            continue;
        }
        if let Some(h) = line
            .strip_prefix("## ")
            .or_else(|| line.strip_prefix("### "))
        {
            flush(
                class,
                pools,
                &mut table,
                &mut list,
                &mut last_para,
                &mut rec,
            );
            let h = strip_number(&clean_inline(h)).to_string();
            if class == Class::Analysis && !h.is_empty() {
                pools.agencies.push(h);
            } else if classify(&h) != Class::Other {
                class = classify(&h);
            }
            continue;
        }
        if let Some(h) = line.strip_prefix("# ") {
            flush(
                class,
                pools,
                &mut table,
                &mut list,
                &mut last_para,
                &mut rec,
            );
            class = classify(h);
            continue;
        }
        if line.trim().is_empty() {
            flush(
                class,
                pools,
                &mut table,
                &mut list,
                &mut last_para,
                &mut rec,
            );
            continue;
        }
        if let Some(item) = line.strip_prefix("- ") {
            if list.is_none() {
                let lead = last_para.take();
                list = Some((lead, Vec::new()));
            }
            list.as_mut().unwrap().1.push(clean_inline(item));
            continue;
        }
        if let Some((_, items)) = list.as_mut().filter(|_| line.starts_with("  ")) {
            if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(&clean_inline(line));
            }
            continue;
        }
        if let Some(sub) = line.strip_prefix("> ")
            && let Some((_, subs)) = rec.as_mut()
        {
            subs.push(clean_inline(sub));
            continue;
        }
        let body = clean_inline(line.trim_start_matches('>').trim_start());
        if class == Class::Recommendations {
            // "**Recommendation 3:** text" or "3. text".
            let rec_text = body
                .strip_prefix("**Recommendation ")
                .and_then(|r| r.split_once(":**"))
                .map(|(_, t)| t.trim().to_string())
                .or_else(|| {
                    let s = strip_number(&body);
                    (s.len() < body.len() && !body.contains("recommendations"))
                        .then(|| s.to_string())
                });
            if let Some(t) = rec_text.filter(|t| t.len() > 40) {
                flush(
                    class,
                    pools,
                    &mut table,
                    &mut list,
                    &mut last_para,
                    &mut rec,
                );
                rec = Some((t, Vec::new()));
                continue;
            }
        }
        flush(
            class,
            pools,
            &mut table,
            &mut list,
            &mut last_para,
            &mut rec,
        );
        let p = strip_number(&body).to_string();
        if !p.is_empty() {
            last_para = Some(p);
        }
    }
    flush(
        class,
        pools,
        &mut table,
        &mut list,
        &mut last_para,
        &mut rec,
    );
}

/// The fictional people, places and years that are varied per document.
struct Cast {
    subject: String,
    other: String,
    relative: String,
    area: String,
    town: String,
    valley: String,
    /// Added to every year in the text.
    shift: i32,
}

const FIRST_NAMES: &[&str] = &[
    "Alys", "Bethan", "Carys", "Delyth", "Elin", "Ffion", "Gwen", "Heledd", "Iola", "Lowri",
    "Mared", "Nia", "Olwen", "Rhian", "Seren", "Tegan", "Wenna", "Angharad", "Catrin", "Eleri",
];
const OTHER_NAMES: &[&str] = &[
    "Aled", "Bryn", "Cai", "Dafydd", "Emyr", "Gethin", "Huw", "Ieuan", "Jac", "Llyr", "Macsen",
    "Owain", "Peredur", "Rhodri", "Steffan", "Tudur",
];
const RELATIVES: &[&str] = &["Sian", "Menna", "Gwenllian", "Nerys", "Eluned", "Manon"];
/// Invented areas (fictional, as in the sample corpus).
const AREAS: &[&str] = &[
    "Glanmor",
    "Dyffryn Eithin",
    "Bro Hesg",
    "Morlan",
    "Cwm Derwen",
    "Penfeini",
    "Tir Garw",
    "Aberhesg",
    "Bryn Celyn",
    "Rhos Fawr",
];
const TOWNS: &[&str] = &[
    "Aberwen",
    "Llanhesg",
    "Porth Eithin",
    "Trefelin",
    "Castell Morlan",
    "Pontfeini",
    "Nant Garw",
    "Glyn Celyn",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Names in the sources that stand for the subject, another person, a relative.
const SRC_SUBJECTS: &[&str] = &["Ffion", "Eirlys", "Rhys", "Mr B", "Child G"];
const SRC_OTHERS: &[&str] = &["Darren", "Gareth", "Liam", "Mr K"];
const SRC_RELATIVES: &[&str] = &["Sian", "Menna"];

impl Cast {
    fn apply(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (from, to) in SRC_SUBJECTS
            .iter()
            .map(|f| (*f, &self.subject))
            .chain(SRC_OTHERS.iter().map(|f| (*f, &self.other)))
            .chain(SRC_RELATIVES.iter().map(|f| (*f, &self.relative)))
            .chain([
                ("Glanmor", &self.area),
                ("Aberwen", &self.town),
                ("Cwm Tawel", &self.valley),
            ])
        {
            out = replace_word(&out, from, to);
        }
        shift_years(&out, self.shift)
    }
}

/// Replace whole-word occurrences of `from`.
fn replace_word(s: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut prev: Option<char> = None;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().last().or(prev);
        let after = rest[i + from.len()..].chars().next();
        let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric());
        out.push_str(&rest[..i]);
        if boundary(before) && boundary(after) {
            out.push_str(to);
        } else {
            out.push_str(from);
        }
        prev = from.chars().last();
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

/// Add `shift` to every four-digit year 1990–2039 standing alone.
fn shift_years(s: &str, shift: i32) -> String {
    if shift == 0 {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut i = 0;
    while i + 4 <= b.len() {
        let word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let word_end = i + 4 == b.len() || !b[i + 4].is_ascii_alphanumeric();
        if word_start && word_end && b[i..i + 4].iter().all(u8::is_ascii_digit) {
            let y: i32 = s[i..i + 4].parse().unwrap_or(0);
            if (1990..2040).contains(&y) {
                out.push_str(&s[last..i]);
                let _ = write!(out, "{}", y + shift);
                last = i + 4;
                i += 4;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&s[last..]);
    out
}

/// What the generator wrote.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Generated {
    pub documents: usize,
    pub pages: usize,
    pub bytes: u64,
    pub by_kind: BTreeMap<String, usize>,
}

/// A generated document: file name and Markdown text.
pub struct Doc {
    pub name: String,
    pub text: String,
    pub pages: usize,
    pub kind: &'static str,
}

pub struct Generator {
    pools: Pools,
    seed: u64,
    pages: (usize, usize),
}

impl Generator {
    /// Read the sources in `sources` (`*.src`).
    pub fn from_sources(sources: &Path, seed: u64, pages: (usize, usize)) -> std::io::Result<Self> {
        let mut files: Vec<_> = std::fs::read_dir(sources)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "src"))
            .collect();
        files.sort();
        let mut pools = Pools::default();
        for f in &files {
            let strategy = f
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("strategy"));
            parse_source(&std::fs::read_to_string(f)?, strategy, &mut pools);
        }
        for class in [
            Class::Intro,
            Class::StrategyIntro,
            Class::Terms,
            Class::Background,
            Class::Chronology,
            Class::Analysis,
            Class::Recommendations,
            Class::Priority,
        ] {
            if pools.units.get(&class).is_none_or(Vec::is_empty) {
                return Err(std::io::Error::other(format!(
                    "no {class:?} text found in {}",
                    sources.display()
                )));
            }
        }
        Ok(Generator { pools, seed, pages })
    }

    fn units(&self, class: Class) -> &[Unit] {
        self.pools.units.get(&class).map_or(&[], Vec::as_slice)
    }

    /// A paragraph of `class` with some sentences recombined from others.
    fn paragraph(&self, rng: &mut Rng, class: Class, base: &str) -> String {
        let mut ss = sentences(base);
        let pool = self
            .pools
            .sentences
            .get(&class)
            .map_or(&[][..], Vec::as_slice);
        if !pool.is_empty() {
            if ss.len() > 1 && rng.chance(50) {
                let i = rng.range(0, ss.len() - 1);
                ss[i] = rng.pick(pool).clone();
            }
            if rng.chance(35) {
                ss.push(rng.pick(pool).clone());
            }
            if ss.len() > 2 && rng.chance(20) {
                let i = rng.range(1, ss.len() - 1);
                ss.swap(0, i);
            }
        }
        ss.join(" ")
    }

    /// Draw and render units of `classes` until about `budget` characters;
    /// at most `lists` bullet lists (the count left is updated).
    #[allow(clippy::too_many_arguments)]
    fn section_body(
        &self,
        rng: &mut Rng,
        out: &mut Vec<String>,
        classes: &[Class],
        number: &str,
        budget: usize,
        cast: &Cast,
        lists: &mut usize,
    ) {
        let units: Vec<(Class, &Unit)> = classes
            .iter()
            .flat_map(|&c| self.units(c).iter().map(move |u| (c, u)))
            .filter(|(_, u)| !matches!(u, Unit::Rec { .. } | Unit::Action(_)))
            .collect();
        if !units.iter().any(|(_, u)| !matches!(u, Unit::List { .. })) {
            return;
        }
        let mut used = 0;
        let mut n = 0;
        while used < budget {
            let &(class, u) = rng.pick(&units);
            let text = match u {
                Unit::Para(p) => {
                    n += 1;
                    format!("{number}.{n} {}", self.paragraph(rng, class, p))
                }
                Unit::List { .. } if *lists == 0 => continue,
                Unit::List { lead, items } => {
                    *lists -= 1;
                    let mut s = String::new();
                    if let Some(l) = lead {
                        n += 1;
                        let _ = writeln!(s, "{number}.{n} {}", l);
                    }
                    let mut items: Vec<&String> = items.iter().collect();
                    let k = rng.range(2, items.len().max(2));
                    rotate(&mut items, rng);
                    for it in items.into_iter().take(k) {
                        let _ = writeln!(s, "- {it}");
                    }
                    s.trim_end().to_string()
                }
                Unit::Event(when, who, what) => {
                    n += 1;
                    format!("{number}.{n} **{when}.** {who}: {what}")
                }
                Unit::Rec { .. } | Unit::Action(_) => continue,
            };
            let text = cast.apply(&text);
            used += text.len() + 2;
            out.push(text);
        }
    }

    /// Document `i` of the scaled corpus.
    pub fn doc(&self, i: usize) -> Doc {
        let mut rng = Rng::new(self.seed.wrapping_mul(1_000_003).wrapping_add(i as u64));
        let kind = *rng.pick(&[
            "dhr", "dhr", "dhr", "dhr", "cpr", "cpr", "apr", "apr", "strategy", "strategy",
        ]);
        let shift = rng.range(0, 8) as i32 - 6;
        let year = 2024 + shift;
        let area = rng.pick(AREAS).to_string();
        let subject = match kind {
            "cpr" => format!("Child {}", (b'A' + rng.range(0, 25) as u8) as char),
            "apr" => format!(
                "{} {}",
                rng.pick(&["Mr", "Mrs", "Ms"]),
                (b'A' + rng.range(0, 25) as u8) as char
            ),
            _ => rng.pick(FIRST_NAMES).to_string(),
        };
        let cast = Cast {
            subject: subject.clone(),
            other: rng.pick(OTHER_NAMES).to_string(),
            relative: rng.pick(RELATIVES).to_string(),
            town: rng.pick(TOWNS).to_string(),
            valley: rng.pick(TOWNS).to_string(),
            area: area.clone(),
            shift,
        };
        let pages = rng.range(self.pages.0, self.pages.1);
        let month = rng.pick(MONTHS);
        let reference = rng.range(1, 9);

        let mut blocks: Vec<String> = Vec::new();
        let (title, body, partnership) = match kind {
            "dhr" => (
                format!(
                    "Domestic Homicide Review: Overview Report into the death of {subject} (fictional)"
                ),
                format!(
                    "Into the death of \"{subject}\" (a pseudonym), in {}, {area}, in {}",
                    cast.town,
                    year - 2
                ),
                format!("{area} Community Safety Partnership"),
            ),
            "cpr" => (
                format!("Child Practice Review: {subject} (fictional)"),
                format!("Concerning {subject}, who lived in {}, {area}", cast.town),
                format!("{area} Regional Safeguarding Board"),
            ),
            "apr" => (
                format!("Adult Practice Review: {subject} (fictional)"),
                format!("Concerning {subject}, who lived in {}, {area}", cast.town),
                format!("{area} Regional Safeguarding Board"),
            ),
            _ => (
                format!(
                    "{area} Violence against Women, Domestic Abuse and Sexual Violence Strategy {year}-{} (fictional)",
                    year + 5
                ),
                format!("Published by the {area} VAWDASV Partnership Board"),
                format!("{area} County Borough Council"),
            ),
        };
        blocks.push(format!("# {title}"));
        blocks.push(partnership);
        blocks.push(body);
        blocks.push("FICTIONAL EXAMPLE – generated by the ystorfa serve benchmark – not a real case. Every person, place and agency named in it is invented.".into());
        blocks.push(format!("Review reference: {reference:02}/{}", year - 2));
        blocks.push(format!("Report completed: {month} {year}"));
        blocks.push("\u{c}".into());

        let target = pages * PAGE_CHARS;
        let mut sections: Vec<(Class, &str, usize)> = if kind == "strategy" {
            vec![
                (Class::StrategyIntro, "Introduction", 2500),
                (Class::Governance, "What we have achieved", 2500),
                (Class::Priority, "Priority Areas", usize::MAX),
                (
                    Class::Governance,
                    "Governance, monitoring and delivery",
                    1500,
                ),
            ]
        } else {
            vec![
                (Class::Intro, "Introduction", 2000),
                (Class::Terms, "Terms of Reference", 1500),
                (Class::Method, "Methodology", 1500),
                (Class::Background, "Background", 2500),
                (Class::Chronology, "Chronology", 6000),
                (Class::Analysis, "Analysis", usize::MAX),
                (Class::Lessons, "Lessons Learned", 2500),
                (Class::Conclusions, "Conclusions", 1500),
            ]
        };
        let fixed: usize = sections
            .iter()
            .map(|s| s.2)
            .filter(|&b| b != usize::MAX)
            .sum::<usize>()
            + 6000;
        for s in &mut sections {
            if s.2 == usize::MAX {
                s.2 = target.saturating_sub(fixed).max(3000);
            }
        }
        let mut number = 0;
        // Bullet lists in the whole document: a strategy's "We will:" lists
        // are commitments, of which real strategies have a few dozen.
        let mut lists = if kind == "strategy" {
            rng.range(4, 8)
        } else {
            40
        };
        for (class, heading, budget) in sections {
            number += 1;
            blocks.push(format!("## {number}. {heading}"));
            if matches!(class, Class::Analysis | Class::Priority) {
                // Sub-sections until the budget is spent.
                let mut used = 0;
                let mut sub = 0;
                while used < budget {
                    sub += 1;
                    let before: usize = blocks.iter().map(String::len).sum();
                    let heading = if class == Class::Analysis {
                        cast.apply(rng.pick::<String>(&self.pools.agencies))
                    } else {
                        format!("Priority Area {sub}")
                    };
                    blocks.push(format!("### {number}.{sub} {heading}"));
                    let each = rng.range(2500, 7000);
                    let classes: &[Class] = if class == Class::Priority {
                        &[Class::Priority, Class::Governance, Class::StrategyIntro]
                    } else {
                        &[Class::Analysis]
                    };
                    self.section_body(
                        &mut rng,
                        &mut blocks,
                        classes,
                        &format!("{number}.{sub}"),
                        each,
                        &cast,
                        &mut lists,
                    );
                    used += blocks.iter().map(String::len).sum::<usize>() - before;
                }
            } else {
                self.section_body(
                    &mut rng,
                    &mut blocks,
                    &[class],
                    &number.to_string(),
                    budget,
                    &cast,
                    &mut lists,
                );
            }
        }

        // Recommendations and the action plan with one row per recommendation.
        number += 1;
        blocks.push(format!("## {number}. Recommendations"));
        blocks.push(format!(
            "{number}.1 The panel makes the following recommendations. Each is set out in the action plan at Appendix A."
        ));
        let recs: Vec<&Unit> = self
            .units(Class::Recommendations)
            .iter()
            .filter(|u| matches!(u, Unit::Rec { .. }))
            .collect();
        let actions: Vec<&Unit> = self
            .units(Class::Recommendations)
            .iter()
            .filter(|u| matches!(u, Unit::Action(_)))
            .collect();
        let n_recs = rng.range(3, 12);
        let mut rows = vec![
            "| Rec. no. | Scope | Action | Lead agency | Target date | Outcome |".to_string(),
            "|---|---|---|---|---|---|".to_string(),
        ];
        for k in 1..=n_recs {
            if let Unit::Rec { text, subs } = rng.pick(&recs) {
                let mut s = format!("**Recommendation {k}:** {}", cast.apply(text));
                for sub in subs {
                    let _ = write!(s, "\n> {}", cast.apply(sub));
                }
                blocks.push(s);
            }
            if let Some(Unit::Action(cells)) = (!actions.is_empty()).then(|| *rng.pick(&actions)) {
                rows.push(cast.apply(&format!("| {k} | {} |", cells.join(" | "))));
            }
        }
        blocks.push("\u{c}".into());
        blocks.push("## Appendix A: Action Plan".into());
        blocks.push(rows.join("\n"));

        let (text, pages) = paginate(&blocks);
        let slug: String = area
            .to_lowercase()
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        Doc {
            name: format!("{kind}-{slug}-{year}-{i:04}.md"),
            text,
            pages,
            kind,
        }
    }

    /// Write documents `0..n` into `dir`.
    pub fn write(&self, dir: &Path, n: usize) -> std::io::Result<Generated> {
        std::fs::create_dir_all(dir)?;
        let mut g = Generated::default();
        for i in 0..n {
            let d = self.doc(i);
            std::fs::write(dir.join(&d.name), &d.text)?;
            g.documents += 1;
            g.pages += d.pages;
            g.bytes += d.text.len() as u64;
            *g.by_kind.entry(d.kind.to_string()).or_default() += 1;
        }
        Ok(g)
    }
}

fn rotate<T>(v: &mut [T], rng: &mut Rng) {
    if !v.is_empty() {
        let k = rng.range(0, v.len() - 1);
        v.rotate_left(k);
    }
}

/// Join blocks with blank lines, starting a new page (form feed) when a
/// page is full; a heading is never left at the bottom of a page.
fn paginate(blocks: &[String]) -> (String, usize) {
    let mut out = String::new();
    let mut on_page = 0;
    let mut pages = 1;
    for (i, b) in blocks.iter().enumerate() {
        if b == "\u{c}" {
            if on_page > 0 {
                out.push('\u{c}');
                pages += 1;
                on_page = 0;
            }
            continue;
        }
        out.push_str(b);
        out.push_str("\n\n");
        on_page += b.len() + 2;
        let next_is_break = blocks.get(i + 1).is_some_and(|n| n == "\u{c}");
        if on_page >= PAGE_CHARS && !b.starts_with('#') && !next_is_break && i + 1 < blocks.len() {
            out.push('\u{c}');
            pages += 1;
            on_page = 0;
        }
    }
    (out, pages)
}
