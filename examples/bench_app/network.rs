//! The networks a load is measured on, and the bytes the page received before
//! a moment, from the DevTools protocol's `Network` events.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

// `emulateNetworkConditions` is deprecated in the protocol (for
// `emulateNetworkConditionsByRule`) but still honoured by Chromium 156, and it
// is the call the figures were taken with.
#[allow(deprecated)]
use chromiumoxide::cdp::browser_protocol::network::{
    EmulateNetworkConditionsParams, EnableParams, EventDataReceived, EventLoadingFinished,
    EventResponseReceived, ResourceType,
};
use chromiumoxide::Page;
use futures::StreamExt;

use super::Failure;

/// A network a load runs on, emulated by Chromium
/// (`Network.emulateNetworkConditions`).
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Network {
    /// Loopback, no throttling.
    Unthrottled,
    /// DevTools' "Slow 4G" preset: 180,000 B/s down, 84,375 B/s up,
    /// 562.5 ms latency.
    Slow4g,
}

impl Network {
    pub(crate) const ALL: [Network; 2] = [Network::Unthrottled, Network::Slow4g];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Network::Unthrottled => "no throttling",
            Network::Slow4g => "Slow 4G",
        }
    }

    /// Applies this network to `page` (before it navigates).
    #[allow(deprecated)]
    pub(crate) async fn emulate(self, page: &Page) -> Result<(), Failure> {
        let Network::Slow4g = self else {
            return Ok(());
        };
        let params = EmulateNetworkConditionsParams::builder()
            .offline(false)
            .latency(562.5)
            .download_throughput(180_000.0)
            .upload_throughput(84_375.0)
            .build()?;
        page.execute(params).await?;
        Ok(())
    }
}

/// One request's arrivals.
#[derive(Default)]
struct Arrivals {
    /// Each `Network.dataReceived` chunk: `(monotonic time in s, encoded
    /// bytes, decoded bytes)`. Chromium often reports a chunk's encoded
    /// size as 0 (under `emulateNetworkConditions` always, it seems) and
    /// gives the whole encoded size only at `loadingFinished`.
    chunks: Vec<(f64, f64, f64)>,
    /// `Network.loadingFinished`: the request's whole encoded size (headers
    /// and body as received).
    finished: Option<(f64, f64)>,
}

/// Records a page's `Network` events from before its navigation.
pub(crate) struct Recorder {
    arrivals: Arc<Mutex<HashMap<String, Arrivals>>>,
    /// The document's send time: `timing.requestTime + timing.sendStart`, s.
    document_sent: Arc<Mutex<Option<f64>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Recorder {
    pub(crate) async fn start(page: &Page) -> Result<Self, Failure> {
        page.execute(EnableParams::default()).await?;
        let arrivals: Arc<Mutex<HashMap<String, Arrivals>>> = Arc::default();
        let document_sent: Arc<Mutex<Option<f64>>> = Arc::default();
        let mut tasks = Vec::new();

        let mut data = page.event_listener::<EventDataReceived>().await?;
        let into = Arc::clone(&arrivals);
        tasks.push(tokio::spawn(async move {
            while let Some(event) = data.next().await {
                if let Ok(mut map) = into.lock() {
                    let entry = map.entry(event.request_id.inner().clone()).or_default();
                    entry.chunks.push((
                        *event.timestamp.inner(),
                        event.encoded_data_length as f64,
                        event.data_length as f64,
                    ));
                }
            }
        }));
        let mut finished = page.event_listener::<EventLoadingFinished>().await?;
        let into = Arc::clone(&arrivals);
        tasks.push(tokio::spawn(async move {
            while let Some(event) = finished.next().await {
                if let Ok(mut map) = into.lock() {
                    let entry = map.entry(event.request_id.inner().clone()).or_default();
                    entry.finished = Some((*event.timestamp.inner(), event.encoded_data_length));
                }
            }
        }));
        let mut responses = page.event_listener::<EventResponseReceived>().await?;
        let into = Arc::clone(&document_sent);
        tasks.push(tokio::spawn(async move {
            while let Some(event) = responses.next().await {
                if event.r#type != ResourceType::Document {
                    continue;
                }
                if let (Some(timing), Ok(mut sent)) = (&event.response.timing, into.lock()) {
                    if sent.is_none() {
                        *sent = Some(timing.request_time + timing.send_start / 1000.0);
                    }
                }
            }
        }));
        Ok(Recorder {
            arrivals,
            document_sent,
            tasks,
        })
    }

    /// The encoded bytes received up to `at_ms` (the page's `performance.now()`),
    /// given the page's navigation `requestStart` (the same moment as the
    /// protocol's document send time): a request finished by then counts whole
    /// (`loadingFinished`), one still arriving counts its chunks so far. When
    /// those chunks carry no encoded size, the finished request's encoded
    /// size is shared out by decoded bytes (an estimate: gzip's output is
    /// not spread evenly, but a page's bytes are not 0 before it shows).
    pub(crate) fn bytes_before(&self, at_ms: f64, request_start_ms: f64) -> Option<f64> {
        let sent = (*self.document_sent.lock().ok()?)?;
        let until = sent + (at_ms - request_start_ms) / 1000.0;
        let map = self.arrivals.lock().ok()?;
        let total = map
            .values()
            .map(|arrivals| arrivals.encoded_before(until))
            .sum();
        Some(total)
    }
}

impl Arrivals {
    /// This request's encoded bytes received by `until` (see
    /// [`Recorder::bytes_before`]).
    fn encoded_before(&self, until: f64) -> f64 {
        if let Some((time, bytes)) = self.finished {
            if time <= until {
                return bytes;
            }
        }
        let arrived = self.chunks.iter().filter(|(time, ..)| *time <= until);
        let encoded: f64 = arrived.clone().map(|(_, encoded, _)| encoded).sum();
        let decoded: f64 = arrived.map(|(.., decoded)| decoded).sum();
        let decoded_total: f64 = self.chunks.iter().map(|(.., decoded)| decoded).sum();
        match self.finished {
            Some((_, bytes)) if encoded == 0.0 && decoded_total > 0.0 => {
                bytes * decoded / decoded_total
            }
            _ => encoded,
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
