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
//! 6. [`export`]: [`model::ProcessedDoc`]s → the learning repository's rows (JSON Lines);
//!    the researcher exports from those rows.
//! 7. [`patterns`]: every document's recommendation rows → recurring
//!    recommendations grouped across documents.
//! 8. [`store`]: the output folder: generations, the lock, the manifest and
//!    report, the extraction cache, garbage collection, pinned readers.
//! 9. [`pipeline`]: runs the stages over a set of input files (the batch
//!    job), writing through the store.
//! 10. `serve` (feature `serve`, on by default): the search and browse page
//!     and its JSON API over a build's output (read through the store),
//!     reloaded when a build finishes.
//!
//! [`eval`] measures recommendations and themes against labelled documents.
//!
//! Stages are pure functions over the [`model`] types; [`store`] alone
//! names and writes the files of the output folder; the command layer
//! (`cli`) and the pipeline do the rest of the I/O. Modules stand in the
//! order `model`, `extract`, `segment`, `rules`, `tag`, `index`, `export`,
//! `patterns`, `store`, `pipeline`, `eval`, `serve`, `cli`, and each imports only
//! modules before it (ARCHITECTURE.md).

pub mod cli;
pub mod eval;
pub mod export;
pub mod extract;
pub mod index;
pub mod model;
pub mod patterns;
pub mod pipeline;
pub mod rules;
pub mod segment;
#[cfg(feature = "serve")]
pub mod serve;
pub mod store;
pub mod tag;
