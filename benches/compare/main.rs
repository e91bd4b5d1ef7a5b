//! Side-by-side benchmarks of the crate against raw reqwest, curl and bare hyper.
//!
//! Every ratio is measured in one process run against one local server (`server.rs`), in
//! interleaved rounds: each round runs every side once, the side that goes first rotates,
//! and a figure is the median of the per-round ratios. Machine noise (two cores, other
//! builds running) then hits both sides of a round alike instead of whole series.
//!
//! ```text
//! cargo bench --bench compare -- run [--figures 1,2,3,4,5,6] [--upload-file F.zip] [--quick]
//! cargo bench --bench compare -- serve        # the server alone; prints its URL
//! ```
//!
//! `scripts/bench.sh` creates the upload archive, runs this, adds the build figure and
//! prints the summary. Results go to stdout as `RESULT\t<id>\t<name>\t<measured>\t<target>\t<ok|short>`
//! lines; progress and details go to stderr. The `child ...` modes are the crate's side of
//! the figures that need a process of their own (curl comparisons, peak RSS).

mod server;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use ccloud_connect::Client;
use ccloud_connect::connect::CustomConnectorPluginList;
use ccloud_connect::upload::{Archive, ArchiveFormat, PresignedUpload, UploadOptions};
use futures::TryStreamExt;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use reqwest::header::{ACCEPT, AUTHORIZATION};

use server::{CONFIG_KEYS, CONFIG_PATH, Stats};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = Result<T, BoxError>;

const API_KEY: &str = "BENCHKEY4TQ2ZL7M";
// Shaped like a Confluent secret (64 characters with `/` and `+`), so the crate searches
// answers for the same three quoted forms of it as it would in production.
const API_SECRET: &str = "bench/secret+Q1w2E3r4T5y6U7i8O9p0AsDfGhJkLzXcVbNm0123456789abcde";
const ENV: &str = "env-a12b34";
const CLUSTER: &str = "lkc-abc123";
const CONNECTOR: &str = "S3_SINKConnector_0";

/// Figure 5's ceiling for the crate's upload process.
const UPLOAD_RSS_LIMIT_KIB: u64 = 64 * 1024;

const USAGE: &str = "\
usage: compare run [--figures 1,2,3,4,5,6] [--upload-file FILE.zip] [--quick]
       compare serve
       compare child reads N BASE_URL | child raw-reads N BASE_URL
       compare child paginate BASE_URL EXPECTED | child upload FILE URL
`cargo bench --bench compare` alone runs figures 1-4 and 6 (5 needs --upload-file);
scripts/bench.sh runs everything and prints the summary table.";

