//! Test fixtures: a small builder of fictional [`ProcessedDoc`]s, shared by
//! the index and export tests. All names, places and events are invented.

use crate::model::*;

/// Builds one fictional processed document, page by page.
pub(crate) struct DocBuilder {
    doc: Document,
    tags: Vec<Tag>,
    recs: Vec<Recommendation>,
    themes: Vec<String>,
    /// Open sections by level (indices into `doc.sections`).
    open: Vec<usize>,
}

impl DocBuilder {
    pub(crate) fn new(file: &str, title: &str, kind: DocKind, year: Option<i32>) -> DocBuilder {
        let sha = sha256_hex(file.as_bytes());
        DocBuilder {
            doc: Document {
                id: doc_id_from_sha(&sha),
                file: file.into(),
                sha256: sha,
                title: title.into(),
                kind,
                year,
                area: Some("Fictionshire".into()),
                language: "en".into(),
                pages: 1,
                text: String::new(),
                page_starts: vec![0],
                page_labels: vec![None],
                sections: Vec::new(),
                passages: Vec::new(),
                warnings: Vec::new(),
            },
            tags: Vec::new(),
            recs: Vec::new(),
            themes: Vec::new(),
            open: Vec::new(),
        }
    }

    pub(crate) fn language(mut self, lang: &str) -> DocBuilder {
        self.doc.language = lang.into();
        self
    }

    pub(crate) fn warning(mut self, page: Option<u32>, message: &str) -> DocBuilder {
        self.doc.warnings.push(Warning {
            page,
            message: message.into(),
        });
        self
    }

    /// Start a new page.
    pub(crate) fn page(mut self) -> DocBuilder {
        self.doc.text.push_str("\n\n");
        self.doc.pages += 1;
        self.doc.page_starts.push(self.doc.text.len());
        self.doc.page_labels.push(None);
        self
    }

    fn current_page(&self) -> u32 {
        self.doc.pages
    }

    /// Open a section (its heading becomes a heading passage).
    pub(crate) fn section(mut self, heading: &str, level: u8, kind: SectionKind) -> DocBuilder {
        let start = self.doc.text.len();
        // Close open sections at this level or deeper.
        while self
            .open
            .last()
            .is_some_and(|&i| self.doc.sections[i].level >= level)
        {
            self.open.pop();
        }
        let mut trail: Vec<String> = self
            .open
            .iter()
            .map(|&i| self.doc.sections[i].heading.clone())
            .collect();
        trail.push(heading.into());
        let index = self.doc.sections.len();
        self.doc.sections.push(Section {
            index,
            heading: heading.into(),
            number: heading.split_whitespace().next().map(str::to_string),
            level,
            kind,
            trail,
            page: self.current_page(),
            start,
            end: start,
        });
        self.open.push(index);
        self.push_passage(heading, PassageKind::Heading, None)
    }

    fn push_passage(mut self, text: &str, kind: PassageKind, marker: Option<&str>) -> DocBuilder {
        if !self.doc.text.is_empty() && !self.doc.text.ends_with("\n\n") {
            self.doc.text.push_str("\n\n");
        }
        let start = self.doc.text.len();
        self.doc.text.push_str(text);
        let end = self.doc.text.len();
        let section = self.open.last().copied().unwrap_or(0);
        for &i in &self.open {
            self.doc.sections[i].end = end;
        }
        let index = self.doc.passages.len();
        self.doc.passages.push(Passage {
            index,
            kind,
            section,
            page: self.current_page(),
            start,
            end,
            marker: marker.map(str::to_string),
            sentences: vec![Span { start, end }],
            cells: vec![],
            table: None,
        });
        self
    }

    pub(crate) fn para(self, text: &str) -> DocBuilder {
        self.push_passage(text, PassageKind::Paragraph, None)
    }

    pub(crate) fn item(self, marker: &str, text: &str) -> DocBuilder {
        self.push_passage(text, PassageKind::ListItem, Some(marker))
    }

