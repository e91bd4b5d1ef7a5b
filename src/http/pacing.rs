//! Pacing: the client's own rate limiter, so that many concurrent tasks stay under the
//! API's rate limit instead of running into `429`s together.
//!
//! One [`Limiter`] lives in the transport that every clone of a `Client` shares, with one
//! budget per API host. In the adaptive mode it learns the limit from the
//! `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` headers of every
//! answer; until the first answer tells it, one request at a time goes (a burst of 64 before
//! anything is known could overrun a small limit).
//!
//! Why the budget is estimated the way it is:
//! * `Remaining` counts what the server had received when it answered; requests this
//!   client sent after the answered one may or may not be in it, so they are taken off too.
//!   The estimate can only err low, which costs a little time, never a `429`.
//! * `Reset` comes in whole seconds, rounded up: `answer time + Reset` is never before the
//!   real end of the window, and the earliest such time seen in a window is the tightest.
//! * Answers to requests sent before the budget was refilled belong to the old window and
//!   are ignored.
//! * Once the budget ran out in a window, the next window's requests are released evenly
//!   over it (window / limit apart), not as one burst at the reset.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::error::RateLimit;

/// How many slots of a spread window may go at once when the requests fell behind its
/// schedule.
const CATCH_UP_SLOTS: u32 = 4;

/// How the client paces its requests under the API's rate limit
/// ([`ClientBuilder::pacing`](crate::ClientBuilder::pacing)). One budget per API host is
/// shared by every clone of the `Client` and every handle made from it.
///
/// Waiting for budget happens before each attempt of a request. It is bounded by the retry
/// policy's time budget ([`RetryPolicy::max_elapsed`](crate::RetryPolicy::max_elapsed)):
/// a request that would have to wait past it is not sent, and fails with
/// [`Error::RateBudget`](crate::Error::RateBudget). Dropping a request that waits frees its
/// place at once.
///
/// ```
/// use std::num::NonZeroU32;
/// use std::time::Duration;
/// use ccloud_connect::{Client, Pacing};
/// // A quota of 50 requests a minute that other tools share: stay at 40.
/// let client = Client::builder()
///     .credentials("KEY", "SECRET")
///     .pacing(Pacing::fixed(NonZeroU32::new(40).unwrap(), Duration::from_secs(60)))
///     .build()?;
/// # let _ = client; Ok::<(), ccloud_connect::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pacing {
    /// The default: learn the limit and window from the `X-RateLimit-*` headers of the
    /// answers; when the remaining budget runs out, hold new requests until the window
    /// resets instead of sending them into a `429`, then release them spread over the
    /// window. Until the first answer says what the limit is, one request goes at a time.
    #[default]
    Adaptive,
    /// At most `requests` requests per `window`, as counted by this client alone; the
    /// headers are not read. For callers who know their quota (or share it, and keep part
    /// of it for others).
    Fixed {
        /// Requests allowed in one window.
        requests: NonZeroU32,
        /// The length of a window.
        window: Duration,
    },
    /// No pacing: requests go as soon as they are made; `429`s are left to the retry
    /// policy.
    Off,
}

impl Pacing {
    /// [`Pacing::Fixed`]: at most `requests` per `window` (a zero window is taken as 1 ms).
    pub fn fixed(requests: NonZeroU32, window: Duration) -> Self {
        Pacing::Fixed {
            requests,
            window: window.max(Duration::from_millis(1)),
        }
    }
}

/// Why a request was not sent: its wait for budget would have passed the retry budget.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Held {
    /// How much longer it would have had to wait (at least).
    pub(crate) more: Duration,
}

/// The limiter of one client: a budget per host.
#[derive(Debug)]
pub(crate) struct Limiter {
    pacing: Pacing,
    /// A list, not a map: a client's requests go to its API host and, for metrics, its
    /// telemetry host, so the list is one or two long and a lookup compares a string or two
    /// with nothing allocated or hashed.
    hosts: Mutex<Vec<KnownHost>>,
}

/// A host, its port and its budget.
type KnownHost = (Box<str>, u16, Arc<Host>);

/// The budget a request counts against: its host and port (`url.port_or_known_default()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HostKey<'a> {
    pub(crate) host: &'a str,
    pub(crate) port: u16,
}

