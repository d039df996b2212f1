//! Issue 13 §4 and §6: messages a new user tripped over (`init` on a
//! directory or in a missing folder, the lock file in a git work tree),
//! `export --out`, and a man page per subcommand.

mod export_out;
mod init_messages;
mod man;
