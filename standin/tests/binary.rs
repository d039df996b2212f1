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