impl<'a> HostKey<'a> {
    /// The key of a request's URL.
    pub(crate) fn of(url: &'a reqwest::Url) -> Self {
        HostKey {
            host: url.host_str().unwrap_or(""),
            port: url.port_or_known_default().unwrap_or(0),
        }
    }
}

impl<'a> From<&'a str> for HostKey<'a> {
    /// A bare name as a key (port 0), for the unit tests.
    fn from(host: &'a str) -> Self {
        HostKey { host, port: 0 }
    }
}

#[derive(Debug)]
struct Host {
    state: Mutex<Budget>,
    /// Woken whenever the budget may have changed: an answer, a dropped permit.
    changed: Notify,
    /// [`Pacing::Fixed`]: the answers' headers are not read.
    fixed: bool,
}

#[derive(Debug)]
struct Budget {
    /// Requests per window, once known.
    limit: Option<u32>,
    /// The window's length: fixed, or the longest `Reset` seen.
    window: Duration,
    /// Requests that may still go before `reset_at`.
    tokens: i64,
    /// When the budget refills; `None` until an answer (or, fixed, a request) opens it.
    reset_at: Option<Instant>,
    /// The budget ran out in this window.
    held: bool,
    /// Release this window's requests evenly: the previous one ran out.
    spread: bool,
    /// The earliest time the next request may go while `spread`.
    next_slot: Instant,
    /// Requests sent and not answered.
    in_flight: u32,
    /// Requests sent so far (a permit's number is its place in this count).
    sent: u64,
    /// `sent` when the budget was last refilled: older answers are ignored.
    window_start: u64,
    /// An answer came back: without rate-limit headers, nothing limits the requests.
    answered: bool,
    /// A `429` asked for a pause (`Retry-After` or `X-RateLimit-Reset`) until then.
    hold_until: Option<Instant>,
    fixed: bool,
}

/// What a request may do now.
enum Verdict {
    Go,
    WaitUntil(Instant),
    WaitForAnswer,
}

/// A place taken in the budget: held while the request is in flight.
#[derive(Debug)]
pub(crate) struct Permit {
    host: Arc<Host>,
    number: u64,
    answered: bool,
}

impl Limiter {
    pub(crate) fn new(pacing: Pacing) -> Self {
        Limiter {
            pacing,
            hosts: Mutex::new(Vec::new()),
        }
    }

    /// Whether requests are paced at all.
    pub(crate) fn is_on(&self) -> bool {
        self.pacing != Pacing::Off
    }

    fn host(&self, key: HostKey<'_>) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, _, host)) = hosts
            .iter()
            .find(|(host, port, _)| *port == key.port && **host == *key.host)
        {
            return host.clone();
        }
        let (limit, window, fixed) = match &self.pacing {
            // As `Pacing::fixed` does, for a value built from the variant directly.
            Pacing::Fixed { requests, window } => (
                Some(requests.get()),
                (*window).max(Duration::from_millis(1)),
                true,
            ),
            _ => (None, Duration::ZERO, false),
        };
        let host = Arc::new(Host {
            state: Mutex::new(Budget {
                limit,
                window,
                tokens: limit.map_or(0, i64::from),
                reset_at: None,
                held: false,
                spread: false,
                next_slot: Instant::now(),
                in_flight: 0,
                sent: 0,
                window_start: 0,
                answered: false,
                hold_until: None,
                fixed,
            }),
            changed: Notify::new(),
            fixed,
        });
        hosts.push((key.host.into(), key.port, host.clone()));
        host
    }

    /// Waits until the budget of `key`'s host lets one more request go, and takes its
    /// place. Gives up, taking nothing, when that would be after `deadline`. Cancel-safe: a
    /// dropped wait has taken nothing.
    pub(crate) async fn acquire<'k>(
        &self,
        key: impl Into<HostKey<'k>>,
        deadline: Instant,
    ) -> Result<Permit, Held> {
        let host = self.host(key.into());
        // The common case first: the budget lets the request go now, and no waiter needs
        // registering (which takes the `Notify`'s own lock twice).
        if let Ok(number) = host.try_take() {
            return Ok(Permit::new(host, number));
        }
        loop {
            // Registered before the budget is read again, so a change after that read still
            // wakes this wait.
            let changed = host.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let verdict = match host.try_take() {
                Ok(number) => return Ok(Permit::new(host.clone(), number)),
                Err(verdict) => verdict,
            };
            let now = Instant::now();
            let until = match verdict {
                Verdict::WaitUntil(at) if at > deadline => {
                    return Err(Held { more: at - now });
                }
                Verdict::WaitUntil(at) => at,
                Verdict::WaitForAnswer if now >= deadline => {
                    return Err(Held {
                        more: Duration::ZERO,
                    });
                }
                Verdict::WaitForAnswer | Verdict::Go => deadline,
            };
            tokio::select! {
                () = &mut changed => {}
                () = tokio::time::sleep_until(until) => {}
            }
        }
    }
}

