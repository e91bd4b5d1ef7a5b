//! `ccloud-connect-emulator`: serves the Connect API emulator (on 127.0.0.1 unless
//! `--host` says otherwise) until stopped; or, with `--healthcheck URL`, probes a running
//! one (the container image's health check, which needs no curl); or prints the seed
//! file's JSON Schema. With `--worker-port`, a self-managed Kafka Connect worker is served
//! beside the emulator.
//!
//! ```text
//! cargo run -p ccloud-connect-emulator -- --port 8080
//! ```

use std::io::{Read as _, Write as _};
use std::net::{IpAddr, TcpStream, ToSocketAddrs as _};
use std::process::ExitCode;
use std::time::Duration;

use ccloud_connect_emulator::{Emulator, EmulatorConfig, Seed, Worker, WorkerConfig, WorkerSeed};

const USAGE: &str = "\
Usage: ccloud-connect-emulator [OPTIONS]
       ccloud-connect-emulator --healthcheck <URL>
       ccloud-connect-emulator --print-seed-schema

Serves a local, stateful emulator of the Confluent Cloud Connect API (connect/v1, ccpm/v1
and cam/v1) on 127.0.0.1 until interrupted (Ctrl-C or SIGTERM).

Options:
  --host <ADDR>                        IP address to listen on; 0.0.0.0 for every interface
                                       (in a container) [default: 127.0.0.1]
  --port <PORT>                        Port; 0 picks a free one [default: 0]
  --api-key <KEY>                      Accept only this API key (needs --api-secret)
  --api-secret <SECRET>                Accept only this API secret (needs --api-key)
  --provisioning-delay-ms <MS>         Time a connector stays PROVISIONING [default: 200]
  --restart-delay-ms <MS>              Time a restart stays PROVISIONING [default: provisioning]
  --pause-delay-ms <MS>                Time a paused connector still shows RUNNING [default: 0]
  --resume-delay-ms <MS>               Time a resumed connector still shows PAUSED [default: 0]
  --stale-status-ms <MS>               Time the status still shows the state from before a
                                       pause, resume or restart [default: 0]
  --rate-limit <N/SECS>                Enforce N API requests per SECS seconds, per API key
                                       (429 beyond)
  --seed <FILE>                        Start with the connectors, plugins and artifacts of a JSON seed
  --state-file <FILE>                  Keep the state in FILE: restored at start, rewritten
                                       before answering every change
  --version-processing-delay-ms <MS>   Time a ccpm plugin version stays PROCESSING [default: 200]
  --artifact-processing-delay-ms <MS>  Time a cam/v1 Connect Artifact takes to be READY [default: 200]
  --max-upload-bytes <BYTES>           Largest plugin archive accepted [default: 209715200]
  --max-concurrent-uploads <N>         Archive uploads served at once; more get 503 [default: 8]
  --max-pending-uploads <N>            Presigned URLs kept with nothing uploaded; one more
                                       forgets the oldest, as if expired [default: 1000]
  --upload-url-ttl-secs <SECS>         Lifetime of a presigned upload URL [default: 3600]
  --worker-port <PORT>                 Also serve a self-managed Kafka Connect worker's REST
                                       API on this port (0 picks a free one), on --host
  --worker-seed <FILE>                 Start the worker with the connectors of a JSON seed
  --worker-user <USER>                 Require this HTTP Basic user on every worker request
                                       (needs --worker-password-env)
  --worker-password-env <VAR>          Read the worker's HTTP Basic password from the
                                       environment variable VAR (needs --worker-user)
  --healthcheck <URL>                  Do not serve: GET an http:// URL (e.g.
                                       http://127.0.0.1:8080/_emulator/health) and exit 0
                                       on 200, 1 otherwise (a container health check)
  --print-seed-schema                  Do not serve: print the JSON Schema of --seed files
  -h, --help                           Print this help
  -V, --version                        Print the version

With --api-key and --api-secret, the API and the control endpoints (/_emulator/...)
take only that pair, as HTTP Basic credentials; GET /_emulator/health stays open for
readiness probes. Without them, any non-empty pair is accepted on the API and the control
endpoints take none. The storage endpoints (/_storage/) never take Confluent credentials.

