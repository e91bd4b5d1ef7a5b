//! Generates the raw clients from the hand-maintained specs in `openapi/`.
//!
//! For each spec this writes one file into `OUT_DIR` holding: progenitor's client and types,
//! forward-compatible enums for every named string enum, a facade that converts errors and
//! validates parameters, and progenitor's typed httpmock helpers (compiled only under the
//! `mock` feature). See `openapi/README.md` for why each transformation exists.
//!
//! Every piece of Rust written here is built as tokens (`quote!`), never as text: a spec's
//! descriptions and values reach the output as string literals, so a quote, backslash or
//! brace in them cannot change the code around them.

mod collect;
mod facade;
mod mocks;
mod null_tolerant;
mod open_enums;
mod redact;
mod settings;
mod spec;

use std::path::{Path, PathBuf};

/// One spec and the names its generated module uses.
pub(crate) struct Spec {
    file: &'static str,
    out: &'static str,
    /// Path of the module that includes the generated file.
    pub(crate) module: &'static str,
    /// Name of the generated facade struct.
    pub(crate) facade: &'static str,
    /// The `ccloud_connect::Client` method that hands out the facade.
    pub(crate) accessor: &'static str,
    /// Short API name used in error messages (`connect/v1`).
    pub(crate) api: &'static str,
}

const SPECS: &[Spec] = &[
    Spec {
        file: "openapi/connect-v1.yaml",
        out: "connect_v1.rs",
        module: "crate::generated::connect",
        facade: "ConnectApi",
        accessor: "connect",
        api: "connect/v1",
    },
    Spec {
        file: "openapi/ccpm-v1.yaml",
        out: "ccpm_v1.rs",
        module: "crate::generated::ccpm",
        facade: "CcpmApi",
        accessor: "ccpm",
        api: "ccpm/v1",
    },
    Spec {
        file: "openapi/cam-v1.yaml",
        out: "cam_v1.rs",
        module: "crate::generated::cam",
        facade: "CamApi",
        accessor: "cam",
        api: "cam/v1",
    },
];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    // Only the specs and this generator drive generation; without these lines any change
    // under src/ would rerun it.
    println!("cargo:rerun-if-changed=build");
    // No `rerun-if-env-changed` for it: Cargo does not track the variables it sets itself,
    // and a different feature set already builds this crate, and reruns this script, apart.
    let json_schema = std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some();
    for spec in SPECS {
        let path = manifest.join(spec.file);
        println!("cargo:rerun-if-changed={}", path.display());
        let code =
            generate(spec, &path, json_schema).unwrap_or_else(|e| panic!("{}: {e}", spec.file));
        std::fs::write(out_dir.join(spec.out), code).expect("write generated code");
    }
}

/// `json_schema`: the `schemars` feature is on, so every type also implements
/// `schemars::JsonSchema`.
fn generate(spec: &Spec, path: &Path, json_schema: bool) -> Result<String, String> {
    let mut doc = spec::load(path)?;
    let enums = collect::enums(&doc)?;
    let checks = collect::checks(&doc)?;
    spec::strip_error_responses(&mut doc);
    let openapi = spec::to_openapi(doc)?;

    let settings = settings::for_spec(spec, &enums, json_schema);
    let client = progenitor_impl::Generator::new(&settings)
        .generate_tokens(&openapi)
        .map_err(|e| format!("progenitor: {e}"))?;
    let mut file: syn::File = syn::parse2(client).map_err(|e| e.to_string())?;

    let types = types_module(&mut file)?;
    types.extend(open_enums::items(&enums, json_schema)?);
    null_tolerant::apply(types);
    redact::drop_derived_debug(types, "ConnectorConfig")?;

    let facade = facade::items(spec, &file, &checks)?;
    let mocks = mocks::module(spec, &settings, &openapi)?;
    file.items.extend(facade);
    file.items.push(mocks);
    Ok(prettyplease::unparse(&file))
}

/// The items of progenitor's `types` module, where the hand-made types join the generated.
fn types_module(file: &mut syn::File) -> Result<&mut Vec<syn::Item>, String> {
    file.items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| "progenitor output has no `types` module".to_owned())
}

/// `name` as an identifier; an error rather than a panic when it is not one (a keyword, a
/// character Rust does not allow), so the build names the spec item to fix.
fn ident(name: &str) -> Result<syn::Ident, String> {
    syn::parse_str(name).map_err(|_| format!("`{name}` is not a Rust identifier"))
}
