//! A vault with one api-key entry (`asc`, the fixture key the stand-in
//! knows) and a stand-in App Store Connect on loopback to talk to.

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
}
