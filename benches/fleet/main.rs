//! Figures 9a, 9b and 9c: a fleet inventory plus one status read per connector, through one
//! `Client` at concurrency 64, against the emulator with a rate limit.
//!
//! ```text
//! cargo bench --bench fleet -- [--clusters 20] [--per-cluster 50] [--limit 100] [--window-secs 2] [--quick]
//! ```
//!
//! 20 clusters of 50 connectors are seeded (no API request), then the rate limit is set:
//! `limit` requests per `window`, per API key. One pass is the fleet's stream (one
//! `expand=status` list per cluster) and then a status read of every connector, 64 at a
//! time: `clusters + clusters x per-cluster` requests. The bound is what the rate limit
//! allows at best, `requests / limit x window`; the figure is the pass's time over it.
//!
//! * 9a: pacing on (the default, adaptive). Target: at most 1.10.
//! * 9b: the `429` answers the client received in 9a. Target: 0.
//! * 9c: the same pass with pacing off, retries only (as other clients do): its time over
//!   the bound and its `429`s, reported for comparison.
//!
//! Each pass gets an API key of its own, so the emulator counts it in a fresh window. Rows
//! go to stdout as `RESULT\t<id>\t<name>\t<measured>\t<target>\t<ok|short>`, like
//! benches/compare's; progress goes to stderr.

use std::io::Write as _;
use std::time::{Duration, Instant};

use ccloud_connect::{Client, Pacing, RetryPolicy};
use ccloud_connect_emulator::{Emulator, EmulatorHandle, Seed};
use futures::{StreamExt as _, TryStreamExt as _};

struct Args {
    clusters: usize,
    per_cluster: usize,
    limit: u32,
    window: Duration,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        clusters: 20,
        per_cluster: 50,
        limit: 100,
        window: Duration::from_secs(2),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or(format!("{name} needs a value"))?
                .parse::<u64>()
                .map_err(|e| format!("{name}: {e}"))
        };
        match flag.as_str() {
            "--clusters" => a.clusters = value("--clusters")? as usize,
            "--per-cluster" => a.per_cluster = value("--per-cluster")? as usize,
            "--limit" => a.limit = value("--limit")? as u32,
            "--window-secs" => a.window = Duration::from_secs(value("--window-secs")?),
            "--quick" => {
                a.clusters = 4;
                a.per_cluster = 10;
                a.limit = 20;
                a.window = Duration::from_secs(1);
            }
            // `cargo bench` passes --bench to every bench binary.
            "--bench" => {}
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if a.clusters == 0 || a.per_cluster == 0 || a.limit == 0 || a.window.is_zero() {
        return Err("every size must be positive".to_owned());
    }
    Ok(a)
}

fn seed(a: &Args) -> Seed {
    let connectors: Vec<serde_json::Value> = (0..a.clusters)
        .flat_map(|c| {
            (0..a.per_cluster).map(move |n| {
                serde_json::json!({
                    "environment": "env-fleet",
                    "cluster": format!("lkc-{c:03}"),
                    "config": {
                        "name": format!("c{n:03}"),
                        "connector.class": "DatagenSource",
                        "kafka.api.key": "K",
                        "kafka.api.secret": "S",
                        "kafka.topic": "t",
                        "output.data.format": "JSON",
                        "quickstart": "ORDERS",
                        "tasks.max": "1"
                    }
                })
            })
        })
        .collect();
    Seed::from_json(&serde_json::json!({ "connectors": connectors }).to_string())
        .expect("a valid seed")
}

struct Pass {
    took: Duration,
    requests: u64,
    too_many: u64,
}

