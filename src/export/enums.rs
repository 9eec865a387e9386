//! JSON Schemas of the model's enums as the exports spell them (the
//! `serde` names), so that the row schemas list every allowed value. Kept
//! here rather than as derives in `model.rs`, which the export owns no
//! part of; a test checks each list against `serde`.

use crate::model::{AgencyLevel, DocKind, PassageKind, Polarity, SectionKind};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;

/// Every variant of each enum. The `match`es make the compiler reject a
/// new variant until it is listed here.
pub(crate) fn passage_kinds() -> [PassageKind; 4] {
    let all = [
        PassageKind::Paragraph,
        PassageKind::ListItem,
        PassageKind::Heading,
        PassageKind::TableRow,
    ];
    match all[0] {
        PassageKind::Paragraph
        | PassageKind::ListItem
        | PassageKind::Heading
        | PassageKind::TableRow => all,
    }
}

pub(crate) fn polarities() -> [Polarity; 2] {
    let all = [Polarity::Present, Polarity::Negated];
    match all[0] {
        Polarity::Present | Polarity::Negated => all,
    }
}

pub(crate) fn agency_levels() -> [AgencyLevel; 4] {
    let all = [
        AgencyLevel::SingleAgency,
        AgencyLevel::MultiAgencyLocal,
        AgencyLevel::Regional,
        AgencyLevel::National,
    ];
    match all[0] {
        AgencyLevel::SingleAgency
        | AgencyLevel::MultiAgencyLocal
        | AgencyLevel::Regional
        | AgencyLevel::National => all,
    }
}

pub(crate) fn section_kinds() -> [SectionKind; 17] {
    use SectionKind::*;
    let all = [
        ExecutiveSummary,
        Introduction,
        TermsOfReference,
        Methodology,
        Background,
        Chronology,
        Analysis,
        Lessons,
        Conclusions,
        Recommendations,
        ActionPlan,
        Glossary,
        Objectives,
        Commitments,
        Concerns,
        FrontMatter,
        Other,
    ];
    match all[0] {
        ExecutiveSummary | Introduction | TermsOfReference | Methodology | Background
        | Chronology | Analysis | Lessons | Conclusions | Recommendations | ActionPlan
        | Glossary | Objectives | Commitments | Concerns | FrontMatter | Other => all,
    }
}

/// The `serde` name of a unit variant.
fn name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn string_enum<T: serde::Serialize>(values: &[T], description: &str) -> Schema {
    let names: Vec<String> = values.iter().map(name).collect();
    json_schema!({
        "type": "string",
        "enum": names,
        "description": description,
    })
}

impl JsonSchema for DocKind {
    fn schema_name() -> Cow<'static, str> {
        "DocKind".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_enum(
            &DocKind::ALL,
            "Type of document: dhr (Domestic Homicide Review), cpr (Child Practice Review), \
             apr (Adult Practice Review), mhhr (Mental Health Homicide Review), susr (Single \
             Unified Safeguarding Review), pfd (coroner's Prevention of Future Deaths report), \
             strategy, other.",
        )
    }
}

impl JsonSchema for SectionKind {
    fn schema_name() -> Cow<'static, str> {
        "SectionKind".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_enum(
            &section_kinds(),
            "The part of a review a section belongs to.",
        )
    }
}

impl JsonSchema for PassageKind {
    fn schema_name() -> Cow<'static, str> {
        "PassageKind".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_enum(&passage_kinds(), "What kind of block a passage is.")
    }
}

impl JsonSchema for Polarity {
    fn schema_name() -> Cow<'static, str> {
        "Polarity".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_enum(
            &polarities(),
            "present: the hit asserts the theme; negated: it is denied (\"no evidence of\").",
        )
    }
}

impl JsonSchema for AgencyLevel {
    fn schema_name() -> Cow<'static, str> {
        "AgencyLevel".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_enum(
            &agency_levels(),
            "Scope of the body a recommendation is addressed to.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_values_are_the_serde_names() {
        assert_eq!(name(&SectionKind::ActionPlan), "action_plan");
        assert_eq!(name(&PassageKind::TableRow), "table_row");
        assert_eq!(name(&AgencyLevel::MultiAgencyLocal), "multi_agency_local");
        for k in section_kinds() {
            assert_eq!(name(&k), k.as_str());
        }
        for k in DocKind::ALL {
            assert_eq!(name(&k), k.as_str());
        }
        for k in agency_levels() {
            assert_eq!(name(&k), k.as_str());
        }
        let s = serde_json::to_value(schemars::schema_for!(SectionKind)).expect("json");
        assert_eq!(s["enum"].as_array().map(Vec::len), Some(17));
        assert!(
            s["enum"]
                .as_array()
                .is_some_and(|a| a.contains(&"concerns".into()))
        );
    }
}
