//! `asc-standin`: runs the stand-in App Store Connect on loopback so ascvault
//! can be tried without an Apple account (see the README).

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

/// A stand-in App Store Connect on loopback, for trying ascvault.
#[derive(Parser)]
#[command(name = "asc-standin", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Write the test API key (.p8) to FILE, readable by its owner only.
    /// An existing FILE is left alone: kept if it already holds the test
    /// key, refused otherwise.
    #[arg(long, value_name = "FILE")]
    write_key: Option<PathBuf>,
    /// Print the test API key (.p8) on stdout, and how to use it on stderr.
    #[arg(long)]
    print_key: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(path) = &args.write_key {
        match write_key(path) {
            Ok(note) => eprintln!("asc-standin: {note}"),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(1);
            }
        }
    }
    let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), args.port);
    let server = match asc_standin::Standin::start_on(addr) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            return ExitCode::from(1);
        }
    };
    let url = server.url();
    if args.print_key {
        print!("{}", asc_standin::TEST_KEY_PEM);
        // The server runs until killed: nothing else would flush stdout.
        let _ = std::io::stdout().flush();
    }
    eprintln!("asc-standin: serving App Store Connect and the sign-in service at {url}");
    eprintln!("  export ASCVAULT_API_BASE={url} ASCVAULT_CONTENT_DELIVERY_BASE={url}");
    eprintln!(
        "  api key: key id {}, issuer id {} (the .p8: --write-key FILE)",
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

/// Writes the test key to `path` as a new file (0600 on Unix), or keeps a
/// file already holding it; says what it did. Never overwrites: a shell
/// redirect (`> FILE`) truncates the file even when the command then fails,
/// which is why this option exists.
fn write_key(path: &Path) -> Result<String, String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(asc_standin::TEST_KEY_PEM.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(format!("wrote the test API key to {}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match std::fs::read(path) {
            Ok(bytes) if bytes == asc_standin::TEST_KEY_PEM.as_bytes() => {
                Ok(format!("{} already holds the test API key", path.display()))
            }
            _ => Err(format!(
                "{} exists and is not the test API key; not overwritten (remove it, or name another file)",
                path.display()
            )),
        },
        Err(e) => Err(format!("cannot create {}: {e}", path.display())),
    }
}