fn main() -> ExitCode {
    // cargo passes `--bench` to harness = false targets under `cargo bench`.
    let under_cargo_bench = std::env::args().any(|a| a == "--bench");
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => parse_run(&args[1..]).and_then(run),
        Some("serve") => serve(),
        Some("child") => child(&args[1..]),
        None if under_cargo_bench => run(Plan::full(BTreeSet::from([1, 2, 3, 4, 6]), None)),
        // `cargo test --benches` runs this without arguments: a benchmark is not a test.
        None => {
            eprintln!("{USAGE}");
            Ok(true)
        }
        Some(_) => Err(USAGE.into()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------------
// Plan and reporting
// ---------------------------------------------------------------------------------------

/// How much of everything to run.
#[derive(Clone)]
struct Plan {
    figures: BTreeSet<u8>,
    upload_file: Option<PathBuf>,
    /// Rounds and requests per round of figures 1 and 2.
    latency_rounds: usize,
    latency_batch: usize,
    /// Figure 3: rounds, and config reads per side per round.
    curl_rounds: usize,
    curl_calls: usize,
    pagination_rounds: usize,
    rss_rounds: usize,
    upload_rounds: usize,
    concurrency_rounds: usize,
    /// Figure 6: GETs per task of the 64, so a round is `64 * this` requests per side.
    concurrency_each: usize,
}

impl Plan {
    fn full(figures: BTreeSet<u8>, upload_file: Option<PathBuf>) -> Self {
        Plan {
            figures,
            upload_file,
            // Many short rounds rather than a few long ones: a compiler or another build
            // taking a core for a few milliseconds then spoils one round, which the median
            // drops, instead of shifting a long series.
            latency_rounds: 300,
            latency_batch: 40,
            curl_rounds: 5,
            curl_calls: 200,
            pagination_rounds: 40,
            rss_rounds: 3,
            upload_rounds: 5,
            concurrency_rounds: 40,
            concurrency_each: 10,
        }
    }

    /// A smoke run: every code path, few rounds. Its numbers are not figures.
    fn quick(mut self) -> Self {
        self.latency_rounds = 4;
        self.latency_batch = 50;
        self.curl_rounds = 1;
        self.curl_calls = 20;
        self.pagination_rounds = 1;
        self.rss_rounds = 1;
        self.upload_rounds = 1;
        self.concurrency_rounds = 2;
        self.concurrency_each = 5;
        self
    }
}

fn parse_run(args: &[String]) -> Res<Plan> {
    let mut figures = BTreeSet::from([1, 2, 3, 4, 5, 6]);
    let mut upload_file = None;
    let mut quick = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--figures" => {
                let list = it.next().ok_or("--figures needs a list like 1,4")?;
                figures = list
                    .split(',')
                    .map(|f| f.trim().parse::<u8>().ok().filter(|n| (1..=6).contains(n)))
                    .collect::<Option<_>>()
                    .ok_or("--figures takes numbers 1 to 6")?;
            }
            "--upload-file" => {
                upload_file = Some(PathBuf::from(
                    it.next().ok_or("--upload-file needs a path")?,
                ))
            }
            "--quick" => quick = true,
            other => return Err(format!("unknown argument {other:?}\n{USAGE}").into()),
        }
    }
    let plan = Plan::full(figures, upload_file);
    Ok(if quick { plan.quick() } else { plan })
}

/// One row of the summary table.
struct Row {
    id: &'static str,
    name: &'static str,
    measured: String,
    target: &'static str,
    ok: bool,
}

impl Row {
    fn failed(id: &'static str, name: &'static str, target: &'static str, e: &BoxError) -> Self {
        Row {
            id,
            name,
            measured: format!("not measured: {e}"),
            target,
            ok: false,
        }
    }

    fn emit(&self) {
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        println!(
            "RESULT\t{}\t{}\t{}\t{}\t{}",
            self.id,
            self.name,
            clean(&self.measured),
            self.target,
            if self.ok { "ok" } else { "short" }
        );
        let _ = std::io::stdout().flush();
    }
}

/// The order of the sides in round `round`: rotated, so each side goes first equally often.
fn order(round: usize, sides: usize) -> impl Iterator<Item = usize> {
    (0..sides).map(move |i| (round + i) % sides)
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The per-round ratios `a[i] / b[i]`.
fn ratios(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a / b).collect()
}

fn spread(values: &[f64]) -> String {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match (v.first(), v.last()) {
        (Some(lo), Some(hi)) => format!("{lo:.3}..{hi:.3}"),
        _ => "-".to_owned(),
    }
}

fn runtime() -> Res<tokio::runtime::Runtime> {
    // Two workers, like `#[tokio::main]` on this two-core class of machine.
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Runs `work` as a task on a worker thread, where application code runs, rather than on
/// the thread blocked on the runtime, to which every wake-up would have to cross over.
fn on_worker<T: Send + 'static>(
    rt: &tokio::runtime::Runtime,
    work: impl Future<Output = Res<T>> + Send + 'static,
) -> Res<T> {
    rt.block_on(async { tokio::spawn(work).await? })
}

fn crate_client(base: &str) -> Res<Client> {
    Ok(Client::builder()
        .credentials(API_KEY, API_SECRET)
        .base_url(base)
        .build()?)
}

fn basic_token() -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{API_KEY}:{API_SECRET}"))
}

// ---------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------

