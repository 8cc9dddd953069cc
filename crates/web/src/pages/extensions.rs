//! The extension of an account, chosen from the PBX's own list: a select
//! fed from the PBX (typing 9999 on an eight-extension PBX was accepted
//! and the agent's calls never reached the panel), with the extensions
//! other accounts already answer flagged. Without a console (or while the
//! PBX cannot be read) the field is free digits, and the page says why.

use ringbridge_core::accounts::{Account, AccountId};
use ringbridge_core::pbx::Extension;

use super::ctx::PageCtx;
use crate::AppState;

/// The accounts pages' view of the PBX's extensions.
pub struct ExtensionChoice {
    /// `None`: no console, so no PBX to ask. `Err`: why it could not be read.
    pub list: Option<Result<Vec<Extension>, String>>,
    /// (extension, username, account) of every account with an extension.
    taken: Vec<(String, String, AccountId)>,
}

impl ExtensionChoice {
    /// Asks the PBX (through the console) for its extensions.
    pub async fn load(state: &AppState, ctx: &PageCtx, accounts: &[Account]) -> Self {
        let list = match &state.console {
            None => None,
            Some(console) => Some(match console.backend.pbx_extensions().await {
                Ok(list) => Ok(list),
                Err(err) => Err(crate::console::explain(ctx, &err)),
            }),
        };
        let taken = accounts
            .iter()
            .filter_map(|a| {
                let ext = a.profile.extension.clone()?;
                Some((ext, a.username.to_string(), a.id))
            })
            .collect();
        Self { list, taken }
    }

    /// The extensions the PBX listed (empty when it was not asked).
    pub fn extensions(&self) -> &[Extension] {
        match &self.list {
            Some(Ok(list)) => list,
            _ => &[],
        }
    }

    /// Whether the page offers a select (the PBX answered).
    pub fn listed(&self) -> bool {
        matches!(self.list, Some(Ok(_)))
    }

    /// Why the list is missing, when the PBX was asked and failed.
    pub fn unread(&self) -> Option<&str> {
        match &self.list {
            Some(Err(why)) => Some(why),
            _ => None,
        }
    }

    /// The other account answering `ext`, not counting `me`.
    pub fn taken_by(&self, ext: &str, me: &Option<AccountId>) -> Option<&str> {
        self.taken
            .iter()
            .find(|(e, _, id)| e == ext && Some(*id) != *me)
            .map(|(_, who, _)| who.as_str())
    }

    /// The other account answering `ext`, besides account `id`.
    pub fn shared_with(&self, ext: &str, id: &AccountId) -> Option<&str> {
        self.taken_by(ext, &Some(*id))
    }

    /// `ext` is not among the PBX's extensions (only when it was read).
    pub fn unknown(&self, ext: &str) -> bool {
        self.listed() && !self.extensions().iter().any(|e| e.number == ext)
    }

    /// The submitted extension, checked: digits, on the PBX, not another
    /// account's. `Err` is the message for the person.
    pub fn check(
        &self,
        ctx: &PageCtx,
        text: &str,
        me: &Option<AccountId>,
    ) -> Result<Option<String>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.len() > 16 || !text.chars().all(|c| c.is_ascii_digit()) {
            return Err(ctx.t("form-extension"));
        }
        if self.unknown(text) {
            let count = self.extensions().len().to_string();
            return Err(ctx.lang.t_args(
                "accounts-extension-unknown",
                &[("extension", text), ("count", &count)],
            ));
        }
        if let Some(who) = self.taken_by(text, me) {
            return Err(ctx.lang.t_args(
                "accounts-extension-taken",
                &[("extension", text), ("username", who)],
            ));
        }
        Ok(Some(text.to_owned()))
    }
}
