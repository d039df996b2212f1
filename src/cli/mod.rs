//! The command-line interface: argument parsing ([`args`]), one module per
//! command family, passphrase sources and prompts ([`source`], [`secrets`]),
//! output ([`output`], [`sanitize`]) and the mapping of errors to messages and
//! exit codes ([`error`]). `main.rs` only calls [`main`].

mod args;
mod context;
mod entries;
mod error;
mod man;
mod output;
mod run;
mod sanitize;
mod secrets;
mod source;
mod team;

// App Store Connect
mod apps;
mod asc;
mod report;
mod reviews;
mod sync;
mod verify;

// Metrics
mod metrics;

// Git and migration
mod git;
mod gitflow;
mod migrate;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use args::entries::AddCommand;
use args::git::{GitCommand, ImportCommand};
use args::team::{IdentityCommand, MemberCommand};
use args::{Cli, Command};
use context::Context;
use error::{CliError, CliResult, ExitStatus};

/// Parses the process arguments, runs the command, and returns the exit code.
pub fn main() -> ExitCode {
    harden_process();
    main_with_args(std::env::args_os())
}

/// Like [`main`], with explicit arguments (for in-process callers).
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitStatus::Usage.into()
            } else {
                ExitStatus::Success.into()
            };
        }
    };
    let ctx = Context::new(&cli.global);
    match dispatch(&ctx, &cli.command) {
        Ok(status) => status.into(),
        Err(err) => report(&err),
    }
}

/// Prints an error as `error: …` and `hint: …` lines; returns its exit code.
/// A declined confirmation is a plain line: nothing went wrong.
fn report(err: &CliError) -> ExitCode {
    if err.declined {
        output::say(&output::sanitize(&err.message));
        return err.code.into();
    }
    output::say(&format!("error: {}", output::sanitize(&err.message)));
    if let Some(hint) = &err.hint {
        output::say(&format!("hint: {}", output::sanitize(hint)));
    }
    err.code.into()
}

fn dispatch(ctx: &Context, command: &Command) -> CliResult<ExitStatus> {
    match command {
        Command::Init(a) if a.team => team::init_team(ctx, a),
        Command::Init(a) => entries::init(ctx, a),
        Command::Identity(IdentityCommand::New(a)) => team::identity_new(ctx, a),
        Command::Identity(IdentityCommand::Passwd(a)) => team::identity_passwd(ctx, a),
        Command::Member(MemberCommand::Add(a)) => team::member_add(ctx, a),
        Command::Member(MemberCommand::List(a)) => team::member_list(ctx, a),
        Command::Member(MemberCommand::Remove(a)) => team::member_remove(ctx, a),
        Command::Convert(a) => team::convert(ctx, a),
        Command::Add(AddCommand::Password(a)) => entries::add_password(ctx, a),
        Command::Add(AddCommand::ApiKey(a)) => entries::add_api_key(ctx, a),
        Command::List(a) => entries::list(ctx, a),
        Command::Show(a) => entries::show(ctx, a),
        Command::Revoke(a) => entries::revoke(ctx, a),
        Command::Remove(a) => entries::remove(ctx, a),
        Command::Relabel(a) => entries::relabel(ctx, a),
        Command::Note(a) => entries::note(ctx, a),
        Command::Edit(a) => entries::edit(ctx, a),
        Command::Default(a) => entries::default(ctx, a),
        Command::Passwd(a) => entries::passwd(ctx, a),
        Command::Run(a) => return run::run(ctx, a),
        Command::Completions(a) => man::completions(a.shell),
        Command::Man(a) => man::run(a),
        Command::Apps(a) => apps::run(ctx, a),
        Command::Reviews(c) => reviews::run(ctx, c),
        Command::Verify(a) => verify::run(ctx, a),
        Command::Metrics(a) => metrics::run(ctx, a),
        Command::Git(GitCommand::Setup) => git::setup(ctx),
        Command::Textconv(a) => gitflow::textconv(ctx, a),
        Command::Merge(a) => gitflow::merge(ctx, a),
        Command::Check(a) => return gitflow::check(ctx, a),
        Command::Import(ImportCommand::P8(a)) => migrate::import_p8(ctx, a),
        Command::Export(a) => migrate::export(ctx, a),
        Command::Sync(a) => sync::run(ctx, a),
        Command::Report(a) => report::run(ctx, a),
    }
    .map(|()| ExitStatus::Success)
}

/// Keeps secrets out of core dumps: no core files, and on Linux the process
/// is marked non-dumpable (which also stops other same-user processes from
/// attaching a debugger). Best effort: failures are ignored.
///
/// macOS needs no counterpart to the Linux call: `RLIMIT_CORE` covers core
/// files there too, and attaching to another process already takes root or
/// the debugger entitlement (`task_for_pid`). `ptrace(PT_DENY_ATTACH)` would
/// add little and needs `unsafe`, which this crate forbids.
fn harden_process() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        let _ = setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        );
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let _ =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
    }
}