fn run(plan: Plan) -> Res<bool> {
    let exe = std::env::current_exe()?;
    let server = server::start(2)?;
    let rt = runtime()?;
    eprintln!("server: {} (2 worker threads)", server.base);
    let mut all_ran = true;
    let mut report = |rows: Res<Vec<Row>>, fallback: &[Label]| match rows {
        Ok(rows) => rows.iter().for_each(Row::emit),
        Err(e) => {
            all_ran = false;
            for (id, name, target) in fallback {
                Row::failed(id, name, target, &e).emit();
            }
        }
    };
    let f = &plan.figures;
    if f.contains(&1) || f.contains(&2) {
        report(
            on_worker(&rt, fig1_2(server.base.clone(), plan.clone())),
            &[FIG1, FIG2],
        );
    }
    if f.contains(&3) {
        report(fig3(&server.base, &exe, &plan), &[FIG3]);
    }
    if f.contains(&4) {
        report(
            on_worker(&rt, fig4_time(server.base.clone(), plan.clone())),
            &[FIG4A],
        );
        report(fig4_memory(&server.base, &exe, &plan), &[FIG4B]);
    }
    if f.contains(&5) {
        report(fig5(&server, &exe, &plan), &[FIG5A, FIG5B]);
    }
    if f.contains(&6) {
        report(
            on_worker(
                &rt,
                fig6(server.base.clone(), server.stats.clone(), plan.clone()),
            ),
            &[FIG6],
        );
    }
    rt.shutdown_background();
    Ok(all_ran)
}

type Label = (&'static str, &'static str, &'static str);
const FIG1: Label = ("1", "call overhead: crate / bare reqwest GET", "<= 1.10");
const FIG2: Label = ("2", "physical floor: bare hyper GET", "absolute");
const FIG3: Label = (
    "3",
    "200 config reads: curl processes vs crate",
    "speed-up > 1",
);
const FIG4A: Label = ("4a", "paginate 20,000: crate / raw loop time", "<= 1.10");
const FIG4B: Label = ("4b", "paginate peak RSS: 20,000 vs 2,000 items", "<= 1.10");
const FIG5A: Label = ("5a", "upload 1 GiB: crate / curl -F throughput", ">= 0.80");
const FIG5B: Label = ("5b", "upload 1 GiB: crate peak RSS", "< 64 MiB");
const FIG6: Label = ("6", "64 concurrent vs sequential GETs", ">= 1.5x, 0 errors");

fn row(label: Label, measured: String, ok: bool) -> Row {
    Row {
        id: label.0,
        name: label.1,
        measured,
        target: label.2,
        ok,
    }
}

// ---------------------------------------------------------------------------------------
// Figures 1 and 2: one config GET through the crate, bare reqwest and bare hyper
// ---------------------------------------------------------------------------------------

async fn crate_reads(client: &Client, n: usize) -> Res<Duration> {
    let started = Instant::now();
    for _ in 0..n {
        let config = client
            .connect()
            .raw()
            .get_connector_config(ENV, CLUSTER, CONNECTOR)
            .await?;
        check_keys(config.len())?;
    }
    Ok(started.elapsed())
}

/// What a caller without the crate writes: the same request, decoded with serde_json into
/// the same map type.
async fn reqwest_reads(http: &reqwest::Client, url: &str, auth: &str, n: usize) -> Res<Duration> {
    let started = Instant::now();
    for _ in 0..n {
        let response = http
            .get(url)
            .header(AUTHORIZATION, auth)
            .header(ACCEPT, "application/json")
            .send()
            .await?
            .error_for_status()?;
        let body = response.bytes().await?;
        let config: BTreeMap<String, String> = serde_json::from_slice(&body)?;
        check_keys(config.len())?;
    }
    Ok(started.elapsed())
}

fn check_keys(n: usize) -> Res<()> {
    if n == CONFIG_KEYS {
        Ok(())
    } else {
        Err(format!("config has {n} keys, the server sent {CONFIG_KEYS}").into())
    }
}

/// Bare hyper on one kept-alive connection: the same request, the body read to its end and
/// not decoded. Nothing under it but the socket.
struct Floor {
    sender: hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    host: String,
    auth: String,
}

impl Floor {
    async fn connect(base: &str, auth: &str) -> Res<Self> {
        let host = base.strip_prefix("http://").ok_or("base is not http://")?;
        let stream = tokio::net::TcpStream::connect(host).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Floor {
            sender,
            host: host.to_owned(),
            auth: auth.to_owned(),
        })
    }

    async fn reads(&mut self, n: usize) -> Res<Duration> {
        let started = Instant::now();
        for _ in 0..n {
            self.sender.ready().await?;
            let request = hyper::Request::get(CONFIG_PATH)
                .header(hyper::header::HOST, &self.host)
                .header(AUTHORIZATION, &self.auth)
                .header(ACCEPT, "application/json")
                .body(Empty::new())?;
            let response = self.sender.send_request(request).await?;
            if !response.status().is_success() {
                return Err(format!("floor GET answered {}", response.status()).into());
            }
            let body = response.into_body().collect().await?.to_bytes();
            if body.is_empty() {
                return Err("floor GET answered an empty body".into());
            }
        }
        Ok(started.elapsed())
    }
}

