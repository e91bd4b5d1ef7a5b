//! Generates the raw clients from the hand-maintained specs in `openapi/`.
//!
//! For each spec this writes one file into `OUT_DIR` holding: progenitor's client and types,
//! forward-compatible enums for every named string enum, a facade that converts errors and
//! validates path parameters, and progenitor's typed httpmock helpers (compiled only under
//! the `mock` feature). See `openapi/README.md` for why each transformation exists.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_norway::Value;

/// One spec and the names its generated module uses.
struct Spec {
    file: &'static str,
    out: &'static str,
    /// Path of the module that includes the generated file.
    module: &'static str,
    /// Name of the generated facade struct.
    facade: &'static str,
    /// Short API name used in error messages (`connect/v1`).
    api: &'static str,
}

const SPECS: &[Spec] = &[
    Spec {
        file: "openapi/connect-v1.yaml",
        out: "connect_v1.rs",
        module: "crate::generated::connect",
        facade: "ConnectApi",
        api: "connect/v1",
    },
    Spec {
        file: "openapi/ccpm-v1.yaml",
        out: "ccpm_v1.rs",
        module: "crate::generated::ccpm",
        facade: "CcpmApi",
        api: "ccpm/v1",
    },
];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    // Only the specs drive generation; without this line any change under src/ would rerun it.
    println!("cargo:rerun-if-changed=build.rs");
    for spec in SPECS {
        let path = manifest.join(spec.file);
        println!("cargo:rerun-if-changed={}", path.display());
        let code = generate(spec, &path).unwrap_or_else(|e| panic!("{}: {e}", spec.file));
        std::fs::write(out_dir.join(spec.out), code).expect("write generated code");
    }
}

fn generate(spec: &Spec, path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut doc: Value = serde_norway::from_str(&text).map_err(|e| e.to_string())?;

    let enums = collect_enums(&doc)?;
    let checks = collect_checks(&doc)?;
    strip_error_responses(&mut doc);

    let openapi: openapiv3::OpenAPI =
        serde_norway::from_value(doc).map_err(|e| format!("not OpenAPI 3.0: {e}"))?;

    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(quote_path("crate::http::transport::Inner"))
        .with_hooks(progenitor::HooksMode::Expected)
        .with_map_type("::std::collections::BTreeMap");
    // `upload_form_data` keeps the server's field order (S3 reads the form in order) and
    // takes any scalar as its text: one hand-written type for both APIs (src/upload.rs).
    settings.with_replacement(
        "UploadFormData",
        "crate::upload::UploadFormData",
        std::iter::empty(),
    );
    for name in enums.keys() {
        settings.with_replacement(
            name,
            format!("{}::types::{name}", spec.module),
            [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr].into_iter(),
        );
    }

    let mut generator = progenitor::Generator::new(&settings);
    let client = generator
        .generate_tokens(&openapi)
        .map_err(|e| format!("progenitor: {e}"))?;
    let mut file: syn::File = syn::parse2(client).map_err(|e| e.to_string())?;

    let enum_items: syn::File =
        syn::parse_str(&open_enums(&enums)).map_err(|e| format!("open enums: {e}"))?;
    let types_mod = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
            _ => None,
        })
        .ok_or("progenitor output has no `types` module")?;
    types_mod.1.extend(enum_items.items);
    tolerate_null_collections(&mut types_mod.1);
    redact_debug(&mut types_mod.1, "ConnectorConfig")?;

    let facade = facade(spec, &file, &checks)?;
    let mocks = progenitor::Generator::new(&settings)
        .httpmock(&openapi, spec.module)
        .map_err(|e| format!("progenitor httpmock: {e}"))?;
    let mocks: syn::File = syn::parse2(mocks).map_err(|e| e.to_string())?;

    let mut out = prettyplease::unparse(&file);
    out.push_str("\n// ---- facade ----\n");
    out.push_str(&facade);
    out.push_str("\n// ---- typed httpmock helpers ----\n");
    out.push_str("/// Typed [`httpmock`] helpers, one per operation of this API.\n");
    out.push_str("#[cfg(feature = \"mock\")]\npub mod mock {\n");
    out.push_str(&prettyplease::unparse(&mocks));
    out.push_str("}\n");
    Ok(out)
}

