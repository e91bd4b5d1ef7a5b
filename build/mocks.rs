//! progenitor's typed httpmock helpers, in a `mock` module compiled only under the crate's
//! `mock` feature (httpmock is an optional dependency).

use quote::quote;

use crate::Spec;

pub(crate) fn module(
    spec: &Spec,
    settings: &progenitor_impl::GenerationSettings,
    openapi: &openapiv3::OpenAPI,
) -> Result<syn::Item, String> {
    let mocks = progenitor_impl::Generator::new(settings)
        .httpmock(openapi, spec.module)
        .map_err(|e| format!("progenitor httpmock: {e}"))?;
    syn::parse2(quote! {
        /// Typed [`httpmock`] helpers, one per operation of this API.
        #[cfg(feature = "mock")]
        pub mod mock {
            #mocks
        }
    })
    .map_err(|e| format!("progenitor httpmock: {e}"))
}
