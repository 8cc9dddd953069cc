use super::*;
use crate::timefmt::PbxZone;

fn error_of(text: &str) -> (usize, usize, String) {
    match CompanyFile::from_toml(text) {
        Err(CompanyError::Invalid {
            line,
            column,
            message,
        }) => (line, column, message),
        other => panic!("expected a placed error, got {other:?}"),
    }
}

const SMALL: &str = r#"
[pbx]
firmware = "83.14.0.22"
time_zone = "Europe/Berlin"
display_format = "DD/MM/YYYY HH:mm:ss"

[[extensions]]
number = "200"
name = "Jonas Weber"
email = "jonas@office.test"

[[extensions]]
number = "201"

[[ring_groups]]
number = "600"
name = "Front desk"
members = ["200", "201"]

[[trunks]]
name = "Telekom"
dids = [{ number = "030555100", name = "Zentrale" }, { number = "030555199" }]
"#;

#[test]
fn the_builtin_company_is_the_demo_office() {
    let c = CompanyFile::builtin().company;
    assert_eq!(c.extensions.len(), 8);
    let nameless = &c.extensions[7];
    assert_eq!(
        (nameless.number.as_str(), nameless.caller_id_name.as_str()),
        ("1008", "")
    );
    assert!(!nameless.outbound_allowed);
    assert_eq!(c.extensions[4].mobile_number, "+1 555 0100");
    assert_eq!(c.ring_groups[0].members, ["1005", "1006", "1007"]);
    assert_eq!(c.queues[0].agents, ["1002", "1003", "1004"]);
    assert_eq!(c.trunks[0].did_name("8800"), "Main line");
    assert!(!c.trunks[1].monitored);
    assert_eq!(c.phonebooks[1].contacts, [1], "Suppliers holds Tom Reyes");
    assert_eq!(CompanyFile::builtin().pbx, PbxIdentity::default());
}

#[test]
fn a_file_sets_the_device_and_the_company() {
    let file = CompanyFile::from_toml(SMALL).expect("parses");
    let s = file.apply(SimSettings::default());
    assert_eq!(s.firmware_version, "83.14.0.22");
    assert_eq!(s.zone(), PbxZone::Iana(chrono_tz::Europe::Berlin));
    assert!(!s.display_format.hour12);
    let ids: Vec<u32> = s.company.extensions.iter().map(|e| e.id).collect();
    assert_eq!(ids, [101, 102], "ids are assigned when absent");
    let unnamed = &s.company.extensions[1];
    assert_eq!(unnamed.role_name, "Employee");
    assert!(unnamed.online.sip_phone && !unnamed.online.linkus_desktop);
    let trunk = &s.company.trunks[0];
    assert!(trunk.monitored);
    assert_eq!(trunk.default_did(), "030555100");
    assert_eq!(
        trunk.dod_number, "030555100",
        "outbound caller ID: the first DID"
    );
    assert_eq!(trunk.did_name("030555199"), "");
    // Nothing of the demo office is left.
    assert!(s.company.contacts.is_empty() && s.company.queues.is_empty());
}

#[test]
fn an_edition_rewrites_model_and_firmware() {
    let file = CompanyFile::from_toml("[pbx]\nfirmware = \"37.14.0.5\"\nedition = \"cloud\"")
        .expect("parses");
    let s = file.apply(SimSettings::default());
    assert_eq!(s.firmware_version, "84.14.0.5");
    assert_eq!(s.model_name, "Yeastar P-Series Cloud Edition");
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let (line, column, message) =
        error_of("[[extensions]]\nnumber = \"200\"\nemial = \"jonas@office.test\"\n");
    assert_eq!((line, column), (3, 1));
    assert!(message.contains("emial"), "{message}");
}

#[test]
fn a_bad_time_zone_or_display_format_is_placed() {
    let (line, _, message) = error_of("[pbx]\nfirmware = \"1\"\ntime_zone = \"Europe/Berln\"");
    assert_eq!(line, 3);
    assert!(message.contains("Europe/Berln"), "{message}");
    let (line, _, message) = error_of("[pbx]\ndisplay_format = \"DD.MM.YYYY\"");
    assert_eq!(line, 2);
    assert!(message.contains("DD.MM.YYYY"), "{message}");
}

#[test]
fn a_syntax_error_is_placed() {
    let (line, _, _) = error_of("[[extensions]]\nnumber = \"200\n");
    assert_eq!(line, 2);
}

#[test]
fn a_member_that_is_not_an_extension_is_placed() {
    let text = SMALL.replace(r#"members = ["200", "201"]"#, r#"members = ["200", "299"]"#);
    let (line, column, message) = error_of(&text);
    assert_eq!(line, 18);
    assert_eq!(column, 19, "points at \"299\"");
    assert!(
        message.contains("299") && message.contains("600"),
        "{message}"
    );
}

#[test]
fn numbers_must_be_unique() {
    let text = SMALL.replace("number = \"201\"", "number = \"200\"");
    let (line, _, message) = error_of(&text);
    assert_eq!(line, 13);
    assert!(message.contains("200"), "{message}");
    // A ring group cannot take an extension's number either.
    let text = SMALL.replace("number = \"600\"", "number = \"201\"");
    let (line, _, message) = error_of(&text);
    assert_eq!(line, 16);
    assert!(message.contains("already used"), "{message}");
}

#[test]
fn references_and_enumerations_are_checked() {
    let (line, _, message) =
        error_of("[[contacts]]\nlast_name = \"Brandt\"\nphonebooks = [\"Suppliers\"]\n");
    assert_eq!(line, 3);
    assert!(message.contains("Suppliers"), "{message}");
    let (line, _, message) =
        error_of("[[contacts]]\nnumbers = [{ type = \"fax\", number = \"1\" }]\n");
    assert_eq!(line, 2);
    assert!(message.contains("fax"), "{message}");
    let (line, _, message) =
        error_of("[[extensions]]\nnumber = \"1\"\nonline = [\"sip_phone\", \"pager\"]\n");
    assert_eq!(line, 3);
    assert!(message.contains("pager"), "{message}");
}

#[test]
fn a_missing_file_names_its_path() {
    let err = CompanyFile::load(Path::new("no-such-company.toml")).expect_err("missing");
    assert!(err.to_string().contains("no-such-company.toml"), "{err}");
}
