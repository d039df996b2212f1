//! What the App Store Connect commands share: the network options, choosing
//! the api-key entry, building the client (only these commands do), turning
//! client errors into messages, hints and exit codes 6 and 7, and notices on
//! stderr.

use std::time::Duration;

use clap::Args;

use super::context::Context;
use super::error::{CliError, CliResult, ExitStatus};
use super::output::{sanitize, say};
use crate::asc::apps::ResolveError;
use crate::asc::client::{DEFAULT_API_BASE, Observer};
use crate::asc::{ApiKey, AscError, Client, Notice, Settings};
use crate::vault::{Document, Entry, Kind};

/// Where App Store Connect is and how long to wait for it.
#[derive(Debug, Args, Clone)]
pub struct NetArgs {
    /// App Store Connect API base URL (http:// only for loopback).
    #[arg(long, env = "ASCVAULT_API_BASE", default_value = DEFAULT_API_BASE, value_name = "URL")]
    pub api_base: String,
    /// Seconds to wait for each request (fractions allowed).
    #[arg(long, default_value = "30", value_name = "SECS", value_parser = parse_secs)]
    pub timeout: Duration,
}

impl NetArgs {
    /// The client settings these options ask for, with the first retry's
    /// delay from `ASCVAULT_RETRY_BASE_MS` when it is a number of
    /// milliseconds (tests make it short; the library never reads the
    /// environment).
    pub fn settings(&self) -> Settings {
        let mut settings = Settings::with_timeout(self.timeout);
        if let Some(ms) = std::env::var("ASCVAULT_RETRY_BASE_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            settings.retry_base = Duration::from_millis(ms);
        }
        settings
    }
}

/// Options of every command that calls the API with a key.
#[derive(Debug, Args, Clone)]
pub struct AscArgs {
    /// Base URL and timeout.
    #[command(flatten)]
    pub net: NetArgs,
    /// The api-key entry to use; default: the only active one.
    #[arg(long, env = "ASCVAULT_ENTRY", value_name = "LABEL")]
    pub entry: Option<String>,
}

/// Parses `--timeout`: positive seconds, at most a day.
pub fn parse_secs(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err("must be more than 0 and at most 86400 seconds".into());
    }
    Ok(Duration::from_secs_f64(secs))
}

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

/// The api-key entry to use: `--entry`, else the only active api-key entry.
pub fn select_entry<'d>(doc: &'d Document, entry: Option<&str>) -> CliResult<&'d Entry> {
    let e = match entry {
        Some(label) => {
            let e = doc.usable(label)?;
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
        None => {
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
                    .hint("choose one with --entry LABEL (or ASCVAULT_ENTRY)"));
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
            e.label
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
        crate::asc::client::parse_base(&args.net.api_base)?;
        let (key, label, vendor_number) = {
            let doc = ctx.open()?.document;
            let e = select_entry(&doc, args.entry.as_deref())?;
            (api_key_of(e)?, e.label.clone(), e.vendor_number.clone())
        };
        ctx.verbose(format!(
            "using key {} at {}",
            key.key_id(),
            args.net.api_base
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
        &net.api_base,
        key,
        net.settings(),
        Some(observer(ctx.verbose)),
    )
    .map_err(CliError::from)
}

impl From<AscError> for CliError {
    fn from(err: AscError) -> Self {
        let message = err.to_string();
        let (code, hint): (ExitStatus, Option<&str>) = match &err {
            AscError::Refused { status, .. } => (
                ExitStatus::Refused,
                match status {
                    401 => Some(
                        "check the entry's key id and issuer id; the key may have been revoked in App Store Connect (Users and Access → Integrations)",
                    ),
                    403 => Some(
                        "the key's role lacks access to this; an Admin, App Manager or Customer Support key can work with reviews",
                    ),
                    404 => Some("check the id; `ascvault apps` lists the apps this key can see"),
                    429 => Some("the hourly request allowance is spent; wait and try again"),
                    s if *s >= 500 => Some("App Store Connect is failing; try again later"),
                    _ => None,
                },
            ),
            AscError::Network {
                timed_out: true, ..
            } => (
                ExitStatus::Network,
                Some("no answer within --timeout; raise it or try again later"),
            ),
            AscError::Network { .. } => (
                ExitStatus::Network,
                Some("check the network connection and --api-base (ASCVAULT_API_BASE)"),
            ),
            AscError::Decode { .. } => (
                ExitStatus::Failure,
                Some(
                    "App Store Connect sent an answer this version cannot read; try again, and report it if it persists",
                ),
            ),
            AscError::Key(_) => (
                ExitStatus::Failure,
                Some("add the key again from its AuthKey_<KEYID>.p8 file"),
            ),
            AscError::BadBase(_) | AscError::BadId(_) => (ExitStatus::Usage, None),
            // A server fault, like Decode: not the user's usage.
            AscError::BadLink(_) => (
                ExitStatus::Failure,
                Some(
                    "App Store Connect sent an answer this version cannot read; try again, and report it if it persists",
                ),
            ),
            // Exit 2 as before the split; no hint the user could act on.
            AscError::Setup(_) => (ExitStatus::Usage, None),
        };
        let mut e = CliError::new(message).code(code);
        if let Some(h) = hint {
            e = e.hint(h);
        }
        e
    }
}

impl From<ResolveError> for CliError {
    fn from(err: ResolveError) -> Self {
        match err {
            ResolveError::Asc(e) => e.into(),
            ResolveError::UnknownBundleId(_) => CliError::new(err.to_string())
                .hint("`ascvault apps` lists the apps this key can see, with their bundle ids"),
            ResolveError::Malformed(_) => CliError::usage(err.to_string())
                .hint("--app takes the numeric app id or the bundle id (com.example.app)"),
        }
    }
}
