//! The analytics data the stand-in starts with (two reports of Pocket
//! Notes, several instances and segments), and large generated reports for
//! the benchmark, written compressed to files and streamed from disk so the
//! stand-in can serve gigabytes without holding them in memory.

use std::io::{self, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use md5::{Digest, Md5};

use super::state::{Content, MetricsState};
use super::{
    APP_ID, CRASHES_HEADER_CSV, CRASHES_REPORT, DOWNLOADS_HEADER, DOWNLOADS_REPORT, SESSIONS_REPORT,
};

impl MetricsState {
    /// Adds the seeded request and its reports.
    pub(super) fn seed(&self) {
        let request = self.add_request(APP_ID, "ONGOING");
        let day = |date: &str, n: usize, salt: u64| -> Vec<u8> {
            let mut t = String::from(DOWNLOADS_HEADER);
            t.push('\n');
            let territories = ["US", "GB", "DE", "FR", "JP"];
            for i in 0..n {
                t.push_str(&format!(
                    "{date}\tPocket Notes\t{APP_ID}\tFirst-time download\t2.3\tiPhone\tiOS 17\tApp Store search\t{}\t{}\n",
                    territories[i % territories.len()],
                    10 + (i as u64 * 7 + salt) % 50
                ));
            }
            t.into_bytes()
        };
        let inst = vec![
            (
                "DAILY",
                "2026-11-20",
                vec![day("2026-11-20", 5, 1), day("2026-11-20", 3, 2)],
            ),
            ("DAILY", "2026-11-21", vec![day("2026-11-21", 4, 3)]),
            ("WEEKLY", "2026-11-16", vec![day("2026-11-16", 6, 4)]),
            ("DAILY", "2026-10-01", vec![day("2026-10-01", 2, 5)]),
        ];
        self.add_report(&request, DOWNLOADS_REPORT, "COMMERCE", inst);
        let sessions = {
            let mut t = String::from("Date\tApp Name\tApp Apple Identifier\tDevice\tSessions\n");
            for (i, d) in ["2026-11-19", "2026-11-20", "2026-11-21"]
                .iter()
                .enumerate()
            {
                t.push_str(&format!(
                    "{d}\tPocket Notes\t{APP_ID}\tiPhone\t{}\n",
                    100 + i * 17
                ));
            }
            t.into_bytes()
        };
        self.add_report(
            &request,
            SESSIONS_REPORT,
            "APP_USAGE",
            vec![("DAILY", "2026-11-21", vec![sessions])],
        );
        // Comma-separated, as Apple's "App Crashes Expanded" is, with every
        // cell quoted and empty ones written `""`.
        let crashes = |date: &str, rows: &[(&str, &str, &str)]| -> Vec<u8> {
            let mut t = String::from(CRASHES_HEADER_CSV);
            t.push_str("\r\n");
            for (device, crashes, devices) in rows {
                t.push_str(&format!(
                    "\"{date}\",\"Pocket Notes, the notebook\",\"{APP_ID}\",\"2.3\",\"{device}\",\"{crashes}\",\"{devices}\"\r\n"
                ));
            }
            t.into_bytes()
        };
        self.add_report(
            &request,
            CRASHES_REPORT,
            "APP_USAGE",
            vec![
                (
                    "DAILY",
                    "2026-11-20",
                    vec![crashes(
                        "2026-11-20",
                        &[("iPhone", "4", "3"), ("iPad", "1", "")],
                    )],
                ),
                (
                    "WEEKLY",
                    "2026-11-16",
                    vec![crashes("2026-11-16", &[("iPhone", "19", "")])],
                ),
            ],
        );
    }

    /// Adds a report named `name` to the seeded request, with one DAILY
    /// instance of `segments` segments holding `total_bytes` of generated
    /// TSV between them, written compressed into `dir` (streamed, never
    /// held in memory). Returns the compressed size.
    pub fn add_generated_report(
        &self,
        name: &str,
        total_bytes: u64,
        segments: usize,
        dir: &Path,
    ) -> io::Result<u64> {
        let request = self
            .lock()
            .requests
            .iter()
            .find(|r| r.app == APP_ID && r.access == "ONGOING")
            .map(|r| r.id.clone())
            .unwrap_or_default();
        let ids = self.add_report(
            &request,
            name,
            "APP_USAGE",
            vec![("DAILY", "2026-11-22", vec![Vec::new(); segments.max(1)])],
        );
        let per = total_bytes / ids.len() as u64;
        let mut compressed = 0;
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        for (n, id) in ids.iter().enumerate() {
            let path = dir.join(format!("{id}.tsv.gz"));
            let file = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
            let mut tap = HashingWriter {
                inner: file,
                md5: Md5::new(),
                n: 0,
            };
            {
                let mut gz = GzEncoder::new(&mut tap, Compression::new(6));
                let header = format!("{DOWNLOADS_HEADER}\n");
                gz.write_all(header.as_bytes())?;
                let mut written = header.len() as u64;
                let territories = ["US", "GB", "DE", "FR", "JP", "CA", "AU", "BR", "IN", "MX"];
                let sources = [
                    "App Store search",
                    "App Store browse",
                    "Web referrer",
                    "App referrer",
                ];
                let mut line = String::with_capacity(256);
                let mut row = 0u64;
                while written < per {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    line.clear();
                    use std::fmt::Write as _;
                    let _ = writeln!(
                        line,
                        "2026-11-{:02}\tPocket Notes {}\t{}\tFirst-time download\t2.{}\tiPhone\tiOS 17.{}\t{}\t{}\t{}",
                        1 + (row % 28),
                        n,
                        APP_ID,
                        rng % 9,
                        (rng >> 8) % 6,
                        sources[((rng >> 16) % 4) as usize],
                        territories[((rng >> 24) % 10) as usize],
                        (rng >> 32) % 100_000
                    );
                    gz.write_all(line.as_bytes())?;
                    written += line.len() as u64;
                    row += 1;
                }
                gz.finish()?;
            }
            tap.inner.flush()?;
            let md5 = format!("{:x}", tap.md5.finalize());
            compressed += tap.n;
            let mut inner = self.lock();
            if let Some(seg) = inner.segments.get_mut(id) {
                seg.content = Content::File(path);
                seg.size = tap.n;
                seg.md5 = md5;
            }
        }
        Ok(compressed)
    }
}

/// Counts and hashes the compressed bytes on their way to the file.
struct HashingWriter<W> {
    inner: W,
    md5: Md5,
    n: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.md5.update(&buf[..n]);
        self.n += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
