//! Every secret may be given as a file instead of a value: `name_file =
//! "/run/secrets/name"` (or `RINGBRIDGE_..._NAME_FILE`) sets `name` to the
//! file's contents, trimmed, wherever `name` is one of [`SECRETS`] in the
//! configuration. One rule for all of them, applied once at load, so no
//! section declares its own pairs and a missing file fails the start
//! naming its key.

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::Serialized;
use figment::value::{Dict, Value};

/// The keys that hold secrets (in any section).
pub const SECRETS: &[&str] = &[
    "secret_key",
    "database_url",
    "client_secret",
    "refresh_token",
    "webhook_secret",
];

/// `figment` with every `*_file` secret read into its key.
pub fn read_secret_files(figment: Figment) -> Result<Figment> {
    let all: Dict = figment.extract().context("invalid configuration")?;
    let mut read = Dict::new();
    collect(&all, "", &mut read)?;
    Ok(figment.merge(Serialized::defaults(read)))
}

/// Fills `out` (shaped like `dict`) with the secrets whose files `dict` names.
fn collect(dict: &Dict, path: &str, out: &mut Dict) -> Result<()> {
    for (key, value) in dict {
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match value {
            Value::Dict(_, inner) => {
                let mut nested = Dict::new();
                collect(inner, &here, &mut nested)?;
                if !nested.is_empty() {
                    out.insert(key.clone(), Value::from(nested));
                }
            }
            Value::String(_, file) => {
                let Some(name) = key.strip_suffix("_file") else {
                    continue;
                };
                if !SECRETS.contains(&name) || file.is_empty() {
                    continue;
                }
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("{here}: reading {file}"))?;
                out.insert(name.to_owned(), Value::from(text.trim().to_owned()));
            }
            _ => {}
        }
    }
    Ok(())
}
