//! The stand-in with one large generated analytics report, for
//! `bench/metrics.sh`: `standin-bench DIR MIB SEGMENTS [PORT]` writes the
//! compressed segments into DIR, prints the base URL, and serves until killed.

use std::net::SocketAddr;
use std::sync::Arc;

use asc_standin::{MetricsState, Standin};

/// The generated report's name.
const NAME: &str = "Benchmark Report";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: standin-bench DIR MIB SEGMENTS [PORT]");
        std::process::exit(2);
    }
    let dir = std::path::PathBuf::from(&args[1]);
    let mib: u64 = args[2].parse().expect("MIB is a number");
    let segments: usize = args[3].parse().expect("SEGMENTS is a number");
    let port: u16 = args.get(4).and_then(|p| p.parse().ok()).unwrap_or(0);
    let state = Arc::new(MetricsState::new());
    let compressed = state
        .add_generated_report(NAME, mib << 20, segments, &dir)
        .expect("generate the report");
    let server = Standin::start_with(SocketAddr::from(([127, 0, 0, 1], port)), state)
        .expect("start the stand-in");
    eprintln!("generated {mib} MiB in {segments} segments, {compressed} bytes compressed");
    println!("{}", server.url());
    loop {
        std::thread::park();
    }
}
