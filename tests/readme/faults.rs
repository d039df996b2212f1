//! The README's `curl` lines for the stand-in's fault endpoints (an
//! indented block: their output is not shown), each sent to the stand-in
//! as written, port aside: every one must be accepted (2xx), so a renamed
//! parameter or path cannot linger in the README.

use asc_standin::Standin;

const README: &str = include_str!("../../README.md");

/// Method and URL of each `curl [-X METHOD] 'URL'` line aimed at the
/// stand-in's port 8080.
fn curl_lines() -> Vec<(usize, String, String)> {
    README
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let rest = line.trim_start().strip_prefix("curl ")?;
            let (method, rest) = match rest.strip_prefix("-X ") {
                Some(rest) => rest.split_once(' ')?,
                None => ("GET", rest),
            };
            let url = rest.trim_start().strip_prefix('\'')?.split('\'').next()?;
            url.starts_with("http://127.0.0.1:8080/")
                .then(|| (i + 1, method.to_owned(), url.to_owned()))
        })
        .collect()
}

#[test]
fn readme_fault_lines_are_accepted_by_the_stand_in() {
    let lines = curl_lines();
    assert!(lines.len() >= 3, "README curl lines: {lines:?}");
    let server = Standin::start();
    let client = reqwest::blocking::Client::new();
    for (line, method, url) in lines {
        let url = url.replace("http://127.0.0.1:8080", server.url().trim_end_matches('/'));
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = client.request(method.clone(), &url).send().unwrap();
        let status = response.status();
        assert!(
            status.is_success(),
            "README.md:{line}: curl -X {method} {url}: {status}: {}",
            response.text().unwrap_or_default()
        );
    }
}
