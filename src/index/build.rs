//! Building the index: one tantivy document per passage. A
//! [`PassageWriter`] takes documents one at a time (their tantivy
//! documents prepared beforehand, on any thread, with [`prepare`]), commits
//! once and merges; it writes a fresh index or updates the last build's,
//! whose unchanged segments are shared (hard links), not rewritten.

use super::*;

/// Write a fresh index of `docs` into the (empty) directory `dir`.
pub fn build_in_dir<'a>(
    dir: &Path,
    docs: impl IntoIterator<Item = &'a ProcessedDoc>,
) -> Result<IndexStats, IndexError> {
    let mut w = PassageWriter::create(dir)?;
    for pd in by_id(docs.into_iter().collect()) {
        w.add(prepare(pd))?;
    }
    w.finish()
}

/// Build an index of `docs` in memory (tests, one-off searches).
pub fn build_in_ram(docs: &[ProcessedDoc]) -> Result<Index, IndexError> {
    let mut w = PassageWriter::new(Index::create_in_ram(schema()))?;
    for pd in by_id(docs.iter().collect()) {
        w.add(prepare(pd))?;
    }
    let index = w.index.clone();
    w.finish()?;
    Ok(index)
}

/// Make in the (empty) directory `dir` the index of `prev_dir` with the
/// documents `remove` (ids) taken out and `add` put in (see
/// [`PassageWriter::update`]).
pub fn update_in_dir(
    dir: &Path,
    prev_dir: &Path,
    remove: &[&str],
    add: &[&ProcessedDoc],
) -> Result<IndexStats, IndexError> {
    let mut w = PassageWriter::update(dir, prev_dir, remove)?;
    for pd in by_id(add.to_vec()) {
        w.add(prepare(pd))?;
    }
    w.finish()
}

fn by_id(mut docs: Vec<&ProcessedDoc>) -> Vec<&ProcessedDoc> {
    docs.sort_by(|a, b| a.document.id.cmp(&b.document.id));
    docs
}

/// One document's passages as tantivy documents, ready for
/// [`PassageWriter::add`]: made by [`prepare`] (on any thread).
#[derive(Debug)]
pub struct IndexDoc {
    passages: Vec<TantivyDocument>,
    /// The document row (see [`fields::DOC_ROW`]), for a document with
    /// passages (a row without would count in the ranking's statistics
    /// for a document no search can find).
    row: Option<TantivyDocument>,
}

/// Prepare a processed document for the index.
pub fn prepare(pd: &ProcessedDoc) -> IndexDoc {
    let f = Fields::from_schema(&schema()).expect("the schema has every field");
    let key = doc_key(&pd.document.id);
    let passages = passage_documents(&f, key, pd);
    let row = (!passages.is_empty()).then(|| document_row(&f, key, pd));
    IndexDoc { passages, row }
}

/// Writes an index one document at a time with bounded memory (tantivy
/// flushes a segment whenever its writer's memory budget is used), in the
/// order documents are added; [`finish`](Self::finish) commits once and
/// merges.
pub struct PassageWriter {
    index: Index,
    writer: IndexWriter,
    stats: IndexStats,
}

