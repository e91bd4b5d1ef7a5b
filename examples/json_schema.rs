//! Prints the JSON Schema of a connector create request (the body of `POST .../connectors`).
//!
//! Teams that keep their connectors as JSON files use it to validate those files in CI and to
//! get completion and checks in their editor (a `$schema` key, or the editor's schema
//! mapping). Values of the API's enums are offered as completions, and a value this crate
//! does not know yet still passes, as it does when the client decodes it.
//!
//! ```sh
//! cargo run --features schemars --example json_schema > connector.schema.json
//! ```

use ccloud_connect::connect::CreateConnectorRequest;

fn main() {
    let schema = schemars::schema_for!(CreateConnectorRequest);
    let json = serde_json::to_string_pretty(&schema).expect("a schema is always valid JSON");
    println!("{json}");
}
