//! Serves a decompression bomb as every sales and finance report, for the
//! memory benchmark of `metrics sales` (`bench/bomb.sh`):
//!
//! ```text
//! cargo run --release --example bomb_standin -- KIND COMPRESSED_BYTES
//! ```
//!
//! KIND is `zeros` (one line of NUL bytes that never ends: the bomb of
//! issue 11) or `rows` (a header, then one well-formed sales row over and
//! over). The stand-in App Store Connect starts on loopback with the bomb
//! queued as a [`Fault::Answer`] for `/v1/salesReports` and
//! `/v1/financeReports`; its URL goes to stdout, the bomb's sizes to
//! stderr, and it serves until killed.

use std::io::Write;
use std::process::ExitCode;

use asc_standin::{Fault, Standin};
use flate2::Compression;
use flate2::write::GzEncoder;

const HEADER: &str =
    "Title\tUnits\tDeveloper Proceeds\tCountry Code\tCurrency of Proceeds\tApple Identifier\n";
const ROW: &str = "Bomb\t1\t0.70\tUS\tUSD\t1\n";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(kind), Some(target)) = (
        args.first().map(String::as_str),
        args.get(1).and_then(|s| s.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: bomb_standin zeros|rows COMPRESSED_BYTES");
        return ExitCode::from(2);
    };
    let (head, unit) = match kind {
        "zeros" => ("", "\0".repeat(1 << 16)),
        "rows" => (HEADER, ROW.repeat((1 << 16) / ROW.len())),
        _ => {
            eprintln!("KIND is zeros or rows");
            return ExitCode::from(2);
        }
    };
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    let mut plain = head.len() as u64;
    if gz.write_all(head.as_bytes()).is_err() {
        return ExitCode::FAILURE;
    }
    // Compress until the compressed size reaches the target.
    while (gz.get_ref().len() as u64) < target {
        if gz.write_all(unit.as_bytes()).is_err() {
            return ExitCode::FAILURE;
        }
        plain += unit.len() as u64;
    }
    let Ok(bomb) = gz.finish() else {
        return ExitCode::FAILURE;
    };
    eprintln!(
        "bomb_standin: {kind}: {} bytes compressed, {plain} bytes decompressed",
        bomb.len()
    );
    let server = Standin::start();
    for path in ["/v1/salesReports", "/v1/financeReports"] {
        server.fault(
            path,
            Fault::Answer {
                status: 200,
                headers: vec![("content-type".into(), "application/a-gzip".into())],
                body: bomb.clone(),
            },
            u32::MAX,
        );
    }
    println!("{}", server.url());
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}
