//! The `sim zoho` command-line arguments.

use clap::Parser;
use ringbridge_sim_zoho::{AuthParamPlacement, Edition, PhoneMatchMode, SimZohoArgs};

#[derive(Parser)]
struct Cmd {
    #[command(flatten)]
    args: SimZohoArgs,
}

#[test]
fn args_map_to_config() {
    let cmd = Cmd::parse_from([
        "sim",
        "--api-listen",
        "127.0.0.1:18080",
        "--client-id",
        "1000.ABC",
        "--redirect-uri",
        "http://127.0.0.1:8080/zoho/callback",
        "--auto-approve",
        "--edition",
        "free",
        "--phone-match",
        "digits-suffix",
        "--location",
        "eu",
        "--auth-param-placement",
        "param",
        "--phonebridge-on-free",
        "--missed-call-needs-duration",
        "--oauth-user-email",
        "john@zylker.example",
        "--coql-selected-only",
        "--rate-limit-code",
        "LIMIT_EXCEEDED",
    ]);
    let c = cmd.args.to_config();
    assert_eq!(c.api_addr.port(), 18080);
    assert_eq!(c.accounts_addr.port(), 0);
    assert_eq!(c.client_id, "1000.ABC");
    assert_eq!(c.redirect_uris, ["http://127.0.0.1:8080/zoho/callback"]);
    assert!(c.auto_approve);
    assert_eq!(c.edition, Edition::Free);
    assert_eq!(c.phone_match, PhoneMatchMode::DigitsSuffix);
    assert_eq!(c.location, "eu");
    assert_eq!(c.auth_param_placement, AuthParamPlacement::Param);
    assert!(c.phonebridge_on_free && c.missed_call_needs_duration);
    assert_eq!(c.oauth_user_email.as_deref(), Some("john@zylker.example"));
    assert!(!c.coql_adds_id);
    assert_eq!(c.rate_limit_code, "LIMIT_EXCEEDED");
    let defaults = Cmd::parse_from(["sim"]).args.to_config();
    assert!(!defaults.auto_approve, "a person sees the consent page");
    assert_eq!(defaults.edition, Edition::Enterprise);
    assert_eq!(defaults.location, "us");
    assert_eq!(defaults.auth_param_placement, AuthParamPlacement::Header);
    assert!(!defaults.phonebridge_on_free && !defaults.missed_call_needs_duration);
    assert!(defaults.coql_adds_id);
    assert_eq!(defaults.rate_limit_code, "TOO_MANY_REQUESTS");
}

/// Every fault the tests inject can be asked for on the command line.
#[tokio::test]
async fn faults_from_the_command_line_hit_api_requests() {
    let cmd = Cmd::parse_from([
        "sim",
        "--fault",
        "internal-error:100",
        "--fault",
        "too-many-requests:50",
        "--fault-seed",
        "7",
    ]);
    assert_eq!(cmd.args.faults.len(), 2);
    assert!(
        Cmd::try_parse_from(["sim", "--fault", "explode"]).is_err(),
        "unknown kinds are refused"
    );
    let h = crate::H::with(cmd.args.to_config()).await;
    for rule in cmd.args.fault_rules() {
        h.sim.inject_fault(rule);
    }
    let r = h.get("/crm/v8/Leads?fields=Last_Name").await;
    crate::assert_error(&r, 500, "INTERNAL_ERROR");
    assert_eq!(h.sim.injected_faults().get("internal_error"), Some(&1));
}
