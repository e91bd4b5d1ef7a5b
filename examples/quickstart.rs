//! The usage guide's whole story, told through the crate's public API.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With no credentials in the environment it starts the embedded emulator on 127.0.0.1 and,
//! against it: lists connectors, validates a managed plugin configuration, creates a managed
//! connector and waits until it runs, reads and updates its configuration, shows its status
//! and tasks, pauses, resumes and restarts it, lists the custom connector runtimes, uploads a
//! generated plugin archive (progress on stderr) as a custom plugin and runs a custom
//! connector on it, publishes a ccpm plugin version and waits until it is `READY`, lists
//! plugins page by page, and deletes everything again.
//!
//! With credentials it runs only the read-only part, against the real API:
//!
//! ```text
//! CONFLUENT_CLOUD_API_KEY, CONFLUENT_CLOUD_API_SECRET   a Cloud API key (--resource cloud)
//! CONFLUENT_ENVIRONMENT_ID                              the environment, env-...
//! CONFLUENT_KAFKA_CLUSTER_ID                            the Kafka cluster, lkc-...
//! CONFLUENT_CLOUD_ENDPOINT                              optional: another base URL
//! ```
//!
//! Exit status: 0 when all went well; 1 when a call failed (the crate's error is printed);
//! 2 when credentials are set without the environment and cluster ids.

use std::fmt;
use std::io::{IsTerminal as _, Write};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use ccloud_connect::ccpm::{self, ConnectorClassType, PluginVersionPhase};
use ccloud_connect::ccpm::{NewPlugin, NewPluginVersion, PluginRef};
use ccloud_connect::connect::{
    Cloud, Connector, ConnectorState, ConnectorStatus, CustomConnectorPluginType,
};
use ccloud_connect::connect::{ConnectorSpec, Expand, NewCustomPlugin, TargetState};
use ccloud_connect::upload::{Archive, ArchiveFormat, Progress, UploadOptions};
use ccloud_connect::wait::{Wait, WaitOptions};
use ccloud_connect::{Client, ClientBuilder, Error, Result};
use ccloud_connect_emulator::Emulator;
use futures::TryStreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

/// `writeln!` to the story's output; a failed write ends the story with the crate's error.
macro_rules! say {
    ($out:expr, $($fmt:tt)*) => {
        writeln!($out, $($fmt)*).map_err(|e| io_error("writing the output", e))?
    };
}

/// The variable naming the environment (`env-...`) for the real-API mode.
pub const ENV_ENVIRONMENT_ID: &str = "CONFLUENT_ENVIRONMENT_ID";
/// The variable naming the Kafka cluster (`lkc-...`) for the real-API mode.
pub const ENV_KAFKA_CLUSTER_ID: &str = "CONFLUENT_KAFKA_CLUSTER_ID";

// The emulator creates environments and clusters on first use, so any ids do.
const ENV: &str = "env-quickstart";
const CLUSTER: &str = "lkc-quickstart";
const S3_SINK: &str = "S3_SINKConnector_0";
const CUSTOM: &str = "custom-datagen_0";
const DATAGEN: &str = "io.confluent.kafka.connect.datagen.DatagenConnector";
const PAGE_SIZE: NonZeroU32 = NonZeroU32::new(2).unwrap();

