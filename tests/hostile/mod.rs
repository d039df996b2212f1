//! Hostile input (issue 11): a server, a reviewer, a teammate or another
//! local user sends what it likes; each test here is one attack that must
//! stay contained. The server side uses the stand-in's
//! [`Fault::Answer`](asc_standin::Fault::Answer) and
//! [`Fault::Drip`](asc_standin::Fault::Drip) to answer as an attacker would.
//! The collaborator side (merges, rollback) lives in `git/`.

mod client;
mod downloads;
mod local;
mod terminal;
