//! The mock server's certificates, made at run time: every host a scenario
//! uses gets a certificate of one key made once per run, which the browser
//! is told to trust instead of ignoring every certificate error (Chromium:
//! the key, [`trusted_spki_sha256`]; WebKitGTK: the run's CA certificate,
//! [`trusted_ca_pem`], which issues those certificates); a host whose rules
//! say `network_error: "tls"` gets a self-signed certificate of another key,
//! which no browser trusts.

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

/// The run's CA: its parameters (to issue with) and its certificate,
/// self-signed with the trusted key.
fn trusted_ca() -> Result<&'static (CertificateParams, CertificateDer<'static>), String> {
    static CA: OnceLock<Result<(CertificateParams, CertificateDer<'static>), String>> =
        OnceLock::new();
    CA.get_or_init(|| {
        let key = trusted_key()?;
        let mut params = CertificateParams::new(Vec::<String>::new())
            .map_err(|e| format!("cannot make a CA certificate: {e}"))?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "CORS Lab verify CA (one run)");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        params.serial_number = Some(rcgen::SerialNumber::from(next_serial()));
        let cert = params
            .self_signed(key)
            .map_err(|e| format!("cannot make a CA certificate: {e}"))?;
        Ok((params, cert.der().clone()))
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// The run's CA certificate in PEM, the one trust anchor WebKitGTK is given
/// (GnuTLS's system trust file, `super::webkit`).
pub(crate) fn trusted_ca_pem() -> Result<String, String> {
    let (_, der) = trusted_ca()?;
    let text = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in text.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    Ok(pem)
}

/// Parameters for a certificate naming `names` (`localhost` if none).
fn params_for(names: &[String]) -> Result<CertificateParams, String> {
    let mut names: Vec<String> = names.to_vec();
    if names.is_empty() {
        names.push("localhost".to_owned());
    }
    let mut params = CertificateParams::new(names.clone())
        .map_err(|e| format!("cannot make a certificate: {e}"))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    if let Some(first) = names.first() {
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, first.as_str());
    }
    // Firefox refuses two certificates of one issuer with one serial
    // (SEC_ERROR_REUSED_ISSUER_AND_SERIAL): every certificate gets its own.
    params.serial_number = Some(rcgen::SerialNumber::from(next_serial()));
    Ok(params)
}

/// The served chain for `der` with its `key`.
fn with_key(chain: Vec<CertificateDer<'static>>, key: &KeyPair) -> Result<CertifiedKey, String> {
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let signing = rustls::crypto::ring::sign::any_supported_type(&private)
        .map_err(|e| format!("TLS key: {e}"))?;
    Ok(CertifiedKey::new(chain, signing))
}

/// A certificate for `names` of the trusted key, issued by the run's CA
/// (served with the CA certificate after it). Its key is the CA's, so
/// Chromium's SPKI list matches it as it matched the self-signed ones.
fn trusted_certified(names: &[String]) -> Result<CertifiedKey, String> {
    let key = trusted_key()?;
    let (ca_params, ca_der) = trusted_ca()?;
    let issuer = rcgen::Issuer::from_params(ca_params, key);
    let cert = params_for(names)?
        .signed_by(key, &issuer)
        .map_err(|e| format!("cannot make a certificate: {e}"))?;
    with_key(vec![cert.der().clone(), ca_der.clone()], key)
}

/// A certificate for `names` self-signed with `key`.
fn self_signed(names: &[String], key: &KeyPair) -> Result<CertifiedKey, String> {
    let cert = params_for(names)?
        .self_signed(key)
        .map_err(|e| format!("cannot make a certificate: {e}"))?;
    with_key(vec![cert.der().clone()], key)
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
    let trusted = Arc::new(trusted_certified(hosts)?);
    let other_key = KeyPair::generate().map_err(|e| format!("cannot make a key: {e}"))?;
    let untrusted = Arc::new(self_signed(untrusted_hosts, &other_key)?);
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