/// The emulator story, step by step. Expects an empty emulator: the last step checks that
/// nothing is left.
pub async fn run_story(client: &Client, out: &mut impl Write) -> Result<Summary> {
    let api = client.connect();
    let cluster = api.cluster(ENV, CLUSTER);
    let s3_sink = cluster.connector(S3_SINK);
    let environment = client.ccpm().environment(ENV);

    say!(out, "\n1. Connectors in {ENV}/{CLUSTER}");
    show_connectors(client, ENV, CLUSTER, out).await?;

    say!(out, "\n2. Validate a managed S3 sink configuration");
    show_managed_plugins(client, ENV, CLUSTER, out).await?;
    let draft = s3_sink_spec();
    let check = cluster.validate(&draft).await?;
    for (key, errors) in check.field_errors() {
        say!(out, "   without a bucket: {key}: {}", errors.join("; "));
    }
    let spec = draft.set("s3.bucket.name", "datagen-to-s3");
    let check = cluster.validate(&spec).await?;
    say!(out, "   with a bucket: valid = {}", check.is_valid());

    say!(out, "\n3. Create {S3_SINK} and wait until it runs");
    let started = Instant::now();
    let created = cluster.create(&spec).await?;
    say!(out, "   created {}, waiting for RUNNING...", created.name);
    let running = TargetState::Running;
    let status = s3_sink.wait_for(running, waits()).await?;
    let (state, tasks, took) = (&status.connector.state, status.tasks.len(), secs(started));
    say!(out, "   {state} after {took:.1} s, {tasks} tasks");
    let managed_state = status.connector.state;

    say!(out, "\n4. Read its configuration, then update it");
    let read = s3_sink.spec().await?;
    for key in ["time.interval", "kafka.api.key", "aws.secret.access.key"] {
        say!(out, "   {key} = {}", read.get(key).unwrap_or("-"));
    }
    let masked = join(read.masked_keys());
    say!(out, "   masked, so the update gives them again: {masked}");
    // A configuration update provisions the connector again: wait until it runs on it.
    let spec = with_s3_secrets(read).set("time.interval", "DAILY");
    let (updated, status) = s3_sink.update_and_wait(&spec, waits()).await?;
    let interval = value(&updated, "time.interval");
    say!(
        out,
        "   time.interval = {interval}, {}",
        status.connector.state
    );

    say!(out, "\n5. Status and tasks");
    let status = s3_sink.status().await?;
    say!(out, "   {}: {}", status.name, status.connector.state);
    for task in &status.tasks {
        say!(out, "   task {}: {}", task.id, task.state);
    }
    let tasks = s3_sink.tasks().await?;
    let intervals = tasks
        .iter()
        .filter_map(|t| t.config.as_ref()?.get("time.interval"));
    let intervals = join(intervals.map(String::as_str));
    say!(out, "   time.interval in the task configs: {intervals}");

    say!(out, "\n6. Pause, resume and restart, waiting each time");
    let paused = s3_sink.pause(Wait::With(waits())).await?;
    say!(out, "   paused:    {}", state_of(&paused));
    let resumed = s3_sink.resume(Wait::With(waits())).await?;
    say!(out, "   resumed:   {}", state_of(&resumed));
    let restarted = s3_sink.restart(Wait::With(waits())).await?;
    say!(out, "   restarted: {}", state_of(&restarted));

    say!(out, "\n7. Custom connector runtimes");
    let runtime = show_runtimes(client, out).await?;

    say!(out, "\n8. Upload a generated archive as a custom plugin");
    let dir = TempDir::create()?;
    let path = dir.0.join("quickstart-datagen-1.0.0.zip");
    write_plugin_zip(&path)?;
    let archive = Archive::open(&path, ArchiveFormat::Zip)?;
    say!(out, "   {} ({:.1} MiB)", path.display(), mib(archive.len()));
    let updates = Arc::new(AtomicU64::new(0));
    let source = CustomConnectorPluginType::Source;
    let plugin = NewCustomPlugin::new("quickstart-datagen", DATAGEN, source)
        .description("Made by the ccloud-connect quickstart")
        .sensitive_config_properties(["db.conn.string"]);
    let upload = progress_bar(&updates);
    let published = api
        .publish_custom_plugin(&plugin, &archive, &upload)
        .await?;
    // The API always answers an id; were it missing, the next call would refuse the empty one.
    let plugin_id = published.plugin.id.unwrap_or_default();
    let seconds = published.upload.elapsed.as_secs_f64();
    say!(out, "   uploaded in {seconds:.2} s: plugin {plugin_id}");

    say!(out, "\n9. Run a custom connector on the plugin");
    let mut custom = ConnectorSpec::custom(CUSTOM, &plugin_id)
        .kafka_api_key("KAFKA-API-KEY")
        .kafka_api_secret("kafka-api-secret")
        .secret("db.conn.string", "postgres://app:pw@db.example.com/shop")
        .set("kafka.topic", "pageviews")
        .tasks_max(1);
    if let Some(runtime) = &runtime {
        custom = custom.plugin_runtime(runtime);
    }
    let started = Instant::now();
    let created = cluster.create(&custom).await?;
    let status = cluster.connector(CUSTOM).wait_for(running, waits()).await?;
    let (state, took) = (&status.connector.state, secs(started));
    say!(out, "   {state} after {took:.1} s");
    let dsn = value(&created, "db.conn.string");
    say!(out, "   db.conn.string = {dsn} (sensitive per the plugin)");
    let custom_state = status.connector.state;

    say!(out, "\n10. Publish a ccpm plugin version, wait for READY");
    let target = PluginRef::named("quickstart-ccpm", ccpm::Cloud::Aws)
        .with_description("Made by the ccloud-connect quickstart");
    let version = NewPluginVersion::new(target, "1.0.0")
        .connector_class(DATAGEN, ConnectorClassType::Source)
        .wait_until_ready(waits());
    let started = Instant::now();
    let upload = progress_bar(&updates);
    let published = environment
        .publish_version(&version, &archive, &upload)
        .await?;
    let ccpm_plugin_id = published.plugin.id.unwrap_or_default();
    let version_id = published.version.id.unwrap_or_default();
    let version_phase = published.version.status.map(|s| s.phase);
    let (phase, took) = (phase_name(&version_phase), secs(started));
    say!(out, "   plugin {ccpm_plugin_id}, version {version_id}");
    say!(out, "   {phase} after {took:.1} s");

    say!(out, "\n11. List ccpm plugins, {PAGE_SIZE} per page");
    let mut ccpm_ids = vec![ccpm_plugin_id.clone()];
    for n in 1..=4 {
        let extra = environment
            .create_plugin(&NewPlugin::new(format!("extra-{n}"), ccpm::Cloud::Aws))
            .await?;
        ccpm_ids.extend(extra.id);
    }
    let mut pages = environment.plugins(None).page_size(PAGE_SIZE).by_page();
    let (mut plugin_pages, mut plugins_listed) = (0, 0);
    while let Some(page) = pages.try_next().await? {
        plugin_pages += 1;
        plugins_listed += page.items.len();
        let names = join(page.items.iter().map(|p| p.spec.display_name.as_str()));
        say!(out, "   page {plugin_pages}: {names}");
    }
    say!(out, "   {plugins_listed} plugins on {plugin_pages} pages");

    say!(out, "\n12. Clean up");
    for name in [S3_SINK, CUSTOM] {
        cluster.connector(name).delete().await?;
        say!(out, "   deleted connector {name}");
    }
    api.custom_plugin(&plugin_id).delete().await?;
    say!(out, "   deleted custom plugin {plugin_id}");
    let ccpm_plugin = environment.plugin(&ccpm_plugin_id);
    ccpm_plugin.version(&version_id).delete().await?;
    say!(out, "   deleted ccpm version {version_id}");
    for id in &ccpm_ids {
        environment.plugin(id).delete().await?;
    }
    say!(out, "   deleted {} ccpm plugins", ccpm_ids.len());
    let archive_dir = dir.0.clone();
    drop(dir);
    let left_behind = [
        show_connectors(client, ENV, CLUSTER, out).await?,
        api.custom_plugins(None).all().await?.len(),
        environment.plugins(None).all().await?.len(),
    ];
    Ok(Summary {
        managed_state,
        custom_state,
        version_phase,
        plugin_pages,
        plugins_listed,
        progress_updates: updates.load(Ordering::Relaxed),
        left_behind,
        archive_dir,
    })
}

