//! Simulator settings. [`SimSettings::default`] gives a ready-to-use PBX with sample data
//! (see [`crate::sample`]); every vendor fact the docs mark "unconfirmed" has a switch here.

use std::net::IpAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::ClockStart;

/// Which CDR module the simulated firmware runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum CdrMode {
    /// Firmware before the reworked module: one row per call, rows carry an int `id`.
    Legacy,
    /// Reworked module (37.21 / 83.21 / 84.21): one row per leg, sharing `call_id` and `uid`,
    /// each with a unique `new_id`.
    Reworked,
}

/// P-Series edition; the first part of the firmware version says which (docs/yeastar-api.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Edition {
    /// Hardware appliances, firmware 37.x.
    Appliance,
    /// Software Edition, firmware 83.x.
    Software,
    /// Cloud Edition, firmware 84.x.
    Cloud,
}

impl Edition {
    /// The first part of this edition's firmware versions.
    pub fn firmware_major(self) -> u32 {
        match self {
            Self::Appliance => 37,
            Self::Software => 83,
            Self::Cloud => 84,
        }
    }

    /// A `model_name` for this edition.
    pub fn model_name(self) -> &'static str {
        match self {
            Self::Appliance => "Yeastar P560",
            Self::Software => "Yeastar P-Series Software Edition",
            Self::Cloud => "Yeastar P-Series Cloud Edition",
        }
    }
}

/// Order of day, month and year in the PBX display format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `DD/MM/YYYY`
    DayMonthYear,
    /// `MM/DD/YYYY`
    MonthDayYear,
    /// `YYYY/MM/DD`
    YearMonthDay,
}

/// The PBX "display format" used for CDR `time` and accepted by `cdr/search`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayFormat {
    /// Date order.
    pub order: DateOrder,
    /// 12-hour clock with `AM`/`PM` suffix.
    pub hour12: bool,
}

impl std::str::FromStr for DisplayFormat {
    type Err = String;

    /// The vendor's notation: `DD/MM/YYYY hh:mm:ss AM`, `MM/DD/YYYY HH:mm:ss`,
    /// `YYYY/MM/DD hh:mm:ss AM`, … (`hh` … `AM` = 12-hour clock).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let normal = text.trim().to_ascii_uppercase();
        let (date, time) = normal.split_once(' ').unwrap_or((normal.as_str(), ""));
        let order = match date {
            "DD/MM/YYYY" => DateOrder::DayMonthYear,
            "MM/DD/YYYY" => DateOrder::MonthDayYear,
            "YYYY/MM/DD" => DateOrder::YearMonthDay,
            _ => return Err(format!("unknown date order in {text:?}")),
        };
        let hour12 = match time.trim() {
            "HH:MM:SS AM" | "HH:MM:SS A" | "HH:MM:SS PM" => true,
            "HH:MM:SS" | "" => false,
            _ => return Err(format!("unknown time format in {text:?}")),
        };
        Ok(Self { order, hour12 })
    }
}

impl Default for DisplayFormat {
    fn default() -> Self {
        // `28/12/2025 01:58:00 AM`, the vendor's example.
        Self {
            order: DateOrder::DayMonthYear,
            hour12: true,
        }
    }
}

/// How contact names are built from first and last name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameFormat {
    /// `First Last`
    FirstLast,
    /// `Last First`
    LastFirst,
}

/// Recording file format (PBX setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingFormat {
    /// `.wav` (vendor default).
    Wav,
    /// `.mp3`; the PBX then serves only one download at a time.
    Mp3,
}

/// Timings of calls started through `call/dial` and `call/transfer` (simulated seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialSettings {
    /// How long the caller extension rings before it picks up (unless `auto_answer=yes`).
    pub caller_answer_secs: u64,
    /// How long the callee rings before answering.
    pub callee_answer_secs: u64,
    /// Whether the callee answers at all; otherwise the call ends as `NO ANSWER`.
    pub callee_answers: bool,
    /// Talk time before the callee hangs up; `None` keeps the call up until `call/hangup`.
    pub talk_secs: Option<u64>,
    /// How long a transfer target rings before answering.
    pub transfer_answer_secs: u64,
    /// When set, dialling the callee fails with this 30015 `reason` (e.g. `486 Busy here`,
    /// `User Busy`) after it rang for `callee_answer_secs`, instead of being answered.
    #[serde(default)]
    pub callee_failure: Option<String>,
}