/// Lets `null` decode as empty for every optional array and map. typify gives such fields
/// `#[serde(default)]` and a non-`Option` type, which refuses `null`; servers written in Go
/// send a nil slice or map as `null`, and Kafka Connect uses `"offset": null`.
fn tolerate_null_collections(items: &mut Vec<syn::Item>) {
    let mut touched = false;
    for item in items.iter_mut() {
        let syn::Item::Struct(s) = item else { continue };
        let syn::Fields::Named(fields) = &mut s.fields else {
            continue;
        };
        for field in &mut fields.named {
            let mut defaulted = false;
            for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("default") {
                        defaulted = true;
                    }
                    if meta.input.peek(syn::Token![=]) {
                        let _: syn::Expr = meta.value()?.parse()?;
                    }
                    Ok(())
                });
            }
            let optional = matches!(&field.ty, syn::Type::Path(tp)
                if tp.path.segments.last().is_some_and(|seg| seg.ident == "Option"));
            if defaulted && !optional {
                field
                    .attrs
                    .push(syn::parse_quote!(#[serde(deserialize_with = "null_as_default")]));
                touched = true;
            }
        }
    }
    if touched {
        items.push(syn::parse_quote! {
            /// Decodes `null` as the type's default (see `build.rs`).
            fn null_as_default<'de, D, T>(deserializer: D) -> ::std::result::Result<T, D::Error>
            where
                D: ::serde::Deserializer<'de>,
                T: ::std::default::Default + ::serde::Deserialize<'de>,
            {
                Ok(<::std::option::Option<T> as ::serde::Deserialize>::deserialize(deserializer)?
                    .unwrap_or_default())
            }
        });
    }
}

