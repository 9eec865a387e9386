//! Serve: the search and browse page for learning-panel members, and the
//! same views as JSON for scripts (feature `serve`, on by default).
//!
//! Owns the HTTP surface: routes ([`router`]), the snapshot of the output
//! folder being served and its reloading when a build swaps in a new
//! generation (`state`), URL parameters (`params`), the views and their
//! templates (`views`, `templates/*.html`, auto-escaped by askama), and the
//! protections: read-only (GET and HEAD only), security headers with a
//! strict Content-Security-Policy (no inline script, no CDN), request size,
//! time and concurrency limits, a Host check against DNS rebinding on
//! loopback, and an access token required whenever the server listens on
//! anything but loopback.
//!
//! | path | page | JSON |
//! |---|---|---|
//! | `/`, `/search?q=…&theme=…&kind=…&year_from=…&year_to=…&area=…&agency=…&language=…&section=…&rec=1&page=N` | search | `/api/search?…` |
//! | `/themes`, `/themes/ID` | theme browser | `/api/themes`, `/api/themes/ID` |
//! | `/recommendations?q=…&theme=…&agency=…&level=…&kind=…&year_from=…&year_to=…&page=N` | explorer | `/api/recommendations?…` |
//! | `/documents`, `/documents/ID?q=…#pN` | documents, one document | `/api/documents`, `/api/documents/ID` |
//! | `/healthz`, `/api/status` | | liveness, what is served |

mod groups;
mod params;
mod recs;
mod rows;
mod state;
mod views;

pub use groups::{GroupHead, GroupTable};
pub use params::{Params, SearchParams};
pub use recs::{CompactRec, Interner, RecTable};
pub use rows::CACHED_DOCUMENTS;
pub use state::{Live, LoadError, Snapshot};
pub use views::ViewError;

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;

/// How the server is started.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The output folder of `ystorfa build`.
    pub out: PathBuf,
    pub bind: SocketAddr,
    /// Required from every client when set (always set for non-loopback binds).
    pub token: Option<String>,
    /// How often `OUT/current` is checked for a new generation.
    pub reload_every: Duration,
}

/// What every request handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub live: Arc<Live>,
    pub token: Option<Arc<str>>,
    /// Listening on loopback only: the Host header must name loopback.
    pub loopback: bool,
    /// One permit per CPU: searches and page building run at most this many
    /// at once, first come first served. Letting every request share the
    /// CPUs at once stretches an expensive query by the number of requests
    /// in flight; a fair queue keeps the slowest answers (p99) short.
    pub cpu: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(live: Arc<Live>, token: Option<&str>, loopback: bool) -> AppState {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        AppState {
            live,
            token: token.map(Arc::from),
            loopback,
            cpu: Arc::new(tokio::sync::Semaphore::new(cpus)),
        }
    }
}

/// Errors starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "refusing to listen on {0} without an access token: pass --token TOKEN or set YSTORFA_TOKEN \
         (anyone who can reach this address could otherwise read every review), or bind to \
         127.0.0.1 to serve this machine only"
    )]
    TokenRequired(SocketAddr),
    #[error("the access token is too short: use at least 16 characters")]
    WeakToken,
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Check the options: a token is required off loopback.
pub fn check_options(opts: &ServeOptions) -> Result<(), ServeError> {
    if let Some(t) = &opts.token
        && t.chars().count() < 16
    {
        return Err(ServeError::WeakToken);
    }
    if !opts.bind.ip().is_loopback() && opts.token.is_none() {
        return Err(ServeError::TokenRequired(opts.bind));
    }
    Ok(())
}

