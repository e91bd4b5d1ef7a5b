//! Many Kafka clusters at once: every connector with its status, and a restart of every
//! failed one, with bounded concurrency, going on past one cluster's error.

use std::fmt;
use std::num::NonZeroUsize;

use futures::stream::{self, BoxStream, StreamExt as _};

use crate::connect::connector::failure_detail;
use crate::connect::{Cluster, ConnectorExpansion, ConnectorHandle, ConnectorStatus, Expand};
use crate::wait::{Wait, WaitOptions};
use crate::{Error, Result};

/// Clusters handled together, from [`Connect::fleet`](crate::connect::Connect::fleet).
///
/// Every request goes through the client's pacing ([`Pacing`](crate::Pacing)), so a fleet
/// of hundreds of connectors stays under the API's rate limit instead of running into
/// `429`s. One cluster's error (a `403` on one environment, say) is reported and the other
/// clusters go on.
///
/// ```no_run
/// use futures::StreamExt as _;
/// # async fn run(client: ccloud_connect::Client) {
/// let fleet = client
///     .connect()
///     .fleet([("env-1", "lkc-1"), ("env-1", "lkc-2"), ("env-2", "lkc-3")]);
/// let mut connectors = fleet.connectors();
/// while let Some(item) = connectors.next().await {
///     match item {
///         Ok(c) => println!("{}/{} {}: {:?}", c.environment_id(), c.kafka_cluster_id(), c.name,
///             c.status.as_ref().map(|s| s.connector.state.to_string())),
///         Err(e) => eprintln!("{e}"),
///     }
/// }
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Fleet {
    clusters: Vec<Cluster>,
    concurrency: NonZeroUsize,
}

/// The default of [`Fleet::concurrency`].
const DEFAULT_CONCURRENCY: NonZeroUsize = NonZeroUsize::new(8).unwrap();

/// One connector of a fleet, with the status its cluster's list reported.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FleetConnector {
    /// The connector's name.
    pub name: String,
    /// Its status; `None` when the server left it out of the list.
    pub status: Option<ConnectorStatus>,
    cluster: Cluster,
}

impl FleetConnector {
    /// The environment id.
    pub fn environment_id(&self) -> &str {
        self.cluster.environment_id()
    }

    /// The Kafka cluster id.
    pub fn kafka_cluster_id(&self) -> &str {
        self.cluster.kafka_cluster_id()
    }

    /// A handle on the connector, for further calls.
    pub fn handle(&self) -> ConnectorHandle {
        self.cluster.connector(self.name.clone())
    }

    /// Whether it needs a restart: the connector `FAILED`, or one of its tasks did.
    pub fn is_failing(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(ConnectorStatus::is_failing)
    }
}

/// One cluster's error in a fleet operation: the others went on.
#[derive(Debug, thiserror::Error)]
#[error("cluster {environment_id}/{kafka_cluster_id}: {error}")]
#[non_exhaustive]
pub struct ClusterError {
    /// The environment id.
    pub environment_id: String,
    /// The Kafka cluster id.
    pub kafka_cluster_id: String,
    /// What went wrong (boxed: the error is large, and the stream carries it by value).
    #[source]
    pub error: Box<Error>,
}

/// What [`Fleet::restart_failed`] did to one connector.
#[derive(Debug)]
#[non_exhaustive]
pub enum RestartOutcome {
    /// Running with every task already: left alone.
    Healthy,
    /// Failing, restarted, and running with every task again; the status after the wait.
    Healed(ConnectorStatus),
    /// Failing, and still failing after the restart, or the restart or its wait failed:
    /// the error says why (for a wait that ended, [`Error::Wait`] with the trace).
    NotHealed(Error),
    /// The list gave no status for it: left alone.
    NoStatus,
}

/// One connector's line of a [`RestartReport`].
#[derive(Debug)]
#[non_exhaustive]
pub struct RestartedConnector {
    /// The environment id.
    pub environment_id: String,
    /// The Kafka cluster id.
    pub kafka_cluster_id: String,
    /// The connector's name.
    pub name: String,
    /// Its status before anything was done.
    pub before: Option<ConnectorStatus>,
    /// What was done, and how it ended.
    pub outcome: RestartOutcome,
}

/// The result of [`Fleet::restart_failed`]: a line per connector, and the clusters that
/// could not be read.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct RestartReport {
    /// Every connector of the clusters that could be read, in cluster then name order.
    pub connectors: Vec<RestartedConnector>,
    /// The clusters whose connectors could not be listed.
    pub cluster_errors: Vec<ClusterError>,
}

impl RestartReport {
    /// How many connectors have an outcome `pick` accepts.
    fn count(&self, pick: impl Fn(&RestartOutcome) -> bool) -> usize {
        self.connectors.iter().filter(|c| pick(&c.outcome)).count()
    }

    /// Whether every connector runs (healthy or healed) and every cluster was read.
    pub fn all_running(&self) -> bool {
        self.cluster_errors.is_empty()
            && self.connectors.iter().all(|c| {
                matches!(
                    c.outcome,
                    RestartOutcome::Healthy | RestartOutcome::Healed(_)
                )
            })
    }
}

impl fmt::Display for RestartReport {
    /// One line: how many were healthy, healed, not healed, and the clusters not read.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} healthy, {} healed, {} not healed",
            self.count(|o| matches!(o, RestartOutcome::Healthy)),
            self.count(|o| matches!(o, RestartOutcome::Healed(_))),
            self.count(|o| matches!(o, RestartOutcome::NotHealed(_))),
        )?;
        let no_status = self.count(|o| matches!(o, RestartOutcome::NoStatus));
        if no_status > 0 {
            write!(f, ", {no_status} without a status")?;
        }
        if !self.cluster_errors.is_empty() {
            write!(f, ", {} clusters not read", self.cluster_errors.len())?;
        }
        Ok(())
    }
}

