//! `ringbridge sim zoho`: command-line arguments and a serve-until-Ctrl-C runner.

use std::net::SocketAddr;

use crate::SimZoho;
use crate::config::{
    AuthParamPlacement, Edition, InvisibleRecord, PhoneBridgeStrictness, PhoneMatchMode, SimConfig,
};
use crate::error::SimError;

/// Arguments of the Zoho simulator command.
#[derive(Debug, Clone, clap::Args)]
pub struct SimZohoArgs {
    /// Accounts server listen address.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub accounts_listen: SocketAddr,
    /// API domain listen address.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub api_listen: SocketAddr,
    /// OAuth client id (default: a fixed simulator id).
    #[arg(long)]
    pub client_id: Option<String>,
    /// OAuth client secret (default: a fixed simulator secret).
    #[arg(long)]
    pub client_secret: Option<String>,
    /// Registered redirect URI (repeatable).
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// Approve every authorization at once (for scripts and tests); without
    /// it a person sees Zoho's consent page and accepts or denies.
    #[arg(long)]
    pub auto_approve: bool,
    /// E-mail of the user who "signs in" at consent (default: the first active user).
    #[arg(long)]
    pub oauth_user_email: Option<String>,
    /// `location` sent back with the grant code (`us`, `eu`, `in`, ...).
    #[arg(long, default_value = "us")]
    pub location: String,
    /// CRM edition (credits and concurrency); default: the fixture's, else enterprise.
    #[arg(long, value_enum)]
    pub edition: Option<Edition>,
    /// How phone search matches numbers.
    #[arg(long, value_enum, default_value_t = PhoneMatchMode::DigitsEqual)]
    pub phone_match: PhoneMatchMode,
    /// Which PhoneBridge call states are accepted.
    #[arg(long, value_enum, default_value_t = PhoneBridgeStrictness::AsDocumented)]
    pub strictness: PhoneBridgeStrictness,
    /// Where the authorization value goes when the simulator calls the PBX
    /// side (click-to-dial, call control): Zoho's choice is unconfirmed.
    #[arg(long, value_enum, default_value_t = AuthParamPlacement::Header)]
    pub auth_param_placement: AuthParamPlacement,
    /// Allow PhoneBridge on the Free edition (unconfirmed either way).
    #[arg(long)]
    pub phonebridge_on_free: bool,
    /// Refuse Missed calls without `Call_Duration` (unconfirmed either way).
    #[arg(long)]
    pub missed_call_needs_duration: bool,
    /// Ignore write keys that name no field of the module (default: INVALID_DATA).
    #[arg(long)]
    pub ignore_unknown_fields: bool,
    /// Inject a fault into API requests (repeatable): `too-many-requests`, `internal-error`,
    /// `hang`, `slow-<ms>`, `apply-then-drop` or `apply-then-hang`, with an optional
    /// `:<percent>` of requests (default 100).
    #[arg(long = "fault", value_name = "KIND[:PERCENT]")]
    pub faults: Vec<crate::cli_faults::FaultSpec>,
    /// Seed of the choice of faulty requests (same seed, same requests).
    #[arg(long, default_value_t = 1)]
    pub fault_seed: u64,
    /// The org, its sharing and the admin endpoints (boxed: keeps the `ringbridge`
    /// command enum small).
    #[command(flatten)]
    pub org: Box<SimZohoOrgArgs>,
}

/// `sim zoho` arguments about the org served and the `/_sim/` admin endpoints.
#[derive(Debug, Clone, clap::Args)]
pub struct SimZohoOrgArgs {
    /// The org to serve, from a TOML file (users, roles, profiles, sharing, records,
    /// edition, time zone; see examples/zoho-fixture.toml). Default: the built-in org.
    #[arg(long, value_name = "FILE")]
    pub fixture: Option<std::path::PathBuf>,
    /// Secret for the `/_sim/` admin endpoints (`Authorization: Bearer <token>`); without
    /// it they answer only requests from loopback addresses.
    #[arg(long, value_name = "TOKEN")]
    pub admin_token: Option<String>,
    /// How reading a record the caller's role may not see answers (unconfirmed).
    #[arg(long, value_enum, default_value_t = InvisibleRecord::NoPermission)]
    pub invisible_record: InvisibleRecord,
    /// COQL rows hold only the selected fields (default: `id` is added unasked, as in
    /// Zoho's examples; unconfirmed).
    #[arg(long)]
    pub coql_selected_only: bool,
    /// The `code` of 429 answers (Zoho documents `TOO_MANY_REQUESTS`).
    #[arg(long, value_name = "CODE", default_value = "TOO_MANY_REQUESTS")]
    pub rate_limit_code: String,
}

