//! The one integration-test binary: each module covers an area, all share
//! the harness in `support`.

mod support;

mod entries;

// --- App Store Connect (issue 3) ---

// --- Metrics (issue 4) ---

// --- Git (issue 5) ---

// --- Fault injection, vectors, secrets (issue 6) ---
mod faults;
mod fuzz_regressions;
mod leaks;
mod vectors;