impl Default for DialSettings {
    fn default() -> Self {
        Self {
            caller_answer_secs: 3,
            callee_answer_secs: 6,
            callee_answers: true,
            talk_secs: Some(40),
            transfer_answer_secs: 4,
            callee_failure: None,
        }
    }
}

/// One webhook target, as stored by `webhook/update`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTarget {
    /// Target URL.
    pub url: String,
    /// HMAC key for `X-Signature`.
    pub secret: String,
    /// `GET` or `POST`.
    pub request_method: String,
    /// Event ids to push; `[0]` means all.
    pub event_ids: Vec<u32>,
}

/// Webhook Event Push settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSettings {
    /// The *Webhook Event Push* switch.
    pub enabled: bool,
    /// `webhook_event_push_timeout`, 3–10 s.
    pub timeout_secs: u64,
    /// `webhook_event_push_retry_count`, 1–5.
    pub retry_count: u32,
    /// Configured targets (≤ 5).
    pub targets: Vec<WebhookTarget>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            timeout_secs: 5,
            retry_count: 3,
            targets: Vec::new(),
        }
    }
}

/// Everything the simulator can be told. Build with `SimSettings::default()` and override.
#[derive(Debug, Clone)]
pub struct SimSettings {
    /// API Client ID (`get_token` username).
    pub client_id: String,
    /// API Client Secret (`get_token` password).
    pub client_secret: String,
    /// PBX serial number, the `sn` of every event.
    pub serial: String,
    /// `model_name` of `system/information`.
    pub model_name: String,
    /// `firmware_version` of `system/information`.
    pub firmware_version: String,
    /// Clock start: system time (demo) or a fixed epoch (tests).
    pub clock: ClockStart,
    /// PBX time zone as a UTC offset in seconds (display times and `time_start`); ignored
    /// when [`SimSettings::time_zone`] is set.
    pub utc_offset_secs: i32,
    /// PBX time zone by IANA name, with its daylight saving time (e.g. `Europe/Berlin`).
    pub time_zone: Option<chrono_tz::Tz>,
    /// PBX display format for CDR times (System > Date and Time > Display Format).
    pub display_format: DisplayFormat,
    /// `cdr/search` also takes Unix seconds for `start_time`/`end_time`, as newer vendor
    /// pages say. Off: only the display format, as older pages say (epoch → `40002`).
    pub search_accepts_epoch: bool,
    /// Encode `msg` as a plain object for every event (some firmware does). Otherwise `msg` is a
    /// JSON string for 30007–30024 and an object from 30025 on, as documented.
    pub msg_as_object: bool,
    /// CDR module.
    pub cdr_mode: CdrMode,
    /// WebSocket idle timeout in real time (vendor: 60 s).
    pub ws_idle_timeout: Duration,
    /// Access-token lifetime in simulated seconds (1800).
    pub access_token_ttl: i64,
    /// Refresh-token lifetime in simulated seconds (86400).
    pub refresh_token_ttl: i64,
    /// Live access tokens allowed per Client ID (8).
    pub max_access_tokens: usize,
    /// Failed logins from one IP before it is blocked (5, unconfirmed).
    pub max_failed_logins: u32,
    /// API IP allow-list; empty allows every address.
    pub ip_allow_list: Vec<IpAddr>,
    /// Scenario waits sleep in real time (demo) instead of only advancing the clock.
    pub realtime_scenarios: bool,
    /// Zero-pad the sequence part of `call_id` in 30015 (`1767258100.000012`), as some vendor
    /// examples show (unconfirmed which firmware does it).
    pub zero_pad_failed_call_ids: bool,
    /// Record answered calls.
    pub record_answered_calls: bool,
    /// Recording format.
    pub recording_format: RecordingFormat,
    /// Optional delay per 16 KiB chunk of a download (lets tests observe a download in
    /// progress; `None` streams at full speed).
    pub download_throttle: Option<Duration>,
    /// Issue recording links under `/api/downloadattachment/` (Cloud's asynchronous download
    /// route, the one 30033 points to) instead of `/api/download/`.
    pub attachment_download_links: bool,
    /// Company-contact cap (`60002` beyond it).
    pub max_contacts: usize,
    /// Phonebook cap (`60002` beyond it).
    pub max_phonebooks: usize,
    /// Contact display-name format.
    pub name_format: NameFormat,
    /// Refuse to delete a contact that is still a member of a `sel_specific` phonebook with
    /// `70091` (unconfirmed which references count).
    pub strict_contact_delete: bool,
    /// Refuse, with `40003` naming the field, a contact whose number or e-mail another
    /// contact of the same phonebook already has (unconfirmed which fields the PBX compares).
    pub unique_contacts_in_phonebook: bool,
    /// Consecutive queue ring timeouts before an agent is auto-paused (30025).
    pub auto_pause_after_misses: u32,
    /// Behaviour of calls started by `call/dial`.
    pub dial: DialSettings,
    /// How long (real time) an inbound call held by *Control Inbound Call* (30016) waits for
    /// `call/accept_inbound` / `call/refuse_inbound` before the PBX routes it anyway
    /// (vendor: 10 s).
    pub invitation_window: Duration,
    /// Webhook Event Push settings.
    pub webhooks: WebhookSettings,
    /// The simulated company (extensions, groups, queues, trunks, contacts, phonebooks).
    pub company: crate::sample::Company,
    /// First `<seq>` part of call ids.
    pub first_call_seq: u64,
    /// Token guarding the `/_sim/` admin endpoints (`Authorization: Bearer`). `None`: they
    /// answer loopback clients only.
    pub admin_token: Option<String>,
}

