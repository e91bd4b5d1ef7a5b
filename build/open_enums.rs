//! Rust enums with a catch-all variant, so values the API adds later still decode.

use std::collections::BTreeMap;

use quote::{format_ident, quote};

use crate::collect::EnumSchema;

/// One open enum, with its conversions and serde impls, per named string enum; with
/// `json_schema`, its `schemars::JsonSchema` impl too.
pub(crate) fn items(
    enums: &BTreeMap<String, EnumSchema>,
    json_schema: bool,
) -> Result<Vec<syn::Item>, String> {
    let mut items = Vec::new();
    for (name, schema) in enums {
        let mut tokens = open_enum(name, schema)?;
        if json_schema {
            tokens.extend(schema_impl(name, schema)?);
        }
        let file: syn::File = syn::parse2(tokens).map_err(|e| format!("open enum {name}: {e}"))?;
        items.extend(file.items);
    }
    Ok(items)
}

/// `anyOf` the known values and any string: a validator accepts what decoding accepts (a
/// value the API adds later), while an editor still offers the known values.
fn schema_impl(name: &str, schema: &EnumSchema) -> Result<proc_macro2::TokenStream, String> {
    let ident = crate::ident(name).map_err(|e| format!("enum {name}: {e}"))?;
    let values = &schema.values;
    let description = (!schema.description.is_empty()).then_some(&schema.description);
    let description = match description {
        Some(d) => quote!(::std::option::Option::Some(#d.to_owned())),
        None => quote!(::std::option::Option::None),
    };
    let known = "A value known when this schema was generated.";
    let later = "A value the API added later: the client accepts it too.";
    Ok(quote! {
        impl ::schemars::JsonSchema for #ident {
            fn schema_name() -> ::std::string::String {
                #name.to_owned()
            }

            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::std::concat!(::std::module_path!(), "::", #name))
            }

            fn json_schema(
                _: &mut ::schemars::r#gen::SchemaGenerator,
            ) -> ::schemars::schema::Schema {
                use ::schemars::schema::{InstanceType, Metadata, SchemaObject, SubschemaValidation};
                let string = |description: &str| SchemaObject {
                    metadata: ::std::option::Option::Some(::std::boxed::Box::new(Metadata {
                        description: ::std::option::Option::Some(description.to_owned()),
                        ..::std::default::Default::default()
                    })),
                    instance_type: ::std::option::Option::Some(InstanceType::String.into()),
                    ..::std::default::Default::default()
                };
                let known = SchemaObject {
                    enum_values: ::std::option::Option::Some(::std::vec![
                        #(::serde_json::Value::from(#values)),*
                    ]),
                    ..string(#known)
                };
                SchemaObject {
                    metadata: ::std::option::Option::Some(::std::boxed::Box::new(Metadata {
                        description: #description,
                        ..::std::default::Default::default()
                    })),
                    instance_type: ::std::option::Option::Some(InstanceType::String.into()),
                    subschemas: ::std::option::Option::Some(::std::boxed::Box::new(
                        SubschemaValidation {
                            any_of: ::std::option::Option::Some(::std::vec![
                                known.into(),
                                string(#later).into(),
                            ]),
                            ..::std::default::Default::default()
                        },
                    )),
                    ..::std::default::Default::default()
                }
                .into()
            }
        }
    })
}

fn open_enum(name: &str, schema: &EnumSchema) -> Result<proc_macro2::TokenStream, String> {
    let ident = crate::ident(name).map_err(|e| format!("enum {name}: {e}"))?;
    let description = if schema.description.is_empty() {
        format!("Values of `{name}` in the API.")
    } else {
        schema.description.clone()
    };
    let never_fails = format!(
        " Decoding never fails: a value this crate does not know yet becomes [`{name}::Unknown`]."
    );
    let values = &schema.values;
    let variants: Vec<syn::Ident> = values.iter().map(|v| variant_name(v)).collect();
    // Two values with one name, or a value named like the catch-all, would not compile;
    // naming them here says which schema to fix.
    let mut seen = std::collections::BTreeSet::from(["Unknown".to_owned()]);
    for (variant, value) in variants.iter().zip(values) {
        if !seen.insert(variant.to_string()) {
            return Err(format!(
                "enum {name}: the value `{value}` makes a second variant named {variant}"
            ));
        }
    }
    let variant_docs = values.iter().map(|v| format!(" `{v}`"));
    Ok(quote! {
        #[doc = #description]
        ///
        #[doc = #never_fails]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #ident {
            #(
                #[doc = #variant_docs]
                #variants,
            )*
            /// A value not known to this version of the crate, kept as sent.
            Unknown(::std::string::String),
        }

        impl #ident {
            /// Every value this version of the crate knows, in the order of the spec.
            pub const KNOWN: &'static [&'static str] = &[#(#values),*];

            /// The value as it goes on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #values,)*
                    Self::Unknown(s) => s.as_str(),
                }
            }

            /// Whether the value is one this version of the crate does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for #ident {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => Self::#variants,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::str::FromStr for #ident {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value =
                    <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    })
}

/// `RUNNING` -> `Running`, `PRESIGNED_URL_LOCATION` -> `PresignedUrlLocation`, `sink` -> `Sink`.
///
/// Only ASCII letters and digits survive, and a leading digit gets a `V` before it, so the
/// result is always an identifier.
fn variant_name(value: &str) -> syn::Ident {
    let mut out = String::new();
    for word in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    format_ident!("{out}")
}
