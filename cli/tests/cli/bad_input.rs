//! Bad input: exit 1, one clear `error: ...` line, and nothing sent.

use std::path::{Path, PathBuf};

use ccloud_connect_emulator::EmulatorHandle;

use crate::support::{
    CLUSTER, Cli, ENV, SEEDED, TempDir, connectors, edit, emulator, path, requests, stored_configs,
    stored_names,
};

/// An emulator, the binary, and an export of the seeded cluster to change.
struct Case {
    emulator: EmulatorHandle,
    cli: Cli,
    dir: PathBuf,
    _tmp: TempDir,
}

async fn case(test: &str) -> Case {
    let emulator = emulator().await;
    let cli = Cli::new(&emulator);
    let tmp = TempDir::new(test);
    let dir = tmp.join("connectors");
    cli.export(&dir).await;
    Case {
        emulator,
        cli,
        dir,
        _tmp: tmp,
    }
}

impl Case {
    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Runs plan and apply (with `--prune`) on `dir`: each exits 1 with one error line
    /// holding `parts`, and sends no request at all.
    async fn refused_before_any_request(&self, dir: &Path, parts: &[&str]) -> String {
        let stored = stored_configs(&self.emulator);
        let mut line = String::new();
        for command in ["plan", "apply"] {
            let before = requests(&self.emulator);
            let run = self
                .cli
                .run(&connectors(command, &["--dir", path(dir), "--prune"]))
                .await;
            line = run.expect_error(parts).to_owned();
            assert_eq!(run.stdout, "", "{command}");
            assert_eq!(
                requests(&self.emulator),
                before,
                "{command} sent a request before refusing"
            );
        }
        assert_eq!(stored_configs(&self.emulator), stored);
        assert_eq!(stored_names(&self.emulator), SEEDED);
        line
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_files_naming_one_connector_are_refused() {
    let case = case("duplicate").await;
    std::fs::copy(case.file("pageviews-source.json"), case.file("copy.json")).expect("copy");
    let line = case
        .refused_before_any_request(&case.dir, &["\"pageviews-source\"", "copy.json"])
        .await;
    assert!(line.contains("pageviews-source.json"), "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_config_name_other_than_name_is_refused() {
    let case = case("name-mismatch").await;
    edit(
        &case.file("pageviews-source.json"),
        r#""connector.class": "DatagenSource","#,
        r#""connector.class": "DatagenSource", "name": "pageviews-copy","#,
    );
    case.refused_before_any_request(
        &case.dir,
        &[
            "pageviews-source.json",
            "`config.name` is \"pageviews-copy\"",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_refused_with_file_and_line() {
    let case = case("malformed").await;
    std::fs::write(
        case.file("broken.json"),
        "{\"name\": \"broken\",\n  \"config\": {\n",
    )
    .expect("writing");
    case.refused_before_any_request(&case.dir, &["broken.json:3:"])
        .await;

    // A syntax error inside the file is located too.
    std::fs::write(
        case.file("broken.json"),
        "{\n  \"name\": \"broken\",\n  \"config\": {\"a\": \"b\",,}\n}\n",
    )
    .expect("writing");
    case.refused_before_any_request(&case.dir, &["broken.json:3:"])
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mask_as_a_value_is_refused() {
    let case = case("mask").await;
    edit(
        &case.file("pageviews-source.json"),
        r#""${PAGEVIEWS_SOURCE_KAFKA_API_SECRET}""#,
        r#""****""#,
    );
    let stored = stored_configs(&case.emulator);
    let run = case
        .cli
        .run(&connectors("apply", &["--dir", path(&case.dir)]))
        .await;
    // The mask itself is never printed (Cli::run checks it): the key is named.
    run.expect_error(&["kafka.api.secret"]);
    assert_eq!(stored_configs(&case.emulator), stored);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_directory_that_does_not_exist_is_refused() {
    let case = case("no-dir").await;
    let missing = case.dir.join("nope");
    case.refused_before_any_request(&missing, &["does not exist", "nope"])
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn prune_with_no_connector_file_is_refused() {
    let case = case("empty-dir").await;
    let empty = case.dir.join("empty");
    std::fs::create_dir(&empty).expect("an empty directory");
    std::fs::write(empty.join("notes.txt"), "not a connector").expect("writing");
    case.refused_before_any_request(&empty, &["holds no connector files", "--prune"])
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unset_variable_a_create_needs_is_refused_before_any_write() {
    let case = case("unset-var").await;
    // A new connector whose secrets come from variables nobody set.
    let text = std::fs::read_to_string(case.file("pageviews-source.json")).expect("read");
    std::fs::write(
        case.file("pageviews-copy.json"),
        text.replace(
            r#""name": "pageviews-source""#,
            r#""name": "pageviews-copy""#,
        )
        .replace("PAGEVIEWS_SOURCE_KAFKA_API_SECRET", "CLI_TEST_UNSET_SECRET"),
    )
    .expect("writing");
    let stored = stored_configs(&case.emulator);

    // plan needs no secret: it shows the create and names the unset variable.
    let before = requests(&case.emulator);
    let run = case
        .cli
        .run(&connectors("plan", &["--dir", path(&case.dir)]))
        .await;
    run.expect_code(2);
    assert!(
        run.stdout.contains("+ create \"pageviews-copy\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("CLI_TEST_UNSET_SECRET"),
        "{}",
        run.stdout
    );
    let plan_requests = requests(&case.emulator) - before;

    // apply reads what plan reads, then refuses: no write.
    let before = requests(&case.emulator);
    let run = case
        .cli
        .run(&connectors(
            "apply",
            &["--dir", path(&case.dir), "--poll-interval", "1"],
        ))
        .await;
    let line = run.expect_error(&[
        "\"pageviews-copy\"",
        "CLI_TEST_UNSET_SECRET",
        "nothing was sent",
    ]);
    assert!(line.contains("PAGEVIEWS_SOURCE_KAFKA_API_KEY"), "{line}");
    assert_eq!(requests(&case.emulator) - before, plan_requests);
    assert_eq!(
        case.emulator
            .connector_config(ENV, CLUSTER, "pageviews-copy"),
        None
    );
    assert_eq!(stored_configs(&case.emulator), stored);
    assert_eq!(stored_names(&case.emulator), SEEDED);
}
