//! What the App Store Connect commands share: choosing the api-key entry,
//! building the client (only these commands do), and notices on stderr.
//! Their options are in `args/asc.rs`; client errors become messages, hints
//! and exit codes 6 and 7 in `error.rs`.

use super::args::asc::NetArgs;
use super::context::Context;
use super::error::{CliError, CliResult, ExitStatus};
use super::output::{sanitize, say};
use crate::asc::client::Observer;
use crate::asc::{ApiKey, AscError, Client, Notice};
use crate::vault::{Document, Entry, Kind};

// The metrics commands still import it from here.
pub use super::args::asc::AscArgs;

/// Prints notices on stderr: requests, retries and the rate limit with
/// `--verbose`; a low rate limit always.
pub fn observer(verbose: bool) -> Observer {
    Box::new(move |n: &Notice| match n {
        Notice::LowRateLimit(rl) => say(&format!(
            "warning: only {} of {} App Store Connect requests left this hour",
            rl.remaining, rl.limit
        )),
        _ if !verbose => {}
        Notice::Done {
            request,
            status,
            elapsed,
        } => say(&format!(
            "ascvault: {} → {status} ({} ms)",
            sanitize(request),
            elapsed.as_millis()
        )),
        Notice::Retry {
            request,
            why,
            delay,
        } => say(&format!(
            "ascvault: {} failed ({}); retrying in {} ms",
            sanitize(request),
            sanitize(why),
            delay.as_millis()
        )),
        Notice::RateLimit(rl) => say(&format!(
            "ascvault: rate limit: {} of {} requests left this hour",
            rl.remaining, rl.limit
        )),
        Notice::Renewed => say("ascvault: token refused; signing a new one and trying once more"),
    })
}

/// The api-key entry to use: `--entry`, else the only active api-key
/// entry, else the default one (`ascvault default`).
pub fn select_entry<'d>(doc: &'d Document, entry: Option<&str>) -> CliResult<&'d Entry> {
    let e = match (entry, doc.default_api_key()) {
        (Some(label), _) => {
            let e = doc
                .usable(label)
                .map_err(|e| super::context::suggest(e, doc))?;
            if e.kind != Kind::ApiKey {
                return Err(CliError::usage(format!(
                    "entry {:?} is an {}, not an api-key",
                    sanitize(&e.label),
                    e.kind
                ))
                .hint("the App Store Connect API takes an API key (`ascvault add api-key`); app-specific passwords are for upload tools"));
            }
            e
        }
        // The default is an active api-key entry: with one active key,
        // that one.
        (None, Some(default)) => default,
        (None, None) => {
            let keys: Vec<_> = doc
                .entries
                .iter()
                .filter(|e| e.kind == Kind::ApiKey && !e.revoked)
                .collect();
            match keys.as_slice() {
                [one] => *one,
                [] => {
                    return Err(CliError::new("the vault holds no active api-key entry")
                        .code(ExitStatus::NoEntry)
                        .hint("add one with `ascvault add api-key LABEL --key-id … --issuer-id … --private-key AuthKey_….p8`"));
                }
                many => {
                    let mut labels: Vec<String> = many.iter().map(|e| sanitize(&e.label)).collect();
                    labels.sort();
                    return Err(CliError::usage(format!(
                        "several active api-key entries: {}",
                        labels.join(", ")
                    ))
                    .hint("choose one with --entry LABEL (or ASCVAULT_ENTRY), or make one the default with `ascvault default LABEL`"));
                }
            }
        }
    };
    Ok(e)
}

/// The signing key of an api-key entry. This is the one place where the
/// vault's schema meets the App Store Connect client.
pub fn api_key_of(e: &Entry) -> CliResult<ApiKey> {
    let (Some(key_id), Some(pem)) = (&e.key_id, &e.private_key) else {
        return Err(AscError::Key(format!(
            "entry {:?} lacks its key id or private key",
            sanitize(&e.label)
        ))
        .into());
    };
    Ok(ApiKey::new(key_id, e.issuer_id.as_deref(), pem)?)
}

/// A connection to App Store Connect for one command: the client, signed
/// with the selected api-key entry, and what the commands need to know of
/// that entry. Opening one is the only way the commands get a client.
pub struct AscSession {
    /// The client.
    pub client: Client,
    /// The entry's label, for messages.
    pub label: String,
    /// The entry's vendor number (sales and finance reports).
    pub vendor_number: Option<String>,
}

impl AscSession {
    /// Checks the base URL, opens the vault, picks the key, and builds the
    /// client; the vault is closed again before any request is made.
    pub fn open(ctx: &Context, args: &AscArgs) -> CliResult<AscSession> {
        // Check the base before asking for the passphrase.
        args.net.api_base.url()?;
        let (key, label, vendor_number) = {
            let doc = ctx.open()?.document;
            let e = select_entry(&doc, args.entry.as_deref())?;
            (api_key_of(e)?, e.label.clone(), e.vendor_number.clone())
        };
        ctx.verbose(format!(
            "using key {} at {}",
            sanitize(key.key_id()),
            sanitize(args.net.api_base.as_str())
        ));
        Ok(AscSession {
            client: connect(ctx, &args.net, key)?,
            label,
            vendor_number,
        })
    }
}

/// Builds a client for `key` (also `verify`, which checks every key).
pub fn connect(ctx: &Context, net: &NetArgs, key: ApiKey) -> CliResult<Client> {
    Client::new(
        net.api_base.as_str(),
        key,
        net.settings(),
        Some(observer(ctx.verbose)),
    )
    .map_err(CliError::from)
}