impl std::fmt::Debug for PassageWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassageWriter")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl PassageWriter {
    /// A fresh index in the (empty) directory `dir`.
    pub fn create(dir: &Path) -> Result<PassageWriter, IndexError> {
        PassageWriter::new(Index::create_in_dir(dir, schema())?)
    }

    /// The index of `prev_dir` with the documents `remove` (ids) deleted,
    /// made in the (empty) directory `dir`. The segment files of
    /// `prev_dir` are hard-linked, never modified (tantivy writes new files
    /// and replaces its meta files by rename), so `prev_dir` stays a valid
    /// index for whoever reads it meanwhile. The result finds the same
    /// passages as a fresh index of the final set of documents: segments
    /// holding deleted passages are merged, so nothing deleted counts in
    /// the document frequencies; tantivy then estimates the merged
    /// segment's average passage length from its (lossy) length norms, so
    /// scores can differ from a fresh build's in the fourth significant
    /// digit.
    pub fn update(
        dir: &Path,
        prev_dir: &Path,
        remove: &[&str],
    ) -> Result<PassageWriter, IndexError> {
        link_files(prev_dir, dir)?;
        let index = open(dir)?;
        if index.schema() != schema() {
            return Err(IndexError::Tantivy(tantivy::TantivyError::SchemaError(
                "the last build's index has another schema".into(),
            )));
        }
        let w = PassageWriter::new(index)?;
        let f = Fields::from_schema(&w.index.schema())?;
        for id in remove {
            w.writer
                .delete_term(tantivy::Term::from_field_text(f.doc, id));
            w.writer
                .delete_term(tantivy::Term::from_field_text(f.doc_row, id));
        }
        Ok(w)
    }

    fn new(index: Index) -> Result<PassageWriter, IndexError> {
        register_analyzers(&index);
        Fields::from_schema(&index.schema())?;
        // One indexing thread keeps the insertion order, so equal scores rank
        // in document order.
        let writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        // Merges are chosen in `finish`, after the commit, not in the background.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        Ok(PassageWriter {
            index,
            writer,
            stats: IndexStats::default(),
        })
    }

    /// Add one document's passages.
    pub fn add(&mut self, doc: IndexDoc) -> Result<(), IndexError> {
        self.stats.documents += 1;
        for t in doc.passages {
            self.add_row(t)?;
            self.stats.passages += 1;
        }
        match doc.row {
            Some(row) => self.add_row(row),
            None => Ok(()),
        }
    }

    fn add_row(&mut self, t: TantivyDocument) -> Result<(), IndexError> {
        if let Err(e) = self.writer.add_document(t) {
            // The writer's indexing thread stopped; its own error (a
            // full disk, too few file descriptors) says why, and the
            // commit that joins the thread returns it.
            return Err(match self.writer.commit() {
                Err(cause) => cause.into(),
                Ok(_) => e.into(),
            });
        }
        Ok(())
    }

    /// Commit, merge, and delete the files merged away.
    pub fn finish(mut self) -> Result<IndexStats, IndexError> {
        self.writer.commit()?;
        merge(&self.index, &mut self.writer)?;
        self.writer.garbage_collect_files().wait()?;
        self.writer.wait_merging_threads()?;
        Ok(self.stats)
    }
}

/// Most passages in a segment made by merging. A merge reads its segments
/// through memory maps, whose pages count in the build's resident memory,
/// so this bounds the memory of a build at any corpus size (about 300 MB of
/// index files per merge), and what an update rewrites to purge a deleted
/// document. Segments over half of it are not merged again (but for
/// deletes).
const MERGED_MAX_PASSAGES: u32 = 1_000_000;

/// Segments of similar size are merged as tantivy's log merge policy
/// chooses, in groups of at most [`MERGED_MAX_PASSAGES`], and every segment
/// holding deleted passages is merged too: deleted passages would otherwise
/// still count in the relevance statistics (document frequencies), and an
/// updated index would score rare words differently from a fresh build of
/// the same documents.
fn merge(index: &Index, writer: &mut IndexWriter) -> Result<(), IndexError> {
    // The segment metas are dropped before merging: tantivy keeps the files
    // of every segment whose meta is still alive.
    let groups = {
        let metas = index.searchable_segment_metas()?;
        merge_groups(&metas, MERGED_MAX_PASSAGES)
    };
    for group in groups {
        writer.merge(&group).wait()?;
    }
    Ok(())
}

/// The merges to make of `metas`: the log merge policy's candidates (among
/// segments of at most half of `max`), cut into groups of at most `max`
/// passages, and every other segment with deletes merged on its own (or
/// with others while under `max`).
fn merge_groups(
    metas: &[tantivy::index::SegmentMeta],
    max: u32,
) -> Vec<Vec<tantivy::index::SegmentId>> {
    use tantivy::indexer::MergePolicy;
    let mut policy = tantivy::indexer::LogMergePolicy::default();
    policy.set_max_docs_before_merge((max / 2) as usize);
    let size: HashMap<tantivy::index::SegmentId, u32> =
        metas.iter().map(|m| (m.id(), m.num_docs())).collect();
    let mut candidates: Vec<Vec<tantivy::index::SegmentId>> = policy
        .compute_merge_candidates(metas)
        .into_iter()
        .map(|c| c.0)
        .collect();
    let grouped: std::collections::HashSet<tantivy::index::SegmentId> =
        candidates.iter().flatten().copied().collect();
    let with_deletes: Vec<tantivy::index::SegmentId> = metas
        .iter()
        .filter(|m| m.has_deletes() && !grouped.contains(&m.id()))
        .map(|m| m.id())
        .collect();
    if !with_deletes.is_empty() {
        candidates.push(with_deletes);
    }
    let deletes: std::collections::HashSet<tantivy::index::SegmentId> = metas
        .iter()
        .filter(|m| m.has_deletes())
        .map(|m| m.id())
        .collect();
    let mut groups = Vec::new();
    for candidate in candidates {
        let mut group: Vec<tantivy::index::SegmentId> = Vec::new();
        let mut total = 0u32;
        for id in candidate {
            let n = size.get(&id).copied().unwrap_or(0);
            if !group.is_empty() && total.saturating_add(n) > max {
                groups.push(std::mem::take(&mut group));
                total = 0;
            }
            group.push(id);
            total = total.saturating_add(n);
        }
        groups.push(group);
    }
    // One segment alone is worth rewriting only to purge its deletes.
    groups.retain(|g| g.len() > 1 || g.iter().any(|id| deletes.contains(id)));
    groups
}

