//! Finding the input files (walked recursively, symbolic links followed
//! with loops refused, filtered by extension, in the order the repository
//! lists them: the path as shown, byte order) and reading one (regular
//! files only: a FIFO or a device is refused, never read until it ends).

use std::path::{Path, PathBuf};

/// File extensions the pipeline reads.
pub const INPUT_EXTENSIONS: [&str; 4] = ["pdf", "txt", "md", "docx"];

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
        for entry in walkdir::WalkDir::new(input)
            .follow_links(true)
            .sort_by_file_name()
        {
            let entry = match entry {
                Ok(e) => e,
                // A link back to a folder above it: walked once, not again.
                Err(e) if e.loop_ancestor().is_some() => {
                    tracing::warn!("{e}: not followed again");
                    continue;
                }
                // A broken link (or a file gone while walking) below the
                // input: named like an input, listed, so the build reports
                // it as failed; otherwise (an editor's lock link, a link to
                // a folder gone) said at -v and left.
                Err(e)
                    if e.depth() > 0
                        && e.io_error()
                            .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) =>
                {
                    match e.path() {
                        Some(p) if has_input_extension(p) && !is_lock_file(p) => {
                            out.push(p.to_path_buf())
                        }
                        _ => tracing::debug!("{e}: skipped"),
                    }
                    continue;
                }
                Err(e) => return Err(std::io::Error::other(e)),
            };
            // Not a folder, named like an input: a regular file, or
            // something else the build refuses by name (see [`read_input`]).
            if !entry.file_type().is_dir()
                && has_input_extension(entry.path())
                && !is_lock_file(entry.path())
            {
                out.push(entry.path().to_path_buf());
            }
        }
    }
    out.sort();
    out.dedup();
    sort_for_repository(&mut out);
    Ok(out)
}

/// Read an input file whole; anything but a regular file (after links) is
/// refused with the reason, never read: a FIFO would block and a device
/// never end.
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a regular file ({}): refused", file_kind(&meta)),
        ));
    }
    std::fs::read(path)
}

/// What a non-regular file is, in words.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

/// Sort paths as the repository lists documents: by [`display_path`].
pub fn sort_for_repository(paths: &mut [PathBuf]) {
    paths.sort_by_cached_key(|p| display_path(p));
}

/// An editor's lock file (Emacs `.#name.md`, LibreOffice `.~lock.name#`):
/// never a document.
fn is_lock_file(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(".#") || n.starts_with(".~lock."))
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
            "notes.doc",
            "d.docx",
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
        assert_eq!(
            found,
            ["a.txt", "b-c.txt", "b/1.PDF", "b/2.pdf", "c.md", "d.docx"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_loops_are_not_and_a_fifo_is_refused_unread() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("in");
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("linked.txt"), b"x").unwrap();
        std::fs::write(root.join("sub/a.txt"), b"x").unwrap();
        let link = |to: &Path, at: &str| std::os::unix::fs::symlink(to, root.join(at)).unwrap();
        link(&elsewhere.join("linked.txt"), "file-link.txt");
        link(&elsewhere, "folder-link");
        link(&root, "sub/loop");
        link(&tmp.path().join("gone.txt"), "broken.txt");
        link(&tmp.path().join("gone"), "folder-gone");
        link(Path::new("user@host.1234"), ".#draft.md");
        let fifo = root.join("pipe.txt");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; creates a FIFO.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let found: Vec<String> = discover(std::slice::from_ref(&root))
            .unwrap()
            .iter()
            .map(|p| {
                p.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            found,
            [
                "broken.txt",
                "file-link.txt",
                "folder-link/linked.txt",
                "pipe.txt",
                "sub/a.txt"
            ]
        );
        let err = read_input(&fifo).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file (a FIFO): refused");
        assert!(read_input(&root.join("broken.txt")).is_err());
        assert_eq!(read_input(&root.join("file-link.txt")).unwrap(), b"x");
    }
}
