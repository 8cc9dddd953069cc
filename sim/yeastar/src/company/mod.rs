//! Company files: the simulated PBX's company as TOML data (`sim yeastar --company FILE`).
//!
//! ```toml
//! [pbx]
//! firmware = "37.12.0.20"
//! time_zone = "Europe/Berlin"                # IANA name, daylight saving time included
//! display_format = "DD/MM/YYYY HH:mm:ss"     # the vendor's notation
//!
//! [[extensions]]
//! number = "1001"
//! name = "Ana Silva"
//! email = "ana@corp.test"
//!
//! [[ring_groups]]
//! number = "6300"
//! name = "Sales"
//! members = ["1001"]
//!
//! [[trunks]]
//! name = "CarrierA"
//! dids = [{ number = "8800", name = "Main line" }]
//! ```
//!
//! Also `[[queues]]` (`number`, `name`, `agents`), `[[contacts]]` and `[[phonebooks]]`;
//! `examples/yeastar-company.toml` at the repository root shows every key. The built-in
//! company ([`CompanyFile::builtin`]) is such a file too (`company/demo.toml`).

mod build;
mod model;

use std::path::{Path, PathBuf};

use crate::config::{DisplayFormat, Edition, SimSettings};
use crate::sample::Company;

const BUILTIN: &str = include_str!("../../company/demo.toml");

/// A company file that did not load.
#[derive(Debug, thiserror::Error)]
pub enum CompanyError {
    /// The file could not be read.
    #[error("cannot read company file {path}: {source}")]
    Read {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file's content is wrong at `line`:`column` (1-based).
    #[error("company file, line {line}, column {column}: {message}")]
    Invalid {
        /// Line.
        line: usize,
        /// Column (characters).
        column: usize,
        /// What is wrong, naming the key or value.
        message: String,
    },
}

/// 1-based line and column of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn invalid(text: &str, span: Option<std::ops::Range<usize>>, message: &str) -> CompanyError {
    let (line, column) = line_column(text, span.map_or(0, |s| s.start));
    CompanyError::Invalid {
        line,
        column,
        message: message.trim_end().to_owned(),
    }
}

/// What `[pbx]` sets; `None` keeps the simulator's value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PbxIdentity {
    /// `firmware_version`.
    pub firmware: Option<String>,
    /// Edition.
    pub edition: Option<Edition>,
    /// `model_name`.
    pub model_name: Option<String>,
    /// Serial number.
    pub serial: Option<String>,
    /// IANA time zone.
    pub time_zone: Option<chrono_tz::Tz>,
    /// Display format.
    pub display_format: Option<DisplayFormat>,
}

/// A loaded company file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyFile {
    /// The device.
    pub pbx: PbxIdentity,
    /// Extensions, groups, queues, trunks, contacts, phonebooks.
    pub company: Company,
}

impl CompanyFile {
    /// Parses a company file; errors name the line, column and key.
    pub fn from_toml(text: &str) -> Result<Self, CompanyError> {
        let entry: model::CompanyEntry =
            toml::from_str(text).map_err(|e| invalid(text, e.span(), e.message()))?;
        let company =
            build::company(&entry).map_err(|m| invalid(text, Some(m.span), &m.message))?;
        let p = entry.pbx;
        Ok(Self {
            pbx: PbxIdentity {
                firmware: p.firmware,
                edition: p.edition,
                model_name: p.model_name,
                serial: p.serial,
                time_zone: p.time_zone.map(|t| t.0),
                display_format: p.display_format.map(|f| f.0),
            },
            company,
        })
    }

    /// Reads and parses a company file.
    pub fn load(path: &Path) -> Result<Self, CompanyError> {
        let text = std::fs::read_to_string(path).map_err(|source| CompanyError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text)
    }

    /// The built-in demo company.
    pub fn builtin() -> Self {
        // A test parses the same text, so this cannot fail at run time.
        Self::from_toml(BUILTIN).expect("the built-in company file parses")
    }

    /// `settings` with this company and device.
    pub fn apply(&self, mut settings: SimSettings) -> SimSettings {
        let p = &self.pbx;
        if let Some(f) = &p.firmware {
            settings.firmware_version.clone_from(f);
        }
        if let Some(edition) = p.edition {
            settings = settings.with_edition(edition);
        }
        if let Some(m) = &p.model_name {
            settings.model_name.clone_from(m);
        }
        if let Some(s) = &p.serial {
            settings.serial.clone_from(s);
        }
        if let Some(tz) = p.time_zone {
            settings.time_zone = Some(tz);
        }
        if let Some(f) = p.display_format {
            settings.display_format = f;
        }
        settings.company = self.company.clone();
        settings
    }
}

#[cfg(test)]
mod tests;
