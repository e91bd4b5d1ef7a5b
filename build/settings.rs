//! progenitor's settings: interface style, transport hooks, and the generated types that are
//! replaced by others.

use std::collections::BTreeMap;

use crate::Spec;
use crate::collect::EnumSchema;

pub(crate) fn for_spec(
    spec: &Spec,
    enums: &BTreeMap<String, EnumSchema>,
    json_schema: bool,
) -> progenitor_impl::GenerationSettings {
    let mut settings = progenitor_impl::GenerationSettings::default();
    settings
        .with_interface(progenitor_impl::InterfaceStyle::Positional)
        .with_tag(progenitor_impl::TagStyle::Merged)
        .with_inner_type(quote::quote!(crate::http::transport::Inner))
        .with_hooks(progenitor_impl::HooksMode::Expected)
        .with_map_type("::std::collections::BTreeMap");
    if json_schema {
        // typify puts it on every struct and enum it writes; the types it is told to leave
        // out (below) implement it by hand: `open_enums` and `src/upload/form_data.rs`.
        settings.with_derive("::schemars::JsonSchema");
    }
    // `upload_form_data` keeps the server's field order (S3 reads the form in order) and
    // takes any scalar as its text: one hand-written type for both APIs (src/upload/).
    settings.with_replacement(
        "UploadFormData",
        "crate::upload::UploadFormData",
        std::iter::empty(),
    );
    // typify would make closed enums of them; `open_enums` writes the replacements.
    for name in enums.keys() {
        settings.with_replacement(
            name,
            format!("{}::types::{name}", spec.module),
            [
                progenitor_impl::TypeImpl::Display,
                progenitor_impl::TypeImpl::FromStr,
            ]
            .into_iter(),
        );
    }
    settings
}
