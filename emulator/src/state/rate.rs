//! The rate limit, counted per API key as the real API counts it: each key has its own
//! fixed window, which opens with the key's first request after its last window ended.
//!
//! A leaf: the store holds the windows behind a mutex, and the gate counts every API
//! request through it. Time is passed in (tokio's clock), so the counting is tested
//! without waiting.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

/// Requests per minute announced in `X-RateLimit-Limit` when no limit is enforced.
pub(crate) const ANNOUNCED: u64 = 1000;

/// The window of the announced limit.
const ANNOUNCED_WINDOW: Duration = Duration::from_secs(60);

/// Keys kept before the windows that ended are dropped: a window that ended counts as
/// no window, so dropping it changes no answer, and a loop over fresh keys cannot grow
/// the emulator past this many live windows plus those opened within one window.
const PRUNE_ABOVE: usize = 1024;

/// An optional request limit per window, enforced on the API endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateLimit {
    pub(crate) requests: u32,
    pub(crate) window: Duration,
}

/// One key's window: when it opened and how many requests it counted.
#[derive(Clone, Copy, Debug)]
struct Window {
    opened: Instant,
    count: u64,
}

/// The limit in force (none: announced, not enforced) and every key's window.
#[derive(Debug, Default)]
pub(crate) struct RateWindows {
    limit: Option<RateLimit>,
    windows: HashMap<String, Window>,
    totals: RateTotals,
}

/// API requests counted by the rate limit since the emulator started, and how many of
/// them it refused with `429` ([`EmulatorHandle::rate_totals`](crate::EmulatorHandle::rate_totals)).
/// Faults injected as `429`s are not among the refused: only the enforced limit's are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateTotals {
    /// Every API request the limit saw, refused or not.
    pub requests: u64,
    /// The requests the enforced limit answered with `429`.
    pub refused: u64,
}

/// What counting one request found, for the caller's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateCount {
    pub(crate) limit: u64,
    pub(crate) remaining: u64,
    /// Whole seconds until the key's window resets (rounded up, at least 1).
    pub(crate) reset: u64,
    /// Over the enforced limit: the request is refused.
    pub(crate) refused: bool,
}

impl RateWindows {
    /// Enforces `limit` from now on (every key starts a fresh window), or stops enforcing
    /// with `None`.
    pub(crate) fn set_limit(&mut self, limit: Option<RateLimit>) {
        self.limit = limit;
        self.windows.clear();
    }

    /// The limit enforced, if any.
    pub(crate) fn limit(&self) -> Option<RateLimit> {
        self.limit
    }

    /// Requests counted and refused so far.
    pub(crate) fn totals(&self) -> RateTotals {
        self.totals
    }

    /// The limit and window in force: the enforced ones, or the announced ones.
    fn terms(&self) -> (u64, Duration) {
        match self.limit {
            Some(l) => (
                u64::from(l.requests),
                l.window.max(Duration::from_millis(1)),
            ),
            None => (ANNOUNCED, ANNOUNCED_WINDOW),
        }
    }

    /// Counts a request of `key` (the Basic-auth user name; empty for a request without
    /// one) at `now`. A refused request is not counted, as it used nothing.
    pub(crate) fn count(&mut self, key: &str, now: Instant) -> RateCount {
        let (limit, window) = self.terms();
        if !self.windows.contains_key(key) && self.windows.len() >= PRUNE_ABOVE {
            self.windows
                .retain(|_, w| now.saturating_duration_since(w.opened) < window);
        }
        let w = self.windows.entry(key.to_owned()).or_insert(Window {
            opened: now,
            count: 0,
        });
        if now.saturating_duration_since(w.opened) >= window {
            *w = Window {
                opened: now,
                count: 0,
            };
        }
        let refused = self.limit.is_some() && w.count >= limit;
        if !refused {
            w.count += 1;
        }
        self.totals.requests += 1;
        self.totals.refused += u64::from(refused);
        let left = window.saturating_sub(now.saturating_duration_since(w.opened));
        let reset = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        RateCount {
            limit,
            remaining: limit.saturating_sub(w.count),
            reset: reset.max(1),
            refused,
        }
    }

    /// How many keys have a window remembered.
    #[cfg(test)]
    fn keys(&self) -> usize {
        self.windows.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limited(requests: u32, window: Duration) -> RateWindows {
        let mut w = RateWindows::default();
        w.set_limit(Some(RateLimit { requests, window }));
        w
    }

    #[test]
    fn each_key_has_its_own_window() {
        let t0 = Instant::now();
        let mut w = limited(2, Duration::from_secs(10));
        assert_eq!(w.count("a", t0).remaining, 1);
        assert_eq!(w.count("a", t0).remaining, 0);
        assert!(w.count("a", t0).refused);
        // Another key is untouched by the first one's use, and opens its window later.
        let t3 = t0 + Duration::from_secs(3);
        let b = w.count("b", t3);
        assert_eq!((b.remaining, b.reset, b.refused), (1, 10, false));
        assert_eq!(
            w.totals(),
            RateTotals {
                requests: 4,
                refused: 1
            }
        );
        let a = w.count("a", t3);
        assert_eq!((a.remaining, a.reset, a.refused), (0, 7, true));
        // The first key's window ends at 10 s, the second's at 13 s.
        let t10 = t0 + Duration::from_secs(10);
        assert!(!w.count("a", t10).refused);
        assert!(!w.count("b", t10).refused);
        assert!(w.count("b", t10).refused);
        let b = w.count("b", t0 + Duration::from_millis(12_500));
        assert_eq!((b.reset, b.refused), (1, true), "rounded up, at least 1");
    }

    #[test]
    fn the_announced_limit_is_counted_but_never_refuses() {
        let t0 = Instant::now();
        let mut w = RateWindows::default();
        for _ in 0..ANNOUNCED + 5 {
            assert!(!w.count("k", t0).refused);
        }
        let c = w.count("k", t0);
        assert_eq!((c.limit, c.remaining, c.reset), (ANNOUNCED, 0, 60));
        assert_eq!(w.count("other", t0).remaining, ANNOUNCED - 1);
    }

    #[test]
    fn setting_a_limit_starts_every_key_afresh() {
        let t0 = Instant::now();
        let mut w = limited(1, Duration::from_secs(60));
        w.count("a", t0);
        assert!(w.count("a", t0).refused);
        w.set_limit(Some(RateLimit {
            requests: 1,
            window: Duration::from_secs(60),
        }));
        assert!(!w.count("a", t0).refused);
        w.set_limit(None);
        assert_eq!(w.limit(), None);
        assert!(!w.count("a", t0).refused);
    }

    #[test]
    fn ended_windows_are_dropped_when_keys_pile_up() {
        let t0 = Instant::now();
        let mut w = limited(1, Duration::from_secs(1));
        for i in 0..PRUNE_ABOVE {
            w.count(&format!("k{i}"), t0);
        }
        assert_eq!(w.keys(), PRUNE_ABOVE);
        let later = t0 + Duration::from_secs(2);
        assert!(!w.count("fresh", later).refused);
        assert_eq!(w.keys(), 1, "every other window had ended");
    }
}
