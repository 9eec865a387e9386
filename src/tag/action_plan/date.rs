//! Target dates as written in action plans ("31 March 2025", "March
//! 2025", "31/03/2025", "2025-03", "Mawrth 2025", "By end of June 2025")
//! read as ISO 8601 dates: `YYYY-MM-DD`, or the reduced precisions
//! `YYYY-MM` and `YYYY` when the cell names only a month or a year. A cell
//! that is anything else ("On publication", "Quarterly from April 2025",
//! "Ongoing", two dates) has none. Numeric dates are read day first, as
//! British and Welsh documents write them.

use regex::Regex;
use std::sync::LazyLock;

/// Words a target date may open with, as written ("by", "end of", Welsh
/// "erbyn", "diwedd").
static LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:by|before|no\s+later\s+than|erbyn|cyn)\s+)?(?:(?:the\s+)?end\s+of\s+|diwedd\s+)?")
        .expect("static regex")
});

/// Day (with an ordinal suffix), month name, year: "31st March 2025",
/// "March 2025", "31 Mawrth 2025", "March 31, 2025".
static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:(?P<d>\d{1,2})(?:st|nd|rd|th|af|ail|il|ydd|ed|fed|eg)?\s+)?(?P<m>[a-zâ]+)\.?",
        r"(?:\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,)?\s+(?P<y>\d{4})$",
    ))
    .expect("static regex")
});

/// Numeric: "31/03/2025", "31.03.25", "03/2025", "2025-03-31", "2025-03", "2025".
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})",
        r"|(?P<m2>\d{1,2})/(?P<y2>\d{4})",
        r"|(?P<y3>\d{4})(?:-(?P<m3>\d{2})(?:-(?P<d3>\d{2}))?)?)$",
    ))
    .expect("static regex")
});

/// English and Welsh month names and their usual abbreviations.
fn month(name: &str) -> Option<u32> {
    const MONTHS: [(&[&str], u32); 12] = [
        (&["january", "jan", "ionawr"], 1),
        (&["february", "feb", "chwefror"], 2),
        (&["march", "mar", "mawrth", "fawrth"], 3),
        (&["april", "apr", "ebrill"], 4),
        (&["may", "mai", "fai"], 5),
        (&["june", "jun", "mehefin", "fehefin"], 6),
        (&["july", "jul", "gorffennaf"], 7),
        (&["august", "aug", "awst"], 8),
        (&["september", "sep", "sept", "medi", "fedi"], 9),
        (&["october", "oct", "hydref"], 10),
        (&["november", "nov", "tachwedd"], 11),
        (&["december", "dec", "rhagfyr"], 12),
    ];
    let n = name.to_lowercase();
    MONTHS
        .iter()
        .find(|(names, _)| names.contains(&n.as_str()))
        .map(|(_, m)| *m)
}

fn days_in(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The ISO form of a year, month and day that exist; `None` otherwise.
fn iso(year: i32, month: Option<u32>, day: Option<u32>) -> Option<String> {
    if !(1900..=2199).contains(&year) {
        return None;
    }
    match (month, day) {
        (None, None) => Some(format!("{year:04}")),
        (Some(m), None) if (1..=12).contains(&m) => Some(format!("{year:04}-{m:02}")),
        (Some(m), Some(d)) if (1..=12).contains(&m) && (1..=days_in(year, m)).contains(&d) => {
            Some(format!("{year:04}-{m:02}-{d:02}"))
        }
        _ => None,
    }
}

/// The ISO 8601 date a target-date cell names, if it names exactly one.
pub fn iso_date(cell: &str) -> Option<String> {
    let t = cell.trim().trim_end_matches(['.', ';', ',']);
    let t = LEAD.find(t).map_or(t, |m| &t[m.end()..]).trim();
    let num = |s: Option<regex::Match<'_>>| s.and_then(|m| m.as_str().parse::<u32>().ok());
    if let Some(c) = NUMERIC.captures(t) {
        if let Some(y) = c.name("y") {
            let y: i32 = y.as_str().parse().ok()?;
            let y = if y < 100 { 2000 + y } else { y };
            return iso(y, num(c.name("m")), num(c.name("d")));
        }
        if let Some(y) = c.name("y2") {
            return iso(y.as_str().parse().ok()?, num(c.name("m2")), None);
        }
        let y = c.name("y3")?.as_str().parse().ok()?;
        return iso(y, num(c.name("m3")), num(c.name("d3")));
    }
    let c = NAMED.captures(t)?;
    let m = month(c.name("m")?.as_str())?;
    let d = num(c.name("d")).or(num(c.name("d2")));
    iso(c.name("y")?.as_str().parse().ok()?, Some(m), d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_action_plans_write_them() {
        let cases = [
            ("31 March 2025", Some("2025-03-31")),
            ("31st March 2025", Some("2025-03-31")),
            ("March 31, 2025", Some("2025-03-31")),
            ("March 2025", Some("2025-03")),
            ("Sept. 2025", Some("2025-09")),
            ("By end of June 2025", Some("2025-06")),
            ("by 30/06/2025", Some("2025-06-30")),
            ("30.06.25", Some("2025-06-30")),
            ("06/2025", Some("2025-06")),
            ("2025-06-30", Some("2025-06-30")),
            ("2025-06", Some("2025-06")),
            ("2025", Some("2025")),
            ("Mawrth 2099", Some("2099-03")),
            ("Erbyn 1 Mehefin 2099", Some("2099-06-01")),
            ("29 February 2024", Some("2024-02-29")),
        ];
        for (cell, want) in cases {
            assert_eq!(iso_date(cell).as_deref(), want, "{cell:?}");
        }
    }

    #[test]
    fn anything_else_has_no_date() {
        for cell in [
            "On publication",
            "Ongoing",
            "Quarterly from April 2024",
            "March 2024 and June 2024",
            "31/02/2025",
            "29 February 2025",
            "13/2025",
            "Summer 2025",
            "Q2 2025",
            "",
            "12",
            "31 Marchington 2025",
        ] {
            assert_eq!(iso_date(cell), None, "{cell:?}");
        }
    }
}
