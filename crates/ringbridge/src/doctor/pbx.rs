//! The PBX: reachable, TLS, the OpenAPI and its token, model and firmware,
//! extensions with e-mails, the event stream, CDRs, phonebooks and a
//! recording download. Reads only; the token is given back at the end.

use std::time::Instant;

use futures_util::StreamExt;
use ringbridge_core::console::CrmMode;
use ringbridge_core::pbx::{EventSourceItem, Extension, PbxEventSource};
use ringbridge_yeastar::firmware::{FirmwareLevel, assess};
use ringbridge_yeastar::{ApiError, YeastarClient, YeastarError};
use url::Url;

use super::DoctorOptions;
use super::report::{Area, Report, Status};
use crate::config::{Config, EventTransport, PbxConfig};

/// CDRs looked at for a recording to download.
const CDR_SAMPLE: u32 = 50;

/// Runs the PBX checks; the extensions, when they could be listed (the
/// Zoho side maps them to users).
pub(super) async fn check(
    report: &mut Report,
    config: &Config,
    pbx: &PbxConfig,
    options: &DoctorOptions,
) -> Option<Vec<Extension>> {
    // A base URL that does not parse never gets here: the load refused it.
    if !reachable(report, &pbx.base_url, pbx, options).await {
        return None;
    }
    let client = match crate::serve::pbx::pbx_client(pbx) {
        Ok(client) => client,
        Err(err) => {
            report.push(Area::Pbx, "api", Status::Fail, format!("{err:#}"));
            return None;
        }
    };
    let extensions = with_client(report, config, pbx, &client, options).await;
    client.shutdown().await;
    extensions
}

