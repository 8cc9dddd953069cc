//! Who may use the `/_sim/` admin endpoints.
//!
//! With an admin token (`--admin-token`), every request must carry
//! `Authorization: Bearer <token>`, from any address. Without one, the endpoints answer only
//! requests that come from loopback *and* name a loopback host, and refuse requests a browser
//! sent on behalf of another site (`Origin` not this host): a web page the user visits can
//! neither post to `127.0.0.1` (cross-site request) nor reach it through a DNS name that
//! resolves to loopback (DNS rebinding, where `Host` is that name).

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, StatusCode, header};

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Token missing or wrong.
    Unauthorized,
    /// Not allowed without a token.
    Forbidden(&'static str),
}

impl Refusal {
    /// HTTP status and message.
    pub fn status(self) -> (StatusCode, &'static str) {
        match self {
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "admin token required"),
            Self::Forbidden(why) => (StatusCode::FORBIDDEN, why),
        }
    }
}

/// Compares without stopping at the first difference (no timing hint about the token).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_loopback_host(host: &str) -> bool {
    // `127.0.0.1:8088`, `localhost:8088`, `[::1]:8088`.
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Admits or refuses one request.
pub fn admit(
    token: Option<&str>,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> Result<(), Refusal> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(token) = token {
        let given = text(header::AUTHORIZATION)
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        return if same(given.trim().as_bytes(), token.as_bytes()) {
            Ok(())
        } else {
            Err(Refusal::Unauthorized)
        };
    }
    if !peer.is_some_and(|p| p.ip().is_loopback()) {
        return Err(Refusal::Forbidden(
            "admin endpoints without --admin-token answer loopback clients only",
        ));
    }
    let host = text(header::HOST).unwrap_or_default();
    if !is_loopback_host(host) {
        return Err(Refusal::Forbidden("Host is not a loopback address"));
    }
    if let Some(origin) = text(header::ORIGIN) {
        let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
        if !origin_host.eq_ignore_ascii_case(host) {
            return Err(Refusal::Forbidden("cross-site request"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("header"));
        }
        h
    }

    const LOCAL: Option<SocketAddr> = Some(SocketAddr::new(
        IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        50000,
    ));

    #[test]
    fn with_a_token_only_the_bearer_counts() {
        let remote = Some("203.0.113.9:4000".parse().expect("addr"));
        let ok = headers(&[("authorization", "Bearer s3cret")]);
        assert_eq!(admit(Some("s3cret"), remote, &ok), Ok(()));
        let wrong = headers(&[("authorization", "Bearer s3cre")]);
        assert_eq!(
            admit(Some("s3cret"), LOCAL, &wrong),
            Err(Refusal::Unauthorized)
        );
        let none = headers(&[("host", "127.0.0.1:8088")]);
        assert_eq!(
            admit(Some("s3cret"), LOCAL, &none),
            Err(Refusal::Unauthorized)
        );
    }

    #[test]
    fn without_a_token_only_loopback_is_admitted() {
        let local = headers(&[("host", "127.0.0.1:8088")]);
        assert_eq!(admit(None, LOCAL, &local), Ok(()));
        assert_eq!(
            admit(None, LOCAL, &headers(&[("host", "[::1]:8088")])),
            Ok(())
        );
        assert_eq!(
            admit(None, LOCAL, &headers(&[("host", "localhost")])),
            Ok(())
        );
        let remote = Some("192.0.2.7:4000".parse().expect("addr"));
        assert!(matches!(
            admit(None, remote, &local),
            Err(Refusal::Forbidden(_))
        ));
        assert!(matches!(
            admit(None, None, &local),
            Err(Refusal::Forbidden(_))
        ));
    }

    #[test]
    fn dns_rebinding_is_refused() {
        // The attacker's name resolves to 127.0.0.1; the browser sends it as Host.
        let h = headers(&[("host", "rebind.attacker.test:8088")]);
        assert!(matches!(admit(None, LOCAL, &h), Err(Refusal::Forbidden(_))));
    }

    #[test]
    fn a_cross_site_browser_request_is_refused() {
        let h = headers(&[
            ("host", "127.0.0.1:8088"),
            ("origin", "https://attacker.test"),
        ]);
        assert_eq!(
            admit(None, LOCAL, &h),
            Err(Refusal::Forbidden("cross-site request"))
        );
        let same_site = headers(&[
            ("host", "127.0.0.1:8088"),
            ("origin", "http://127.0.0.1:8088"),
        ]);
        assert_eq!(admit(None, LOCAL, &same_site), Ok(()));
    }
}
