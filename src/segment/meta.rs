//! Document metadata: title, document kind, publication year, area and
//! language, decided from the extractor's metadata, the cover (first page)
//! and the opening text. Pure functions over strings.

use crate::model::DocKind;
use regex::Regex;
use std::sync::LazyLock;

/// How much of the opening body text counts as "the cover" for kind, year and area.
pub(crate) const COVER_BYTES: usize = 3000;

/// True when a PDF Info title says something (not "Microsoft Word - x.docx").
pub(crate) fn meaningful_title(t: &str) -> bool {
    let t = t.trim();
    let lower = t.to_lowercase();
    t.chars().filter(|c| c.is_alphabetic()).count() >= 4
        && !lower.starts_with("microsoft word")
        && !lower.starts_with("untitled")
        && ![".doc", ".docx", ".pdf", ".odt", ".rtf", ".indd"]
            .iter()
            .any(|e| lower.ends_with(e))
}

static TITLE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(strateg(y|aeth)|review|adolygiad|report|adroddiad|framework|fframwaith|plan|cynllun|regulation 28)\b",
    )
    .expect("static regex")
});

/// Most words longer than three letters capitalised.
fn title_case(t: &str) -> bool {
    let long: Vec<&str> = t
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() > 3)
        .collect();
    let caps = long
        .iter()
        .filter(|w| {
            w.chars()
                .find(|c| c.is_alphabetic())
                .is_some_and(char::is_uppercase)
        })
        .count();
    !long.is_empty() && caps * 2 >= long.len()
}

/// Pick a title from candidate cover blocks (in order): the first short,
/// title-cased block naming a document type (joined with the next one when
/// it is one too), else the first block naming a document type, else the
/// first block with letters.
pub(crate) fn title_from_blocks(blocks: &[String]) -> Option<String> {
    let short = |b: &str| {
        let w = b.split_whitespace().count();
        let t = b.trim_end();
        (1..=25).contains(&w)
            && !t.ends_with('.')
            && !t.ends_with(':')
            && !t.contains("://")
            && !t.contains("www.")
    };
    let good = |b: &str| short(b) && TITLE_WORDS.is_match(b) && title_case(b);
    if let Some(i) = blocks.iter().position(|b| good(b)) {
        let mut title = blocks[i].trim().to_string();
        if let Some(next) = blocks.get(i + 1).filter(|n| good(n)) {
            title.push_str(" – ");
            title.push_str(next.trim());
        }
        return Some(title);
    }
    blocks
        .iter()
        .find(|b| short(b) && b.split_whitespace().count() <= 12 && TITLE_WORDS.is_match(b))
        .or_else(|| blocks.iter().find(|b| b.chars().any(char::is_alphabetic)))
        .map(|b| {
            // Never a whole paragraph: at most its first twelve words.
            let words: Vec<&str> = b.split_whitespace().collect();
            if words.len() > 12 {
                format!("{} …", words[..12].join(" "))
            } else {
                words.join(" ")
            }
        })
}

/// Cue phrases per kind (case-insensitive, word-bounded).
static KIND_CUES: LazyLock<Vec<(Regex, DocKind)>> = LazyLock::new(|| {
    use DocKind::*;
    let cues: &[(&str, DocKind)] = &[
        (r"single unified safeguarding review|\bSUSR\b", Susr),
        (
            r"mental health homicide review|\bMHHR\b|independent investigation into the care and treatment",
            Mhhr,
        ),
        (
            r"domestic homicide review|domestic abuse related death review|\bDHR\b|adolygiad dynladdiad domestig",
            Dhr,
        ),
        (
            r"child practice review|child safeguarding practice review|serious case review|adolygiad ymarfer plant",
            Cpr,
        ),
        (
            r"adult practice review|safeguarding adults? review|adolygiad ymarfer oedolion",
            Apr,
        ),
        (
            r"regulation 28|rule 43|coroners rules 1984|prevention of future deaths|prevent future deaths",
            Pfd,
        ),
        (
            r"\bstrategy\b|delivery framework|action plan|strategaeth|fframwaith cyflawni",
            Strategy,
        ),
    ];
    cues.iter()
        .filter_map(|(p, k)| Regex::new(&format!("(?i){p}")).ok().map(|r| (r, *k)))
        .collect()
});