async fn fig1_2(base: String, plan: Plan) -> Res<Vec<Row>> {
    let base = base.as_str();
    let client = crate_client(base)?;
    let http = reqwest::Client::new();
    let url = format!("{base}{CONFIG_PATH}");
    let auth = format!("Basic {}", basic_token());
    let mut floor = Floor::connect(base, &auth).await?;

    // Warm-up: connections open, allocator and caches settle.
    crate_reads(&client, 500).await?;
    reqwest_reads(&http, &url, &auth, 500).await?;
    floor.reads(500).await?;

    let batch = plan.latency_batch;
    let mut us: [Vec<f64>; 3] = Default::default();
    for round in 0..plan.latency_rounds {
        for side in order(round, 3) {
            let took = match side {
                0 => crate_reads(&client, batch).await?,
                1 => reqwest_reads(&http, &url, &auth, batch).await?,
                _ => floor.reads(batch).await?,
            };
            us[side].push(took.as_secs_f64() * 1e6 / batch as f64);
        }
    }
    let [krate, bare, hyper] = us;
    let overhead = ratios(&krate, &bare);
    let ratio = median(&overhead);
    let (mk, mb, mh) = (median(&krate), median(&bare), median(&hyper));
    eprintln!(
        "fig 1/2: {} rounds x {batch} GETs; crate {mk:.1} us, reqwest {mb:.1} us, hyper {mh:.1} us; \
         crate/reqwest per round {}",
        plan.latency_rounds,
        spread(&overhead)
    );
    Ok(vec![
        row(
            FIG1,
            format!("{ratio:.3} (crate {mk:.1} us vs reqwest {mb:.1} us per GET)"),
            ratio <= 1.10,
        ),
        row(
            FIG2,
            format!(
                "{mh:.1} us per GET (crate {:.2}x, reqwest {:.2}x the floor)",
                median(&ratios(&krate, &hyper)),
                median(&ratios(&bare, &hyper))
            ),
            mh.is_finite(),
        ),
    ])
}

// ---------------------------------------------------------------------------------------
// Figure 3: the usage guide's way (a curl process per call) vs the crate in one process
// ---------------------------------------------------------------------------------------

fn fig3(base: &str, exe: &Path, plan: &Plan) -> Res<Vec<Row>> {
    let url = format!("{base}{CONFIG_PATH}");
    let header = format!("authorization: Basic {}", basic_token());
    let calls = plan.curl_calls;
    let mut secs: [Vec<f64>; 2] = Default::default();
    for round in 0..plan.curl_rounds {
        for side in order(round, 2) {
            let started = Instant::now();
            if side == 0 {
                for _ in 0..calls {
                    // The guide's command, minus `| jq` (display only).
                    let out = Command::new("curl")
                        .args([
                            "--silent",
                            "--show-error",
                            "--fail",
                            "--output",
                            "/dev/null",
                        ])
                        .args(["--request", "GET", &url, "--header", &header])
                        .stdin(Stdio::null())
                        .output()
                        .map_err(|e| format!("running curl: {e}"))?;
                    ensure_success("curl", &out)?;
                }
            } else {
                let out = Command::new(exe)
                    .args(["child", "reads", &calls.to_string(), base])
                    .stdin(Stdio::null())
                    .output()?;
                ensure_success("crate reads", &out)?;
            }
            secs[side].push(started.elapsed().as_secs_f64());
        }
    }
    let [curl, krate] = secs;
    let speedup = median(&ratios(&curl, &krate));
    let (mc, mk) = (median(&curl), median(&krate));
    eprintln!(
        "fig 3: {} rounds; curl {mc:.3} s, crate {mk:.3} s per {calls} reads",
        plan.curl_rounds
    );
    Ok(vec![row(
        FIG3,
        format!(
            "{speedup:.1}x faster (curl {:.2} ms/call, crate {:.3} ms/call incl. process start)",
            mc * 1e3 / calls as f64,
            mk * 1e3 / calls as f64
        ),
        speedup > 1.0,
    )])
}

