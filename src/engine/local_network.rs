//! [Local Network Access](https://wicg.github.io/local-network-access/)
//! (issue 13, family 4): the IP address space of a page and of a target,
//! whether the page is a secure context, and the
//! [Local Network Access check](https://wicg.github.io/local-network-access/#local-network-access-check)
//! itself, as data. It replaced Private Network Access (PNA), whose
//! preflight asked the server (`Access-Control-Request-Private-Network`,
//! answered by `Access-Control-Allow-Private-Network: true`); LNA asks the
//! user instead, so no response header can change its answer.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;
use url::{Host, Url};

use crate::scenario::{AddressSpace, LnaPermission, PermissionState};

/// How a browser applies Local Network Access (`None` in a profile: not at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LnaProfile {
    /// Whether `fetch()`'s `targetAddressSpace` is read: a wrong one fails
    /// the request (Chromium 156: `InvalidLocalNetworkAccess`).
    pub honours_target_address_space: bool,
    /// Whether a page that is not a secure context is refused without asking
    /// (the spec's step 2 of the less-public branch).
    pub refuses_insecure_contexts: bool,
    /// Whether the refusal is reported as a CORS error (Chromium prints its
    /// "blocked by CORS policy" line), rather than as a plain network error.
    pub reported_as_cors: bool,
}

/// The page's side of the check, from the scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageNetwork {
    /// The page's address space (`None` for an opaque origin: no policy container address space).
    pub space: Option<AddressSpace>,
    /// Whether the page is a [secure context](https://html.spec.whatwg.org/multipage/webappapis.html#secure-context).
    pub secure_context: bool,
    /// The scenario's `address_spaces`.
    pub declared: BTreeMap<String, AddressSpace>,
    /// The scenario's `lna_permissions`.
    pub permissions: BTreeMap<LnaPermission, PermissionState>,
}

/// Why Local Network Access refused a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "denial", rename_all = "kebab-case")]
pub enum LnaDenial {
    /// The permission is denied, or was asked and nobody granted it.
    PermissionDenied {
        /// The permission the target's space needs.
        permission: LnaPermission,
        /// Its state before the request.
        state: PermissionState,
    },
    /// The page is not a secure context: refused without asking.
    InsecureContext,
    /// `targetAddressSpace` names another space than the target's.
    TargetSpaceMismatch {
        /// The space the script declared.
        declared: AddressSpace,
    },
}

/// How the check let a request through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LnaPass {
    /// The permission the target needs is granted.
    Granted,
    /// The declared `targetAddressSpace` is the target's, and the target is not less public.
    DeclaredSpaceMatches,
}

/// [Determine the IP address space](https://wicg.github.io/local-network-access/#determine-the-ip-address-space)
/// of `address`: "1. If address belongs to the `::ffff:0:0/96` … block,
/// then replace address with its embedded IPv4 address. 2. For each row in
/// the Non-public IP address blocks table: If address belongs to row's
/// address block, return row's address space. 3. Return public."
pub fn determine_the_ip_address_space(address: IpAddr) -> AddressSpace {
    match address {
        IpAddr::V4(v4) => ipv4_space(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => ipv4_space(v4),
            None => ipv6_space(v6),
        },
    }
}

fn ipv4_space(ip: Ipv4Addr) -> AddressSpace {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        AddressSpace::Loopback
    } else if ip.is_private()
        || ip.is_link_local()
        || a == 0
        // 100.64.0.0/10 (carrier-grade NAT), listed as local by the table.
        || (a == 100 && (64..128).contains(&b))
    {
        AddressSpace::Local
    } else {
        AddressSpace::Public
    }
}

