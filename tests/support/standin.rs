//! A vault with one api-key entry (`asc`, the fixture key the stand-in
//! knows) and a stand-in App Store Connect on loopback to talk to; plus
//! talking to the stand-in directly, with a token of our own.

use std::time::Duration;

use asc_standin::Standin;

use super::{Cmd, Env};

/// The test's vault and server.
pub struct AscWorld {
    pub t: Env,
    pub server: Standin,
}

impl AscWorld {
    pub fn new() -> AscWorld {
        let t = Env::new();
        t.init().add_key("asc", "TESTKEY001");
        AscWorld {
            t,
            server: Standin::start(),
        }
    }

    /// A command aimed at the stand-in (both the API and the sign-in
    /// service), with millisecond retry delays.
    pub fn cmd(&self, args: &[&str]) -> Cmd {
        self.t
            .cmd(args)
            .env("ASCVAULT_API_BASE", self.server.url())
            .env("ASCVAULT_CONTENT_DELIVERY_BASE", self.server.url())
            .env("ASCVAULT_RETRY_BASE_MS", "5")
    }

    /// `ascvault metrics <args>` aimed at the stand-in.
    pub fn metrics(&self, args: &[&str]) -> Cmd {
        self.cmd(&["metrics"]).args(args)
    }

    /// Adds an app-specific password the stand-in's sign-in service accepts.
    #[track_caller]
    pub fn add_password_apple_accepts(&self, label: &str) -> &Self {
        self.t.add_password(
            label,
            asc_standin::TEST_APPLE_ID,
            asc_standin::VALID_APP_PASSWORD,
        );
        self
    }

    /// Adds an app-specific password the stand-in rejects as revoked.
    #[track_caller]
    pub fn add_password_apple_rejects(&self, label: &str) -> &Self {
        self.t.add_password(
            label,
            asc_standin::TEST_APPLE_ID,
            asc_standin::REVOKED_APP_PASSWORD,
        );
        self
    }

    /// How many requests the stand-in saw to paths starting with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.server.requests_to(prefix).len()
    }
}

/// A loopback port that was free a moment ago: nothing listens there.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A GET to the stand-in with a fresh token for the fixture key, outside
/// ascvault's client: status and body.
pub fn api_get(server: &Standin, path: &str, accept: &str) -> (u16, Vec<u8>) {
    let key = ascvault::asc::ApiKey::new(
        asc_standin::TEST_KEY_ID,
        Some(asc_standin::TEST_ISSUER_ID),
        &ascvault::vault::Secret::from(asc_standin::TEST_KEY_PEM),
    )
    .unwrap();
    let token = key.mint(Duration::from_secs(600));
    let resp = reqwest::blocking::Client::new()
        .get(format!("{}{path}", server.url()))
        .bearer_auth(token.jwt.expose())
        .header("accept", accept)
        .send()
        .unwrap();
    (resp.status().as_u16(), resp.bytes().unwrap().to_vec())
}