fn ensure_success(what: &str, out: &std::process::Output) -> Res<()> {
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into())
    }
}

// ---------------------------------------------------------------------------------------
// Figure 4: pagination
// ---------------------------------------------------------------------------------------

async fn crate_paginate(client: &Client) -> Res<usize> {
    let mut items = client.connect().custom_plugins(None).by_item();
    let mut n = 0;
    while let Some(plugin) = items.try_next().await? {
        std::hint::black_box(plugin);
        n += 1;
    }
    Ok(n)
}

/// The hand-written loop: GET a page, decode it, follow `metadata.next` until it is absent.
async fn raw_paginate(http: &reqwest::Client, base: &str, auth: &str) -> Res<usize> {
    let mut url = format!("{base}/connect/v1/custom-connector-plugins?page_size=100");
    let mut n = 0;
    loop {
        let body = http
            .get(&url)
            .header(AUTHORIZATION, auth)
            .header(ACCEPT, "application/json")
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let page: CustomConnectorPluginList = serde_json::from_slice(&body)?;
        let next = page.metadata.and_then(|m| m.next);
        for plugin in page.data {
            std::hint::black_box(plugin);
            n += 1;
        }
        match next {
            Some(next) => url = next,
            None => return Ok(n),
        }
    }
}

async fn fig4_time(base: String, plan: Plan) -> Res<Vec<Row>> {
    let base = base.as_str();
    let client = crate_client(base)?;
    let http = reqwest::Client::new();
    let auth = format!("Basic {}", basic_token());
    let expected = server::DEFAULT_PLUGINS as usize;
    // Warm-up, which also has the server render and cache every page once.
    for n in [
        crate_paginate(&client).await?,
        raw_paginate(&http, base, &auth).await?,
    ] {
        check_count(n, expected)?;
    }
    let mut secs: [Vec<f64>; 2] = Default::default();
    for round in 0..plan.pagination_rounds {
        for side in order(round, 2) {
            let started = Instant::now();
            let n = match side {
                0 => crate_paginate(&client).await?,
                _ => raw_paginate(&http, base, &auth).await?,
            };
            secs[side].push(started.elapsed().as_secs_f64());
            check_count(n, expected)?;
        }
    }
    let [krate, raw] = secs;
    let per_round = ratios(&krate, &raw);
    let ratio = median(&per_round);
    eprintln!(
        "fig 4: {} rounds; crate {:.1} ms, raw {:.1} ms per 20,000 items; per round {}",
        plan.pagination_rounds,
        median(&krate) * 1e3,
        median(&raw) * 1e3,
        spread(&per_round)
    );
    Ok(vec![row(
        FIG4A,
        format!(
            "{ratio:.3} (crate {:.1} ms vs raw {:.1} ms, 200 pages)",
            median(&krate) * 1e3,
            median(&raw) * 1e3
        ),
        ratio <= 1.10,
    )])
}

fn check_count(n: usize, expected: usize) -> Res<()> {
    if n == expected {
        Ok(())
    } else {
        Err(format!("paginated {n} items, the server has {expected}").into())
    }
}

fn fig4_memory(base: &str, exe: &Path, plan: &Plan) -> Res<Vec<Row>> {
    let sizes = [2_000u32, 20_000];
    let mut kib: [Vec<f64>; 2] = Default::default();
    for round in 0..plan.rss_rounds {
        for side in order(round, 2) {
            let n = sizes[side];
            let measured = under_time(
                exe.as_os_str(),
                &[
                    "child".into(),
                    "paginate".into(),
                    format!("{base}/p{n}"),
                    n.to_string(),
                ],
            )?;
            kib[side].push(measured.max_rss_kib as f64);
        }
    }
    let (small, large) = (median(&kib[0]), median(&kib[1]));
    let growth = large / small;
    eprintln!(
        "fig 4 RSS: 2,000 items {:?} KiB, 20,000 items {:?} KiB",
        kib[0], kib[1]
    );
    Ok(vec![row(
        FIG4B,
        format!(
            "{growth:.3} ({:.1} MiB for 200 pages vs {:.1} MiB for 20)",
            large / 1024.0,
            small / 1024.0
        ),
        growth <= 1.10,
    )])
}

