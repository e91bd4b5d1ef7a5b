//! Prints every operation the crate covers, per API, with the method that calls it.
//!
//! ```text
//! cargo run --example operations
//! ```

use ccloud_connect::ccpm::CcpmApi;
use ccloud_connect::connect::ConnectApi;

fn main() {
    for (api, accessor, ops) in [
        ("connect/v1", "connect", ConnectApi::OPERATIONS),
        ("ccpm/v1", "ccpm", CcpmApi::OPERATIONS),
    ] {
        println!("{api}: {} operations", ops.len());
        for op in ops {
            println!("  client.{accessor}().{op}(..)");
        }
    }
}
