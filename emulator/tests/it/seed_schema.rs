//! The seed file's JSON Schema: the checked-in `emulator/seed.schema.json` is the one the
//! seed types generate, and the shipped example seed is valid under it.

use ccloud_connect_emulator::Seed;
use serde_json::{Value, json};

use crate::seed::example_path;

fn schema_path() -> String {
    format!("{}/seed.schema.json", env!("CARGO_MANIFEST_DIR"))
}

/// What `--print-seed-schema` prints.
fn generated() -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(&Seed::json_schema()).unwrap()
    )
}

#[test]
fn the_checked_in_seed_schema_is_the_generated_one() {
    let checked_in = std::fs::read_to_string(schema_path()).unwrap();
    assert!(
        checked_in == generated(),
        "emulator/seed.schema.json is stale: regenerate it with\n  \
         cargo run -p ccloud-connect-emulator -- --print-seed-schema > emulator/seed.schema.json"
    );
}

#[test]
fn the_example_seed_is_valid_under_the_schema() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let example: Value =
        serde_json::from_str(&std::fs::read_to_string(example_path()).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&example)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Every kind of entry is in the example, so the check covers every definition.
    for key in ["custom_plugins", "ccpm_plugins", "connectors"] {
        assert!(!example[key].as_array().unwrap().is_empty(), "{key}");
    }

    // The schema refuses what the reader refuses.
    for bad in [
        json!({"connector": []}),
        json!({"connectors": [{"environment": "e", "cluster": "c", "config": {"tasks.max": 1}}]}),
        json!({"connectors": [{"environment": "e", "config": {}}]}),
        json!({"ccpm_plugins": [{"environment": "e", "display_name": "p",
            "versions": [{"version": "1", "connector_classes": [{"class_name": "C"}]}]}]}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
        assert!(Seed::from_json(&bad.to_string()).is_err(), "{bad}");
    }
}
