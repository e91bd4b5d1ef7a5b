//! Waiting for the server to get somewhere: how often to look, for how long, and the one
//! polling loop every wait of the crate runs.
//!
//! Pause, resume, restart, offsets changes and plugin versions are asynchronous on the
//! server: the API accepts them (`202`) and the resource gets there later. The waits poll
//! until the wanted state, a failure state, or the caller's timeout.
//!
//! Every wait is a plain `async fn` that sleeps between reads and holds no lock: dropping
//! its future (say, inside `tokio::time::timeout` or `tokio::select!`) stops the polling at
//! once, and nothing is left running.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::{Error, Result};

/// How often to poll and for how long, for the waiters.
///
/// The timeout bounds when the last read may start: reads happen at the start, then every
/// `interval`, and once more at the deadline; a read in flight at the deadline is allowed
/// to finish (each read is bounded by the client's request timeout). A zero timeout makes
/// exactly one read, or none when an answer is already at hand (a publish judges the
/// create's answer first).
///
/// ```
/// use std::time::Duration;
/// let options = ccloud_connect::wait::WaitOptions::new(Duration::from_secs(2), Duration::from_secs(300));
/// assert_eq!(options.interval(), Duration::from_secs(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WaitOptions {
    interval: Duration,
    timeout: Duration,
    settle: Duration,
    first_poll: Duration,
    max_interval: Duration,
    tolerate_failed: Option<Duration>,
}

/// The default of [`WaitOptions::settle`].
const DEFAULT_SETTLE: Duration = Duration::from_secs(10);

impl Default for WaitOptions {
    /// Every 5 seconds for up to 10 minutes: provisioning a connector commonly takes
    /// minutes.
    fn default() -> Self {
        WaitOptions::new(Duration::from_secs(5), Duration::from_secs(600))
    }
}

impl WaitOptions {
    /// Polls every `interval` for up to `timeout`. A zero interval is refused when a wait
    /// starts.
    pub fn new(interval: Duration, timeout: Duration) -> Self {
        WaitOptions {
            interval,
            timeout,
            settle: DEFAULT_SETTLE,
            first_poll: Duration::ZERO,
            max_interval: interval,
            tolerate_failed: None,
        }
    }

    /// For a wait that follows a connector action (pause, resume, restart, a configuration
    /// update): how long after the action a status that looks the same as before it is
    /// still taken for a stale read. Default 10 s.
    ///
    /// The API applies those actions asynchronously (`202 Accepted`), so the first reads
    /// after one can still show the state from before it. Until the status is seen to
    /// change (the connector's state, trace, or a task's state), a `FAILED` that was
    /// already there, or the old state when it is the target (a restart of a running
    /// connector), is pending; once this time has passed, it is taken as it is.
    pub fn settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    /// See [`settle`](Self::settle).
    pub fn settle_time(&self) -> Duration {
        self.settle
    }

    /// Waits `delay` before the first read (default: none). A connector takes minutes to
    /// provision, so reads in its first seconds only spend rate-limit budget. The timeout
    /// still counts from the start; the first read happens at the latest at the deadline.
    pub fn first_poll_after(mut self, delay: Duration) -> Self {
        self.first_poll = delay;
        self
    }

    /// Lets the time between reads grow: it doubles after each read that does not end the
    /// wait (pending, or a failure within [`tolerate_failed`](Self::tolerate_failed)), from [`interval`](Self::interval) up to `cap` (default: the interval,
    /// so it never grows). A cap below the interval is taken as the interval.
    pub fn max_interval(mut self, cap: Duration) -> Self {
        self.max_interval = cap;
        self
    }

    /// For waits on a connector: a `FAILED` connector that is `RUNNING` (or otherwise not
    /// failed) again within `window` is not a failure. Connectors can flap
    /// `RUNNING → FAILED → RUNNING` right after they are created or changed (Terraform
    /// provider issue 43); without this, the first `FAILED` read ends the wait. A connector
    /// still `FAILED` once `window` has passed since it was first seen failed ends the wait
    /// with its trace, as does the wait's timeout. Default: none (the first `FAILED` ends
    /// it). Waits on offsets requests and plugin versions, whose failures are final, ignore
    /// it.
    pub fn tolerate_failed(mut self, window: Duration) -> Self {
        self.tolerate_failed = Some(window);
        self
    }

    /// See [`first_poll_after`](Self::first_poll_after).
    pub fn first_poll_delay(&self) -> Duration {
        self.first_poll
    }

    /// See [`tolerate_failed`](Self::tolerate_failed).
    pub fn failed_tolerance(&self) -> Option<Duration> {
        self.tolerate_failed
    }

    /// Time between two reads.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Time after which no new read starts.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.interval.is_zero() {
            return Err(Error::validation(
                "wait interval",
                "0s",
                "must be positive, or the wait would flood the API with reads",
            ));
        }
        Ok(())
    }
}