/// One inventory pass with its own API key. Requests and `429`s are counted by the
/// emulator's rate limit, so retried attempts count too (the client's observers see one
/// request and its final answer per call).
async fn pass(
    emulator: &EmulatorHandle,
    key: &str,
    pacing: Pacing,
    a: &Args,
) -> Result<Pass, String> {
    let before = emulator.rate_totals();
    let client = Client::builder()
        .credentials(key, "bench-secret")
        .base_url(emulator.base_url())
        .pacing(pacing)
        // Generous: the unpaced pass retries 429s for as long as it takes.
        .retry(
            RetryPolicy::default()
                .max_attempts(50)
                .max_elapsed(Duration::from_secs(600)),
        )
        .build()
        .map_err(|e| e.to_string())?;
    let clusters: Vec<(String, String)> = (0..a.clusters)
        .map(|c| ("env-fleet".to_owned(), format!("lkc-{c:03}")))
        .collect();
    let started = Instant::now();
    let fleet = client.connect().fleet(clusters);
    let connectors: Vec<_> = fleet
        .connectors()
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    if connectors.len() != a.clusters * a.per_cluster {
        return Err(format!(
            "the inventory found {} connectors, not {}",
            connectors.len(),
            a.clusters * a.per_cluster
        ));
    }
    let reads = futures::stream::iter(connectors)
        .map(|c| async move { c.handle().status().await })
        .buffer_unordered(64);
    let statuses: Vec<_> = reads.try_collect().await.map_err(|e| e.to_string())?;
    let took = started.elapsed();
    assert_eq!(statuses.len(), a.clusters * a.per_cluster);
    let after = emulator.rate_totals();
    Ok(Pass {
        took,
        requests: after.requests - before.requests,
        too_many: after.refused - before.refused,
    })
}

fn row(id: &str, name: &str, measured: String, target: &str, ok: bool) {
    println!(
        "RESULT\t{id}\t{name}\t{}\t{target}\t{}",
        measured.replace(['\t', '\n'], " "),
        if ok { "ok" } else { "short" }
    );
    let _ = std::io::stdout().flush();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fleet bench: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let emulator = Emulator::builder()
        .seed(seed(&a))
        .start()
        .await
        .expect("the emulator starts");
    emulator.set_rate_limit(a.limit, a.window);
    let requests = (a.clusters + a.clusters * a.per_cluster) as f64;
    let bound = a.window.mul_f64(requests / f64::from(a.limit));
    eprintln!(
        "==> figure 9: {} clusters x {} connectors, {} requests per pass, limit {} per {:?}: bound {:.2}s",
        a.clusters,
        a.per_cluster,
        requests,
        a.limit,
        a.window,
        bound.as_secs_f64()
    );
    let paced = match pass(&emulator, "bench-paced", Pacing::Adaptive, &a).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("figure 9a: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let ratio = paced.took.as_secs_f64() / bound.as_secs_f64();
    eprintln!(
        "paced: {:.2}s, {} requests, {} 429s",
        paced.took.as_secs_f64(),
        paced.requests,
        paced.too_many
    );
    row(
        "9a",
        "fleet inventory + status reads, paced: time / rate-limit bound",
        format!(
            "{ratio:.3} ({:.2}s vs bound {:.2}s, {} requests, limit {} per {}s, concurrency 64)",
            paced.took.as_secs_f64(),
            bound.as_secs_f64(),
            paced.requests,
            a.limit,
            a.window.as_secs()
        ),
        "<= 1.10",
        ratio <= 1.10,
    );
    row(
        "9b",
        "429 answers received in 9a",
        paced.too_many.to_string(),
        "0",
        paced.too_many == 0,
    );
    let unpaced = match pass(&emulator, "bench-unpaced", Pacing::Off, &a).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("figure 9c: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let ratio_c = unpaced.took.as_secs_f64() / bound.as_secs_f64();
    eprintln!(
        "unpaced: {:.2}s, {} requests, {} 429s",
        unpaced.took.as_secs_f64(),
        unpaced.requests,
        unpaced.too_many
    );
    row(
        "9c",
        "the same with pacing off (retries only)",
        format!(
            "{ratio_c:.3} ({:.2}s, {} requests sent, {} 429s)",
            unpaced.took.as_secs_f64(),
            unpaced.requests,
            unpaced.too_many
        ),
        "reported",
        true,
    );
    std::process::ExitCode::SUCCESS
}