impl Fleet {
    pub(crate) fn new(clusters: Vec<Cluster>) -> Self {
        Fleet {
            clusters,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    /// How many requests (cluster lists, restarts) run at once. Default 8. The client's
    /// pacing still decides when each one goes.
    pub fn concurrency(mut self, requests: NonZeroUsize) -> Self {
        self.concurrency = requests;
        self
    }

    /// The clusters, in the order given.
    pub fn clusters(&self) -> &[Cluster] {
        &self.clusters
    }

    /// Every connector of every cluster with its status, one list request per cluster
    /// (`?expand=status`), up to [`concurrency`](Self::concurrency) clusters at once.
    /// Connectors come cluster by cluster, in name order within one, as the lists finish;
    /// a cluster that cannot be listed yields one [`ClusterError`] and the stream goes on.
    pub fn connectors(&self) -> BoxStream<'static, Result<FleetConnector, ClusterError>> {
        let lists = self.clusters.clone().into_iter().map(|cluster| async move {
            let listed = cluster.connectors(Expand::STATUS).await;
            (cluster, listed)
        });
        stream::iter(lists)
            .buffer_unordered(self.concurrency.get())
            .flat_map(|(cluster, listed)| {
                let items: Vec<Result<FleetConnector, ClusterError>> = match listed {
                    Ok(map) => map
                        .into_iter()
                        .map(|(name, expansion): (String, ConnectorExpansion)| {
                            Ok(FleetConnector {
                                name,
                                status: expansion.status,
                                cluster: cluster.clone(),
                            })
                        })
                        .collect(),
                    Err(error) => vec![Err(ClusterError {
                        environment_id: cluster.environment_id().to_owned(),
                        kafka_cluster_id: cluster.kafka_cluster_id().to_owned(),
                        error: Box::new(error),
                    })],
                };
                stream::iter(items)
            })
            .boxed()
    }

    /// Restarts every connector of the fleet that is `FAILED` or has a `FAILED` task (the
    /// API restarts a connector with its tasks), waits per `options` until it runs again
    /// (with the settle and tolerance rules of [`WaitOptions`]), and reports each
    /// connector. A connector that comes back `RUNNING` with a task still `FAILED` is not
    /// healed. Up to [`concurrency`](Self::concurrency) restarts run at once; one that
    /// fails is reported and the others go on.
    ///
    /// Errors only for invalid `options`, before anything is sent.
    pub async fn restart_failed(&self, options: WaitOptions) -> Result<RestartReport> {
        options.check()?;
        let mut report = RestartReport::default();
        let mut failing_ones = Vec::new();
        let mut listed: Vec<Result<FleetConnector, ClusterError>> =
            self.connectors().collect().await;
        // Cluster then name order, whatever order the lists finished in.
        listed.sort_by_key(order_key);
        for item in listed {
            match item {
                Err(e) => report.cluster_errors.push(e),
                Ok(c) if c.is_failing() => {
                    failing_ones.push((report.connectors.len(), c.handle()));
                    // Replaced by the restart's outcome below.
                    report.connectors.push(line(&c, RestartOutcome::NoStatus));
                }
                Ok(c) => {
                    let outcome = if c.status.is_some() {
                        RestartOutcome::Healthy
                    } else {
                        RestartOutcome::NoStatus
                    };
                    report.connectors.push(line(&c, outcome));
                }
            }
        }
        let restarts = failing_ones
            .into_iter()
            .map(|(i, handle)| async move { (i, restart(handle, options).await) });
        let outcomes: Vec<(usize, RestartOutcome)> = stream::iter(restarts)
            .buffer_unordered(self.concurrency.get())
            .collect()
            .await;
        for (i, outcome) in outcomes {
            report.connectors[i].outcome = outcome;
        }
        Ok(report)
    }
}

/// Ordering of a fleet listing: cluster, then connector name; cluster errors with theirs.
fn order_key(item: &Result<FleetConnector, ClusterError>) -> (String, String, String) {
    match item {
        Ok(c) => (
            c.environment_id().to_owned(),
            c.kafka_cluster_id().to_owned(),
            c.name.clone(),
        ),
        Err(e) => (
            e.environment_id.clone(),
            e.kafka_cluster_id.clone(),
            String::new(),
        ),
    }
}

fn line(c: &FleetConnector, outcome: RestartOutcome) -> RestartedConnector {
    RestartedConnector {
        environment_id: c.environment_id().to_owned(),
        kafka_cluster_id: c.kafka_cluster_id().to_owned(),
        name: c.name.clone(),
        before: c.status.clone(),
        outcome,
    }
}

async fn restart(handle: ConnectorHandle, options: WaitOptions) -> RestartOutcome {
    match handle.restart(Wait::With(options)).await {
        Ok(Some(status)) if !status.is_failing() => RestartOutcome::Healed(status),
        Ok(Some(status)) => RestartOutcome::NotHealed(Error::Wait {
            what: format!(
                "connector {:?} to run every task after the restart",
                handle.name()
            ),
            last_state: Some(status.connector.state.to_string()),
            timed_out: false,
            detail: failure_detail(&status),
            waited: std::time::Duration::ZERO,
        }),
        // Unreachable with Wait::With; reported rather than assumed.
        Ok(None) => RestartOutcome::NotHealed(Error::Wait {
            what: format!("connector {:?} after the restart", handle.name()),
            last_state: None,
            timed_out: false,
            detail: Some("no status after the restart".to_owned()),
            waited: std::time::Duration::ZERO,
        }),
        Err(e) => RestartOutcome::NotHealed(e),
    }
}
