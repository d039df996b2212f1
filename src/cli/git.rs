//! Git plumbing: runs the real `git` binary (no libgit2) to find the
//! repository, read attributes and config, and set the repository up for
//! the vault (`ascvault git setup`, spec/MERGE.md §3).

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::say;
use super::secrets::PASSPHRASE_ENV;
use crate::vault::hygiene::GitFacts;
use crate::vault::team::identity_file;
use crate::vault::{VaultError, check_member_name};

/// The file name of the archive beside a vault called `name`.
fn archive_name(name: &str) -> String {
    crate::archive::default_path(Path::new(name))
        .to_string_lossy()
        .into_owned()
}

/// The textconv command set by `git setup`.
const TEXTCONV: &str = "ascvault textconv";
/// The merge driver command set by `git setup`.
const DRIVER: &str = "ascvault merge %O %A %B %P";
/// The merge driver's human name.
const DRIVER_NAME: &str = "ascvault vault merge (by entry id)";

/// The hooks `git setup` installs: git writes the files it checks out with
/// the umask (often 0644); these put the vault back to 0600.
const HOOKS: [&str; 3] = ["post-checkout", "post-merge", "post-rewrite"];
/// The line that marks a hook as ours.
const HOOK_MARK: &str = "# ascvault: keeps the vault private (installed by `ascvault git setup`)";
/// The suffix a hook that was there before ours is renamed to; ours runs it.
const CHAINED: &str = ".pre-ascvault";

/// A repository and the vault's path inside it.
#[derive(Debug)]
struct Located {
    /// The work tree's top level.
    pub top: PathBuf,
    /// The vault's path from the top level, with `/` separators.
    pub rel: String,
}

/// `git -C dir`, without the vault passphrase in its environment: git
/// runs hooks, pagers and helpers that have no business seeing it.
fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .env_remove(PASSPHRASE_ENV)
        .stdin(Stdio::null());
    command
}

fn run(top: &Path, args: &[&str]) -> Option<Output> {
    git(top).args(args).output().ok()
}

fn stdout_line(out: &Output) -> Option<String> {
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8_lossy(&out.stdout);
    let s = s.trim_end_matches(['\n', '\r']);
    Some(s.to_owned())
}