fn ipv6_space(ip: Ipv6Addr) -> AddressSpace {
    let first = ip.segments().first().copied().unwrap_or(0);
    if ip.is_loopback() {
        AddressSpace::Loopback
    } else if (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80 {
        // fc00::/7 (unique local) and fe80::/10 (link-local).
        AddressSpace::Local
    } else {
        AddressSpace::Public
    }
}

/// The address space of the server `url` reaches: the scenario's
/// `address_spaces` entry for its origin, else what its host implies (an IP
/// address by the table; `localhost` and `*.localhost` loopback, as browsers
/// resolve them; a `.local` name local, as mDNS does; any other name public).
pub fn address_space_of(url: &Url, declared: &BTreeMap<String, AddressSpace>) -> AddressSpace {
    if let Some(space) = declared.get(&url.origin().ascii_serialization()) {
        return *space;
    }
    match url.host() {
        Some(Host::Ipv4(ip)) => determine_the_ip_address_space(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => determine_the_ip_address_space(IpAddr::V6(ip)),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            if name == "localhost" || name.ends_with(".localhost") {
                AddressSpace::Loopback
            } else if name.ends_with(".local") {
                AddressSpace::Local
            } else {
                AddressSpace::Public
            }
        }
        None => AddressSpace::Public,
    }
}

/// Whether `url`'s origin is a
/// [potentially trustworthy origin](https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy):
/// "If origin's scheme is either "https" or "wss", return "Potentially
/// Trustworthy". If origin's host matches one of the CIDR notations
/// 127.0.0.0/8 or ::1/128, return "Potentially Trustworthy". If the user
/// agent conforms to the name resolution rules in [let-localhost-be-localhost]
/// and … origin's host is "localhost" or "localhost." or … ends with
/// ".localhost" …, return "Potentially Trustworthy"."
pub fn is_potentially_trustworthy(url: &Url) -> bool {
    if matches!(url.scheme(), "https" | "wss" | "file") {
        return true;
    }
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
}

/// The permission a target in `space` needs (step 4: "Let permissionName be
/// "local-network" if addressSpace is local, or "loopback-network" if
/// addressSpace is loopback").
pub fn permission_for(space: AddressSpace) -> LnaPermission {
    match space {
        AddressSpace::Local | AddressSpace::Public => LnaPermission::LocalNetwork,
        AddressSpace::Loopback => LnaPermission::LoopbackNetwork,
    }
}

/// What the check decided for one URL; `None` when it did not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LnaDecision {
    /// The page's address space.
    pub page_space: AddressSpace,
    /// The target's.
    pub target_space: AddressSpace,
    /// Whether the page is a secure context.
    pub secure_context: bool,
    /// The script's `targetAddressSpace`, when the browser reads it.
    pub declared: Option<AddressSpace>,
    /// The permission asked about and its state, when it was consulted.
    pub permission: Option<(LnaPermission, PermissionState)>,
    /// Let through, or why not.
    pub result: Result<LnaPass, LnaDenial>,
}

