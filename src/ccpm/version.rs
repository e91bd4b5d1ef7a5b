//! One version of a ccpm plugin, and the wait until it is `READY`.

use crate::Result;
use crate::ccpm::{self, CcpmApi};
use crate::wait::{Failures, Verdict, WaitOptions, poll_until};

/// One version of a ccpm plugin, from [`PluginHandle::version`](crate::ccpm::PluginHandle::version).
#[derive(Clone, Debug)]
pub struct VersionHandle {
    api: CcpmApi,
    environment: String,
    plugin_id: String,
    id: String,
}

impl VersionHandle {
    pub(crate) fn new(api: CcpmApi, environment: String, plugin_id: String, id: String) -> Self {
        VersionHandle {
            api,
            environment,
            plugin_id,
            id,
        }
    }

    /// The version id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The version (`GET /ccpm/v1/plugins/{plugin_id}/versions/{id}`).
    pub async fn get(&self) -> Result<ccpm::PluginVersion> {
        self.api
            .get_plugin_version(&self.plugin_id, &self.id, &self.environment)
            .await
    }

    /// Deletes the version.
    pub async fn delete(&self) -> Result<()> {
        self.api
            .delete_plugin_version(&self.plugin_id, &self.id, &self.environment)
            .await
    }

    /// Reads the version every [`WaitOptions::interval`] until its `status.phase` is
    /// `READY`, and returns it as last read.
    ///
    /// Fails with [`Error::Wait`](crate::Error::Wait): on `FAILED` with the server's
    /// `error_message` as detail, and when [`WaitOptions::timeout`] runs out with the last
    /// phase seen. Other phases (`PROCESSING`, and values this crate does not know) keep the
    /// wait going. Errors of the reads themselves end the wait as they are (transient ones
    /// are retried by the client's policy first). A zero interval is refused before the
    /// first read. Cancel-safe.
    pub async fn wait_until_ready(&self, options: WaitOptions) -> Result<ccpm::PluginVersion> {
        self.settle(None, options).await
    }

    /// Polls the version (judging `known` first, when given) until `READY`.
    pub(crate) async fn settle(
        &self,
        known: Option<ccpm::PluginVersion>,
        options: WaitOptions,
    ) -> Result<ccpm::PluginVersion> {
        poll_until(
            options,
            format!(
                "version {:?} of plugin {:?} to be READY",
                self.id, self.plugin_id
            ),
            known,
            Failures::Final,
            || self.get(),
            judge_plugin_version,
        )
        .await
    }
}

/// `READY` ends the wait, `FAILED` fails it with the server's `error_message`; every other
/// phase (`PROCESSING`, values this crate does not know, no status yet) is pending.
fn judge_plugin_version(version: ccpm::PluginVersion) -> Verdict<ccpm::PluginVersion> {
    let phase = version.status.as_ref().map(|s| s.phase.clone());
    match phase {
        Some(ccpm::PluginVersionPhase::Ready) => Verdict::Done(version),
        Some(ccpm::PluginVersionPhase::Failed) => Verdict::Failed {
            state: "FAILED".to_owned(),
            detail: version.status.and_then(|s| s.error_message),
        },
        Some(other) => Verdict::Pending(other.as_str().to_owned()),
        None => Verdict::Pending("without a status".to_owned()),
    }
}
