//! Typed access to the two answers of `list_connectors`.

use std::collections::BTreeMap;
use std::fmt;

use crate::connect::{ConnectApi, ConnectorExpansion, ListConnectorsResponse};
use crate::{Error, Result};

/// Which sections `list_connectors` should expand for every connector.
///
/// Goes on the wire as one `expand=` parameter with comma-joined values, e.g.
/// `expand=info,status,id`.
///
/// ```
/// use ccloud_connect::Expand;
/// assert_eq!(Expand::ALL.to_string(), "info,status,id");
/// assert_eq!((Expand::STATUS | Expand::ID).to_string(), "status,id");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Expand {
    info: bool,
    status: bool,
    id: bool,
}

impl Expand {
    /// The connector's type and configuration.
    pub const INFO: Expand = Expand {
        info: true,
        status: false,
        id: false,
    };
    /// The connector's and its tasks' states.
    pub const STATUS: Expand = Expand {
        info: false,
        status: true,
        id: false,
    };
    /// The connector's id (`lcc-...`).
    pub const ID: Expand = Expand {
        info: false,
        status: false,
        id: true,
    };
    /// Every section.
    pub const ALL: Expand = Expand {
        info: true,
        status: true,
        id: true,
    };

    /// Whether no section is selected.
    pub fn is_empty(self) -> bool {
        !(self.info || self.status || self.id)
    }
}

impl std::ops::BitOr for Expand {
    type Output = Expand;
    fn bitor(self, rhs: Expand) -> Expand {
        Expand {
            info: self.info || rhs.info,
            status: self.status || rhs.status,
            id: self.id || rhs.id,
        }
    }
}

impl fmt::Display for Expand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [
            (self.info, "info"),
            (self.status, "status"),
            (self.id, "id"),
        ];
        let joined: Vec<&str> = parts
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect();
        f.write_str(&joined.join(","))
    }
}

impl ConnectApi {
    /// The names of the connectors of a cluster (`list_connectors` without `expand`).
    pub async fn list_connector_names(
        &self,
        environment_id: &str,
        kafka_cluster_id: &str,
    ) -> Result<Vec<String>> {
        match self
            .list_connectors(environment_id, kafka_cluster_id, None)
            .await?
        {
            ListConnectorsResponse::NameList(names) => Ok(names.0),
            ListConnectorsResponse::ExpansionMap(map) => Ok(map.0.into_keys().collect()),
        }
    }

    /// Every connector of a cluster with the requested sections, keyed by name. Sections the
    /// server leaves out or sends as `null` are `None`.
    pub async fn list_connectors_expanded(
        &self,
        environment_id: &str,
        kafka_cluster_id: &str,
        expand: Expand,
    ) -> Result<BTreeMap<String, ConnectorExpansion>> {
        if expand.is_empty() {
            return Err(Error::validation(
                "expand",
                "",
                "select at least one of INFO, STATUS, ID",
            ));
        }
        let expand = expand.to_string();
        match self
            .list_connectors(environment_id, kafka_cluster_id, Some(&expand))
            .await?
        {
            ListConnectorsResponse::ExpansionMap(map) => Ok(map.0),
            // Names without sections: the server left every section out.
            ListConnectorsResponse::NameList(names) => Ok(names
                .0
                .into_iter()
                .map(|name| (name, ConnectorExpansion::default()))
                .collect()),
        }
    }
}
