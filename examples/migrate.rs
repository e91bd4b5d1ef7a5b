//! Moves a connector from a self-managed Kafka Connect worker to Confluent Cloud: by
//! default a dry run that prints the plan (the managed configuration with secrets masked,
//! the offsets, the translation's warnings and errors) and changes nothing; with
//! `--apply`, the move (create with the offsets, wait until RUNNING, then stop the
//! worker's connector unless `--keep-worker`).
//!
//! ```text
//! CONFLUENT_CLOUD_API_KEY, CONFLUENT_CLOUD_API_SECRET   a Cloud API key
//! CONFLUENT_ENVIRONMENT_ID, CONFLUENT_KAFKA_CLUSTER_ID   where the connector goes
//! KAFKA_API_KEY, KAFKA_API_SECRET                        the managed connector's Kafka key
//! KAFKA_CONNECT_URL                                      the worker's REST API
//! KAFKA_CONNECT_USER, KAFKA_CONNECT_PASSWORD             optional: its Basic credentials
//! CONFLUENT_CLOUD_ENDPOINT                               optional: another base URL
//! cargo run --example migrate -- CONNECTOR [--plugin NAME] [--apply] [--keep-worker]
//! ```
//!
//! Exit status: 0 when the plan has no errors (dry run) or the connector runs in
//! Confluent Cloud (`--apply`, also when an earlier run had moved it); 1 when the
//! translation has errors or a step failed (the error names the step and what was already
//! done); 2 on a usage or configuration error.

use std::process::ExitCode;
use std::time::Duration;

use ccloud_connect::migrate::{Migration, MigrationOutcome, Worker};
use ccloud_connect::wait::WaitOptions;
use ccloud_connect::{Client, Error};

const USAGE: &str =
    "usage: migrate CONNECTOR [--plugin NAME] [--apply] [--keep-worker] (see the file's docs)";

fn var(name: &str) -> Result<String, String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("{name} is not set"))
}

struct Args {
    connector: String,
    plugin: Option<String>,
    apply: bool,
    keep_worker: bool,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        connector: String::new(),
        plugin: None,
        apply: false,
        keep_worker: false,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--apply" => parsed.apply = true,
            "--keep-worker" => parsed.keep_worker = true,
            "--plugin" => parsed.plugin = Some(args.next().ok_or("--plugin takes a name")?),
            flag if flag.starts_with('-') => return Err(format!("unknown flag {flag}")),
            name if parsed.connector.is_empty() => parsed.connector = name.to_owned(),
            extra => return Err(format!("one connector at a time, not also {extra:?}")),
        }
    }
    if parsed.connector.is_empty() {
        return Err("name the connector to migrate".to_owned());
    }
    Ok(parsed)
}

fn setup(args: &Args) -> Result<(Client, Migration, String, String), String> {
    let client = Client::from_env().map_err(|e| e.to_string())?;
    let mut worker = Worker::new(&var("KAFKA_CONNECT_URL")?).map_err(|e| e.to_string())?;
    if let Ok(user) = var("KAFKA_CONNECT_USER") {
        worker = worker
            .basic_auth(user, var("KAFKA_CONNECT_PASSWORD")?)
            .map_err(|e| e.to_string())?;
    }
    let mut migration = Migration::new(worker, &args.connector)
        .secret("kafka.api.key", var("KAFKA_API_KEY")?)
        .secret("kafka.api.secret", var("KAFKA_API_SECRET")?)
        .wait(WaitOptions::new(
            Duration::from_secs(2),
            Duration::from_secs(600),
        ))
        .stop_worker_connector(!args.keep_worker);
    if let Some(plugin) = &args.plugin {
        migration = migration.plugin(plugin);
    }
    Ok((
        client,
        migration,
        var("CONFLUENT_ENVIRONMENT_ID")?,
        var("CONFLUENT_KAFKA_CLUSTER_ID")?,
    ))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (client, migration, env, lkc) = match setup(&args) {
        Ok(parts) => parts,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let cluster = client.connect().cluster(env, lkc);
    if !args.apply {
        return match migration.plan(&cluster).await {
            Ok(plan) => {
                print!("{plan}");
                if plan.errors.is_empty() {
                    println!("dry run: nothing was changed; run again with --apply to migrate");
                    ExitCode::SUCCESS
                } else {
                    println!("dry run: the translation has errors; fix them before --apply");
                    ExitCode::from(1)
                }
            }
            Err(e) => fail(&e),
        };
    }
    match migration.run(&cluster).await {
        Ok(report) => {
            for w in &report.warnings {
                println!("warning: {w}");
            }
            let worker = if report.worker_stopped {
                "stopped"
            } else {
                "still running"
            };
            match report.outcome {
                MigrationOutcome::NothingToMigrate => println!(
                    "{}: nothing to migrate (already in Confluent Cloud; worker's connector {worker})",
                    report.connector
                ),
                _ => println!(
                    "{}: migrated with {} partition(s) of offsets, RUNNING; worker's connector {worker}",
                    report.connector, report.offsets
                ),
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &Error) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(1)
}
