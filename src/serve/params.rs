//! URL query parameters: parsing (repeated keys allowed, clear messages for
//! bad values) and building the links of facets and pages.

use crate::index::SearchFilters;

/// Most bytes of a query string accepted.
pub const MAX_QUERY_STRING: usize = 16 * 1024;

/// The parameters of a URL, in order, repeated keys kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

/// A parameter that cannot be used, with a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadParam(pub String);

impl Params {
    /// Parse a raw query string (`a=1&b=2&b=3`).
    pub fn parse(raw: Option<&str>) -> Result<Params, BadParam> {
        let raw = raw.unwrap_or_default();
        if raw.len() > MAX_QUERY_STRING {
            return Err(BadParam(format!(
                "the address is too long ({} bytes; at most {MAX_QUERY_STRING})",
                raw.len()
            )));
        }
        Ok(Params(
            form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        ))
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, deduplicated, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (k, v) in &self.0 {
            if k == key && !out.contains(v) {
                out.push(v.clone());
            }
        }
        out
    }

    /// Whether `key=value` is set.
    pub fn has(&self, key: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == key && v == value)
    }

    /// An integer parameter.
    pub fn int<T: std::str::FromStr>(&self, key: &str, what: &str) -> Result<Option<T>, BadParam> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| BadParam(format!("{key}={v:?} is not {what}"))),
        }
    }

    /// A yes/no parameter (`1`, `true`, `yes`, `on`).
    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| matches!(v, "1" | "true" | "yes" | "on"))
    }

    /// The 1-based page number (`page`), at least 1.
    pub fn page(&self) -> Result<usize, BadParam> {
        let p: Option<usize> = self.int("page", "a page number")?;
        match p {
            Some(0) => Err(BadParam(
                "page=0 is not a page number (pages start at 1)".into(),
            )),
            Some(p) if p > 1_000_000 => Err(BadParam(format!("page={p} is too far"))),
            Some(p) => Ok(p),
            None => Ok(1),
        }
    }

    /// These parameters with `key=value` added, or removed if present; the
    /// page is reset.
    pub fn toggled(&self, key: &str, value: &str) -> Params {
        let mut p = self.without("page");
        if p.has(key, value) {
            p.0.retain(|(k, v)| !(k == key && v == value));
        } else {
            p.0.push((key.to_string(), value.to_string()));
        }
        p
    }

    /// These parameters with every value of `key` replaced by `value`
    /// (removed when `value` is empty).
    pub fn with(&self, key: &str, value: &str) -> Params {
        let mut p = self.without(key);
        if !value.is_empty() {
            p.0.push((key.to_string(), value.to_string()));
        }
        p
    }

    /// These parameters without `key`.
    pub fn without(&self, key: &str) -> Params {
        Params(self.0.iter().filter(|(k, _)| k != key).cloned().collect())
    }

    /// `path?query` (or `path` alone when there are no parameters).
    pub fn href(&self, path: &str) -> String {
        if self.0.is_empty() {
            return path.to_string();
        }
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            ser.append_pair(k, v);
        }
        format!("{path}?{}", ser.finish())
    }

    /// The (key, value) pairs, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// Parameters of a search (the page and `/api/search`):
/// `q`, `theme`, `kind`, `year_from`, `year_to`, `area`, `agency`, `body`,
/// `language`, `section`, `rec`, `page`, `per_page`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchParams {
    pub q: String,
    pub filters: SearchFilters,
    /// 1-based.
    pub page: usize,
    /// Documents per page.
    pub per_page: usize,
}

/// Documents per page unless `per_page` says otherwise.
pub const DEFAULT_PER_PAGE: usize = 10;
/// Most documents per page.
pub const MAX_PER_PAGE: usize = 1000;

impl SearchParams {
    pub fn from_params(p: &Params) -> Result<SearchParams, BadParam> {
        let per_page: usize = p
            .int("per_page", "a number of documents")?
            .unwrap_or(DEFAULT_PER_PAGE);
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(BadParam(format!(
                "per_page={per_page} is out of range (1 to {MAX_PER_PAGE})"
            )));
        }
        Ok(SearchParams {
            q: p.get("q").unwrap_or_default().to_string(),
            filters: SearchFilters {
                themes: p.all("theme"),
                kinds: p.all("kind"),
                year_from: p.int("year_from", "a year")?,
                year_to: p.int("year_to", "a year")?,
                areas: p.all("area"),
                agencies: p.all("agency"),
                bodies: p.all("body"),
                languages: p.all("language"),
                sections: p.all("section"),
                recommendations: p.flag("rec"),
            },
            page: p.page()?,
            per_page,
        })
    }

    /// Whether there is anything to search for.
    pub fn is_empty(&self) -> bool {
        self.q.trim().is_empty() && self.filters.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_and_bad_values() {
        let p = Params::parse(Some(
            "q=risk+assessment&theme=a&theme=b&theme=a&year_from=2019",
        ))
        .unwrap();
        let s = SearchParams::from_params(&p).unwrap();
        assert_eq!(s.q, "risk assessment");
        assert_eq!(s.filters.themes, ["a", "b"]);
        assert_eq!(s.filters.year_from, Some(2019));
        assert_eq!(s.page, 1);
        let bad = Params::parse(Some("year_from=twenty")).unwrap();
        let e = SearchParams::from_params(&bad).unwrap_err();
        assert!(e.0.contains("year_from") && e.0.contains("twenty"), "{e}");
        let e = SearchParams::from_params(&Params::parse(Some("page=0")).unwrap()).unwrap_err();
        assert!(e.0.contains("page"), "{e}");
        assert!(Params::parse(Some(&"a".repeat(MAX_QUERY_STRING + 1))).is_err());
    }

    #[test]
    fn toggling_builds_links_and_resets_the_page() {
        let p = Params::parse(Some("q=%22coercive+control%22&kind=dhr&page=3")).unwrap();
        assert_eq!(
            p.toggled("theme", "housing").href("/search"),
            "/search?q=%22coercive+control%22&kind=dhr&theme=housing"
        );
        assert_eq!(
            p.toggled("kind", "dhr").href("/search"),
            "/search?q=%22coercive+control%22"
        );
        assert_eq!(
            p.with("page", "4").href("/s"),
            "/s?q=%22coercive+control%22&kind=dhr&page=4"
        );
        // Markup in values is encoded, never passed through.
        let h = Params::default().toggled("q", "<script>").href("/search");
        assert_eq!(h, "/search?q=%3Cscript%3E");
    }
}