/// The files the index in `dir` uses: those of the segments its
/// `meta.json` names, and `meta.json` and `.managed.json` themselves.
pub fn live_files(dir: &Path) -> Result<std::collections::BTreeSet<String>, IndexError> {
    let index = open(dir)?;
    let mut live: std::collections::BTreeSet<String> = index
        .load_metas()?
        .list_segment_files()
        .into_iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    live.insert("meta.json".into());
    live.insert(".managed.json".into());
    Ok(live)
}

/// Open every segment of the index in `dir` (each of its files is opened;
/// none is read through): an error names what is missing or unreadable.
pub fn check_opens(dir: &Path) -> Result<Index, IndexError> {
    let index = open(dir)?;
    for segment in index.searchable_segments()? {
        tantivy::SegmentReader::open(&segment)?;
    }
    Ok(index)
}

/// Open every segment of the index in `dir` (each of its files is opened)
/// and check every file against the checksum tantivy wrote in its footer,
/// except those `unchanged` says are as they were when last checked (by
/// name in `dir`): an error names what is missing, unreadable or damaged.
/// Returns how many files were read.
pub fn check_complete(dir: &Path, unchanged: &dyn Fn(&str) -> bool) -> Result<usize, IndexError> {
    let index = check_opens(dir)?;
    let managed = index.directory().list_managed_files();
    let mut files: Vec<std::path::PathBuf> = index
        .load_metas()?
        .list_segment_files()
        .into_iter()
        .filter(|p| managed.contains(p))
        .collect();
    files.sort();
    let (mut read, mut damaged) = (0, Vec::new());
    for p in &files {
        if unchanged(&p.to_string_lossy()) {
            continue;
        }
        read += 1;
        let whole = index
            .directory()
            .validate_checksum(p)
            .map_err(tantivy::TantivyError::from)?;
        if !whole {
            damaged.push(p.display().to_string());
        }
    }
    if damaged.is_empty() {
        return Ok(read);
    }
    Err(IndexError::Damaged(damaged.join(", ")))
}

/// True for tantivy's lock files, which are not part of the index.
pub fn is_lock_file(name: &str) -> bool {
    name.ends_with(".lock")
}

/// Hard-link (or copy, where links are not possible) every file of the
/// index in `from` into `to`, except tantivy's lock files.
fn link_files(from: &Path, to: &Path) -> Result<(), IndexError> {
    let io = |e: std::io::Error, p: &Path| {
        IndexError::Tantivy(tantivy::TantivyError::from(std::io::Error::new(
            e.kind(),
            format!("{}: {e}", p.display()),
        )))
    };
    std::fs::create_dir_all(to).map_err(|e| io(e, to))?;
    for e in std::fs::read_dir(from).map_err(|e| io(e, from))? {
        let e = e.map_err(|e| io(e, from))?;
        let name = e.file_name();
        if is_lock_file(&name.to_string_lossy()) || !e.path().is_file() {
            continue;
        }
        let target = to.join(&name);
        if std::fs::hard_link(e.path(), &target).is_err() {
            std::fs::copy(e.path(), &target).map_err(|err| io(err, &target))?;
        }
    }
    Ok(())
}

/// The number naming a document in the index ([`fields::DOC_KEY`]): the 64
/// bits of a content-hash id (`d` + 16 hex digits), otherwise the first 64
/// bits of the SHA-256 of the id.
pub fn doc_key(id: &str) -> u64 {
    if let Some(hex) = id.strip_prefix('d')
        && hex.len() == 16
        && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && let Ok(k) = u64::from_str_radix(hex, 16)
    {
        return k;
    }
    let h = crate::model::sha256_hex(id.as_bytes());
    u64::from_str_radix(&h[..16], 16).expect("hex digits")
}

