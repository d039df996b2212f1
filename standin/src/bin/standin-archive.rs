//! The stand-in with N extra reviews of Pocket Notes Pro, for
//! `bench/archive.sh`: `standin-archive N [PORT]` prints the base URL and
//! serves until killed.

use std::net::SocketAddr;

use asc_standin::{Standin, seed};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(n) = args.get(1).and_then(|n| n.parse::<usize>().ok()) else {
        eprintln!("usage: standin-archive N [PORT]");
        std::process::exit(2);
    };
    let port: u16 = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(0);
    let server =
        Standin::start_on(SocketAddr::from(([127, 0, 0, 1], port))).expect("start the stand-in");
    {
        let (reviews, responses) = seed::bulk_reviews(seed::PRO_APP_ID, n);
        let mut data = server.shared().data.lock().expect("stand-in data");
        data.reviews.extend(reviews);
        for r in responses {
            data.responses.insert(r.review_id.clone(), r);
        }
    }
    eprintln!("{n} reviews of Pocket Notes Pro ({})", seed::PRO_APP_ID);
    println!("{}", server.url());
    loop {
        std::thread::park();
    }
}
