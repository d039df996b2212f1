//! The three-way merge (`ascvault::vault::merge`): three plaintexts split at
//! NUL bytes, merged, and checked by `properties::merge` (no panic,
//! merge(X, X, X) = X, a refusal names a conflict, a result round-trips
//! canonically, revocation never moves backward).
#![no_main]

use libfuzzer_sys::fuzz_target;

mod properties;

fuzz_target!(|data: &[u8]| {
    properties::merge(data);
});
