//! The machine running short of what a build needs: a full disk or too few
//! file descriptors. Neither is the documents' fault nor the last build's:
//! the build stops (the last good output is kept) and says which it was
//! and where, instead of recording document failures or suggesting a
//! rebuild that would meet the same wall.

use std::error::Error;
use std::path::PathBuf;

/// What ran short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortage {
    /// No space left on the device (ENOSPC), or the disk quota (EDQUOT).
    DiskFull,
    /// The process or the system has too many files open (EMFILE, ENFILE).
    TooManyOpenFiles,
}

impl std::fmt::Display for Shortage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Shortage::DiskFull => "the disk is full (ENOSPC)",
            Shortage::TooManyOpenFiles => "too many open files (EMFILE)",
        })
    }
}

impl Shortage {
    /// What to do about it, for people.
    pub fn remedy(&self) -> &'static str {
        match self {
            Shortage::DiskFull => "free space on that disk and build again",
            Shortage::TooManyOpenFiles => {
                "raise the limit of open files (`ulimit -n`, e.g. to 4096) and build again"
            }
        }
    }

    /// The shortage an operating-system error number stands for.
    pub fn of_os_code(code: i32) -> Option<Shortage> {
        // EDQUOT's number differs between Linux and the BSDs (macOS).
        const EDQUOT: i32 = if cfg!(target_os = "linux") { 122 } else { 69 };
        match code {
            // ENOSPC
            28 => Some(Shortage::DiskFull),
            c if c == EDQUOT => Some(Shortage::DiskFull),
            // EMFILE, ENFILE
            24 | 23 => Some(Shortage::TooManyOpenFiles),
            _ => None,
        }
    }

    /// The shortage an I/O error stands for.
    /// (An error wrapped in another, as temporary files wrap theirs with
    /// the path, is looked through.)
    pub fn of_io(e: &std::io::Error) -> Option<Shortage> {
        if let Some(code) = e.raw_os_error() {
            return Shortage::of_os_code(code);
        }
        let mut inner = e.get_ref().map(|i| i as &(dyn Error + 'static));
        while let Some(err) = inner {
            let found = match err.downcast_ref::<std::io::Error>() {
                Some(io) => Shortage::of_io(io),
                // Wrappers that hide their I/O error from `source` (the
                // temporary file's `PathError`) still print it.
                None => Shortage::in_text(&err.to_string()),
            };
            if found.is_some() {
                return found;
            }
            inner = err.source();
        }
        None
    }

    /// The shortage behind an error, looking through its chain of causes
    /// (and the search index's errors, which keep their I/O error aside),
    /// with the path it met it at when the error names one.
    pub fn of_error(e: &(dyn Error + 'static)) -> Option<(Shortage, Option<PathBuf>)> {
        let mut next = Some(e);
        while let Some(err) = next {
            if let Some(found) = Self::of_one(err) {
                return Some(found);
            }
            next = err.source();
        }
        // An index thread's error arrives as text only.
        Self::in_text(&e.to_string()).map(|s| (s, None))
    }

    fn of_one(err: &(dyn Error + 'static)) -> Option<(Shortage, Option<PathBuf>)> {
        use tantivy::TantivyError as T;
        use tantivy::directory::error::{OpenReadError as R, OpenWriteError as W};
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Self::of_io(io).map(|s| (s, None));
        }
        let (io, path) = match err.downcast_ref::<T>()? {
            T::IoError(io) => (io, None),
            T::OpenWriteError(W::IoError { io_error, filepath })
            | T::OpenReadError(R::IoError { io_error, filepath }) => {
                // A path relative to the index folder says little alone.
                (io_error, Some(filepath.clone()).filter(|p| p.is_absolute()))
            }
            _ => return None,
        };
        Self::of_io(io).map(|s| (s, path))
    }

    /// The shortage an error message names by its error number ("… (os
    /// error 28)", as the standard library displays it, or "Os { code: 28,
    /// …", as it debug-prints it).
    pub fn in_text(message: &str) -> Option<Shortage> {
        ["os error ", "Os { code: "]
            .iter()
            .flat_map(|cue| message.match_indices(cue))
            .filter_map(|(i, m)| {
                let digits: String = message[i + m.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse().ok()
            })
            .find_map(Shortage::of_os_code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_and_messages_name_the_shortage() {
        let full = std::io::Error::from_raw_os_error(28);
        assert_eq!(Shortage::of_io(&full), Some(Shortage::DiskFull));
        let files = std::io::Error::from_raw_os_error(24);
        assert_eq!(
            Shortage::of_error(&files).map(|f| f.0),
            Some(Shortage::TooManyOpenFiles)
        );
        let wrapped = tantivy::TantivyError::from(std::io::Error::from_raw_os_error(28));
        assert_eq!(
            Shortage::of_error(&wrapped).map(|f| f.0),
            Some(Shortage::DiskFull)
        );
        assert_eq!(
            Shortage::in_text("in/a.pdf: Too many open files (os error 24)"),
            Some(Shortage::TooManyOpenFiles)
        );
        assert_eq!(
            Shortage::in_text("'IoError { err: Os { code: 28, kind: StorageFull } }'"),
            Some(Shortage::DiskFull)
        );
        assert_eq!(Shortage::in_text("No such file (os error 2)"), None);
        let wrapped_twice = std::io::Error::other(std::io::Error::from_raw_os_error(24));
        assert_eq!(
            Shortage::of_io(&wrapped_twice),
            Some(Shortage::TooManyOpenFiles)
        );
        assert_eq!(
            Shortage::of_error(&std::io::Error::from_raw_os_error(13)),
            None
        );
    }
}