/// Drops the derived `Debug` of `name`, when this spec has it: the type holds secrets and its
/// `Debug` is written by hand (src/config.rs) to mask them.
fn redact_debug(items: &mut [syn::Item], name: &str) -> Result<(), String> {
    let Some(item) = items.iter_mut().find_map(|item| match item {
        syn::Item::Struct(s) if s.ident == name => Some(s),
        _ => None,
    }) else {
        return Ok(());
    };
    for attr in item
        .attrs
        .iter_mut()
        .filter(|a| a.path().is_ident("derive"))
    {
        let derived = attr
            .parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .map_err(|e| format!("{name}: {e}"))?;
        let kept = derived.into_iter().filter(|p| !p.is_ident("Debug"));
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
    Ok(())
}

fn quote_path(path: &str) -> proc_macro2::TokenStream {
    path.parse().expect("valid path")
}

/// Every named component schema that is a string enum: name -> (values, description).
fn collect_enums(doc: &Value) -> Result<BTreeMap<String, (Vec<String>, String)>, String> {
    let mut enums = BTreeMap::new();
    let Some(schemas) = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
    else {
        return Ok(enums);
    };
    for (name, schema) in schemas {
        let name = name.as_str().ok_or("schema name is not a string")?;
        let Some(values) = schema.get("enum").and_then(Value::as_sequence) else {
            continue;
        };
        let values = values
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or(format!("enum {name}: only string values are supported"))?;
        let description = schema
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        enums.insert(name.to_owned(), (values, description));
    }
    // An inline enum would become a closed Rust enum that fails on values added later.
    check_no_inline_enum(doc.get("paths"), "paths")?;
    for (name, schema) in schemas {
        let at = name.as_str().unwrap_or("?");
        check_no_inline_enum(schema.get("properties"), at)?;
        check_no_inline_enum(schema.get("items"), at)?;
    }
    Ok(enums)
}

fn check_no_inline_enum(value: Option<&Value>, at: &str) -> Result<(), String> {
    match value {
        Some(Value::Mapping(map)) => {
            if map.contains_key("enum") {
                return Err(format!(
                    "inline enum under {at}: move it to a named component schema"
                ));
            }
            for (k, v) in map {
                check_no_inline_enum(Some(v), &format!("{at}.{}", k.as_str().unwrap_or("?")))?;
            }
            Ok(())
        }
        Some(Value::Sequence(seq)) => seq
            .iter()
            .try_for_each(|v| check_no_inline_enum(Some(v), at)),
        _ => Ok(()),
    }
}

/// The parameters of one operation that the facade checks before sending.
#[derive(Clone, Default)]
struct Checks {
    /// Path parameters, in path order.
    path: Vec<String>,
    /// Required string query parameters (an empty one would be sent as `name=`).
    required_query: Vec<String>,
    /// Whether the operation takes `page_size`, which the API bounds.
    page_size: bool,
}

/// operationId -> the parameters its facade method checks.
fn collect_checks(doc: &Value) -> Result<BTreeMap<String, Checks>, String> {
    let mut out = BTreeMap::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_mapping)
        .ok_or("spec has no paths")?;
    let shared = doc.get("components").and_then(|c| c.get("parameters"));
    let resolve = |p: &Value| -> Option<Value> {
        match p.get("$ref").and_then(Value::as_str) {
            Some(r) => shared?
                .get(r.strip_prefix("#/components/parameters/")?)
                .cloned(),
            None => Some(p.clone()),
        }
    };
    for (path, item) in paths {
        let path = path.as_str().ok_or("path is not a string")?;
        let names: Vec<String> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split('}').next())
            .map(str::to_owned)
            .collect();
        let Some(item) = item.as_mapping() else {
            continue;
        };
        let path_level = item
            .get("parameters")
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default();
        for (method, op) in item {
            if !matches!(
                method.as_str(),
                Some("get" | "put" | "post" | "delete" | "patch")
            ) {
                continue;
            }
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or(format!("{path}: operation without operationId"))?;
            let op_level = op
                .get("parameters")
                .and_then(Value::as_sequence)
                .cloned()
                .unwrap_or_default();
            let mut required_query = Vec::new();
            let mut page_size = false;
            for p in path_level.iter().chain(&op_level) {
                let p = resolve(p).ok_or(format!("{id}: unresolved parameter reference"))?;
                let is = |k: &str, v: &str| p.get(k).and_then(Value::as_str) == Some(v);
                let required = p.get("required").and_then(Value::as_bool) == Some(true);
                let string = p
                    .get("schema")
                    .and_then(|s| s.get("type"))
                    .and_then(Value::as_str)
                    == Some("string");
                page_size |= is("in", "query") && is("name", "page_size");
                if is("in", "query") && required && string {
                    let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                    required_query.push(rust_ident(name));
                }
            }
            let checks = Checks {
                path: names.clone(),
                required_query,
                page_size,
            };
            out.insert(id.to_owned(), checks);
        }
    }
    Ok(out)
}

/// The Rust name progenitor gives a parameter (`spec.cloud` -> `spec_cloud`).
fn rust_ident(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Drops every non-2xx response before generation.
///
/// The specs declare their error responses for documentation and contract tests, but the
/// hand-written layer parses error bodies itself: it must keep the status and headers of a
/// 502 whose body is HTML, and read every error shape the API family sends. Left in, a body
/// that is not JSON would surface from progenitor without its status.
fn strip_error_responses(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_mapping_mut) else {
        return;
    };
    for (_, item) in paths.iter_mut() {
        let Some(item) = item.as_mapping_mut() else {
            continue;
        };
        for (_, op) in item.iter_mut() {
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_mapping_mut) {
                responses.retain(|code, _| {
                    let code = match code {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => return true,
                    };
                    code.starts_with('2')
                });
            }
        }
    }
}