/// The document row of one processed document: its id and key, its
/// document-level fields, its title, the text of every passage (counted,
/// for ranking documents), every section trail (for matching) and the word
/// pairs of them all (for two-word phrases).
pub(super) fn document_row(f: &Fields, key: u64, pd: &ProcessedDoc) -> TantivyDocument {
    let d = &pd.document;
    let mut t = TantivyDocument::default();
    t.add_text(f.doc_row, &d.id);
    t.add_u64(f.doc_row_key, key);
    add_document_fields(&mut t, f, pd, &DocAddressees::of(pd));
    t.add_text(f.doc_title, &d.title);
    t.add_text(f.doc_pairs, &d.title);
    // Each passage analysed once, here (on the caller's thread, not the
    // index writer's): its words counted, and their pairs.
    let mut english = super::schema::english();
    let mut trails: Vec<String> = Vec::new();
    for p in &d.passages {
        if let Some(text) = d.text.get(p.start..p.end) {
            let mut words = Vec::new();
            english
                .token_stream(text)
                .process(&mut |w| words.push(w.clone()));
            let pairs = super::schema::pairs_of(&words);
            let analysed = |tokens| tantivy::tokenizer::PreTokenizedString {
                text: String::new(),
                tokens,
            };
            t.add_pre_tokenized_text(f.doc_words, analysed(words));
            t.add_pre_tokenized_text(f.doc_pairs, analysed(pairs));
            let trail = d
                .sections
                .get(p.section)
                .map(|s| s.trail_string())
                .unwrap_or_default();
            if !trails.contains(&trail) {
                trails.push(trail);
            }
        }
    }
    for trail in &trails {
        t.add_text(f.doc_trail, trail);
        t.add_text(f.doc_pairs, trail);
    }
    t
}

/// Whom a document's recommendations address, in first-seen order.
struct DocAddressees<'a> {
    /// Agencies addressed anywhere in the document.
    agencies: Vec<&'a str>,
    /// Bodies addressed by counted recommendations (a translation names
    /// the same bodies as its original).
    bodies: Vec<&'a str>,
}

