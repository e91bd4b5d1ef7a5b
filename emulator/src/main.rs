//! `ccloud-connect-emulator`: serves the Connect API emulator on 127.0.0.1 until stopped.
//!
//! ```text
//! cargo run -p ccloud-connect-emulator -- --port 8080
//! ```

use std::process::ExitCode;
use std::time::Duration;

use ccloud_connect_emulator::{Emulator, EmulatorConfig, Seed};

const USAGE: &str = "\
Usage: ccloud-connect-emulator [OPTIONS]

Serves a local, stateful emulator of the Confluent Cloud Connect API (connect/v1 and
ccpm/v1) on 127.0.0.1 until interrupted (Ctrl-C or SIGTERM).

Options:
  --port <PORT>                        Port on 127.0.0.1; 0 picks a free one [default: 0]
  --api-key <KEY>                      Accept only this API key (needs --api-secret)
  --api-secret <SECRET>                Accept only this API secret (needs --api-key)
  --provisioning-delay-ms <MS>         Time a connector stays PROVISIONING [default: 200]
  --restart-delay-ms <MS>              Time a restart stays PROVISIONING [default: provisioning]
  --pause-delay-ms <MS>                Time a paused connector still shows RUNNING [default: 0]
  --resume-delay-ms <MS>               Time a resumed connector still shows PAUSED [default: 0]
  --stale-status-ms <MS>               Time the status still shows the state from before a
                                       pause, resume or restart [default: 0]
  --rate-limit <N/SECS>                Enforce N API requests per SECS seconds (429 beyond)
  --seed <FILE>                        Start with the connectors and plugins of a JSON seed
  --state-file <FILE>                  Keep the state in FILE: restored at start, rewritten
                                       before answering every change
  --version-processing-delay-ms <MS>   Time a ccpm plugin version stays PROCESSING [default: 200]
  --max-upload-bytes <BYTES>           Largest plugin archive accepted [default: 209715200]
  --max-concurrent-uploads <N>         Archive uploads served at once; more get 503 [default: 8]
  --max-pending-uploads <N>            Presigned URLs kept with nothing uploaded; one more
                                       forgets the oldest, as if expired [default: 1000]
  --upload-url-ttl-secs <SECS>         Lifetime of a presigned upload URL [default: 3600]
  -h, --help                           Print this help
  -V, --version                        Print the version

With --api-key and --api-secret, the API and the control endpoints (/_emulator/...)
take only that pair, as HTTP Basic credentials; GET /_emulator/health stays open for
readiness probes. Without them, any non-empty pair is accepted on the API and the control
endpoints take none. The storage endpoints (/_storage/) never take Confluent credentials.
";

/// Why the arguments were refused.
#[derive(Debug)]
enum Refusal {
    /// A flag unknown, missing its value or with a bad one: the message and a pointer to
    /// `--help`, exit code 2.
    Usage(String),
    /// A file named by a flag is unreadable or malformed: one line naming the file (and
    /// the line and column), exit code 1.
    File(String),
}

impl From<String> for Refusal {
    fn from(message: String) -> Self {
        Refusal::Usage(message)
    }
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<EmulatorConfig>, Refusal> {
    let mut config = Emulator::builder();
    let mut key = None;
    let mut secret = None;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |name: &str, v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{name} must be a non-negative integer, not {v:?}"))
        };
        match flag.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(None);
            }
            "-V" | "--version" => {
                println!("ccloud-connect-emulator {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            "--port" => {
                let v = value("--port")?;
                let port = v
                    .parse::<u16>()
                    .map_err(|_| format!("--port must be 0 to 65535, not {v:?}"))?;
                config = config.port(port);
            }
            "--api-key" => key = Some(value("--api-key")?),
            "--api-secret" => secret = Some(value("--api-secret")?),
            "--provisioning-delay-ms" => {
                let ms = number("--provisioning-delay-ms", value("--provisioning-delay-ms")?)?;
                config = config.provisioning_delay(Duration::from_millis(ms));
            }
            "--restart-delay-ms" => {
                let ms = number("--restart-delay-ms", value("--restart-delay-ms")?)?;
                config = config.restart_delay(Duration::from_millis(ms));
            }
            "--pause-delay-ms" => {
                let ms = number("--pause-delay-ms", value("--pause-delay-ms")?)?;
                config = config.pause_delay(Duration::from_millis(ms));
            }
            "--resume-delay-ms" => {
                let ms = number("--resume-delay-ms", value("--resume-delay-ms")?)?;
                config = config.resume_delay(Duration::from_millis(ms));
            }
            "--stale-status-ms" => {
                let ms = number("--stale-status-ms", value("--stale-status-ms")?)?;
                config = config.stale_status_window(Duration::from_millis(ms));
            }
            "--rate-limit" => {
                let v = value("--rate-limit")?;
                let (requests, secs) = parse_rate_limit(&v)?;
                config = config.rate_limit(requests, Duration::from_secs(secs));
            }
            "--seed" => {
                let file = value("--seed")?;
                let seed = Seed::from_file(&file).map_err(|e| Refusal::File(e.to_string()))?;
                config = config.seed(seed);
            }
            "--state-file" => config = config.state_file(value("--state-file")?),
            "--version-processing-delay-ms" => {
                let name = "--version-processing-delay-ms";
                let ms = number(name, value(name)?)?;
                config = config.version_processing_delay(Duration::from_millis(ms));
            }
            "--max-upload-bytes" => {
                let bytes = number("--max-upload-bytes", value("--max-upload-bytes")?)?;
                config = config.max_upload_size(bytes);
            }
            "--max-concurrent-uploads" => {
                let name = "--max-concurrent-uploads";
                let n = number(name, value(name)?)?;
                if n == 0 {
                    return Err(format!("{name} must be at least 1").into());
                }
                config = config.max_concurrent_uploads(usize::try_from(n).unwrap_or(usize::MAX));
            }
            "--max-pending-uploads" => {
                let name = "--max-pending-uploads";
                let n = number(name, value(name)?)?;
                if n == 0 {
                    return Err(format!("{name} must be at least 1").into());
                }
                config = config.max_pending_uploads(usize::try_from(n).unwrap_or(usize::MAX));
            }
            "--upload-url-ttl-secs" => {
                let secs = number("--upload-url-ttl-secs", value("--upload-url-ttl-secs")?)?;
                config = config.upload_url_ttl(Duration::from_secs(secs));
            }
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    match (key, secret) {
        (Some(k), Some(s)) if !k.is_empty() && !s.is_empty() => Ok(Some(config.credentials(k, s))),
        (None, None) => Ok(Some(config)),
        _ => Err(
            "--api-key and --api-secret go together, and neither may be empty"
                .to_owned()
                .into(),
        ),
    }
}

