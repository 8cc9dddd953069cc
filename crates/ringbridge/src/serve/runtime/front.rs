//! The process's one HTTP front: every request goes to the router of the
//! generation running at that moment. Connections outlive generations, so
//! a console change never drops a request (closing servers race with
//! connections being accepted); only live feeds (server-sent events) end
//! with their generation, so that browsers reconnect to the next one.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tower::Service;

/// A generation's router and its stop signal.
type Installed = (Router, CancellationToken);

/// A request waits this long for the first generation to start.
const FIRST_START: Duration = Duration::from_secs(15);

/// The running generation's router.
#[derive(Clone)]
pub struct Front(Arc<watch::Sender<Option<Installed>>>);

impl Default for Front {
    fn default() -> Self {
        Self(Arc::new(watch::channel(None).0))
    }
}

impl Front {
    /// Routes requests to `router` from now on.
    pub fn install(&self, router: Router, stop: CancellationToken) {
        self.0.send_replace(Some((router, stop)));
    }

    /// The running generation's router; the first start is waited for.
    async fn current(&self) -> Option<Installed> {
        let mut installed = self.0.subscribe();
        let ready = tokio::time::timeout(FIRST_START, installed.wait_for(Option::is_some)).await;
        match ready {
            Ok(Ok(current)) => current.clone(),
            _ => None,
        }
    }

    /// The router the listener serves.
    pub fn app(&self) -> Router {
        Router::new().fallback(dispatch).with_state(self.clone())
    }
}

fn is_event_stream(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

async fn dispatch(State(front): State<Front>, request: Request) -> Response {
    let Some((mut router, stop)) = front.current().await else {
        let mut busy = (StatusCode::SERVICE_UNAVAILABLE, "starting").into_response();
        busy.headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
        return busy;
    };
    let response = match router.call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if !is_event_stream(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let cut = body.into_data_stream().take_until(stop.cancelled_owned());
    Response::from_parts(parts, Body::from_stream(cut))
}

#[cfg(test)]
mod tests {
    use axum::body::{Bytes, to_bytes};
    use axum::routing::get;

    use super::*;

    fn get_request(path: &str) -> Request {
        Request::get(path).body(Body::empty()).expect("a request")
    }

    fn router(name: &'static str) -> Router {
        let feed = || async {
            let never = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
            (
                [(CONTENT_TYPE, "text/event-stream")],
                Body::from_stream(never),
            )
        };
        Router::new()
            .route("/feed", get(feed))
            .route("/page", get(move || async move { name }))
    }

    async fn text(response: Response) -> String {
        let bytes = to_bytes(response.into_body(), 1024).await.expect("a body");
        String::from_utf8(bytes.to_vec()).expect("text")
    }

    #[tokio::test]
    async fn requests_wait_for_the_first_generation_then_follow_the_latest() {
        let front = Front::default();
        let early = tokio::spawn(dispatch(State(front.clone()), get_request("/page")));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!early.is_finished(), "nothing is running yet");
        front.install(router("first"), CancellationToken::new());
        assert_eq!(text(early.await.expect("served")).await, "first");
        front.install(router("second"), CancellationToken::new());
        let page = dispatch(State(front.clone()), get_request("/page")).await;
        assert_eq!(text(page).await, "second");
    }

    #[tokio::test]
    async fn live_feeds_end_with_their_generation() {
        let front = Front::default();
        let stop = CancellationToken::new();
        front.install(router("first"), stop.clone());
        let feed = dispatch(State(front.clone()), get_request("/feed")).await;
        let reading = tokio::spawn(to_bytes(feed.into_body(), 1024));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            !reading.is_finished(),
            "a feed stays open while its generation runs"
        );
        stop.cancel();
        let ended = tokio::time::timeout(Duration::from_secs(1), reading).await;
        assert!(ended.is_ok(), "the feed ends with its generation");
    }
}
