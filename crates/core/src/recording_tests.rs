use chrono::{Duration, TimeZone, Utc};

use super::*;

fn key(id: &str, fill: u8) -> SigningKey {
    SigningKey::new(id, &[fill; 32]).expect("valid key")
}

fn capability() -> RecordingCapability {
    RecordingCapability {
        id: CapabilityId([7; 16]),
        call_key: "pbx:1767258000.42".into(),
        recording: Some(RecordingRef(
            "20260101090000-1767258000.42-5550101-1005-Inbound.wav".into(),
        )),
        issued_at: Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap(),
        expires_at: None,
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

#[test]
fn a_signed_link_verifies_to_the_same_capability() {
    let keys = RecordingKeys::new(key("k1", 1));
    let token = keys.sign(&capability());
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "URL-safe: {token}"
    );
    assert_eq!(keys.verify(&token, now()), Ok(capability()));

    let mut bare = capability();
    bare.recording = None;
    bare.expires_at = Some(now() + Duration::days(30));
    assert_eq!(keys.verify(&keys.sign(&bare), now()), Ok(bare));
}

#[test]
fn any_changed_byte_breaks_the_signature() {
    let keys = RecordingKeys::new(key("k1", 1));
    let bytes = URL_SAFE_NO_PAD.decode(keys.sign(&capability())).unwrap();
    // Past the version and key id, so the key is still found.
    for i in 4..bytes.len() {
        let mut altered = bytes.clone();
        altered[i] ^= 0x01;
        let token = URL_SAFE_NO_PAD.encode(&altered);
        assert_eq!(
            keys.verify(&token, now()),
            Err(CapabilityError::BadSignature),
            "byte {i}"
        );
    }
}

#[test]
fn a_link_cannot_be_moved_to_another_call() {
    let keys = RecordingKeys::new(key("k1", 1));
    let token = keys.sign(&capability());
    let mut other = capability();
    other.call_key = "pbx:1767258000.43".into();
    let other_token = keys.sign(&other);
    // Splice the other call's body onto this link's signature.
    let (a, b) = (
        URL_SAFE_NO_PAD.decode(&token).unwrap(),
        URL_SAFE_NO_PAD.decode(&other_token).unwrap(),
    );
    let mut spliced = b[..b.len() - TAG_LEN].to_vec();
    spliced.extend_from_slice(&a[a.len() - TAG_LEN..]);
    assert_eq!(
        keys.verify(&URL_SAFE_NO_PAD.encode(spliced), now()),
        Err(CapabilityError::BadSignature)
    );
}

#[test]
fn expiry_is_optional_and_enforced() {
    let keys = RecordingKeys::new(key("k1", 1));
    let mut expiring = capability();
    let at = now() - Duration::seconds(1);
    expiring.expires_at = Some(at);
    let token = keys.sign(&expiring);
    assert_eq!(
        keys.verify(&token, now()),
        Err(CapabilityError::Expired(at))
    );
    assert!(keys.verify(&token, at - Duration::seconds(1)).is_ok());
    // No expiry: still valid years later.
    let never = keys.sign(&capability());
    assert!(keys.verify(&never, now() + Duration::days(3650)).is_ok());
}

#[test]
fn rotated_keys_keep_old_links_until_dropped() {
    let old = RecordingKeys::new(key("k1", 1));
    let token = old.sign(&capability());
    let rotated = RecordingKeys::new(key("k2", 2)).with_previous(key("k1", 1));
    assert_eq!(rotated.verify(&token, now()), Ok(capability()));
    let fresh = rotated.sign(&capability());
    assert!(old.verify(&fresh, now()).is_err(), "signed with k2");

    let dropped = RecordingKeys::new(key("k2", 2));
    assert_eq!(
        dropped.verify(&token, now()),
        Err(CapabilityError::UnknownKey("k1".into()))
    );
    // Same id, other secret: a forgery attempt, not an unknown key.
    let impostor = RecordingKeys::new(key("k1", 9));
    assert_eq!(
        impostor.verify(&token, now()),
        Err(CapabilityError::BadSignature)
    );
}

#[test]
fn garbage_is_malformed() {
    let keys = RecordingKeys::new(key("k1", 1));
    let token = keys.sign(&capability());
    for bad in [
        "",
        "not base64 at all!",
        "AAAA",
        &token[..token.len() / 2],
        &"A".repeat(MAX_TOKEN_LEN + 1),
    ] {
        // A cut link may still decode; then its "signature" is wrong.
        let got = keys.verify(bad, now());
        assert!(
            matches!(
                got,
                Err(CapabilityError::Malformed | CapabilityError::BadSignature)
            ),
            "{bad:?}: {got:?}"
        );
    }
    let mut wrong_version = URL_SAFE_NO_PAD.decode(&token).unwrap();
    wrong_version[0] = 9;
    assert_eq!(
        keys.verify(&URL_SAFE_NO_PAD.encode(wrong_version), now()),
        Err(CapabilityError::Malformed)
    );
}

#[test]
fn long_fields_round_trip() {
    let keys = RecordingKeys::new(key("k1", 1));
    let mut long = capability();
    long.call_key = "x".repeat(300);
    long.recording = Some(RecordingRef("é".repeat(200)));
    assert_eq!(keys.verify(&keys.sign(&long), now()), Ok(long));
}

#[test]
fn keys_are_checked_and_never_printed() {
    assert_eq!(
        SigningKey::new("k1", &[1; 31]).err(),
        Some(SigningKeyError::ShortSecret)
    );
    assert_eq!(
        SigningKey::new("", &[1; 32]).err(),
        Some(SigningKeyError::BadId)
    );
    assert_eq!(
        SigningKey::new("k 1", &[1; 32]).err(),
        Some(SigningKeyError::BadId)
    );
    let secret = STANDARD_NO_PAD.encode([0xab; 32]);
    let parsed = SigningKey::from_base64("k1", &format!("{secret}=")).expect("padded");
    assert_eq!(parsed.id(), "k1");
    assert_eq!(
        SigningKey::from_base64("k1", "%%%").err(),
        Some(SigningKeyError::NotBase64)
    );
    let shown = format!("{:?}", RecordingKeys::new(parsed));
    assert!(shown.contains("k1") && !shown.contains("ab"), "{shown}");
}

#[test]
fn capability_ids_print_and_parse_as_hex() {
    let id = CapabilityId([0x0f; 16]);
    assert_eq!(id.to_string(), "0f".repeat(16));
    assert_eq!(CapabilityId::parse(&id.to_string()), Some(id));
    assert_eq!(CapabilityId::parse("0f"), None);
    assert_eq!(CapabilityId::parse(&"zz".repeat(16)), None);
}
