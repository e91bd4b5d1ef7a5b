//! `connectors status` and `connectors restart-failed`.

use std::time::Duration;

use ccloud_connect::Client;
use ccloud_connect::connect::{ConnectorState, ConnectorStatus, Expand, RestartOutcome};
use ccloud_connect::wait::WaitOptions;
use serde_json::{Value, json};

use crate::args::{Output, RestartArgs, StatusArgs};
use crate::{Outcome, print_json};

/// The first line of a trace, cut to fit a terminal line.
fn first_line(trace: &str) -> String {
    let line = trace.lines().next().unwrap_or("").trim();
    if line.chars().count() > 100 {
        format!("{}...", line.chars().take(100).collect::<String>())
    } else {
        line.to_owned()
    }
}

fn status_json(name: &str, status: Option<&ConnectorStatus>) -> Value {
    match status {
        None => json!({"name": name, "state": null}),
        Some(s) => json!({
            "name": name,
            "state": s.connector.state.to_string(),
            "trace": s.connector.trace,
            "tasks": s.tasks.iter().map(|t| json!({
                "id": t.id, "state": t.state.to_string(), "msg": t.msg,
            })).collect::<Vec<_>>(),
        }),
    }
}

/// `connectors status`: one line per connector (or JSON); 1 when a connector or a task
/// is `FAILED`.
pub async fn status(client: &Client, args: StatusArgs) -> Result<Outcome, String> {
    let connectors = client
        .connect()
        .cluster(
            args.cluster.environment.as_str(),
            args.cluster.cluster.as_str(),
        )
        .connectors(Expand::STATUS)
        .await
        .map_err(|e| e.to_string())?;
    let failures = connectors
        .values()
        .filter(|x| x.status.as_ref().is_some_and(ConnectorStatus::is_failing))
        .count();
    let outcome = if failures == 0 {
        Outcome::Ok
    } else {
        Outcome::Failed
    };
    if args.output == Output::Json {
        let all: Vec<Value> = connectors
            .iter()
            .map(|(name, x)| status_json(name, x.status.as_ref()))
            .collect();
        print_json(&json!({"connectors": all, "failed": failures}))?;
        return Ok(outcome);
    }
    let width = connectors
        .keys()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    println!("{:width$}  {:12}  TASKS  TRACE", "NAME", "STATE");
    for (name, expansion) in &connectors {
        match &expansion.status {
            None => println!("{name:width$}  {:12}  -", "(no status)"),
            Some(s) => {
                let running = s
                    .tasks
                    .iter()
                    .filter(|t| t.state == ConnectorState::Running)
                    .count();
                let trace = s
                    .connector
                    .trace
                    .as_deref()
                    .map(first_line)
                    .unwrap_or_default();
                let failed_task = s
                    .tasks
                    .iter()
                    .find(|t| t.state == ConnectorState::Failed)
                    .and_then(|t| {
                        t.msg
                            .as_deref()
                            .map(|m| format!("task {}: {}", t.id, first_line(m)))
                    });
                println!(
                    "{name:width$}  {:12}  {running}/{}    {}",
                    s.connector.state.to_string(),
                    s.tasks.len(),
                    if trace.is_empty() {
                        failed_task.unwrap_or_default()
                    } else {
                        trace
                    }
                );
            }
        }
    }
    println!(
        "{} connectors in {}/{}.",
        connectors.len(),
        args.cluster.environment,
        args.cluster.cluster
    );
    if failures > 0 {
        println!("{failures} FAILED (a connector or a task): exit 1.");
    }
    Ok(outcome)
}

/// `connectors restart-failed`: restart, wait, report; 1 when one is not healed.
pub async fn restart_failed(client: &Client, args: RestartArgs) -> Result<Outcome, String> {
    let fleet = client.connect().fleet([(
        args.cluster.environment.as_str(),
        args.cluster.cluster.as_str(),
    )]);
    let waits = WaitOptions::new(Duration::from_secs(5), Duration::from_secs(args.timeout))
        .max_interval(Duration::from_secs(30))
        .tolerate_failed(Duration::from_secs(60));
    let report = fleet
        .restart_failed(waits)
        .await
        .map_err(|e| e.to_string())?;
    let line = |outcome: &RestartOutcome| -> (&str, Option<String>) {
        match outcome {
            RestartOutcome::Healthy => ("healthy", None),
            RestartOutcome::Healed(s) => ("healed", Some(s.connector.state.to_string())),
            RestartOutcome::NotHealed(e) => ("not_healed", Some(e.to_string())),
            RestartOutcome::NoStatus => ("no_status", None),
            _ => ("unknown", None),
        }
    };
    match args.output {
        Output::Json => {
            let connectors: Vec<Value> = report
                .connectors
                .iter()
                .map(|c| {
                    let (outcome, detail) = line(&c.outcome);
                    json!({"name": c.name, "outcome": outcome, "detail": detail})
                })
                .collect();
            let errors: Vec<String> = report
                .cluster_errors
                .iter()
                .map(|e| e.to_string())
                .collect();
            print_json(&json!({
                "connectors": connectors,
                "cluster_errors": errors,
                "all_running": report.all_running(),
            }))?;
        }
        Output::Text => {
            for c in &report.connectors {
                match line(&c.outcome) {
                    ("healthy", _) => {}
                    (outcome, Some(detail)) => println!("{outcome:10}  {:?}: {detail}", c.name),
                    (outcome, None) => println!("{outcome:10}  {:?}", c.name),
                }
            }
            for e in &report.cluster_errors {
                println!("error       {e}");
            }
            println!("{report}.");
        }
    }
    Ok(if report.all_running() {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}
