//! The words of issue 13's families 4 and 5: the Local Network Access
//! check, the cross-origin resource policy check and ORB.

use super::StepText;
use crate::engine::local_network::{LnaDecision, LnaDenial, LnaPass};
use crate::engine::resource_policy::{CorpCheck, OrbReason};
use crate::engine::step::StepKind;
use crate::scenario::PermissionState;

pub(super) fn narrate(kind: &StepKind) -> StepText {
    match kind {
        StepKind::LocalNetworkAccess { url, decision } => local_network(url, decision),
        StepKind::ResourcePolicy { url, check } => resource_policy(url, check),
        StepKind::OrbBlocked {
            url,
            content_type,
            reason,
        } => orb(url, content_type, reason),
        _ => StepText::default(),
    }
}

/// What every Local Network Access step teaches.
const LNA_IS_NOT_CORS: &str = "This is Local Network Access (Chrome 142+, Firefox 153), not CORS: the browser asks the user before a page reaches into a more private network, and sends nothing until then. It replaced Private Network Access, whose preflight the server answered with Access-Control-Allow-Private-Network: true; that header no longer changes anything.";

fn local_network(url: &str, decision: &LnaDecision) -> StepText {
    let page = decision.page_space.as_str();
    let target = decision.target_space.as_str();
    let text = StepText::titled("Local Network Access")
        .compared(format!(
            "the page's address space ({page}) against {url}'s ({target})"
        ))
        .why(LNA_IS_NOT_CORS);
    match &decision.result {
        Ok(LnaPass::Granted) => text
            .found(format!(
                "{target} is more private than {page}: the page needs the {} permission, and it is granted",
                decision.permission.map_or("", |(p, _)| p.as_str())
            ))
            .highlight("granted"),
        Ok(LnaPass::DeclaredSpaceMatches) => text
            .found(format!("targetAddressSpace \"{target}\" is the server's address space"))
            .highlight(target.to_owned()),
        Err(LnaDenial::PermissionDenied { permission, state }) => {
            let how = match state {
                PermissionState::Prompt => "not yet granted: the browser asks, and the request fails unless the user allows it (headless Chromium denies at once; Firefox waits for the prompt)",
                _ => "denied",
            };
            text.found(format!(
                "{target} is more private than {page}: the {} permission is {how}",
                permission.as_str()
            ))
            .highlight(permission.as_str())
        }
        Err(LnaDenial::InsecureContext) => text
            .found(format!(
                "{target} is more private than {page}, and the page is not a secure context (http): refused without asking"
            ))
            .highlight("not a secure context"),
        Err(LnaDenial::TargetSpaceMismatch { declared }) => text
            .found(format!(
                "the script declared targetAddressSpace \"{}\", but the server is in \"{target}\"",
                declared.as_str()
            ))
            .highlight(declared.as_str()),
    }
}

const CORP_IS_NOT_CORS: &str = "Cross-Origin-Resource-Policy is the resource's own choice of who may embed it in no-cors mode (an <img>, a <script>, a no-cors fetch); CORS headers do not answer it, and CORS requests never meet it.";

fn resource_policy(url: &str, check: &CorpCheck) -> StepText {
    let policy = check.policy.map_or("cross-origin", |p| p.as_str());
    let compared = match (&check.header, check.defaulted_by_coep) {
        (_, true) => format!(
            "{url} sends no usable Cross-Origin-Resource-Policy; the page's Cross-Origin-Embedder-Policy: require-corp makes it same-origin"
        ),
        (Some(header), false) => format!("Cross-Origin-Resource-Policy: {header} on {url}"),
        (None, false) => format!("{url} sends no Cross-Origin-Resource-Policy"),
    };
    let text = StepText::titled("Cross-Origin-Resource-Policy")
        .compared(compared)
        .why(CORP_IS_NOT_CORS)
        .highlight(policy.to_owned());
    if check.blocked {
        text.found(format!(
            "{policy}: the page is not allowed to embed it, so the load fails"
        ))
    } else {
        text.found(format!("{policy}: this page may embed it"))
    }
}

fn orb(url: &str, content_type: &str, reason: &OrbReason) -> StepText {
    let found = match reason {
        OrbReason::NeverSniffed { mime } => {
            format!("{mime} is never a script, image or stylesheet")
        }
        OrbReason::Nosniff { mime } => {
            format!(
                "{mime} with X-Content-Type-Options: nosniff cannot be sniffed as anything else"
            )
        }
        OrbReason::NotJavaScript { .. } => {
            "the body is data (JSON or markup), not an image or a script".to_owned()
        }
    };
    let shown = if content_type.is_empty() {
        "no Content-Type"
    } else {
        content_type
    };
    StepText::titled("Opaque Response Blocking (ORB)")
        .compared(format!("{url} ({shown}) loaded by an element in no-cors mode"))
        .found(format!("{found}: the browser throws the response away before the page gets it"))
        .why("ORB keeps cross-origin data out of a page that cannot read it anyway, so it cannot leak through side channels. It is not CORS: load the data with fetch() and CORS headers, or give the element a response of the type it expects.")
        .highlight(shown.to_owned())
}
