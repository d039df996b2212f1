//! The one integration-test binary: each module covers an area, all share
//! the harness in `support`.

mod harness;
mod support;

// The vault file and its entries.
mod entries;
mod fixtures;
mod interop;
mod polish;
mod prompts;
mod transfer;

// App Store Connect.
mod archive;
mod asc;
mod metrics;
mod report;

// Git and hygiene.
mod check;
mod git;

// Fault injection, vectors, secrets.
mod faults;
mod fuzz_regressions;
mod hostile;
mod leaks;
mod readme;
mod real_bodies;
mod run;
mod team;
mod vectors;
