//! The Turbine extractor: a handler argument that exists only for a request whose bearer token
//! verified (each token once).

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use signet_core::turbine::Claims;

use crate::http::record::record_verification;
use crate::http::rejection::TurbineRejection;
use crate::{Registry, VerifierService};

/// A request whose Turbine bearer token verified: its claims. Use it as a handler argument;
/// refusals answer [`TurbineRejection`] (`401 {"error": "<documented text>"}`, or 429/503 as
/// the text says) before the handler runs.
#[derive(Clone, Debug)]
pub struct TurbineAuth(pub Claims);

/// Works in any router whose state can hand out the shared service
/// (`Arc<VerifierService>: FromRef<S>`).
impl<S> FromRequestParts<S> for TurbineAuth
where
    Arc<VerifierService<Registry>>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = TurbineRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let service = Arc::<VerifierService<Registry>>::from_ref(state);
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).map(|v| v.as_bytes());
        let started = std::time::Instant::now();
        let outcome = service.verify_async(header).await;
        let (kid, refusal) = match &outcome {
            Ok(claims) => (Some(claims.kid.as_str()), None),
            Err(e) => (None, Some(e.as_str())),
        };
        record_verification(&parts.extensions, kid, refusal, started.elapsed());
        outcome.map(TurbineAuth).map_err(TurbineRejection)
    }
}
