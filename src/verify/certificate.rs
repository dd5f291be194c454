//! The mock server's certificates, made at run time: every host a scenario
//! uses gets a certificate signed with one key made once per run, which the
//! browser is told to trust ([`trusted_spki_sha256`]) instead of ignoring
//! every certificate error; a host whose rules say `network_error: "tls"`
//! gets a self-signed certificate of another key, which no browser trusts.

use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use rcgen::{CertificateParams, KeyPair, PublicKeyData};
use tokio_rustls::rustls::{
    self,
    pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer},
    server::{ClientHello, ResolvesServerCert},
    sign::CertifiedKey,
    ServerConfig,
};

/// The run's trusted key (one for every worker and scenario, so the
/// browsers' trust, given at launch, covers every certificate made later).
fn trusted_key() -> Result<&'static KeyPair, String> {
    static KEY: OnceLock<Result<KeyPair, String>> = OnceLock::new();
    KEY.get_or_init(|| KeyPair::generate().map_err(|e| format!("cannot make a key: {e}")))
        .as_ref()
        .map_err(Clone::clone)
}

/// The base64 SHA-256 of the trusted key's SubjectPublicKeyInfo, as
/// Chromium's `--ignore-certificate-errors-spki-list` takes it: certificates
/// of this key, and no others, are accepted.
pub(crate) fn trusted_spki_sha256() -> Result<String, String> {
    let spki = trusted_key()?.subject_public_key_info();
    let digest = ring::digest::digest(&ring::digest::SHA256, &spki);
    Ok(base64::engine::general_purpose::STANDARD.encode(digest.as_ref()))
}

/// A certificate for `names` signed with `key` (self-signed).
fn certified(names: &[String], key: &KeyPair) -> Result<CertifiedKey, String> {
    let mut names: Vec<String> = names.to_vec();
    if names.is_empty() {
        names.push("localhost".to_owned());
    }
    let mut params =
        CertificateParams::new(names).map_err(|e| format!("cannot make a certificate: {e}"))?;
    // Firefox refuses two certificates of one issuer with one serial
    // (SEC_ERROR_REUSED_ISSUER_AND_SERIAL): every certificate gets its own.
    params.serial_number = Some(rcgen::SerialNumber::from(next_serial()));
    let cert = params
        .self_signed(key)
        .map_err(|e| format!("cannot make a certificate: {e}"))?;
    let der: CertificateDer<'static> = cert.der().clone();
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let signing = rustls::crypto::ring::sign::any_supported_type(&private)
        .map_err(|e| format!("TLS key: {e}"))?;
    Ok(CertifiedKey::new(vec![der], signing))
}

/// A serial number no other certificate of this run has: the run's start
/// time in nanoseconds (so no earlier run's either), plus a counter.
fn next_serial() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: OnceLock<AtomicU64> = OnceLock::new();
    NEXT.get_or_init(|| {
        let start = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| u64::try_from(d.as_nanos() >> 8).unwrap_or(1));
        AtomicU64::new(start)
    })
    .fetch_add(1, Ordering::Relaxed)
}

/// Picks the certificate by the name the browser asked for (SNI).
#[derive(Debug)]
struct ByHost {
    trusted: Arc<CertifiedKey>,
    untrusted: Arc<CertifiedKey>,
    untrusted_hosts: Vec<String>,
}

impl ResolvesServerCert for ByHost {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let untrusted = hello.server_name().is_some_and(|name| {
            self.untrusted_hosts
                .iter()
                .any(|host| host.eq_ignore_ascii_case(name))
        });
        Some(if untrusted {
            self.untrusted.clone()
        } else {
            self.trusted.clone()
        })
    }
}

/// A TLS server configuration (HTTP/1.1 only) whose certificate covers
/// `hosts`, trusted by the browser, except for `untrusted_hosts`, which get
/// a certificate the browser does not trust.
pub(crate) fn tls_config(
    hosts: &[String],
    untrusted_hosts: &[String],
) -> Result<Arc<ServerConfig>, String> {
    let trusted = Arc::new(certified(hosts, trusted_key()?)?);
    let other_key = KeyPair::generate().map_err(|e| format!("cannot make a key: {e}"))?;
    let untrusted = Arc::new(certified(untrusted_hosts, &other_key)?);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(ByHost {
            trusted,
            untrusted,
            untrusted_hosts: untrusted_hosts.to_vec(),
        }));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trusted_key_is_one_for_the_run() {
        let first = trusted_spki_sha256();
        assert!(
            first.as_ref().is_ok_and(|hash| hash.len() == 44),
            "{first:?}"
        );
        assert_eq!(first, trusted_spki_sha256());
    }
}