/// Any HTTP answer from the base URL; and what protects the connection.
async fn reachable(
    report: &mut Report,
    base: &Url,
    pbx: &PbxConfig,
    options: &DoctorOptions,
) -> bool {
    let http = reqwest::Client::builder()
        .timeout(options.timeout)
        .danger_accept_invalid_certs(pbx.accept_invalid_certs)
        .build();
    let started = Instant::now();
    let answer = match http {
        Ok(http) => http.get(base.clone()).send().await,
        Err(err) => {
            report.push(Area::Pbx, "reachable", Status::Fail, err.to_string());
            return false;
        }
    };
    match answer {
        Ok(response) => report.push(
            Area::Pbx,
            "reachable",
            Status::Ok,
            format!(
                "{base} answered HTTP {} in {} ms",
                response.status().as_u16(),
                started.elapsed().as_millis()
            ),
        ),
        Err(err) => {
            let chain = ringbridge_yeastar::error::error_chain(&err.without_url());
            let certificate = chain.to_ascii_lowercase().contains("certificate");
            report.push(
                Area::Pbx,
                "reachable",
                Status::Fail,
                format!("{base}: {chain}"),
            );
            if certificate {
                report.push(
                    Area::Pbx,
                    "tls",
                    Status::Fail,
                    "the PBX's certificate is not trusted: install one a public CA signed, or set pbx.accept_invalid_certs = true for a self-signed one",
                );
            }
            return false;
        }
    }
    let (status, seen) = match base.scheme() {
        "https" if pbx.accept_invalid_certs => (
            Status::Warn,
            "HTTPS, but the certificate is not verified (pbx.accept_invalid_certs = true)".to_owned(),
        ),
        "https" => (Status::Ok, "HTTPS, certificate verified".to_owned()),
        _ if is_loopback(base) => (Status::Ok, "plain HTTP on this machine".to_owned()),
        _ => (
            Status::Warn,
            "plain HTTP: the client secret and tokens cross the network unencrypted; use the PBX's HTTPS port".to_owned(),
        ),
    };
    report.push(Area::Pbx, "tls", status, seen);
    true
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

async fn with_client(
    report: &mut Report,
    config: &Config,
    pbx: &PbxConfig,
    client: &YeastarClient,
    options: &DoctorOptions,
) -> Option<Vec<Extension>> {
    let info = match tokio::time::timeout(options.timeout, client.system_information()).await {
        Ok(Ok(info)) => info,
        Ok(Err(err)) => {
            login_failed(report, pbx, &err);
            return None;
        }
        Err(_) => {
            report.push(Area::Pbx, "api", Status::Fail, "no answer in time");
            return None;
        }
    };
    report.push(
        Area::Pbx,
        "api",
        Status::Ok,
        "the OpenAPI answers (Integrations > API is enabled)",
    );
    report.push(
        Area::Pbx,
        "token",
        Status::Ok,
        format!("client id {} got an access token", pbx.client_id),
    );
    let serial = info.serial.as_deref().unwrap_or("no serial");
    report.push(
        Area::Pbx,
        "model",
        Status::Ok,
        format!("{} ({serial})", info.model),
    );
    let mode = config.zoho.as_ref().map_or(CrmMode::Rest, |z| z.mode);
    let firmware = assess(
        &info.firmware_version,
        mode,
        pbx.events == EventTransport::Webhook,
    );
    let status = match firmware.level {
        FirmwareLevel::Ok => Status::Ok,
        FirmwareLevel::Warn => Status::Warn,
        FirmwareLevel::Fail => Status::Fail,
    };
    report.push(Area::Pbx, "firmware", status, firmware.text);
    let extensions = match client.extension_list().await {
        Ok(list) => {
            extensions_check(report, &list);
            Some(list)
        }
        Err(err) => {
            report.push(Area::Pbx, "extensions", Status::Fail, err.to_string());
            None
        }
    };
    event_stream(report, config, pbx, client, options).await;
    let recording = cdrs(report, client).await;
    phonebooks(report, config, client).await;
    download(report, client, recording).await;
    extensions
}

/// Why the first API call failed, as the checks "api" and "token".
fn login_failed(report: &mut Report, pbx: &PbxConfig, err: &YeastarError) {
    let text = err.to_string();
    let (api, token) = match err {
        YeastarError::Status { status: 404 } => (
            (
                Status::Fail,
                "HTTP 404 under /openapi/v1.0/: enable Integrations > API on the PBX (P520 appliances have no API)".to_owned(),
            ),
            None,
        ),
        YeastarError::Api(
            ApiError::InterfaceNotExisted(_)
            | ApiError::ApiUnavailable(_)
            | ApiError::ApiVersionUnsupported(_),
        ) => ((Status::Fail, format!("{text}: is the OpenAPI enabled?")), None),
        YeastarError::Api(ApiError::AccountIpBlocked(_) | ApiError::IpForbidden(_)) => (
            (Status::Ok, "the OpenAPI answers".to_owned()),
            Some(format!(
                "{text}: this machine's address is blocked or outside the API allow-list (Security > Security Rules, Integrations > API)"
            )),
        ),
        YeastarError::Api(_) | YeastarError::AccessDenied(_) | YeastarError::TokenCap(_) => (
            (Status::Ok, "the OpenAPI answers".to_owned()),
            Some(format!(
                "{text}: check pbx.client_id ({}) and the client secret against Integrations > API",
                pbx.client_id
            )),
        ),
        _ => ((Status::Fail, text), None),
    };
    report.push(Area::Pbx, "api", api.0, api.1);
    if let Some(token) = token {
        report.push(Area::Pbx, "token", Status::Fail, token);
    }
}

fn extensions_check(report: &mut Report, list: &[Extension]) {
    let without: Vec<&str> = list
        .iter()
        .filter(|e| e.email.is_none())
        .map(|e| e.number.as_str())
        .collect();
    let with = list.len() - without.len();
    let mut seen = format!("{} extensions, {with} with an e-mail", list.len());
    if !without.is_empty() {
        let shown: Vec<&str> = without.iter().copied().take(20).collect();
        seen.push_str(&format!(" (without: {}", shown.join(", ")));
        if without.len() > shown.len() {
            seen.push_str(", …");
        }
        seen.push(')');
    }
    let status = if with == 0 {
        seen.push_str(": calls cannot be matched to CRM users by e-mail; pair them in the console");
        Status::Warn
    } else {
        Status::Ok
    };
    report.push(Area::Pbx, "extensions", status, seen);
}

/// Subscribes over the WebSocket and waits for the PBX's answer.
async fn event_stream(
    report: &mut Report,
    config: &Config,
    pbx: &PbxConfig,
    client: &YeastarClient,
    options: &DoctorOptions,
) {
    if pbx.events == EventTransport::Webhook {
        report.push(
            Area::Pbx,
            "event stream",
            Status::NotObservable,
            format!(
                "events = \"webhook\": the PBX posts to {}/pbx/yeastar/webhook (Integrations > API > Webhook Event Push, same secret); only the PBX can show that it does",
                config.http.public_url().trim_end_matches('/')
            ),
        );
        return;
    }
    let stream_config = match pbx.stream.event_stream() {
        Ok(c) => c,
        Err(err) => {
            report.push(Area::Pbx, "event stream", Status::Fail, format!("{err:#}"));
            return;
        }
    };
    let topics: Vec<String> = stream_config.topics.iter().map(u32::to_string).collect();
    let source = client.event_source(stream_config);
    let mut events = source.events();
    let first = tokio::time::timeout(options.timeout, async {
        while let Some(item) = events.next().await {
            match item {
                EventSourceItem::Connected => return Ok(()),
                EventSourceItem::Disconnected { reason, .. } => return Err(reason),
                EventSourceItem::Fatal { reason } => return Err(reason),
                EventSourceItem::Event(_) | EventSourceItem::Malformed { .. } => {}
            }
        }
        Err("the stream ended".to_owned())
    })
    .await;
    drop(events);
    let (status, seen) = match first {
        Ok(Ok(())) => (
            Status::Ok,
            format!("WebSocket subscribed to {}", topics.join(", ")),
        ),
        Ok(Err(reason)) => (Status::Fail, format!("WebSocket: {reason}")),
        Err(_) => (
            Status::Fail,
            format!(
                "WebSocket: not subscribed within {} s",
                options.timeout.as_secs()
            ),
        ),
    };
    report.push(Area::Pbx, "event stream", status, seen);
}

/// `cdr/list` and `cdr/search`; the newest recording file seen, if any.
async fn cdrs(report: &mut Report, client: &YeastarClient) -> Option<String> {
    let page = match client.cdr_list(1, CDR_SAMPLE).await {
        Ok(page) => page,
        Err(err) => {
            report.push(
                Area::Pbx,
                "call records",
                Status::Fail,
                format!("cdr/list: {err}"),
            );
            return None;
        }
    };
    let now = chrono::Utc::now();
    let search = client
        .cdr_search(now - chrono::Duration::days(1), now)
        .await;
    let total = page.total.map_or_else(|| "?".to_owned(), |t| t.to_string());
    let (status, seen) = match search {
        Ok(rows) => (
            if page.unreadable > 0 {
                Status::Warn
            } else {
                Status::Ok
            },
            format!(
                "cdr/list: {total} records ({} unreadable among the latest {}); cdr/search: {} calls in the last 24 h",
                page.unreadable,
                page.records.len() + page.unreadable,
                rows.len()
            ),
        ),
        Err(err) => (
            Status::Fail,
            format!("cdr/list: {total} records; cdr/search: {err}"),
        ),
    };
    report.push(Area::Pbx, "call records", status, seen);
    page.records
        .into_iter()
        .find_map(|r| r.recording.map(|file| file.0))
}

async fn phonebooks(report: &mut Report, config: &Config, client: &YeastarClient) {
    match client.phonebook_list().await {
        Ok(books) => {
            let wanted = config
                .engine
                .phonebook
                .clone()
                .unwrap_or_else(|| "CRM Contacts".to_owned());
            let exists = books.iter().any(|b| b.name == wanted);
            report.push(
                Area::Pbx,
                "phonebooks",
                Status::Ok,
                format!(
                    "{} phonebooks readable; {wanted:?} {}",
                    books.len(),
                    if exists {
                        "exists"
                    } else {
                        "does not exist yet (contact sync creates it)"
                    }
                ),
            );
        }
        Err(err) => report.push(
            Area::Pbx,
            "phonebooks",
            Status::Fail,
            format!("phonebook/list: {err}"),
        ),
    }
}

/// Downloads the first kilobyte of a recording.
async fn download(report: &mut Report, client: &YeastarClient, file: Option<String>) {
    let Some(file) = file else {
        report.push(
            Area::Pbx,
            "recording download",
            Status::NotObservable,
            format!("no recorded call among the latest {CDR_SAMPLE} call records"),
        );
        return;
    };
    let result = async {
        let mut stream = client
            .recording_stream(&file, Some((0, Some(1023))))
            .await?;
        let mut bytes = 0usize;
        while let Some(chunk) = stream.body.next().await {
            bytes += chunk
                .map_err(|e| YeastarError::Transport(e.to_string().into()))?
                .len();
        }
        Ok::<_, YeastarError>((bytes, stream.content_type))
    }
    .await;
    match result {
        Ok((bytes, content_type)) => report.push(
            Area::Pbx,
            "recording download",
            Status::Ok,
            format!("{file}: first {bytes} bytes ({content_type})"),
        ),
        Err(err) => report.push(
            Area::Pbx,
            "recording download",
            Status::Fail,
            format!("{file}: {err}"),
        ),
    }
}
