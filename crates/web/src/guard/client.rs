//! The client's address. Behind a reverse proxy every connection comes
//! from the proxy, which says who it forwards for in `Forwarded` (RFC 7239)
//! or `X-Forwarded-For`. Anyone can write those headers, so they are read
//! only when the TCP peer is a trusted proxy, and then from the right: each
//! proxy appends the address it received from, so the rightmost address
//! that is not a trusted proxy is the first one nobody trusted vouches
//! beyond — the client. Addresses further left were written by the client.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;
use serde::Deserialize;

/// A trusted proxy: one address (`192.0.2.10`, `::1`) or a range (`10.0.0.0/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct ProxyNet(pub IpNet);

impl FromStr for ProxyNet {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        text.parse::<IpNet>()
            .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
            .map(Self)
            .map_err(|_| format!("{text:?} is neither an IP address nor a CIDR range"))
    }
}

impl TryFrom<String> for ProxyNet {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

fn trusted(ip: IpAddr, proxies: &[ProxyNet]) -> bool {
    let ip = ip.to_canonical();
    proxies.iter().any(|net| net.0.contains(&ip))
}

/// The client's address: `peer` itself unless it is a trusted proxy, then
/// the rightmost forwarded address that is not. An unreadable hop stops
/// the walk at the last address known (a proxy), never at a guess.
pub fn client_ip(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    proxies: &[ProxyNet],
) -> Option<IpAddr> {
    let mut client = peer?.to_canonical();
    if proxies.is_empty() {
        return Some(client);
    }
    for hop in forwarded_hops(headers).into_iter().rev() {
        if !trusted(client, proxies) {
            break;
        }
        match hop {
            Some(ip) => client = ip.to_canonical(),
            None => break,
        }
    }
    Some(client)
}

/// The forwarded-for addresses, leftmost first: from `Forwarded` if the
/// request has one, else from `X-Forwarded-For`; `None` for an entry that
/// is not an address (`unknown`, an obfuscated name, garbage).
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().map(str::to_owned).unwrap_or_default())
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|line| line.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, node)| parse_node(node))
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .flat_map(|line| line.split(','))
        .map(parse_node)
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = node.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    node.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|inner| inner.parse().ok())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn proxies(list: &[&str]) -> Vec<ProxyNet> {
        list.iter().map(|p| p.parse().unwrap()).collect()
    }

    #[test]
    fn forwarded_headers_from_an_untrusted_peer_are_ignored() {
        let spoofed = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("forwarded", "for=203.0.113.8"),
        ]);
        let peer = Some(ip("198.51.100.1"));
        assert_eq!(client_ip(peer, &spoofed, &[]), peer);
        let others = proxies(&["10.0.0.0/8"]);
        assert_eq!(client_ip(peer, &spoofed, &others), peer);
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let chain = proxies(&["10.0.0.0/8", "127.0.0.1"]);
        // The client wrote 6.6.6.6 itself; the edge proxy 10.0.0.2 saw 203.0.113.7.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.2")]);
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), &h, &chain),
            Some(ip("203.0.113.7"))
        );
        let h = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8::7]:4711\";proto=https, for=10.0.0.2:1234",
        )]);
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), &h, &chain),
            Some(ip("2001:db8::7"))
        );
        // `Forwarded` wins over `X-Forwarded-For` when both are there.
        let h = headers(&[
            ("forwarded", "for=198.51.100.9"),
            ("x-forwarded-for", "203.0.113.7"),
        ]);
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), &h, &chain),
            Some(ip("198.51.100.9"))
        );
    }

    #[test]
    fn an_unreadable_hop_or_none_leaves_the_proxy_as_the_client() {
        let chain = proxies(&["127.0.0.1/32"]);
        let proxy = Some(ip("127.0.0.1"));
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(client_ip(proxy, &h, &chain), proxy);
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &chain), proxy);
        // IPv4 peers seen through an IPv6 socket count as IPv4.
        let mapped = Some(ip("::ffff:127.0.0.1"));
        let h = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(client_ip(mapped, &h, &chain), Some(ip("203.0.113.7")));
    }

    #[test]
    fn proxies_are_addresses_or_ranges() {
        assert!("192.0.2.10".parse::<ProxyNet>().is_ok());
        assert!("fd00::/8".parse::<ProxyNet>().is_ok());
        assert!("proxy.example".parse::<ProxyNet>().is_err());
    }
}
