//! The grouping cache: each segment of `recommendations.jsonl` as the
//! grouping stage reads it ([`AnalysedSegment`]), by the SHA-256 of the
//! segment's file, under `OUT/cache/grouping/<key>/<sha256>.bin`, where
//! the key names the grouping code, the code that wrote the rows and the
//! rule set. Every build groups every recommendation again (a new
//! document changes every word's weight); with this cache it analyses
//! only the segments it wrote.
//!
//! An entry is a header of four lines (the segment's SHA-256, the SHA-256
//! of each part, the first part's length in 16 hex digits) and the two
//! parts: the words, read by every build, and the members, read for the
//! groups found. A header that does not parse or whose length does not
//! fit the file, and a part whose checksum does not match, are misses,
//! never silent wrong groups.

use super::cache::{beside, children, half_written, remove_stale};
use super::manifest::{AGGREGATE_FINGERPRINT, OUTPUT_FINGERPRINT};
use super::{CACHE, StoreError, io_err, write_atomic};
use crate::model::sha256_hex;
use crate::patterns::{AnalysedSegment, SegmentMembers, SegmentWords};
use std::collections::BTreeSet;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Sub-folder of `OUT/cache` holding analysed segments.
pub(super) const GROUPING: &str = "grouping";

/// Bytes of an entry's header: three hex SHA-256 lines and a 16-digit
/// hex length line.
const HEADER: usize = 3 * 65 + 17;

/// Analysed segments of recommendations by the SHA-256 of their file.
#[derive(Debug, Clone)]
pub struct GroupingCache {
    dir: PathBuf,
}

/// An entry's header.
#[derive(Debug, PartialEq)]
struct Header {
    segment: String,
    words_sha: String,
    members_sha: String,
    words_len: u64,
}

impl GroupingCache {
    /// The cache of this code under the rule set `rules_version`.
    pub fn new(out: &Path, rules_version: &str) -> GroupingCache {
        // The grouping code, the code that wrote the rows and analyses
        // words for the index, and the rules (with the grouping settings).
        let key: String = format!("{AGGREGATE_FINGERPRINT}-{OUTPUT_FINGERPRINT}-{rules_version}")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        GroupingCache {
            dir: out.join(CACHE).join(GROUPING).join(key),
        }
    }

    fn path(&self, segment: &str) -> PathBuf {
        self.dir.join(format!("{segment}.bin"))
    }

    /// The words of the segment whose file has SHA-256 `segment`, if kept
    /// (a damaged entry is a miss, said at -v).
    pub fn words(&self, segment: &str) -> Option<SegmentWords> {
        let bytes = self.part(segment, Part::Words)?;
        self.decoded(segment, SegmentWords::from_bytes(&bytes))
    }

    /// What the rows of groups show of the segment's recommendations, if
    /// kept.
    pub fn members(&self, segment: &str) -> Option<SegmentMembers> {
        let bytes = self.part(segment, Part::Members)?;
        self.decoded(segment, SegmentMembers::from_bytes(&bytes))
    }

    fn decoded<T>(&self, segment: &str, r: Result<T, crate::patterns::Undecodable>) -> Option<T> {
        r.map_err(|e| self.damaged(segment, &e.to_string())).ok()
    }

    fn damaged(&self, segment: &str, why: &str) {
        tracing::debug!(
            "{}: {why}; analysing the segment again",
            self.path(segment).display()
        );
    }

    /// One part of an entry, its checksum checked.
    fn part(&self, segment: &str, part: Part) -> Option<Vec<u8>> {
        let mut f = std::fs::File::open(self.path(segment)).ok()?;
        let size = f.metadata().ok()?.len();
        let mut head = [0u8; HEADER];
        let header = f
            .read_exact(&mut head)
            .ok()
            .and_then(|()| Header::parse(&head))
            .filter(|h| h.segment == segment && h.words_len <= size.saturating_sub(HEADER as u64));
        let Some(header) = header else {
            self.damaged(segment, "not a whole entry of this segment");
            return None;
        };
        let (from, to, sum) = match part {
            Part::Words => (0, header.words_len, &header.words_sha),
            Part::Members => (
                header.words_len,
                size.saturating_sub(HEADER as u64),
                &header.members_sha,
            ),
        };
        let mut bytes = Vec::with_capacity((to - from) as usize);
        let read = f
            .seek(SeekFrom::Start(HEADER as u64 + from))
            .and_then(|_| (&mut f).take(to - from).read_to_end(&mut bytes));
        if read.is_err() || sha256_hex(&bytes) != *sum {
            self.damaged(segment, "its checksum does not match its contents");
            return None;
        }
        Some(bytes)
    }

