//! Finding the input files: walked recursively, filtered by extension, in
//! the order the repository lists them (the path as shown, byte order).

use std::path::{Path, PathBuf};

/// File extensions the pipeline reads.
pub const INPUT_EXTENSIONS: [&str; 3] = ["pdf", "txt", "md"];

/// Walk inputs (files or folders, recursively) for `.pdf`, `.txt`, `.md`
/// files, returned without duplicates and sorted by [`display_path`] (the
/// repository's order). A missing input is an error.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, std::io::Error> {
    let mut out = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", input.display())))?;
        if meta.is_file() {
            out.push(input.clone());
            continue;
        }
        for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
            let entry = entry.map_err(std::io::Error::other)?;
            if entry.file_type().is_file() && has_input_extension(entry.path()) {
                out.push(entry.path().to_path_buf());
            }
        }
    }
    out.sort();
    out.dedup();
    sort_for_repository(&mut out);
    Ok(out)
}

/// Sort paths as the repository lists documents: by [`display_path`].
pub fn sort_for_repository(paths: &mut [PathBuf]) {
    paths.sort_by_cached_key(|p| display_path(p));
}

fn has_input_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .map(|e| INPUT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

/// A path as shown in outputs: forward slashes, no leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discover_walks_folders_sorted_and_filters_extensions() {
        let tmp = tempfile::tempdir().unwrap();
        for f in [
            "b/2.pdf",
            "a.txt",
            "c.md",
            "README",
            "notes.docx",
            "b/1.PDF",
            "b-c.txt",
        ] {
            let p = tmp.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"x").unwrap();
        }
        let found: Vec<String> = discover(&[tmp.path().to_path_buf()])
            .unwrap()
            .iter()
            .map(|p| {
                p.strip_prefix(tmp.path())
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        // As the repository lists them: "b-c.txt" before "b/..." ('-' < '/').
        assert_eq!(found, ["a.txt", "b-c.txt", "b/1.PDF", "b/2.pdf", "c.md"]);
    }
}
