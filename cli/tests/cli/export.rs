//! `connectors export`: one file per connector, secrets as `${...}` placeholders.

use crate::support::{Cli, SEED_SECRETS, SEEDED, TempDir, connectors, emulator, path};

#[tokio::test(flavor = "multi_thread")]
async fn export_writes_one_file_per_connector_with_placeholders_and_no_secret() {
    let emulator = emulator().await;
    let cli = Cli::new(&emulator);
    let tmp = TempDir::new("export");
    let dir = tmp.join("connectors");

    let run = cli.export(&dir).await;
    assert_eq!(run.stderr, "");
    for name in SEEDED {
        assert!(
            run.stdout.contains(&format!("({name:?})")),
            "{name} not reported: {}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("Exported 4 connectors of env-seed/lkc-seed to "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("PAGEVIEWS_TO_S3_AWS_SECRET_ACCESS_KEY"),
        "the variables to set are listed: {}",
        run.stdout
    );

    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("the export directory")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .into_string()
                .expect("UTF-8")
        })
        .collect();
    files.sort();
    let expected: Vec<String> = SEEDED.iter().map(|n| format!("{n}.json")).collect();
    assert_eq!(files, expected);

    for file in &files {
        let text = std::fs::read_to_string(dir.join(file)).expect("an exported file");
        for secret in SEED_SECRETS {
            assert!(
                !text.contains(secret),
                "{secret:?} (a secret value or mask) in {file}: {text}"
            );
        }
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(json["name"].as_str(), file.strip_suffix(".json"));
    }

    let s3: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("pageviews-to-s3.json")).expect("read"),
    )
    .expect("JSON");
    let config = &s3["config"];
    for (key, variable) in [
        (
            "aws.secret.access.key",
            "PAGEVIEWS_TO_S3_AWS_SECRET_ACCESS_KEY",
        ),
        ("aws.access.key.id", "PAGEVIEWS_TO_S3_AWS_ACCESS_KEY_ID"),
        ("kafka.api.key", "PAGEVIEWS_TO_S3_KAFKA_API_KEY"),
        ("kafka.api.secret", "PAGEVIEWS_TO_S3_KAFKA_API_SECRET"),
    ] {
        assert_eq!(config[key], format!("${{{variable}}}"), "{key}");
    }
    assert_eq!(config["flush.size"], "1000");
    assert_eq!(config["s3.bucket.name"], "seed-bucket");
    assert!(
        config.get("kafka.endpoint").is_none() && config.get("cloud.provider").is_none(),
        "keys the service adds are left out: {config}"
    );

    // A custom plugin's sensitive property is a placeholder too.
    let custom: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("custom-datagen_0.json")).expect("read"),
    )
    .expect("JSON");
    assert_eq!(
        custom["config"]["db.conn.string"],
        "${CUSTOM_DATAGEN_0_DB_CONN_STRING}"
    );
    let orders: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("orders-from-postgres.json")).expect("read"),
    )
    .expect("JSON");
    assert_eq!(
        orders["config"]["connection.password"],
        "${ORDERS_FROM_POSTGRES_CONNECTION_PASSWORD}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn export_as_yaml_writes_yaml_files_without_secrets() {
    let emulator = emulator().await;
    let cli = Cli::new(&emulator);
    let tmp = TempDir::new("export-yaml");
    let dir = tmp.join("yaml");

    cli.run(&connectors(
        "export",
        &["--dir", path(&dir), "--format", "yaml"],
    ))
    .await
    .expect_code(0);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("the export directory")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .into_string()
                .expect("UTF-8")
        })
        .collect();
    files.sort();
    let expected: Vec<String> = SEEDED.iter().map(|n| format!("{n}.yaml")).collect();
    assert_eq!(files, expected);
    let text = std::fs::read_to_string(dir.join("pageviews-source.yaml")).expect("read");
    assert!(
        text.contains("${PAGEVIEWS_SOURCE_KAFKA_API_SECRET}"),
        "{text}"
    );
    for file in &files {
        let text = std::fs::read_to_string(dir.join(file)).expect("read");
        for secret in SEED_SECRETS {
            assert!(!text.contains(secret), "{secret:?} in {file}: {text}");
        }
    }

    // The YAML files plan clean against the cluster they came from.
    cli.run(&connectors("plan", &["--dir", path(&dir), "--prune"]))
        .await
        .expect_code(0);
}