    /// Tag the first occurrence of `needle` in the last passage.
    pub(crate) fn tag(
        mut self,
        theme: &str,
        needle: &str,
        polarity: Polarity,
        weight: f32,
    ) -> DocBuilder {
        let Some(p) = self.doc.passages.last() else {
            return self;
        };
        let Some(off) = self.doc.text[p.start..p.end].find(needle) else {
            panic!("fixture: {needle:?} not in the last passage");
        };
        let start = p.start + off;
        let section = self.doc.sections.get(p.section);
        self.tags.push(Tag {
            doc_id: self.doc.id.clone(),
            theme: theme.into(),
            rule: format!("{theme}/cue"),
            rules_version: "r0test".into(),
            page: p.page,
            section: section.map(|s| s.trail_string()).unwrap_or_default(),
            section_kind: section.map(|s| s.kind).unwrap_or_default(),
            passage: p.index,
            start,
            end: start + needle.len(),
            matched: needle.into(),
            polarity,
            weight,
        });
        self
    }

    /// Make the last passage a recommendation.
    pub(crate) fn rec(
        mut self,
        ordinal: Option<&str>,
        agencies: &[&str],
        level: Option<AgencyLevel>,
    ) -> DocBuilder {
        let Some(p) = self.doc.passages.last() else {
            return self;
        };
        let section = self.doc.sections.get(p.section);
        let themes: Vec<String> = {
            let mut t: Vec<String> = self
                .tags
                .iter()
                .filter(|t| t.passage == p.index && t.polarity == Polarity::Present)
                .map(|t| t.theme.clone())
                .collect();
            t.sort();
            t.dedup();
            t
        };
        self.recs.push(Recommendation {
            id: format!("{}-r{}", self.doc.id, self.recs.len() + 1),
            doc_id: self.doc.id.clone(),
            file: self.doc.file.clone(),
            ordinal: ordinal.map(str::to_string),
            text: self.doc.text[p.start..p.end].to_string(),
            page: p.page,
            section: section.map(|s| s.trail_string()).unwrap_or_default(),
            section_kind: section.map(|s| s.kind).unwrap_or_default(),
            agencies: agencies.iter().map(|a| a.to_string()).collect(),
            addressees: Vec::new(),
            level,
            themes,
            start: p.start,
            end: p.end,
            action_plan: None,
            translation_of: None,
            cues: Vec::new(),
        });
        self
    }

    /// Address the last recommendation to a named body (found as the
    /// sentence's subject).
    pub(crate) fn to(mut self, name: &str, category: &str, level: AgencyLevel) -> DocBuilder {
        if let Some(r) = self.recs.last_mut() {
            r.addressees.push(Addressee {
                name: name.into(),
                canonical: name.into(),
                category: category.into(),
                level: Some(level),
                source: AddresseeSource::Subject,
            });
        }
        self
    }

    /// Assign a theme to the whole document.
    pub(crate) fn assign(mut self, theme: &str) -> DocBuilder {
        self.themes.push(theme.into());
        self
    }

    pub(crate) fn build(mut self) -> ProcessedDoc {
        self.themes.sort();
        self.themes.dedup();
        let mut scores: Vec<ThemeScore> = Vec::new();
        for t in &self.tags {
            let i = match scores.iter().position(|s| s.theme == t.theme) {
                Some(i) => i,
                None => {
                    scores.push(ThemeScore {
                        theme: t.theme.clone(),
                        score: 0.0,
                        present_hits: 0,
                        negated_hits: 0,
                        threshold: 1.0,
                        assigned: self.themes.contains(&t.theme),
                    });
                    scores.len() - 1
                }
            };
            match t.polarity {
                Polarity::Present => {
                    scores[i].score += t.weight;
                    scores[i].present_hits += 1;
                }
                Polarity::Negated => scores[i].negated_hits += 1,
            }
        }
        scores.sort_by(|a, b| a.theme.cmp(&b.theme));
        ProcessedDoc {
            document: self.doc,
            tags: self.tags,
            recommendations: self.recs,
            theme_scores: scores,
            themes: self.themes,
            action_plans: vec![],
        }
    }
}