/// The read-only part of the story, safe against a real organisation: it only lists.
pub async fn run_read_only(
    client: &Client,
    environment: &str,
    cluster: &str,
    out: &mut impl Write,
) -> Result<()> {
    say!(out, "running read-only against {}", client.base_url());
    say!(out, "\n1. Connectors in {environment}/{cluster}");
    show_connectors(client, environment, cluster, out).await?;
    say!(out, "\n2. Managed connector plugins");
    show_managed_plugins(client, environment, cluster, out).await?;
    say!(out, "\n3. Custom connector runtimes");
    show_runtimes(client, out).await?;
    say!(out, "\n4. Custom connector plugins (connect/v1), per cloud");
    // Without a cloud the API lists only AWS plugins.
    for cloud in [Cloud::Aws, Cloud::Azure, Cloud::Gcp] {
        let list = client.connect().custom_plugins(Some(cloud.clone()));
        let plugins = list.all().await?;
        let names = join(plugins.iter().map(|p| p.display_name.as_str()));
        say!(out, "   {cloud}: {} plugins: {names}", plugins.len());
    }
    say!(out, "\n5. ccpm plugins of {environment}");
    let plugins = client
        .ccpm()
        .environment(environment)
        .plugins(None)
        .all()
        .await?;
    let names = join(plugins.iter().map(|p| p.spec.display_name.as_str()));
    say!(out, "   {} plugins: {names}", plugins.len());
    Ok(())
}

