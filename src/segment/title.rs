//! The document's title: from the PDF's metadata, a Markdown title, the
//! largest lines of the first page, or a cover block naming a document type.

use super::*;
/// Title: a meaningful PDF Info title; else a Markdown `#` title on page 1;
/// else the largest-font lines on page 1; else the first cover block naming
/// a document type; else the file name.
pub(super) fn pick_title(
    ex: &ExtractedDoc,
    units: &[Unit],
    body: &BodyStyle,
    markdown: bool,
) -> String {
    if let Some(t) = ex
        .meta
        .title
        .as_deref()
        .filter(|t| meta::meaningful_title(t))
    {
        return collapse_ws(t);
    }
    let cover: Vec<&Unit> = units.iter().filter(|u| u.page == 0).take(40).collect();
    if let Some(u) = cover.iter().find(|u| {
        matches!(
            u.heading,
            Some(Heading {
                cue: Cue::Markdown(1),
                ..
            })
        )
    }) {
        return u.text.clone();
    }
    let max_size = cover
        .iter()
        .map(|u| u.style.min_size)
        .fold(0.0f32, f32::max);
    if body.is_large(max_size) {
        let parts: Vec<&str> = cover
            .iter()
            .skip_while(|u| (u.style.min_size - max_size).abs() > 0.25)
            .take_while(|u| (u.style.min_size - max_size).abs() <= 0.25)
            .take(3)
            .map(|u| u.text.as_str())
            .collect();
        return parts.join(" ");
    }
    // Unstyled: each short cover block (first three pages); in a long block,
    // each run of short lines and each long line.
    let blocks: Vec<String> = ex
        .pages
        .iter()
        .take(3)
        .flat_map(|p| &p.blocks)
        .take(80)
        .flat_map(|b| cover_candidates(b, markdown))
        .filter(|t| !t.is_empty())
        .collect();
    meta::title_from_blocks(&blocks)
        .unwrap_or_else(|| ex.file.rsplit('/').next().unwrap_or(&ex.file).to_string())
}

/// Title candidates from one cover block: the whole block when short, else
/// each run of short lines joined and each long line on its own (a title
/// run together with other text by the extractor).
pub(super) fn cover_candidates(b: &Block, markdown: bool) -> Vec<String> {
    let lines: Vec<SrcLine> = b
        .lines
        .iter()
        .filter_map(|l| clean_line(l, markdown))
        .collect();
    let refs: Vec<&SrcLine> = lines.iter().collect();
    let joined = join_lines(&refs);
    if joined.split_whitespace().count() <= 25 {
        return vec![joined];
    }
    let mut runs: Vec<String> = Vec::new();
    let mut run: Vec<&SrcLine> = Vec::new();
    let mut skip = false;
    for (k, l) in refs.iter().enumerate() {
        if std::mem::take(&mut skip) {
            continue;
        }
        if collapse_ws(&l.raw).chars().count() < 60 {
            run.push(l);
            continue;
        }
        if !run.is_empty() {
            push_run(&mut runs, &run);
            run.clear();
        }
        // A long line left with an open bracket goes on in the next line:
        // "… report (Regulation 28, Coroners (Investigations)" / "Regulations 2013)".
        let open = l.raw.matches('(').count() > l.raw.matches(')').count();
        if let Some(next) = refs.get(k + 1).filter(|_| open && !ends_terminal(&l.raw)) {
            runs.push(join_lines(&[l, next]));
            skip = true;
            continue;
        }
        runs.push(collapse_ws(&l.raw));
    }
    if !run.is_empty() {
        push_run(&mut runs, &run);
    }
    runs
}

/// A run of short lines as one candidate, then (when it is long) each
/// phrase in it: a capitalised line with the lines that carry it on (lower
/// case or a number: "Tackling Violence against Women" / "and Girls: a
/// Joint Strategy" / "2019 – 2024"), for a title set among signatures.
pub(super) fn push_run(runs: &mut Vec<String>, run: &[&SrcLine]) {
    let joined = join_lines(run);
    let long = joined.split_whitespace().count() > 25;
    runs.push(joined);
    if !long {
        return;
    }
    let mut i = 0;
    while i < run.len() {
        let mut j = i + 1;
        while j < run.len()
            && run[j]
                .raw
                .trim_start()
                .starts_with(|c: char| c.is_lowercase() || c.is_ascii_digit())
        {
            j += 1;
        }
        if j - i > 1 {
            runs.push(join_lines(&run[i..j]));
        }
        i = j;
    }
}