/// Serve until Ctrl-C (or SIGTERM). `on_ready` gets the bound address once
/// the first snapshot is loaded and the socket listens.
pub fn run(opts: ServeOptions, on_ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    check_options(&opts)?;
    let snap = Snapshot::load(&opts.out)?;
    let live = Arc::new(Live::new(Some(opts.out.clone()), snap));
    let state = AppState::new(
        live.clone(),
        opts.token.as_deref(),
        opts.bind.ip().is_loopback(),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.bind)
            .await
            .map_err(|source| ServeError::Bind {
                addr: opts.bind,
                source,
            })?;
        let addr = listener.local_addr()?;
        tokio::spawn(watch(live, opts.reload_every));
        on_ready(addr);
        axum::serve(listener, router(state))
            .with_graceful_shutdown(shutdown())
            .await?;
        Ok(())
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Check `OUT/current` every `every`; load a new generation off the
/// request path and swap it in whole. Requests meanwhile are answered from
/// the previous snapshot.
async fn watch(live: Arc<Live>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_error = String::new();
    loop {
        tick.tick().await;
        let l = live.clone();
        match tokio::task::spawn_blocking(move || l.refresh()).await {
            Ok(Ok(Some(generation))) => {
                eprintln!("ystorfa serve: now serving generation {generation}");
                last_error.clear();
            }
            Ok(Ok(None)) => {}
            Ok(Err(e)) => {
                // A build may be half-way; say it once, keep the old data.
                let msg = e.to_string();
                if msg != last_error {
                    eprintln!("ystorfa serve: still serving the previous build: {msg}");
                    last_error = msg;
                }
            }
            Err(e) => eprintln!("ystorfa serve: reload failed: {e}"),
        }
    }
}

/// Most requests handled at once (others wait).
const MAX_CONCURRENT: usize = 64;
/// Longest a request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The routes, with every protection layered on.
pub fn router(state: AppState) -> Router {
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::overriding(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    Router::new()
        .route("/", get(search_html))
        .route("/search", get(search_html))
        .route("/themes", get(themes_html))
        .route("/themes/{id}", get(theme_html))
        .route("/recommendations", get(recs_html))
        .route("/patterns", get(patterns_html))
        .route("/patterns/{id}", get(pattern_html))
        .route("/documents", get(documents_html))
        .route("/documents/{id}", get(document_html))
        .route("/api/search", get(search_api))
        .route("/api/themes", get(themes_api))
        .route("/api/themes/{id}", get(theme_api))
        .route("/api/recommendations", get(recs_api))
        .route("/api/patterns", get(patterns_api))
        .route("/api/patterns/{id}", get(pattern_api))
        .route("/api/documents", get(documents_api))
        .route("/api/documents/{id}", get(document_api))
        .route("/api/status", get(status_api))
        .route("/healthz", get(|| async { "ok\n" }))
        // No icon; answering keeps browsers from logging a 404.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/static/style.css", get(style_css))
        .route("/static/app.js", get(app_js))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .layer(tower::limit::ConcurrencyLimitLayer::new(MAX_CONCURRENT))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(1024))
        .layer(header("content-security-policy", CSP))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "no-referrer"))
        .layer(header("cross-origin-opener-policy", "same-origin"))
        .layer(header("cross-origin-resource-policy", "same-origin"))
        .layer(header(
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .with_state(state)
}

const TOKEN_COOKIE: &str = "ystorfa_token";

/// Read-only methods, the Host check on loopback, and the access token.
async fn guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = (
            StatusCode::METHOD_NOT_ALLOWED,
            "this server is read-only: only GET and HEAD are allowed\n",
        )
            .into_response();
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if st.loopback && !host_is_loopback(req.headers()) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "this server answers only to localhost, 127.0.0.1 or [::1]\n",
        )
            .into_response();
    }
    if req.uri().path() == "/healthz" {
        return next.run(req).await;
    }
    let Some(token) = st.token.clone() else {
        return next.run(req).await;
    };
    // A token in the address (a link given to a panel member) becomes a
    // cookie, and the address is cleaned of it.
    let params = Params::parse(req.uri().query()).unwrap_or_default();
    if let Some(given) = params.get("token") {
        if token_matches(&token, given) {
            let clean = params.without("token").href(req.uri().path());
            let mut r = Redirect::to(&clean).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!(
                "{TOKEN_COOKIE}={given}; Path=/; HttpOnly; SameSite=Strict"
            )) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            return r;
        }
        return unauthorized(req.uri().path(), "That access token is not right.");
    }
    if request_token(req.headers()).is_some_and(|t| token_matches(&token, &t)) {
        return next.run(req).await;
    }
    unauthorized(
        req.uri().path(),
        "This learning repository needs an access token. Ask whoever runs the server for the link \
         with the token, or enter the token here.",
    )
}

fn unauthorized(path: &str, message: &str) -> Response {
    let mut page =
        views::MessagePage::new(views::Footer::default(), "Access token needed", message);
    page.token_form = true;
    page.token_action = if path.starts_with('/') && !path.starts_with("//") {
        path.to_string()
    } else {
        "/".to_string()
    };
    let mut r = render(StatusCode::UNAUTHORIZED, &page);
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"ystorfa\""),
    );
    r
}