impl Host {
    /// Takes a place in the budget when it lets a request go now (the permit's number), or
    /// says what the request has to wait for.
    fn try_take(&self) -> Result<u64, Verdict> {
        let mut budget = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        budget.refill_if_due(now);
        match budget.verdict(now) {
            Verdict::Go => Ok(budget.take(now)),
            verdict => Err(verdict),
        }
    }
}

impl Permit {
    fn new(host: Arc<Host>, number: u64) -> Self {
        Permit {
            host,
            number,
            answered: false,
        }
    }
}

impl Budget {
    fn refill_if_due(&mut self, now: Instant) {
        if self.reset_at.is_none()
            && self.tokens <= 0
            && self.in_flight == 0
            && self.limit.is_some()
        {
            // Spent, and no answer in flight can say when the window ends (the last ones
            // failed or carried no headers): take the window as starting now, or nothing
            // would ever refill the budget.
            self.reset_at = Some(now + self.window.max(Duration::from_secs(1)));
        }
        let Some(reset_at) = self.reset_at else {
            return;
        };
        if now < reset_at {
            return;
        }
        let limit = self.limit.unwrap_or(1);
        self.tokens = i64::from(limit);
        // A fixed budget is the caller's own count: bursts within it are theirs to allow.
        self.spread = self.held && !self.fixed;
        self.held = false;
        self.reset_at = None;
        self.window_start = self.sent;
        self.next_slot = now;
    }

    fn verdict(&self, now: Instant) -> Verdict {
        if let Some(until) = self.hold_until.filter(|until| now < *until) {
            return Verdict::WaitUntil(until);
        }
        let Some(limit) = self.limit else {
            // Nothing known yet: one request finds out. An answer without the headers
            // (a server or proxy that does not send them) leaves nothing to pace by.
            return if self.in_flight == 0 || self.answered {
                Verdict::Go
            } else {
                Verdict::WaitForAnswer
            };
        };
        if self.tokens <= 0 {
            return match self.reset_at {
                Some(at) => Verdict::WaitUntil(at),
                // The window is not known yet: an answer in flight will tell (without one,
                // `refill_if_due` has set the window).
                None => Verdict::WaitForAnswer,
            };
        }
        if self.spread && limit > 0 && now < self.next_slot {
            return Verdict::WaitUntil(self.next_slot);
        }
        Verdict::Go
    }

    fn take(&mut self, now: Instant) -> u64 {
        self.tokens -= 1;
        if self.limit.is_some() && self.tokens <= 0 {
            self.held = true;
        }
        self.in_flight += 1;
        self.sent += 1;
        if self.fixed && self.reset_at.is_none() {
            // A fixed window opens with its first request.
            self.reset_at = Some(now + self.window);
        }
        if self.spread
            && let Some(limit) = self.limit.filter(|l| *l > 0)
        {
            // Slots stay on the schedule that started at the refill: a waiter woken late
            // (a busy machine) must not push every later slot back, or the lateness adds up
            // over the window. Falling behind lets a few go at once to catch up, no more.
            let spacing = self.window / limit;
            let catch_up = spacing * CATCH_UP_SLOTS;
            self.next_slot = self.next_slot.max(now.checked_sub(catch_up).unwrap_or(now)) + spacing;
        }
        self.sent
    }

