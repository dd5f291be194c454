//! Chromium's `Network.loadingFailed` events whose `corsError` chromiumoxide
//! cannot read. Its CDP types (0.9.1) predate Local Network Access's
//! `InvalidLocalNetworkAccess` and `InsecureLocalNetwork`, so such an event
//! fails to parse and never reaches the typed listener. A second CDP session
//! on the page, over a plain WebSocket, reads those events as JSON and
//! records exactly the ones the typed listener cannot (no event twice).

use std::sync::Arc;
use std::time::Duration;

use async_tungstenite::tungstenite::Message;
use chromiumoxide::cdp::browser_protocol::network::CorsError;
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use super::events::{EventLog, Seen};

/// How long attaching the second session may take.
const ATTACH_LIMIT: Duration = Duration::from_secs(10);

/// Attaches a session to `target_id` through the browser's WebSocket
/// (`browser_ws`) and records, until the task is aborted, every
/// `Network.loadingFailed` whose `corsError` chromiumoxide does not know.
pub(super) async fn listen(
    browser_ws: &str,
    target_id: &str,
    log: Arc<EventLog>,
) -> Result<JoinHandle<()>, String> {
    let (socket, _) = tokio::time::timeout(
        ATTACH_LIMIT,
        async_tungstenite::tokio::connect_async(browser_ws),
    )
    .await
    .map_err(|_| "Chromium's CDP socket did not answer".to_owned())?
    .map_err(|e| format!("cannot open a second CDP session: {e}"))?;
    let (mut sink, mut stream) = socket.split();
    let send = |id: u64, session: Option<&str>, method: &str, params: Value| {
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let (Some(session), Some(object)) = (session, message.as_object_mut()) {
            object.insert("sessionId".to_owned(), json!(session));
        }
        Message::Text(message.to_string().into())
    };
    let attach = send(
        1,
        None,
        "Target.attachToTarget",
        json!({ "targetId": target_id, "flatten": true }),
    );
    sink.send(attach)
        .await
        .map_err(|e| format!("Target.attachToTarget: {e}"))?;
    let session = tokio::time::timeout(ATTACH_LIMIT, async {
        while let Some(Ok(message)) = stream.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
                continue;
            };
            if value.get("id").and_then(Value::as_u64) == Some(1) {
                return value
                    .pointer("/result/sessionId")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .ok_or_else(|| "Target.attachToTarget gave no session".to_owned())?;
    sink.send(send(2, Some(&session), "Network.enable", json!({})))
        .await
        .map_err(|e| format!("Network.enable: {e}"))?;
    Ok(tokio::spawn(async move {
        // The sink lives as long as the task: dropping it would close the socket.
        let _sink = sink;
        while let Some(Ok(message)) = stream.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
                continue;
            };
            if let Some(seen) = unreadable_loading_failed(&value, &session) {
                log.push(None, seen);
            }
        }
    }))
}

/// The event as [`Seen::LoadingFailed`] when it is a `Network.loadingFailed`
/// of `session` whose `corsError` chromiumoxide cannot parse.
fn unreadable_loading_failed(value: &Value, session: &str) -> Option<Seen> {
    if value.get("method").and_then(Value::as_str) != Some("Network.loadingFailed")
        || value.get("sessionId").and_then(Value::as_str) != Some(session)
    {
        return None;
    }
    let params = value.get("params")?;
    let cors = params.get("corsErrorStatus")?;
    let cors_error = cors.get("corsError")?;
    if serde_json::from_value::<CorsError>(cors_error.clone()).is_ok() {
        return None;
    }
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    Some(Seen::LoadingFailed {
        request_id: text(params.get("requestId")).unwrap_or_default(),
        error_text: text(params.get("errorText")).unwrap_or_default(),
        cors_error: text(Some(cors_error)),
        failed_parameter: text(cors.get("failedParameter")),
        blocked_reason: text(params.get("blockedReason")),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn event(cors_error: &str) -> Value {
        json!({
            "method": "Network.loadingFailed",
            "sessionId": "S",
            "params": {
                "requestId": "7", "errorText": "net::ERR_FAILED", "canceled": false,
                "corsErrorStatus": { "corsError": cors_error, "failedParameter": "" }
            }
        })
    }

    #[test]
    fn only_cors_errors_chromiumoxide_cannot_read_are_taken() {
        assert!(unreadable_loading_failed(&event("MissingAllowOriginHeader"), "S").is_none());
        assert!(
            unreadable_loading_failed(&event("LocalNetworkAccessPermissionDenied"), "S").is_none()
        );
        let Some(Seen::LoadingFailed { cors_error, .. }) =
            unreadable_loading_failed(&event("InvalidLocalNetworkAccess"), "S")
        else {
            panic!("not taken")
        };
        assert_eq!(cors_error.as_deref(), Some("InvalidLocalNetworkAccess"));
        assert!(unreadable_loading_failed(&event("InsecureLocalNetwork"), "other").is_none());
    }
}
