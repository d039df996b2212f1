//! Apple's own bodies: the example responses from Apple's API reference and
//! bodies public clients recorded from the real service, in
//! `../shared/asc-real/` beside the checkout (CI always has it). They are
//! Apple's data and are never copied into the repository: a test that needs
//! one asks [`body`] and, when the folder is absent, prints `SKIPPED` and
//! returns early.

use std::path::PathBuf;

/// The folder, when present: `ASCVAULT_ASC_REAL`, else `../shared/asc-real`
/// relative to the workspace.
pub fn dir() -> Option<PathBuf> {
    let dir = std::env::var_os("ASCVAULT_ASC_REAL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/asc-real"));
    dir.is_dir().then_some(dir)
}

/// The bytes of `name` (say `diagnosticSignatures_appledoc.json` or
/// `recorded/error_403_codemagic.json`), or `None` after printing why the
/// calling test is skipped.
#[track_caller]
pub fn body(name: &str) -> Option<Vec<u8>> {
    let Some(dir) = dir() else {
        eprintln!(
            "SKIPPED ({}): ../shared/asc-real/ is not here; Apple's bodies are not copied into the repository",
            std::panic::Location::caller()
        );
        return None;
    };
    let path = dir.join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => panic!("{} is listed but unreadable: {e}", path.display()),
    }
}

/// [`body`] parsed as JSON.
#[track_caller]
pub fn json(name: &str) -> Option<serde_json::Value> {
    let bytes = body(name)?;
    Some(serde_json::from_slice(&bytes).expect("Apple's body is JSON"))
}
