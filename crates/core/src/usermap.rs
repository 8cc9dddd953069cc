//! Which CRM user owns calls on which extension. Matched by e-mail where
//! both sides have one; the admin can override any pair.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::crm::CrmUser;
use crate::pbx::Extension;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappedUser {
    pub crm_user_id: String,
    pub name: String,
    /// Set by an admin rather than matched by e-mail.
    pub manual: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserMap {
    by_extension: BTreeMap<String, MappedUser>,
}

impl UserMap {
    /// Matches active CRM users to extensions by e-mail (case-insensitive),
    /// keeping manual pairs from `previous` as they are.
    pub fn match_by_email(extensions: &[Extension], users: &[CrmUser], previous: &UserMap) -> Self {
        let mut by_extension: BTreeMap<String, MappedUser> = previous
            .by_extension
            .iter()
            .filter(|(_, m)| m.manual)
            .map(|(e, m)| (e.clone(), m.clone()))
            .collect();
        for ext in extensions {
            if by_extension.contains_key(&ext.number) {
                continue;
            }
            let Some(email) = ext
                .email
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty())
            else {
                continue;
            };
            if let Some(user) = users.iter().find(|u| {
                u.active
                    && u.email
                        .as_deref()
                        .is_some_and(|ue| ue.trim().eq_ignore_ascii_case(email))
            }) {
                by_extension.insert(
                    ext.number.clone(),
                    MappedUser {
                        crm_user_id: user.id.clone(),
                        name: user.name.clone(),
                        manual: false,
                    },
                );
            }
        }
        Self { by_extension }
    }

    pub fn set_manual(&mut self, extension: &str, user: &CrmUser) {
        self.by_extension.insert(
            extension.to_owned(),
            MappedUser {
                crm_user_id: user.id.clone(),
                name: user.name.clone(),
                manual: true,
            },
        );
    }

    pub fn remove(&mut self, extension: &str) {
        self.by_extension.remove(extension);
    }

    pub fn user_for(&self, extension: &str) -> Option<&MappedUser> {
        self.by_extension.get(extension)
    }

    pub fn extension_of(&self, crm_user_id: &str) -> Option<&str> {
        self.by_extension
            .iter()
            .find(|(_, m)| m.crm_user_id == crm_user_id)
            .map(|(e, _)| e.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &MappedUser)> {
        self.by_extension.iter().map(|(e, m)| (e.as_str(), m))
    }

    pub fn len(&self) -> usize {
        self.by_extension.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_extension.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(number: &str, email: Option<&str>) -> Extension {
        Extension {
            number: number.into(),
            name: number.into(),
            email: email.map(Into::into),
            mobile: None,
        }
    }

    fn user(id: &str, email: &str, active: bool) -> CrmUser {
        CrmUser {
            id: id.into(),
            email: Some(email.into()),
            name: format!("User {id}"),
            active,
        }
    }

    #[test]
    fn matches_by_email_and_keeps_manual_pairs() {
        let users = [
            user("u1", "Maya@Corp.test", true),
            user("u2", "old@corp.test", false),
            user("u3", "lee@corp.test", true),
        ];
        let exts = [
            ext("1005", Some("maya@corp.test")),
            ext("1006", Some("old@corp.test")),
            ext("1007", None),
        ];
        let mut map = UserMap::match_by_email(&exts, &users, &UserMap::default());
        assert_eq!(map.user_for("1005").unwrap().crm_user_id, "u1");
        assert!(
            map.user_for("1006").is_none(),
            "inactive users are not mapped"
        );
        map.set_manual("1007", &users[2]);
        let again = UserMap::match_by_email(&exts, &users, &map);
        assert_eq!(
            again.user_for("1007").unwrap().crm_user_id,
            "u3",
            "manual pairs survive a re-match"
        );
        assert_eq!(again.extension_of("u1"), Some("1005"));
    }
}
