//! Simulator configuration: listeners, OAuth client, edition and the switches for behaviour the
//! vendor docs leave unconfirmed.

use std::net::SocketAddr;
use std::time::Duration;

use crate::store::seed::SeedData;

/// Zoho CRM edition; drives API credits and concurrency (docs/zoho-api.md §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    Free,
    Standard,
    Professional,
    Enterprise,
    Ultimate,
}

impl Edition {
    /// Credits per rolling 24 h: base 50,000 plus a per-licence amount, capped (Free: flat 5,000).
    pub fn credit_limit(self, users_licensed: u32) -> u64 {
        let users = u64::from(users_licensed);
        match self {
            Self::Free => 5_000,
            Self::Standard => (50_000 + 250 * users).min(100_000),
            Self::Professional => (50_000 + 500 * users).min(3_000_000),
            Self::Enterprise => (50_000 + 1_000 * users).min(5_000_000),
            Self::Ultimate => 50_000 + 2_000 * users,
        }
    }

    /// Simultaneous in-flight calls per org.
    pub fn concurrency(self) -> u32 {
        match self {
            Self::Free => 5,
            Self::Standard => 10,
            Self::Professional => 15,
            Self::Enterprise => 20,
            Self::Ultimate => 25,
        }
    }

    /// `license_details.paid_type`; the per-edition strings are unconfirmed.
    pub fn paid_type(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Standard => "standard",
            Self::Professional => "professional",
            Self::Enterprise => "enterprise",
            Self::Ultimate => "ultimate",
        }
    }
}

/// How `phone=` search (and criteria `equals` on phone fields) matches stored numbers.
/// Zoho does not document it (docs/zoho-api.md §4.1), so every plausible rule is selectable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PhoneMatchMode {
    /// The stored text equals the query text (after trimming).
    Exact,
    /// The digits of both are equal (`+1 (415) 555-0123` = `14155550123`).
    DigitsEqual,
    /// The digits of one end with the digits of the other, the shorter having at least 7 digits.
    DigitsSuffix,
}

/// Which PhoneBridge call states are accepted (docs/zoho-phonebridge.md §6: documented vs one
/// provider's live report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PhoneBridgeStrictness {
    /// Everything the v3 pages and provider code use, including `missed` and unattended states.
    AsDocumented,
    /// As observed live by Vobiz: `missed` and the outbound unattended states answer 400.
    ObservedLive,
}

/// Where the simulator puts `authorizationparam` when it calls the PBX side (unconfirmed,
/// docs/zoho-phonebridge.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthParamPlacement {
    Header,
    Param,
}

/// How `GET /{Module}/{id}` answers for a record that exists but the caller's role and
/// sharing hide. Zoho documents 403 `NO_PERMISSION` with `details.permissions`
/// (`Crm_Implied_View_<Module>`) as its record-level permission answer, but not for this
/// endpoint (unconfirmed), so the other plausible answer is selectable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InvisibleRecord {
    /// 403 `NO_PERMISSION`, `details.permissions: ["Crm_Implied_View_<Module>"]`.
    NoPermission,
    /// 204 with no body, as for an id that does not exist.
    NoContent,
}

/// Form field names the simulator uses when calling a call-control URI; Zoho's are unknown
/// (docs/zoho-phonebridge.md §5), the defaults are the only ones seen in provider code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallControlParamNames {
    pub call_id: String,
    pub digit: String,
}

impl Default for CallControlParamNames {
    fn default() -> Self {
        Self {
            call_id: "callrefid".into(),
            digit: "digit".into(),
        }
    }
}

/// Everything needed to start a simulator. `SimConfig::default()` is ready for tests.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Accounts server listener (`127.0.0.1:0` by default).
    pub accounts_addr: SocketAddr,
    /// API domain listener (`127.0.0.1:0` by default).
    pub api_addr: SocketAddr,
    pub client_id: String,
    pub client_secret: String,
    /// Registered redirect URIs; `redirect_uri` must equal one exactly.
    pub redirect_uris: Vec<String>,
    /// Redirect straight back with a code instead of showing the consent page.
    pub auto_approve: bool,
    /// E-mail of the user who "signs in" at the consent step (default: first active user).
    pub oauth_user_email: Option<String>,
    /// `location` in the redirect (`us`, `eu`, ...).
    pub location: String,
    pub edition: Edition,
    pub phone_match: PhoneMatchMode,
    pub strictness: PhoneBridgeStrictness,
    pub auth_param_placement: AuthParamPlacement,
    pub call_control_names: CallControlParamNames,
    /// Allow PhoneBridge on the Free edition (ringbridge's brief says Free has no PhoneBridge;
    /// no Zoho source confirms it).
    pub phonebridge_on_free: bool,
    /// Refuse a Missed call without `Call_Duration` (`MANDATORY_NOT_FOUND`). Zoho's docs do
    /// not say whether Missed calls need one (unconfirmed); off by default.
    pub missed_call_needs_duration: bool,
    /// Refuse a write naming a field the module does not have with `INVALID_DATA`
    /// `{api_name, json_path}` (Zoho's answer for an invalid API name); off: ignore such keys
    /// (what Zoho does with them is unconfirmed).
    pub refuse_unknown_fields: bool,
    /// COQL rows carry `id` even when the query does not select it (Zoho's COQL examples
    /// show `id` in every row; whether it is added unasked is unconfirmed). Off: rows hold
    /// exactly the selected fields.
    pub coql_adds_id: bool,
    /// The `code` of every 429 (Zoho documents `TOO_MANY_REQUESTS`; another code lets a test
    /// check that a client keys on the status, not the code).
    pub rate_limit_code: String,
    /// How long a `Hang` fault holds the request.
    pub hang_duration: Duration,
    /// Timeout for the simulator's own calls to the PBX side (click-to-dial, call control).
    pub outbound_timeout: Duration,
    pub seed: SeedData,
    /// The answer for a record the caller may not see (unconfirmed, see [`InvisibleRecord`]).
    pub invisible_record: InvisibleRecord,
    /// Bearer secret of the `/_sim/` admin endpoints; `None`: loopback clients only.
    pub admin_token: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        Self {
            accounts_addr: loopback,
            api_addr: loopback,
            client_id: "1000.SIMCLIENT0000000000000000000001".into(),
            client_secret: "sim-client-secret-0123456789abcdef".into(),
            // The second is `ringbridge serve`'s own with its default
            // listen address, so the two started with their defaults work
            // together through the console's Zoho page.
            redirect_uris: vec![
                "http://127.0.0.1/oauth/callback".into(),
                "http://127.0.0.1:8080/console/zoho/callback".into(),
            ],
            auto_approve: true,
            oauth_user_email: None,
            location: "us".into(),
            edition: Edition::Enterprise,
            phone_match: PhoneMatchMode::DigitsEqual,
            strictness: PhoneBridgeStrictness::AsDocumented,
            auth_param_placement: AuthParamPlacement::Header,
            call_control_names: CallControlParamNames::default(),
            phonebridge_on_free: false,
            missed_call_needs_duration: false,
            refuse_unknown_fields: true,
            coql_adds_id: true,
            rate_limit_code: "TOO_MANY_REQUESTS".into(),
            hang_duration: Duration::from_secs(120),
            outbound_timeout: Duration::from_secs(5),
            seed: SeedData::sample(),
            admin_token: None,
            invisible_record: InvisibleRecord::NoPermission,
        }
    }
}
