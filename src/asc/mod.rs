//! The App Store Connect side: an HTTP client with JWT authentication,
//! retries and paging ([`client`], signed with an [`ApiKey`]), Apple's JSON:API shapes
//! ([`model`]), and what ascvault does with them: apps ([`apps`]), customer
//! reviews and responses ([`reviews`]), checking credentials ([`verify`]) and
//! spotting inappropriate reviews ([`flag`]); metrics: analytics reports
//! ([`analytics`], fetched by [`download`]), sales and finance reports
//! ([`sales`]), power and performance metrics and diagnostics ([`perf`]) of
//! the builds [`builds`] lists.
//! Errors are [`AscError`]; ids go into paths only through [`path_id()`];
//! every retry waits as [`Backoff`] says.
//!
//! Nothing here reads the vault or prints: the CLI hands in an [`ApiKey`]
//! and shows the results. `spec/ASC.md` is the normative description.
//!
//! ```
//! use ascvault::asc::{ApiKey, Client, Settings, apps, reviews};
//! use ascvault::Secret;
//!
//! # let standin = asc_standin::Standin::start();
//! # let base = standin.url();
//! # let pem = Secret::from(asc_standin::TEST_KEY_PEM);
//! let key = ApiKey::new("TESTKEY001", Some("57246542-96fe-1a63-e053-0824d011072a"), &pem)?;
//! let client = Client::new(&base, key, Settings::default(), None)?;
//! let app = apps::resolve(&client, "com.example.pocketnotes")?;
//! let query = reviews::Query { ratings: vec![1], max: Some(5), ..Default::default() };
//! for review in reviews::list(&client, &app.id, &query)? {
//!     println!("{:?} {:?}", review.rating, review.title);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod analytics;
pub mod apps;
mod backoff;
pub mod builds;
pub mod client;
pub mod download;
mod error;
pub mod flag;
pub mod model;
mod path_id;
pub mod perf;
pub mod reviews;
pub mod sales;
pub mod summaries;
mod token;
mod transport;
pub mod verify;

pub use backoff::Backoff;
pub use client::{Client, Notice, RateLimit, Settings, Transport};
pub use error::{AscError, Associated, Details, Forbidden, refusal};
pub use path_id::path_id;
pub use token::{AUDIENCE, ApiKey, DEFAULT_LIFETIME, MAX_LIFETIME, Token};