impl SimZohoArgs {
    /// The `--fault` rules, seeded with `--fault-seed`.
    pub fn fault_rules(&self) -> Vec<crate::FaultRule> {
        self.faults
            .iter()
            .map(|f| f.rule(self.fault_seed))
            .collect()
    }

    pub fn to_config(&self) -> SimConfig {
        let mut c = SimConfig {
            accounts_addr: self.accounts_listen,
            api_addr: self.api_listen,
            auto_approve: self.auto_approve,
            oauth_user_email: self.oauth_user_email.clone(),
            location: self.location.clone(),
            edition: self.edition.unwrap_or(Edition::Enterprise),
            admin_token: self.org.admin_token.clone(),
            invisible_record: self.org.invisible_record,
            phone_match: self.phone_match,
            strictness: self.strictness,
            auth_param_placement: self.auth_param_placement,
            phonebridge_on_free: self.phonebridge_on_free,
            missed_call_needs_duration: self.missed_call_needs_duration,
            refuse_unknown_fields: !self.ignore_unknown_fields,
            coql_adds_id: !self.org.coql_selected_only,
            rate_limit_code: self.org.rate_limit_code.clone(),
            ..SimConfig::default()
        };
        if let Some(id) = &self.client_id {
            c.client_id.clone_from(id);
        }
        if let Some(s) = &self.client_secret {
            c.client_secret.clone_from(s);
        }
        if !self.redirect_uris.is_empty() {
            c.redirect_uris.clone_from(&self.redirect_uris);
        }
        c
    }
}

impl SimZohoArgs {
    /// [`Self::to_config`] plus the `--fixture` file's org (its edition unless `--edition`
    /// is given).
    pub fn load_config(&self) -> Result<SimConfig, SimError> {
        let mut c = self.to_config();
        if let Some(path) = &self.org.fixture {
            let f = crate::Fixture::load(path)?;
            c.seed = f.seed;
            c.edition = self.edition.or(f.edition).unwrap_or(Edition::Enterprise);
        }
        Ok(c)
    }
}

/// Scopes of the printed ready-made token (scopes as in docs/zoho-api.md §1.4, plus PhoneBridge).
const ALL_SCOPES: [&str; 5] = [
    "ZohoCRM.modules.ALL",
    "ZohoCRM.settings.ALL",
    "ZohoCRM.users.READ,ZohoCRM.org.READ",
    "ZohoCRM.coql.READ,ZohoSearch.securesearch.READ",
    "PhoneBridge.call.log",
];

/// Starts the simulator, prints its URLs and credentials, serves until Ctrl-C.
pub async fn run(args: SimZohoArgs) -> Result<(), SimError> {
    let sim = SimZoho::start(args.load_config()?).await?;
    for (spec, rule) in args.faults.iter().zip(args.fault_rules()) {
        sim.inject_fault(rule);
        println!(
            "  fault           : {} on {}% of API requests",
            spec.fault.name(),
            spec.percent
        );
    }
    let scopes: Vec<&str> = ALL_SCOPES.iter().flat_map(|s| s.split(',')).collect();
    let t = sim.issue_tokens(&scopes);
    println!("Zoho simulator running");
    println!("  accounts server : {}", sim.accounts_url());
    println!("  API domain      : {}", sim.api_url());
    println!("  web view        : {}/_sim/", sim.api_url());
    let guard = if args.org.admin_token.is_some() {
        "Authorization: Bearer <--admin-token>"
    } else {
        "loopback clients only"
    };
    println!(
        "  admin endpoints : {}/_sim/requests, /_sim/counts, /_sim/faults, /_sim/tokens, /_sim/layout ({guard})",
        sim.api_url()
    );
    println!("  client id       : {}", sim.client_id());
    println!("  client secret   : {}", sim.client_secret());
    println!(
        "  redirect URIs   : {}",
        sim.config().redirect_uris.join(", ")
    );
    let consent = if sim.config().auto_approve {
        "approved at once (--auto-approve)"
    } else {
        "a consent page to accept or deny"
    };
    println!("  authorization   : {consent}");
    println!("  refresh token   : {}", t.refresh_token);
    println!("  access token    : {}", t.access_token);
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await.map_err(SimError::Serve)?;
    sim.shutdown().await;
    Ok(())
}
