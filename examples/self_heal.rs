//! Self-healing for a cluster's connectors: list them with their status, restart every
//! connector that is FAILED or has a FAILED task, wait until it runs again, and report what
//! could not be healed.
//!
//! ```text
//! CONFLUENT_CLOUD_API_KEY, CONFLUENT_CLOUD_API_SECRET   a Cloud API key (--resource cloud)
//! CONFLUENT_ENVIRONMENT_ID, CONFLUENT_KAFKA_CLUSTER_ID  the cluster to heal
//! CONFLUENT_CLOUD_ENDPOINT                              optional: another base URL
//! cargo run --example self_heal
//! ```
//!
//! Exit status: 0 when every connector runs with every task (after healing, or already);
//! 1 when one could not be healed (each is named with its state and trace); 2 on a
//! configuration or API error.
//!
//! A restart is asynchronous on the server (`202 Accepted`), and the first status reads
//! after it can still show the failure from before: the wait of
//! [`ConnectorHandle::restart`] only trusts such a read once the status has changed or the
//! settle time has passed, so a connector that is restarting is not given up on.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use ccloud_connect::connect::{Cluster, ConnectorState, ConnectorStatus, Expand};
use ccloud_connect::wait::{Wait, WaitOptions};
use ccloud_connect::{Client, Error, Result};

/// The environment variable naming the environment (`env-...`).
pub const ENV_ENVIRONMENT_ID: &str = "CONFLUENT_ENVIRONMENT_ID";
/// The environment variable naming the Kafka cluster (`lkc-...`).
pub const ENV_KAFKA_CLUSTER_ID: &str = "CONFLUENT_KAFKA_CLUSTER_ID";

/// What a healing pass found and did.
#[derive(Debug, Default)]
pub struct Report {
    /// Connectors that were running with every task already.
    pub healthy: Vec<String>,
    /// Connectors that were failing and run again after a restart.
    pub healed: Vec<String>,
    /// Connectors still failing after a restart (or whose restart failed), with why.
    pub unhealed: Vec<(String, String)>,
}

/// Whether a status needs a restart: the connector FAILED, or one of its tasks did.
fn failing(status: &ConnectorStatus) -> bool {
    status.connector.state == ConnectorState::Failed
        || status
            .tasks
            .iter()
            .any(|t| t.state == ConnectorState::Failed)
}

/// Heals one cluster: every failing connector is restarted and waited for with `waits`;
/// a connector that comes back RUNNING with a task still FAILED counts as not healed.
pub async fn heal(cluster: &Cluster, waits: WaitOptions, out: &mut impl Write) -> Result<Report> {
    let io = |e: std::io::Error| Error::Io {
        context: "writing the report".to_owned(),
        source: e,
    };
    let mut report = Report::default();
    for (name, expansion) in cluster.connectors(Expand::STATUS).await? {
        let Some(status) = expansion.status else {
            writeln!(out, "{name}: no status; skipped").map_err(io)?;
            continue;
        };
        if !failing(&status) {
            report.healthy.push(name);
            continue;
        }
        writeln!(out, "{name}: {}, restarting", describe(&status)).map_err(io)?;
        let outcome = cluster.connector(&name).restart(Wait::With(waits)).await;
        match outcome {
            Ok(Some(status)) if !failing(&status) => {
                writeln!(out, "{name}: healed, {}", status.connector.state).map_err(io)?;
                report.healed.push(name);
            }
            Ok(status) => {
                let why = status
                    .as_ref()
                    .map_or_else(|| "no status after the restart".to_owned(), describe);
                writeln!(out, "{name}: NOT healed: {why}").map_err(io)?;
                report.unhealed.push((name, why));
            }
            // The connector ended FAILED again, or the wait ran out: this one needs a
            // person. Other errors (credentials, the API down) end the pass.
            Err(e @ Error::Wait { .. }) => {
                writeln!(out, "{name}: NOT healed: {e}").map_err(io)?;
                report.unhealed.push((name, e.to_string()));
            }
            Err(e) => return Err(e),
        }
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
    let cluster = client.connect().cluster(environment, cluster);
    // Every 2 s for up to 5 minutes per connector; a restart read that still shows the old
    // failure is trusted only after 20 s without a change.
    let waits = WaitOptions::new(Duration::from_secs(2), Duration::from_secs(300))
        .settle(Duration::from_secs(20));
    let mut out = std::io::stdout();
    match heal(&cluster, waits, &mut out).await {
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