/// Document kind from the title (weight 10) and the cover text: cue hits in
/// the first 1000 bytes weigh 3, later ones up to [`COVER_BYTES`] weigh 1.
/// Words deeper in the body are not looked at.
pub(crate) fn doc_kind(title: &str, cover: &str) -> DocKind {
    let mut best = (0u32, DocKind::Other);
    for (re, kind) in KIND_CUES.iter() {
        let mut score = 10 * re.find_iter(title).count() as u32;
        for m in re.find_iter(cover) {
            score += if m.start() < 1000 { 3 } else { 1 };
        }
        if score > best.0 {
            best = (score, *kind);
        }
    }
    best.1
}

static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(19[89][0-9]|20[0-4][0-9])\b").expect("static regex"));

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?:19[89][0-9]|20[0-4][0-9])-[01][0-9]-[0-3][0-9]|[0-3]?[0-9](?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|ionawr|chwefror|mawrth|ebrill|mai|mehefin|gorffennaf|awst|medi|hydref|tachwedd|rhagfyr)[a-z]*\.?\s+(?:19[89][0-9]|20[0-4][0-9])|(?:january|february|march|april|may|june|july|august|september|october|november|december)\s+(?:19[89][0-9]|20[0-4][0-9])|[0-3]?[0-9][/.][01]?[0-9][/.](?:19[89][0-9]|20[0-4][0-9]))\b",
    )
    .expect("static regex")
});

static YEAR_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(19[89][0-9]|20[0-4][0-9])\s*[-–—/]\s*(?:19[89][0-9]|20[0-4][0-9]|[0-9]{2})\b")
        .expect("static regex")
});

/// Publication year: a year range in the title ("2019-2024" → 2019), else
/// the first full date on the cover, else a year in the title, else the PDF
/// CreationDate year. (A title year may name an Act: "Regulations 2013".)
pub(crate) fn year(title: &str, cover: &str, created: Option<i32>) -> Option<i32> {
    let first_year =
        |s: &str| -> Option<i32> { YEAR.find(s).and_then(|m| m.as_str().parse().ok()) };
    // The report's own date ("Report completed: November 2023"), else the
    // latest date near the top of the cover: the events it reviews ("died
    // in March 2021") come before it.
    let top = &cover[..floor_boundary(cover, 1500)];
    let dated = DATED_CUE
        .find(cover)
        .and_then(|m| DATE.find(&cover[m.end()..]).filter(|d| d.start() < 40))
        .and_then(|d| first_year(d.as_str()))
        .or_else(|| {
            DATE.find_iter(top)
                .filter_map(|d| first_year(d.as_str()))
                .max()
        });
    YEAR_RANGE
        .captures(title)
        .and_then(|c| c[1].parse().ok())
        .or(dated)
        .or_else(|| first_year(title))
        .or(created)
}

/// Words that introduce a report's own date on its cover.
static DATED_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:report\s+(?:completed|approved|published|finalised|date)|date\s+of\s+(?:report|publication)|published|publication\s+date|completed|approved(?:\s+by\s+the\s+\w+)?|dated|cyhoeddwyd)\b[^\n]{0,30}?:?")
        .expect("static regex")
});

/// The largest char boundary at or below `max`.
fn floor_boundary(s: &str, max: usize) -> usize {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

static CORONER_AREA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:Coroner area:|(?i:coroner\s+for\s+the\s+(?:coroner\s+)?(?:area|district|county|city|borough)\s+of))\s*(.+?)\s*(?:\bSent to:|\bCoroner:|\bReference:|\bDate of report:|(?i:\bfollowing\b)|[.,;]\s|\n|$)",
    )
    .expect("static regex")
});
static CSP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b((?:[A-Z][\w'’&-]*[ \t]+(?:(?:and|of|the|&)[ \t]+)?){1,5}Community Safety Partnership)",
    )
    .expect("static regex")
});
static POLICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:[A-Z][a-z]+[ \t]+(?:and[ \t]+|&[ \t]+)?){1,3})(Police|Constabulary)\b")
        .expect("static regex")
});
static BOARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b((?:[A-Z][\w'’&-]*[ \t]+(?:(?:and|of|the|&)[ \t]+)?){1,5}?)(?:Regional |Local )?Safeguarding (?:Adults |Children(?:'s|’s)? )?(?:Board|Partnership)\b",
    )
    .expect("static regex")
});
/// Partnerships named for their place: "Safer Millbeck Partnership",
/// "Bwrdd Diogelu Rhanbarthol Dyfnant" (a Welsh regional safeguarding board).
static PLACE_PARTNERSHIP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\bSafer[ \t]+((?:[A-Z][\w'’-]*[ \t]+){1,3})Partnership\b|\b[BF]wrdd[ \t]+Diogelu[ \t]+(?:(?:Rhanbarthol|Oedolion|Plant)[ \t]+)*([A-Z][\w'’-]*(?:[ \t]+(?:a|ac|[A-Z][\w'’-]*)){0,3})",
    )
    .expect("static regex")
});
static WALES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(Wales|Cymru|Welsh Government|Llywodraeth Cymru)\b").expect("static regex")
});

