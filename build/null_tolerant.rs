//! Lets `null` decode as empty for every optional array and map.
//!
//! typify gives such fields `#[serde(default)]` and a non-`Option` type, which refuses
//! `null`; servers written in Go send a nil slice or map as `null`, and Kafka Connect uses
//! `"offset": null`.

/// Adds `deserialize_with = "null_as_default"` to every defaulted, non-`Option` field of the
/// structs in `items`, and the function itself when one needed it.
pub(crate) fn apply(items: &mut Vec<syn::Item>) {
    let mut touched = false;
    for item in items.iter_mut() {
        let syn::Item::Struct(s) = item else { continue };
        let syn::Fields::Named(fields) = &mut s.fields else {
            continue;
        };
        for field in &mut fields.named {
            if serde_default(field) && !is_option(&field.ty) {
                field
                    .attrs
                    .push(syn::parse_quote!(#[serde(deserialize_with = "null_as_default")]));
                touched = true;
            }
        }
    }
    if touched {
        items.push(syn::parse_quote! {
            /// Decodes `null` as the type's default (see `build/null_tolerant.rs`).
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

/// Whether a `#[serde(...)]` attribute of the field says `default`.
fn serde_default(field: &syn::Field) -> bool {
    let mut defaulted = false;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        // A parse error only means an argument shape this walk does not know; the
        // arguments before it were seen.
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
    defaulted
}

fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(tp)
        if tp.path.segments.last().is_some_and(|seg| seg.ident == "Option"))
}
