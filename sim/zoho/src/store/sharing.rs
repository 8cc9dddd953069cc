//! Zoho's data-sharing model: who may see and create which records.
//!
//! As Zoho's help on roles and data sharing describes it (docs/zoho-api.md §10): a **role
//! hierarchy** (a user sees the records owned by users in the roles below their own, and
//! peers' records only when the role shares with peers), an **organisation-wide default**
//! per module (Private, Public Read Only, Public Read/Write, Public Read/Write/Delete),
//! **record ownership**, and **profiles** granting per-module permissions (view, create,
//! edit, delete). Under Private not even an administrator sees a record unless they own it
//! or sit above its owner. docs/zoho-assumptions.md lists the choices the simulator makes
//! where the help leaves one.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Deserialize;
use serde_json::{Value, json};

use super::module::Module;
use super::{Record, Store, User};
use crate::error::ApiError;

/// The organisation-wide default access of a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Only the owner and the users above the owner in the role hierarchy.
    Private,
    /// Everyone sees; only the owner and superiors change.
    PublicReadOnly,
    /// Everyone sees and edits; only the owner and superiors delete.
    PublicReadWrite,
    /// Everyone sees, edits and deletes.
    PublicReadWriteDelete,
}

/// A permission a profile grants on a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Perm {
    View,
    Create,
    Edit,
    Delete,
}

impl Perm {
    /// The word of Zoho's permission names (`Crm_Implied_View_Leads`).
    fn word(self) -> &'static str {
        match self {
            Self::View => "View",
            Self::Create => "Create",
            Self::Edit => "Edit",
            Self::Delete => "Delete",
        }
    }
}

/// A role; `reports_to` names the role directly above it (none: the top).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    pub reports_to: Option<String>,
    /// Zoho's "Share Data with Peers": users of this role see each other's records.
    pub share_with_peers: bool,
}

/// A profile: what its users may do per module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// Modules not listed have no permission at all.
    pub modules: BTreeMap<Module, BTreeSet<Perm>>,
}

/// Roles, profiles and module defaults of an org. The default (no roles, no profiles, every
/// module public) lets every user see and do everything, as before sharing was modelled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sharing {
    pub roles: Vec<Role>,
    /// Profiles named by users but not listed here grant every permission.
    pub profiles: Vec<Profile>,
    /// Modules not listed are Public Read/Write/Delete (so an org without sharing settings
    /// behaves as before they were modelled; Zoho's own default is Private).
    pub defaults: BTreeMap<Module, Access>,
}

impl Sharing {
    pub fn access(&self, module: Module) -> Access {
        self.defaults
            .get(&module)
            .copied()
            .unwrap_or(Access::PublicReadWriteDelete)
    }

    fn role(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.name == name)
    }

    fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// Whether `role` sits strictly above `other` in the hierarchy.
    fn above(&self, role: &str, other: &str) -> bool {
        let mut seen = HashSet::new();
        let mut at = self.role(other).and_then(|r| r.reports_to.as_deref());
        while let Some(up) = at {
            if up == role {
                return true;
            }
            if !seen.insert(up) {
                return false;
            }
            at = self.role(up).and_then(|r| r.reports_to.as_deref());
        }
        false
    }

    /// Every `reports_to` names a listed role and the hierarchy has no cycle.
    pub fn check(&self) -> Result<(), String> {
        for r in &self.roles {
            if let Some(up) = &r.reports_to {
                if self.role(up).is_none() {
                    return Err(format!("role {:?} reports to unknown role {up:?}", r.name));
                }
                if self.above(&r.name, &r.name) {
                    return Err(format!("role {:?} is above itself", r.name));
                }
            }
        }
        Ok(())
    }
}

/// What one user may see and do, for one request.
#[derive(Debug)]
pub struct Viewer<'a> {
    sharing: &'a Sharing,
    user: Option<&'a User>,
    /// Owners whose private records this user sees (self, subordinates, peers).
    owners: HashSet<&'a str>,
}