/// Whether a lifecycle call returns once the server accepted it, or waits for its effect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Wait {
    /// Return once the server accepted the request.
    #[default]
    No,
    /// Poll `/status` with these options until the connector reaches the state the call
    /// leads to.
    With(WaitOptions),
}

/// What one read says about a wait.
pub(crate) enum Verdict<T> {
    Done(T),
    Pending(String),
    /// A failure state; with [`Failures::MayRecover`] it may pass within the tolerance.
    Failed {
        state: String,
        detail: Option<String>,
    },
    /// A state nothing comes back from (a deleted connector): ends the wait at once.
    Gone {
        state: String,
        detail: Option<String>,
    },
}

/// Whether a failure state ends a wait at once, or may pass within the options'
/// [`WaitOptions::tolerate_failed`] window (connector waits only).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failures {
    Final,
    MayRecover,
}

/// Reads until `judge` says done or failed, or the timeout passes. `first`, when given, is
/// judged before any read (an answer the caller already holds, such as a create's).
pub(crate) async fn poll_until<T, F, Fut>(
    options: WaitOptions,
    what: String,
    mut first: Option<T>,
    failures: Failures,
    mut read: F,
    judge: impl Fn(T) -> Verdict<T>,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    options.check()?;
    let started = Instant::now();
    // A timeout too large for the clock (Duration::MAX, say) means no deadline.
    let deadline = started.checked_add(options.timeout);
    let tolerance = match failures {
        Failures::MayRecover => options.tolerate_failed,
        Failures::Final => None,
    };
    if first.is_none() && !options.first_poll.is_zero() {
        let first_read = started.checked_add(options.first_poll);
        match (first_read, deadline) {
            (Some(at), Some(d)) => tokio::time::sleep_until(at.min(d)).await,
            (Some(at), None) => tokio::time::sleep_until(at).await,
            (None, Some(d)) => tokio::time::sleep_until(d).await,
            (None, None) => std::future::pending::<()>().await,
        }
    }
    let mut interval = options.interval;
    // When a tolerated failure was first seen, and what it said last.
    let mut failing: Option<(Instant, String, Option<String>)> = None;
    loop {
        let value = match first.take() {
            Some(value) => value,
            None => read().await?,
        };
        let now = Instant::now();
        let ended = |state: String, timed_out: bool, detail: Option<String>| Error::Wait {
            what: what.clone(),
            last_state: Some(state),
            timed_out,
            detail,
            waited: started.elapsed(),
        };
        let state = match judge(value) {
            Verdict::Done(value) => return Ok(value),
            Verdict::Gone { state, detail } => return Err(ended(state, false, detail)),
            Verdict::Failed { state, detail } => match tolerance {
                Some(window) => {
                    let since = failing.as_ref().map_or(now, |(since, _, _)| *since);
                    if now - since > window {
                        let detail = tolerance_exceeded(now - since, window, detail);
                        return Err(ended(state, false, Some(detail)));
                    }
                    let pending = format!(
                        "{state} (seen failed for {:.1}s, tolerated for up to {:.1}s)",
                        (now - since).as_secs_f64(),
                        window.as_secs_f64()
                    );
                    failing = Some((since, state, detail));
                    pending
                }
                None => return Err(ended(state, false, detail)),
            },
            Verdict::Pending(state) => {
                failing = None;
                state
            }
        };
        if deadline.is_some_and(|d| now >= d) {
            // A failure that was still being tolerated is reported with its trace.
            let detail = failing.and_then(|(_, _, detail)| detail);
            return Err(ended(state, true, detail));
        }
        tracing::debug!(%what, %state, "still waiting");
        // The next read: after the interval, or at the end of a tolerance window, or at
        // the deadline, whichever comes first.
        // Durations too large for the clock (Duration::MAX for "for ever") mean no bound.
        let mut next = now.checked_add(interval);
        if let (Some((since, _, _)), Some(window)) = (&failing, tolerance) {
            // Just past the window, so a failure that outlasts it is seen as such.
            let end = since.checked_add(window.saturating_add(Duration::from_millis(1)));
            next = earliest(next, end);
        }
        next = earliest(next, deadline);
        match next {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending::<()>().await,
        }
        interval = interval
            .saturating_mul(2)
            .min(options.max_interval.max(options.interval));
    }
}

/// The earlier of two times, where `None` is never.
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The detail of a wait ended by a failure that outlasted its tolerance window.
fn tolerance_exceeded(failed_for: Duration, window: Duration, detail: Option<String>) -> String {
    let head = format!(
        "failed for {:.1}s, longer than the tolerated {:.1}s",
        failed_for.as_secs_f64(),
        window.as_secs_f64()
    );
    match detail {
        Some(detail) => format!("{head}; {detail}"),
        None => head,
    }
}
