//! Route layers that hold API tokens to their scopes. A token without the
//! scope a route needs gets 403 (it is known, just not allowed); a request
//! that signs in not at all gets the usual 401 from [`CurrentUser`].

use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use ringbridge_core::accounts::ApiScope;

use super::{AuthMethod, CurrentUser};
use crate::AppState;
use crate::panel::refusal;

/// What a route asks of the request's credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A session, or a token granted this scope.
    Scope(ApiScope),
    /// A browser session: no token may use the route.
    Session,
}

async fn check(
    State((state, need)): State<(AppState, Need)>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let user = match CurrentUser::from_request_parts(&mut parts, &state).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let allowed = match need {
        Need::Scope(scope) => user.allows(scope),
        Need::Session => user.method == AuthMethod::Session,
    };
    if !allowed {
        let message = match need {
            Need::Scope(scope) => format!("This token lacks the {} scope.", scope.as_str()),
            Need::Session => "Sign in with a browser session for this.".to_owned(),
        };
        return refusal(StatusCode::FORBIDDEN, "insufficient_scope", &message).into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

/// `route`, refusing tokens without `need`.
pub fn scoped(
    state: &AppState,
    need: Need,
    route: MethodRouter<AppState>,
) -> MethodRouter<AppState> {
    route.route_layer(from_fn_with_state((state.clone(), need), check))
}
