//! The App Store Connect side: an HTTP client with JWT authentication,
//! retries and paging ([`client`], [`token`]), Apple's JSON:API shapes
//! ([`model`]), and what ascvault does with them: apps ([`apps`]), customer
//! reviews and responses ([`reviews`]), checking credentials ([`verify`]) and
//! spotting inappropriate reviews ([`flag`]). Errors are [`AscError`].
//!
//! Nothing here reads the vault or prints: the CLI hands in an [`ApiKey`]
//! and shows the results.

pub mod apps;
pub mod client;
mod error;
pub mod flag;
pub mod model;
pub mod reviews;
pub mod token;
pub mod verify;

pub use client::{Client, Notice, RateLimit, Settings, Transport};
pub use error::{AscError, refusal};
pub use token::{ApiKey, Token};
