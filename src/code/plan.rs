//! A plan: what applying a desired state to a cluster would create, update and delete,
//! from one read of the cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

use crate::code::desired::{DesiredConnector, DesiredState};
use crate::code::diff::{self, KeyChange, KeyValue};
use crate::connect::{Cluster, Expand};
use crate::{Error, Result};

/// Which connectors a plan sends their known secrets to although nothing else changed
/// ([`PlanOptions::resend_secrets`]): how a rotated secret reaches every connector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResendSecrets {
    /// None: secrets are never a change by themselves (the default).
    #[default]
    None,
    /// Every connector whose secret variables are set.
    All,
    /// These connectors, by name.
    Only(BTreeSet<String>),
}

/// How [`Cluster::plan_with`] plans.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Delete the connectors of the cluster that the desired state does not name. An
    /// empty desired state is refused with pruning on, unless
    /// [`allow_empty_prune`](Self::allow_empty_prune).
    pub prune: bool,
    /// With [`prune`](Self::prune), let an empty desired state plan the deletion of every
    /// connector of the cluster (otherwise taken for a wrong directory and refused).
    pub allow_empty_prune: bool,
    /// Turn connectors whose secret variables are set into updates, so new secret values
    /// reach them.
    pub resend_secrets: ResendSecrets,
}

impl PlanOptions {
    /// Default options: no pruning, no secrets sent again.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`prune`](Self::prune).
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Sets [`allow_empty_prune`](Self::allow_empty_prune).
    pub fn allow_empty_prune(mut self, allow: bool) -> Self {
        self.allow_empty_prune = allow;
        self
    }

    /// Sets [`resend_secrets`](Self::resend_secrets).
    pub fn resend_secrets(mut self, resend: ResendSecrets) -> Self {
        self.resend_secrets = resend;
        self
    }
}

/// What a plan does to one connector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// Create it with these keys (secrets without their values).
    Create {
        /// Every key but `name`.
        keys: Vec<KeyValue>,
    },
    /// Replace its configuration (`PUT .../config`).
    Update {
        /// Keys the cluster does not have.
        added: Vec<KeyValue>,
        /// Keys whose values differ.
        changed: Vec<KeyChange>,
        /// Keys the desired state leaves out (gone after the update).
        removed: Vec<KeyValue>,
        /// Secrets sent with the update: their variables are set.
        secrets_sent: Vec<KeyValue>,
        /// Secrets whose variables are unset: their masks go back and the API keeps the
        /// stored values.
        secrets_kept: Vec<KeyValue>,
    },
    /// Nothing to do.
    Unchanged,
    /// Delete it (with [`PlanOptions::prune`]).
    Delete,
    /// In the cluster, not in the desired state, and kept since the plan does not prune.
    NotManaged,
}

impl Action {
    /// Whether applying it sends anything.
    pub fn is_change(&self) -> bool {
        matches!(
            self,
            Action::Create { .. } | Action::Update { .. } | Action::Delete
        )
    }

    /// `create`, `update`, `unchanged`, `delete` or `not_managed`.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Create { .. } => "create",
            Action::Update { .. } => "update",
            Action::Unchanged => "unchanged",
            Action::Delete => "delete",
            Action::NotManaged => "not_managed",
        }
    }
}

/// One connector's line of a [`Plan`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PlannedConnector {
    /// The connector's name.
    pub name: String,
    /// What the plan does to it.
    #[serde(flatten)]
    pub action: Action,
    /// The file of its desired state, if it came from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// For a create or update: the secret variables that are unset (a create cannot be
    /// applied until they are set; an update keeps the stored secrets).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unset_variables: Vec<String>,
    /// For a create: the connector of the cluster it looks like a rename of. A name change
    /// is a new connector, not an update: the old one stays unless the plan prunes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// For a delete or a connector not managed: the connector created in its place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
}