/// `N/SECS`: at least one request per window of at least one second.
fn parse_rate_limit(v: &str) -> Result<(u32, u64), String> {
    let bad = || format!("--rate-limit takes N/SECS (e.g. 100/60), not {v:?}");
    let (n, secs) = v.split_once('/').ok_or_else(bad)?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    let secs: u64 = secs.trim().parse().map_err(|_| bad())?;
    if n == 0 || secs == 0 || secs > 86_400 {
        return Err(bad());
    }
    Ok((n, secs))
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

// Multi-threaded: a request that keeps its thread busy must not stall every other one.
#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Some(config)) => config,
        Ok(None) => return ExitCode::SUCCESS,
        Err(Refusal::Usage(message)) => {
            eprintln!("error: {message} (ccloud-connect-emulator --help lists the options)");
            return ExitCode::from(2);
        }
        Err(Refusal::File(message)) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let handle = match config.start().await {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {}", handle.base_url());
    interrupted().await;
    handle.stop().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn flags_are_parsed() {
        let c = parse_args(args(&[
            "--port",
            "8080",
            "--api-key=K",
            "--api-secret",
            "S",
        ]))
        .unwrap()
        .unwrap();
        let shown = format!("{c:?}");
        assert!(
            shown.contains("port: 8080") && shown.contains("\"K\""),
            "{shown}"
        );
        assert!(!shown.contains("\"S\""), "{shown}");
        assert!(parse_args(args(&["--port", "x"])).is_err());
        assert!(parse_args(args(&["--api-key", "K"])).is_err());
        assert!(parse_args(args(&["--bogus"])).is_err());
        assert!(parse_args(args(&["--port"])).is_err());
        let c = parse_args(args(&["--max-concurrent-uploads", "3"]))
            .unwrap()
            .unwrap();
        assert!(format!("{c:?}").contains("max_concurrent_uploads: 3"));
        assert!(parse_args(args(&["--max-concurrent-uploads", "0"])).is_err());
        let c = parse_args(args(&[
            "--max-pending-uploads",
            "5",
            "--upload-url-ttl-secs=90",
        ]))
        .unwrap()
        .unwrap();
        let shown = format!("{c:?}");
        assert!(
            shown.contains("max_pending_uploads: 5") && shown.contains("upload_url_ttl: 90s"),
            "{shown}"
        );
        assert!(parse_args(args(&["--max-pending-uploads", "0"])).is_err());
        assert!(parse_args(args(&["--upload-url-ttl-secs", "-1"])).is_err());
        assert!(parse_args(args(&["--help"])).unwrap().is_none());
        let c = parse_args(args(&[
            "--restart-delay-ms=5",
            "--pause-delay-ms",
            "6",
            "--resume-delay-ms",
            "7",
            "--stale-status-ms",
            "8",
            "--rate-limit",
            "10/2",
            "--state-file",
            "/tmp/x.json",
        ]))
        .unwrap()
        .unwrap();
        let shown = format!("{c:?}");
        for part in [
            "restart: 5ms",
            "pause: 6ms",
            "resume: 7ms",
            "stale_status: 8ms",
        ] {
            assert!(shown.contains(part), "{part} in {shown}");
        }
        assert!(
            shown.contains("requests: 10") && shown.contains("window: 2s"),
            "{shown}"
        );
        for bad in ["10", "0/1", "1/0", "x/1", "1/x", "-1/1"] {
            assert!(parse_args(args(&["--rate-limit", bad])).is_err(), "{bad}");
        }
        assert!(parse_args(args(&["--seed", "/nonexistent/seed.json"])).is_err());
    }
}
