//! Apple's own bodies (`../shared/asc-real/`, see `support::real`) served
//! through the stand-in's front door, and what ascvault makes of them: the
//! numbers it prints and the rows it emits. One module per area.

mod analytics;
mod errors;
mod metrics;
mod resources;
