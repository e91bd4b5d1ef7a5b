//! The command line's arguments (clap derive): commands, flags, help and examples.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Credentials: a Cloud API key in CONFLUENT_CLOUD_API_KEY and CONFLUENT_CLOUD_API_SECRET
(`confluent api-key create --resource cloud`). Base URL: --endpoint or
CONFLUENT_CLOUD_ENDPOINT (default https://api.confluent.cloud).

Exit codes: 0 success (plan: nothing to do), 2 plan has changes, 1 anything else
(an error, a bad argument, a connector that failed).

Examples:
  ccloud-connect connectors export --environment env-123 --cluster lkc-456 --dir connectors/
  ccloud-connect connectors plan   --environment env-123 --cluster lkc-456 --dir connectors/ --prune
  ccloud-connect connectors apply  --environment env-123 --cluster lkc-456 --dir connectors/ --prune
  ccloud-connect connectors status --environment env-123 --cluster lkc-456 --output json
  ccloud-connect plugins publish --environment env-123 --name my-connector --version 1.2.3 \\
      --file target/my-connector-1.2.3.zip --cloud AWS \\
      --connector-class com.example.MySource --type SOURCE";

/// Confluent Cloud connectors as code: export, plan and apply connector files; status,
/// restarts and plugin publishing.
#[derive(Debug, Parser)]
#[command(name = "ccloud-connect", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// Base URL of the API, e.g. an emulator's http://127.0.0.1:8080.
    #[arg(
        long,
        global = true,
        env = "CONFLUENT_CLOUD_ENDPOINT",
        value_name = "URL"
    )]
    pub endpoint: Option<String>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The command groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connectors of one Kafka cluster: export, plan, apply, status, restart-failed.
    #[command(subcommand)]
    Connectors(Connectors),
    /// Custom connector plugins (ccpm): publish a version.
    #[command(subcommand)]
    Plugins(Plugins),
}

/// The `connectors` commands.
#[derive(Debug, Subcommand)]
pub enum Connectors {
    /// Write one file per connector of the cluster, every secret a ${CONNECTOR_KEY}
    /// placeholder (never a value, never a mask).
    #[command(
        after_help = "Example:\n  ccloud-connect connectors export --environment env-123 --cluster lkc-456 --dir connectors/"
    )]
    Export(ExportArgs),
    /// Compare the connector files with the cluster and print what apply would do.
    /// Exit 0: nothing to do; 2: changes; 1: error.
    #[command(
        after_help = "Example (in CI, on a pull request):\n  ccloud-connect connectors plan --environment env-123 --cluster lkc-456 --dir connectors/ --prune\n\nExit codes: 0 nothing to do, 2 changes, 1 error."
    )]
    Plan(PlanArgs),
    /// Plan, then create, update (and with --prune delete) connectors, waiting until each
    /// changed one runs; print a report. Exit 1 when a connector failed.
    #[command(
        after_help = "Example (in CI, on merge):\n  ccloud-connect connectors apply --environment env-123 --cluster lkc-456 --dir connectors/ --prune\n\nRotate a Kafka API key: point every file's kafka.api.key and kafka.api.secret at\n${KAFKA_API_KEY} and ${KAFKA_API_SECRET}, set both, and run apply --resend-secrets."
    )]
    Apply(ApplyArgs),
    /// Every connector of the cluster with its state and tasks.
    /// Exit 1 when a connector or a task is FAILED.
    #[command(
        after_help = "Example:\n  ccloud-connect connectors status --environment env-123 --cluster lkc-456 --output json\n\nExit codes: 0 no connector or task is FAILED, 1 one is (its trace is shown) or an error."
    )]
    Status(StatusArgs),
    /// Restart each failed connector or task, wait until it runs, and report.
    /// Exit 1 when one still fails.
    RestartFailed(RestartArgs),
}

/// The `plugins` commands.
#[derive(Debug, Subcommand)]
pub enum Plugins {
    /// Upload an archive and publish it as a version of a ccpm plugin (created by name
    /// when missing), then wait until it is READY.
    Publish(PublishArgs),
}

/// The cluster a command works on.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Environment id (env-...).
    #[arg(long, value_name = "ENV")]
    pub environment: String,
    /// Kafka cluster id (lkc-...).
    #[arg(long, value_name = "LKC")]
    pub cluster: String,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// For people and logs.
    #[default]
    Text,
    /// One JSON document on stdout, for programs.
    Json,
}

/// The format export writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `.json` files.
    #[default]
    Json,
    /// `.yaml` files.
    Yaml,
}

/// `connectors export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Directory to write the files into (created when missing).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// File format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

/// What plan and apply share.
#[derive(Debug, Args)]
pub struct DesiredArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Directory of connector files (*.json, *.yaml, *.yml), one connector per file.
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// Also delete the cluster's connectors that no file names.
    #[arg(long)]
    pub prune: bool,
    /// Send secrets again although nothing else changed (rotation): to every connector
    /// whose secret variables are set, or, with a name, to that connector (repeatable).
    #[arg(long, value_name = "CONNECTOR", num_args = 0..=1, default_missing_value = "")]
    pub resend_secrets: Vec<String>,
    /// Text or JSON.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// `connectors plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub desired: DesiredArgs,
}

/// `connectors apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub desired: DesiredArgs,
    /// How many connectors are changed at once.
    #[arg(long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Fail, before anything is sent, when an update would keep a stored secret because
    /// its variable is unset.
    #[arg(long)]
    pub require_secrets: bool,
    /// Go on after a connector fails (default: start nothing more).
    #[arg(long)]
    pub keep_going: bool,
    /// How long to wait for each changed connector to run, in seconds.
    #[arg(long, default_value_t = 900, value_name = "SECS")]
    pub timeout: u64,
    /// Seconds between status reads while waiting (growing to 30).
    #[arg(long, default_value_t = 5, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub poll_interval: u64,
    /// How long a connector may be FAILED right after a change and still recover, in
    /// seconds.
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub tolerate_failed: u64,
}

/// `connectors status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Text or JSON.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// `connectors restart-failed`.
#[derive(Debug, Args)]
pub struct RestartArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// How long to wait for each restarted connector to run, in seconds.
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    pub timeout: u64,
    /// Text or JSON.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// A cloud of the plugin's archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum CloudArg {
    /// Amazon Web Services.
    Aws,
    /// Microsoft Azure.
    Azure,
    /// Google Cloud.
    Gcp,
}

/// A connector class's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum ClassType {
    /// Reads from an external system into Kafka.
    Source,
    /// Writes from Kafka to an external system.
    Sink,
}

/// `plugins publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Environment id (env-...).
    #[arg(long, value_name = "ENV")]
    pub environment: String,
    /// The plugin's display name (created when the environment has none in this cloud).
    #[arg(long)]
    pub name: String,
    /// The version, SemVer (e.g. 1.2.3).
    #[arg(long)]
    pub version: String,
    /// The archive (.zip or .jar).
    #[arg(long, value_name = "FILE")]
    pub file: PathBuf,
    /// Where the archive is stored.
    #[arg(long, value_enum)]
    pub cloud: CloudArg,
    /// A connector class the archive provides (with --type).
    #[arg(long, value_name = "CLASS", requires = "type_")]
    pub connector_class: Option<String>,
    /// The connector class's type.
    #[arg(long = "type", id = "type_", value_enum, requires = "connector_class")]
    pub type_: Option<ClassType>,
    /// How long to wait for the version to be READY, in seconds.
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    pub timeout: u64,
    /// Text or JSON.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}
