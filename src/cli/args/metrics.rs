//! Placeholder for the arguments of `metrics`: the metrics split moves every
//! metrics clap type into this file. Until then they live in the command
//! module, and this file only names the top one for [`super::Command`].
// At merge: take the metrics split's version of this file.

pub use crate::cli::metrics::MetricsArgs;