// ---------------------------------------------------------------------------------------
// Figure 5: the upload
// ---------------------------------------------------------------------------------------

/// The `upload_form_data` of an S3 presigned answer, shaped like the guide's example.
fn form_fields() -> Vec<(String, String)> {
    let policy = base64::engine::general_purpose::STANDARD.encode(
        r#"{"expiration":"2030-09-11T22:08:30.000Z","conditions":[{"bucket":"confluent-custom-connectors-prod-us-west-2"},["starts-with","$key","staging/ccp/v1/"],{"x-amz-algorithm":"AWS4-HMAC-SHA256"},{"x-amz-credential":"ASIA3UFUYVKN2TJBCYPQ/20230911/us-west-2/s3/aws4_request"},{"x-amz-date":"20230911T210830Z"},["content-length-range",0,1073741824]]}"#,
    );
    let token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLXdlc3QtMiJHMEUCIQDx".repeat(12);
    [
        (
            "bucket",
            "confluent-custom-connectors-prod-us-west-2".to_owned(),
        ),
        (
            "key",
            "staging/ccp/v1/org-9bb441c4/custom-plugins/ccp-0000001/plugin.zip".to_owned(),
        ),
        ("policy", policy),
        ("x-amz-algorithm", "AWS4-HMAC-SHA256".to_owned()),
        (
            "x-amz-credential",
            "ASIA3UFUYVKN2TJBCYPQ/20230911/us-west-2/s3/aws4_request".to_owned(),
        ),
        ("x-amz-date", "20230911T210830Z".to_owned()),
        ("x-amz-security-token", token),
        (
            "x-amz-signature",
            "6f1f8ac3e9f1c0d2b7a4e5d6c8b9a0f1e2d3c4b5a6978877665544332211aabb".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn fig5(server: &server::Server, exe: &Path, plan: &Plan) -> Res<Vec<Row>> {
    let file = plan
        .upload_file
        .as_deref()
        .ok_or("no archive: pass --upload-file (scripts/bench.sh makes a 1 GiB sparse one)")?;
    let size = std::fs::metadata(file)?.len();
    // The first read of a sparse file fills the page cache with its zero pages; read it once
    // here so that neither side pays for that.
    std::io::copy(&mut std::fs::File::open(file)?, &mut std::io::sink())?;
    let url = format!("{}/upload", server.base);
    let file_arg = file.to_str().ok_or("archive path is not UTF-8")?;
    let mut curl_args: Vec<String> = vec![
        "--silent".into(),
        "--show-error".into(),
        "--fail".into(),
        "--output".into(),
        "/dev/null".into(),
        "-X".into(),
        "POST".into(),
        url.clone(),
    ];
    for (k, v) in form_fields() {
        curl_args.extend(["-F".to_owned(), format!("{k}={v}")]);
    }
    curl_args.extend(["-F".to_owned(), format!("file=@{file_arg}")]);
    let crate_args: Vec<String> = vec!["child".into(), "upload".into(), file_arg.into(), url];

    let mut secs: [Vec<f64>; 2] = Default::default();
    let mut rss: [u64; 2] = [0, 0];
    for round in 0..plan.upload_rounds {
        for side in order(round, 2) {
            let before = server.stats.uploads.load(Ordering::SeqCst);
            let measured = match side {
                0 => under_time(exe.as_os_str(), &crate_args)?,
                _ => under_time("curl".as_ref(), &curl_args)?,
            };
            check_upload(&server.stats, before, size, ["crate", "curl"][side])?;
            secs[side].push(measured.secs);
            rss[side] = rss[side].max(measured.max_rss_kib);
        }
    }
    let [krate, curl] = secs;
    let ratio = median(&ratios(&curl, &krate));
    let gib = size as f64 / (1u64 << 30) as f64;
    let (tk, tc) = (gib / median(&krate), gib / median(&curl));
    eprintln!(
        "fig 5: {} rounds of {size} bytes; crate {krate:.3?} s, curl {curl:.3?} s; peak RSS crate {} KiB, curl {} KiB",
        plan.upload_rounds, rss[0], rss[1]
    );
    Ok(vec![
        row(
            FIG5A,
            format!("{ratio:.3} (crate {tk:.2} GiB/s vs curl {tc:.2} GiB/s)"),
            ratio >= 0.8,
        ),
        row(
            FIG5B,
            format!(
                "{:.1} MiB (curl {:.1} MiB)",
                rss[0] as f64 / 1024.0,
                rss[1] as f64 / 1024.0
            ),
            rss[0] < UPLOAD_RSS_LIMIT_KIB,
        ),
    ])
}

/// The server read exactly one more upload, the whole archive plus the form around it,
/// ending with the closing boundary.
fn check_upload(stats: &Stats, before: u64, size: u64, who: &str) -> Res<()> {
    let uploads = stats.uploads.load(Ordering::SeqCst);
    let bytes = stats.last_upload_bytes.load(Ordering::SeqCst);
    let well_formed = stats.last_upload_well_formed.load(Ordering::SeqCst);
    if uploads != before + 1 || !(size..size + 64 * 1024).contains(&bytes) || !well_formed {
        return Err(format!(
            "{who}'s upload did not arrive whole: {} uploads, {bytes} body bytes for a {size}-byte \
             archive, closing boundary {}",
            uploads - before,
            if well_formed { "present" } else { "missing" }
        )
        .into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Figure 6: concurrency through one cloned client
// ---------------------------------------------------------------------------------------

/// `tasks` tasks, each with its own clone of `client`, each doing `each` GETs; returns the
/// time and the number of failed GETs.
async fn concurrent_reads(client: &Client, tasks: usize, each: usize) -> (Duration, u64) {
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let client = client.clone();
            let errors = errors.clone();
            tokio::spawn(async move {
                for _ in 0..each {
                    let ok = match client
                        .connect()
                        .raw()
                        .get_connector_config(ENV, CLUSTER, CONNECTOR)
                        .await
                    {
                        Ok(config) => config.len() == CONFIG_KEYS,
                        Err(_) => false,
                    };
                    if !ok {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for handle in handles {
        if handle.await.is_err() {
            errors.fetch_add(each as u64, Ordering::Relaxed);
        }
    }
    (started.elapsed(), errors.load(Ordering::Relaxed))
}

async fn fig6(base: String, stats: Arc<Stats>, plan: Plan) -> Res<Vec<Row>> {
    let base = base.as_str();
    const TASKS: usize = 64;
    let client = crate_client(base)?;
    let each = plan.concurrency_each;
    let total = TASKS * each;
    let before = stats.connections.load(Ordering::SeqCst);
    // Warm-up: the pool grows to the concurrency it is asked for.
    let (_, mut errors) = concurrent_reads(&client, TASKS, each).await;
    errors += concurrent_reads(&client, 1, total).await.1;
    let pooled = stats.connections.load(Ordering::SeqCst) - before;

    let mut rate: [Vec<f64>; 2] = Default::default();
    for round in 0..plan.concurrency_rounds {
        for side in order(round, 2) {
            let (took, failed) = match side {
                0 => concurrent_reads(&client, TASKS, each).await,
                _ => concurrent_reads(&client, 1, total).await,
            };
            errors += failed;
            rate[side].push(total as f64 / took.as_secs_f64());
        }
    }
    let opened = stats.connections.load(Ordering::SeqCst) - before;
    let [wide, narrow] = rate;
    let per_round = ratios(&wide, &narrow);
    let scale = median(&per_round);
    eprintln!(
        "fig 6: {} rounds x {total} GETs; 64 tasks {:.0}/s, 1 task {:.0}/s; per round {}; \
         {pooled} connections after warm-up, {opened} in all; {errors} errors",
        plan.concurrency_rounds,
        median(&wide),
        median(&narrow),
        spread(&per_round)
    );
    Ok(vec![row(
        FIG6,
        format!(
            "{scale:.2}x ({:.0} vs {:.0} GETs/s, {opened} pooled connections, {errors} errors)",
            median(&wide),
            median(&narrow)
        ),
        scale >= 1.5 && errors == 0,
    )])
}

// ---------------------------------------------------------------------------------------
// Processes measured by the OS
// ---------------------------------------------------------------------------------------

struct Measured {
    secs: f64,
    max_rss_kib: u64,
}

/// Runs `program` under GNU `/usr/bin/time`, whose `%M` is the kernel's peak RSS of the
/// process (getrusage `ru_maxrss`), and the wall time seen from here.
fn under_time(program: &std::ffi::OsStr, args: &[String]) -> Res<Measured> {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let report = std::env::temp_dir().join(format!(
        "ccloud-bench-{}-{}.time",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    let started = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running /usr/bin/time (apt-get install time): {e}"))?;
    let secs = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    ensure_success(&program.to_string_lossy(), &out)?;
    let max_rss_kib = text
        .lines()
        .rev()
        .find_map(|l| l.trim().parse().ok())
        .ok_or_else(|| format!("/usr/bin/time wrote no peak RSS: {text:?}"))?;
    Ok(Measured { secs, max_rss_kib })
}

// ---------------------------------------------------------------------------------------
// The crate's side in processes of their own
// ---------------------------------------------------------------------------------------

fn child(args: &[String]) -> Res<bool> {
    let rt = runtime()?;
    match args {
        [what, n, base] if what == "reads" => {
            let n: usize = n.parse()?;
            let client = crate_client(base)?;
            on_worker(&rt, async move { crate_reads(&client, n).await })?;
        }
        // Not used by `run`: the bare side of figure 1 alone, to profile it beside `reads`
        // (BENCHMARKS.md, "Investigating").
        [what, n, base] if what == "raw-reads" => {
            let n: usize = n.parse()?;
            let auth = format!("Basic {}", basic_token());
            let url = format!("{base}{CONFIG_PATH}");
            on_worker(&rt, async move {
                reqwest_reads(&reqwest::Client::new(), &url, &auth, n).await
            })?;
        }
        [what, base, expected] if what == "paginate" => {
            let client = crate_client(base)?;
            let n = on_worker(&rt, async move { crate_paginate(&client).await })?;
            check_count(n, expected.parse()?)?;
            println!("{n} items");
        }
        [what, file, url] if what == "upload" => {
            let receipt = rt.block_on(upload(Path::new(file), url))?;
            println!(
                "{} bytes in {:.3} s, status {}",
                receipt.bytes,
                receipt.elapsed.as_secs_f64(),
                receipt.status
            );
        }
        _ => return Err(format!("bad child arguments {args:?}\n{USAGE}").into()),
    }
    rt.shutdown_background();
    Ok(true)
}

async fn upload(file: &Path, url: &str) -> Res<ccloud_connect::upload::UploadReceipt> {
    let fields: serde_json::Map<String, serde_json::Value> = form_fields()
        .into_iter()
        .map(|(k, v)| (k, v.into()))
        .collect();
    let answer = serde_json::json!({
        "api_version": "connect/v1",
        "kind": "PresignedUrl",
        "cloud": "AWS",
        "content_format": "ZIP",
        "upload_id": "e53bb2e8-8de3-49fa-9fb1-4e3fd9a16b66",
        "upload_url": url,
        "upload_form_data": fields,
    });
    let presigned = PresignedUpload::from_json(answer.to_string().as_bytes())?;
    let archive = Archive::open(file, ArchiveFormat::Zip)?;
    Ok(presigned.upload(&archive, &UploadOptions::new()).await?)
}

/// The server alone, for trying the figures by hand: prints its URL, serves until stdin
/// closes.
fn serve() -> Res<bool> {
    let server = server::start(2)?;
    println!("{}", server.base);
    eprintln!(
        "serving until stdin closes; try: curl {}{CONFIG_PATH}",
        server.base
    );
    std::io::stdout().flush()?;
    let mut sink = Vec::new();
    std::io::stdin().read_to_end(&mut sink)?;
    Ok(true)
}
