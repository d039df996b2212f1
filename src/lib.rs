//! ascvault keeps Apple credentials — app-specific passwords and App Store
//! Connect API keys — in one portable, age-encrypted vault file, and unlocks
//! it to work with App Store Connect.
//!
//! The file is a standard age v1 file with one scrypt (passphrase) recipient;
//! its plaintext is a canonical TOML document described in `spec/FORMAT.md`.
//! `age -d` recovers any vault without this crate.
//!
//! ```
//! use ascvault::vault::{Container, NewPassword, Secret, Vault};
//!
//! # let dir = tempfile::tempdir().unwrap();
//! let vault = Vault::new(dir.path().join("ascvault.age"));
//! let pass = Secret::from("correct horse battery staple");
//! // Work factor 10 keeps the example fast; the product default is 18.
//! vault.create(&pass, Container { armored: true, work_factor: 10 }).unwrap();
//! vault
//!     .update(&pass, |doc| {
//!         let entry = NewPassword {
//!             label: "fastlane".into(),
//!             apple_id: "dev@example.com".into(),
//!             password: Secret::from("abcd efgh ijkl mnop"),
//!             note: None,
//!             skip_format_check: false,
//!         }
//!         .into_entry()?;
//!         doc.add(entry)?;
//!         Ok(())
//!     })
//!     .unwrap();
//! let doc = vault.open(&pass).unwrap().document;
//! assert_eq!(doc.get("fastlane").unwrap().secret().unwrap().expose(), "abcd-efgh-ijkl-mnop");
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod asc;
mod atomic;
mod cli;
mod secret;
pub mod vault;

pub use cli::{main, main_with_args};
pub use secret::Secret;