/// Rust enums with a catch-all variant, so values the API adds later still decode.
fn open_enums(enums: &BTreeMap<String, (Vec<String>, String)>) -> String {
    let mut s = String::new();
    for (name, (values, description)) in enums {
        let variants: Vec<(String, &String)> =
            values.iter().map(|v| (variant_name(v), v)).collect();
        let doc = if description.is_empty() {
            format!("Values of `{name}` in the API.")
        } else {
            description.replace('"', "\\\"")
        };
        let _ = writeln!(
            s,
            "#[doc = \"{doc}\"]\n///\n/// Decoding never fails: a value this crate does not know yet becomes \
             [`{name}::Unknown`].\n#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
             #[non_exhaustive]\npub enum {name} {{"
        );
        for (variant, value) in &variants {
            let _ = writeln!(s, "    /// `{value}`\n    {variant},");
        }
        let _ = writeln!(
            s,
            "    /// A value not known to this version of the crate, kept as sent.\n    Unknown(::std::string::String),\n}}"
        );
        let arms_to: String = variants
            .iter()
            .map(|(v, value)| format!("Self::{v} => \"{value}\",\n"))
            .collect();
        let arms_from: String = variants
            .iter()
            .map(|(v, value)| format!("\"{value}\" => Self::{v},\n"))
            .collect();
        let known: String = values.iter().map(|v| format!("\"{v}\", ")).collect();
        let _ = writeln!(
            s,
            r#"impl {name} {{
    /// Every value this version of the crate knows, in the order of the spec.
    pub const KNOWN: &'static [&'static str] = &[{known}];
    /// The value as it goes on the wire.
    pub fn as_str(&self) -> &str {{
        match self {{
            {arms_to}
            Self::Unknown(s) => s.as_str(),
        }}
    }}
    /// Whether the value is one this version of the crate does not know.
    pub fn is_unknown(&self) -> bool {{
        matches!(self, Self::Unknown(_))
    }}
}}
impl ::std::convert::From<&str> for {name} {{
    fn from(value: &str) -> Self {{
        match value {{
            {arms_from}
            other => Self::Unknown(other.to_owned()),
        }}
    }}
}}
impl ::std::str::FromStr for {name} {{
    type Err = ::std::convert::Infallible;
    fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {{
        Ok(Self::from(value))
    }}
}}
impl ::std::fmt::Display for {name} {{
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{
        f.write_str(self.as_str())
    }}
}}
impl ::serde::Serialize for {name} {{
    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {{
        serializer.serialize_str(self.as_str())
    }}
}}
impl<'de> ::serde::Deserialize<'de> for {name} {{
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {{
        let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
        Ok(Self::from(value.as_ref()))
    }}
}}"#
        );
    }
    s
}

/// `RUNNING` -> `Running`, `PRESIGNED_URL_LOCATION` -> `PresignedUrlLocation`, `sink` -> `Sink`.
fn variant_name(value: &str) -> String {
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
    out
}

