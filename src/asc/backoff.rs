//! How long to wait before retrying: the one backoff of the API client and
//! the segment downloader.

use std::time::Duration;

/// Exponential backoff with jitter: the `n`th retry waits `base × 2ⁿ`,
/// anywhere in the upper half of that (so parallel clients spread out),
/// never longer than `cap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The full delay of retry 0.
    pub base: Duration,
    /// The longest delay.
    pub cap: Duration,
}

impl Backoff {
    /// The wait before retry `n` (0 for the first).
    pub fn delay(&self, n: u32) -> Duration {
        let base = u64::try_from(self.base.as_millis()).unwrap_or(u64::MAX);
        let full = base.saturating_mul(1u64 << n.min(16));
        let ms = full / 2 + fastrand::u64(0..=full / 2);
        Duration::from_millis(ms).min(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_with_jitter_in_the_upper_half_and_is_capped() {
        let b = Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
        };
        for _ in 0..50 {
            let d0 = b.delay(0).as_millis();
            let d2 = b.delay(2).as_millis();
            assert!((50..=100).contains(&d0), "{d0}");
            assert!((200..=400).contains(&d2), "{d2}");
            assert_eq!(b.delay(10).as_millis(), 1000);
        }
    }
}