/// What applying a desired state to a cluster would do, connector by connector, from
/// [`Cluster::plan`]. Apply it with [`Plan::apply`].
///
/// `Display` prints a diff for a terminal or a log with every secret value hidden (not
/// even a mask shows); `Serialize` gives the same as JSON.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// The environment id.
    pub environment_id: String,
    /// The Kafka cluster id.
    pub kafka_cluster_id: String,
    /// Whether the plan deletes the connectors the desired state does not name.
    pub prune: bool,
    /// Every connector of the desired state and of the cluster, by name.
    pub connectors: Vec<PlannedConnector>,
    #[serde(skip)]
    pub(crate) cluster: Cluster,
    #[serde(skip)]
    pub(crate) desired: DesiredState,
}

impl Plan {
    /// Whether applying the plan would send anything.
    pub fn has_changes(&self) -> bool {
        self.connectors.iter().any(|c| c.action.is_change())
    }

    /// The connectors applying would create, update or delete.
    pub fn changes(&self) -> impl Iterator<Item = &PlannedConnector> {
        self.connectors.iter().filter(|c| c.action.is_change())
    }

    /// How many connectors have the action of this [`kind`](Action::kind).
    pub fn count(&self, kind: &str) -> usize {
        self.connectors
            .iter()
            .filter(|c| c.action.kind() == kind)
            .count()
    }

    /// The connector of the plan with this name.
    pub fn connector(&self, name: &str) -> Option<&PlannedConnector> {
        self.connectors.iter().find(|c| c.name == name)
    }

    /// The desired state of a connector the plan creates or updates.
    pub(crate) fn desired(&self, name: &str) -> Option<&DesiredConnector> {
        self.desired.get(name)
    }
}

impl Cluster {
    /// [`plan_with`](Self::plan_with) with the default options: no pruning, no secrets
    /// sent again.
    pub async fn plan(&self, desired: &DesiredState) -> Result<Plan> {
        self.plan_with(desired, &PlanOptions::default()).await
    }

    /// Compares a desired state with the cluster, read once (`?expand=info`), and says for
    /// each connector whether applying would create, update, leave or (with
    /// [`PlanOptions::prune`]) delete it. Nothing is changed.
    ///
    /// * Secrets are never compared (the API answers them masked) and never a change by
    ///   themselves; a secret key added or removed is. [`PlanOptions::resend_secrets`]
    ///   turns connectors whose secret variables are set into updates.
    /// * The keys the service adds ([`SERVER_ADDED_KEYS`](crate::connect::SERVER_ADDED_KEYS),
    ///   `config.internal.*`, a custom connector's `connector.class`) are never a change.
    /// * A renamed connector is a create (the plan names the connector it looks like a
    ///   rename of: same file name, or the same configuration) and, with pruning, a delete.
    /// * No secret value is needed: the plan lists, per connector, the variables unset.
    ///
    /// ```no_run
    /// use ccloud_connect::code::DesiredState;
    /// # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
    /// let desired = DesiredState::from_dir("connectors/")?;
    /// let plan = client.connect().cluster("env-1", "lkc-1").plan(&desired).await?;
    /// print!("{plan}");
    /// # Ok(()) }
    /// ```
    pub async fn plan_with(&self, desired: &DesiredState, options: &PlanOptions) -> Result<Plan> {
        if options.prune && desired.is_empty() && !options.allow_empty_prune {
            // Far more often a wrong directory than a wish to delete everything.
            return Err(Error::validation(
                "desired state",
                "",
                "is empty, and pruning would delete every connector of the cluster; check \
                 where the connector files are read from (delete connectors one by one if \
                 that is what you want, or PlanOptions::allow_empty_prune); nothing was read \
                 or sent",
            ));
        }
        if let ResendSecrets::Only(names) = &options.resend_secrets
            && let Some(unknown) = names.iter().find(|n| desired.get(n).is_none())
        {
            return Err(Error::validation(
                "resend secrets",
                unknown.as_str(),
                "is not a connector of the desired state",
            ));
        }
        let live = self.live_configs().await?;
        let mut connectors = Vec::new();
        for want in desired.connectors() {
            let resend = match &options.resend_secrets {
                ResendSecrets::None => false,
                ResendSecrets::All => true,
                ResendSecrets::Only(names) => names.contains(want.name()),
            };
            let action = match live.get(want.name()) {
                None => Action::Create {
                    keys: want
                        .keys()
                        .map(|k| diff::desired_key_value(k, &want.values[k], false))
                        .collect(),
                },
                Some(have) => {
                    let cmp = diff::compare(want, have);
                    if cmp.has_changes() || (resend && !cmp.secrets_known.is_empty()) {
                        Action::Update {
                            added: cmp.added,
                            changed: cmp.changed,
                            removed: cmp.removed,
                            secrets_sent: cmp.secrets_known,
                            secrets_kept: cmp.secrets_unset,
                        }
                    } else {
                        Action::Unchanged
                    }
                }
            };
            let unset_variables = if action.is_change() {
                want.unset_variables()
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            } else {
                Vec::new()
            };
            connectors.push(PlannedConnector {
                name: want.name().to_owned(),
                action,
                file: want.source().map(ToOwned::to_owned),
                unset_variables,
                renamed_from: None,
                renamed_to: None,
            });
        }
        for name in live.keys().filter(|n| desired.get(n).is_none()) {
            connectors.push(PlannedConnector {
                name: name.clone(),
                action: if options.prune {
                    Action::Delete
                } else {
                    Action::NotManaged
                },
                file: None,
                unset_variables: Vec::new(),
                renamed_from: None,
                renamed_to: None,
            });
        }
        connectors.sort_by(|a, b| a.name.cmp(&b.name));
        link_renames(&mut connectors, desired, &live);
        Ok(Plan {
            environment_id: self.environment_id().to_owned(),
            kafka_cluster_id: self.kafka_cluster_id().to_owned(),
            prune: options.prune,
            connectors,
            cluster: self.clone(),
            desired: desired.clone(),
        })
    }

