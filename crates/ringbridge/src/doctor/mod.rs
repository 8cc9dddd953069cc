//! `ringbridge doctor`: looks at the configured PBX and Zoho org without
//! changing them (a test record is created and deleted again only with
//! `--probe-writes`) and prints a report an admin can paste into a support
//! request. Every secret of the configuration is redacted from it.
//!
//! Each check says ok / warn / fail, and each probe of an assumption in
//! docs/zoho-assumptions.md says confirmed / differs (with what was seen) /
//! not observable.

mod pbx;
mod probes;
mod report;
mod setup;
mod zoho;

use std::time::Duration;

use anyhow::Result;

use crate::config::Config;

pub use report::{Area, Check, Report, Status};

/// `ringbridge doctor` arguments (`--config` is global).
#[derive(Debug, Clone, clap::Args)]
pub struct DoctorArgs {
    /// Print the report as one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also run the probes that write: a test record is created in Zoho and
    /// deleted again (whether a Missed call needs Call_Duration).
    #[arg(long)]
    pub probe_writes: bool,
    /// Give up on one outside request after this many seconds.
    #[arg(long, default_value_t = 15, value_name = "SECS")]
    pub timeout_secs: u64,
}

/// What [`diagnose`] may do.
#[derive(Debug, Clone)]
pub struct DoctorOptions {
    /// Run the probes that create (and delete) a test record.
    pub probe_writes: bool,
    /// Timeout of one outside request.
    pub timeout: Duration,
}

impl Default for DoctorOptions {
    fn default() -> Self {
        Self {
            probe_writes: false,
            timeout: Duration::from_secs(15),
        }
    }
}

/// Runs every check against what `config` (overlaid with what the admin
/// console stored, when the database can be read) points at.
pub async fn diagnose(config: &Config, options: &DoctorOptions) -> Report {
    let mut report = Report::new();
    let local = setup::check(&mut report, config).await;
    let effective = &local.config;
    let extensions = match &effective.pbx {
        Some(pbx) => pbx::check(&mut report, effective, pbx, options).await,
        None => {
            report.push(
                Area::Pbx,
                "configured",
                Status::Fail,
                "no [pbx] in the configuration, the environment or the admin console",
            );
            None
        }
    };
    match &effective.zoho {
        Some(zoho) => {
            let zoho_side = zoho::ZohoSide {
                config: effective,
                zoho,
                store: local.store.as_ref(),
                extensions: extensions.as_deref(),
            };
            zoho_side.check(&mut report, options).await;
        }
        None => report.push(
            Area::Zoho,
            "configured",
            Status::Fail,
            "no [zoho] in the configuration, the environment or the admin console",
        ),
    }
    if let Some(store) = local.store {
        store.close().await;
    }
    report.redact(&setup::secrets(config, effective));
    report
}

/// `ringbridge doctor`: prints the report; fails (exit status 1) when a
/// check failed.
pub async fn run(config: Config, args: DoctorArgs) -> Result<()> {
    let options = DoctorOptions {
        probe_writes: args.probe_writes,
        timeout: Duration::from_secs(args.timeout_secs.max(1)),
    };
    let report = diagnose(&config, &options).await;
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    let failed = report.count(Status::Fail);
    if failed > 0 {
        anyhow::bail!("{failed} check(s) failed");
    }
    Ok(())
}
