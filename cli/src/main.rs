//! `ccloud-connect`: Confluent Cloud connectors as code from CI with an API key. The
//! library (`ccloud_connect`) owns the logic; this program parses arguments, reads and
//! writes files, and prints.
//!
//! Exit codes: 0 success (for `plan`: nothing to do), 2 `plan` found changes, 1 anything
//! else: an error, a bad argument, a connector that failed.

mod args;
mod connectors;
mod plugins;
mod status;

use std::process::ExitCode;

use ccloud_connect::{Client, ClientBuilder};
use clap::Parser as _;

use crate::args::{Cli, Command, Connectors, Plugins};

/// What a command ends with, beyond success.
enum Outcome {
    /// Done (exit 0).
    Ok,
    /// `plan` found changes (exit 2).
    Changes,
    /// Done, but something failed, already reported (exit 1).
    Failed,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage = e.use_stderr();
            let _ = e.print();
            // 2 means "changes" for plan: a bad argument is 1, like every other error.
            return if usage {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli).await {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Changes) => ExitCode::from(2),
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli) -> Result<Outcome, String> {
    let client = || client(cli.endpoint.as_deref());
    match cli.command {
        Command::Connectors(Connectors::Export(a)) => connectors::export(&client()?, a).await,
        Command::Connectors(Connectors::Plan(a)) => connectors::plan(&client()?, a).await,
        Command::Connectors(Connectors::Apply(a)) => connectors::apply(&client()?, a).await,
        Command::Connectors(Connectors::Status(a)) => status::status(&client()?, a).await,
        Command::Connectors(Connectors::RestartFailed(a)) => {
            status::restart_failed(&client()?, a).await
        }
        Command::Plugins(Plugins::Publish(a)) => plugins::publish(&client()?, a).await,
    }
}

/// The client: credentials from the environment, the base URL from `--endpoint` or
/// `CONFLUENT_CLOUD_ENDPOINT`.
fn client(endpoint: Option<&str>) -> Result<Client, String> {
    let builder = ClientBuilder::from_env().map_err(|e| {
        format!(
            "{e}: set {} and {} to a Cloud API key (confluent api-key create --resource \
             cloud)",
            ClientBuilder::ENV_API_KEY,
            ClientBuilder::ENV_API_SECRET
        )
    })?;
    let builder = match endpoint {
        Some(url) => builder.base_url(url),
        None => builder,
    };
    builder
        .user_agent_suffix(concat!("ccloud-connect-cli/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())
}

/// A value as pretty JSON on stdout.
fn print_json(value: &impl serde::Serialize) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}
