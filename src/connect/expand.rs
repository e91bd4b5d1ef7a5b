//! Which sections a connector list expands.

use std::fmt;

/// Which sections `list_connectors` should expand for every connector.
///
/// Goes on the wire as one `expand=` parameter with comma-joined values, e.g.
/// `expand=info,status,id`.
///
/// ```
/// use ccloud_connect::connect::Expand;
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