/// The [Local Network Access check](https://wicg.github.io/local-network-access/#local-network-access-check)
/// for a request to `target_space`, as `lna` applies it; `None` when
/// nothing was decided (the request is not a local network request).
pub fn local_network_access_check(
    page: &PageNetwork,
    target_space: AddressSpace,
    same_origin: bool,
    target_address_space: Option<AddressSpace>,
    lna: &LnaProfile,
) -> Option<LnaDecision> {
    // "If request's origin is a potentially trustworthy origin and request's current URL's origin is same origin with request's origin, then return null."
    if same_origin && page.secure_context {
        return None;
    }
    // "If request's policy container is null, then return null." (an opaque page has no address space here)
    let page_space = page.space?;
    let declared = target_address_space.filter(|_| lna.honours_target_address_space);
    let decision = |permission, result| LnaDecision {
        page_space,
        target_space,
        secure_context: page.secure_context,
        declared,
        permission,
        result,
    };
    let less_public = target_space.is_less_public_than(page_space);
    // "If request's target IP address space is not null: … If addressSpace is not equal to request's target IP address space, then return a network error. Return null."
    if let Some(declared) = declared {
        if declared != target_space {
            return Some(decision(
                None,
                Err(LnaDenial::TargetSpaceMismatch { declared }),
            ));
        }
        if !less_public {
            return Some(decision(None, Ok(LnaPass::DeclaredSpaceMatches)));
        }
        // Browser: Chromium 156 still asks for the permission when the
        // declared space is right (observed, FINDINGS-beyond-cors.md §4);
        // the spec's "Return null" would let it through.
    }
    // "If addressSpace is less public than request's policy container's IP address space:"
    if !less_public {
        return None;
    }
    // "2. If request's client is not a secure context (including if it is null), then return error."
    // Browser: Firefox 153 asks anyway (`network.lna.block_insecure_contexts` is false).
    if !page.secure_context && lna.refuses_insecure_contexts {
        return Some(decision(None, Err(LnaDenial::InsecureContext)));
    }
    // "4. Let permissionName be …" "10. Let permissionState be the result of getting the current permission state given permissionName and global."
    let permission = permission_for(target_space);
    let state = page
        .permissions
        .get(&permission)
        .copied()
        .unwrap_or_default();
    let result = match state {
        // "12. If permissionState is granted, then return null."
        PermissionState::Granted => Ok(LnaPass::Granted),
        // "11. If permissionState is denied, then return error."
        PermissionState::Denied => Err(LnaDenial::PermissionDenied { permission, state }),
        // "13. Prompt the user to choose …: If the user denies permission, then return error."
        // Not modelled: a user who grants the prompt (state it as `granted`). Nobody
        // answers here: headless Chromium denies at once; Firefox denies when
        // `network.lna.prompt.timeout` ends.
        PermissionState::Prompt => Err(LnaDenial::PermissionDenied { permission, state }),
    };
    Some(decision(Some((permission, state)), result))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CHROMIUM: LnaProfile = LnaProfile {
        honours_target_address_space: true,
        refuses_insecure_contexts: true,
        reported_as_cors: true,
    };
    const FIREFOX: LnaProfile = LnaProfile {
        honours_target_address_space: false,
        refuses_insecure_contexts: false,
        reported_as_cors: false,
    };

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn public_page(secure: bool) -> PageNetwork {
        PageNetwork {
            space: Some(AddressSpace::Public),
            secure_context: secure,
            ..PageNetwork::default()
        }
    }

    #[test]
    fn hosts_map_to_the_spec_table_and_declared_origins_win() {
        let none = BTreeMap::new();
        for (text, space) in [
            ("http://127.0.0.1:8001/x", AddressSpace::Loopback),
            ("http://[::1]/", AddressSpace::Loopback),
            ("http://localhost:3000/", AddressSpace::Loopback),
            ("http://api.localhost/", AddressSpace::Loopback),
            ("http://192.168.1.1/", AddressSpace::Local),
            ("http://10.0.0.8/", AddressSpace::Local),
            ("http://172.16.0.1/", AddressSpace::Local),
            ("http://169.254.1.1/", AddressSpace::Local),
            ("http://[fd00::1]/", AddressSpace::Local),
            ("http://[::ffff:192.168.0.1]/", AddressSpace::Local),
            ("http://printer.local/", AddressSpace::Local),
            ("http://8.8.8.8/", AddressSpace::Public),
            ("https://api.example.com/", AddressSpace::Public),
        ] {
            assert_eq!(address_space_of(&url(text), &none), space, "{text}");
        }
        let declared = BTreeMap::from([(
            "https://api.example.com:8443".to_owned(),
            AddressSpace::Loopback,
        )]);
        assert_eq!(
            address_space_of(&url("https://api.example.com:8443/x"), &declared),
            AddressSpace::Loopback
        );
        assert_eq!(
            address_space_of(&url("https://api.example.com/x"), &declared),
            AddressSpace::Public
        );
    }

    #[test]
    fn secure_contexts_are_https_and_loopback() {
        assert!(is_potentially_trustworthy(&url("https://app.example.com")));
        assert!(is_potentially_trustworthy(&url("http://127.0.0.2:8000")));
        assert!(is_potentially_trustworthy(&url("http://localhost:3000")));
        assert!(!is_potentially_trustworthy(&url("http://app.example.com")));
        assert!(!is_potentially_trustworthy(&url("http://192.168.0.2")));
    }

    #[test]
    fn a_public_page_needs_the_permission_for_loopback_and_prompt_ends_denied() {
        let mut page = public_page(true);
        let check = |page: &PageNetwork, target| {
            local_network_access_check(page, target, false, None, &CHROMIUM).map(|d| d.result)
        };
        assert_eq!(check(&page, AddressSpace::Public), None);
        assert_eq!(
            check(&page, AddressSpace::Loopback),
            Some(Err(LnaDenial::PermissionDenied {
                permission: LnaPermission::LoopbackNetwork,
                state: PermissionState::Prompt
            }))
        );
        // The local-network grant does not cover a loopback target.
        page.permissions
            .insert(LnaPermission::LocalNetwork, PermissionState::Granted);
        assert!(matches!(check(&page, AddressSpace::Loopback), Some(Err(_))));
        assert_eq!(
            check(&page, AddressSpace::Local),
            Some(Ok(LnaPass::Granted))
        );
        page.permissions
            .insert(LnaPermission::LoopbackNetwork, PermissionState::Granted);
        assert_eq!(
            check(&page, AddressSpace::Loopback),
            Some(Ok(LnaPass::Granted))
        );
        // A local page reaching loopback needs it too; loopback to anything does not.
        let local = PageNetwork {
            space: Some(AddressSpace::Local),
            secure_context: true,
            ..PageNetwork::default()
        };
        assert!(check(&local, AddressSpace::Loopback).is_some());
        let loopback = PageNetwork {
            space: Some(AddressSpace::Loopback),
            secure_context: true,
            ..PageNetwork::default()
        };
        assert_eq!(check(&loopback, AddressSpace::Public), None);
    }

    #[test]
    fn chromium_refuses_insecure_pages_and_wrong_target_spaces_firefox_does_neither() {
        let insecure = public_page(false);
        let chromium =
            local_network_access_check(&insecure, AddressSpace::Loopback, false, None, &CHROMIUM);
        assert_eq!(chromium.unwrap().result, Err(LnaDenial::InsecureContext));
        let firefox =
            local_network_access_check(&insecure, AddressSpace::Loopback, false, None, &FIREFOX);
        assert!(matches!(
            firefox.unwrap().result,
            Err(LnaDenial::PermissionDenied { .. })
        ));
        let secure = public_page(true);
        let wrong = local_network_access_check(
            &secure,
            AddressSpace::Loopback,
            false,
            Some(AddressSpace::Local),
            &CHROMIUM,
        );
        assert_eq!(
            wrong.unwrap().result,
            Err(LnaDenial::TargetSpaceMismatch {
                declared: AddressSpace::Local
            })
        );
        let ignored = local_network_access_check(
            &secure,
            AddressSpace::Loopback,
            false,
            Some(AddressSpace::Local),
            &FIREFOX,
        );
        assert!(matches!(
            ignored.unwrap().result,
            Err(LnaDenial::PermissionDenied { .. })
        ));
    }
}
