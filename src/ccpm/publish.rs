//! What publishing a ccpm plugin version takes, and what it returns.

use crate::ccpm;
#[cfg(doc)]
use crate::ccpm::{Environment, VersionHandle};
use crate::http::validate::query_param;
use crate::upload::UploadReceipt;
use crate::wait::WaitOptions;
use crate::{Error, Result};

/// Which ccpm plugin a new version belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PluginRef {
    /// An existing plugin, by id (`ccp-...`). Its cloud decides where the archive is stored.
    Id(String),
    /// The plugin of the environment with this display name in this cloud; created (with
    /// the description) when there is none. Two plugins of that name are an error.
    Named {
        /// The plugin's display name.
        display_name: String,
        /// The cloud the plugin, and so the archive, is stored in.
        cloud: ccpm::Cloud,
        /// The description given to the plugin if it is created.
        description: Option<String>,
    },
}

impl PluginRef {
    /// An existing plugin by id.
    pub fn id(id: impl Into<String>) -> Self {
        PluginRef::Id(id.into())
    }

    /// A plugin by display name and cloud, created when missing.
    pub fn named(display_name: impl Into<String>, cloud: ccpm::Cloud) -> Self {
        PluginRef::Named {
            display_name: display_name.into(),
            cloud,
            description: None,
        }
    }

    /// Sets the description a [`PluginRef::Named`] plugin gets if it is created; no effect
    /// on [`PluginRef::Id`].
    pub fn with_description(self, text: impl Into<String>) -> Self {
        match self {
            PluginRef::Named {
                display_name,
                cloud,
                ..
            } => PluginRef::Named {
                display_name,
                cloud,
                description: Some(text.into()),
            },
            other => other,
        }
    }
}

/// A ccpm plugin version to publish with [`Environment::publish_version`].
#[derive(Clone, Debug)]
pub struct NewPluginVersion {
    plugin: PluginRef,
    version: String,
    connector_classes: Vec<ccpm::ConnectorClass>,
    sensitive_config_properties: Vec<String>,
    documentation_link: Option<String>,
    wait: Option<WaitOptions>,
}

impl NewPluginVersion {
    /// Version `version` of `plugin`. At least one
    /// [`connector_class`](Self::connector_class) is required.
    ///
    /// The version must be a [SemVer 2.0](https://semver.org) version of at most 60
    /// characters, as the API requires: `MAJOR.MINOR.PATCH` in decimal without leading
    /// zeros, optionally a pre-release (`-rc.1`) and build metadata (`+build.456`), each made
    /// of dot-separated identifiers of ASCII letters, digits and `-`. `1.2.3`, `1.2.3-beta`
    /// and `1.2.3-rc.123+build.456` are accepted; `v1.2.3`, `1.2`, `01.2.3` and `1.2.3-`
    /// are refused by the publish call with [`Error::Validation`] before anything is sent.
    pub fn new(plugin: PluginRef, version: impl Into<String>) -> Self {
        NewPluginVersion {
            plugin,
            version: version.into(),
            connector_classes: Vec::new(),
            sensitive_config_properties: Vec::new(),
            documentation_link: None,
            wait: None,
        }
    }

    /// Adds a connector class the archive provides.
    pub fn connector_class(
        mut self,
        class_name: impl Into<String>,
        kind: ccpm::ConnectorClassType,
    ) -> Self {
        self.connector_classes.push(ccpm::ConnectorClass {
            class_name: class_name.into(),
            type_: kind,
        });
        self
    }

    /// Connector config keys whose values are masked once entered.
    pub fn sensitive_config_properties(
        mut self,
        keys: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.sensitive_config_properties = keys.into_iter().map(Into::into).collect();
        self
    }

    /// An http(s) link to the plugin's documentation.
    pub fn documentation_link(mut self, url: impl Into<String>) -> Self {
        self.documentation_link = Some(url.into());
        self
    }

    /// After creating the version, reads it per `options` until it is `READY` (see
    /// [`VersionHandle::wait_until_ready`]). Without it, the version is returned as the
    /// create answered (`PROCESSING`).
    pub fn wait_until_ready(mut self, options: WaitOptions) -> Self {
        self.wait = Some(options);
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        check_version(&self.version)?;
        match &self.plugin {
            PluginRef::Id(id) => crate::http::validate::path_param("plugin_id", id)?,
            PluginRef::Named { display_name, .. } => query_param("display_name", display_name)?,
        }
        if self.connector_classes.is_empty() {
            return Err(Error::validation(
                "connector_classes",
                "",
                "at least one connector class is required",
            ));
        }
        for class in &self.connector_classes {
            query_param("connector_classes.class_name", &class.class_name)?;
        }
        if let Some(wait) = &self.wait {
            wait.check()?;
        }
        Ok(())
    }

    pub(crate) fn plugin(&self) -> &PluginRef {
        &self.plugin
    }

