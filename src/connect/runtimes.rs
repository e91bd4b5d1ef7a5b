//! Choosing a custom connector runtime, and noticing when one nears its end of life.

use std::cmp::Ordering;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::connect::{CustomConnectorRuntime, ProductMaturity};

/// The custom connector runtimes on offer at one moment, with the questions asked of them:
/// which is the newest GA runtime, and which reach their end of life soon.
///
/// When a runtime reaches its end of life, Confluent upgrades its connectors to the next
/// supported runtime, which may break them; Confluent sends a notice at least 60 days
/// before. [`eol_within`](Self::eol_within) finds those runtimes ahead of time.
///
/// ```
/// use std::time::Duration;
/// use ccloud_connect::connect::RuntimeReport;
/// let runtimes = serde_json::from_str(r#"[
///   {"id": "ccrv-1", "custom_connect_plugin_runtime_name": "3.9", "runtime_ak_version": "3.9.0", "product_maturity": "GA"},
///   {"id": "ccrv-2", "custom_connect_plugin_runtime_name": "3.6", "runtime_ak_version": "3.6.0", "product_maturity": "GA",
///    "end_of_life_at": "2026-04-01T00:00:00Z"}
/// ]"#).unwrap();
/// let as_of = "2026-03-01T00:00:00Z".parse().unwrap();
/// let report = RuntimeReport::new(runtimes, as_of);
/// assert_eq!(report.newest_ga().unwrap().id, "ccrv-1");
/// let soon = report.eol_within(Duration::from_secs(60 * 86_400));
/// assert_eq!(soon[0].id, "ccrv-2");
/// ```
#[derive(Clone, Debug)]
pub struct RuntimeReport {
    runtimes: Vec<CustomConnectorRuntime>,
    as_of: DateTime<Utc>,
}

impl RuntimeReport {
    /// A report on `runtimes` as of the time `as_of`.
    pub fn new(runtimes: Vec<CustomConnectorRuntime>, as_of: DateTime<Utc>) -> Self {
        RuntimeReport { runtimes, as_of }
    }

    /// Every runtime, in server order.
    pub fn runtimes(&self) -> &[CustomConnectorRuntime] {
        &self.runtimes
    }

    /// The moment the report speaks of.
    pub fn as_of(&self) -> DateTime<Utc> {
        self.as_of
    }

    /// The runtime whose `custom_connect_plugin_runtime_name` is `name` (e.g. `3.9`).
    pub fn find(&self, name: &str) -> Option<&CustomConnectorRuntime> {
        self.runtimes
            .iter()
            .find(|r| r.custom_connect_plugin_runtime_name.as_deref() == Some(name))
    }

    /// The newest runtime that is `GA` and not past its end of life, by Kafka version
    /// (`runtime_ak_version`, else the runtime name, compared number by number). Among
    /// equal versions the first in server order wins. Its
    /// `custom_connect_plugin_runtime_name` is the value for
    /// [`ConnectorSpec::plugin_runtime`](crate::connect::ConnectorSpec::plugin_runtime).
    pub fn newest_ga(&self) -> Option<&CustomConnectorRuntime> {
        self.runtimes
            .iter()
            .filter(|r| r.product_maturity == Some(ProductMaturity::Ga))
            .filter(|r| r.end_of_life_at.is_none_or(|eol| eol > self.as_of))
            .fold(
                None,
                |best: Option<&CustomConnectorRuntime>, r| match best {
                    Some(b)
                        if compare_versions(&version_of(r), &version_of(b))
                            != Ordering::Greater =>
                    {
                        Some(b)
                    }
                    _ => Some(r),
                },
            )
    }

    /// The runtimes whose end of life falls within `within` of [`as_of`](Self::as_of),
    /// including those already past it, soonest first. Runtimes without an
    /// `end_of_life_at` are never listed.
    pub fn eol_within(&self, within: Duration) -> Vec<&CustomConnectorRuntime> {
        let horizon = TimeDelta::from_std(within)
            .ok()
            .and_then(|d| self.as_of.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut near: Vec<&CustomConnectorRuntime> = self
            .runtimes
            .iter()
            .filter(|r| r.end_of_life_at.is_some_and(|eol| eol <= horizon))
            .collect();
        near.sort_by_key(|r| r.end_of_life_at);
        near
    }
}

/// `3.9.0` -> `[3, 9, 0]`; a part without leading digits counts as 0.
fn version_of(runtime: &CustomConnectorRuntime) -> Vec<u64> {
    let text = runtime
        .runtime_ak_version
        .as_deref()
        .or(runtime.custom_connect_plugin_runtime_name.as_deref())
        .unwrap_or("");
    text.split('.')
        .map(|part| {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().unwrap_or(0)
        })
        .collect()
}

/// Compares part by part, missing parts counting as 0 (`3.9` equals `3.9.0`).
fn compare_versions(a: &[u64], b: &[u64]) -> Ordering {
    let len = a.len().max(b.len());
    (0..len)
        .map(|i| {
            a.get(i)
                .copied()
                .unwrap_or(0)
                .cmp(&b.get(i).copied().unwrap_or(0))
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions(&[3, 10, 0], &[3, 9, 0]), Ordering::Greater);
        assert_eq!(compare_versions(&[3, 9], &[3, 9, 0]), Ordering::Equal);
        assert_eq!(compare_versions(&[3, 6, 1], &[3, 9]), Ordering::Less);
    }
}