    /// What the answer to request `number` says of the budget.
    fn learn(&mut self, number: u64, status: StatusCode, rate: &RateLimit, now: Instant) {
        if self.fixed {
            return;
        }
        self.answered = true;
        if number <= self.window_start {
            // Sent before the last refill: it speaks of the old window.
            return;
        }
        let sent_after = (self.sent - number) as i64;
        if status == StatusCode::TOO_MANY_REQUESTS {
            // The server's word on when to come back holds every request of this host, not
            // only the retry of this one. Without one, the retry policy's backoff decides.
            let Some(wait) = rate.retry_after.into_iter().chain(rate.reset).max() else {
                return;
            };
            let until = now + wait;
            self.hold_until = Some(self.hold_until.map_or(until, |t| t.max(until)));
            if let Some(limit) = rate.limit.filter(|l| *l > 0) {
                self.limit = Some(limit.min(u64::from(u32::MAX)) as u32);
                self.tokens = 0;
                self.held = true;
                self.reset_at = Some(self.reset_at.map_or(until, |at| at.max(until)));
            }
            return;
        }
        let (Some(limit), Some(remaining), Some(reset)) = (rate.limit, rate.remaining, rate.reset)
        else {
            return;
        };
        let limit = limit.min(u64::from(u32::MAX)) as u32;
        if limit == 0 {
            // A limit of nothing cannot be paced by; the retry policy handles the 429s.
            return;
        }
        if self.limit.is_none() {
            self.tokens = i64::from(limit);
        }
        self.limit = Some(limit);
        self.window = self.window.max(reset);
        let estimate = remaining.min(i64::MAX as u64) as i64 - sent_after;
        self.tokens = self.tokens.min(estimate);
        if self.tokens <= 0 {
            self.held = true;
        }
        let at = now + reset;
        self.reset_at = Some(self.reset_at.map_or(at, |known| known.min(at)));
    }
}