    /// Keep the analysis of the segment whose file has SHA-256 `segment`
    /// (atomically: a killed build leaves no torn entry).
    pub fn put(&self, segment: &str, analysed: &AnalysedSegment) -> Result<(), StoreError> {
        let words = analysed.words.to_bytes();
        let members = analysed.members.to_bytes();
        let header = Header {
            segment: segment.to_string(),
            words_sha: sha256_hex(&words),
            members_sha: sha256_hex(&members),
            words_len: words.len() as u64,
        };
        let Some(head) = header.to_bytes() else {
            return Err(io_err(&self.path(segment))(std::io::Error::other(
                "a segment's SHA-256 is 64 hex digits",
            )));
        };
        let mut bytes = Vec::with_capacity(HEADER + words.len() + members.len());
        bytes.extend_from_slice(&head);
        bytes.extend(words);
        bytes.extend(members);
        write_atomic(&self.path(segment), &bytes)
    }

    /// Remove entries of segments not in `keep` and caches of other code
    /// or rules (housekeeping: a removal that fails is a warning).
    pub(super) fn prune(&self, keep: &BTreeSet<&str>) {
        remove_stale(
            self.other_versions()
                .into_iter()
                .chain(self.unused(keep))
                .chain(half_written(&self.dir)),
        );
        for path in self.unknown() {
            tracing::debug!("{}: not a grouping cache entry; left alone", path.display());
        }
    }

    /// Entries of segments not in `keep`.
    pub(super) fn unused(&self, keep: &BTreeSet<&str>) -> Vec<PathBuf> {
        children(&self.dir)
            .into_iter()
            .filter(|p| entry_of(p).is_some_and(|sha| !keep.contains(sha)))
            .collect()
    }

    /// What the cache's folder holds that is not an entry.
    pub(super) fn unknown(&self) -> Vec<PathBuf> {
        children(&self.dir)
            .into_iter()
            .filter(|p| entry_of(p).is_none())
            .collect()
    }

    /// Folders of other code or rules beside this one's.
    pub(super) fn other_versions(&self) -> Vec<PathBuf> {
        beside(&self.dir)
    }
}

#[derive(Clone, Copy)]
enum Part {
    Words,
    Members,
}

impl Header {
    /// Its bytes, [`HEADER`] of them (none when a checksum is not 64 hex
    /// digits).
    fn to_bytes(&self) -> Option<[u8; HEADER]> {
        let text = format!(
            "{}\n{}\n{}\n{:016x}\n",
            self.segment, self.words_sha, self.members_sha, self.words_len
        );
        text.as_bytes().try_into().ok().filter(|_| {
            [&self.segment, &self.words_sha, &self.members_sha]
                .iter()
                .all(|s| is_sha(s))
        })
    }

    fn parse(head: &[u8; HEADER]) -> Option<Header> {
        let text = std::str::from_utf8(head).ok()?;
        let mut lines = text.split_terminator('\n');
        let mut sha = || lines.next().filter(|l| is_sha(l)).map(str::to_string);
        let (segment, words_sha, members_sha) = (sha()?, sha()?, sha()?);
        let words_len = lines
            .next()
            .filter(|l| l.len() == 16)
            .and_then(|l| u64::from_str_radix(l, 16).ok())?;
        Some(Header {
            segment,
            words_sha,
            members_sha,
            words_len,
        })
    }
}

