//! The README as a test: its console examples run against the built
//! binary and the in-process stand-in (`transcript`, on a pty as a reader
//! types them: `session`, `screen`, `parse`), its completion install lines
//! leave scripts the shells accept (`completions`), its `curl` lines reach
//! the stand-in's fault endpoints (`faults`), and the failures a
//! reader of it ran into get their own messages (`key_file`).

mod completions;
mod faults;
mod key_file;
mod parse;
mod screen;
mod session;
mod transcript;
