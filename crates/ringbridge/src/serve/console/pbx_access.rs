//! The console's questions to the PBX: with the running integration's
//! login while there is one, else a login of its own that is given back
//! at once (Yeastar allows only a few live tokens per application).

use ringbridge_core::console::PbxConnection;
use ringbridge_web::console::BackendError;
use ringbridge_yeastar::{YeastarClient, YeastarConfig, YeastarError};

use super::ConsoleRuntime;

/// A fixed-offset IANA zone for a whole-hour offset (`Etc/GMT-8` is UTC+8:
/// the names count the other way); `None` for a half or quarter hour, which
/// no `Etc/` zone names.
pub(super) fn zone_of_offset(secs: i32) -> Option<String> {
    if secs == 0 {
        return Some("UTC".to_owned());
    }
    if secs % 3600 != 0 {
        return None;
    }
    let name = format!("Etc/GMT{:+}", -secs / 3600);
    name.parse::<chrono_tz::Tz>().ok().map(|_| name)
}

fn pbx_error(err: YeastarError) -> BackendError {
    match err {
        YeastarError::Transport(_) | YeastarError::Status { .. } | YeastarError::Decode(_) => {
            BackendError::Unreachable(err.to_string())
        }
        other => BackendError::Refused(other.to_string()),
    }
}

/// A client for `pbx`, shut down (its token revoked) after `work`: the PBX
/// allows only a few live tokens per client.
pub(super) async fn with_pbx<T, F, Fut>(pbx: &PbxConnection, work: F) -> Result<T, BackendError>
where
    F: FnOnce(YeastarClient) -> Fut,
    Fut: std::future::Future<Output = Result<T, YeastarError>>,
{
    let mut config = YeastarConfig::new(
        &pbx.base_url,
        &pbx.client_id,
        pbx.client_secret.clone(),
        chrono_tz::UTC,
    )
    .map_err(pbx_error)?;
    config.accept_invalid_certs = pbx.accept_invalid_certs;
    config.request_timeout = std::time::Duration::from_secs(15);
    let client = YeastarClient::new(config).map_err(pbx_error)?;
    let result = work(client.clone()).await;
    client.shutdown().await;
    result.map_err(pbx_error)
}

impl ConsoleRuntime {
    /// `work` with the running generation's PBX client, while it runs; one
    /// that is stopping for a restart (its token given back) fails, and the
    /// console logs in on its own instead. A page view then costs no login.
    pub(super) async fn ask_pbx<T, F, Fut>(&self, work: F) -> Result<T, BackendError>
    where
        F: Fn(YeastarClient) -> Fut,
        Fut: std::future::Future<Output = Result<T, YeastarError>>,
    {
        if let Some(client) = self.running(|links| links.pbx_client.clone())
            && let Ok(answer) = work(client).await
        {
            return Ok(answer);
        }
        let pbx = self.current_pbx().await?;
        with_pbx(&pbx, work).await
    }
}

#[cfg(test)]
mod tests {
    use super::zone_of_offset;

    #[test]
    fn whole_hour_offsets_name_a_zone() {
        assert_eq!(zone_of_offset(0).as_deref(), Some("UTC"));
        assert_eq!(zone_of_offset(8 * 3600).as_deref(), Some("Etc/GMT-8"));
        assert_eq!(zone_of_offset(-5 * 3600).as_deref(), Some("Etc/GMT+5"));
        assert_eq!(zone_of_offset(14 * 3600).as_deref(), Some("Etc/GMT-14"));
        assert_eq!(zone_of_offset(5 * 3600 + 1800), None);
    }
}
