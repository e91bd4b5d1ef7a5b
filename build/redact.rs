//! Types whose `Debug` is written by hand because they hold secrets.

/// Drops the derived `Debug` of `name`, when this spec has it: `src/connect/spec.rs` writes one
/// that masks the values of secret-looking keys.
pub(crate) fn drop_derived_debug(items: &mut [syn::Item], name: &str) -> Result<(), String> {
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