    /// Every connector's configuration as read, in one request.
    async fn live_configs(&self) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
        let mut out = BTreeMap::new();
        for (name, expansion) in self.connectors(Expand::INFO).await? {
            let config = expansion.info.and_then(|info| info.config).ok_or_else(|| {
                Error::validation(
                    "connector",
                    name.as_str(),
                    "the cluster's list (expand=info) left out its configuration, so it \
                         cannot be compared; try again",
                )
            })?;
            out.insert(name, config.0);
        }
        Ok(out)
    }
}

/// Marks each create that looks like a rename of a connector the desired state does not
/// name: the file it came from is named after that connector (as export names files), or
/// its plain configuration is the same but for the name.
fn link_renames(
    connectors: &mut [PlannedConnector],
    desired: &DesiredState,
    live: &BTreeMap<String, BTreeMap<String, String>>,
) {
    let orphans: Vec<&String> = live.keys().filter(|n| desired.get(n).is_none()).collect();
    let mut links: Vec<(String, String)> = Vec::new();
    for want in desired.connectors() {
        if live.contains_key(want.name()) {
            continue;
        }
        let stem = want
            .source()
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned());
        let fingerprint = diff::plain_fingerprint(want);
        let taken = |o: &&&String| !links.iter().any(|(_, old)| old == **o);
        let by_file = orphans
            .iter()
            .filter(taken)
            .find(|o| stem.as_deref() == Some(crate::code::export::file_stem(o).as_str()));
        let by_config = || {
            orphans
                .iter()
                .filter(taken)
                .find(|o| diff::live_fingerprint(&live[**o]) == fingerprint)
        };
        if let Some(old) = by_file.or_else(by_config) {
            links.push((want.name().to_owned(), (*old).clone()));
        }
    }
    for (new, old) in links {
        for c in connectors.iter_mut() {
            if c.name == new {
                c.renamed_from = Some(old.clone());
            } else if c.name == old {
                c.renamed_to = Some(new.clone());
            }
        }
    }
}
