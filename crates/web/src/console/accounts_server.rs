//! A Zoho accounts server the admin types in: for a data centre not yet
//! built in, or the Zoho simulator (`ringbridge sim zoho`), without any
//! environment variable. The OAuth client secret and the refresh token go
//! to it, so it must be HTTPS — plain HTTP only on this machine's loopback.

use std::net::IpAddr;
use std::str::FromStr;

use axum::http::Uri;

/// The location the console stores for a typed-in accounts server.
pub const CUSTOM: &str = "custom";

/// `text` as an accounts server URL (no trailing slash), or the catalogue
/// id saying what is wrong with it.
pub fn parse(text: &str) -> Result<String, &'static str> {
    let text = text.trim().trim_end_matches('/');
    if text.is_empty() {
        return Err("console-zoho-custom-missing");
    }
    let uri = Uri::from_str(text).map_err(|_| "console-zoho-custom-bad")?;
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return Err("console-zoho-custom-bad");
    };
    // Credentials in the URL would be sent to whoever answers; a query
    // would be mixed into every OAuth request.
    if authority.as_str().contains('@') || uri.query().is_some() || text.contains('#') {
        return Err("console-zoho-custom-bad");
    }
    match scheme {
        "https" => Ok(text.to_owned()),
        "http" if loopback(authority.host()) => Ok(text.to_owned()),
        "http" => Err("console-zoho-custom-https"),
        _ => Err("console-zoho-custom-bad"),
    }
}

fn loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert_eq!(
            parse(" https://accounts.zoho.uk/ "),
            Ok("https://accounts.zoho.uk".into())
        );
        assert_eq!(
            parse("http://127.0.0.1:9090"),
            Ok("http://127.0.0.1:9090".into())
        );
        assert_eq!(parse("http://[::1]:9090/"), Ok("http://[::1]:9090".into()));
        assert_eq!(
            parse("http://localhost:9090"),
            Ok("http://localhost:9090".into())
        );
        assert_eq!(
            parse("http://accounts.evil.test"),
            Err("console-zoho-custom-https")
        );
        assert_eq!(
            parse("http://127.0.0.1.evil.test"),
            Err("console-zoho-custom-https")
        );
        assert_eq!(
            parse("https://user:pw@host.test"),
            Err("console-zoho-custom-bad")
        );
        assert_eq!(
            parse("https://host.test/?x=1"),
            Err("console-zoho-custom-bad")
        );
        assert_eq!(parse("ftp://host.test"), Err("console-zoho-custom-bad"));
        assert_eq!(parse("javascript:alert(1)"), Err("console-zoho-custom-bad"));
        assert_eq!(parse("accounts.zoho.uk"), Err("console-zoho-custom-bad"));
        assert_eq!(parse(""), Err("console-zoho-custom-missing"));
        for lang in crate::i18n::Lang::ALL {
            for id in [
                "console-zoho-custom-missing",
                "console-zoho-custom-bad",
                "console-zoho-custom-https",
            ] {
                assert!(lang.has(id), "{id}");
            }
        }
    }
}
