//! The `sim zoho` command-line arguments.

use clap::Parser;
use ringbridge_sim_zoho::{Edition, PhoneMatchMode, SimZohoArgs};

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
        "--consent-page",
        "--edition",
        "free",
        "--phone-match",
        "digits-suffix",
    ]);
    let c = cmd.args.to_config();
    assert_eq!(c.api_addr.port(), 18080);
    assert_eq!(c.accounts_addr.port(), 0);
    assert_eq!(c.client_id, "1000.ABC");
    assert_eq!(c.redirect_uris, ["http://127.0.0.1:8080/zoho/callback"]);
    assert!(!c.auto_approve);
    assert_eq!(c.edition, Edition::Free);
    assert_eq!(c.phone_match, PhoneMatchMode::DigitsSuffix);
    let defaults = Cmd::parse_from(["sim"]).args.to_config();
    assert!(defaults.auto_approve);
    assert_eq!(defaults.edition, Edition::Enterprise);
}