/// "TREGARTH" → "Tregarth"; a name in mixed case stays as written.
fn title_case_if_capitals(s: &str) -> String {
    if s.chars().any(char::is_lowercase) {
        return s.to_string();
    }
    s.split(' ')
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map_or(String::new(), |c| {
                c.to_uppercase()
                    .chain(cs.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Area from the cover: a coroner area, the place of the partnership or
/// board that commissioned a review ("Glanmor Community Safety
/// Partnership" → "Glanmor"), for a strategy the place of the police force
/// that issues it, or Wales. Never an agency a report is addressed to.
pub(crate) fn area(cover: &str, kind: DocKind) -> Option<String> {
    if let Some(c) = CORONER_AREA.captures(cover) {
        return Some(title_case_if_capitals(c[1].trim()));
    }
    if let Some(c) = CSP.captures(cover) {
        let place = c[1]
            .trim()
            .trim_end_matches("Community Safety Partnership")
            .trim();
        return Some(place.to_string());
    }
    if let Some(c) = BOARD.captures(cover) {
        return Some(c[1].trim().to_string());
    }
    if let Some(c) = PLACE_PARTNERSHIP.captures(cover) {
        let place = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        return Some(place.trim().to_string());
    }
    if kind != DocKind::Strategy {
        return WALES.find(cover).map(|_| "Wales".to_string());
    }
    const NOT_PLACES: &[&str] = &[
        "The",
        "Chief",
        "Constable",
        "Assistant",
        "Deputy",
        "Commissioner",
        "Crime",
        "And",
        "Our",
        "Local",
        "National",
        "British",
        "Transport",
    ];
    for c in POLICE.captures_iter(cover) {
        let words: Vec<&str> = c[1]
            .split_whitespace()
            .skip_while(|w| NOT_PLACES.contains(w))
            .collect();
        if !words.is_empty() && !words.iter().any(|w| NOT_PLACES.contains(w)) {
            return Some(words.join(" "));
        }
    }
    WALES.find(cover).map(|_| "Wales".to_string())
}

/// A person's name: an optional title, then capitalised words (with the
/// particles of names and "and" between two people).
const NAME: &str = r"((?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master|Baby)\.?\s+)?[A-Z][\w'’\-]*(?:[ \t]+(?:[A-Z][\w'’\-]*|[A-Z]\.|and|&|de|van|von|du|le|la|bin|ap)){0,7})";

/// Where a coroner's report names the person who died, most specific first:
/// "… into the death of Billy Martyn Warwick-Jones, aged 87", "the death of
/// Mr A", "Wyndham Richard Thomas died on …".
static DEATH_OF: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    // "63 year old", "76-year-old", "aged 87" before the name.
    const AGE: &str = r"(?:(?i:the\s+late|aged\s+\d{1,3}|\d{1,3}[\s-]*years?[\s-]*old)\s+)?";
    [
        format!(r"(?i:(?:into|touching(?:\s+upon)?|concerning|regarding)\s+the\s+deaths?\s+of)\s+{AGE}{NAME}"),
        format!(r"(?i:\bdeaths?\s+of)\s+{AGE}{NAME}"),
        // "The inquest into Sybil Morgan-Gray's death", "the investigation
        // into Ida Jean Lock was opened".
        format!(r"(?i:\b(?:inquest|investigation)\s+into)\s+{NAME}(?:\s+(?i:death|was|opened|concluded|which)\b)"),
        // A sentence that opens with the person: "Mia Janin was born on …",
        // "Nicholas J'Dourou (date of birth …) died on …".
        format!(r"(?m:(?:^|[.!?]\s+)){NAME}\s+(?:\([^)\n]{{0,60}}\)\s+)?(?:died|was\s+born|was\s+found|was\s+pronounced)\b"),
    ]
    .iter()
    .map(|p| Regex::new(p).expect("static regex"))
    .collect()
});
/// Capitalised words that open a sentence but never a person's name.
const NOT_A_NAME: &[&str] = &[
    "The",
    "This",
    "That",
    "He",
    "She",
    "His",
    "Her",
    "It",
    "They",
    "On",
    "In",
    "At",
    "An",
    "A",
    "When",
    "After",
    "Before",
    "Following",
    "During",
    "Sadly",
    "Tragically",
    "My",
    "Your",
];
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:ref(?:erence)?(?:\s+no\.?)?)\s*:?\s*(\d{4}-\d{3,4})\b")
        .expect("static regex")
});
/// Header fields an extractor may run into a title.
static HEADER_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s+(?:Reference|Ref|Date of report|Date|Coroner|Coroner area|Sent to|Source)\s*:")
        .expect("static regex")
});

