//! `asc-standin`: runs the stand-in App Store Connect on loopback so ascvault
//! can be tried without an Apple account (see the README).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use clap::Parser;

/// A stand-in App Store Connect on loopback, for trying ascvault.
#[derive(Parser)]
#[command(name = "asc-standin", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Print the test API key (.p8) on stdout, and how to use it on stderr.
    #[arg(long)]
    print_key: bool,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), args.port);
    let server = match asc_standin::Standin::start_on(addr) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let url = server.url();
    if args.print_key {
        print!("{}", asc_standin::TEST_KEY_PEM);
        // The server runs until killed: nothing else would flush stdout.
        let _ = std::io::Write::flush(&mut std::io::stdout());
    }
    eprintln!("asc-standin: serving App Store Connect and the sign-in service at {url}");
    eprintln!("  export ASCVAULT_API_BASE={url} ASCVAULT_CONTENT_DELIVERY_BASE={url}");
    eprintln!(
        "  api key: key id {}, issuer id {} (the .p8: --print-key)",
        asc_standin::TEST_KEY_ID,
        asc_standin::TEST_ISSUER_ID
    );
    eprintln!(
        "  app-specific password: {} / {} (valid), {} (revoked)",
        asc_standin::TEST_APPLE_ID,
        asc_standin::VALID_APP_PASSWORD,
        asc_standin::REVOKED_APP_PASSWORD
    );
    eprintln!(
        "  inject a fault: curl -X POST '{url}/_standin/fault?path=/v1/apps&status=500&times=1'"
    );
    eprintln!("  stop with Ctrl-C");
    loop {
        std::thread::park();
    }
}