/// What the environment variables ask for.
#[derive(Debug, PartialEq, Eq)]
pub enum Mode {
    /// No credentials: the whole story against the embedded emulator.
    Emulator,
    /// Credentials: read-only calls against the real API, in this environment and cluster.
    ReadOnly {
        environment: String,
        cluster: String,
    },
}

/// Picks the mode from the variables `var` returns (`None` when unset or blank). Credentials
/// without both ids are refused with a message naming the variables.
pub fn choose_mode(var: impl Fn(&str) -> Option<String>) -> std::result::Result<Mode, String> {
    if var(ClientBuilder::ENV_API_KEY).is_none() && var(ClientBuilder::ENV_API_SECRET).is_none() {
        return Ok(Mode::Emulator);
    }
    let (environment, cluster) = (var(ENV_ENVIRONMENT_ID), var(ENV_KAFKA_CLUSTER_ID));
    if let (Some(environment), Some(cluster)) = (&environment, &cluster) {
        let (environment, cluster) = (environment.clone(), cluster.clone());
        return Ok(Mode::ReadOnly {
            environment,
            cluster,
        });
    }
    let unset = [
        (ENV_ENVIRONMENT_ID, environment),
        (ENV_KAFKA_CLUSTER_ID, cluster),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.is_none().then_some(name))
    .collect::<Vec<_>>()
    .join(" and ");
    Err(format!(
        "{}/{} are set, so the quickstart would run read-only against \
         the real API, which needs {ENV_ENVIRONMENT_ID} (env-...) and {ENV_KAFKA_CLUSTER_ID} \
         (lkc-...) too; {unset} not set. Set them, or unset the credentials to run the whole \
         story against the embedded emulator.",
        ClientBuilder::ENV_API_KEY,
        ClientBuilder::ENV_API_SECRET,
    ))
}

/// What the story did, for its last line and for tests.
#[derive(Debug)]
pub struct Summary {
    pub managed_state: ConnectorState,
    pub custom_state: ConnectorState,
    pub version_phase: Option<PluginVersionPhase>,
    pub plugin_pages: usize,
    pub plugins_listed: usize,
    pub progress_updates: u64,
    /// Connectors, custom plugins and ccpm plugins still there after the cleanup.
    pub left_behind: [usize; 3],
    pub archive_dir: PathBuf,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phase = phase_name(&self.version_phase);
        let [connectors, custom, ccpm] = self.left_behind;
        let archive = if self.archive_dir.exists() {
            "kept"
        } else {
            "removed"
        };
        write!(
            f,
            "connectors {} and {}, version {}, {} plugins on {} pages, {} progress updates; \
             left behind: {connectors} connectors, {custom} custom plugins, {ccpm} ccpm \
             plugins; archive {archive}",
            self.managed_state,
            self.custom_state,
            phase,
            self.plugins_listed,
            self.plugin_pages,
            self.progress_updates,
        )
    }
}

/// Prints every connector with its id and state; returns how many there are.
async fn show_connectors(
    client: &Client,
    environment: &str,
    cluster: &str,
    out: &mut impl Write,
) -> Result<usize> {
    let expand = Expand::STATUS | Expand::ID;
    let api = client.connect();
    let connectors = api.cluster(environment, cluster).connectors(expand).await?;
    say!(out, "   {} connectors", connectors.len());
    for (name, expansion) in &connectors {
        let id = expansion.id.as_ref().and_then(|id| id.id.as_deref());
        let state = expansion.status.as_ref().map(|s| &s.connector.state);
        let state = state.map_or("?".to_owned(), ToString::to_string);
        say!(out, "   {name} ({}): {state}", id.unwrap_or("?"));
    }
    Ok(connectors.len())
}

