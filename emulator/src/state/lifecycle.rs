//! What a test can make a connector go through: injected [`Failure`]s and the [`Delays`] of
//! lifecycle actions. A leaf: it imports nothing of the emulator, so the store can hold
//! both and the public API can re-export them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A failure injected into a connector with
/// [`EmulatorHandle::fail_connector`](crate::EmulatorHandle::fail_connector).
///
/// ```
/// use ccloud_connect_emulator::Failure;
/// // The whole connector fails; a restart heals it.
/// let connector = Failure::connector("java.lang.OutOfMemoryError: Java heap space");
/// // Task 1 fails while the connector keeps RUNNING, and keeps failing after restarts.
/// let task = Failure::task(1, "org.apache.kafka.connect.errors.ConnectException: boom")
///     .persistent(true);
/// assert_eq!(task.task_id(), Some(1));
/// assert!(!connector.is_persistent());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    task: Option<i64>,
    trace: String,
    persistent: bool,
}

impl Failure {
    /// The connector fails: state `FAILED`, `connector.trace` set to `trace`, every task
    /// `FAILED` with `trace` as its `msg`.
    pub fn connector(trace: impl Into<String>) -> Self {
        Failure {
            task: None,
            trace: trace.into(),
            persistent: false,
        }
    }

    /// Task `task_id` fails (`FAILED`, with `trace` as its `msg`) while the connector stays
    /// `RUNNING`, as Kafka Connect reports a task that died. Injecting it into a connector
    /// that does not run that task (a negative id, or one at or above `tasks.max`) is
    /// refused (`EmulatorHandle::fail_connector` answers `false`, HTTP `404`). The id is an `i64`, the type of
    /// the task ids in the client's status and task answers
    /// (`ConnectorTaskStatus::id`, `ConnectorTaskId::task`).
    pub fn task(task_id: i64, trace: impl Into<String>) -> Self {
        Failure {
            task: Some(task_id),
            trace: trace.into(),
            persistent: false,
        }
    }

    /// Whether the failure survives a restart (and a configuration change): by default a
    /// restart heals it; a persistent one is back, with the same trace, once the connector
    /// has provisioned again.
    pub fn persistent(mut self, persistent: bool) -> Self {
        self.persistent = persistent;
        self
    }

    /// The failed task, or `None` when the whole connector fails.
    pub fn task_id(&self) -> Option<i64> {
        self.task
    }

    /// The trace (Kafka Connect's stack trace) the failure shows.
    pub fn trace(&self) -> &str {
        &self.trace
    }

    /// See [`persistent`](Failure::persistent).
    pub fn is_persistent(&self) -> bool {
        self.persistent
    }
}

/// How long lifecycle actions take; set at start with the builder
/// ([`EmulatorConfig::restart_delay`](crate::EmulatorConfig::restart_delay) and its
/// siblings) or at run time with
/// [`EmulatorHandle::set_delays`](crate::EmulatorHandle::set_delays).
///
/// After a pause, resume or restart, `GET .../status` answers the status from before the
/// action for `stale_status`, then shows the transition (`PROVISIONING` for `restart`, the
/// old `RUNNING` or `PAUSED` for `pause` and `resume`), then the outcome.
///
/// ```
/// use std::time::Duration;
/// use ccloud_connect_emulator::Delays;
/// let delays = Delays::instant()
///     .with_pause(Duration::from_secs(2))
///     .with_stale_status(Duration::from_secs(1));
/// assert_eq!(delays.resume, Duration::ZERO);
/// assert_eq!(delays.pause, Duration::from_secs(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delays {
    /// `PROVISIONING` after create and after a configuration change; offsets requests stay
    /// `PENDING` as long.
    pub provisioning: Duration,
    /// `PROVISIONING` after a restart.
    pub restart: Duration,
    /// Still `RUNNING` after a pause, until `PAUSED`.
    pub pause: Duration,
    /// Still `PAUSED` after a resume, until `RUNNING`.
    pub resume: Duration,
    /// How long after a pause, resume or restart the status still shows the state from
    /// before it.
    pub stale_status: Duration,
}

impl Default for Delays {
    /// The emulator's defaults: 200 ms of provisioning and restart, the rest instant.
    fn default() -> Self {
        Delays {
            provisioning: Duration::from_millis(200),
            restart: Duration::from_millis(200),
            pause: Duration::ZERO,
            resume: Duration::ZERO,
            stale_status: Duration::ZERO,
        }
    }
}

impl Delays {
    /// Every delay zero: each action shows its outcome at once.
    pub fn instant() -> Self {
        Delays {
            provisioning: Duration::ZERO,
            restart: Duration::ZERO,
            pause: Duration::ZERO,
            resume: Duration::ZERO,
            stale_status: Duration::ZERO,
        }
    }

    /// With `provisioning` changed.
    pub fn with_provisioning(mut self, delay: Duration) -> Self {
        self.provisioning = delay;
        self
    }

    /// With `restart` changed.
    pub fn with_restart(mut self, delay: Duration) -> Self {
        self.restart = delay;
        self
    }

    /// With `pause` changed.
    pub fn with_pause(mut self, delay: Duration) -> Self {
        self.pause = delay;
        self
    }

    /// With `resume` changed.
    pub fn with_resume(mut self, delay: Duration) -> Self {
        self.resume = delay;
        self
    }

    /// With `stale_status` changed.
    pub fn with_stale_status(mut self, window: Duration) -> Self {
        self.stale_status = window;
        self
    }
}

/// A deadline `delay` after `at`. Delays come from users (builder, flags, control bodies)
/// and may be absurd; one too large for the clock means "never" instead of a panic.
pub(crate) fn later(at: tokio::time::Instant, delay: Duration) -> tokio::time::Instant {
    const NEVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    at.checked_add(delay.min(NEVER))
        .or_else(|| at.checked_add(Duration::from_secs(24 * 3600)))
        .unwrap_or(at)
}