With --worker-port, a second line announces the worker: worker listening on http://...
Its password is read from the environment, never from the command line, where other
users of the machine can see it.
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

/// What the arguments ask for.
#[derive(Debug)]
enum Command {
    /// Serve with this configuration (boxed: far larger than the other variants).
    Serve(Box<Serving>),
    /// Probe a running emulator's URL.
    Healthcheck(String),
    /// Nothing more: the help, the version or the schema was printed.
    Done,
}

/// What to serve: the emulator, and a worker beside it with `--worker-port`.
#[derive(Debug)]
struct Serving {
    emulator: EmulatorConfig,
    worker: Option<WorkerConfig>,
}

/// The worker's flags, checked together once all are read.
#[derive(Default)]
struct WorkerFlags {
    port: Option<u16>,
    seed: Option<WorkerSeed>,
    user: Option<String>,
    password_env: Option<String>,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Command, Refusal> {
    parse_args_in(args, &|name| std::env::var(name).ok())
}

/// [`parse_args`], with the environment variables `env` gives (the worker's password).
fn parse_args_in(
    args: impl Iterator<Item = String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Command, Refusal> {
    let mut config = Emulator::builder();
    let mut key = None;
    let mut secret = None;
    let mut host = None;
    let mut worker = WorkerFlags::default();
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
                return Ok(Command::Done);
            }
            "-V" | "--version" => {
                println!("ccloud-connect-emulator {}", env!("CARGO_PKG_VERSION"));
                return Ok(Command::Done);
            }
            "--print-seed-schema" => {
                let schema = serde_json::to_string_pretty(&Seed::json_schema())
                    .map_err(|e| format!("the seed schema: {e}"))?;
                println!("{schema}");
                return Ok(Command::Done);
            }
            "--healthcheck" => return Ok(Command::Healthcheck(value("--healthcheck")?)),
            "--host" => {
                let v = value("--host")?;
                let host_ip = v.parse::<IpAddr>().map_err(|_| {
                    format!("--host takes an IP address (127.0.0.1, 0.0.0.0, ::1), not {v:?}")
                })?;
                config = config.host(host_ip);
                host = Some(host_ip);
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
            "--artifact-processing-delay-ms" => {
                let name = "--artifact-processing-delay-ms";
                let ms = number(name, value(name)?)?;
                config = config.artifact_processing_delay(Duration::from_millis(ms));
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
            "--worker-port" => {
                let v = value("--worker-port")?;
                let port = v
                    .parse::<u16>()
                    .map_err(|_| format!("--worker-port must be 0 to 65535, not {v:?}"))?;
                worker.port = Some(port);
            }
            "--worker-seed" => {
                let file = value("--worker-seed")?;
                let seed =
                    WorkerSeed::from_file(&file).map_err(|e| Refusal::File(e.to_string()))?;
                worker.seed = Some(seed);
            }
            "--worker-user" => worker.user = Some(value("--worker-user")?),
            "--worker-password-env" => {
                worker.password_env = Some(value("--worker-password-env")?);
            }
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let emulator = match (key, secret) {
        (Some(k), Some(s)) if !k.is_empty() && !s.is_empty() => config.credentials(k, s),
        (None, None) => config,
        _ => {
            return Err(
                "--api-key and --api-secret go together, and neither may be empty"
                    .to_owned()
                    .into(),
            );
        }
    };
    let worker = worker_config(worker, host, env)?;
    Ok(Command::Serve(Box::new(Serving { emulator, worker })))
}

/// The worker's configuration, when `--worker-port` asks for one.
fn worker_config(
    flags: WorkerFlags,
    host: Option<IpAddr>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<WorkerConfig>, String> {
    let Some(port) = flags.port else {
        if flags.seed.is_some() || flags.user.is_some() || flags.password_env.is_some() {
            return Err(
                "--worker-seed, --worker-user and --worker-password-env need --worker-port"
                    .to_owned(),
            );
        }
        return Ok(None);
    };
    let mut config = Worker::builder().port(port);
    if let Some(host) = host {
        config = config.host(host);
    }
    if let Some(seed) = flags.seed {
        config = config.seed(seed);
    }
    match (flags.user, flags.password_env) {
        (None, None) => {}
        (Some(user), Some(var)) => {
            if user.is_empty() {
                return Err("--worker-user must not be empty".to_owned());
            }
            // The message names the variable, never its value.
            let password = env(&var).filter(|p| !p.is_empty()).ok_or_else(|| {
                format!("--worker-password-env names {var}, which is unset, empty or not UTF-8")
            })?;
            config = config.basic_auth(user, password);
        }
        _ => return Err("--worker-user and --worker-password-env go together".to_owned()),
    }
    Ok(Some(config))
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

/// How long the health check waits to connect, and then for the answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// `--healthcheck URL`: one plain-HTTP GET, `Ok` when the answer is `200`. Enough for the
/// emulator's own health endpoint, so a container image needs no curl; not a general
/// HTTP client (no TLS, no redirects).
fn healthcheck(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("--healthcheck takes an http:// URL, not {url:?}"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| !p.contains(']'))
    {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let addrs: Vec<_> = with_port
        .to_socket_addrs()
        .map_err(|e| format!("{url}: {e}"))?
        .collect();
    let mut last = format!("{url}: no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, PROBE_TIMEOUT) {
            Ok(stream) => return probe(stream, url, authority, path),
            Err(e) => last = format!("{url}: {e}"),
        }
    }
    Err(last)
}

/// Sends the GET and reads the status line of the answer.
fn probe(mut stream: TcpStream, url: &str, authority: &str, path: &str) -> Result<(), String> {
    let failed = |e: std::io::Error| format!("{url}: {e}");
    stream
        .set_read_timeout(Some(PROBE_TIMEOUT))
        .map_err(failed)?;
    stream
        .set_write_timeout(Some(PROBE_TIMEOUT))
        .map_err(failed)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: ccloud-connect-emulator-healthcheck\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).map_err(failed)?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while head.len() < 1024 && !head.ends_with(b"\r\n") {
        match stream.read(&mut byte).map_err(failed)? {
            0 => break,
            _ => head.push(byte[0]),
        }
    }
    let line = String::from_utf8_lossy(&head).trim_end().to_owned();
    match line.split(' ').nth(1) {
        Some("200") => Ok(()),
        _ if line.is_empty() => Err(format!("{url}: no answer")),
        _ => Err(format!("{url} answered {line:?}")),
    }
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
    let Serving { emulator, worker } = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Serve(serving)) => *serving,
        Ok(Command::Done) => return ExitCode::SUCCESS,
        Ok(Command::Healthcheck(url)) => {
            return match healthcheck(&url) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            };
        }
        Err(Refusal::Usage(message)) => {
            eprintln!("error: {message} (ccloud-connect-emulator --help lists the options)");
            return ExitCode::from(2);
        }
        Err(Refusal::File(message)) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let handle = match emulator.start().await {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The base URL names a loopback address when listening on an unspecified one.
    let bound = handle.addr();
    if handle.base_url() == format!("http://{bound}") {
        println!("listening on {}", handle.base_url());
    } else {
        println!("listening on {} (bound to {bound})", handle.base_url());
    }
    let worker = match worker {
        Some(config) => match config.start().await {
            Ok(worker) => {
                let bound = worker.addr();
                if worker.base_url() == format!("http://{bound}") {
                    println!("worker listening on {}", worker.base_url());
                } else {
                    println!(
                        "worker listening on {} (bound to {bound})",
                        worker.base_url()
                    );
                }
                Some(worker)
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => None,
    };
    interrupted().await;
    if let Some(worker) = worker {
        worker.stop().await;
    }
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

    impl Command {
        fn serving(self) -> EmulatorConfig {
            match self {
                Command::Serve(serving) => serving.emulator,
                other => panic!("not serving: {other:?}"),
            }
        }

        fn worker(self) -> Option<WorkerConfig> {
            match self {
                Command::Serve(serving) => serving.worker,
                other => panic!("not serving: {other:?}"),
            }
        }

        fn is_done(&self) -> bool {
            matches!(self, Command::Done)
        }
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
        .serving();
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
            .serving();
        assert!(format!("{c:?}").contains("max_concurrent_uploads: 3"));
        assert!(parse_args(args(&["--max-concurrent-uploads", "0"])).is_err());
        let c = parse_args(args(&[
            "--max-pending-uploads",
            "5",
            "--upload-url-ttl-secs=90",
        ]))
        .unwrap()
        .serving();
        let shown = format!("{c:?}");
        assert!(
            shown.contains("max_pending_uploads: 5") && shown.contains("upload_url_ttl: 90s"),
            "{shown}"
        );
        assert!(parse_args(args(&["--max-pending-uploads", "0"])).is_err());
        assert!(parse_args(args(&["--upload-url-ttl-secs", "-1"])).is_err());
        assert!(parse_args(args(&["--help"])).unwrap().is_done());
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
        .serving();
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

    #[test]
    fn host_and_healthcheck_flags() {
        let c = parse_args(args(&["--host", "0.0.0.0"])).unwrap().serving();
        assert!(format!("{c:?}").contains("host: 0.0.0.0"), "{c:?}");
        let c = parse_args(args(&["--host=::1"])).unwrap().serving();
        assert!(format!("{c:?}").contains("host: ::1"), "{c:?}");
        let c = parse_args(args(&[])).unwrap().serving();
        assert!(format!("{c:?}").contains("host: 127.0.0.1"), "{c:?}");
        for bad in ["localhost", "", "1.2.3"] {
            assert!(parse_args(args(&["--host", bad])).is_err(), "{bad}");
        }
        match parse_args(args(&["--healthcheck", "http://127.0.0.1:1/h"])).unwrap() {
            Command::Healthcheck(url) => assert_eq!(url, "http://127.0.0.1:1/h"),
            other => panic!("{other:?}"),
        }
        assert!(parse_args(args(&["--healthcheck"])).is_err());
        assert!(
            healthcheck("https://127.0.0.1:1/")
                .unwrap_err()
                .contains("http://")
        );
    }

    #[test]
    fn worker_flags() {
        let env = |name: &str| (name == "WORKER_PW").then(|| "pw-value".to_owned());
        let parse = |list: &[&str]| parse_args_in(args(list), &env);
        assert!(parse(&[]).unwrap().worker().is_none());
        let w = parse(&[
            "--host",
            "0.0.0.0",
            "--worker-port=8083",
            "--worker-user",
            "connect",
            "--worker-password-env",
            "WORKER_PW",
        ])
        .unwrap()
        .worker()
        .unwrap();
        let shown = format!("{w:?}");
        for part in ["port: 8083", "host: 0.0.0.0", "\"connect\""] {
            assert!(shown.contains(part), "{part} in {shown}");
        }
        assert!(!shown.contains("pw-value"), "{shown}");
        let refused = |list: &[&str]| match parse(list) {
            Err(Refusal::Usage(m) | Refusal::File(m)) => m,
            Ok(other) => panic!("{list:?} accepted: {other:?}"),
        };
        assert!(refused(&["--worker-port", "x"]).contains("--worker-port must be"));
        assert!(refused(&["--worker-user", "u"]).contains("need --worker-port"));
        let m = refused(&["--worker-port", "0", "--worker-user", "u"]);
        assert!(m.contains("go together"), "{m}");
        let m = refused(&[
            "--worker-port",
            "0",
            "--worker-user",
            "u",
            "--worker-password-env",
            "NOT_SET",
        ]);
        assert!(m.contains("NOT_SET") && m.contains("unset"), "{m}");
        let m = refused(&[
            "--worker-port",
            "0",
            "--worker-user=",
            "--worker-password-env",
            "WORKER_PW",
        ]);
        assert!(m.contains("must not be empty"), "{m}");
        assert!(matches!(
            parse(&["--worker-port", "0", "--worker-seed", "/nonexistent/w.json"]),
            Err(Refusal::File(_))
        ));
    }
}
