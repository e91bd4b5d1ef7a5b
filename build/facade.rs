//! The `ConnectApi`/`CcpmApi` facade: one method per operation that checks its parameters
//! and returns the crate's own `Result`.
//!
//! Built from progenitor's own method signatures, so parameter and return types always match
//! the generated client.

use std::collections::BTreeMap;

use quote::{format_ident, quote};

use crate::Spec;
use crate::collect::Checks;

/// The facade struct and its impl, for the `Client` impl progenitor wrote into `file`.
pub(crate) fn items(
    spec: &Spec,
    file: &syn::File,
    checks: &BTreeMap<String, Checks>,
) -> Result<Vec<syn::Item>, String> {
    let mut methods = Vec::new();
    let mut operations = Vec::new();
    for f in client_methods(file) {
        let op = f.sig.ident.to_string();
        let op_checks = checks
            .get(&op)
            .ok_or(format!("{op}: not found in the spec's paths"))?;
        methods.push(method(spec, f, op_checks)?);
        operations.push(op);
    }

    let name = format_ident!("{}", spec.facade);
    let (api, accessor) = (spec.api, spec.accessor);
    let doc = [
        format!(
            " Every operation of the `{api}` API, authenticated, retried per the client's policy,"
        ),
        " returning the crate's [`Error`](crate::Error).".to_owned(),
        String::new(),
        format!(
            " Reach it with [`Client::{accessor}`](crate::Client::{accessor})`.raw()`. Path \
             parameters are checked"
        ),
        " before any request is sent: an empty value, `.` or `..`, or one with control characters"
            .to_owned(),
        " is refused with a validation error, and every other value travels as one".to_owned(),
        " percent-encoded path segment. A `page_size` outside 1 to 100 (the API's bounds) is \
         refused"
            .to_owned(),
        " the same way.".to_owned(),
    ];
    let code = quote! {
        #(#[doc = #doc])*
        #[derive(Clone, Debug)]
        pub struct #name {
            pub(crate) raw: Client,
        }

        impl #name {
            /// The operationIds of every operation of this API, in spec order.
            pub const OPERATIONS: &'static [&'static str] = &[#(#operations),*];

            /// The progenitor client underneath, for callers that need the raw
            /// `progenitor_client::ResponseValue` (status and headers of a successful answer).
            pub fn progenitor(&self) -> &Client {
                &self.raw
            }

            #(#methods)*
        }
    };
    let parsed: syn::File = syn::parse2(code).map_err(|e| format!("facade: {e}"))?;
    Ok(parsed.items)
}

/// The async methods of progenitor's inherent `impl Client`, one per operation.
fn client_methods(file: &syn::File) -> impl Iterator<Item = &syn::ImplItemFn> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(imp) if imp.trait_.is_none() => Some(imp),
            _ => None,
        })
        .filter(|imp| matches!(&*imp.self_ty, syn::Type::Path(tp) if tp.path.is_ident("Client")))
        .flat_map(|imp| &imp.items)
        .filter_map(|item| match item {
            syn::ImplItem::Fn(f) if f.sig.asyncness.is_some() => Some(f),
            _ => None,
        })
}

/// The facade method of one operation: its checks, then the raw call with errors converted.
fn method(
    spec: &Spec,
    f: &syn::ImplItemFn,
    checks: &Checks,
) -> Result<proc_macro2::TokenStream, String> {
    let op = &f.sig.ident;
    let op_name = op.to_string();
    let ok = success_type(&f.sig.output)
        .ok_or(format!("{op}: unexpected return type from progenitor"))?;
    let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let generics = &f.sig.generics;
    let where_clause = &f.sig.generics.where_clause;
    let inputs = &f.sig.inputs;
    let args = inputs.iter().filter_map(|arg| match arg {
        syn::FnArg::Typed(pt) => Some(&pt.pat),
        syn::FnArg::Receiver(_) => None,
    });
    let path = checks
        .path
        .iter()
        .map(|p| {
            let var = crate::ident(p).map_err(|e| format!("{op}: path parameter {e}"))?;
            Ok(quote!(crate::http::validate::path_param(#p, #var)?;))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let query = checks
        .required_query
        .iter()
        .map(|(wire, q)| {
            let var = crate::ident(q).map_err(|e| format!("{op}: query parameter {e}"))?;
            Ok(quote!(crate::http::validate::query_param(#wire, #var)?;))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let ids = checks
        .ids
        .iter()
        .map(|(p, kind)| {
            let var = crate::ident(p).map_err(|e| format!("{op}: id parameter {e}"))?;
            let kind = format_ident!("{kind}");
            Ok(quote!(crate::http::ids::check(#p, crate::http::ids::IdKind::#kind, #var)?;))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let page_size = checks
        .page_size
        .then(|| quote!(crate::http::validate::page_size(page_size)?;));
    let api = spec.api;
    Ok(quote! {
        #(#docs)*
        pub async fn #op #generics(#inputs) -> crate::Result<#ok> #where_clause {
            #(#path)*
            #(#query)*
            #(#ids)*
            #page_size
            crate::error::from_generated(
                #api,
                #op_name,
                self.raw.#op(#(#args),*).await,
            )
            .await
        }
    })
}

/// `Result<ResponseValue<T>, Error<E>>` -> `T`.
fn success_type(output: &syn::ReturnType) -> Option<&syn::Type> {
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
    Some(t)
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
