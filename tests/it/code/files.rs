//! Connector files: what is read, and every bad input refused with a clear error before
//! anything is sent.

use ccloud_connect::code::DesiredState;

use super::TempDir;

fn no_vars(_: &str) -> Option<String> {
    None
}

fn err(dir: &TempDir) -> String {
    let e = DesiredState::from_dir_with(&dir.0, no_vars).unwrap_err();
    assert!(e.is_validation(), "{e:?}");
    e.to_string()
}

#[test]
fn json_and_yaml_files_with_variables() {
    let dir = TempDir::new("read");
    dir.write(
        "a.json",
        r#"{"name": "a", "config": {"connector.class": "DatagenSource", "tasks.max": 1,
            "kafka.api.secret": "${A_SECRET}", "conn": "x=${A_USER}:${A_PW}", "lit": "$${not}"}}"#,
    );
    dir.write(
        "b.yaml",
        "name: b\nconfig:\n  name: b\n  connector.class: S3_SINK\n  tasks.max: 2\n  flush.size: 1000\n",
    );
    dir.write("notes.txt", "not a connector file");
    dir.write(".hidden.json", "{");
    let desired = DesiredState::from_dir_with(&dir.0, |v| {
        (v == "A_SECRET" || v == "A_USER").then(|| format!("value-of-{v}"))
    })
    .unwrap();
    assert_eq!(desired.len(), 2);
    let a = desired.get("a").unwrap();
    assert_eq!(a.plain_value("tasks.max"), Some("1"));
    assert_eq!(a.plain_value("lit"), Some("${not}"));
    assert_eq!(
        a.secret_keys().collect::<Vec<_>>(),
        ["conn", "kafka.api.secret"]
    );
    assert_eq!(a.unset_variables(), ["A_PW"]);
    assert!(a.source().unwrap().ends_with("a.json"));
    let shown = format!("{desired:?}");
    assert!(!shown.contains("value-of-"), "{shown}");
    assert!(shown.contains("A_SECRET"), "{shown}");
    let b = desired.get("b").unwrap();
    assert_eq!(b.plain_value("flush.size"), Some("1000"));
    assert_eq!(b.plain_value("tasks.max"), Some("2"));
}

#[test]
fn a_directory_that_does_not_exist() {
    let dir = TempDir::new("missing");
    let missing = dir.0.join("nope");
    let e = DesiredState::from_dir_with(&missing, no_vars).unwrap_err();
    assert!(e.to_string().contains("does not exist"), "{e}");
    assert!(e.to_string().contains("nope"), "{e}");
}

#[test]
fn two_files_naming_one_connector() {
    let dir = TempDir::new("dup");
    let body = r#"{"name": "same", "config": {"connector.class": "DatagenSource"}}"#;
    dir.write("one.json", body);
    dir.write("two.json", body);
    let e = err(&dir);
    assert!(e.contains("one.json") && e.contains("two.json"), "{e}");
    assert!(e.contains("\"same\""), "{e}");
}

#[test]
fn name_and_config_name_differ() {
    let dir = TempDir::new("names");
    dir.write(
        "x.json",
        r#"{"name": "new", "config": {"name": "old", "connector.class": "DatagenSource"}}"#,
    );
    let e = err(&dir);
    assert!(
        e.contains("x.json") && e.contains("\"old\"") && e.contains("\"new\""),
        "{e}"
    );
}

#[test]
fn malformed_json_names_the_file_and_line() {
    let dir = TempDir::new("badjson");
    dir.write(
        "bad.json",
        "{\n  \"name\": \"a\",\n  \"config\": {\"k\" \"v\"}\n}\n",
    );
    let e = err(&dir);
    assert!(e.contains("bad.json:3:"), "{e}");
}

#[test]
fn malformed_yaml_names_the_file_and_line() {
    let dir = TempDir::new("badyaml");
    dir.write("bad.yaml", "name: a\nconfig:\n  k: [unclosed\n  j: 1\n");
    let e = err(&dir);
    assert!(e.contains("bad.yaml:"), "{e}");
    assert!(
        e.contains("bad.yaml:3:") || e.contains("bad.yaml:4:") || e.contains("bad.yaml:5:"),
        "{e}"
    );
}

#[test]
fn other_bad_files() {
    for (text, expect) in [
        (
            r#"{"name": "a", "config": {}, "extra": 1}"#,
            "unknown field",
        ),
        (r#"{"config": {}}"#, "missing field `name`"),
        (
            r#"{"name": "a/b", "config": {"connector.class": "X"}}"#,
            "not allowed",
        ),
        (
            r#"{"name": "a", "config": {"connector.class": "X", "tasks.max": "0"}}"#,
            "tasks.max",
        ),
        (
            r#"{"name": "a", "config": {"connector.class": "X", "k": {"nested": 1}}}"#,
            "string, number or boolean",
        ),
        (
            r#"{"name": "a", "config": {"connector.class": "X", "p.password": "****************"}}"#,
            "mask",
        ),
        (
            r#"{"name": "a", "config": {"connector.class": "X", "p": "${UNCLOSED"}}"#,
            "never closed",
        ),
        (
            r#"{"name": "a", "config": {"tasks.max": "1"}}"#,
            "connector.class",
        ),
    ] {
        let dir = TempDir::new("bad");
        dir.write("c.json", text);
        let e = err(&dir);
        assert!(e.contains(expect), "{text}: {e}");
        assert!(e.contains("c.json"), "{text}: {e}");
    }
}

#[test]
fn a_bad_reference_in_a_secret_is_refused_without_quoting_it() {
    let dir = TempDir::new("badsecret");
    dir.write(
        "s.json",
        r#"{"name": "s", "config": {"connector.class": "DatagenSource",
            "kafka.api.secret": "hunter2${not a var}tail"}}"#,
    );
    let e = err(&dir);
    assert!(
        e.contains("s.json") && e.contains("kafka.api.secret"),
        "{e}"
    );
    assert!(e.contains("not shown"), "{e}");
    for part in ["hunter2", "not a var", "tail"] {
        assert!(!e.contains(part), "{part} quoted in {e}");
    }
    // The same under a key that is no secret says what is wrong.
    dir.write(
        "s.json",
        r#"{"name": "s", "config": {"connector.class": "DatagenSource",
            "kafka.topic": "t${not a var}"}}"#,
    );
    assert!(err(&dir).contains("`${not a var}` is not a variable name"));
}
