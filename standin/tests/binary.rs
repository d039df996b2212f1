//! The `asc-standin` binary as the README runs it: `--print-key` writes the
//! test key on stdout, stderr says where it serves, and it answers there.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

#[test]
fn print_key_and_serve() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_asc-standin"))
        .args(["--port", "0", "--print-key"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start asc-standin");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    let url = first.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(first.contains("serving"), "{first}");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    // It answers: an unauthenticated API call gets Apple's 401.
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    std::io::Write::write_all(
        &mut stream,
        b"GET /v1/apps HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("NOT_AUTHORIZED"));
    child.kill().unwrap();
    child.wait().unwrap();
    let mut key = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut key)
        .unwrap();
    assert_eq!(key, asc_standin::TEST_KEY_PEM);
}

/// Starts the binary in `dir` with `args`; returns it and its first stderr
/// lines up to and including the "serving" line.
fn start_in(dir: &std::path::Path, args: &[&str]) -> (std::process::Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_asc-standin"))
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start asc-standin");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let serving = line.contains("serving");
        lines.push(line.trim_end().to_owned());
        if serving {
            break;
        }
    }
    (child, lines)
}

/// The README's command line for the stand-in, run as written (port 0 for
/// 8080): the key file it names is written 0600 and the lines the README
/// shows are the ones printed. The README harness (tests/readme/) starts
/// the same server in-process; this test is the one with the binary.
#[test]
fn readme_command_line_writes_the_key_and_serves() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("read README.md");
    let mut lines = readme.lines();
    let command = lines
        .by_ref()
        .find_map(|l| l.strip_prefix("$ cargo run -p asc-standin -- "))
        .expect("README shows `$ cargo run -p asc-standin -- …`");
    let expected: Vec<&str> = lines
        .take_while(|l| !l.starts_with("```"))
        .filter(|l| *l != "…")
        .collect();
    let args: Vec<&str> = command
        .split_whitespace()
        .map(|a| if a == "8080" { "0" } else { a })
        .collect();
    let key_file = args
        .iter()
        .position(|a| *a == "--write-key")
        .map(|i| args[i + 1])
        .expect("the README's stand-in line writes the key with --write-key");

    let dir = tempfile::tempdir().unwrap();
    let (mut child, printed) = start_in(dir.path(), &args);
    child.kill().unwrap();
    child.wait().unwrap();
    let url = printed
        .last()
        .and_then(|l| l.rsplit(' ').next())
        .unwrap_or_default()
        .to_owned();
    let printed: Vec<String> = printed
        .iter()
        .map(|l| l.replace(&url, "http://127.0.0.1:8080"))
        .collect();
    assert_eq!(
        printed, expected,
        "README.md's stand-in block vs what the binary printed"
    );

    let path = dir.path().join(key_file);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        asc_standin::TEST_KEY_PEM
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "key file mode {mode:o}");
    }
}

#[test]
fn write_key_keeps_the_same_key_and_refuses_another_file() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("AuthKey_TESTKEY001.p8");
    std::fs::write(&key, asc_standin::TEST_KEY_PEM).unwrap();
    let (mut child, printed) = start_in(
        dir.path(),
        &["--port", "0", "--write-key", "AuthKey_TESTKEY001.p8"],
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        printed[0],
        "asc-standin: AuthKey_TESTKEY001.p8 already holds the test API key"
    );

    // An empty file (a redirect whose command failed) or any other content
    // is not overwritten: exit 1, the file as it was, no server.
    for content in ["", "something else\n"] {
        std::fs::write(&key, content).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_asc-standin"))
            .current_dir(dir.path())
            .args(["--port", "0", "--write-key", "AuthKey_TESTKEY001.p8"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err,
            "error: AuthKey_TESTKEY001.p8 exists and is not the test API key; not overwritten (remove it, or name another file)\n"
        );
        assert_eq!(std::fs::read_to_string(&key).unwrap(), content);
    }
}
