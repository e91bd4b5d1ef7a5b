//! The seed: connectors and plugins an emulator starts with, read from JSON (the format is
//! in the crate docs, and `emulator/seed.example.json` is an example). Applying a seed goes
//! through the same checks and constructors as the API's create requests, so a seeded
//! resource cannot be one the API would have refused.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use ccloud_connect::ccpm;
use ccloud_connect::connect::CustomConnectorPlugin;

use crate::api::{artifacts, ccpm as ccpm_api, custom_plugins};
use crate::http::errors::Shape;
use crate::http::ids::random_id;
use crate::http::json::located;
use crate::state::artifacts::Artifact;
use crate::state::resolve::{check_name, resolve};
use crate::state::store::{App, CcpmPlugin, CcpmVersion, CustomPlugin, Store};
use crate::state::uploads::{ArchiveFormat, StorageCloud};
use crate::state::views::new_connector;

/// What an emulator starts with: connectors (`RUNNING` from the start), connect/v1 custom
/// connector plugins, ccpm plugins and their versions (`READY`). Given to
/// [`EmulatorConfig::seed`](crate::EmulatorConfig::seed), or to the binary with
/// `--seed FILE`; the JSON format is described in the crate docs.
///
/// ```
/// let seed = ccloud_connect_emulator::Seed::from_json(r#"{
///   "connectors": [{"environment": "env-1", "cluster": "lkc-1", "config": {
///     "name": "pageviews", "connector.class": "DatagenSource", "kafka.api.key": "K",
///     "kafka.api.secret": "S", "kafka.topic": "pageviews", "output.data.format": "JSON"}}]
/// }"#).unwrap();
/// assert!(ccloud_connect_emulator::Seed::from_json(r#"{"connector": []}"#).is_err());
/// # let _ = seed;
/// ```
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "ccloud-connect-emulator seed",
    description = "What the emulator starts with (--seed FILE). Every key is optional unless required; unknown keys are refused. Plugins are created before connectors, so connectors can name them by id."
)]
pub struct Seed {
    /// connect/v1 custom connector plugins.
    #[serde(default)]
    custom_plugins: Vec<SeedCustomPlugin>,
    /// ccpm/v1 plugins, each with its versions.
    #[serde(default)]
    ccpm_plugins: Vec<SeedCcpmPlugin>,
    /// Connectors, RUNNING from the start.
    #[serde(default)]
    connectors: Vec<SeedConnector>,
    /// cam/v1 Connect Artifacts, READY from the start.
    #[serde(default)]
    artifacts: Vec<SeedArtifact>,
    /// The file the seed was read from, to name it in the errors of applying it.
    #[serde(skip)]
    source: Option<PathBuf>,
}

/// A connector, RUNNING from the start, checked as a create request would be.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SeedConnector {
    /// The environment id, e.g. env-1.
    environment: String,
    /// The Kafka cluster id, e.g. lkc-1.
    cluster: String,
    /// The connector's name. Default: config.name; when both are given they must match.
    #[serde(default)]
    name: Option<String>,
    /// The configuration, as for a create request: every value a string.
    config: BTreeMap<String, String>,
}

/// A cam/v1 Connect Artifact (custom SMTs), READY from the start.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SeedArtifact {
    /// The artifact id. Default: a random cfa-... id.
    #[serde(default)]
    id: Option<String>,
    /// The environment id, e.g. env-1.
    environment: String,
    /// AWS (default), AZURE or GCP (any case).
    #[serde(default)]
    cloud: Option<String>,
    /// Unique per environment and cloud, at most 60 characters.
    display_name: String,
    /// At most 256 characters.
    #[serde(default)]
    description: Option<String>,
    /// ZIP or JAR (default), any case.
    #[serde(default)]
    content_format: Option<String>,
}

/// A connect/v1 custom connector plugin.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SeedCustomPlugin {
    /// The plugin id. Default: a random ccp-... id.
    #[serde(default)]
    id: Option<String>,
    /// Unique among the custom plugins.
    display_name: String,
    /// The Java class of the connector.
    connector_class: String,
    /// SOURCE or SINK (any case).
    connector_type: String,
    /// AWS (default), AZURE or GCP (any case).
    #[serde(default)]
    cloud: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    documentation_link: Option<String>,
    /// Configuration keys masked in answers.
    #[serde(default)]
    sensitive_config_properties: Vec<String>,
}

