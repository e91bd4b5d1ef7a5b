//! `connectors export`, `plan` and `apply`: files in and out, the library's plan and
//! apply, printed.

use std::collections::BTreeSet;
use std::num::NonZeroUsize;
use std::time::Duration;

use ccloud_connect::Client;
use ccloud_connect::code::{
    ApplyOptions, DesiredState, FileFormat, OnError, Plan, PlanOptions, ResendSecrets,
};
use ccloud_connect::connect::Cluster;
use ccloud_connect::wait::WaitOptions;

use crate::args::{ApplyArgs, ClusterArgs, DesiredArgs, ExportArgs, Format, Output, PlanArgs};
use crate::{Outcome, print_json};

fn cluster(client: &Client, args: &ClusterArgs) -> Cluster {
    client
        .connect()
        .cluster(args.environment.as_str(), args.cluster.as_str())
}

/// `connectors export`: one file per connector, secrets as placeholders.
pub async fn export(client: &Client, args: ExportArgs) -> Result<Outcome, String> {
    let format = match args.format {
        Format::Json => FileFormat::Json,
        Format::Yaml => FileFormat::Yaml,
    };
    let exported = cluster(client, &args.cluster)
        .export()
        .await
        .map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| format!("creating {}: {e}", args.dir.display()))?;
    let mut variables = Vec::new();
    for connector in &exported {
        let path = args.dir.join(connector.file_name(format));
        let text = connector.render(format).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
        println!("wrote {} ({:?})", path.display(), connector.name);
        variables.extend(connector.variables.values().cloned());
    }
    println!(
        "Exported {} connectors of {}/{} to {}.",
        exported.len(),
        args.cluster.environment,
        args.cluster.cluster,
        args.dir.display()
    );
    if !variables.is_empty() {
        println!(
            "Secrets are placeholders; set these variables to send them (plan needs none): {}",
            variables.join(", ")
        );
    }
    Ok(Outcome::Ok)
}

/// The desired state of `--dir` and the plan against the cluster.
async fn make_plan(client: &Client, args: &DesiredArgs) -> Result<Plan, String> {
    let desired = DesiredState::from_dir(&args.dir).map_err(|e| e.to_string())?;
    if args.prune && desired.is_empty() {
        // The library refuses this too; here the message can name the directory.
        return Err(format!(
            "{} holds no connector files, and --prune would delete every connector of the \
             cluster; check --dir (delete connectors one by one if that is what you want)",
            args.dir.display()
        ));
    }
    let resend = if args.resend_secrets.is_empty() {
        ResendSecrets::None
    } else if args.resend_secrets.iter().any(String::is_empty) {
        ResendSecrets::All
    } else {
        ResendSecrets::Only(args.resend_secrets.iter().cloned().collect::<BTreeSet<_>>())
    };
    let options = PlanOptions::new().prune(args.prune).resend_secrets(resend);
    cluster(client, &args.cluster)
        .plan_with(&desired, &options)
        .await
        .map_err(|e| e.to_string())
}

/// `connectors plan`: 0 nothing to do, 2 changes.
pub async fn plan(client: &Client, args: PlanArgs) -> Result<Outcome, String> {
    let plan = make_plan(client, &args.desired).await?;
    match args.desired.output {
        Output::Text => print!("{plan}"),
        Output::Json => print_json(&plan)?,
    }
    Ok(if plan.has_changes() {
        Outcome::Changes
    } else {
        Outcome::Ok
    })
}

/// `connectors apply`: the plan, then the report; 1 when a connector failed.
pub async fn apply(client: &Client, args: ApplyArgs) -> Result<Outcome, String> {
    let plan = make_plan(client, &args.desired).await?;
    let text = args.desired.output == Output::Text;
    if text {
        print!("{plan}");
    }
    if !plan.has_changes() {
        if !text {
            print_json(&serde_json::json!({"plan": plan, "report": null}))?;
        }
        return Ok(Outcome::Ok);
    }
    let waits = WaitOptions::new(
        Duration::from_secs(args.poll_interval),
        Duration::from_secs(args.timeout),
    )
    .max_interval(Duration::from_secs(30).max(Duration::from_secs(args.poll_interval)))
    .tolerate_failed(Duration::from_secs(args.tolerate_failed));
    let options = ApplyOptions::new()
        .concurrency(NonZeroUsize::new(args.concurrency.into()).unwrap_or(NonZeroUsize::MIN))
        .waits(waits)
        .require_secrets(args.require_secrets)
        .on_error(if args.keep_going {
            OnError::Continue
        } else {
            OnError::Stop
        });
    if text {
        println!("Applying...");
    }
    let report = plan.apply(&options).await.map_err(|e| e.to_string())?;
    match args.desired.output {
        Output::Text => print!("{report}"),
        Output::Json => print_json(&serde_json::json!({"plan": plan, "report": report}))?,
    }
    Ok(if report.succeeded() {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}
