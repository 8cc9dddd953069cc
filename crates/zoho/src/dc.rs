//! Zoho data centres: `location` → accounts server and API domain.
//!
//! The table is overridable so tests (and sandbox/developer orgs) can point any
//! location at another base URL, e.g. a local simulator.

use url::Url;

use crate::error::{OAuthError, Result, ZohoError};

/// One data centre's endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataCentre {
    /// The `location` value Zoho puts on the consent redirect (`us`, `eu`, ...).
    pub location: String,
    /// Base URL of Zoho Accounts (token, revoke, consent).
    pub accounts_server: Url,
    /// Base URL of the APIs (`{api_domain}/crm/v8/...`, `/phonebridge/v3/...`).
    pub api_domain: Url,
}

/// Location → endpoints table. [`DcTable::default`] is Zoho's production table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DcTable {
    entries: Vec<DataCentre>,
    default_location: String,
}

/// Zoho's published table (docs/zoho-api.md §1.1). CA's API domain is
/// `zohoapis.ca`, not `zohocloud.ca`.
const ZOHO_DCS: &[(&str, &str, &str)] = &[
    (
        "us",
        "https://accounts.zoho.com",
        "https://www.zohoapis.com",
    ),
    ("eu", "https://accounts.zoho.eu", "https://www.zohoapis.eu"),
    ("in", "https://accounts.zoho.in", "https://www.zohoapis.in"),
    (
        "au",
        "https://accounts.zoho.com.au",
        "https://www.zohoapis.com.au",
    ),
    ("jp", "https://accounts.zoho.jp", "https://www.zohoapis.jp"),
    (
        "ca",
        "https://accounts.zohocloud.ca",
        "https://www.zohoapis.ca",
    ),
    ("sa", "https://accounts.zoho.sa", "https://www.zohoapis.sa"),
    (
        "cn",
        "https://accounts.zoho.com.cn",
        "https://www.zohoapis.com.cn",
    ),
];

impl Default for DcTable {
    fn default() -> Self {
        let entries = ZOHO_DCS
            .iter()
            .map(|(loc, acc, api)| DataCentre {
                location: (*loc).to_owned(),
                // The constants above are valid URLs; a parse failure is a typo caught by tests.
                accounts_server: Url::parse(acc).expect("valid built-in URL"),
                api_domain: Url::parse(api).expect("valid built-in URL"),
            })
            .collect();
        Self {
            entries,
            default_location: "us".to_owned(),
        }
    }
}

impl DcTable {
    /// A table where every location (and the default) resolves to the given base URLs:
    /// what tests use to point the client at a simulator.
    pub fn single(accounts_server: Url, api_domain: Url) -> Self {
        let mut t = Self::default();
        for e in &mut t.entries {
            e.accounts_server = accounts_server.clone();
            e.api_domain = api_domain.clone();
        }
        t
    }

    /// Adds or replaces one location's endpoints.
    pub fn with_override(mut self, location: &str, accounts_server: Url, api_domain: Url) -> Self {
        let loc = location.to_ascii_lowercase();
        self.entries.retain(|e| e.location != loc);
        self.entries.push(DataCentre {
            location: loc,
            accounts_server,
            api_domain,
        });
        self
    }

    /// Looks a location up (case-insensitive).
    pub fn by_location(&self, location: &str) -> Option<&DataCentre> {
        self.entries
            .iter()
            .find(|e| e.location.eq_ignore_ascii_case(location))
    }

    /// The data centre used when the user's location is unknown (US).
    pub fn default_dc(&self) -> &DataCentre {
        self.by_location(&self.default_location)
            .or_else(|| self.entries.first())
            .expect("a DcTable always has entries")
    }

    /// Accepts an `accounts-server` value from a redirect only if it is one of the
    /// table's accounts servers: the redirect comes through the browser, and we must
    /// never send the client secret to a host an attacker chose.
    pub fn trusted_accounts_server(&self, candidate: &str) -> Result<&DataCentre> {
        let parsed = Url::parse(candidate)
            .map_err(|_| ZohoError::OAuth(OAuthError::UnknownAccountsServer(candidate.into())))?;
        self.entries
            .iter()
            .find(|e| same_origin(&e.accounts_server, &parsed))
            .ok_or_else(|| ZohoError::OAuth(OAuthError::UnknownAccountsServer(candidate.into())))
    }

    /// All entries.
    pub fn entries(&self) -> &[DataCentre] {
        &self.entries
    }
}

/// `base` + `path`, keeping any path prefix of `base` (simulators may mount Zoho
/// under a prefix) and dropping its query.
pub(crate) fn endpoint(base: &Url, path: &str) -> Url {
    let mut u = base.clone();
    let prefix = u.path().trim_end_matches('/').to_owned();
    u.set_path(&format!("{prefix}{path}"));
    u.set_query(None);
    u.set_fragment(None);
    u
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table() {
        let t = DcTable::default();
        assert_eq!(t.entries().len(), 8);
        let ca = t.by_location("CA").expect("ca");
        assert_eq!(ca.api_domain.as_str(), "https://www.zohoapis.ca/");
        assert_eq!(ca.accounts_server.host_str(), Some("accounts.zohocloud.ca"));
        assert_eq!(t.default_dc().location, "us");
        assert!(t.by_location("xx").is_none());
    }

    #[test]
    fn accounts_server_must_be_known() {
        let t = DcTable::default();
        assert_eq!(
            t.trusted_accounts_server("https://accounts.zoho.eu")
                .expect("eu")
                .location,
            "eu"
        );
        assert!(
            t.trusted_accounts_server("https://accounts.zoho.eu.evil.example")
                .is_err()
        );
        assert!(
            t.trusted_accounts_server("http://accounts.zoho.eu")
                .is_err()
        );
        assert!(t.trusted_accounts_server("not a url").is_err());
    }

    #[test]
    fn endpoint_keeps_base_path() {
        let b = Url::parse("http://127.0.0.1:8080/accounts/").expect("url");
        assert_eq!(
            endpoint(&b, "/oauth/v2/token").as_str(),
            "http://127.0.0.1:8080/accounts/oauth/v2/token"
        );
        let b = Url::parse("https://accounts.zoho.eu").expect("url");
        assert_eq!(
            endpoint(&b, "/oauth/v2/token").as_str(),
            "https://accounts.zoho.eu/oauth/v2/token"
        );
    }

    #[test]
    fn overrides() {
        let sim = Url::parse("http://127.0.0.1:9999").expect("url");
        let t = DcTable::single(sim.clone(), sim.clone());
        assert_eq!(t.by_location("eu").expect("eu").accounts_server, sim);
        assert!(t.trusted_accounts_server("http://127.0.0.1:9999").is_ok());
        let t = DcTable::default().with_override("uk", sim.clone(), sim.clone());
        assert_eq!(t.by_location("uk").expect("uk").api_domain, sim);
    }
}
