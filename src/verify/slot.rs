//! Loopback addresses for verify workers: each worker (one browser process
//! and its mock servers) owns one address of `127.0.0.0/8` for a whole run.
//!
//! All of `127/8` is loopback on Linux, so the page and the API are both in
//! Local Network Access's `loopback` space, as with `127.0.0.1`. A worker
//! maps every hostname to its own address (Chromium's `--host-resolver-rules`,
//! Firefox's `network.dns.forceResolve`) and its servers bind only there, so
//! workers, and verify runs of other processes, never share a port. Which
//! address is whose is settled by a lock file per address in the temp folder.
//! `127.0.0.1` is never used: it is left to other local servers.

use std::fs::File;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

/// The first and last host number tried: `127.0.0.2` to `127.0.0.41`.
const FIRST: u8 = 2;
const LAST: u8 = 41;

/// How long to wait when every address is taken (by other verify runs).
const WAIT_LIMIT: Duration = Duration::from_secs(120);

/// One loopback address, held (by its lock file) until dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    /// The address the worker's servers bind and its browser resolves every name to.
    pub(crate) ip: Ipv4Addr,
    _lock: File,
}

impl Slot {
    /// Takes the first free address, waiting (bounded) while all are taken.
    pub(crate) async fn take() -> Result<Slot, String> {
        let start = Instant::now();
        loop {
            for host in FIRST..=LAST {
                let ip = Ipv4Addr::new(127, 0, 0, host);
                if let Some(lock) = try_lock(ip)? {
                    if ports_free(ip) {
                        return Ok(Slot { ip, _lock: lock });
                    }
                }
            }
            if start.elapsed() >= WAIT_LIMIT {
                return Err(format!(
                    "every verify address 127.0.0.{FIRST}–127.0.0.{LAST} stayed taken for {} s \
                     (other verify runs?)",
                    WAIT_LIMIT.as_secs()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The ports scenarios use most (and Firefox's resolver's): an address
/// where another program already listens on one of them (a local server bound
/// to `127.0.0.N`, not a verify run) is passed over.
const COMMON_PORTS: [u16; 7] = [80, 443, 444, 8000, 8080, 8443, super::doh::DOH_PORT];

/// Whether no other program listens on `ip` at one of [`COMMON_PORTS`].
fn ports_free(ip: Ipv4Addr) -> bool {
    COMMON_PORTS.iter().all(|port| {
        !matches!(
            std::net::TcpListener::bind((ip, *port)),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse
        )
    })
}

/// The lock file of `ip`, if no other process holds it.
fn try_lock(ip: Ipv4Addr) -> Result<Option<File>, String> {
    let path = std::env::temp_dir().join(format!("cors-lab-verify-{ip}.lock"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn two_slots_get_two_addresses() {
        let a = Slot::take().await.unwrap();
        let b = Slot::take().await.unwrap();
        assert_ne!(a.ip, b.ip);
        assert!(a.ip.is_loopback() && b.ip.is_loopback());
        assert_ne!(a.ip, Ipv4Addr::LOCALHOST);
    }
}