impl Permit {
    /// Teaches the budget what the answer to this request said.
    pub(crate) fn answered(&mut self, status: StatusCode, headers: &HeaderMap) {
        // A fixed budget does not read the headers (`Budget::learn`).
        let rate = if self.host.fixed {
            RateLimit::default()
        } else {
            RateLimit::from_headers(headers)
        };
        {
            let mut budget = self.host.state.lock().unwrap_or_else(|e| e.into_inner());
            budget.learn(self.number, status, &rate, Instant::now());
            budget.in_flight = budget.in_flight.saturating_sub(1);
        }
        self.answered = true;
        self.host.changed.notify_waiters();
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.answered {
            return;
        }
        // No answer (a failed connection, a cancelled request): nothing learnt.
        {
            let mut budget = self.host.state.lock().unwrap_or_else(|e| e.into_inner());
            budget.in_flight = budget.in_flight.saturating_sub(1);
        }
        self.host.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// A server's fixed-window rate limit on tokio's clock, as the emulator counts: the
    /// window opens with the first request after the last one ended.
    struct Model {
        limit: u32,
        window: Duration,
        state: Mutex<(Instant, u32, u32)>, // opened, count, refused
        max_in_window: AtomicU32,
    }

    impl Model {
        fn new(limit: u32, window: Duration) -> Self {
            Model {
                limit,
                window,
                state: Mutex::new((Instant::now(), 0, 0)),
                max_in_window: AtomicU32::new(0),
            }
        }

        /// Counts one request and answers with the headers the API sends.
        fn answer(&self) -> (StatusCode, HeaderMap) {
            let mut s = self.state.lock().unwrap();
            let now = Instant::now();
            if now.duration_since(s.0) >= self.window {
                *s = (now, 0, s.2);
            }
            let refused = s.1 >= self.limit;
            if refused {
                s.2 += 1;
            } else {
                s.1 += 1;
            }
            self.max_in_window.fetch_max(s.1, Ordering::Relaxed);
            let left = self.window.saturating_sub(now.duration_since(s.0));
            let reset = (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1);
            let mut h = HeaderMap::new();
            h.insert("x-ratelimit-limit", self.limit.into());
            h.insert("x-ratelimit-remaining", (self.limit - s.1).into());
            h.insert("x-ratelimit-reset", reset.into());
            let status = if refused {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::OK
            };
            (status, h)
        }
    }

    async fn run(limiter: Arc<Limiter>, model: Arc<Model>, tasks: usize, each: usize) -> Duration {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(3600);
        let mut handles = Vec::new();
        for _ in 0..tasks {
            let (limiter, model) = (limiter.clone(), model.clone());
            handles.push(tokio::spawn(async move {
                for _ in 0..each {
                    let mut permit = limiter.acquire("api", deadline).await.unwrap();
                    // A round trip of 5 ms: the server counts the request half-way.
                    tokio::time::sleep(Duration::from_micros(2500)).await;
                    let (status, headers) = model.answer();
                    tokio::time::sleep(Duration::from_micros(2500)).await;
                    permit.answered(status, &headers);
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        started.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn adaptive_pacing_never_passes_the_announced_limit_and_stays_near_the_bound() {
        let model = Arc::new(Model::new(50, Duration::from_secs(2)));
        let limiter = Arc::new(Limiter::new(Pacing::Adaptive));
        let took = run(limiter, model.clone(), 64, 10).await;
        let refused = model.state.lock().unwrap().2;
        assert_eq!(refused, 0, "429s: {refused}");
        assert!(model.max_in_window.load(Ordering::Relaxed) <= 50);
        // 640 requests at 50 per 2 s: 25.6 s at the least.
        let bound = Duration::from_secs_f64(640.0 / 50.0 * 2.0);
        assert!(took >= bound.mul_f64(0.9), "{took:?}");
        assert!(took <= bound.mul_f64(1.15), "{took:?} against {bound:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_late_request_does_not_push_the_later_slots_back() {
        let limiter = Limiter::new(Pacing::Adaptive);
        let deadline = Instant::now() + Duration::from_secs(3600);
        let mut first = limiter.acquire("h", deadline).await.unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", 4.into());
        h.insert("x-ratelimit-remaining", 0.into());
        h.insert("x-ratelimit-reset", 4.into());
        first.answered(StatusCode::OK, &h);
        drop(first);
        let start = Instant::now();
        let mut at = Vec::new();
        for late in [0, 1500, 0, 0] {
            tokio::time::sleep(Duration::from_millis(late)).await;
            let _permit = limiter.acquire("h", deadline).await.unwrap();
            at.push((Instant::now() - start).as_millis());
        }
        // The second comes half a second after its slot; the third keeps its own.
        assert_eq!(at, [4000, 5500, 6000, 7000]);
    }

    #[tokio::test(start_paused = true)]
    async fn without_pacing_the_same_load_runs_into_the_limit() {
        // The comparison that shows the model can fail: the same tasks, no limiter.
        let model = Arc::new(Model::new(50, Duration::from_secs(2)));
        let mut handles = Vec::new();
        for _ in 0..64 {
            let model = model.clone();
            handles.push(tokio::spawn(async move {
                tokio::time::sleep(Duration::from_micros(2500)).await;
                model.answer()
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(model.state.lock().unwrap().2, 14);
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_hold_the_window_is_spread_not_a_burst() {
        let limiter = Limiter::new(Pacing::Adaptive);
        let deadline = Instant::now() + Duration::from_secs(3600);
        let mut first = limiter.acquire("h", deadline).await.unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", 4.into());
        h.insert("x-ratelimit-remaining", 0.into());
        h.insert("x-ratelimit-reset", 4.into());
        first.answered(StatusCode::OK, &h);
        drop(first);
        let start = Instant::now();
        let mut at = Vec::new();
        for _ in 0..4 {
            let _permit = limiter.acquire("h", deadline).await.unwrap();
            at.push(Instant::now() - start);
        }
        // Held until the reset, then one per window / limit = 1 s.
        assert_eq!(
            at,
            [4, 5, 6, 7].map(Duration::from_secs),
            "release times after the hold"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn fixed_budget_holds_and_a_cancelled_waiter_frees_its_place() {
        let limiter = Arc::new(Limiter::new(Pacing::fixed(
            NonZeroU32::new(2).unwrap(),
            Duration::from_secs(10),
        )));
        let deadline = Instant::now() + Duration::from_secs(3600);
        let a = limiter.acquire("h", deadline).await.unwrap();
        let b = limiter.acquire("h", deadline).await.unwrap();
        drop((a, b));
        // The third waits for the next window; cancelled after 1 s, it takes nothing.
        let cancelled =
            tokio::time::timeout(Duration::from_secs(1), limiter.acquire("h", deadline)).await;
        assert!(cancelled.is_err());
        let start = Instant::now();
        let c = limiter.acquire("h", deadline).await.unwrap();
        let d = limiter.acquire("h", deadline).await.unwrap();
        // Both places of the second window were free: the cancelled wait took neither.
        assert_eq!(Instant::now() - start, Duration::from_secs(9));
        drop((c, d));
    }

    #[tokio::test(start_paused = true)]
    async fn answers_without_the_headers_leave_requests_unpaced() {
        let limiter = Limiter::new(Pacing::Adaptive);
        let deadline = Instant::now() + Duration::from_secs(3600);
        let mut first = limiter.acquire("h", deadline).await.unwrap();
        first.answered(StatusCode::OK, &HeaderMap::new());
        let start = Instant::now();
        let permits: Vec<Permit> =
            futures::future::join_all((0..10).map(|_| limiter.acquire("h", deadline)))
                .await
                .into_iter()
                .map(Result::unwrap)
                .collect();
        assert_eq!(permits.len(), 10);
        assert_eq!(Instant::now(), start);
    }

    #[tokio::test(start_paused = true)]
    async fn a_window_whose_requests_all_failed_still_refills() {
        let limiter = Limiter::new(Pacing::Adaptive);
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut first = limiter.acquire("h", deadline).await.unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", 1.into());
        h.insert("x-ratelimit-remaining", 0.into());
        h.insert("x-ratelimit-reset", 1.into());
        first.answered(StatusCode::OK, &h);
        drop(first);
        // The next window's one request never gets an answer (its connection failed).
        drop(limiter.acquire("h", deadline).await.unwrap());
        // Nothing will say when the window ends: it is taken as a window from now.
        let start = Instant::now();
        drop(limiter.acquire("h", deadline).await.unwrap());
        assert_eq!(Instant::now() - start, Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn wild_headers_neither_panic_nor_stop_the_client() {
        let limiter = Limiter::new(Pacing::Adaptive);
        let deadline = Instant::now() + Duration::from_secs(3600);
        let mut first = limiter.acquire("h", deadline).await.unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", 5.into());
        h.insert("x-ratelimit-remaining", 0.into());
        h.insert("x-ratelimit-reset", u64::MAX.into());
        first.answered(StatusCode::TOO_MANY_REQUESTS, &h);
        drop(first);
        // Held for a day at the most, not for ever, and refused at once past the deadline.
        let held = limiter.acquire("h", deadline).await.unwrap_err();
        assert_eq!(held.more, Duration::from_secs(86_400));
        // A limit of zero is no limit to pace by.
        let other = Limiter::new(Pacing::Adaptive);
        let mut first = other.acquire("h", deadline).await.unwrap();
        h.insert("x-ratelimit-limit", 0.into());
        h.insert("x-ratelimit-reset", 10.into());
        first.answered(StatusCode::OK, &h);
        drop(first);
        let start = Instant::now();
        drop(other.acquire("h", deadline).await.unwrap());
        assert_eq!(Instant::now(), start);
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_past_the_deadline_is_refused_at_once() {
        let limiter = Limiter::new(Pacing::fixed(
            NonZeroU32::new(1).unwrap(),
            Duration::from_secs(60),
        ));
        let deadline = Instant::now() + Duration::from_secs(5);
        let _a = limiter.acquire("h", deadline).await.unwrap();
        let start = Instant::now();
        let held = limiter.acquire("h", deadline).await.unwrap_err();
        assert_eq!(Instant::now(), start, "it did not wait for nothing");
        assert_eq!(held.more, Duration::from_secs(60));
        // Another host has its own budget.
        let _other = limiter.acquire("other", deadline).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn before_the_limit_is_known_one_request_goes_at_a_time() {
        let limiter = Arc::new(Limiter::new(Pacing::Adaptive));
        let deadline = Instant::now() + Duration::from_secs(3600);
        let mut first = limiter.acquire("h", deadline).await.unwrap();
        let second = {
            let limiter = limiter.clone();
            tokio::spawn(
                async move { limiter.acquire("h", deadline).await.map(|_| Instant::now()) },
            )
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            !second.is_finished(),
            "a second request went before any answer"
        );
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", 100.into());
        h.insert("x-ratelimit-remaining", 99.into());
        h.insert("x-ratelimit-reset", 60.into());
        first.answered(StatusCode::OK, &h);
        second.await.unwrap().unwrap();
    }
}
