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

use ccloud_connect::connect::{
    ConnectorState, ConnectorStatus, Fleet, RestartOutcome, RestartReport,
};
use ccloud_connect::wait::WaitOptions;
use ccloud_connect::{Client, Error, Result};

/// The environment variable naming the environment (`env-...`).
pub const ENV_ENVIRONMENT_ID: &str = "CONFLUENT_ENVIRONMENT_ID";
/// The environment variable naming the Kafka cluster (`lkc-...`), or several, comma-separated.
pub const ENV_KAFKA_CLUSTER_ID: &str = "CONFLUENT_KAFKA_CLUSTER_ID";

/// Heals a fleet: every failing connector is restarted and waited for with `waits`; a
/// connector that comes back RUNNING with a task still FAILED counts as not healed. Prints
/// a line for every connector that was not simply healthy, and returns the fleet's report.
pub async fn heal(
    fleet: &Fleet,
    waits: WaitOptions,
    out: &mut impl Write,
) -> Result<RestartReport> {
    let io = |e: std::io::Error| Error::Io {
        context: "writing the report".to_owned(),
        source: e,
    };
    let report = fleet.restart_failed(waits).await?;
    for c in &report.connectors {
        let name = &c.name;
        match &c.outcome {
            RestartOutcome::Healed(status) => {
                let before = c.before.as_ref().map_or_else(String::new, describe);
                writeln!(
                    out,
                    "{name}: was {before}; healed, {}",
                    status.connector.state
                )
                .map_err(io)?;
            }
            RestartOutcome::NotHealed(e) => writeln!(out, "{name}: NOT healed: {e}").map_err(io)?,
            RestartOutcome::NoStatus => writeln!(out, "{name}: no status; skipped").map_err(io)?,
            _ => {}
        }
    }
    for e in &report.cluster_errors {
        writeln!(out, "{e}").map_err(io)?;
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
            println!("{report}");
            // A connector without a status is not known to run: not a success either.
            if report.all_running() {
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
