//! Scripted connector states: a [`Script`] is a sequence of states, each shown for a
//! while, the last one for ever, that a connector's status follows from the moment the
//! script starts. A leaf: the store holds scripts, the control endpoints set them.

use std::time::Duration;

/// A state a scripted connector shows, with what its tasks show alongside.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScriptedState {
    /// `PROVISIONING`, with no tasks (as a connector being provisioned runs none).
    Provisioning,
    /// `RUNNING`, every task `RUNNING`.
    Running,
    /// `PAUSED`, every task `PAUSED`.
    Paused,
    /// `FAILED` with `connector.trace` set to the trace, every task `FAILED` with the
    /// trace as its `msg`, as an injected connector failure shows.
    Failed {
        /// Kafka Connect's stack trace.
        trace: String,
    },
    /// `DEGRADED`: the connector runs, task 0 is `FAILED` with the trace as its `msg`,
    /// the other tasks `RUNNING`.
    Degraded {
        /// The failed task's stack trace.
        trace: String,
    },
}

impl ScriptedState {
    /// [`ScriptedState::Failed`] with this trace.
    pub fn failed(trace: impl Into<String>) -> Self {
        ScriptedState::Failed {
            trace: trace.into(),
        }
    }

    /// [`ScriptedState::Degraded`] with this trace.
    pub fn degraded(trace: impl Into<String>) -> Self {
        ScriptedState::Degraded {
            trace: trace.into(),
        }
    }

    /// The state's name in the API (`PROVISIONING`, `RUNNING`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            ScriptedState::Provisioning => "PROVISIONING",
            ScriptedState::Running => "RUNNING",
            ScriptedState::Paused => "PAUSED",
            ScriptedState::Failed { .. } => "FAILED",
            ScriptedState::Degraded { .. } => "DEGRADED",
        }
    }
}

/// The states a connector's status goes through, in order, each for its duration; the
/// last holds for ever, whatever its duration. Given to a connector with
/// [`EmulatorHandle::script_connector`](crate::EmulatorHandle::script_connector) (it
/// starts at once) or, before the connector exists, with
/// [`EmulatorHandle::script_next_connector`](crate::EmulatorHandle::script_next_connector)
/// (it starts when the connector is created).
///
/// While a script runs, the connector's status, its tasks (in the connector, the task
/// list and `expand=status`/`expand=info` lists) and its state as inspected follow the
/// script alone: the provisioning delay, pauses, restarts, injected failures and a
/// stale-status window still happen underneath, and show once the script is cleared.
///
/// ```
/// use std::time::Duration;
/// use ccloud_connect_emulator::{Script, ScriptedState};
/// // PROVISIONING for 2 s, RUNNING for 1 s, FAILED for 1 s, then RUNNING for ever.
/// let flapping = Script::new()
///     .then(ScriptedState::Provisioning, Duration::from_secs(2))
///     .then(ScriptedState::Running, Duration::from_secs(1))
///     .then(ScriptedState::failed("java.lang.OutOfMemoryError"), Duration::from_secs(1))
///     .hold(ScriptedState::Running);
/// assert_eq!(flapping.steps().len(), 4);
/// // A connector that never leaves PROVISIONING, until its script is cleared.
/// assert_eq!(Script::stuck_provisioning().steps()[0].0, ScriptedState::Provisioning);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    steps: Vec<(ScriptedState, Duration)>,
}

impl Script {
    /// A script with no steps yet. Given to a connector as it is, it clears the
    /// connector's script: the connector shows its own lifecycle.
    pub fn new() -> Self {
        Script::default()
    }

    /// A connector stuck in `PROVISIONING` for ever (until its script is cleared, with
    /// [`EmulatorHandle::clear_connector_script`](crate::EmulatorHandle::clear_connector_script)):
    /// what a client's wait for `RUNNING` must time out on.
    pub fn stuck_provisioning() -> Self {
        Script::new().hold(ScriptedState::Provisioning)
    }

    /// Then `state` for `duration` (for ever when it is the last step).
    pub fn then(mut self, state: ScriptedState, duration: Duration) -> Self {
        self.steps.push((state, duration));
        self
    }

    /// Then `state` for ever: the last step (a step added after it never shows).
    pub fn hold(self, state: ScriptedState) -> Self {
        self.then(state, Duration::ZERO)
    }

    /// The steps: each state and how long it shows.
    pub fn steps(&self) -> &[(ScriptedState, Duration)] {
        &self.steps
    }

    /// Whether the script has no steps.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The state shown `elapsed` after the script started; `None` with no steps.
    pub(crate) fn state_at(&self, elapsed: Duration) -> Option<&ScriptedState> {
        let mut end = Duration::ZERO;
        let (last, timed) = self.steps.split_last()?;
        for (state, duration) in timed {
            end = end.saturating_add(*duration);
            if elapsed < end {
                return Some(state);
            }
        }
        Some(&last.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn each_step_shows_for_its_duration_and_the_last_for_ever() {
        let s = Script::new()
            .then(ScriptedState::Provisioning, secs(2))
            .then(ScriptedState::Running, secs(1))
            .then(ScriptedState::failed("boom"), secs(1))
            .then(ScriptedState::Running, secs(1));
        let at = |ms: u64| s.state_at(Duration::from_millis(ms)).unwrap().as_str();
        assert_eq!(at(0), "PROVISIONING");
        assert_eq!(at(1999), "PROVISIONING");
        assert_eq!(at(2000), "RUNNING");
        assert_eq!(at(3000), "FAILED");
        assert_eq!(at(3999), "FAILED");
        assert_eq!(at(4000), "RUNNING");
        assert_eq!(
            at(u64::MAX),
            "RUNNING",
            "the last step's duration counts for nothing"
        );
        assert_eq!(
            s.state_at(secs(3)),
            Some(&ScriptedState::Failed {
                trace: "boom".to_owned()
            })
        );
    }

    #[test]
    fn degenerate_scripts() {
        assert_eq!(Script::new().state_at(secs(1)), None);
        assert!(Script::new().is_empty());
        let stuck = Script::stuck_provisioning();
        assert_eq!(
            stuck.state_at(secs(86_400 * 365)),
            Some(&ScriptedState::Provisioning)
        );
        let zero = Script::new()
            .then(ScriptedState::Paused, Duration::ZERO)
            .hold(ScriptedState::degraded("t"));
        assert_eq!(zero.state_at(Duration::ZERO).unwrap().as_str(), "DEGRADED");
        let huge = Script::new()
            .then(ScriptedState::Running, Duration::MAX)
            .then(ScriptedState::Paused, Duration::MAX)
            .hold(ScriptedState::Provisioning);
        assert_eq!(
            huge.state_at(Duration::MAX).unwrap().as_str(),
            "PROVISIONING"
        );
    }
}