/// A struct with one method per operation that returns the crate's own `Result`.
///
/// Built from progenitor's own method signatures, so parameter and return types always match
/// the generated client.
fn facade(
    spec: &Spec,
    file: &syn::File,
    checks: &BTreeMap<String, Checks>,
) -> Result<String, String> {
    let name = spec.facade;
    let api = spec.api;
    let mut methods = String::new();
    let mut ops = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let syn::Type::Path(tp) = &*imp.self_ty else {
            continue;
        };
        if !tp.path.is_ident("Client") {
            continue;
        }
        for item in &imp.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            if f.sig.asyncness.is_none() {
                continue;
            }
            let op = f.sig.ident.to_string();
            let ok = success_type(&f.sig.output)
                .ok_or(format!("{op}: unexpected return type from progenitor"))?;
            let docs: String = f
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .map(|a| format!("{}\n", quote_tokens(a)))
                .collect();
            let generics = quote_tokens(&f.sig.generics);
            let inputs: Vec<String> = f.sig.inputs.iter().map(quote_tokens).collect();
            let args: Vec<String> = f
                .sig
                .inputs
                .iter()
                .filter_map(|arg| match arg {
                    syn::FnArg::Typed(pt) => Some(quote_tokens(&pt.pat)),
                    syn::FnArg::Receiver(_) => None,
                })
                .collect();
            let op_checks = checks
                .get(&op)
                .ok_or(format!("{op}: not found in the spec's paths"))?;
            let checks: String = op_checks
                .path
                .iter()
                .map(|p| format!("crate::http::validate::path_param(\"{p}\", {p})?;\n"))
                .chain(
                    op_checks
                        .required_query
                        .iter()
                        .map(|q| format!("crate::http::validate::query_param(\"{q}\", {q})?;\n")),
                )
                .chain(
                    op_checks
                        .page_size
                        .then(|| "crate::http::validate::page_size(page_size)?;\n".to_owned()),
                )
                .collect();
            let _ = writeln!(
                methods,
                "{docs}pub async fn {op}{generics}({inputs}) -> crate::Result<{ok}> {{\n\
                 {checks}\
                 crate::error::from_generated(&self.raw.inner().credentials, \"{api}\", \"{op}\", self.raw.{op}({args}).await).await\n}}",
                inputs = inputs.join(", "),
                args = args.join(", "),
            );
            ops.push(op);
        }
    }
    let op_list: String = ops.iter().map(|o| format!("\"{o}\", ")).collect();
    let code = format!(
        r#"/// Every operation of the `{api}` API, authenticated, retried per the client's policy,
/// returning the crate's [`Error`](crate::Error).
///
/// Reach it with [`Client::{accessor}`](crate::Client::{accessor})`.raw()`. Path parameters are checked
/// before any request is sent: an empty value, `.` or `..`, or one with control characters
/// is refused with a validation error, and every other value travels as one
/// percent-encoded path segment. A `page_size` outside 1 to 100 (the API's bounds) is refused
/// the same way.
#[derive(Clone, Debug)]
pub struct {name} {{
    pub(crate) raw: Client,
}}

impl {name} {{
    /// The operationIds of every operation of this API, in spec order.
    pub const OPERATIONS: &'static [&'static str] = &[{op_list}];

    /// The progenitor client underneath, for callers that need the raw
    /// `progenitor_client::ResponseValue` (status and headers of a successful answer).
    pub fn progenitor(&self) -> &Client {{
        &self.raw
    }}

    {methods}
}}
"#,
        accessor = if name == "ConnectApi" {
            "connect"
        } else {
            "ccpm"
        },
    );
    let parsed: syn::File = syn::parse_str(&code).map_err(|e| format!("facade: {e}"))?;
    Ok(prettyplease::unparse(&parsed))
}

fn quote_tokens<T: quote::ToTokens>(t: &T) -> String {
    t.to_token_stream().to_string()
}

/// `Result<ResponseValue<T>, Error<E>>` -> `T`.
fn success_type(output: &syn::ReturnType) -> Option<String> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let result = last_segment_args(ty, "Result")?;
    let syn::GenericArgument::Type(rv) = result.first()? else {
        return None;
    };
    let inner = last_segment_args(rv, "ResponseValue")?;
    let syn::GenericArgument::Type(t) = inner.first()? else {
        return None;
    };
    Some(quote_tokens(t))
}

fn last_segment_args<'a>(
    ty: &'a syn::Type,
    ident: &str,
) -> Option<&'a syn::punctuated::Punctuated<syn::GenericArgument, syn::token::Comma>> {
    let syn::Type::Path(tp) = ty else { return None };
    let seg = tp.path.segments.last()?;
    if seg.ident != ident {
        return None;
    }
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => Some(&a.args),
        _ => None,
    }
}
