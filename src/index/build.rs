//! Building the index: one tantivy document per passage, written in a
//! deterministic order with one commit; or updated from the last build's
//! index, whose unchanged segments are shared (hard links), not rewritten.

use super::*;

/// Write a fresh index of `docs` into the (empty) directory `dir`.
pub fn build_in_dir<'a>(
    dir: &Path,
    docs: impl IntoIterator<Item = &'a ProcessedDoc>,
) -> Result<IndexStats, IndexError> {
    let index = Index::create_in_dir(dir, schema())?;
    fill(&index, &[], docs.into_iter().collect())
}

/// Build an index of `docs` in memory (tests, one-off searches).
pub fn build_in_ram(docs: &[ProcessedDoc]) -> Result<Index, IndexError> {
    let index = Index::create_in_ram(schema());
    fill(&index, &[], docs.iter().collect())?;
    Ok(index)
}

/// Make in the (empty) directory `dir` the index of `prev_dir` with the
/// documents `remove` (ids) taken out and `add` put in. The segment files
/// of `prev_dir` are hard-linked, never modified (tantivy writes new files
/// and replaces its meta files by rename), so `prev_dir` stays a valid
/// index for whoever reads it meanwhile. The result finds the same
/// passages as [`build_in_dir`] of the final set of documents: segments
/// holding deleted passages are merged, so nothing deleted counts in the
/// document frequencies; tantivy then estimates the merged segment's
/// average passage length from its (lossy) length norms, so scores can
/// differ from a fresh build's in the fourth significant digit.
pub fn update_in_dir(
    dir: &Path,
    prev_dir: &Path,
    remove: &[&str],
    add: &[&ProcessedDoc],
) -> Result<IndexStats, IndexError> {
    link_files(prev_dir, dir)?;
    let index = open(dir)?;
    if index.schema() != schema() {
        return Err(IndexError::Tantivy(tantivy::TantivyError::SchemaError(
            "the last build's index has another schema".into(),
        )));
    }
    if remove.is_empty() && add.is_empty() {
        return Ok(IndexStats::default());
    }
    fill(&index, remove, add.to_vec())
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
        if name.to_string_lossy().ends_with(".lock") || !e.path().is_file() {
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

/// Delete the documents `remove`, add every passage of `add` (sorted by
/// document id, passages in order), commit once, then merge.
pub(super) fn fill(
    index: &Index,
    remove: &[&str],
    mut add: Vec<&ProcessedDoc>,
) -> Result<IndexStats, IndexError> {
    register_analyzers(index);
    let f = Fields::from_schema(&index.schema())?;
    // One indexing thread keeps the insertion order, so equal scores rank
    // in document order.
    let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY)?;
    // Merges are chosen below, after the commit, not in the background.
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    for id in remove {
        writer.delete_term(tantivy::Term::from_field_text(f.doc, id));
    }
    add.sort_by(|a, b| a.document.id.cmp(&b.document.id));
    let mut stats = IndexStats::default();
    for pd in add {
        stats.documents += 1;
        for tdoc in passage_documents(&f, doc_key(&pd.document.id), pd) {
            writer.add_document(tdoc)?;
            stats.passages += 1;
        }
    }
    writer.commit()?;
    // Segments of similar size are merged as tantivy's log merge policy
    // chooses, and every segment holding deleted passages is merged too:
    // deleted passages would otherwise still count in the relevance
    // statistics (document frequencies), and an updated index would score
    // rare words differently from a fresh build of the same documents.
    use tantivy::indexer::MergePolicy;
    let metas = index.searchable_segment_metas()?;
    let mut groups: Vec<Vec<tantivy::index::SegmentId>> =
        tantivy::indexer::LogMergePolicy::default()
            .compute_merge_candidates(&metas)
            .into_iter()
            .map(|c| c.0)
            .collect();
    let grouped: std::collections::HashSet<tantivy::index::SegmentId> =
        groups.iter().flatten().copied().collect();
    let with_deletes: Vec<tantivy::index::SegmentId> = metas
        .iter()
        .filter(|m| m.has_deletes() && !grouped.contains(&m.id()))
        .map(|m| m.id())
        .collect();
    if !with_deletes.is_empty() {
        groups.push(with_deletes);
    }
    for group in groups {
        writer.merge(&group).wait()?;
    }
    writer.wait_merging_threads()?;
    Ok(stats)
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
    // Agencies addressed anywhere in the document, in first-seen order.
    let mut doc_agencies: Vec<&str> = Vec::new();
    for r in &pd.recommendations {
        for a in &r.agencies {
            if !doc_agencies.contains(&a.as_str()) {
                doc_agencies.push(a);
            }
        }
    }
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
        t.add_text(f.kind, d.kind.as_str());
        if let Some(y) = d.year {
            t.add_i64(f.year, i64::from(y));
        }
        if let Some(a) = &d.area {
            t.add_text(f.area, a);
        }
        t.add_text(f.language, &d.language);
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
        for th in &pd.themes {
            t.add_text(f.doc_theme, th);
        }
        let mut agencies: Vec<&str> = Vec::new();
        let mut is_rec = false;
        for r in &pd.recommendations {
            if r.start < p.end && p.start < r.end {
                is_rec = true;
                for a in &r.agencies {
                    if !agencies.contains(&a.as_str()) {
                        agencies.push(a);
                    }
                }
            }
        }
        for a in agencies {
            t.add_text(f.agency, a);
        }
        t.add_bool(f.is_recommendation, is_rec);
        for a in &doc_agencies {
            t.add_text(f.doc_agency, a);
        }
        t.add_u64(f.start, char_at as u64);
        if out.is_empty() {
            t.add_text(f.doc_meta, &meta);
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
