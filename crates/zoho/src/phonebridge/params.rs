//! PhoneBridge's JSON-like parameter strings with unquoted keys and values:
//! `{name:x,value:y}` (authorizationparam) and `[{name:a,value:b}, ...]`
//! (clicktodialparam, callcontrolparam), as in Zoho's v3 examples.
//!
//! Zoho documents no escaping for this format, so characters that could change
//! its structure (`{}[],:`, quotes, backslash, control characters) are refused
//! instead of escaped.

use secrecy::{ExposeSecret, SecretString};

use crate::error::{Result, ZohoError};

/// A parameter value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    Text(String),
    /// Zoho's placeholder `'{to}'`, replaced by the callee number on click-to-dial.
    CalleeNumber,
}

/// One `{name:..,value:..}` pair Zoho echoes back to us as `name=value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub value: ParamValue,
}

impl Param {
    pub fn text(name: &str, value: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: ParamValue::Text(value.to_owned()),
        }
    }

    pub fn callee_number(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: ParamValue::CalleeNumber,
        }
    }
}

/// Where Zoho puts our shared secret when it calls us: header or parameter `name`.
#[derive(Clone)]
pub struct AuthorizationParam {
    pub name: String,
    pub value: SecretString,
}

impl std::fmt::Debug for AuthorizationParam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationParam")
            .field("name", &self.name)
            .field("value", &"[REDACTED]")
            .finish()
    }
}

impl AuthorizationParam {
    /// A fresh random secret (48 alphanumeric characters: safe in this format and in headers).
    pub fn random(name: &str) -> Self {
        use rand::Rng;
        use rand::distr::Alphanumeric;
        let secret: String = rand::rng()
            .sample_iter(Alphanumeric)
            .take(48)
            .map(char::from)
            .collect();
        Self {
            name: name.to_owned(),
            value: SecretString::from(secret),
        }
    }
}

fn check_name(name: &str) -> Result<&str> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        Ok(name)
    } else {
        Err(ZohoError::InvalidInput(format!(
            "PhoneBridge parameter name {name:?} may only hold letters, digits, `_-.`"
        )))
    }
}

fn check_value(value: &str) -> Result<&str> {
    const FORBIDDEN: &[char] = &['{', '}', '[', ']', ',', ':', '\'', '"', '\\'];
    if value.is_empty() || value.trim() != value {
        return Err(ZohoError::InvalidInput(
            "PhoneBridge parameter value is empty or padded with spaces".into(),
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|c| FORBIDDEN.contains(c) || c.is_control())
    {
        return Err(ZohoError::InvalidInput(format!(
            "PhoneBridge parameter value contains {c:?}, which breaks Zoho's format"
        )));
    }
    Ok(value)
}

fn render_value(v: &ParamValue) -> Result<String> {
    match v {
        ParamValue::Text(t) => Ok(check_value(t)?.to_owned()),
        ParamValue::CalleeNumber => Ok("'{to}'".to_owned()),
    }
}

/// `{name:x,value:y}`.
pub fn format_object(p: &Param) -> Result<String> {
    Ok(format!(
        "{{name:{},value:{}}}",
        check_name(&p.name)?,
        render_value(&p.value)?
    ))
}

/// `[{name:a,value:b}, {name:c,value:d}]`.
pub fn format_array(params: &[Param]) -> Result<String> {
    let items = params
        .iter()
        .map(format_object)
        .collect::<Result<Vec<_>>>()?;
    Ok(format!("[{}]", items.join(", ")))
}

/// The `authorizationparam` string (the only place the secret is exposed).
pub fn format_authorization(a: &AuthorizationParam) -> Result<String> {
    Ok(format!(
        "{{name:{},value:{}}}",
        check_name(&a.name)?,
        check_value(a.value.expose_secret())?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_zohos_examples() {
        assert_eq!(
            format_object(&Param::text("pbxuserid", "pbxuser1234")).expect("ok"),
            "{name:pbxuserid,value:pbxuser1234}"
        );
        assert_eq!(
            format_array(&[
                Param::text("pbxuserid", "pbxuser1234"),
                Param::text("emailaddress", "xyz@pbx.com")
            ])
            .expect("ok"),
            "[{name:pbxuserid,value:pbxuser1234}, {name:emailaddress,value:xyz@pbx.com}]"
        );
        assert_eq!(
            format_array(&[Param::callee_number("callee")]).expect("ok"),
            "[{name:callee,value:'{to}'}]"
        );
        assert_eq!(format_array(&[]).expect("ok"), "[]");
        let a = AuthorizationParam {
            name: "X-Ringbridge-Token".into(),
            value: "s3cr3t".into(),
        };
        assert_eq!(
            format_authorization(&a).expect("ok"),
            "{name:X-Ringbridge-Token,value:s3cr3t}"
        );
        assert!(!format!("{a:?}").contains("s3cr3t"));
    }

    #[test]
    fn refuses_structure_breaking_characters() {
        for bad in [
            "a,b",
            "a:b",
            "a}b",
            "{x",
            "a]",
            "it's",
            "q\"",
            "back\\slash",
            "line\nbreak",
            "",
            " pad",
        ] {
            assert!(
                format_object(&Param::text("n", bad)).is_err(),
                "{bad:?} must be refused"
            );
        }
        for bad in ["", "a b", "a:b", "ä"] {
            assert!(
                format_object(&Param::text(bad, "v")).is_err(),
                "name {bad:?} must be refused"
            );
        }
        assert!(format_object(&Param::text("ext", "1001")).is_ok());
        assert!(format_object(&Param::text("email", "a.b+c@x-y.com")).is_ok());
    }

    #[test]
    fn random_secrets_fit_the_format() {
        let a = AuthorizationParam::random("tok");
        assert_eq!(a.value.expose_secret().len(), 48);
        assert!(format_authorization(&a).is_ok());
        assert_ne!(
            a.value.expose_secret(),
            AuthorizationParam::random("tok").value.expose_secret()
        );
    }
}