/// Finds the repository holding `vault`. `Ok(None)` when the directory is
/// not in a git work tree; an error when git cannot be run at all.
fn locate(vault: &Path) -> CliResult<Option<Located>> {
    let parent = match vault.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let dir = fs::canonicalize(&parent).map_err(|e| {
        CliError::new(format!(
            "cannot find the directory {}: {e}",
            parent.display()
        ))
    })?;
    let out = git(&dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .map_err(|e| {
            CliError::new(format!("cannot run git: {e}"))
                .hint("install git and make sure it is on PATH")
        })?;
    let Some(top) = stdout_line(&out).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let top = fs::canonicalize(&top).unwrap_or_else(|_| PathBuf::from(top));
    let Ok(inside) = dir.strip_prefix(&top) else {
        return Ok(None);
    };
    let name = vault
        .file_name()
        .ok_or_else(|| CliError::new(format!("{} is not a file path", vault.display())))?;
    let rel_path = inside.join(name);
    let mut parts = Vec::new();
    for c in rel_path.components() {
        parts.push(
            c.as_os_str().to_str().ok_or_else(|| {
                CliError::new(format!("{} is not valid UTF-8", rel_path.display()))
            })?,
        );
    }
    Ok(Some(Located {
        top,
        rel: parts.join("/"),
    }))
}

/// The values of attributes for a path, in the order asked; `None` for
/// `unspecified`.
fn check_attr(top: &Path, rel: &str, attrs: &[&str]) -> Vec<Option<String>> {
    let mut args = vec!["check-attr", "-z"];
    args.extend_from_slice(attrs);
    args.push("--");
    args.push(rel);
    let Some(out) = run(top, &args).filter(|o| o.status.success()) else {
        return vec![None; attrs.len()];
    };
    // -z output: path NUL attribute NUL value NUL, repeated.
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.split('\0').collect();
    attrs
        .iter()
        .map(|attr| {
            fields
                .chunks(3)
                .find(|c| c.len() == 3 && c[1] == *attr)
                .map(|c| c[2].to_owned())
                .filter(|v| v != "unspecified")
        })
        .collect()
}

/// A config value as git sees it from this repository (all scopes).
fn config_get(top: &Path, key: &str) -> Option<String> {
    run(top, &["config", "--get", key]).and_then(|o| stdout_line(&o))
}

fn config_get_local(top: &Path, key: &str) -> Option<String> {
    run(top, &["config", "--local", "--get", key]).and_then(|o| stdout_line(&o))
}

/// Whether `diff.ascvault.cachetextconv` is on in any scope. A value git
/// cannot read as a boolean counts as on: better to remove it.
fn cachetextconv_on(top: &Path) -> bool {
    match run(
        top,
        &[
            "config",
            "--type=bool",
            "--get",
            "diff.ascvault.cachetextconv",
        ],
    ) {
        Some(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim() == "true",
        Some(o) => o.status.code() != Some(1),
        None => false,
    }
}

fn git_ok(top: &Path, args: &[&str]) -> CliResult {
    let out = run(top, args).ok_or_else(|| CliError::new("cannot run git"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(CliError::new(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// A textconv command that runs ascvault (perhaps by another path, or with
/// `--passphrase-file`) is the user's choice and is kept.
fn is_textconv(value: &str) -> bool {
    value.contains("ascvault") && value.trim_end().ends_with(" textconv")
}

/// Likewise for the merge driver: it must still pass the three files.
fn is_driver(value: &str) -> bool {
    value.contains("ascvault") && value.contains(" merge %O %A %B")
}

/// Where git keeps cached textconv output for the `ascvault` driver.
const CACHE_REF: &str = "refs/notes/textconv/ascvault";

fn cache_ref_exists(top: &Path) -> bool {
    run(top, &["rev-parse", "-q", "--verify", CACHE_REF]).is_some_and(|o| o.status.success())
}

/// A git config value (`git config --get KEY`) of the repository holding
/// `vault`; `None` outside a repository, when unset, or without git.
pub fn config_value(vault: &Path, key: &str) -> Option<String> {
    let dir = match vault.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let out = run(&dir, &["config", "--get", key])?;
    stdout_line(&out).filter(|s| !s.is_empty())
}

/// What git says about the vault, for `check`. `None` when git is missing
/// or the vault is not in a repository.
pub fn facts(vault: &Path) -> Option<GitFacts> {
    let located = locate(vault).ok()??;
    let top = &located.top;
    let tracked = run(top, &["ls-files", "--error-unmatch", "--", &located.rel])
        .is_some_and(|o| o.status.success());
    let attrs = check_attr(top, &located.rel, &["diff", "merge"]);
    Some(GitFacts {
        tracked,
        diff_attr: attrs[0].clone(),
        merge_attr: attrs[1].clone(),
        textconv: config_get(top, "diff.ascvault.textconv"),
        driver: config_get(top, "merge.ascvault.driver"),
        cachetextconv: cachetextconv_on(top),
        textconv_cache: cache_ref_exists(top),
    })
}

/// Refuses paths that cannot be written as a plain gitattributes pattern.
fn check_pattern(rel: &str) -> CliResult {
    let bad = rel
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "\"'\\*?[]!#".contains(*c));
    match bad {
        Some(c) => Err(CliError::new(format!(
            "the vault path {rel:?} contains {c:?}, which cannot be written safely in .gitattributes"
        ))
        .hint("rename the vault (letters, digits, `.`, `-`, `_`, `/`)")),
        None => Ok(()),
    }
}

/// Refuses to write through a symlink (or into anything but a regular
/// file): a link could point outside the repository, at a file another
/// user chose. Checked for every file `setup` may append to before it
/// changes anything.
fn check_plain_file(top: &Path, name: &str) -> CliResult {
    let path = top.join(name);
    let what = match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(CliError::new(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
        Ok(m) if m.file_type().is_symlink() => "a symbolic link",
        Ok(m) if !m.is_file() => "not a regular file",
        Ok(_) => return Ok(()),
    };
    Err(CliError::new(format!(
        "{} is {what}; git setup writes only to a regular file in the repository",
        path.display()
    ))
    .hint(format!(
        "nothing was changed; replace {name} with a regular file (or see where it points), then run `ascvault git setup` again"
    )))
}

/// Appends a line to a file, adding a newline first if the file lacks one.
/// The file is opened without following a symlink (see [`check_plain_file`]).
fn append_line(path: &Path, line: &str) -> CliResult {
    let write_error =
        |e: std::io::Error| CliError::new(format!("cannot write {}: {e}", path.display()));
    let mut options = OpenOptions::new();
    options.create(true).read(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits().cast_signed());
    }
    let mut file = options.open(path).map_err(write_error)?;
    let mut existing = Vec::new();
    file.read_to_end(&mut existing)
        .map_err(|e| CliError::new(format!("cannot read {}: {e}", path.display())))?;
    let mut text = String::new();
    if !existing.is_empty() && !existing.ends_with(b"\n") {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
    file.write_all(text.as_bytes()).map_err(write_error)
}

/// The hook line for one vault. Hooks run at the top of the work tree; the
/// path was checked by [`check_pattern`], so it quotes safely. A symlink is
/// left alone (chmod would follow it).
fn hook_line(rel: &str) -> String {
    format!("if [ -f '{rel}' ] && [ ! -L '{rel}' ]; then chmod 600 '{rel}' 2>/dev/null; fi")
}

/// The folder of a vault's member identity files, from the top of the
/// work tree (spec/FORMAT.md §10), with a trailing `/`.
fn identities_dir(rel: &str) -> String {
    match rel.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/.ascvault/identities/"),
        None => ".ascvault/identities/".to_owned(),
    }
}

/// The hook line for a vault's member identity files (team vaults): each
/// `*.age` there back to 0600, symlinks left alone.
fn identities_hook_line(rel: &str) -> String {
    let dir = identities_dir(rel);
    format!(
        "for f in '{dir}'*.age; do if [ -f \"$f\" ] && [ ! -L \"$f\" ]; then chmod 600 \"$f\" 2>/dev/null; fi; done"
    )
}

/// Every line our hook needs for one vault.
fn hook_lines(rel: &str) -> [String; 2] {
    [hook_line(rel), identities_hook_line(rel)]
}

/// Our hook: no ascvault, no passphrase, and never a failed git command
/// because of it; a hook that was there before runs after it, with the same
/// arguments and stdin, and its status is the hook's.
fn hook_script(rel: &str) -> String {
    format!(
        "#!/bin/sh\n{HOOK_MARK}\n# git writes checked-out files with the umask: put the vault (and its member identity files) back to 0600.\n{}\n\
         if [ -x \"$0{CHAINED}\" ]; then exec \"$0{CHAINED}\" \"$@\"; fi\nexit 0\n",
        hook_lines(rel).join("\n")
    )
}

/// Writes a new hook file, executable, never through an existing file.
fn create_hook(path: &Path, text: &str) -> CliResult {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o755);
    }
    options
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| CliError::new(format!("cannot write {}: {e}", path.display())))
}

/// Installs the 0600 hooks in the hooks directory git uses (which honours
/// `core.hooksPath`), chaining any hook already there.
fn install_hooks(top: &Path, rel: &str, changes: &mut Vec<String>) -> CliResult {
    let dir = run(top, &["rev-parse", "--git-path", "hooks"])
        .and_then(|o| stdout_line(&o))
        .filter(|d| !d.is_empty())
        .ok_or_else(|| CliError::new("cannot find the git hooks directory"))?;
    let dir = top.join(dir);
    fs::create_dir_all(&dir)
        .map_err(|e| CliError::new(format!("cannot create {}: {e}", dir.display())))?;
    let lines = hook_lines(rel);
    for name in HOOKS {
        let path = dir.join(name);
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                create_hook(&path, &hook_script(rel))?;
                changes.push(format!("installed the {name} hook (keeps {rel} at 0600)"));
            }
            Err(e) => {
                return Err(CliError::new(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
            Ok(_) => {
                let existing = fs::read_to_string(&path).unwrap_or_default();
                if existing.lines().any(|l| l == HOOK_MARK) {
                    let missing: Vec<&str> = lines
                        .iter()
                        .map(String::as_str)
                        .filter(|line| !existing.lines().any(|l| l == *line))
                        .collect();
                    if missing.is_empty() {
                        continue;
                    }
                    // Ours, for another vault of this repository (or from
                    // before identity files).
                    let text = existing.replacen(
                        HOOK_MARK,
                        &format!("{HOOK_MARK}\n{}", missing.join("\n")),
                        1,
                    );
                    fs::write(&path, text).map_err(|e| {
                        CliError::new(format!("cannot write {}: {e}", path.display()))
                    })?;
                    changes.push(format!(
                        "the {name} hook also keeps {rel} (and its identity files) at 0600"
                    ));
                    continue;
                }
                let chained = dir.join(format!("{name}{CHAINED}"));
                if fs::symlink_metadata(&chained).is_ok() {
                    return Err(CliError::new(format!(
                        "{} exists and is not ascvault's hook, and {} is taken",
                        path.display(),
                        chained.display()
                    ))
                    .hint(format!(
                        "the {name} hook was left alone; add `{}` to it yourself",
                        lines.join("; ")
                    )));
                }
                fs::rename(&path, &chained)
                    .map_err(|e| CliError::new(format!("cannot rename {}: {e}", path.display())))?;
                create_hook(&path, &hook_script(rel))?;
                changes.push(format!(
                    "installed the {name} hook; the one that was there runs after it, as {name}{CHAINED}"
                ));
            }
        }
    }
    Ok(())
}

/// A team vault's member identity files (`.ascvault/identities/*.age`)
/// must be committed, and private in the work tree: a clone checks them out
/// with the umask before the hooks exist, so `setup` puts them back to
/// 0600 now; and warns when an ignore rule would keep them out of git.
fn identity_files(top: &Path, rel: &str, changes: &mut Vec<String>) {
    let dir = identities_dir(rel);
    let Ok(list) = fs::read_dir(top.join(&dir)) else {
        return;
    };
    let mut fixed = 0;
    for item in list.flatten() {
        let path = item.path();
        let is_identity = path.extension().is_some_and(|e| e == "age")
            && item.file_type().is_ok_and(|t| t.is_file());
        if is_identity && make_private(&path) {
            fixed += 1;
        }
    }
    if fixed > 0 {
        changes.push(format!(
            "made {fixed} identity file{} in {dir} private (0600)",
            if fixed == 1 { "" } else { "s" }
        ));
    }
    let sample = format!("{dir}member.age");
    let ignored = run(top, &["check-ignore", "-q", "--no-index", "--", &sample])
        .is_some_and(|o| o.status.success());
    if ignored {
        say(&format!(
            "warning: {dir}*.age is ignored by git, but member identity files must be committed \
             (they are encrypted with each member's passphrase): remove the ignore rule or `git add -f` them"
        ));
    }
}

/// Sets a file's mode to 0600 when it is not; whether it changed it.
#[cfg(unix)]
fn make_private(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    match fs::metadata(path) {
        Ok(m) if m.permissions().mode() & 0o777 != 0o600 => {
            fs::set_permissions(path, fs::Permissions::from_mode(0o600)).is_ok()
        }
        _ => false,
    }
}

#[cfg(not(unix))]
fn make_private(_path: &Path) -> bool {
    false
}

/// `git setup --member NAME`: this clone opens the team vault as NAME
/// (git config `ascvault.member`, read by every command, textconv and the
/// merge driver). The member's identity file must be beside the vault.
fn set_member(
    ctx: &Context,
    top: &Path,
    rel: &str,
    name: &str,
    changes: &mut Vec<String>,
) -> CliResult {
    check_member_name(name).map_err(VaultError::from)?;
    let path = identity_file::path_for(ctx.vault.path(), name);
    if !path.is_file() {
        let present = identity_file::present(ctx.vault.path());
        return Err(CliError::new(format!(
            "member {name:?} has no identity file at {}",
            path.display()
        ))
        .hint(if present.is_empty() {
            format!(
                "create it with `ascvault identity new {name}` and have a member add you \
                 (`ascvault member add {name} --identity-file {}{name}.age`)",
                identities_dir(rel)
            )
        } else {
            format!("identity files beside the vault: {}", present.join(", "))
        }));
    }
    if config_get_local(top, "ascvault.member").as_deref() != Some(name) {
        git_ok(top, &["config", "--local", "ascvault.member", name])?;
        changes.push(format!("set ascvault.member = {name}"));
    }
    Ok(())
}

pub fn setup(ctx: &Context) -> CliResult {
    let located = locate(ctx.vault.path())?.ok_or_else(|| {
        CliError::new(format!(
            "{} is not inside a git work tree",
            ctx.vault.path().display()
        ))
        .hint("run it in the repository that holds the vault (or `git init` one first)")
    })?;
    let top = &located.top;
    let rel = &located.rel;
    check_pattern(rel)?;
    for name in [".gitattributes", ".gitignore"] {
        check_plain_file(top, name)?;
    }
    let mut changes: Vec<String> = Vec::new();
    // The member first: a name without an identity file changes nothing.
    if let Some(name) = &ctx.member {
        set_member(ctx, top, rel, name, &mut changes)?;
    }

    let wanted = Some("ascvault".to_owned());
    if check_attr(top, rel, &["diff", "merge"]) != [wanted.clone(), wanted.clone()] {
        let line = format!("/{rel} diff=ascvault merge=ascvault");
        append_line(&top.join(".gitattributes"), &line)?;
        changes.push(format!("added `{line}` to .gitattributes"));
        if check_attr(top, rel, &["diff", "merge"]) != [wanted.clone(), wanted] {
            say(&format!(
                "warning: another attributes file still overrides diff/merge for {rel}; \
                 `git check-attr diff merge -- {rel}` shows the values in effect"
            ));
        }
    }

    for (key, value, keep) in [
        (
            "diff.ascvault.textconv",
            TEXTCONV,
            is_textconv as fn(&str) -> bool,
        ),
        ("merge.ascvault.name", DRIVER_NAME, |v: &str| !v.is_empty()),
        ("merge.ascvault.driver", DRIVER, is_driver),
    ] {
        if !config_get_local(top, key).is_some_and(|v| keep(&v)) {
            git_ok(top, &["config", "--local", "--replace-all", key, value])?;
            changes.push(format!("set {key} = {value}"));
        }
    }

    // Never cache textconv output: git would keep the rendering in
    // refs/notes/textconv, outside the encrypted file.
    if cachetextconv_on(top) {
        if config_get_local(top, "diff.ascvault.cachetextconv").is_some() {
            git_ok(
                top,
                &[
                    "config",
                    "--local",
                    "--unset-all",
                    "diff.ascvault.cachetextconv",
                ],
            )?;
            changes.push("removed diff.ascvault.cachetextconv".into());
        }
        if cachetextconv_on(top) {
            git_ok(
                top,
                &["config", "--local", "diff.ascvault.cachetextconv", "false"],
            )?;
            changes.push("set diff.ascvault.cachetextconv = false (it was on globally)".into());
        }
    }

    // A cache left by an earlier cachetextconv holds renderings of every
    // version of the vault: drop it (git rebuilds nothing, textconv is cheap
    // to rerun).
    if cache_ref_exists(top) {
        git_ok(top, &["update-ref", "-d", CACHE_REF])?;
        changes.push(format!("deleted the textconv cache {CACHE_REF}"));
    }

    // The lock file, and the temp files a killed writer may leave (the next
    // write sweeps them; until then `git add -A` must not pick them up).
    let (dir, name) = match rel.rsplit_once('/') {
        Some((dir, name)) => (format!("{dir}/"), name),
        None => (String::new(), rel.as_str()),
    };
    let ignores = [
        (format!("{rel}.lock"), format!("/{rel}.lock")),
        (
            format!("{dir}.{name}.a1b2c3.tmp"),
            format!("/{dir}.{name}.*.tmp"),
        ),
        // The archive `sync` keeps beside the vault (business data, not
        // for the repository), its lock and SQLite's -wal/-shm files.
        (
            format!("{dir}{}-wal", archive_name(name)),
            format!("/{dir}{}*", archive_name(name)),
        ),
    ];
    for (sample, line) in ignores {
        let ignored = run(top, &["check-ignore", "-q", "--no-index", "--", &sample])
            .is_some_and(|o| o.status.success());
        if !ignored {
            append_line(&top.join(".gitignore"), &line)?;
            changes.push(format!("added `{line}` to .gitignore"));
        }
    }

    install_hooks(top, rel, &mut changes)?;
    identity_files(top, rel, &mut changes);

    if changes.is_empty() {
        say(&format!("{rel}: already set up, nothing changed"));
    } else {
        for c in &changes {
            say(&format!("ascvault: {c}"));
        }
        say(
            "commit .gitattributes and .gitignore; run `ascvault git setup` on every clone (git config is not shared)",
        );
    }
    Ok(())
}