impl<'a> DocAddressees<'a> {
    fn of(pd: &'a ProcessedDoc) -> DocAddressees<'a> {
        let mut agencies: Vec<&str> = Vec::new();
        for r in &pd.recommendations {
            for a in &r.agencies {
                if !agencies.contains(&a.as_str()) {
                    agencies.push(a);
                }
            }
        }
        let mut bodies: Vec<&str> = Vec::new();
        for r in pd
            .recommendations
            .iter()
            .filter(|r| r.translation_of.is_none())
        {
            for a in &r.addressees {
                if !bodies.contains(&a.canonical.as_str()) {
                    bodies.push(&a.canonical);
                }
            }
        }
        DocAddressees { agencies, bodies }
    }
}

/// The fields every passage of a document and its document row carry
/// alike: the document's id-like fields, kind, year, area, language, its
/// themes and whom its recommendations address.
fn add_document_fields(t: &mut TantivyDocument, f: &Fields, pd: &ProcessedDoc, to: &DocAddressees) {
    let d = &pd.document;
    t.add_text(f.kind, d.kind.as_str());
    if let Some(y) = d.year {
        t.add_i64(f.year, i64::from(y));
    }
    if let Some(a) = &d.area {
        t.add_text(f.area, a);
    }
    t.add_text(f.language, &d.language);
    for th in &pd.themes {
        t.add_text(f.doc_theme, th);
    }
    for a in &to.agencies {
        t.add_text(f.doc_agency, a);
    }
    for b in &to.bodies {
        t.add_text(f.doc_body, b);
    }
}

/// The tantivy documents of one processed document, one per passage.
pub(super) fn passage_documents(f: &Fields, key: u64, pd: &ProcessedDoc) -> Vec<TantivyDocument> {
    let d = &pd.document;
    // Themes with present evidence, by passage.
    let mut themes: HashMap<usize, Vec<&str>> = HashMap::new();
    for t in pd.tags.iter().filter(|t| t.polarity == Polarity::Present) {
        let v = themes.entry(t.passage).or_default();
        if !v.contains(&t.theme.as_str()) {
            v.push(&t.theme);
        }
    }
    let to = DocAddressees::of(pd);
    let (doc_agencies, doc_bodies) = (&to.agencies, &to.bodies);
    let meta = serde_json::to_string(&super::DocMeta {
        doc_id: d.id.clone(),
        file: d.file.clone(),
        title: d.title.clone(),
        kind: d.kind.as_str().to_string(),
        year: d.year,
        area: d.area.clone(),
        language: d.language.clone(),
        themes: pd.themes.clone(),
        agencies: doc_agencies.iter().map(|a| a.to_string()).collect(),
        bodies: doc_bodies.iter().map(|a| a.to_string()).collect(),
        passages: 0,
    })
    .expect("document metadata serialises");
    let mut out = Vec::with_capacity(d.passages.len());
    // Character offset of each passage start, counted incrementally
    // (passages are in text order; a backwards step is recounted).
    let (mut byte_at, mut char_at) = (0usize, 0usize);
    for p in &d.passages {
        let Some(text) = d.text.get(p.start..p.end) else {
            continue;
        };
        if p.start < byte_at {
            (byte_at, char_at) = (0, 0);
        }
        char_at += d
            .text
            .get(byte_at..p.start)
            .map_or(0, |s| s.chars().count());
        byte_at = p.start;
        let mut t = TantivyDocument::default();
        t.add_text(f.doc, &d.id);
        t.add_u64(f.doc_key, key);
        t.add_text(f.file, &d.file);
        t.add_text(f.title, &d.title);
        add_document_fields(&mut t, f, pd, &to);
        let section = d.sections.get(p.section);
        t.add_text(
            f.section,
            section.map(|s| s.kind).unwrap_or_default().as_str(),
        );
        t.add_text(
            f.trail,
            section.map(|s| s.trail_string()).unwrap_or_default(),
        );
        t.add_u64(f.page, u64::from(p.page));
        t.add_u64(f.passage, p.index as u64);
        t.add_text(f.passage_kind, passage_kind_str(p.kind));
        t.add_text(f.text, text);
        for th in themes.get(&p.index).into_iter().flatten() {
            t.add_text(f.theme, th);
        }
        let mut agencies: Vec<&str> = Vec::new();
        let mut bodies: Vec<&str> = Vec::new();
        let mut is_rec = false;
        for r in &pd.recommendations {
            if r.start < p.end && p.start < r.end {
                is_rec = true;
                for a in &r.agencies {
                    if !agencies.contains(&a.as_str()) {
                        agencies.push(a);
                    }
                }
                for a in &r.addressees {
                    if !bodies.contains(&a.canonical.as_str()) {
                        bodies.push(&a.canonical);
                    }
                }
            }
        }
        for a in agencies {
            t.add_text(f.agency, a);
        }
        for b in bodies {
            t.add_text(f.body, b);
        }
        t.add_bool(f.is_recommendation, is_rec);
        t.add_u64(f.start, char_at as u64);
        if out.is_empty() {
            t.add_bytes(f.doc_meta, meta.as_bytes());
        }
        out.push(t);
    }
    out
}

pub(super) fn passage_kind_str(k: PassageKind) -> &'static str {
    match k {
        PassageKind::Paragraph => "paragraph",
        PassageKind::ListItem => "list_item",
        PassageKind::Heading => "heading",
        PassageKind::TableRow => "table_row",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_are_cut_into_groups_of_at_most_the_maximum() {
        let index = Index::create_in_ram(schema());
        register_analyzers(&index);
        let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY).unwrap();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        // Ten segments, one per commit.
        let docs = crate::index::fixtures::corpus();
        for i in 0..10 {
            for t in prepare(&docs[i % docs.len()]).passages {
                writer.add_document(t).unwrap();
            }
            writer.commit().unwrap();
        }
        let metas = index.searchable_segment_metas().unwrap();
        assert_eq!(metas.len(), 10);
        let size: HashMap<_, _> = metas.iter().map(|m| (m.id(), m.num_docs())).collect();
        let largest = metas.iter().map(|m| m.num_docs()).max().unwrap();
        let max = 3 * largest;
        let groups = merge_groups(&metas, max);
        assert!(groups.len() >= 3, "{groups:?}");
        for g in &groups {
            assert!(g.len() > 1);
            assert!(g.iter().map(|id| size[id]).sum::<u32>() <= max, "{g:?}");
        }
        // Without a bound, one merge of the whole level.
        assert_eq!(merge_groups(&metas, u32::MAX).len(), 1);
    }
}
