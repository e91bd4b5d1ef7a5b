//! `upload_form_data`: the S3 form fields, in server order.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The `upload_form_data` of a presigned-URL answer: the form fields an S3 upload posts
/// before the file, **in the order the server sent them** (S3 reads the form in order, so a
/// map that sorts them would break the policy check), each value as text.
///
/// The published schemas allow any value while their prose says strings: a number or a
/// boolean is kept as its JSON text (`1`, `true`), so the typed operations and
/// [`PresignedUpload`](super::PresignedUpload) decode the same answers. An array, an object or `null` is refused.
///
/// `Debug` shows the field names only: the values hold the storage policy and signature.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UploadFormData(Vec<(String, String)>);

impl UploadFormData {
    /// The fields, in server order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.0
    }

    /// The value of the first field called `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no field (Azure and GCP answers).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<(String, String)>> for UploadFormData {
    fn from(fields: Vec<(String, String)>) -> Self {
        UploadFormData(fields)
    }
}

impl FromIterator<(String, String)> for UploadFormData {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(fields: I) -> Self {
        UploadFormData(fields.into_iter().collect())
    }
}

impl fmt::Debug for UploadFormData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, _)| (k, crate::http::REDACTED)))
            .finish()
    }
}

impl Serialize for UploadFormData {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for UploadFormData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = UploadFormData;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of form field names and string values")
            }
            // serde_json hands map entries over in document order; collecting them into a
            // Vec here, instead of a map, is what keeps the server's order.
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<UploadFormData, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
                while let Some((name, value)) = map.next_entry::<String, serde_json::Value>()? {
                    let value = match value {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Number(n) => n.to_string(),
                        serde_json::Value::Bool(b) => b.to_string(),
                        other => {
                            let kind = match other {
                                serde_json::Value::Null => "null",
                                serde_json::Value::Array(_) => "an array",
                                _ => "an object",
                            };
                            return Err(de::Error::custom(format!(
                                "upload_form_data.{name} must be a string, not {kind}"
                            )));
                        }
                    };
                    out.push((name, value));
                }
                Ok(UploadFormData(out))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

/// The schema of what is sent: an object of string values. It cannot say that the order of
/// the fields matters, so the description does.
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for UploadFormData {
    fn schema_name() -> String {
        "UploadFormData".to_owned()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(concat!(module_path!(), "::UploadFormData"))
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        use schemars::schema::{InstanceType, Metadata, ObjectValidation, SchemaObject};
        SchemaObject {
            metadata: Some(Box::new(Metadata {
                description: Some(
                    "The form fields of an S3 upload, to be posted in the order given.".to_owned(),
                ),
                ..Default::default()
            })),
            instance_type: Some(InstanceType::Object.into()),
            object: Some(Box::new(ObjectValidation {
                additional_properties: Some(Box::new(generator.subschema_for::<String>())),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use crate::Error;
    use crate::upload::PresignedUpload;

    #[test]
    fn form_data_keeps_document_order() {
        let body = br#"{"upload_url":"https://b.example/","upload_id":"u",
            "upload_form_data":{"z":"1","a":"2","m":"3","x-amz-signature":"s"}}"#;
        let p = PresignedUpload::from_json(body).unwrap();
        let names: Vec<_> = p.form_fields().iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(names, ["z", "a", "m", "x-amz-signature"]);
        assert_eq!(p.form_fields()[1].1, "2");
    }

    #[test]
    fn form_data_rejects_nested_values() {
        let body =
            br#"{"upload_url":"https://b/","upload_id":"u","upload_form_data":{"a":{"b":1}}}"#;
        let err = PresignedUpload::from_json(body).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err}");
        assert!(err.to_string().contains("upload_form_data.a"), "{err}");
    }
}

/// The generated types get `JsonSchema` from the build script, which has no tests of its own:
/// this checks both the derived schemas and the hand-written ones they refer to.
#[cfg(all(test, feature = "schemars"))]
mod json_schema {
    use serde_json::Value;

    use crate::connect::{ConnectorState, CreateConnectorRequest};

    fn schema<T: schemars::JsonSchema>() -> Value {
        serde_json::to_value(schemars::schema_for!(T)).unwrap()
    }

    #[test]
    fn create_request_has_name_and_config() {
        let schema = schema::<CreateConnectorRequest>();
        let properties = &schema["properties"];
        assert!(properties["name"].is_object(), "{schema:#}");
        assert!(properties["config"].is_object(), "{schema:#}");
    }

    #[test]
    fn open_enum_lists_known_values_and_accepts_others() {
        let schema = schema::<ConnectorState>();
        let [known, other] = schema["anyOf"].as_array().unwrap().as_slice() else {
            panic!("{schema:#}");
        };
        let values = known["enum"].as_array().unwrap();
        assert!(values.contains(&"RUNNING".into()), "{schema:#}");
        assert_eq!(other["type"], "string", "{schema:#}");
        assert!(other.get("enum").is_none(), "{schema:#}");
    }

    #[test]
    fn form_data_is_an_object_of_strings() {
        let schema = schema::<super::UploadFormData>();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"]["type"], "string");
    }
}
