//! Living in git, with real git in a sandbox (`support::git`): the merge
//! driver between two clones, diffs through textconv, and `git setup`.

mod conflict_markers;
mod driver_prompt;
mod fingerprint;
mod hooks;
mod merge_driver;
mod revocation;
mod setup;
mod team;
mod textconv;
mod weak_vault;
