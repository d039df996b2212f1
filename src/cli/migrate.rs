//! Moving credentials in and out: `import p8` (a folder of App Store
//! Connect keys) and `export --plaintext` (spec/MERGE.md §5).

use std::fs;
use std::io::Write;
use std::path::Path;

use zeroize::Zeroizing;

use super::args::git::{ExportArgs, ImportP8Args};
use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::{print, sanitize, say};
use crate::vault::{Entry, Kind, NewApiKey, Secret, VaultError, credential};

/// One key file found in the directory, validated.
struct Found {
    file: String,
    entry: Entry,
}

/// Reads and validates every `AuthKey_<KEYID>.p8` in the directory.
fn find_keys(args: &ImportP8Args) -> CliResult<Vec<Found>> {
    let dir = &args.dir;
    let listing = fs::read_dir(dir)
        .map_err(|e| CliError::new(format!("cannot read the directory {}: {e}", dir.display())))?;
    let mut names: Vec<String> = Vec::new();
    for item in listing {
        let item =
            item.map_err(|e| CliError::new(format!("cannot read {}: {e}", dir.display())))?;
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with("AuthKey_") && name.ends_with(".p8") && item.path().is_file() {
            names.push(name);
        }
    }
    names.sort();
    if names.is_empty() {
        return Err(
            CliError::new(format!("no AuthKey_<KEYID>.p8 files in {}", dir.display())).hint(
                "App Store Connect names downloaded keys AuthKey_<KEYID>.p8; keep those names",
            ),
        );
    }
    let mut found = Vec::new();
    for name in names {
        let bad = |why: String| {
            CliError::new(format!("{}: {why}", sanitize(&name)))
                .hint("nothing was imported; fix or move that file and run the import again")
        };
        let raw_id = &name["AuthKey_".len()..name.len() - ".p8".len()];
        let key_id = credential::normalize_key_id(raw_id).map_err(|e| bad(e.to_string()))?;
        let mut bytes = Zeroizing::new(Vec::new());
        bytes.extend(fs::read(dir.join(&name)).map_err(|e| bad(format!("cannot read it: {e}")))?);
        let text = std::str::from_utf8(&bytes).map_err(|_| bad("not a text file".into()))?;
        let entry = NewApiKey {
            label: format!("{}{key_id}", args.label_prefix),
            key_id,
            issuer_id: args.issuer_id.clone(),
            private_key: Secret::from(text),
            vendor_number: None,
            note: None,
        }
        .into_entry()
        .map_err(|e| bad(e.to_string()))?;
        found.push(Found { file: name, entry });
    }
    Ok(found)
}

/// Why a key is not added to this document, if it is not.
fn skip_reason(doc: &crate::vault::Document, entry: &Entry) -> Option<String> {
    if let Some(other) = doc
        .entries
        .iter()
        .find(|e| e.kind == Kind::ApiKey && e.key_id == entry.key_id)
    {
        return Some(format!("key id already in the vault as {:?}", other.label));
    }
    if doc.position(&entry.label).is_some() {
        return Some(format!("the label {:?} is taken", entry.label));
    }
    None
}

/// `import p8 DIR`
pub fn import_p8(ctx: &Context, args: &ImportP8Args) -> CliResult {
    if let Some(issuer) = &args.issuer_id {
        credential::normalize_issuer_id(issuer).map_err(VaultError::from)?;
    }
    let found = find_keys(args)?;
    let pass = ctx.key()?;
    // Look first, so a folder already imported causes no write at all.
    let current = ctx.vault.open(&pass)?.document;
    let any_new = found
        .iter()
        .any(|f| skip_reason(&current, &f.entry).is_none());
    let report = if any_new {
        ctx.vault.update(&pass, |doc| {
            let mut report = Vec::new();
            for f in found {
                let line = match skip_reason(doc, &f.entry) {
                    Some(why) => format!("skipped {}: {why}", f.file),
                    None => {
                        let label = f.entry.label.clone();
                        doc.add(f.entry)?;
                        format!("added   {} as {label:?}", f.file)
                    }
                };
                report.push(line);
            }
            Ok(report)
        })?
    } else {
        found
            .iter()
            .map(|f| {
                format!(
                    "skipped {}: {}",
                    f.file,
                    skip_reason(&current, &f.entry).unwrap_or_default()
                )
            })
            .collect()
    };
    let mut out = String::new();
    for line in report {
        out.push_str(&sanitize(&line));
        out.push('\n');
    }
    print(&out)
}

/// `export --plaintext --yes [--out FILE]`
pub fn export(ctx: &Context, args: &ExportArgs) -> CliResult {
    if !args.plaintext {
        return Err(
            CliError::usage("say --plaintext: the only export is the decrypted vault").hint(
                "ascvault export --plaintext --yes --out vault.toml (and delete it when done)",
            ),
        );
    }
    if !args.yes {
        return Err(
            CliError::usage("refusing to print every secret in the vault without --yes")
                .hint("add --yes, and write it with --out FILE (created readable by you only)"),
        );
    }
    // Refuse an existing file (or a missing folder) before the passphrase.
    if let Some(out) = &args.out {
        check_out(out)?;
    }
    let unlocked = ctx.open()?;
    let text = Zeroizing::new(unlocked.document.to_canonical());
    let Some(out) = &args.out else {
        say(
            "warning: the output holds every secret of the vault in plain text; do not commit it, delete it when done",
        );
        return print(&text);
    };
    write_new_private(out, text.as_bytes())?;
    say(&format!(
        "wrote {} (mode 0600): it holds every secret of the vault in plain text; do not commit it, delete it when done",
        out.display()
    ));
    Ok(())
}

/// `--out` names a file that is not there yet, in a folder that is.
fn check_out(out: &Path) -> CliResult {
    if fs::symlink_metadata(out).is_ok() {
        return Err(CliError::new(format!(
            "{} already exists; export never overwrites a file",
            out.display()
        ))
        .hint("choose a new file name, or delete that file first"));
    }
    let folder = crate::atomic::parent_dir(out);
    if !folder.is_dir() {
        return Err(
            CliError::new(format!("there is no folder {}", folder.display()))
                .hint("create the folder first, or choose another --out path"),
        );
    }
    Ok(())
}

/// Creates `path` (never an existing file, nor through a symlink: `create_new`
/// refuses both) with mode 0600 in the same call, and writes `bytes`. A
/// failed write removes the partial file.
fn write_new_private(path: &Path, bytes: &[u8]) -> CliResult {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::new(format!(
                "{} already exists; export never overwrites a file",
                path.display()
            ))
            .hint("choose a new file name, or delete that file first")
        } else {
            CliError::new(format!("cannot create {}: {e}", path.display()))
        }
    })?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(CliError::new(format!(
            "writing {}: {e} (the partial file was removed)",
            path.display()
        )));
    }
    Ok(())
}
