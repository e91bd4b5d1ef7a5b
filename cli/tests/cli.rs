//! The `ccloud-connect` binary against an emulator in this process (127.0.0.1 only): each
//! test seeds its own emulator with emulator/seed.example.json and works in its own
//! temporary directory. One binary, one concept per file under tests/cli/.

#[path = "cli/support.rs"]
mod support;

#[path = "cli/bad_input.rs"]
mod bad_input;
#[path = "cli/export.rs"]
mod export;
#[path = "cli/plan_apply.rs"]
mod plan_apply;
#[path = "cli/status.rs"]
mod status;