async fn show_managed_plugins(
    client: &Client,
    environment: &str,
    cluster: &str,
    out: &mut impl Write,
) -> Result<()> {
    let plugins = client
        .connect()
        .cluster(environment, cluster)
        .managed_plugins()
        .await?;
    let names = join(plugins.iter().map(|p| p.class.as_str()));
    say!(out, "   {} managed plugins: {names}", plugins.len());
    Ok(())
}

/// Prints the runtimes; returns the name of the newest GA one, for custom connectors.
async fn show_runtimes(client: &Client, out: &mut impl Write) -> Result<Option<String>> {
    let report = client.connect().runtime_report().await?;
    for runtime in report.runtimes() {
        let name = runtime.custom_connect_plugin_runtime_name.as_deref();
        let kafka = runtime.runtime_ak_version.as_deref().unwrap_or("?");
        let java = runtime.supported_java_versions.join("/");
        let eol = runtime
            .end_of_life_at
            .map(|t| format!(", end of life {}", t.date_naive()));
        let eol = eol.unwrap_or_default();
        say!(
            out,
            "   {}: Kafka {kafka}, Java {java}{eol}",
            name.unwrap_or("?")
        );
    }
    let newest = report
        .newest_ga()
        .and_then(|r| r.custom_connect_plugin_runtime_name.clone());
    say!(out, "   newest GA: {}", newest.as_deref().unwrap_or("none"));
    Ok(newest)
}

/// The usage guide's S3 sink, still without its bucket.
fn s3_sink_spec() -> ConnectorSpec {
    with_s3_secrets(ConnectorSpec::managed(S3_SINK, "S3_SINK"))
        .set("topics", "pageviews")
        .set("input.data.format", "AVRO")
        .set("output.data.format", "AVRO")
        .set("time.interval", "HOURLY")
        .set("flush.size", "1000")
        .tasks_max(2)
}

/// The S3 sink's secrets. Reads answer them masked, so every update must give them again.
fn with_s3_secrets(spec: ConnectorSpec) -> ConnectorSpec {
    spec.kafka_api_key("KAFKA-API-KEY")
        .kafka_api_secret("kafka-api-secret")
        .secret("aws.access.key.id", "AKIA-QUICKSTART")
        .secret("aws.secret.access.key", "aws-secret-quickstart")
}

/// Every 100 ms, as the emulator provisions in 300 ms; against Confluent Cloud,
/// `WaitOptions::default()` polls every 5 s for up to 10 minutes.
fn waits() -> WaitOptions {
    WaitOptions::new(Duration::from_millis(100), Duration::from_secs(30))
}

/// A configuration value of a connector as the API answered it.
fn value<'a>(connector: &'a Connector, key: &str) -> &'a str {
    let config = connector.config.as_ref();
    config.and_then(|c| c.get(key)).map_or("-", String::as_str)
}

fn phase_name(phase: &Option<PluginVersionPhase>) -> String {
    phase.as_ref().map_or("?".to_owned(), ToString::to_string)
}

fn state_of(status: &Option<ConnectorStatus>) -> String {
    status
        .as_ref()
        .map_or("accepted".to_owned(), |s| s.connector.state.to_string())
}

/// Upload settings whose progress hook shows the upload on stderr and counts its calls.
fn progress_bar(updates: &Arc<AtomicU64>) -> UploadOptions {
    let updates = Arc::clone(updates);
    let show = progress_view();
    // Small chunks give the bar more steps to draw.
    UploadOptions::new()
        .chunk_size(64 * 1024)
        .progress(move |p| {
            updates.fetch_add(1, Ordering::Relaxed);
            show(p);
        })
}

