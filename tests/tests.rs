//! The one integration-test binary: each module covers an area, all share
//! the harness in `support`.

mod support;

mod entries;
