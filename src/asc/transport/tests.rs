//! Unit tests of the transport: rate-limit and `Retry-After` parsing, sizes
//! in messages, and which requests may use a proxy.

use super::*;

#[test]
fn sizes_read_as_people_write_them() {
    assert_eq!(human_bytes(MAX_ANSWER_BYTES), "64 MiB");
    assert_eq!(human_bytes(1 << 30), "1 GiB");
    assert_eq!(human_bytes(1 << 20), "1 MiB");
    assert_eq!(human_bytes(1536), "1536 bytes");
    assert_eq!(human_bytes(1_000_000), "1000000 bytes");
    assert_eq!(human_bytes(0), "0 bytes");
}

#[test]
fn only_https_to_other_hosts_may_use_a_proxy() {
    let t = Transport::new(Settings::default(), None).unwrap();
    for direct in [
        "http://127.0.0.1:8080/v1/apps",
        "http://localhost/v1/apps",
        "https://127.0.0.1/v1/apps",
        "https://[::1]/v1/apps",
        "http://example.com/v1/apps",
    ] {
        let url = Url::parse(direct).unwrap();
        assert!(
            std::ptr::eq(t.http_for(&url).unwrap(), &t.direct),
            "{direct}"
        );
    }
    let url = Url::parse("https://api.appstoreconnect.apple.com/v1/apps").unwrap();
    assert!(!std::ptr::eq(t.http_for(&url).unwrap(), &t.direct));
}

#[test]
fn rate_limit_header() {
    let rl = RateLimit::parse("user-hour-lim:3600;user-hour-rem:3599;").unwrap();
    assert_eq!(
        rl,
        RateLimit {
            limit: 3600,
            remaining: 3599
        }
    );
    assert!(!rl.is_low());
    assert!(
        RateLimit::parse("user-hour-lim:3600;user-hour-rem:179;")
            .unwrap()
            .is_low()
    );
    assert!(
        !RateLimit::parse("user-hour-lim:3600;user-hour-rem:180;")
            .unwrap()
            .is_low()
    );
    assert_eq!(RateLimit::parse("user-hour-lim:3600"), None);
    assert_eq!(RateLimit::parse("garbage"), None);
}

#[test]
fn retry_after_takes_seconds_or_an_http_date() {
    let mut h = HeaderMap::new();
    assert_eq!(retry_after(&h), None);
    h.insert(RETRY_AFTER, "7".parse().unwrap());
    assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
    let later = std::time::SystemTime::now() + Duration::from_secs(30);
    h.insert(RETRY_AFTER, httpdate::fmt_http_date(later).parse().unwrap());
    let d = retry_after(&h).unwrap();
    assert!(
        d > Duration::from_secs(27) && d <= Duration::from_secs(30),
        "{d:?}"
    );
    h.insert(
        RETRY_AFTER,
        "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
    );
    assert_eq!(retry_after(&h), Some(Duration::ZERO));
    h.insert(RETRY_AFTER, "soon".parse().unwrap());
    assert_eq!(retry_after(&h), None);
}