/// The token of `Authorization: Bearer …` or of the cookie.
fn request_token(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some(t) = v.strip_prefix("Bearer ")
    {
        return Some(t.trim().to_string());
    }
    for v in headers.get_all(header::COOKIE) {
        let Ok(v) = v.to_str() else { continue };
        for part in v.split(';') {
            if let Some((k, val)) = part.trim().split_once('=')
                && k == TOKEN_COOKIE
            {
                return Some(val.to_string());
            }
        }
    }
    None
}

/// Constant-time comparison, so timing does not reveal the token.
fn token_matches(expected: &str, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

fn host_is_loopback(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        // HTTP/1.0 without Host: only loopback can have sent it here.
        return true;
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    matches!(
        name.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "::1"
    ) || name
        .parse::<std::net::Ipv4Addr>()
        .is_ok_and(|ip| ip.is_loopback())
}

fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot render the page: {e}\n"),
        )
            .into_response(),
    }
}

fn html_error(st: &AppState, e: ViewError) -> Response {
    let footer = views::Footer::of(&st.live.get());
    let (status, heading) = match &e {
        ViewError::BadRequest(_) => (StatusCode::BAD_REQUEST, "This request cannot be answered"),
        ViewError::NotFound(_) => (StatusCode::NOT_FOUND, "Not found"),
        ViewError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong"),
    };
    render(
        status,
        &views::MessagePage::new(footer, heading, &e.to_string()),
    )
}

fn json_error(e: ViewError) -> Response {
    let status = match &e {
        ViewError::BadRequest(_) => StatusCode::BAD_REQUEST,
        ViewError::NotFound(_) => StatusCode::NOT_FOUND,
        ViewError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (
        status,
        axum::Json(serde_json::json!({ "error": e.to_string() })),
    )
        .into_response()
}

/// Run `f` on a blocking thread with the current snapshot (searches and
/// page building are CPU work).
async fn blocking<T: Send + 'static>(
    st: &AppState,
    f: impl FnOnce(&Snapshot) -> T + Send + 'static,
) -> Result<T, ViewError> {
    let permit = st
        .cpu
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ViewError::Internal(format!("the request failed: {e}")))?;
    let snap = st.live.get();
    tokio::task::spawn_blocking(move || {
        let out = f(&snap);
        drop(permit);
        out
    })
    .await
    .map_err(|e| ViewError::Internal(format!("the request failed: {e}")))
}

fn params_of(raw: Option<String>) -> Result<Params, ViewError> {
    Ok(Params::parse(raw.as_deref())?)
}

async fn search_html(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let params = match params_of(raw) {
        Ok(p) => p,
        Err(e) => return html_error(&st, e),
    };
    html_page(&st, move |s| Ok(views::search_page(s, &params))).await
}

/// Build a page on a blocking thread and render it; a view error becomes
/// its message page.
async fn html_page<T: Template>(
    st: &AppState,
    f: impl FnOnce(&Snapshot) -> Result<T, ViewError> + Send + 'static,
) -> Response {
    let rendered = blocking(st, move |s| {
        f(s).and_then(|page| {
            page.render()
                .map_err(|e| ViewError::Internal(e.to_string()))
        })
    })
    .await;
    match rendered {
        Ok(Ok(html)) => html_ok(html),
        Ok(Err(e)) | Err(e) => html_error(st, e),
    }
}

