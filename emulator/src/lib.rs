//! A local, stateful emulator of the Confluent Cloud Connect API, for tests of programs that
//! use it, in Rust or any other language.
//!
//! It serves every operation of `openapi/connect-v1.yaml`, `openapi/ccpm-v1.yaml` and
//! `openapi/cam-v1.yaml` on `127.0.0.1` (or the address of [`EmulatorConfig::host`]), in
//! the JSON shapes and with the status codes of the real API, keeping its state in memory.
//! Start it from a test with [`Emulator::builder`], or as a program:
//!
//! ```text
//! cargo run -p ccloud-connect-emulator -- --port 8080
//! listening on http://127.0.0.1:8080
//! ```
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use ccloud_connect_emulator::{Emulator, Fault};
//!
//! let emulator = Emulator::builder()
//!     .provisioning_delay(Duration::from_millis(20))
//!     .start()
//!     .await?;
//! let client = ccloud_connect::Client::builder()
//!     .credentials("any-key", "any-secret")
//!     .base_url(emulator.base_url())
//!     .build()?;
//! emulator.inject(Fault::rate_limited(Duration::from_secs(1)).path_contains("/connectors"));
//! let names = client.connect().cluster("env-1", "lkc-1").connector_names().await?;
//! assert!(names.is_empty());
//! # Ok(()) }
//! ```
//!
//! Dropping the [`EmulatorHandle`] stops the server.
//!
//! # Behaviour
//!
//! **Authentication.** Every request under `/connect/`, `/ccpm/` and `/cam/` needs
//! `Authorization: Basic base64(key:secret)` (scheme and header name case-insensitive).
//! Any non-empty key and secret are accepted unless [`EmulatorConfig::credentials`] (binary:
//! `--api-key`/`--api-secret`) requires an exact pair. Otherwise the answer is `401`
//! `{"error": {"code": 401, "message": "Unauthorized"}}` with a `WWW-Authenticate` header,
//! for every API. The storage endpoints (`/_storage/`) take no Confluent credentials, as
//! the real storage URLs do not. The control endpoints (`/_emulator/...`) take none
//! either, unless credentials are configured: then they need the same exact pair, because
//! anyone who reaches them can break every client of the emulator. `GET /_emulator/health`
//! stays open for readiness probes; it tells nothing and changes nothing.
//!
//! **Headers.** API answers carry `X-Request-Id`, `X-RateLimit-Limit`,
//! `X-RateLimit-Remaining` and `X-RateLimit-Reset` (relative seconds until the window
//! resets, as the published specs document). Requests are counted per API key (the
//! Basic-auth user name; requests without one share the empty key), as Confluent Cloud
//! limits each key: each key has its own fixed window, which opens with the key's first
//! request after its last window ended, and the headers answer the caller's key. By
//! default a limit of 1000 per minute is announced, not enforced: use a [`Fault`] for a one-off `429`, or
//! [`rate_limit`](EmulatorConfig::rate_limit) (binary: `--rate-limit N/SECS`; HTTP:
//! `PUT /_emulator/rate-limit`) to enforce one: a request over it is a `429` with
//! `Retry-After` (seconds until the window resets) and a body in the error shape of the
//! API concerned. Control and storage endpoints are not counted.
//!
//! **Request bodies** are read as JSON whatever the `Content-Type`, as curl's `--data`
//! sends `application/x-www-form-urlencoded`. Unknown JSON fields are ignored. A body over
//! 2 MiB is a `413` in the error shape of the API concerned.
//!
//! **Error shapes.** Connector endpoints answer `{"error": {"code", "message"}}`, except
//! `create_connector`'s `400`, which is flat `{"code", "message"}`. Custom connector
//! plugins, presigned upload URLs, runtimes and every ccpm and cam endpoint answer
//! `{"errors": [{"id", "status", "code", "title", "detail", "source"}]}`. A body that is not
//! JSON of the documented shape (missing required field, wrong type) is a `400`; in the
//! `errors` family a well-formed body with a refused value (unknown enum value, empty or too
//! long name, `upload_id` with nothing uploaded) is a `422` whose `source.pointer` names the
//! field. Unknown resources are `404`; duplicate names `409` (connector names per cluster,
//! connect/v1 plugin display names, ccpm plugin display names per environment, version
//! strings per ccpm plugin, Connect Artifact display names per environment and cloud). A
//! `429`, from a [`Fault`] or from the enforced rate limit, has the error body of the API
//! concerned (see **Where the emulator guesses**).
//!
//! **Environments and clusters** exist from their first use: any id works. Reading one
//! that holds no connector stores nothing, and a cluster is forgotten with its last
//! connector, so the emulator's state grows only with what clients create.
//!
//! **Connectors.** A connector is `PROVISIONING` for
//! [`provisioning_delay`](EmulatorConfig::provisioning_delay), then `RUNNING` with
//! `tasks.max` tasks (`PAUSED` after a pause, `FAILED` when its configuration is invalid).
//! States are computed from timestamps when read, so no background task runs.
//! `pause`, `resume` and `restart` answer `202` at once. For the
//! [`stale_status_window`](EmulatorConfig::stale_status_window) after one of them,
//! `GET .../status` (and the `status` of `?expand=status`) still answers the status from
//! before it, as the real API's asynchronous actions do (which is why Terraform waits
//! before its first poll); then the connector is in transition: a paused connector still
//! `RUNNING` for the [`pause_delay`](EmulatorConfig::pause_delay), a resumed one still
//! `PAUSED` for the [`resume_delay`](EmulatorConfig::resume_delay), a restarted one
//! `PROVISIONING` for the [`restart_delay`](EmulatorConfig::restart_delay) (by default the
//! provisioning delay); then the outcome. A restart re-checks the configuration against
//! the plugins as they are then. With zero delays (the default but for provisioning and
//! restart) every action shows at once. [`EmulatorHandle::set_delays`] (HTTP:
//! `PUT /_emulator/delays`) changes the delays at run time.
//!
//! `PUT .../config` replaces the configuration (creating the connector when absent,
//! answering `200`). An existing connector provisions again: `PROVISIONING` for the
//! provisioning delay, then `RUNNING`, or `FAILED` with a trace when the new configuration
//! fails the checks of a create, including a `confluent.custom.plugin.version` that does
//! not exist or `FAILED`. It stays paused if it was.
//!
//! **Failures** a test needs are injected with [`EmulatorHandle::fail_connector`] (HTTP:
//! `POST /_emulator/connectors/{environment}/{cluster}/{name}/fail`): a whole connector
//! (`FAILED`, `connector.trace` set, every task `FAILED` with the trace as `msg`) or one
//! task (that task `FAILED`, the connector still `RUNNING`, as Kafka Connect reports it).
//! A restart or a new configuration heals the failure, unless it is
//! [`persistent`](Failure::persistent): then the connector provisions and fails again with
//! the same trace, until [`EmulatorHandle::recover_connector`].
//!
//! What is refused at once with `400`, and what is accepted but ends `FAILED` with a
//! Kafka-Connect-style `trace`:
//!
//! | `400` when creating or replacing | `FAILED` after provisioning |
//! | --- | --- |
//! | body not JSON, not string values, `config` missing | a managed plugin's required key missing (e.g. `s3.bucket.name`), `kafka.api.key`/`kafka.api.secret` missing (or `kafka.service.account.id` with `kafka.auth.mode=SERVICE_ACCOUNT`) |
//! | no `name`, or `name` and `config.name` differ, or a name over 64 characters or with characters other than letters, numbers, marks, spaces and `. , & _ + \| [ ] -` | a value of the wrong type or not among the allowed ones (`tasks.max=x`, `time.interval=WEEKLY`, `flush.size` under 1000) |
//! | managed: no `connector.class`, or a class not in the catalogue | custom: the ccpm plugin has no usable version, the requested `confluent.custom.plugin.version` does not exist or `FAILED` |
//! | custom (`confluent.connector.type=CUSTOM`): no `confluent.custom.plugin.id`, or no such plugin (connect/v1 plugins anywhere, ccpm plugins in the connector's environment) | custom: `confluent.custom.connect.plugin.runtime` not a listed runtime, or a Java version the runtime does not support |
//! | `confluent.connector.type` other than `MANAGED`/`CUSTOM` | |
//!
//! **Scripted states.** A [`Script`] is a sequence of states (`PROVISIONING`, `RUNNING`,
//! `PAUSED`, `FAILED` with a trace, `DEGRADED` with a task's trace), each shown for its
//! duration, the last for ever. [`EmulatorHandle::script_connector`] (HTTP:
//! `PUT /_emulator/connectors/{environment}/{cluster}/{name}/script`) starts one on an
//! existing connector; [`EmulatorHandle::script_next_connector`] (HTTP: `PUT .../next-script`)
//! keeps one for the next connector created with that name, starting at its creation, so
//! a test can create and wait. While it runs, the status (`GET .../status`,
//! `expand=status`), the tasks and the inspected state follow the script alone, connector
//! and tasks consistently (`FAILED` carries the trace in `connector.trace` and as every
//! task's `msg`, as an injected failure does); the connector's own lifecycle goes on
//! underneath and shows once the script is cleared (`DELETE .../script`,
//! [`EmulatorHandle::clear_connector_script`]). [`Script::stuck_provisioning`] (HTTP:
//! `{"steps": [{"state": "PROVISIONING"}]}`) is a connector that never leaves
//! `PROVISIONING` until cleared. Scripts use the runtime's clock (tokio's), so a test on
//! paused time steps through them exactly.
//!
//! **Masked secrets.** A `PUT .../config` that sends a sensitive key's mask
//! `****************` back keeps the stored value; any other value replaces it. This is
//! what Confluent's CLI relies on (`confluent connect cluster update` reads the masked
//! configuration, changes the keys asked for and PUTs the whole map back) and what the
//! Terraform provider relies on (it PUTs `config_sensitive` and `config_nonsensitive`
//! merged, and imports with `config_sensitive = {}`). A key the PUT leaves out is removed,
//! as Kafka Connect's `PUT /connectors/{name}/config` replaces the configuration; no
//! Confluent document says whether the cloud API keeps an omitted sensitive key, so that
//! part is inferred. [`EmulatorHandle::connector_config`] shows what is stored, unmasked.
//!
//! **Masking.** Answers mask as `****************` every value whose key contains
//! `password`, `secret` or `credentials`, or ends with `api.key`, `access.key.id`,
//! `private.key` or `.token`, every key a managed plugin defines as `PASSWORD`, and the
//! plugin's `sensitive_config_properties` for custom connectors. Answers add
//! `cloud.environment`, `cloud.provider`, `kafka.endpoint`, `kafka.region`,
//! `kafka.dedicated` and `schema.registry.url` unless the configuration sets them, and for
//! a custom connector the `connector.class` its plugin provides (see below).
//!
//! **Lists** of connectors support `expand` (any of `info`, `status`, `id`, comma-joined or
//! repeated). Custom connector plugins, runtimes, ccpm plugins, ccpm versions and Connect
//! Artifacts page with `page_size` (1 to 100, default 10) and an opaque `page_token`;
//! `metadata.next` is a full URL on the emulator that keeps the filters (`cloud`,
//! `environment`, `spec.cloud`), `metadata.first` and `total_size` are always present.
//! connect/v1 custom plugin lists show only the `cloud` asked for, `AWS` when absent, as
//! the API documents.
//!
//! **Offsets.** A sink connector starts at offset 0 of partition 0 of each of its
//! `topics`, a source connector with none, unless `offsets` were given at creation. An
//! offsets request (`PATCH` merges by partition, `DELETE` clears) is `PENDING` for the
//! provisioning delay, then `APPLIED`; a second request while one is pending is a `400`.
//!
//! **Managed plugins.** The catalogue holds `DatagenSource`, `GcsSink`,
//! `MicrosoftSqlServerSink`, `MySqlCdcSource`, `PostgresSource`, `PubSubSource` and
//! `S3_SINK`, each with its required keys and its self-managed Java class (`java_class` in
//! `emulator/src/state/catalog.json`, e.g. `io.confluent.connect.s3.S3SinkConnector`),
//! accepted wherever the plugin name is (`connector.class`, the plugin of `validate` and
//! `translate`), as a configuration carried over from Kafka Connect names the class.
//! `validate` answers like the usage guide: the Java class as `name`, `groups`,
//! `error_count` and one entry per defined key with its per-field `errors`; keys the
//! plugin does not define are ignored.
//!
//! **Translate.** `PUT .../connector-plugins/{plugin}/config/translate` turns a
//! self-managed Kafka Connect configuration (a JSON object of strings) into the managed
//! plugin's and answers `200`
//! `{"config", "warnings": [{"field", "message"}], "errors": [...]}`, both lists always
//! present, by the emulator's own rules (Confluent publishes none; see **Where the
//! emulator guesses**). An unknown plugin is a `404`, as for `validate`. With
//! `?mask_sensitive=true` secrets come back masked by the rule of **Masking**; `false`, the
//! default, answers them as sent; another value is a `400`. Nothing is stored, so a
//! translation leaves nothing in the state file and has no seed entry.
//!
//! **Custom plugins and uploads.** `presigned-upload-url` (of each of the three APIs)
//! answers a URL on the emulator: for `AWS` an S3-style POST form (`/_storage/s3/<bucket>/`
//! plus `upload_form_data`), for `AZURE` a SAS URL to PUT with
//! `x-ms-blob-type: BlockBlob`, for `GCP` a signed URL to PUT
//! with the archive's `Content-Type` (`application/zip` or `application/java-archive`). The
//! S3 endpoint reads the multipart form as it streams in and refuses, in S3's XML error
//! format: a missing `Content-Length` (`411 MissingContentLength`), a file over
//! [`max_upload_size`](EmulatorConfig::max_upload_size) (`400 EntityTooLarge`), an empty
//! file, a multipart boundary over 70 characters (RFC 2046's limit;
//! `400 MalformedPOSTRequest`), a missing or changed form field (`403 AccessDenied`, or
//! `SignatureDoesNotMatch`), an extra field, an expired policy, and, more strictly than S3
//! (which silently ignores them), any field after the file. The fields, which come before
//! the file, are checked before a byte of the file is read, and the file is counted, never
//! held: a request that names no issued upload is answered at once whatever size it
//! announces. At most [`max_concurrent_uploads`](EmulatorConfig::max_concurrent_uploads)
//! storage requests are served at once; the next ones get `503` (`SlowDown`, or Azure's
//! `ServerBusy`) with `Retry-After`. A presigned URL that expires
//! ([`upload_url_ttl`](EmulatorConfig::upload_url_ttl), binary: `--upload-url-ttl-secs`)
//! with nothing uploaded is forgotten, and so is the oldest unused one when more than
//! [`max_pending_uploads`](EmulatorConfig::max_pending_uploads) (binary:
//! `--max-pending-uploads`, default 1000) are outstanding, so URLs that are never used
//! cannot grow the emulator (about 2.4 KB each). A forgotten URL's `upload_id` becomes
//! unknown, and an upload to it gets the storage service's expiry error (S3's
//! `Policy expired.`, Azure's `Signed expiry time has passed.`, GCS's `ExpiredToken`),
//! recognised by its signature: URLs are signed with HMAC-SHA256 under a key of the
//! emulator's, kept in the state file. One that received an archive is kept. Each upload
//! is tagged with the API that issued it, so a test catches an `upload_id` handed to the
//! wrong API: a plugin (connect/v1), version (ccpm) or artifact (cam) created with an
//! `upload_id` that is unknown, has nothing uploaded, or was issued by another API (the
//! message names it), for another environment or another cloud is a `422`. A connect/v1
//! plugin whose archive is not a ZIP/JAR is a `422`; a ccpm version with such an archive
//! is accepted and ends `FAILED` with
//! `"Version creation failed due to invalid plugin archive."`. Otherwise a version is
//! `PROCESSING` for [`version_processing_delay`](EmulatorConfig::version_processing_delay),
//! then `READY`. Uploads may be used more than once; `upload_source.upload_id` is answered
//! as an empty string. Deleting a ccpm plugin deletes its versions.
//!
//! **Connect Artifacts** (`cam/v1`, archives of custom SMTs) belong to an environment and a
//! cloud, and the four artifact operations name both in their query: without `environment`
//! or `spec.cloud` (or with a cloud other than `AWS`, `AZURE`, `GCP`) a request is a `400`
//! whose `source.parameter` names it. An artifact is found only under the pair it was
//! created with (a `404` under any other), and a list shows only the pair's. On create, a
//! `spec.environment` or `spec.cloud` that differs from the query is a `422` whose
//! `source.pointer` names it, as are an empty `display_name` or one over 60 characters, a
//! `description` over 256 and a missing `upload_source`; a `display_name` already used in
//! the environment and cloud is a `409`. `POST /cam/v1/presigned-upload-url` answers `200`
//! (ccpm's `201`). A create answers `202` with an id `cfa-` and 6 characters; the artifact
//! is `WAITING_FOR_PROCESSING` for the first half of
//! [`artifact_processing_delay`](EmulatorConfig::artifact_processing_delay) (binary:
//! `--artifact-processing-delay-ms`, default 200 ms), `PROCESSING` for the second, then
//! `READY`, or `FAILED` when its archive is not a ZIP/JAR or a failure was injected with
//! [`EmulatorHandle::fail_artifact`] (HTTP: `POST /_emulator/artifacts/{id}/fail`), so a
//! client's wait sees every phase. An artifact says nothing of why it failed, as the API
//! documents no such field; the injected reason is kept only in the state file.
//!
//! **Faults.** [`EmulatorHandle::inject`] (or `POST /_emulator/faults`; `GET` lists,
//! `DELETE` clears) makes the next matching requests answer `429` with `Retry-After`,
//! answer any 4xx/5xx, or wait before being handled. A fault applies `times` (default 1)
//! or [`until_cleared`](Fault::until_cleared), to the requests its filters select: the
//! operation by its `operationId` in the published specs ([`Fault::operation`],
//! `create_connector`; the three specs share `create_presigned_upload_url`, so that id
//! names all three operations, narrowed with a path filter), a path template, a path
//! fragment, a method. Its answer has by default the error body the API concerned has for
//! the status (for `create_connector`, its documented flat `400` and
//! `{"error_code", "message"}` `500`); a fault can keep that shape with its own
//! [`message`](Fault::message), or answer any JSON ([`json_body`](Fault::json_body)), any
//! text such as a proxy's HTML page ([`raw_body`](Fault::raw_body)) or nothing
//! ([`empty_body`](Fault::empty_body)), and add [`header`](Fault::header)s.
//! `GET /_emulator/health` answers `200`.
//! See **Authentication** for the credentials they need.
//!
//! **The usage guide's curl commands** work with `http://127.0.0.1:PORT` in place of
//! `https://api.confluent.cloud`: lowercase `authorization:`, `--data @file` and
//! `--data-raw` bodies, and the backslash-escaped `\?page_size\=20` of one example (stray
//! backslashes at the end of the path and in the query are dropped before routing).
//!
//! # Control endpoints
//!
//! For programs that run the binary, every control has an endpoint under `/_emulator/`,
//! with the same behaviour as the [`EmulatorHandle`] method named. Bodies are JSON; unknown
//! keys and bad values are a `400` `{"error": {"code": 400, "message"}}`, an unknown
//! connector or artifact a `404` in the same shape. With credentials configured, add
//! `-u KEY:SECRET` to each command (`/_emulator/health` stays open).
//!
//! ```text
//! E=http://127.0.0.1:8080/_emulator
//! # Readiness probe: 200 "ok".
//! curl $E/health
//! # Faults (inject): 201 with the fault; GET lists, DELETE clears (204). Keys: kind
//! # (rate_limit, status, delay), times or until_cleared, filters (operation,
//! # path_template, path, method), retry_after_secs, status, delay_ms, at most one of
//! # message, body (JSON), raw_body (with content_type) and empty_body, and headers.
//! curl -X POST $E/faults -d '{"kind": "status", "status": 503, "times": 2, "path": "/connectors"}'
//! curl -X POST $E/faults -d '{"kind": "status", "status": 402, "operation": "create_connector",
//!      "body": {"error": {"code": 402, "message": "add a payment method"}}, "headers": {"x-billing": "required"}}'
//! curl -X POST $E/faults -d '{"kind": "status", "status": 503, "operation": "get_connector_status",
//!      "until_cleared": true, "raw_body": "<html>upstream down</html>", "content_type": "text/html"}'
//! # Fail a connector (fail_connector): 204. "task" and "persistent" are optional; a
//! # "task" the connector does not run (0 to tasks.max - 1) is a 404 naming its tasks.
//! curl -X POST $E/connectors/env-1/lkc-1/my-connector/fail \
//!      -d '{"trace": "org.apache.kafka.connect.errors.ConnectException: boom", "task": 0, "persistent": true}'
//! # Remove an injected failure (recover_connector): 204.
//! curl -X POST $E/connectors/env-1/lkc-1/my-connector/recover
//! # A connector as stored (connector_config, connector_plugin_version), secrets unmasked:
//! # {"config": {...}, "plugin_version": "1.0.0" | null, "state": "RUNNING"}
//! curl $E/connectors/env-1/lkc-1/my-connector
//! # Fail a Connect Artifact's processing (fail_artifact), under any environment and cloud:
//! # FAILED once processing ends, at once if it has. "reason" (optional, default
//! # "processing failed (injected)") goes to the state file only. 204, or 404.
//! curl -X POST $E/artifacts/cfa-abc123/fail -d '{"reason": "no transformation classes"}'
//! # Scripted states (script_connector): the status follows the steps, the last for
//! # ever; every step but the last needs for_ms; FAILED and DEGRADED need a trace. 204,
//! # or 404 for an unknown connector; DELETE ends the script (clear_connector_script).
//! curl -X PUT $E/connectors/env-1/lkc-1/my-connector/script -d '{"steps": [
//!      {"state": "PROVISIONING", "for_ms": 2000}, {"state": "RUNNING", "for_ms": 1000},
//!      {"state": "FAILED", "trace": "java.lang.OutOfMemoryError", "for_ms": 1000},
//!      {"state": "RUNNING"}]}'
//! curl -X DELETE $E/connectors/env-1/lkc-1/my-connector/script
//! # A script for the next connector created with that name (script_next_connector),
//! # here stuck in PROVISIONING: 204; DELETE withdraws it (404 when none waits).
//! curl -X PUT $E/connectors/env-1/lkc-1/new-connector/next-script -d '{"steps": [{"state": "PROVISIONING"}]}'
//! # Lifecycle delays (set_delays, delays): PUT changes the keys given (204), GET shows all.
//! curl -X PUT $E/delays -d '{"provisioning_ms": 1000, "restart_ms": 2000, "pause_ms": 500, "resume_ms": 500, "stale_status_ms": 300}'
//! curl $E/delays
//! # Enforced rate limit (set_rate_limit, clear_rate_limit): 204; GET shows it or null.
//! curl -X PUT $E/rate-limit -d '{"requests": 100, "window_secs": 60}'
//! curl -X DELETE $E/rate-limit
//! ```
//!
//! # Seed file
//!
//! The format's JSON Schema is [`Seed::json_schema`] (binary: `--print-seed-schema`), checked
//! in as `emulator/seed.schema.json`; `emulator/README.md` also documents the binary's
//! flags, its error lines, the container image and the Python wheel.
//!
//! [`EmulatorConfig::seed`] (binary: `--seed FILE`) starts the emulator with resources
//! described in JSON ([`Seed::from_json`], [`Seed::from_file`]);
//! `emulator/seed.example.json` is a complete example. Every key is optional unless marked
//! required; unknown keys are refused.
//!
//! ```text
//! {
//!   "custom_plugins": [{                       connect/v1 custom connector plugins
//!     "id": "ccp-datagen",                     default: a random ccp-... id
//!     "display_name": "custom-datagen",        required, unique
//!     "connector_class": "io.example.Source",  required
//!     "connector_type": "SOURCE",              required: SOURCE or SINK
//!     "cloud": "AWS",                          AWS (default), AZURE or GCP
//!     "description": "...", "documentation_link": "https://...",
//!     "sensitive_config_properties": ["db.password"]
//!   }],
//!   "ccpm_plugins": [{                         ccpm/v1 plugins
//!     "id": "ccp-pg", "environment": "env-1",  environment required
//!     "display_name": "postgres-source",       required, unique per environment
//!     "description": "...", "cloud": "AWS",
//!     "versions": [{                           READY from the start
//!       "id": "ver-1",                         default: a random ver-... id
//!       "version": "1.0.0",                    required, unique per plugin
//!       "connector_classes": [{"class_name": "io.example.Source", "type": "SOURCE"}],
//!       "sensitive_config_properties": [], "documentation_link": "https://..."
//!     }]
//!   }],
//!   "connectors": [{                           RUNNING from the start
//!     "environment": "env-1", "cluster": "lkc-1",   required
//!     "name": "my-connector",                  default: config.name
//!     "config": {"connector.class": "DatagenSource", ...}   required, as for a create
//!   }],
//!   "artifacts": [{                            cam/v1 Connect Artifacts, READY at once
//!     "id": "cfa-smts01",                      default: a random cfa-... id
//!     "environment": "env-1",                  required
//!     "display_name": "masking-smts",          required, unique per environment and cloud
//!     "cloud": "AWS",                          AWS (default), AZURE or GCP
//!     "content_format": "JAR",                 JAR (default) or ZIP
//!     "description": "..."
//!   }]
//! }
//! ```
//!
//! Plugins are created before connectors, so connectors can name them by id; artifacts
//! need no upload. A seed the API would refuse (an unknown plugin, a connector class not in
//! the catalogue, a duplicate name or id, an artifact name over 60 characters) makes
//! [`start`](EmulatorConfig::start) fail with `InvalidInput` naming the entry; a
//! configuration with bad values is accepted and `FAILED`, as through the API.
//!
//! # State file
//!
//! With [`EmulatorConfig::state_file`] (binary: `--state-file FILE`), the emulator writes
//! its whole state (connectors with their configuration, lifecycle and injected failures,
//! custom and ccpm plugins and versions, Connect Artifacts with their phase and injected
//! failure, presigned uploads with the API that issued them) to the file after every
//! request that changed something (every successful non-`GET` request), before answering
//! it: to a temporary file in the same directory, fsynced, then renamed over the file. A
//! restarted emulator, even after `kill -9`, finds everything it acknowledged. When the
//! file exists at start it is restored and the seed is ignored; otherwise the seed is
//! applied and written at once. Delays still running are counted again from the restart; a
//! stale-status window, the faults, the delays and the rate limit are settings, not state,
//! and are not saved; neither are scripts (a connector's script and those waiting for a
//! connector), which are timers: a restarted emulator shows each connector's own
//! lifecycle. A write that fails answers `500` (the change was made in memory).
//!
//! # Where the emulator guesses
//!
//! - **`connector.class` of a custom connector.** The published answer schema of
//!   create/get connector requires `connector.class`, and the request schema says it is
//!   "ignored for custom connector"; the usage guide's custom connector example sends none
//!   and says the class "is derived from the plugin used". The guide shows no answer for
//!   that create, so the emulator derives it: a custom connector's answers carry the class
//!   of its connect/v1 plugin, or the first `connector_classes` entry of its ccpm version,
//!   whatever the client sent; the stored configuration keeps what was sent.
//! - **A duplicate connector name is `409`**, `{"error": {"code": 409, "message":
//!   "Connector NAME already exists"}}`, although connect/v1 lists no `409` for create
//!   (only `400`, `401`, `429`, `500`). Kafka Connect's own REST API, which connect/v1
//!   fronts, answers `409 Conflict` for an existing name, the ccpm and custom plugin APIs
//!   of the same service document `409` for their duplicates, and connect/v1's error lists
//!   are visibly incomplete (no `404` on operations that name a connector). A client should
//!   treat both `400` and `409` as "already exists" until Confluent says otherwise.
//! - **A `429` has a body.** Every operation of the published specs declares `429` with a
//!   `Retry-After` header and no body; the emulator's `429`s (injected or over the
//!   enforced limit) carry the error body of the API concerned, as Confluent Cloud's
//!   other errors do, with the reason and the wait in the message. A client should read
//!   the headers and accept a `429` with or without a body.
//! - **The rate limit counts per API key**, each key in its own fixed window, as
//!   Confluent documents its limits per key; how the real service shapes its windows is
//!   not published.
//! - **A key left out of a config PUT is removed** (see **Masked secrets**).
//! - **`DEGRADED`**, which only a [`Script`] shows, is drawn as the connector running with
//!   task 0 `FAILED` (the step's trace as its `msg`) and the other tasks `RUNNING`, and no
//!   `connector.trace`; Confluent does not document what a degraded connector's tasks show.
//! - **Task failures** show as Kafka Connect shows them (task `FAILED` with a `msg`, the
//!   connector `RUNNING`); the cloud API may summarise them differently (`DEGRADED`).
//! - **A config PUT provisions again** for the provisioning delay, though the usage guide
//!   says the connector "immediately begins using the new configuration".
//! - **A restart resolves the ccpm plugin version again**: a connector that names none
//!   moves to the latest `READY` version.
//! - **An artifact's `plugins` and `usages` are empty arrays.** The API fills them with the
//!   classes found in the archive and the connectors that use the artifact; the emulator
//!   never opens an archive (it only checks that it starts like a ZIP) and ties no
//!   connector to an artifact, so it answers both empty rather than invent them. How long
//!   each processing phase lasts is not published either.
//! - **Translation rules.** Confluent does not publish how `.../config/translate` maps a
//!   configuration; the emulator's rules, key by key, are:
//!   - `connector.class` must be the plugin's Java class (or its name), else an error on
//!     `connector.class`; the answer's `connector.class` is the managed plugin's name.
//!   - Keys the plugin defines, `name`, and `transforms`, `predicates` and their
//!     `transforms.*`/`predicates.*` keys pass through unchanged.
//!   - `format.class` and `value.converter` become the plugin's data-format key, with a
//!     warning: `format.class` its `output.data.format` (or `data.format`),
//!     `value.converter` a sink's `input.data.format` (or `data.format`) or a source's
//!     `output.data.format`. Avro, JSON Schema, Protobuf, JSON, String, ByteArray
//!     converters and Avro, JSON, ByteArray, Parquet formats map to `AVRO`, `JSON_SR`,
//!     `PROTOBUF`, `JSON`, `STRING`, `BYTES`, `PARQUET`; another class is an error. The
//!     key is dropped with a warning when the configuration sets the data-format key
//!     itself or the plugin has none.
//!   - `partitioner.class`: `TimeBasedPartitioner` with a `partition.duration.ms` of an
//!     hour or a day becomes `time.interval` `HOURLY`/`DAILY` (warning), on a plugin that
//!     has `time.interval`; another duration is an error. `DefaultPartitioner` is dropped
//!     with a warning (managed connectors partition by Kafka partition anyway); any other
//!     partitioner is an error. `partition.duration.ms` itself is never carried over.
//!   - A value that references a config provider (`${file:/path:key}`) is an error and
//!     its key is left out: only the self-managed worker can resolve it.
//!   - Converter sub-keys (`key.converter*`, `value.converter.*`, `header.converter*`),
//!     client overrides (`consumer.override.*`, `producer.override.*`,
//!     `admin.override.*`) and every other key are dropped with a warning.
//!
//! # Self-managed Kafka Connect worker
//!
//! To rehearse the migration of a connector from one's own Kafka Connect to Confluent
//! Cloud on one machine, the crate also serves a minimal Kafka Connect worker: the REST
//! API a migration tool reads the connector from and stops it through, beside the
//! emulator it creates the cloud connector on. Start one from a test with
//! [`Worker::builder`], or from the binary with `--worker-port` (below).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::collections::BTreeMap;
//! use ccloud_connect_emulator::{ConnectorOffset, Emulator, Worker, WorkerConnector, WorkerState};
//!
//! let emulator = Emulator::builder().start().await?;
//! let config = BTreeMap::from([
//!     ("connector.class".to_owned(), "io.confluent.connect.s3.S3SinkConnector".to_owned()),
//!     ("topics".to_owned(), "orders".to_owned()),
//!     ("tasks.max".to_owned(), "2".to_owned()),
//! ]);
//! let worker = Worker::builder()
//!     .basic_auth("connect", "connect-secret")
//!     .connector(
//!         WorkerConnector::new("orders-to-s3", config)
//!             .offsets(vec![ConnectorOffset::sink("orders", 0, 42)]),
//!     )
//!     .start()
//!     .await?;
//! // The migration under test reads `worker.base_url()`, stops the connector, takes its
//! // offsets and creates it on `emulator.base_url()`; then:
//! assert_eq!(worker.connector_state("orders-to-s3"), Some(WorkerState::Stopped));
//! # Ok(()) }
//! ```
//!
//! Dropping the [`WorkerHandle`] stops the worker. It listens on `127.0.0.1` (or
//! [`WorkerConfig::host`]) and a free port unless [`WorkerConfig::port`] names one; with
//! [`WorkerConfig::basic_auth`] (binary: `--worker-user`, `--worker-password-env`) every
//! request, `GET /` included, needs that exact HTTP Basic pair, else `401`
//! `{"error_code": 401, "message": "..."}` with `WWW-Authenticate: Basic realm="connect"`.
//!
//! **Endpoints**, in Kafka Connect's shapes; errors are `{"error_code": N, "message"}`, an
//! unknown connector `404` `Connector NAME not found`, an unknown route `404`
//! `HTTP 404 Not Found`. Bodies are read as JSON whatever the `Content-Type`.
//!
//! | endpoint | answer |
//! | --- | --- |
//! | `GET /` | `{"version": "3.9.0", "commit": "emulator", "kafka_cluster_id": "emulated-kafka-cluster"}` |
//! | `GET /connectors` | the names, sorted; `?expand=status` and/or `?expand=info` answer `{NAME: {"status": ..., "info": ...}}` |
//! | `POST /connectors` | `{"name", "config", "initial_state"?}` → `201` `{"name", "config", "tasks": [], "type"}`; `409` when the name is taken; `400` for no name, a `config` that is not an object of strings, no `connector.class`, a `tasks.max` that is not a positive integer, or a `config.name` that differs |
//! | `GET /connectors/{name}` | `{"name", "config", "tasks": [{"connector", "task"}], "type"}` |
//! | `GET /connectors/{name}/config` | the configuration (with `name`) |
//! | `PUT /connectors/{name}/config` | the configuration: `201` creating the connector, `200` replacing its configuration (state and offsets kept) |
//! | `GET /connectors/{name}/status` | `{"name", "connector": {"state", "worker_id"}, "tasks": [{"id", "state", "worker_id"}], "type"}` |
//! | `GET /connectors/{name}/offsets` | `{"offsets": [{"partition": {...}, "offset": {...}}]}` (KIP-875) |
//! | `PUT /connectors/{name}/stop` | `202`, no body: `STOPPED`, no tasks |
//! | `PUT /connectors/{name}/pause` | `202`: `PAUSED` |
//! | `PUT /connectors/{name}/resume` | `202`: `RUNNING` (from paused or stopped) |
//! | `DELETE /connectors/{name}` | `204` |
//!
//! `type` is `sink` when the configuration has `topics` or `topics.regex`, else `source`.
//! A running or paused connector has `tasks.max` tasks (default 1, at most 1000) in the
//! connector's state; `worker_id` is the worker's `HOST:PORT`.
//!
//! **Seed.** [`WorkerConfig::seed`] ([`WorkerSeed::from_json`], [`WorkerSeed::from_file`]),
//! [`WorkerConfig::seed_file`] or `--worker-seed FILE` start the worker with connectors.
//! Unknown keys are refused; a connector the worker would refuse (as `POST /connectors`
//! refuses one, a duplicate name, a sink offset not in the shape below) makes
//! [`start`](WorkerConfig::start) fail with `InvalidInput` naming the file and entry.
//!
//! ```text
//! {
//!   "connectors": [{
//!     "name": "orders-to-s3",                  default: config.name
//!     "config": {"connector.class": "...", "topics": "orders"},   required, strings
//!     "offsets": [{                            default: none
//!       "partition": {"kafka_topic": "orders", "kafka_partition": 0},
//!       "offset": {"kafka_offset": 42}         a sink's keys; a source's are free
//!     }],
//!     "state": "RUNNING"                       RUNNING (default), PAUSED or STOPPED
//!   }]
//! }
//! ```
//!
//! **What is simplified.** No tasks run and there is no Kafka: states change at once
//! (no `UNASSIGNED`, no `FAILED`, no rebalance), and the offsets are only what was
//! preloaded or set with [`WorkerHandle::set_offsets`]; nothing advances them. As in
//! Kafka Connect, offsets outlive a deleted connector: one created again under the same
//! name shows them. There is one worker, no cluster; no connector plugins, validation,
//! restarts, task endpoints or offset changes over HTTP (`PATCH`/`DELETE .../offsets`);
//! configurations are checked only for a name, `connector.class` and `tasks.max`.

