//! Self-healing for connectors: list every connector of one or more clusters with its
//! status, restart every connector that is FAILED or has a FAILED task, wait until it runs
//! again, and report what could not be healed. The work is the fleet operation
//! [`Fleet::restart_failed`]; this program prints its report.
//!
//! ```text
//! CONFLUENT_CLOUD_API_KEY, CONFLUENT_CLOUD_API_SECRET   a Cloud API key (--resource cloud)
//! CONFLUENT_ENVIRONMENT_ID                              the environment
//! CONFLUENT_KAFKA_CLUSTER_ID                            its cluster, or clusters: lkc-1,lkc-2
//! CONFLUENT_CLOUD_ENDPOINT                              optional: another base URL
//! cargo run --example self_heal
//! ```
//!
//! Exit status: 0 when every connector runs with every task (after healing, or already);
//! 1 when one could not be healed (each is named with its state and trace) or a cluster
//! could not be read; 2 on a configuration error.
//!
//! A restart is asynchronous on the server (`202 Accepted`), and the first status reads
//! after it can still show the failure from before: the wait of the restart only trusts
//! such a read once the status has changed or the settle time has passed, so a connector
//! that is restarting is not given up on. The client paces its requests under the API's
//! rate limit, so a large fleet does not run into `429`s.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use ccloud_connect::connect::{ConnectorState, ConnectorStatus, Fleet, RestartOutcome};
use ccloud_connect::wait::WaitOptions;
use ccloud_connect::{Client, Error, Result};

/// The environment variable naming the environment (`env-...`).
pub const ENV_ENVIRONMENT_ID: &str = "CONFLUENT_ENVIRONMENT_ID";
/// The environment variable naming the Kafka cluster (`lkc-...`), or several, comma-separated.
pub const ENV_KAFKA_CLUSTER_ID: &str = "CONFLUENT_KAFKA_CLUSTER_ID";

/// What a healing pass found and did.
#[derive(Debug, Default)]
pub struct Report {
    /// Connectors that were running with every task already.
    pub healthy: Vec<String>,
    /// Connectors that were failing and run again after a restart.
    pub healed: Vec<String>,
    /// Connectors still failing after a restart (or whose restart failed), with why; and
    /// clusters that could not be read.
    pub unhealed: Vec<(String, String)>,
}

/// Heals a fleet: every failing connector is restarted and waited for with `waits`; a
/// connector that comes back RUNNING with a task still FAILED counts as not healed.
pub async fn heal(fleet: &Fleet, waits: WaitOptions, out: &mut impl Write) -> Result<Report> {
    let io = |e: std::io::Error| Error::Io {
        context: "writing the report".to_owned(),
        source: e,
    };
    let done = fleet.restart_failed(waits).await?;
    let mut report = Report::default();
    for c in done.connectors {
        let name = c.name;
        match c.outcome {
            RestartOutcome::Healthy => report.healthy.push(name),
            RestartOutcome::NoStatus => writeln!(out, "{name}: no status; skipped").map_err(io)?,
            RestartOutcome::Healed(status) => {
                let before = c.before.as_ref().map_or_else(String::new, describe);
                writeln!(
                    out,
                    "{name}: was {before}; healed, {}",
                    status.connector.state
                )
                .map_err(io)?;
                report.healed.push(name);
            }
            outcome => {
                let why = match outcome {
                    RestartOutcome::NotHealed(e) => e.to_string(),
                    other => format!("{other:?}"),
                };
                writeln!(out, "{name}: NOT healed: {why}").map_err(io)?;
                report.unhealed.push((name, why));
            }
        }
    }
    for e in done.cluster_errors {
        writeln!(out, "{e}").map_err(io)?;
        report.unhealed.push((
            format!("{}/{}", e.environment_id, e.kafka_cluster_id),
            e.error.to_string(),
        ));
    }
    Ok(report)
}

/// The state, with the trace and the failed tasks' messages when there are any.
fn describe(status: &ConnectorStatus) -> String {
    let mut text = status.connector.state.to_string();
    if let Some(trace) = status.connector.trace.as_deref().filter(|t| !t.is_empty()) {
        text.push_str(&format!(" ({trace})"));
    }
    for task in status
        .tasks
        .iter()
        .filter(|t| t.state == ConnectorState::Failed)
    {
        let msg = task.msg.as_deref().unwrap_or("no message");
        text.push_str(&format!("; task {} FAILED ({msg})", task.id));
    }
    text
}

#[tokio::main]
async fn main() -> ExitCode {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (Some(environment), Some(cluster)) = (var(ENV_ENVIRONMENT_ID), var(ENV_KAFKA_CLUSTER_ID))
    else {
        eprintln!("set {ENV_ENVIRONMENT_ID} and {ENV_KAFKA_CLUSTER_ID} to the cluster to heal");
        return ExitCode::from(2);
    };
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let fleet = client.connect().fleet(
        cluster
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| (environment.clone(), c.to_owned())),
    );
    // Every 2 s for up to 5 minutes per connector; a restart read that still shows the old
    // failure is trusted only after 20 s without a change.
    let waits = WaitOptions::new(Duration::from_secs(2), Duration::from_secs(300))
        .settle(Duration::from_secs(20));
    let mut out = std::io::stdout();
    match heal(&fleet, waits, &mut out).await {
        Ok(report) => {
            println!(
                "{} healthy, {} healed, {} not healed",
                report.healthy.len(),
                report.healed.len(),
                report.unhealed.len()
            );
            if report.unhealed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