    pub(crate) fn wait(&self) -> Option<WaitOptions> {
        self.wait
    }

    /// The create body, in `environment`, for the archive uploaded as `upload_id`.
    pub(crate) fn to_body(&self, environment: &str, upload_id: &str) -> ccpm::PluginVersion {
        ccpm::PluginVersion {
            api_version: None,
            id: None,
            kind: None,
            metadata: None,
            spec: ccpm::PluginVersionSpec {
                connector_classes: self.connector_classes.clone(),
                content_format: None,
                documentation_link: self.documentation_link.clone(),
                environment: ccpm::EnvScopedObjectReference::new(environment),
                sensitive_config_properties: self.sensitive_config_properties.clone(),
                upload_source: ccpm::UploadSourcePresignedUrl {
                    location: ccpm::UploadSourceLocation::PresignedUrlLocation,
                    upload_id: upload_id.to_owned(),
                },
                version: self.version.clone(),
            },
            status: None,
        }
    }
}

/// The result of [`Environment::publish_version`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PublishedPluginVersion {
    /// The plugin the version belongs to.
    pub plugin: ccpm::Plugin,
    /// Whether the plugin was created by this call.
    pub plugin_created: bool,
    /// The version: as created, or as last read when waiting for `READY`.
    pub version: ccpm::PluginVersion,
    /// The storage upload.
    pub upload: UploadReceipt,
}

/// The longest version string the API accepts (`CustomConnectPluginVersionSpec.version`).
const MAX_VERSION_LEN: usize = 60;

/// Refuses a plugin version the API would refuse: not SemVer 2.0, or too long.
fn check_version(version: &str) -> Result<()> {
    query_param("version", version)?;
    let refuse = |why: String| {
        Err(Error::validation(
            "version",
            version,
            format!(
                "{why}; a plugin version must be SemVer (MAJOR.MINOR.PATCH, e.g. 1.2.3, \
                 1.2.3-rc.1 or 1.2.3+build.4)"
            ),
        ))
    };
    if version.len() > MAX_VERSION_LEN {
        return refuse(format!(
            "is {} characters long, more than the API's {MAX_VERSION_LEN}",
            version.len()
        ));
    }
    let (rest, build) = match version.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (version, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    if numbers.len() != 3 {
        return refuse(format!(
            "{core:?} has {} dot-separated numbers, not 3",
            numbers.len()
        ));
    }
    for n in &numbers {
        if !numeric_identifier(n) {
            return refuse(format!("{n:?} is not a number without leading zeros"));
        }
    }
    for (part, text, numeric_rule) in [("pre-release", pre, true), ("build metadata", build, false)]
    {
        let Some(text) = text else { continue };
        for id in text.split('.') {
            let alphanumeric =
                !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !alphanumeric {
                return refuse(format!(
                    "the {part} {text:?} has an empty identifier or a character other than \
                     ASCII letters, digits, `-` and `.`"
                ));
            }
            if numeric_rule && id.bytes().all(|b| b.is_ascii_digit()) && !numeric_identifier(id) {
                return refuse(format!(
                    "the {part} identifier {id:?} is a number with a leading zero"
                ));
            }
        }
    }
    Ok(())
}

/// A SemVer numeric identifier: decimal digits, no leading zero unless it is `0`.
fn numeric_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::check_version;

    #[test]
    fn versions_follow_semver_and_the_length_limit() {
        for good in [
            "0.0.0",
            "1.2.3",
            "10.20.30",
            "1.2.3-beta",
            "1.2.3-rc.123",
            "1.2.3-rc.123+build.456",
            "1.0.0-alpha-1",
            "1.0.0+001",
            "1.0.0-0.3.7",
            &format!("1.0.0-{}", "a".repeat(54)),
        ] {
            assert!(check_version(good).is_ok(), "{good} refused");
        }
        for (bad, reason) in [
            ("", "must not be empty"),
            ("v1.2.3", "\"v1\" is not a number"),
            ("1.2", "has 2 dot-separated numbers"),
            ("1.2.3.4", "has 4"),
            ("01.2.3", "leading zeros"),
            ("1.2.3-", "empty identifier"),
            ("1.2.3-rc..1", "empty identifier"),
            ("1.2.3-01", "leading zero"),
            ("1.2.3+", "empty identifier"),
            ("1.2.3+b_1", "character other than"),
            ("1.2.3 ", "\"3 \" is not a number"),
            ("1.2.3-é", "character other than"),
        ] {
            let err = check_version(bad).unwrap_err().to_string();
            assert!(err.contains(reason), "{bad:?}: {err}");
            assert!(err.contains("version"), "{bad:?}: {err}");
        }
        let long = format!("1.0.0-{}", "a".repeat(55));
        let err = check_version(&long).unwrap_err().to_string();
        assert!(
            err.contains("61 characters long, more than the API's 60"),
            "{err}"
        );
    }
}