// Module layering: each folder imports only folders above it in this list (or itself), so
// there is no import cycle, and a resource's endpoints are in one file of `api/`.
//
// 1. `http/`: ids, JSON answers, query strings, the API's error shapes, paging,
//    authentication, the specs' operation ids. Imports nothing else of the crate.
// 2. `state/`: the store and what it holds (uploads, lifecycles, scripts, faults, rate
//    windows, the managed-plugin catalogue), resolved and answered connectors, the state
//    file.
// 3. `storage/`: the storage services' upload endpoints, their error documents, the
//    multipart reader.
// 4. `api/`: the Confluent Cloud API's endpoints, one file per resource.
// 5. `control/`: the `/_emulator/` endpoints, the seed, `EmulatorHandle`.
// 6. The edge, in this folder: `fault_answer` (how a fault is answered), `gate`
//    (middleware), `routes` (the router), `config` (the builder and `start`), then this
//    file (docs and re-exports).
//
// Beside the layers, `worker/` (the self-managed Kafka Connect worker, a second server)
// imports only `http/json`, and nothing but this file imports it.

mod api;
mod config;
mod control;
mod fault_answer;
mod gate;
mod http;
mod routes;
mod state;
mod storage;
mod worker;

pub use config::EmulatorConfig;
pub use control::handle::EmulatorHandle;
#[doc(hidden)]
pub use control::handle::Inspection;
pub use control::seed::{Seed, SeedError};
pub use state::faults::{Fault, FaultKind};
pub use state::lifecycle::{Delays, Failure};
pub use state::rate::RateTotals;
pub use state::script::{Script, ScriptedState};
pub use worker::{
    ConnectorOffset, Worker, WorkerConfig, WorkerConnector, WorkerError, WorkerHandle, WorkerSeed,
    WorkerState,
};

/// Entry point of the emulator: [`Emulator::builder`] configures one, and
/// [`EmulatorConfig::start`] starts it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Emulator;

impl Emulator {
    /// A configuration with the defaults, to adjust and [`start`](EmulatorConfig::start).
    pub fn builder() -> EmulatorConfig {
        EmulatorConfig::default()
    }
}
