//! The one integration-test binary: each module covers an area, all share
//! the harness in `support`.

mod support;

mod entries;
mod fixtures;
mod interop;
mod prompts;

// --- App Store Connect (issue 3) ---
mod asc;
mod asc_shapes;

// --- Metrics (issue 4) ---
mod metrics;

// --- Git (issue 5) ---
mod git;

// --- Fault injection, vectors, secrets (issue 6) ---
mod faults;
mod fuzz_regressions;
mod leaks;
mod vectors;
