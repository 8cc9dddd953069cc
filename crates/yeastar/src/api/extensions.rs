//! Extensions (docs/yeastar-api.md §11): the user ↔ extension mapping, matched on e-mail.

use ringbridge_core::pbx::Extension;
use serde::Deserialize;

use crate::client::YeastarClient;
use crate::error::Result;
use crate::wire::{self, WireText};

/// An `extension/list` row (`Ext_Basicinfo`), the fields ringbridge reads.
#[derive(Debug, Deserialize)]
pub(crate) struct ExtensionRow {
    number: WireText,
    #[serde(default)]
    caller_id_name: Option<WireText>,
    /// Absent when empty.
    #[serde(default)]
    email_addr: Option<WireText>,
    #[serde(default)]
    mobile_number: Option<WireText>,
}

impl From<ExtensionRow> for Extension {
    fn from(row: ExtensionRow) -> Self {
        let number = row.number.into_string();
        Extension {
            // `caller_id_name` equals the number when unset.
            name: wire::opt_text(row.caller_id_name).unwrap_or_else(|| number.clone()),
            number,
            email: wire::opt_text(row.email_addr),
            mobile: wire::opt_text(row.mobile_number),
        }
    }
}

impl YeastarClient {
    /// All extensions, with e-mail and mobile where set.
    pub async fn extension_list(&self) -> Result<Vec<Extension>> {
        let rows: Vec<ExtensionRow> = self.get_all("extension/list", &[]).await?;
        Ok(rows.into_iter().map(Extension::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_example() {
        let page: crate::api::Page<ExtensionRow> = crate::http::decode_body(
            "extension/list",
            br#"{"errcode":0,"errmsg":"SUCCESS","total_number":2,"data":[{"id":112,"number":"1005",
 "caller_id_name":"Maya Ortiz","role_name":"Employee","email_addr":"maya@corp.test",
 "presence_status":"available","timezone":"Global Time Zone[0 UTC]","online_status":{
 "sip_phone":{"status":0},"linkus_desktop":{"status":1,"ext_dev_type":"linkusdesktop"}}},
 {"id":113,"number":"1006","caller_id_name":"1006"}]}"#,
        )
        .expect("decodes");
        let exts: Vec<Extension> = page.data.into_iter().map(Extension::from).collect();
        assert_eq!(
            exts[0],
            Extension {
                number: "1005".into(),
                name: "Maya Ortiz".into(),
                email: Some("maya@corp.test".into()),
                mobile: None,
            }
        );
        assert_eq!(exts[1].email, None);
        assert_eq!(exts[1].name, "1006");
    }
}