/// A bar on a terminal. Anywhere else (a CI log, a file) every redraw of a bar would stay
/// as a line of its own, so it gets a line per quarter instead; so does the test harness,
/// which captures such lines but not a bar drawn on the terminal.
fn progress_view() -> Box<dyn Fn(Progress) + Send + Sync> {
    if std::io::stderr().is_terminal() && !cfg!(test) {
        let template = "   [{bar:40}] {percent:>3}% of {total_bytes} ({binary_bytes_per_sec})";
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
                eprintln!("   {:3}% of {:.1} MiB", quarter * 25, mib(p.total));
            }
        })
    }
}

/// A stand-in for a connector plugin (real ones come from a Maven or Gradle build): a valid
/// ZIP with a manifest and 4 MiB of pseudo-random filler, so the progress bar has a way to go.
fn write_plugin_zip(path: &Path) -> Result<()> {
    let manifest = br#"{"name": "quickstart-datagen", "version": "1.0.0"}"#;
    let mut x = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next_byte = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 24) as u8
    };
    let filler: Vec<u8> = (0..4 << 20).map(|_| next_byte()).collect();
    let failed = |e: std::io::Error| io_error(&format!("writing {}", path.display()), e);
    let file = std::fs::File::create(path).map_err(failed)?;
    // Stored, not deflated: random filler would not shrink, and the upload is what counts.
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut zip = ZipWriter::new(file);
    for (name, data) in [
        ("manifest.json", &manifest[..]),
        ("lib/filler.bin", &filler),
    ] {
        zip.start_file(name, stored).map_err(|e| failed(e.into()))?;
        zip.write_all(data).map_err(failed)?;
    }
    zip.finish().map_err(|e| failed(e.into()))?;
    Ok(())
}

/// A fresh directory under the system temp dir, removed when dropped, failure or not.
struct TempDir(PathBuf);

impl TempDir {
    fn create() -> Result<Self> {
        let nanos = SystemTime::UNIX_EPOCH.elapsed().map_or(0, |d| d.as_nanos());
        let name = format!("ccloud-connect-quickstart-{}-{nanos}", std::process::id());
        let path = std::env::temp_dir().join(name);
        let created = std::fs::create_dir(&path);
        created.map_err(|e| io_error(&format!("creating {}", path.display()), e))?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Names joined with commas, eight at most.
fn join<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    match names.len() {
        0 => "none".to_owned(),
        n if n > 8 => format!("{}, ... ({} more)", names[..8].join(", "), n - 8),
        _ => names.join(", "),
    }
}

fn io_error(context: &str, source: std::io::Error) -> Error {
    Error::Io {
        context: context.to_owned(),
        source,
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn secs(since: Instant) -> f64 {
    since.elapsed().as_secs_f64()
}

/// The whole story against a fresh embedded emulator.
async fn emulator_mode(out: &mut impl Write) -> Result<()> {
    let emulator = Emulator::builder()
        .provisioning_delay(Duration::from_millis(300))
        .version_processing_delay(Duration::from_millis(300))
        .start()
        .await
        .map_err(|e| io_error("starting the emulator", e))?;
    let url = emulator.base_url();
    say!(
        out,
        "no {}: running against the embedded emulator at {url}",
        ClientBuilder::ENV_API_KEY
    );
    let client = Client::builder()
        .credentials("quickstart-key", "quickstart-secret")
        .base_url(url)
        .build()?;
    let summary = run_story(&client, out).await?;
    say!(out, "\ndone: {summary}");
    Ok(())
}

/// The read-only part against the API the credentials (and `CONFLUENT_CLOUD_ENDPOINT`) name.
async fn read_only_mode(
    var: impl Fn(&str) -> Option<String>,
    environment: &str,
    cluster: &str,
    out: &mut impl Write,
) -> Result<()> {
    let client = ClientBuilder::from_env_with(var)?.build()?;
    run_read_only(&client, environment, cluster, out).await
}

#[tokio::main]
async fn main() -> ExitCode {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let mut out = std::io::stdout();
    let result = match choose_mode(var) {
        Ok(Mode::Emulator) => emulator_mode(&mut out).await,
        Ok(Mode::ReadOnly {
            environment,
            cluster,
        }) => read_only_mode(var, &environment, &cluster, &mut out).await,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
