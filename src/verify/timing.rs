//! The harness's timing tolerance: a scenario's `at_ms` decide what the
//! preflight cache answers, and a busy machine can run a request late.

use crate::scenario::RequestResult;

use super::files::engine_results;
use super::Job;

/// How far (ms) every request's real time must be from changing the engine's
/// answer before the engine is judged at the real times: more than the gap
/// between when the harness times a request (its preflight's arrival, or its
/// start) and when the browser stores or looks up its cache entry.
pub(super) const REAL_TIME_MARGIN_MS: u64 = 500;

/// The engine's results at the real times of a run whose timing slipped,
/// if they are clear-cut: each request's result stays the same with its time
/// moved [`REAL_TIME_MARGIN_MS`] earlier or later. The browser was then asked
/// a different question than the file's (a cache entry had expired, say),
/// but one the engine answers just as exactly; a run near an expiry is not judged.
pub(super) fn engine_at_real_times(job: &Job, real_ms: &[u64]) -> Option<Vec<RequestResult>> {
    let at = |times: &[u64]| {
        let mut moved = job.scenario.clone();
        for (request, ms) in moved.requests.iter_mut().zip(times) {
            request.at_ms = Some(*ms);
        }
        engine_results(&moved, job.browser)
    };
    let real = at(real_ms);
    for index in 0..real_ms.len() {
        let previous = index
            .checked_sub(1)
            .and_then(|i| real_ms.get(i))
            .copied()
            .unwrap_or(0);
        let next = real_ms.get(index + 1).copied().unwrap_or(u64::MAX);
        for moved_ms in [
            real_ms
                .get(index)?
                .saturating_sub(REAL_TIME_MARGIN_MS)
                .max(previous),
            real_ms
                .get(index)?
                .saturating_add(REAL_TIME_MARGIN_MS)
                .min(next),
        ] {
            let mut times = real_ms.to_vec();
            *times.get_mut(index)? = moved_ms;
            if at(&times).get(index) != real.get(index) {
                return None;
            }
        }
    }
    Some(real)
}

/// Whether the scenario's real timeline (each request's preflight arrival,
/// or its start) would make the engine answer differently from its planned
/// `at_ms`: then the browser was not asked what the file asks (a request ran
/// too late for a cache entry's Max-Age, say) and the run is repeated. This is
/// the harness's timing tolerance; the comparison itself is never widened.
pub(super) fn timing_slipped(job: &Job, real_ms: &[u64]) -> Option<String> {
    let mut real = job.scenario.clone();
    for (request, ms) in real.requests.iter_mut().zip(real_ms) {
        request.at_ms = Some(*ms);
    }
    let with_real_times = engine_results(&real, job.browser);
    job.engine
        .iter()
        .zip(&with_real_times)
        .zip(real_ms)
        .enumerate()
        .find(|(_, ((planned, real), _))| planned != real)
        .map(|(index, ((planned, real), ms))| {
            format!(
                "request {index} ran at {ms} ms: the engine says preflight {:?} / {:?} for its \
                 at_ms but {:?} / {:?} for the real times",
                planned.preflight, planned.outcome, real.preflight, real.outcome
            )
        })
}
