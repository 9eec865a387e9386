//! ystorfa turns safeguarding reviews and VAWDASV strategy documents into a
//! searchable, evidence-linked thematic learning repository.
//!
//! The pipeline, one module per stage (see ARCHITECTURE.md):
//!
//! 1. [`extract`]: PDF / text / Markdown bytes → [`model::ExtractedDoc`] (pages, blocks, lines).
//! 2. [`segment`]: [`model::ExtractedDoc`] → [`model::Document`] (sections, passages, sentences).
//! 3. [`rules`]: the TOML rule file → a compiled [`rules::RuleSet`].
//! 4. [`tag`]: [`model::Document`] + [`rules::RuleSet`] → [`model::ProcessedDoc`] (tags with evidence, recommendations, themes).
//! 5. [`index`]: [`model::ProcessedDoc`]s → a tantivy passage index; search over it.
//! 6. [`export`]: [`model::ProcessedDoc`]s → the learning repository (JSON Lines).
//! 7. [`pipeline`]: runs the stages over a set of input files (the batch job).
//! 8. `serve` (feature `serve`, on by default): the search and browse page
//!    and its JSON API over a build's output, reloaded when a build finishes.
//!
//! [`eval`] measures recommendations and themes against labelled documents.
//!
//! Stages are pure functions over the [`model`] types; only [`pipeline`] and
//! the command layer (`cli`) read and write files.

pub mod cli;
pub mod eval;
pub mod export;
pub mod extract;
pub mod index;
pub mod model;
pub mod pipeline;
pub mod rules;
pub mod segment;
#[cfg(feature = "serve")]
pub mod serve;
pub mod tag;
