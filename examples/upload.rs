//! Uploads a plugin archive to a presigned URL with the crate's upload code.
//!
//! ```sh
//! cargo run --example upload -- --presigned answer.json --file my-plugin.zip [--cloud AWS|AZURE|GCP]
//! ```
//!
//! `answer.json` is the body either API returned for `POST /connect/v1/presigned-upload-url`
//! or `POST /ccpm/v1/presigned-upload-url`. The storage protocol follows the answer's `cloud`,
//! else `--cloud`, else S3 when the answer has `upload_form_data`. The archive format is the
//! answer's `content_format`, else the file's extension. No Confluent credential is needed or
//! read: the storage URL carries its own signature.
//!
//! Progress goes to stderr: a bar on a terminal, a line per quarter otherwise.

use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use ccloud_connect::upload::{Archive, ArchiveFormat, PresignedUpload, Progress, UploadOptions};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

struct Args {
    presigned: String,
    file: String,
    cloud: Option<String>,
}

const USAGE: &str =
    "usage: upload --presigned <answer.json> --file <archive.zip|.jar> [--cloud AWS|AZURE|GCP]";

fn parse_args() -> Result<Args, String> {
    let mut presigned = None;
    let mut file = None;
    let mut cloud = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--presigned" => presigned = Some(value()?),
            "--file" => file = Some(value()?),
            "--cloud" => cloud = Some(value()?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Args {
        presigned: presigned.ok_or_else(|| format!("--presigned is required\n{USAGE}"))?,
        file: file.ok_or_else(|| format!("--file is required\n{USAGE}"))?,
        cloud,
    })
}

async fn run(args: Args) -> ccloud_connect::Result<()> {
    let body = std::fs::read(&args.presigned).map_err(|e| ccloud_connect::Error::Io {
        context: format!("reading {}", args.presigned),
        source: e,
    })?;
    let mut presigned = PresignedUpload::from_json(&body)?;
    if let Some(cloud) = &args.cloud {
        presigned = presigned.with_requested_cloud(cloud);
    }
    let format = presigned
        .content_format()
        .and_then(ArchiveFormat::from_wire)
        .or_else(|| ArchiveFormat::from_path(&args.file))
        .unwrap_or(ArchiveFormat::Zip);
    let archive = Archive::open(&args.file, format)?;
    let protocol = presigned.protocol()?;
    eprintln!(
        "uploading {} ({} bytes, {format}) with {protocol:?}",
        archive.path().display(),
        archive.len()
    );

    let options = UploadOptions::new().progress(progress_view());
    let receipt = presigned.upload(&archive, &options).await?;
    println!(
        "storage status: {} ({} bytes in {:.2}s; upload_id {}{}{})",
        receipt.status,
        receipt.bytes,
        receipt.elapsed.as_secs_f64(),
        receipt.upload_id,
        receipt
            .etag
            .as_deref()
            .map(|e| format!("; etag {e}"))
            .unwrap_or_default(),
        receipt
            .request_id
            .as_deref()
            .map(|r| format!("; request id {r}"))
            .unwrap_or_default(),
    );
    Ok(())
}

/// A bar on a terminal. Anywhere else (a CI log, a file) every redraw of a bar would stay
/// as a line of its own, so it gets a line per quarter instead.
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
                eprintln!("{:3}% {}/{} bytes", quarter * 25, p.sent, p.total);
            }
        })
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
