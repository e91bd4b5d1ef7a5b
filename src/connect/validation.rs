//! Reading the managed plugin validation's answer.

use std::collections::BTreeMap;

use crate::connect::ConfigValidation;

impl ConfigValidation {
    /// Whether the server found no problem: `error_count` is zero (or absent) and no field
    /// lists an error.
    pub fn is_valid(&self) -> bool {
        self.error_count.unwrap_or(0) == 0 && self.field_errors().is_empty()
    }

    /// The errors the server reported, per configuration key, for keys with at least one.
    pub fn field_errors(&self) -> BTreeMap<&str, &[String]> {
        self.configs
            .iter()
            .filter_map(|entry| {
                let value = entry.value.as_ref()?;
                if value.errors.is_empty() {
                    return None;
                }
                let name = value
                    .name
                    .as_deref()
                    .or_else(|| entry.definition.as_ref()?.name.as_deref())
                    .unwrap_or("");
                Some((name, value.errors.as_slice()))
            })
            .collect()
    }
}
