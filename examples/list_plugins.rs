//! Lists every custom connector plugin (connect/v1) and, with `--environment`, every ccpm
//! plugin of that environment, streaming them page by page.
//!
//! ```text
//! CONFLUENT_CLOUD_API_KEY=... CONFLUENT_CLOUD_API_SECRET=... \
//!     cargo run --example list_plugins -- [--environment env-abc123]
//! ```
//! `CONFLUENT_CLOUD_ENDPOINT` points it at another base URL (a proxy or the emulator).

use std::process::ExitCode;

use ccloud_connect::{Client, connect};
use futures::TryStreamExt;

fn environment_arg() -> Result<Option<String>, String> {
    let mut args = std::env::args().skip(1);
    let mut environment = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--environment" => {
                environment = Some(args.next().ok_or("--environment needs a value (env-...)")?)
            }
            "-h" | "--help" => {
                return Err("usage: list_plugins [--environment ENV_ID]".to_owned());
            }
            other => {
                return Err(format!(
                    "unexpected argument {other:?}; usage: list_plugins [--environment ENV_ID]"
                ));
            }
        }
    }
    Ok(environment)
}

async fn run(environment: Option<String>) -> ccloud_connect::Result<()> {
    let client = Client::from_env()?;

    // Without a cloud the API lists only AWS plugins: ask for each cloud in turn.
    for cloud in connect::Cloud::KNOWN {
        let mut plugins = client
            .connect()
            .custom_plugins(Some(connect::Cloud::from(*cloud)))
            .by_item();
        while let Some(plugin) = plugins.try_next().await? {
            println!(
                "{}\t{}",
                plugin.id.as_deref().unwrap_or("-"),
                plugin.display_name
            );
        }
    }

    if let Some(env) = environment {
        let mut plugins = client.ccpm().environment(&env).plugins(None).by_item();
        while let Some(plugin) = plugins.try_next().await? {
            println!(
                "{}\t{}",
                plugin.id.as_deref().unwrap_or("-"),
                plugin.spec.display_name
            );
        }
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let environment = match environment_arg() {
        Ok(env) => env,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    match run(environment).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
