//! A [`Plan`] as a readable diff, for a terminal or a log: one block per connector that
//! changes, every secret shown by its variables, never by a value or a mask.

use std::fmt;

use crate::code::diff::KeyValue;
use crate::code::plan::{Action, Plan, PlannedConnector};

/// How a secret is shown: where its value comes from, and whether that is set.
fn secret_source(kv: &KeyValue) -> String {
    if kv.variables.is_empty() {
        return "(secret)".to_owned();
    }
    let vars: Vec<String> = kv.variables.iter().map(|v| format!("${{{v}}}")).collect();
    if kv.unset.is_empty() {
        format!("(secret from {})", vars.join(", "))
    } else {
        let unset: Vec<String> = kv.unset.iter().map(|v| format!("${{{v}}}")).collect();
        format!(
            "(secret from {}; unset: {})",
            vars.join(", "),
            unset.join(", ")
        )
    }
}

fn shown(kv: &KeyValue) -> String {
    match &kv.value {
        Some(v) if !kv.secret => format!("{v:?}"),
        _ => secret_source(kv),
    }
}

fn secret_list(list: &[KeyValue]) -> String {
    list.iter()
        .map(|kv| {
            if kv.variables.is_empty() {
                kv.key.clone()
            } else {
                format!("{} (${{{}}})", kv.key, kv.variables.join("}, ${"))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_connector(f: &mut fmt::Formatter<'_>, c: &PlannedConnector) -> fmt::Result {
    let file = c
        .file
        .as_ref()
        .map(|p| format!(" ({})", p.display()))
        .unwrap_or_default();
    match &c.action {
        Action::Create { keys } => {
            writeln!(f, "+ create {:?}{file}", c.name)?;
            if let Some(old) = &c.renamed_from {
                writeln!(
                    f,
                    "    note: looks like a rename of {old:?}; a name change creates a new \
                     connector, it does not rename {old:?}"
                )?;
            }
            for kv in keys {
                writeln!(f, "    + {} = {}", kv.key, shown(kv))?;
            }
        }
        Action::Update {
            added,
            changed,
            removed,
            secrets_sent,
            secrets_kept,
        } => {
            writeln!(f, "~ update {:?}{file}", c.name)?;
            for kv in added {
                writeln!(f, "    + {} = {}", kv.key, shown(kv))?;
            }
            for ch in changed {
                writeln!(f, "    ~ {}: {:?} -> {:?}", ch.key, ch.from, ch.to)?;
            }
            for kv in removed {
                match &kv.value {
                    Some(v) if !kv.secret => writeln!(f, "    - {} (was {v:?})", kv.key)?,
                    _ => writeln!(f, "    - {} (secret)", kv.key)?,
                }
            }
            if !secrets_sent.is_empty() {
                writeln!(f, "    secrets sent: {}", secret_list(secrets_sent))?;
            }
            if !secrets_kept.is_empty() {
                writeln!(
                    f,
                    "    secrets kept as stored (variables unset): {}",
                    secret_list(secrets_kept)
                )?;
            }
        }
        Action::Delete => {
            writeln!(f, "- delete {:?}", c.name)?;
            if let Some(new) = &c.renamed_to {
                writeln!(f, "    note: {new:?} is created in its place")?;
            }
        }
        Action::NotManaged => {
            writeln!(
                f,
                "? {:?} is not in the desired state: kept (--prune deletes it)",
                c.name
            )?;
            if let Some(new) = &c.renamed_to {
                writeln!(
                    f,
                    "    note: {new:?} looks like its new name; both will exist unless you prune"
                )?;
            }
        }
        Action::Unchanged => {}
    }
    if !c.unset_variables.is_empty() {
        let create = matches!(c.action, Action::Create { .. });
        writeln!(
            f,
            "    unset secret variables: {}{}",
            c.unset_variables.join(", "),
            if create {
                " (set them before applying: a create needs every secret)"
            } else {
                ""
            }
        )?;
    }
    Ok(())
}

impl fmt::Display for Plan {
    /// A summary line, then one block per connector that changes or is not managed.
    /// Secrets are shown by their variables only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Plan for {}/{}: {} to create, {} to update, {} to delete, {} unchanged{}.",
            self.environment_id,
            self.kafka_cluster_id,
            self.count("create"),
            self.count("update"),
            self.count("delete"),
            self.count("unchanged"),
            match self.count("not_managed") {
                0 => String::new(),
                n => format!(", {n} not managed"),
            }
        )?;
        for c in &self.connectors {
            write_connector(f, c)?;
        }
        if !self.has_changes() {
            writeln!(f, "No changes: the cluster matches the desired state.")?;
        }
        Ok(())
    }
}
