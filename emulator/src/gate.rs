//! The edge every request crosses before its handler: the URI clean-up of shell-escaped
//! URLs, then faults, authentication and the response headers of every API answer.
//!
//! It sits above everything it applies (the store's fault queue and rate window, `auth`,
//! both error formats), and nothing below imports it.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::control::faults as control;
use crate::fault_answer;
use crate::http::auth;
use crate::http::errors::{Failure, Shape, too_many_requests};
use crate::http::ids::random_uuid;
use crate::state::faults::{Fault, FaultKind};
use crate::state::persist;
use crate::state::rate::RateCount;
use crate::state::store::App;

fn is_api(path: &str) -> bool {
    path.starts_with("/connect/") || path.starts_with("/ccpm/") || path.starts_with("/cam/")
}

/// The request body was not read, so the connection cannot be reused.
fn closing(mut answer: Response, has_body: bool) -> Response {
    if has_body {
        answer
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    answer
}

/// Faults, authentication, the rate limit and the response headers of every API answer,
/// then the state file.
pub(crate) async fn gate(State(app): State<App>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let response = guarded(&app, &path, request, next).await;
    if changes && response.status().is_success() && app.settings.state_file.is_some() {
        return persisted(app, &path, response).await;
    }
    response
}

/// Writes the state file before `response` goes out, so what the client saw acknowledged
/// survives a kill; a write that fails turns the answer into a `500`.
async fn persisted(app: App, path: &str, response: Response) -> Response {
    let saved = tokio::task::spawn_blocking(move || persist::save(&app)).await;
    match saved {
        Ok(Ok(())) => response,
        Ok(Err(e)) => state_file_failure(path, &e.to_string()),
        Err(e) => state_file_failure(path, &e.to_string()),
    }
}

fn state_file_failure(path: &str, error: &str) -> Response {
    tracing::warn!(error, "writing the state file failed");
    Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        Shape::for_path(path),
        "server_error",
        format!("the change was made but could not be written to the state file: {error}"),
    )
    .into_response()
}

async fn guarded(app: &App, path: &str, request: Request, next: Next) -> Response {
    let has_body = request.headers().contains_key(header::CONTENT_LENGTH)
        || request.headers().contains_key(header::TRANSFER_ENCODING);
    if path.starts_with(control::PREFIX) {
        // Control endpoints can queue faults that break every client of the emulator, so
        // they need the same credentials as the API when credentials are configured.
        if let Some(required) = app.settings.credentials.as_ref()
            && path != control::HEALTH
            && let Err(refusal) = auth::check(request.headers(), Some(required))
        {
            return closing(auth::unauthorized(refusal), has_body);
        }
        return next.run(request).await;
    }
    let fault = app.faults().take(request.method(), path);
    let early = match fault
        .as_ref()
        .and_then(|f| fault_answer::answer(f, request.method(), path))
    {
        Some(answer) => Some(answer),
        None => {
            if let Some(FaultKind::Delay(d)) = fault.as_ref().map(Fault::kind) {
                tokio::time::sleep(*d).await;
            }
            match auth::check(request.headers(), app.settings.credentials.as_ref()) {
                Err(refusal) if is_api(path) => Some(auth::unauthorized(refusal)),
                _ => None,
            }
        }
    };
    if !is_api(path) {
        let mut response = match early {
            Some(answer) => closing(answer, has_body),
            None => next.run(request).await,
        };
        fault_answer::add_headers(fault.as_ref(), &mut response);
        return response;
    }
    // Charged to the key only when its secret was right: a wrong one must not spend the
    // real client's budget, nor open a window per made-up key.
    let authenticated = auth::check(request.headers(), app.settings.credentials.as_ref()).is_ok();
    let key = if authenticated {
        auth::api_key(request.headers())
    } else {
        String::new()
    };
    let count = app.count_request(&key);
    let mut response = match early {
        Some(answer) => closing(answer, has_body),
        None if count.refused => closing(rate_limited(path, &count), has_body),
        None => next.run(request).await,
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&random_uuid()) {
        h.insert("x-request-id", v);
    }
    h.insert("x-ratelimit-limit", HeaderValue::from(count.limit));
    h.entry("x-ratelimit-remaining")
        .or_insert(HeaderValue::from(count.remaining));
    h.entry("x-ratelimit-reset")
        .or_insert(HeaderValue::from(count.reset));
    fault_answer::add_headers(fault.as_ref(), &mut response);
    response
}

/// A request over the enforced rate limit: `429` in the error shape of the API concerned,
/// with `Retry-After` until the window resets.
fn rate_limited(path: &str, count: &RateCount) -> Response {
    too_many_requests(
        path,
        count.reset,
        format!(
            "Too Many Requests: more than {} requests in the rate-limit window; retry in {} s",
            count.limit, count.reset
        ),
    )
}

/// Drops the backslashes a shell escape left in a URL (`...plugins\?page_size\=20`): at the
/// end of the path and anywhere in the query. No client sends a raw backslash otherwise.
pub(crate) async fn normalize_uri(mut request: Request, next: Next) -> Response {
    let raw = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let (path, query) = match raw.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (raw, None),
    };
    if path.ends_with('\\') || query.is_some_and(|q| q.contains('\\')) {
        let mut fixed = path.trim_end_matches('\\').to_owned();
        if let Some(q) = query {
            fixed.push('?');
            fixed.push_str(&q.replace('\\', ""));
        }
        if let Ok(new) = fixed.parse::<Uri>() {
            *request.uri_mut() = new;
        }
    }
    next.run(request).await
}