/// A ccpm/v1 plugin of one environment.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SeedCcpmPlugin {
    /// The plugin id. Default: a random ccp-... id.
    #[serde(default)]
    id: Option<String>,
    /// The environment id, e.g. env-1.
    environment: String,
    /// Unique among the environment's ccpm plugins.
    display_name: String,
    #[serde(default)]
    description: Option<String>,
    /// AWS (default), AZURE or GCP (any case).
    #[serde(default)]
    cloud: Option<String>,
    /// The plugin's versions, READY from the start.
    #[serde(default)]
    versions: Vec<SeedVersion>,
}

/// A version of a ccpm plugin, READY from the start.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SeedVersion {
    /// The version id. Default: a random ver-... id.
    #[serde(default)]
    id: Option<String>,
    /// The version string, unique per plugin, e.g. 1.0.0.
    version: String,
    /// The connector classes the version provides: 1 to 10.
    connector_classes: Vec<SeedClass>,
    /// Configuration keys masked in answers.
    #[serde(default)]
    sensitive_config_properties: Vec<String>,
    #[serde(default)]
    documentation_link: Option<String>,
}

/// A connector class a ccpm plugin version provides.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SeedClass {
    /// The Java class.
    class_name: String,
    /// SOURCE or SINK (any case).
    #[serde(rename = "type")]
    type_: String,
}

/// Why a seed could not be read or applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedError {
    message: String,
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SeedError {}

impl Seed {
    /// Reads a seed from its JSON text. Unknown keys are refused, so a typo does not
    /// silently seed less than meant; what refers to what (plugin ids, names) is checked
    /// when the emulator starts.
    pub fn from_json(text: &str) -> Result<Seed, SeedError> {
        serde_json::from_str(text).map_err(|e| SeedError {
            message: format!("invalid seed: {e}"),
        })
    }

    /// Reads a seed from a JSON file. The error is one line that leads with the place:
    /// `FILE:LINE:COLUMN: what was expected` for JSON that does not parse or does not fit
    /// the format, `FILE: ...` for a file that cannot be read.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Seed, SeedError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| SeedError {
            message: format!("{}: cannot read the seed: {e}", path.display()),
        })?;
        let mut seed: Seed = serde_json::from_str(&text).map_err(|e| SeedError {
            message: located(path, &e),
        })?;
        seed.source = Some(path.to_owned());
        Ok(seed)
    }

    /// The JSON Schema (draft 7) of the seed file format, generated from the types a seed
    /// is read into: what `--print-seed-schema` prints, and what `emulator/seed.schema.json`
    /// holds. It describes the shape; what refers to what (plugin ids, unique names, known
    /// connector classes) is checked when the emulator starts.
    ///
    /// ```
    /// let schema = ccloud_connect_emulator::Seed::json_schema();
    /// assert_eq!(schema["additionalProperties"], false);
    /// assert!(schema["properties"]["connectors"].is_object());
    /// ```
    pub fn json_schema() -> serde_json::Value {
        let settings = schemars::r#gen::SchemaSettings::draft07();
        let schema = settings.into_generator().into_root_schema_for::<Seed>();
        serde_json::to_value(schema).unwrap_or(serde_json::Value::Null)
    }

    /// What names the seed in an error: its file, or `seed` for one built from text.
    pub(crate) fn origin(&self) -> String {
        match &self.source {
            Some(path) => path.display().to_string(),
            None => "seed".to_owned(),
        }
    }
}

fn cloud(value: Option<&str>, what: &str) -> Result<StorageCloud, String> {
    let v = value.unwrap_or("AWS").to_ascii_uppercase();
    StorageCloud::parse(&v)
        .ok_or_else(|| format!("{what}: cloud {v:?} is not one of AWS, AZURE, GCP"))
}

fn connector_type(value: &str, what: &str) -> Result<String, String> {
    let v = value.to_ascii_uppercase();
    match v.as_str() {
        "SOURCE" | "SINK" => Ok(v),
        _ => Err(format!("{what}: type {value:?} is not one of SOURCE, SINK")),
    }
}

