use super::*;

/// A UK PBX whose users dial 9 for an outside line.
fn gb() -> NumberPlan {
    NumberPlan::new("GB")
        .unwrap()
        .with_outside_line_prefixes(&["9"])
}

fn check(policy: &DialPolicy, typed: &str) -> Result<(), DialRefusal> {
    policy.check(&gb(), typed)
}

#[test]
fn a_domestic_number_is_allowed() {
    let policy = DialPolicy::default();
    assert_eq!(check(&policy, "020 7946 0000"), Ok(()));
    assert_eq!(check(&policy, "+44 7700 900123"), Ok(()));
}

#[test]
fn a_foreign_country_is_refused_unless_listed() {
    let refused = check(&DialPolicy::default(), "+1 415 555 0123").unwrap_err();
    assert_eq!(refused.code(), "dial_country_not_allowed");
    assert!(matches!(&refused, DialRefusal::Country { country, .. } if country == "US"));

    let listed = DialPolicy {
        allowed_countries: vec!["gb".into(), "US".into()],
        ..DialPolicy::default()
    };
    assert_eq!(check(&listed, "+1 415 555 0123"), Ok(()));
    // +1 is shared: Jamaica is not the US.
    let refused = check(&listed, "+1 876 555 0123").unwrap_err();
    assert!(matches!(&refused, DialRefusal::Country { country, .. } if country == "JM"));
    let anywhere = DialPolicy {
        allowed_countries: vec!["*".into()],
        ..DialPolicy::default()
    };
    assert_eq!(check(&anywhere, "+1 876 555 0123"), Ok(()));
}

#[test]
fn premium_rate_and_shared_cost_numbers_are_refused_by_default() {
    let policy = DialPolicy::default();
    for typed in ["0909 879 0000", "+44 909 879 0000", "9 0909 879 0000"] {
        let refused = check(&policy, typed).unwrap_err();
        assert_eq!(
            refused,
            DialRefusal::NumberType {
                number: E164::parse("+449098790000").unwrap(),
                kind: NumberKind::PremiumRate,
            },
            "{typed}"
        );
        assert_eq!(refused.code(), "dial_number_type_blocked");
    }
    // The UK has no shared-cost range; France does.
    let france = NumberPlan::new("FR").unwrap();
    let shared = policy.check(&france, "08 84 01 23 45").unwrap_err();
    assert!(matches!(
        shared,
        DialRefusal::NumberType {
            kind: NumberKind::SharedCost,
            ..
        }
    ));
    // Unblocked, the type no longer matters.
    let open = DialPolicy {
        blocked_types: Vec::new(),
        ..DialPolicy::default()
    };
    assert_eq!(check(&open, "0909 879 0000"), Ok(()));
}

#[test]
fn an_allowed_prefix_wins_over_the_type_and_the_country() {
    let policy = DialPolicy {
        allow_prefixes: vec!["+4490987".into(), "+1415".into()],
        ..DialPolicy::default()
    };
    assert_eq!(check(&policy, "0909 879 0000"), Ok(()));
    assert_eq!(check(&policy, "+1 415 555 0123"), Ok(()));
    assert!(
        check(&policy, "0909 111 0000").is_err(),
        "other premium numbers stay refused"
    );
}

#[test]
fn a_denied_prefix_wins_over_everything() {
    let policy = DialPolicy {
        deny_prefixes: vec!["+4420".into()],
        allow_prefixes: vec!["+442079".into()],
        ..DialPolicy::default()
    };
    let refused = check(&policy, "020 7946 0000").unwrap_err();
    assert_eq!(refused.code(), "dial_prefix_denied");
    assert!(matches!(&refused, DialRefusal::DeniedPrefix { prefix, .. } if prefix == "+4420"));
    assert_eq!(
        check(&policy, "0161 496 0000"),
        Ok(()),
        "Manchester is not London"
    );
}

#[test]
fn extensions_and_short_numbers_are_never_affected() {
    let strict = DialPolicy {
        allowed_countries: vec!["FR".into()],
        deny_prefixes: vec!["+1".into(), "+44".into()],
        ..DialPolicy::default()
    };
    for typed in ["1005", "*72", "999", "101"] {
        assert_eq!(check(&strict, typed), Ok(()), "{typed}");
    }
}

#[test]
fn without_a_pbx_country_no_country_is_refused_but_types_still_are() {
    let policy = DialPolicy::default();
    let plan = NumberPlan::default();
    assert_eq!(policy.check(&plan, "+1 415 555 0123"), Ok(()));
    assert!(policy.check(&plan, "+44 909 879 0000").is_err());
}

#[test]
fn malformed_countries_and_prefixes_are_configuration_errors() {
    let bad_country = DialPolicy {
        allowed_countries: vec!["UK".into()],
        ..DialPolicy::default()
    };
    assert_eq!(
        bad_country.validate(),
        Err(DialPolicyError::UnknownCountry("UK".into()))
    );
    for prefix in ["44", "+", "+44 20"] {
        let bad = DialPolicy {
            deny_prefixes: vec![prefix.into()],
            ..DialPolicy::default()
        };
        assert_eq!(
            bad.validate(),
            Err(DialPolicyError::BadPrefix(prefix.into()))
        );
    }
    assert_eq!(DialPolicy::default().validate(), Ok(()));
}