/// Three fictional documents: a DHR (2021), a CPR (2018) and a PFD report
/// (2023).
pub(crate) fn corpus() -> Vec<ProcessedDoc> {
    vec![dhr(), cpr(), pfd()]
}

/// A fictional Domestic Homicide Review.
pub(crate) fn dhr() -> ProcessedDoc {
    DocBuilder::new(
        "fictional/dhr-adult-q.txt",
        "Fictional DHR into the death of Adult Q",
        DocKind::Dhr,
        Some(2021),
    )
    .section("1 Introduction", 1, SectionKind::Introduction)
    .para(
        "This fictional review was commissioned by the Fictionshire Community Safety Partnership.",
    )
    .page()
    .section("5 Analysis", 1, SectionKind::Analysis)
    .section("5.3 Police", 2, SectionKind::Analysis)
    .para("Officers completed a DASH risk assessment but did not refer the victim to MARAC.")
    .tag("risk_assessment", "risk assessment", Polarity::Present, 1.0)
    .para("The pattern of coercive control was not recognised by the agencies involved.")
    .tag(
        "coercive_control",
        "coercive control",
        Polarity::Present,
        1.5,
    )
    .page()
    .section("7 Recommendations", 1, SectionKind::Recommendations)
    .item(
        "1.",
        "Fictionshire Police should review how risk assessments are quality assured.",
    )
    .tag(
        "risk_assessment",
        "risk assessments",
        Polarity::Present,
        2.0,
    )
    .rec(Some("1"), &["police"], Some(AgencyLevel::SingleAgency))
    .to("Fictionshire Police", "police", AgencyLevel::SingleAgency)
    .assign("coercive_control")
    .assign("risk_assessment")
    .build()
}

/// A fictional Child Practice Review, with hostile markup in one passage.
pub(crate) fn cpr() -> ProcessedDoc {
    DocBuilder::new(
        "fictional/cpr-child-r.md",
        "Fictional Child Practice Review: Child R",
        DocKind::Cpr,
        Some(2018),
    )
    .language("en+cy")
    .warning(Some(2), "fictional warning: table layout guessed")
    .section("3 Learning", 1, SectionKind::Lessons)
    .para("Professional curiosity was lacking; there was no evidence of coercive control.")
    .tag(
        "coercive_control",
        "coercive control",
        Polarity::Negated,
        1.0,
    )
    .tag(
        "curiosity",
        "Professional curiosity",
        Polarity::Present,
        0.333_333,
    )
    .para("Information sharing between the school and the health visitor was good.")
    .para("<script>alert(1)</script> a hostile assessment line in a fictional file.")
    .page()
    .section("4 Argymhellion", 1, SectionKind::Recommendations)
    .item("(a)", "Dylai’r bwrdd “adolygu” y broses ŵyn ŷd ar frys.")
    .tag("curiosity", "adolygu", Polarity::Present, 0.5)
    .rec(
        Some("(a)"),
        &["regional_board"],
        Some(AgencyLevel::Regional),
    )
    .assign("curiosity")
    .build()
}

/// A fictional coroner's Prevention of Future Deaths report.
pub(crate) fn pfd() -> ProcessedDoc {
    DocBuilder::new(
        "fictional/pfd-person-s.pdf",
        "Fictional Prevention of Future Deaths report: Person S",
        DocKind::Pfd,
        Some(2023),
    )
    .section("Matters of concern", 1, SectionKind::Concerns)
    .item(
        "1.",
        "The coroner raised a concern about risk assessment training for call handlers.",
    )
    .tag("risk_assessment", "risk assessment", Polarity::Present, 1.0)
    .rec(Some("1"), &["ambulance"], Some(AgencyLevel::National))
    .assign("risk_assessment")
    .build()
}