/// A coroner's report's title: "Prevention of Future Deaths report:
/// NAME (REFERENCE)", the name from its text; without a name, its own
/// title cut before the header fields run into it.
pub(crate) fn pfd_title(title: &str, text: &str) -> Option<String> {
    let head = &text[..floor_boundary(text, COVER_BYTES * 2)];
    let name = DEATH_OF.iter().find_map(|re| {
        re.captures_iter(head).find_map(|c| {
            let n = c[1].trim_end_matches(" and").trim();
            // "Mr Harris's" (death), "Nicholas'" (death).
            let n = ["'s", "’s", "'", "’"]
                .iter()
                .find_map(|s| n.strip_suffix(s))
                .unwrap_or(n);
            let first = n.split_whitespace().next().unwrap_or("");
            let ok = !n.contains("REDACTED")
                && !NOT_A_NAME.contains(&first)
                && (n.split_whitespace().count() >= 2 || n.len() > 3);
            ok.then(|| n.to_string())
        })
    });
    let Some(name) = name else {
        let cut = HEADER_FIELD.find(title).map(|m| &title[..m.start()])?;
        return Some(cut.trim().to_string());
    };
    let reference = REFERENCE
        .captures(&text[..floor_boundary(text, COVER_BYTES)])
        .map(|c| format!(" ({})", &c[1]))
        .unwrap_or_default();
    Some(format!(
        "Prevention of Future Deaths report: {name}{reference}"
    ))
}

const WELSH_WORDS: &[&str] = &[
    "y", "yr", "ac", "yn", "ar", "gan", "mae", "ei", "eu", "bod", "gyda", "o", "sy", "sydd",
    "wedi", "hefyd", "ein", "ni", "hyn", "fel", "neu", "ddim",
];
const ENGLISH_WORDS: &[&str] = &[
    "the", "and", "of", "to", "in", "is", "that", "for", "with", "are", "was", "be", "on", "by",
    "this", "it", "as", "were", "have", "has",
];

