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
}

/// The default of [`WaitOptions::settle`].
const DEFAULT_SETTLE: Duration = Duration::from_secs(10);

impl Default for WaitOptions {
    /// Every 5 seconds for up to 10 minutes: provisioning a connector commonly takes
    /// minutes.
    fn default() -> Self {
        WaitOptions {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(600),
            settle: DEFAULT_SETTLE,
        }
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
    Failed {
        state: String,
        detail: Option<String>,
    },
}

/// Reads until `judge` says done or failed, or the timeout passes. `first`, when given, is
/// judged before any read (an answer the caller already holds, such as a create's).
pub(crate) async fn poll_until<T, F, Fut>(
    options: WaitOptions,
    what: String,
    mut first: Option<T>,
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
    loop {
        let value = match first.take() {
            Some(value) => value,
            None => read().await?,
        };
        let state = match judge(value) {
            Verdict::Done(value) => return Ok(value),
            Verdict::Failed { state, detail } => {
                return Err(Error::Wait {
                    what,
                    last_state: Some(state),
                    timed_out: false,
                    detail,
                    waited: started.elapsed(),
                });
            }
            Verdict::Pending(state) => state,
        };
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            return Err(Error::Wait {
                what,
                last_state: Some(state),
                timed_out: true,
                detail: None,
                waited: started.elapsed(),
            });
        }
        tracing::debug!(%what, %state, "still waiting");
        let left = deadline.map_or(options.interval, |d| d - now);
        tokio::time::sleep(options.interval.min(left)).await;
    }
}