impl Store {
    /// The viewer for the user behind a token (unknown ids see nothing private).
    pub fn viewer(&self, user_id: &str) -> Viewer<'_> {
        let sharing = &self.sharing;
        let user = self.user(user_id);
        let owners = user.map_or_else(HashSet::new, |me| {
            let peers = sharing.role(&me.role).is_some_and(|r| r.share_with_peers);
            self.users
                .iter()
                .filter(|u| {
                    u.id == me.id
                        || sharing.above(&me.role, &u.role)
                        || (peers && u.role == me.role)
                })
                .map(|u| u.id.as_str())
                .collect()
        });
        Viewer {
            sharing,
            user,
            owners,
        }
    }
}

/// Zoho's answer when a profile lacks a permission: 403 `NO_PERMISSION` naming it in
/// `details.permissions` (the shape of Zoho's documented record-level example).
pub fn no_permission(module: Module, perm: Perm) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::FORBIDDEN,
        "NO_PERMISSION",
        "permission denied",
        json!({"permissions": [format!("Crm_Implied_{}_{}", perm.word(), module.api_name())]}),
    )
}

impl Viewer<'_> {
    /// Whether the user's profile grants `perm` on `module`.
    pub fn may(&self, module: Module, perm: Perm) -> bool {
        self.user
            .is_some_and(|u| match self.sharing.profile(&u.profile) {
                Some(p) => p.modules.get(&module).is_some_and(|s| s.contains(&perm)),
                None => true,
            })
    }

    /// `Ok` when the profile grants `perm`, else the `NO_PERMISSION` answer.
    pub fn require(&self, module: Module, perm: Perm) -> Result<(), ApiError> {
        if self.may(module, perm) {
            Ok(())
        } else {
            Err(no_permission(module, perm))
        }
    }

    fn owned_by_mine(&self, rec: &Record) -> bool {
        rec.get("Owner")
            .and_then(|o| o.get("id"))
            .and_then(Value::as_str)
            .is_some_and(|id| self.owners.contains(id))
    }

    /// Whether this record shows up for the user (profile view permission and sharing).
    pub fn sees(&self, module: Module, rec: &Record) -> bool {
        if !self.may(module, Perm::View) {
            return false;
        }
        self.sharing.access(module) != Access::Private || self.owned_by_mine(rec)
    }

    /// Whether the user may change or delete this record.
    pub fn may_change(&self, module: Module, rec: &Record, perm: Perm) -> bool {
        let open = match self.sharing.access(module) {
            Access::PublicReadWriteDelete => true,
            Access::PublicReadWrite => perm == Perm::Edit,
            Access::Private | Access::PublicReadOnly => false,
        };
        self.may(module, perm) && (open || self.owned_by_mine(rec))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(name: &str, up: Option<&str>) -> Role {
        Role {
            name: name.into(),
            reports_to: up.map(Into::into),
            share_with_peers: false,
        }
    }

    #[test]
    fn hierarchy_is_transitive_and_cycles_are_refused() {
        let s = Sharing {
            roles: vec![
                role("CEO", None),
                role("Manager", Some("CEO")),
                role("Agent", Some("Manager")),
            ],
            ..Sharing::default()
        };
        assert!(s.above("CEO", "Agent") && s.above("Manager", "Agent"));
        assert!(!s.above("Agent", "Manager") && !s.above("Agent", "Agent"));
        assert_eq!(s.check(), Ok(()));
        let cyclic = Sharing {
            roles: vec![role("A", Some("B")), role("B", Some("A"))],
            ..Sharing::default()
        };
        assert!(cyclic.check().is_err());
        let dangling = Sharing {
            roles: vec![role("A", Some("Nobody"))],
            ..Sharing::default()
        };
        assert!(dangling.check().is_err());
    }
}