/// "en", "cy" or "en+cy" from the share of common Welsh function words.
pub(crate) fn language(text: &str) -> String {
    let (mut cy, mut en) = (0usize, 0usize);
    for w in text
        .split(|c: char| !c.is_alphabetic() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
    {
        let w = w.to_lowercase();
        let w = w.trim_matches(|c| c == '\'' || c == '’');
        if WELSH_WORDS.contains(&w) {
            cy += 1;
        } else if ENGLISH_WORDS.contains(&w) {
            en += 1;
        }
    }
    let total = cy + en;
    if total == 0 {
        return "en".into();
    }
    let share = cy as f64 / total as f64;
    if share >= 0.75 {
        "cy".into()
    } else if share >= 0.2 {
        "en+cy".into()
    } else {
        "en".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles() {
        assert!(!meaningful_title("Microsoft Word - DHR final.docx"));
        assert!(!meaningful_title("  "));
        assert!(meaningful_title("Domestic Homicide Review: Adult A"));
        let blocks = vec![
            "Fictional Borough Council".to_string(),
            "Domestic Homicide Review".to_string(),
            "Overview Report into the death of Adult Z".to_string(),
            "This review was commissioned in 2021.".to_string(),
        ];
        assert_eq!(
            title_from_blocks(&blocks).as_deref(),
            Some("Domestic Homicide Review – Overview Report into the death of Adult Z")
        );
        let pfd = vec![
            "Fictional report to prevent future deaths".to_string(),
            "Source: https://example.org/fictional-report".to_string(),
        ];
        assert_eq!(
            title_from_blocks(&pfd).as_deref(),
            Some("Fictional report to prevent future deaths")
        );
        let para = "one two three four five six seven eight nine ten eleven twelve thirteen";
        assert_eq!(
            title_from_blocks(&[para.to_string()]).as_deref(),
            Some("one two three four five six seven eight nine ten eleven twelve …")
        );
        assert_eq!(
            title_from_blocks(&["Hello there".to_string()]).as_deref(),
            Some("Hello there")
        );
    }

    #[test]
    fn kinds_weighted_by_position() {
        assert_eq!(doc_kind("Domestic Homicide Review", ""), DocKind::Dhr);
        assert_eq!(doc_kind("Report", "Regulation 28 report"), DocKind::Pfd);
        assert_eq!(
            doc_kind("Safeguarding Adults Review: Adult B", ""),
            DocKind::Apr
        );
        assert_eq!(
            doc_kind("Child Practice Review CYSUR 1/2020", ""),
            DocKind::Cpr
        );
        // A strategy that mentions DHRs in its text stays a strategy.
        let cover = format!(
            "{}Learning from Domestic Homicide Reviews (DHR) informs us.",
            "x ".repeat(600)
        );
        assert_eq!(
            doc_kind("Fictional County VAWDASV Strategy 2022-2026", &cover),
            DocKind::Strategy
        );
        assert_eq!(doc_kind("Minutes", "nothing here"), DocKind::Other);
    }

    #[test]
    fn years() {
        assert_eq!(year("Strategy 2019-2024", "", Some(2018)), Some(2019));
        // The report's own date, not the date of the death it reviews.
        let cover = "Into the death of a fictional person in March 2021\n\
                     Report completed: November 2023\nSigned 4 May 2025 (fictional)";
        assert_eq!(year("Domestic Homicide Review", cover, None), Some(2023));
        let cover = "Into the death of a fictional person in January 2023\nFebruary 2025";
        assert_eq!(year("Domestic Homicide Review", cover, None), Some(2025));
        assert_eq!(
            year(
                "Report (Regulations 2013)",
                "Date of report: 2024-04-30",
                None
            ),
            Some(2024)
        );
        assert_eq!(year("Review 2021", "", Some(2018)), Some(2021));
        assert_eq!(
            year(
                "Overview report",
                "Published 14 March 2022 by the panel",
                None
            ),
            Some(2022)
        );
        assert_eq!(
            year("Report", "Date of report: 2024-04-30", None),
            Some(2024)
        );
        assert_eq!(year("Report", "nothing", Some(2017)), Some(2017));
        assert_eq!(year("Report", "nothing", None), None);
    }

    #[test]
    fn areas() {
        let a = |s: &str, k: DocKind| area(s, k);
        assert_eq!(
            a(
                "Coroner: A. Person Coroner area: Fictionshire North Sent to: x",
                DocKind::Pfd
            )
            .as_deref(),
            Some("Fictionshire North")
        );
        assert_eq!(
            a(
                "I am A. Person, senior coroner for the coroner area of Fictionshire West. I make",
                DocKind::Pfd
            )
            .as_deref(),
            Some("Fictionshire West")
        );
        // The older letter's heading, and partnerships named for their place.
        for (cover, place) in [
            (
                "H.M. CORONER FOR THE DISTRICT OF FICTIONFORD\n\nCoroner's Court",
                "Fictionford",
            ),
            (
                "as Coroner for the County of Fictionshire following the inquest",
                "Fictionshire",
            ),
            (
                "commissioned by the Safer Fictionford Partnership in 2024",
                "Fictionford",
            ),
            (
                "Adolygiad i Fwrdd Diogelu Rhanbarthol Dyffryn Ffuglen.",
                "Dyffryn Ffuglen",
            ),
        ] {
            assert_eq!(a(cover, DocKind::Other).as_deref(), Some(place), "{cover}");
        }
        assert_eq!(
            a(
                "Commissioned by Exampletown Community Safety Partnership in 2020",
                DocKind::Dhr
            )
            .as_deref(),
            Some("Exampletown")
        );
        assert_eq!(
            a("Exampletown Safeguarding Adults Board", DocKind::Apr).as_deref(),
            Some("Exampletown")
        );
        // A police force is an area only as a strategy's issuer; in a
        // report it is an addressee.
        assert_eq!(
            a(
                "A joint strategy of Imaginary Vale Police and partners",
                DocKind::Strategy
            )
            .as_deref(),
            Some("Imaginary Vale")
        );
        assert_eq!(
            a("Sent to: Imaginary Vale Police", DocKind::Dhr).as_deref(),
            None
        );
        assert_eq!(
            a("Llywodraeth Cymru", DocKind::Other).as_deref(),
            Some("Wales")
        );
        assert_eq!(a("nothing", DocKind::Other), None);
    }

    #[test]
    fn coroners_reports_are_titled_by_the_person() {
        let text = "REGULATION 28: REPORT TO PREVENT FUTURE DEATHS Reference: 2099-0001\n\n\
                    On 1 May I commenced an investigation into the death of Alex Fictional \
                    Person, aged 40. The investigation concluded.";
        assert_eq!(
            pfd_title("", text).as_deref(),
            Some("Prevention of Future Deaths report: Alex Fictional Person (2099-0001)")
        );
        assert_eq!(
            pfd_title(
                "",
                "the inquests into the deaths of Ann Example and Bob Example."
            )
            .as_deref(),
            Some("Prevention of Future Deaths report: Ann Example and Bob Example")
        );
        assert_eq!(pfd_title("", "into the death of [REDACTED]."), None);
        assert_eq!(
            pfd_title(
                "",
                "3 INVESTIGATION\n\nAlex Example Person died on 6 May 2099 at home."
            )
            .as_deref(),
            Some("Prevention of Future Deaths report: Alex Example Person")
        );
        // The families of the narrative boxes: an age before the name, the
        // inquest "into NAME's death", a sentence opening with the person
        // (with a bracketed date of birth); never "He died" or "The patient".
        let named = |text: &str| {
            pfd_title("", text).map(|t| {
                t.trim_start_matches("Prevention of Future Deaths report: ")
                    .to_string()
            })
        };
        for (text, name) in [
            (
                "I commenced an investigation into the death of 63 year old Sam Example Person.",
                "Sam Example Person",
            ),
            (
                "into the death of 76-year-old Robin Fictional, known as Rob",
                "Robin Fictional",
            ),
            (
                "An inquest into Mr Example's death was opened on 1 May 2099.",
                "Mr Example",
            ),
            (
                "The investigation into Ida Jean Example was opened on 2 May 2099",
                "Ida Jean Example",
            ),
            (
                "3 INQUEST\n\nAlex Fictional was born on 7 June 2006. On 12 March she was found.",
                "Alex Fictional",
            ),
            (
                "Evidence was heard. Jo Example (date of birth 1 May 1977) died on 15 April 2099.",
                "Jo Example",
            ),
        ] {
            assert_eq!(named(text).as_deref(), Some(name), "{text}");
        }
        for text in [
            "He died on 6 May 2099. She was found at home.",
            "The Patient was found on the floor. After Lunch was served.",
        ] {
            assert_eq!(pfd_title("", text), None, "{text}");
        }
        assert_eq!(
            pfd_title(
                "REGULATION 28 REPORT Reference: 2099-0001 Coroner: A",
                "no name here"
            )
            .as_deref(),
            Some("REGULATION 28 REPORT")
        );
    }

    #[test]
    fn languages() {
        assert_eq!(language("The review of the case and the learning."), "en");
        assert_eq!(
            language(
                "Mae'r adolygiad yn dangos bod y gwasanaethau wedi gweithio gyda'r teulu ac yr heddlu."
            ),
            "cy"
        );
        assert_eq!(
            language("The review of the case. Mae'r adolygiad yn dangos bod y teulu."),
            "en+cy"
        );
        assert_eq!(language(""), "en");
    }
}