/// Whether `s` is a SHA-256 in hex.
fn is_sha(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The segment an entry's file name says it is: `<sha256 hex>.bin`.
fn entry_of(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    let sha = name.strip_suffix(".bin")?;
    (is_sha(sha) && path.is_file()).then_some(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysed() -> AnalysedSegment {
        let rules = crate::rules::RuleSet::default_rules();
        let grouper = crate::patterns::Grouper::new(rules.grouping());
        let row: crate::export::RecommendationRow<'static> = serde_json::from_str(
            r#"{"id":"d1-r1","doc_id":"d1","file":"fictional.txt","ordinal":"1","text":"Marlshire Police should train every officer in coercive control.","page":3,"section":"Recommendations","section_kind":"recommendations","agencies":[],"addressees":[],"level":null,"themes":["coercive_control"],"start":0,"end":10,"cues":[]}"#,
        )
        .unwrap();
        grouper.analyser().segment([row])
    }

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn entries_round_trip_and_damage_is_a_miss() {
        let tmp = tempfile::tempdir().unwrap();
        let c = GroupingCache::new(tmp.path(), "rules1");
        let a = analysed();
        assert!(c.words(SHA).is_none());
        c.put(SHA, &a).unwrap();
        assert_eq!(c.words(SHA), Some(a.words.clone()));
        assert_eq!(c.members(SHA), Some(a.members.clone()));
        // Another rule set is another cache.
        assert!(
            GroupingCache::new(tmp.path(), "rules2")
                .words(SHA)
                .is_none()
        );
        // A changed byte in the members: the words still read, the members
        // are a miss.
        let path = c.path(SHA);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(c.words(SHA), Some(a.words.clone()));
        assert!(c.members(SHA).is_none());
        // An entry under another segment's name is a miss.
        let other = SHA.replace('0', "f");
        std::fs::copy(&path, c.path(&other)).unwrap();
        assert!(c.words(&other).is_none());
        // Torn: a miss.
        std::fs::write(&path, &bytes[..HEADER + 2]).unwrap();
        assert!(c.words(SHA).is_none());
        // A length in the header past the file's end (one flipped digit
        // asks for exabytes): a miss, nothing allocated for it.
        c.put(SHA, &a).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[3 * 65] = b'8';
        std::fs::write(&path, &bytes).unwrap();
        assert!(c.words(SHA).is_none() && c.members(SHA).is_none());
        // A header that is not one.
        bytes[10] = b'g';
        std::fs::write(&path, &bytes).unwrap();
        assert!(c.words(SHA).is_none());
    }

    #[test]
    fn a_header_is_its_bytes() {
        let h = Header {
            segment: SHA.to_string(),
            words_sha: SHA.replace('1', "e"),
            members_sha: SHA.replace('2', "d"),
            words_len: 0x1234,
        };
        let bytes = h.to_bytes().unwrap();
        assert_eq!(Header::parse(&bytes), Some(h));
        let short = Header {
            segment: "abc".into(),
            words_sha: SHA.into(),
            members_sha: SHA.into(),
            words_len: 1,
        };
        assert_eq!(short.to_bytes(), None);
    }

    #[test]
    fn pruning_keeps_the_segments_in_use_and_this_code_only() {
        let tmp = tempfile::tempdir().unwrap();
        let c = GroupingCache::new(tmp.path(), "rules1");
        let old = GroupingCache::new(tmp.path(), "rules0");
        let other = SHA.replace('0', "f");
        c.put(SHA, &analysed()).unwrap();
        c.put(&other, &analysed()).unwrap();
        old.put(SHA, &analysed()).unwrap();
        let keep = [SHA].into_iter().collect();
        assert_eq!(c.unused(&keep), vec![c.path(&other)]);
        assert_eq!(c.other_versions(), vec![old.dir.clone()]);
        // What a killed build left half written goes too.
        let torn = c.dir.join(".tmpAbC123");
        std::fs::write(&torn, b"torn").unwrap();
        assert_eq!(c.unknown(), vec![torn.clone()]);
        c.prune(&keep);
        assert!(!torn.exists());
        assert!(c.words(SHA).is_some() && c.words(&other).is_none());
        assert!(!old.dir.exists());
        assert!(c.unused(&keep).is_empty() && c.unknown().is_empty());
    }
}
