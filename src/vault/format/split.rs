//! Parsing a large plaintext in pieces, on several threads.
//!
//! `toml` turns the whole text into a token vector and an event vector
//! before building a single table, and serde's `flatten` on [`Document`] then
//! buffers every entry once more. On a 10,000-entry vault that is tens of
//! megabytes touched once, and the page faults cost as much as the parsing
//! (docs/BENCHMARKS.md). Cut at the `[[entry]]` header lines, each piece is
//! small, its buffers are reused by the next, and the pieces parse in
//! parallel.
//!
//! The cut is only taken when it cannot change the meaning of the text:
//!
//! - the head (everything before the first `[[entry]]` line) must parse and
//!   must not define `entry` in any other way;
//! - every piece after it starts with an `[[entry]]` line and must parse as
//!   a table holding nothing but the `entry` array.
//!
//! A cut line inside a multi-line string or array leaves the piece before it
//! unterminated, so that piece fails to parse. Since every piece parses, each
//! starts where the whole-text parser would be at top level, and its
//! headers can only add entries, or tables inside its own entries. When any
//! condition fails the caller parses the whole text as one, which also gives
//! the error message its right line number.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::Deserialize;

use super::{Document, Entry, Member, Tombstone};

/// The header line the text is cut at, newline included.
const ENTRY_HEADER: &str = "[[entry]]\n";

/// Parses `text` cut into pieces of about `piece_bytes` (at least one entry
/// each) on up to `threads` threads. `None` when the text cannot be cut
/// safely or a piece does not parse: parse the whole text instead.
///
/// The document is not checked (labels, kinds, version): the caller does
/// that, as for a whole-text parse.
pub fn parse(text: &str, piece_bytes: usize, threads: usize) -> Option<Document> {
    let cuts = cut_points(text, piece_bytes.max(1));
    let (&first, _) = cuts.split_first()?;
    let head = parse_head(&text[..first])?;

    let pieces: Vec<&str> = cuts
        .iter()
        .zip(cuts.iter().skip(1).chain([&text.len()]))
        .map(|(&start, &end)| &text[start..end])
        .collect();
    let parsed = parse_pieces(&pieces, threads.max(1))?;

    let mut document = head;
    document.entries = Vec::with_capacity(parsed.iter().map(|p| p.entry.len()).sum());
    for piece in parsed {
        document.entries.extend(piece.entry);
        document.members.extend(piece.member);
        document.removed.extend(piece.removed);
    }
    Some(document)
}

/// Start offsets of the pieces: the first `[[entry]]` line, then the first
/// one at least `piece_bytes` after the previous cut.
fn cut_points(text: &str, piece_bytes: usize) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut from = 0;
    while let Some(at) = next_header(text, from) {
        cuts.push(at);
        from = at + piece_bytes;
        if from >= text.len() {
            break;
        }
    }
    cuts
}

/// The offset of the first `[[entry]]` line that starts at or after `from`.
fn next_header(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    loop {
        let found = at + text.get(at..)?.find(ENTRY_HEADER)?;
        if found == 0 || bytes[found - 1] == b'\n' {
            return Some(found);
        }
        at = found + 1;
    }
}

/// The text before the first entry, as a document without entries.
fn parse_head(head: &str) -> Option<Document> {
    // `entry = []` or `[entry]` here would make the first `[[entry]]` line an
    // error in the whole text; the pieces would not notice.
    let table: toml::Table = toml::from_str(head).ok()?;
    if table.contains_key("entry") {
        return None;
    }
    // Straight from the text, not from `table`: through a `toml::Value`, a
    // datetime in an unknown key would come out as a string.
    toml::from_str(head).ok()
}

/// What a piece must be: the `entry` array and nothing else but format
/// 1.2's `member` and `removed` arrays, which follow the entries.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Piece {
    entry: Vec<Entry>,
    #[serde(default)]
    member: Vec<Member>,
    #[serde(default)]
    removed: Vec<Tombstone>,
}

