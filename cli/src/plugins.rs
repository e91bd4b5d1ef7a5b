//! `plugins publish`: the archive uploaded with a progress bar (plain lines when stderr is
//! not a terminal), the version published and waited for.

use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ccloud_connect::Client;
use ccloud_connect::ccpm::{Cloud, ConnectorClassType, NewPluginVersion, PluginRef};
use ccloud_connect::upload::{Archive, ArchiveFormat, Progress, UploadOptions};
use ccloud_connect::wait::WaitOptions;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::args::{ClassType, CloudArg, Output, PublishArgs};
use crate::{Outcome, print_json};

/// A bar on a terminal; elsewhere (a CI log) a line per quarter, since every redraw of a
/// bar would stay as a line of its own.
fn progress_view() -> Box<dyn Fn(Progress) + Send + Sync> {
    if std::io::stderr().is_terminal() {
        let template =
            "[{bar:40}] {percent:>3}% {bytes}/{total_bytes} ({binary_bytes_per_sec}, {eta})";
        let style = ProgressStyle::with_template(template).expect("a valid template");
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(style.progress_chars("#>."));
        Box::new(move |p| {
            bar.set_length(p.total);
            bar.set_position(p.sent);
            if p.sent >= p.total {
                bar.finish();
            }
        })
    } else {
        let shown = AtomicU64::new(0);
        Box::new(move |p| {
            let quarter = (p.fraction() * 4.0) as u64;
            if shown.fetch_max(quarter, Ordering::Relaxed) < quarter {
                eprintln!(
                    "uploaded {:3}% ({}/{} bytes)",
                    quarter * 25,
                    p.sent,
                    p.total
                );
            }
        })
    }
}

/// `plugins publish`.
pub async fn publish(client: &Client, args: PublishArgs) -> Result<Outcome, String> {
    let format = ArchiveFormat::from_path(&args.file).ok_or_else(|| {
        format!(
            "{}: the archive must be a .zip or .jar file",
            args.file.display()
        )
    })?;
    let archive = Archive::open(&args.file, format).map_err(|e| e.to_string())?;
    let cloud = match args.cloud {
        CloudArg::Aws => Cloud::Aws,
        CloudArg::Azure => Cloud::Azure,
        CloudArg::Gcp => Cloud::Gcp,
    };
    let mut version =
        NewPluginVersion::new(PluginRef::named(args.name.clone(), cloud), &args.version)
            .wait_until_ready(WaitOptions::new(
                Duration::from_secs(5),
                Duration::from_secs(args.timeout),
            ));
    if let (Some(class), Some(kind)) = (&args.connector_class, args.type_) {
        let kind = match kind {
            ClassType::Source => ConnectorClassType::Source,
            ClassType::Sink => ConnectorClassType::Sink,
        };
        version = version.connector_class(class.clone(), kind);
    }
    let options = UploadOptions::new().progress(progress_view());
    let published = client
        .ccpm()
        .environment(args.environment.as_str())
        .publish_version(&version, &archive, &options)
        .await
        .map_err(|e| e.to_string())?;
    let phase = published
        .version
        .status
        .as_ref()
        .map(|s| s.phase.to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    match args.output {
        Output::Json => print_json(&json!({
            "plugin_id": published.plugin.id,
            "plugin_created": published.plugin_created,
            "version_id": published.version.id,
            "version": args.version,
            "phase": phase,
        }))?,
        Output::Text => println!(
            "Published {} {} as version {} of plugin {}{}: {phase}.",
            args.name,
            args.version,
            published.version.id.as_deref().unwrap_or("(no id)"),
            published.plugin.id.as_deref().unwrap_or("(no id)"),
            if published.plugin_created {
                " (created)"
            } else {
                ""
            },
        ),
    }
    Ok(Outcome::Ok)
}