fn plugin_id(store: &Store, wanted: Option<&str>, what: &str) -> Result<String, String> {
    let taken =
        |id: &str| store.custom_plugins.contains_key(id) || store.ccpm_plugins.contains_key(id);
    match wanted.map(str::trim) {
        Some("") => Err(format!("{what}: id must not be empty")),
        Some(id) if taken(id) => Err(format!("{what}: id {id} is used twice")),
        Some(id) => Ok(id.to_owned()),
        None => {
            let mut id = random_id("ccp-", 6);
            while taken(&id) {
                id = random_id("ccp-", 6);
            }
            Ok(id)
        }
    }
}

fn non_empty(value: &str, what: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("{what} must not be empty"));
    }
    Ok(())
}

/// Adds what `seed` describes to the emulator's store: plugins first, as connectors
/// refer to them.
pub(crate) fn apply(app: &App, seed: &Seed) -> Result<(), String> {
    let mut store = app.store();
    for (i, p) in seed.custom_plugins.iter().enumerate() {
        let what = format!("custom_plugins[{i}]");
        non_empty(&p.display_name, &format!("{what}.display_name"))?;
        non_empty(&p.connector_class, &format!("{what}.connector_class"))?;
        if store
            .custom_plugins
            .values()
            .any(|c| c.plugin.display_name == p.display_name)
        {
            return Err(format!(
                "{what}: display_name {:?} is used twice",
                p.display_name
            ));
        }
        let cloud = cloud(p.cloud.as_deref(), &what)?;
        let id = plugin_id(&store, p.id.as_deref(), &what)?;
        let req: CustomConnectorPlugin = serde_json::from_value(json!({
            "display_name": p.display_name,
            "connector_class": p.connector_class,
            "connector_type": connector_type(&p.connector_type, &what)?,
            "description": p.description,
            "documentation_link": p.documentation_link,
            "sensitive_config_properties": p.sensitive_config_properties,
        }))
        .map_err(|e| format!("{what}: {e}"))?;
        let plugin = custom_plugins::stored_plugin(app, &id, req, ArchiveFormat::Zip, cloud);
        let seq = store.next_seq();
        store
            .custom_plugins
            .insert(id, CustomPlugin { seq, plugin });
    }
    for (i, p) in seed.ccpm_plugins.iter().enumerate() {
        let what = format!("ccpm_plugins[{i}]");
        non_empty(&p.environment, &format!("{what}.environment"))?;
        non_empty(&p.display_name, &format!("{what}.display_name"))?;
        if store
            .ccpm_plugins
            .values()
            .any(|c| c.environment == p.environment && c.plugin.spec.display_name == p.display_name)
        {
            return Err(format!(
                "{what}: display_name {:?} is used twice",
                p.display_name
            ));
        }
        let cloud = cloud(p.cloud.as_deref(), &what)?;
        let id = plugin_id(&store, p.id.as_deref(), &what)?;
        let plugin = ccpm_api::stored_plugin(
            app,
            &id,
            &p.environment,
            cloud,
            p.display_name.clone(),
            p.description.clone(),
        );
        let mut entry = CcpmPlugin {
            seq: store.next_seq(),
            environment: p.environment.clone(),
            plugin,
            versions: BTreeMap::new(),
        };
        for (j, v) in p.versions.iter().enumerate() {
            let what = format!("{what}.versions[{j}]");
            non_empty(&v.version, &format!("{what}.version"))?;
            if entry
                .versions
                .values()
                .any(|e| e.version.spec.version == v.version)
            {
                return Err(format!("{what}: version {:?} is used twice", v.version));
            }
            if !(1..=10).contains(&v.connector_classes.len()) {
                return Err(format!(
                    "{what}: connector_classes must list 1 to 10 classes"
                ));
            }
            let mut classes = Vec::new();
            for c in &v.connector_classes {
                non_empty(
                    &c.class_name,
                    &format!("{what}.connector_classes[].class_name"),
                )?;
                classes.push(
                    json!({"class_name": c.class_name, "type": connector_type(&c.type_, &what)?}),
                );
            }
            let spec: ccpm::PluginVersionSpec = serde_json::from_value(json!({
                "version": v.version,
                "connector_classes": classes,
                "sensitive_config_properties": v.sensitive_config_properties,
                "documentation_link": v.documentation_link,
                "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": ""},
                "environment": {"id": p.environment},
            }))
            .map_err(|e| format!("{what}: {e}"))?;
            let version_id = match v.id.as_deref().map(str::trim) {
                Some("") => return Err(format!("{what}: id must not be empty")),
                Some(vid) => vid.to_owned(),
                None => random_id("ver-", 6),
            };
            let taken = entry.versions.contains_key(&version_id)
                || store
                    .ccpm_plugins
                    .values()
                    .any(|p| p.versions.contains_key(&version_id));
            if taken {
                return Err(format!("{what}: id {version_id} is used twice"));
            }
            let version = ccpm_api::stored_version(
                app,
                &id,
                &version_id,
                &p.environment,
                &v.version,
                &spec,
                ArchiveFormat::Zip,
            );
            let seq = store.next_seq();
            entry.versions.insert(
                version_id,
                CcpmVersion {
                    seq,
                    version,
                    ready_at: Instant::now(),
                    failure: None,
                },
            );
        }
        store.ccpm_plugins.insert(id, entry);
    }
    for (i, a) in seed.artifacts.iter().enumerate() {
        let what = format!("artifacts[{i}]");
        non_empty(&a.environment, &format!("{what}.environment"))?;
        ccpm_api::check_texts(Some(&a.display_name), a.description.as_deref())
            .map_err(|f| format!("{what}: {}", f.message))?;
        let cloud_text = a.cloud.as_deref().unwrap_or("AWS").to_ascii_uppercase();
        let cloud = StorageCloud::parse(&cloud_text)
            .ok_or_else(|| format!("{what}: cloud {cloud_text:?} is not one of AWS, AZURE, GCP"))?;
        let format_text = a
            .content_format
            .as_deref()
            .unwrap_or("JAR")
            .to_ascii_uppercase();
        let format = ArchiveFormat::parse(&format_text)
            .ok_or_else(|| format!("{what}: content_format {format_text:?} is not ZIP or JAR"))?;
        if artifacts::name_taken(&store, &a.environment, cloud.as_str(), &a.display_name) {
            return Err(format!(
                "{what}: display_name {:?} is used twice in {} ({})",
                a.display_name,
                a.environment,
                cloud.as_str()
            ));
        }
        let id = match &a.id {
            Some(id) => {
                non_empty(id, &format!("{what}.id"))?;
                if store.artifacts.contains_key(id) {
                    return Err(format!("{what}: id {id:?} is used twice"));
                }
                id.clone()
            }
            None => artifacts::new_id(&store),
        };
        let artifact = artifacts::stored(
            app,
            &id,
            &a.environment,
            cloud,
            &a.display_name,
            a.description.clone(),
            format,
        );
        let now = Instant::now();
        let entry = Artifact {
            seq: store.next_seq(),
            artifact,
            processing_at: now,
            ready_at: now,
            failure: None,
        };
        store.artifacts.insert(id, entry);
    }
    for (i, c) in seed.connectors.iter().enumerate() {
        let what = format!("connectors[{i}]");
        non_empty(&c.environment, &format!("{what}.environment"))?;
        non_empty(&c.cluster, &format!("{what}.cluster"))?;
        let mut config = c.config.clone();
        let name = match (c.name.as_deref(), config.get("name")) {
            (Some(n), Some(in_config)) if n != in_config => {
                return Err(format!(
                    "{what}: name {n:?} does not match config.name {in_config:?}"
                ));
            }
            (Some(n), _) => n.to_owned(),
            (None, Some(n)) => n.clone(),
            (None, None) => return Err(format!("{what}: no name (give name or config.name)")),
        };
        check_name(&name).map_err(|m| format!("{what}: {m}"))?;
        config.insert("name".to_owned(), name.clone());
        if store
            .cluster(&c.environment, &c.cluster)
            .is_some_and(|m| m.contains_key(&name))
        {
            return Err(format!(
                "{what}: connector {name} is seeded twice in {}/{}",
                c.environment, c.cluster
            ));
        }
        let resolved = resolve(&store, &c.environment, &config, Shape::Nested)
            .map_err(|f| format!("{what}: {}", f.message))?;
        let conn = new_connector(&store, name, config, resolved, Instant::now());
        store.insert_connector(&c.environment, &c.cluster, conn);
    }
    Ok(())
}
