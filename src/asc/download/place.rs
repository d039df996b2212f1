//! Where a segment's file goes: only inside the folder meant for it, and
//! only a regular file found there counts as a complete segment.

use std::path::{Path, PathBuf};

use super::DownloadError;

/// Whether a previous run completed the segment at `dest`: only a regular
/// file counts. A symlink (wherever it points), a FIFO or a device is not
/// ours and is replaced by the download (the rename replaces the link
/// itself, never what it points to).
pub fn is_complete(dest: &Path) -> bool {
    std::fs::symlink_metadata(dest).is_ok_and(|m| m.file_type().is_file())
}

/// `dir/name`, when `name` is one plain file name (no separator, no `..`,
/// not hidden, not absolute), so the result is directly inside `dir`. File
/// names are built from what the server sent: this is the last check
/// before anything is written.
pub fn dest_in(dir: &Path, name: &str, segment: &str) -> Result<PathBuf, DownloadError> {
    let mut parts = Path::new(name).components();
    let single = matches!(
        (parts.next(), parts.next()),
        (Some(std::path::Component::Normal(n)), None) if n == std::ffi::OsStr::new(name)
    );
    if !single || name.starts_with('.') || name.contains(['/', '\\', ':']) {
        return Err(DownloadError::UnsafeName {
            segment: segment.to_owned(),
        });
    }
    let dest = dir.join(name);
    debug_assert_eq!(dest.parent(), Some(dir));
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_destination_is_a_plain_name_directly_inside_its_folder() {
        let dir = Path::new("out/report");
        assert_eq!(
            dest_in(dir, "2024-01-01_daily_s1.tsv", "s1").unwrap(),
            dir.join("2024-01-01_daily_s1.tsv")
        );
        for bad in [
            "../x.tsv", "/etc/x", "a/b.tsv", "a\\b.tsv", ".hidden", "..", ".", "", "c:x",
        ] {
            assert!(
                matches!(
                    dest_in(dir, bad, "s"),
                    Err(DownloadError::UnsafeName { .. })
                ),
                "{bad}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_a_regular_file_is_complete() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.tsv");
        std::fs::write(&file, "x").unwrap();
        let link = dir.path().join("b.tsv");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(is_complete(&file));
        assert!(!is_complete(&link), "a link to a regular file");
        assert!(!is_complete(dir.path()), "a folder");
        assert!(!is_complete(&dir.path().join("missing")));
    }
}