/// Parses the pieces on up to `threads` threads (this one included), in
/// order. `None` if any of them fails.
fn parse_pieces(pieces: &[&str], threads: usize) -> Option<Vec<Piece>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Piece>>> = Mutex::new(vec![None; pieces.len()]);
    let failed = AtomicBool::new(false);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= pieces.len() || failed.load(Ordering::Relaxed) {
                return;
            }
            match toml::from_str::<Piece>(pieces[i]) {
                Ok(piece) => results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(piece),
                Err(_) => failed.store(true, Ordering::Relaxed),
            }
        }
    };
    let helpers = threads.min(pieces.len()).saturating_sub(1);
    std::thread::scope(|scope| {
        for _ in 0..helpers {
            // A thread that cannot start only means less parallelism.
            let _ = std::thread::Builder::new().spawn_scoped(scope, work);
        }
        work();
    });
    if failed.into_inner() {
        return None;
    }
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "format = \"ascvault\"\nversion = \"1.0\"\n\n";

    fn entry(n: usize) -> String {
        format!(
            "[[entry]]\nid = \"id-{n}\"\nlabel = \"e{n}\"\nkind = \"app-specific-password\"\n\
             created = 2026-01-02T03:04:05Z\napple_id = \"a@example.com\"\n\
             password = \"abcd-efgh-ijkl-mnop\"\n\n"
        )
    }

    fn whole(text: &str) -> Result<Document, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn pieces_give_the_whole_documents_entries_in_order() {
        let text = format!("{HEAD}{}", (0..50).map(entry).collect::<String>());
        for piece_bytes in [1, 100, 1000, 1 << 20] {
            for threads in [1, 2, 4] {
                let doc = parse(&text, piece_bytes, threads).expect("cuts");
                assert_eq!(doc, whole(&text).unwrap(), "{piece_bytes} {threads}");
            }
        }
    }

    #[test]
    fn cut_points_are_header_lines_only() {
        let text = format!("{HEAD}x = \"a[[entry]]\\n\"\n{}{}", entry(1), entry(2));
        let cuts = cut_points(&text, 1);
        assert_eq!(cuts.len(), 2);
        assert!(cuts.iter().all(|&c| text[c..].starts_with(ENTRY_HEADER)));
        assert!(cuts.iter().all(|&c| text.as_bytes()[c - 1] == b'\n'));
    }

    #[test]
    fn a_header_line_inside_a_multiline_string_refuses_the_cut() {
        let text = format!(
            "{HEAD}[[entry]]\nid = \"a\"\nlabel = \"a\"\nkind = \"api-key\"\n\
             created = 2026-01-02T03:04:05Z\nnote = \"\"\"\n{}\"\"\"\n{}",
            entry(1),
            entry(2)
        );
        assert!(whole(&text).is_ok(), "the whole text is valid");
        assert!(parse(&text, 1, 2).is_none());
    }

    #[test]
    fn an_entry_key_in_the_head_refuses_the_cut() {
        for head in ["entry = []\n", "[entry]\n", "entry.x = 1\n"] {
            let text = format!("{HEAD}{head}{}", entry(1));
            assert!(whole(&text).is_err(), "{head}: the whole text is invalid");
            assert!(parse(&text, 1, 2).is_none(), "{head}");
        }
        // A header line inside a string of the head leaves the head unterminated.
        let text = format!("{HEAD}x = \"\"\"\n{}\"\"\"\n{}", entry(1), entry(2));
        assert!(parse(&text, 1, 2).is_none());
    }

    #[test]
    fn a_piece_with_another_top_level_table_refuses_the_cut() {
        // Valid as a whole (`[extra]` is an unknown table kept as it is), but a
        // piece may hold only entries.
        let text = format!("{HEAD}{}[extra]\nk = 1\n{}", entry(1), entry(2));
        assert!(parse(&text, 1, 2).is_none());
        // A table inside the piece's own entry is fine.
        let text = format!("{HEAD}{}[entry.sub]\nk = 1\n{}", entry(1), entry(2));
        let doc = parse(&text, 1, 2).expect("cuts");
        assert_eq!(doc, whole(&text).unwrap());
    }

    #[test]
    fn datetimes_in_unknown_keys_of_the_head_stay_datetimes() {
        // Found by the parse_toml fuzz property (corpus-089e98025ea6).
        let text = format!("{HEAD}seen = 2026-01-02T03:04:05Z\n{}", entry(1));
        let doc = parse(&text, 1, 2).expect("cuts");
        assert!(doc.extra["seen"].is_datetime());
        assert_eq!(doc, whole(&text).unwrap());
    }

    #[test]
    fn document_parse_takes_the_split_path_for_large_texts_with_the_same_outcome() {
        let n = 1 + super::super::document::SPLIT_MIN_BYTES / entry(0).len();
        let text = format!("{HEAD}{}", (0..n).map(entry).collect::<String>());
        assert!(text.len() >= super::super::document::SPLIT_MIN_BYTES);
        assert!(parse(&text, 32 * 1024, 2).is_some(), "the cut is taken");
        let doc = Document::parse(&text).unwrap();
        assert_eq!(doc.entries.len(), n);
        assert_eq!(doc, Document::parse_whole(&text).unwrap());

        // A check failing after a split parse says what the whole parse says.
        let clash = text.replace("label = \"e7\"", "label = \"E1\"");
        let split = Document::parse(&clash).unwrap_err().to_string();
        assert_eq!(
            split,
            Document::parse_whole(&clash).unwrap_err().to_string()
        );
        assert!(split.contains("E1") || split.contains("e1"), "{split}");
    }

    #[test]
    fn no_entries_means_no_cut() {
        assert!(parse(HEAD, 1, 2).is_none());
    }
}