fn html_ok(html: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

async fn search_api(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let result = async {
        let params = params_of(raw)?;
        let sp = SearchParams::from_params(&params)?;
        blocking(&st, move |s| views::run_search(s, &sp)).await?
    }
    .await;
    match result {
        Ok(r) => axum::Json(r).into_response(),
        Err(e) => json_error(e),
    }
}

async fn themes_html(State(st): State<AppState>) -> Response {
    render(StatusCode::OK, &views::themes_page(&st.live.get()))
}

async fn themes_api(State(st): State<AppState>) -> Response {
    axum::Json(views::themes(&st.live.get())).into_response()
}

async fn theme_html(State(st): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    html_page(&st, move |s| views::theme_page(s, &id)).await
}

async fn theme_api(State(st): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    let r = blocking(&st, move |s| {
        let page = views::theme_page(s, &id)?;
        Ok::<_, ViewError>(serde_json::json!({
            "id": page.id,
            "label": page.label,
            "description": page.description,
            "parent": s.theme(&page.id).and_then(|t| t.parent.clone()),
            "children": s.vocabulary.themes.iter()
                .filter(|c| c.parent.as_deref() == Some(page.id.as_str()))
                .map(|c| c.id.clone()).collect::<Vec<_>>(),
            "sources": s.theme(&page.id).map(|t| t.sources.clone()).unwrap_or_default(),
            "documents": page.documents,
            "recommendations": page.recommendations,
            "hits": page.hits,
            "by_year": page.by_year,
            "evidence": page.evidence,
        }))
    })
    .await;
    match r {
        Ok(Ok(v)) => axum::Json(v).into_response(),
        Ok(Err(e)) | Err(e) => json_error(e),
    }
}

async fn patterns_html(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let params = match params_of(raw) {
        Ok(p) => p,
        Err(e) => return html_error(&st, e),
    };
    html_page(&st, move |s| views::patterns_page(s, &params)).await
}

/// `/api/patterns?page=N`: a page of the rows of
/// `recommendation_groups.jsonl`, with the total.
async fn patterns_api(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let result = async {
        let params = params_of(raw)?;
        blocking(&st, move |s| {
            let (page, heads) = views::groups_page(s, &params)?;
            let groups = heads
                .iter()
                .map(|h| s.groups.row(s.reader(), h))
                .collect::<Result<Vec<_>, _>>()?;
            Ok::<_, ViewError>(serde_json::json!({
                "total": s.groups.len(),
                "page": page,
                "per_page": views::GROUPS_PER_PAGE,
                "groups": groups,
            }))
        })
        .await?
    }
    .await;
    match result {
        Ok(r) => axum::Json(r).into_response(),
        Err(e) => json_error(e),
    }
}

async fn pattern_html(State(st): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    html_page(&st, move |s| views::pattern_page(s, &id)).await
}

async fn pattern_api(State(st): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    let r = blocking(&st, move |s| {
        views::group(s, &id).map(|g| serde_json::to_value(g).unwrap_or_default())
    })
    .await;
    match r {
        Ok(Ok(v)) => axum::Json(v).into_response(),
        Ok(Err(e)) | Err(e) => json_error(e),
    }
}

async fn recs_html(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let params = match params_of(raw) {
        Ok(p) => p,
        Err(e) => return html_error(&st, e),
    };
    html_page(&st, move |s| Ok(views::recs_page(s, &params))).await
}

async fn recs_api(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let result = async {
        let params = params_of(raw)?;
        blocking(&st, move |s| views::find_recommendations(s, &params)).await?
    }
    .await;
    match result {
        Ok(r) => axum::Json(r).into_response(),
        Err(e) => json_error(e),
    }
}

async fn documents_html(State(st): State<AppState>) -> Response {
    render(StatusCode::OK, &views::documents_page(&st.live.get()))
}

async fn documents_api(State(st): State<AppState>) -> Response {
    axum::Json(st.live.get().documents.clone()).into_response()
}

async fn document_html(
    State(st): State<AppState>,
    UrlPath(id): UrlPath<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = match params_of(raw) {
        Ok(p) => p,
        Err(e) => return html_error(&st, e),
    };
    html_page(&st, move |s| views::document_page(s, &id, &params)).await
}

async fn document_api(State(st): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    match blocking(&st, move |s| views::document_json(s, &id)).await {
        Ok(Ok(d)) => axum::Json(d).into_response(),
        Ok(Err(e)) | Err(e) => json_error(e),
    }
}

async fn status_api(State(st): State<AppState>) -> Response {
    let s = st.live.get();
    axum::Json(serde_json::json!({
        "generation": s.generation,
        "documents": s.documents.len(),
        "recommendations": s.recommendations.len(),
        "rules_name": s.vocabulary.rules_name,
        "rules_version": s.vocabulary.rules_version,
    }))
    .into_response()
}

async fn not_found(State(st): State<AppState>, req: Request<Body>) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/api/") {
        return json_error(ViewError::NotFound(format!("no such address: {path}")));
    }
    html_error(
        &st,
        ViewError::NotFound("There is no page at this address.".to_string()),
    )
}

const STYLE_CSS: &str = include_str!("../../static/style.css");
const APP_JS: &str = include_str!("../../static/app.js");

async fn style_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        STYLE_CSS,
    )
        .into_response()
}

async fn app_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        APP_JS,
    )
        .into_response()
}

#[cfg(test)]
mod ondemand_tests;
#[cfg(test)]
mod tests;