impl Default for SimSettings {
    fn default() -> Self {
        Self {
            client_id: "rbSimClientId0000000000000000001".into(),
            client_secret: "rbSimClientSecret000000000000001".into(),
            serial: "3631A0000001".into(),
            model_name: "Yeastar P560".into(),
            firmware_version: "37.12.0.20".into(),
            clock: ClockStart::System,
            utc_offset_secs: 0,
            time_zone: None,
            display_format: DisplayFormat::default(),
            search_accepts_epoch: false,
            msg_as_object: false,
            cdr_mode: CdrMode::Reworked,
            ws_idle_timeout: Duration::from_secs(60),
            access_token_ttl: 1800,
            refresh_token_ttl: 86_400,
            max_access_tokens: 8,
            max_failed_logins: 5,
            ip_allow_list: Vec::new(),
            realtime_scenarios: false,
            zero_pad_failed_call_ids: true,
            record_answered_calls: true,
            recording_format: RecordingFormat::Wav,
            download_throttle: None,
            attachment_download_links: false,
            max_contacts: 50_000,
            max_phonebooks: 50,
            name_format: NameFormat::FirstLast,
            strict_contact_delete: true,
            unique_contacts_in_phonebook: false,
            auto_pause_after_misses: 3,
            dial: DialSettings::default(),
            invitation_window: Duration::from_secs(10),
            webhooks: WebhookSettings::default(),
            company: crate::sample::Company::sample(),
            first_call_seq: 1,
            admin_token: None,
        }
    }
}

impl SimSettings {
    /// The PBX time zone in force: the IANA zone if set, else the fixed offset.
    pub fn zone(&self) -> crate::timefmt::PbxZone {
        self.time_zone
            .map_or(crate::timefmt::PbxZone::Fixed(self.utc_offset_secs), |tz| {
                crate::timefmt::PbxZone::Iana(tz)
            })
    }

    /// Runs as `edition`: its model name, and the firmware's first part
    /// rewritten to the edition's (`37.12.0.20` → `84.12.0.20` for Cloud).
    pub fn with_edition(mut self, edition: Edition) -> Self {
        self.model_name = edition.model_name().to_owned();
        let release = self
            .firmware_version
            .split_once('.')
            .map_or("0.0.0", |(_, rest)| rest)
            .to_owned();
        self.firmware_version = format!("{}.{release}", edition.firmware_major());
        self
    }

    /// Defaults for deterministic tests: a frozen clock at 2026-01-01 09:00:00 UTC and a short
    /// WebSocket idle timeout; everything else as [`Default`].
    pub fn for_tests() -> Self {
        Self {
            clock: ClockStart::Fixed(1_767_258_000),
            ws_idle_timeout: Duration::from_secs(5),
            ..Self::default()
        }
    }
}
