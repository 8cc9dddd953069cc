//! Recording list and the two-step download, with Range and URL expiry.

use std::time::Duration;

use ringbridge_sim_yeastar::{RecordingFormat, SimYeastar};
use serde_json::Value;

use crate::support::*;

async fn download_url(api: &Api, query: &[(&str, &str)]) -> Value {
    api.get("recording/download", query).await
}

#[tokio::test]
async fn list_and_download_with_range() {
    let sim = sim().await;
    let ids = sim.play_builtin("inbound_answered").await.expect("played");
    let api = login(&sim).await;
    let list = api.get("recording/list", &[]).await;
    assert_eq!(list["total_number"], 1);
    let row = &list["data"][0];
    let file = format!("20260101090000-{}-5550199-1005-Inbound.wav", ids[0]);
    assert_eq!(row["file"], file.as_str());
    assert_eq!(row["call_type"], "Inbound");
    assert_eq!(row["duration"], 62);
    assert_eq!(row["call_to"], "Maya Ortiz<1005>");
    assert_eq!(download_url(&api, &[]).await["errcode"], 40002);
    assert_eq!(
        download_url(&api, &[("file", "nope.wav")]).await["errcode"],
        60001
    );
    let r = download_url(&api, &[("file", &file)]).await;
    assert_eq!(r["errcode"], 0, "{r}");
    assert_eq!(r["file"], file.as_str());
    let url = r["download_resource_url"].as_str().expect("url").to_owned();
    assert!(url.starts_with("/api/download/") && url.ends_with(".wav"));
    let full = fetch(&sim, &api, &url).await;
    assert_eq!(full.status(), 200);
    assert_eq!(full.headers()["accept-ranges"], "bytes");
    let bytes = full.bytes().await.expect("body");
    assert_eq!(&bytes[0..4], b"RIFF");
    assert_eq!(&bytes[8..16], b"WAVEfmt ");
    assert_eq!(bytes.len() as u64, row["size"].as_u64().expect("size"));
    let part = api
        .http
        .get(format!("{}{url}", sim.base_url()))
        .query(&[("access_token", &api.token)])
        .header("Range", "bytes=100-199")
        .send()
        .await
        .expect("range");
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 100-199/{}", bytes.len()).as_str()
    );
    assert_eq!(part.bytes().await.expect("b"), bytes.slice(100..200));
    let tail = api
        .http
        .get(format!("{}{url}", sim.base_url()))
        .query(&[("access_token", &api.token)])
        .header("Range", format!("bytes={}-", bytes.len()))
        .send()
        .await
        .expect("range");
    assert_eq!(tail.status(), 416);
    // By id as well.
    let by_id = download_url(&api, &[("id", &row["id"].to_string())]).await;
    assert_eq!(by_id["file"], file.as_str());
}

#[tokio::test]
async fn download_needs_a_token_and_expires_after_30_minutes() {
    let sim = sim().await;
    let (api, url) = internal_call_download(&sim).await;
    let no_token: Value = api
        .http
        .get(format!("{}{url}", sim.base_url()))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(no_token["errcode"], 10004);
    sim.clock().advance(Duration::from_secs(1799));
    let fresh = login(&sim).await;
    let ok = fresh
        .http
        .get(format!("{}{url}", sim.base_url()))
        .query(&[("access_token", &fresh.token)])
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), 200);
    sim.clock().advance(Duration::from_secs(1));
    let expired = fresh
        .http
        .get(format!("{}{url}", sim.base_url()))
        .query(&[("access_token", &fresh.token)])
        .send()
        .await
        .expect("send");
    assert_eq!(expired.status(), 404);
}

#[tokio::test]
async fn mp3_mode_serves_one_download_at_a_time() {
    let sim = sim_with(|s| {
        s.recording_format = RecordingFormat::Mp3;
        s.download_throttle = Some(Duration::from_millis(200));
    })
    .await;
    sim.play_builtin("internal").await.expect("played");
    let api = login(&sim).await;
    let file = sim.recordings()[0].file.clone();
    assert!(file.ends_with("-Internal.mp3"));
    let url = download_url(&api, &[("file", &file)]).await["download_resource_url"]
        .as_str()
        .expect("url")
        .to_owned();
    let resp = api
        .http
        .get(format!("{}{url}", sim.base_url()))
        .query(&[("access_token", &api.token)])
        .send()
        .await
        .expect("download starts");
    assert_eq!(resp.headers()["content-type"], "audio/mpeg");
    assert_eq!(
        download_url(&api, &[("file", &file)]).await["errcode"],
        70082
    );
    let body = resp.bytes().await.expect("body");
    assert_eq!(&body[0..2], &[0xFF, 0xFB]);
    for _ in 0..200 {
        if download_url(&api, &[("file", &file)]).await["errcode"] == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("download slot never freed");
}

/// Plays an internal call; a logged-in API and its recording's download URL.
async fn internal_call_download(sim: &SimYeastar) -> (Api, String) {
    sim.play_builtin("internal").await.expect("played");
    let api = login(sim).await;
    let file = sim.recordings()[0].file.clone();
    let url = download_url(&api, &[("file", &file)]).await["download_resource_url"]
        .as_str()
        .expect("url")
        .to_owned();
    (api, url)
}

/// `GET {base}{url}?access_token=`.
async fn fetch(sim: &SimYeastar, api: &Api, url: &str) -> reqwest::Response {
    api.http
        .get(format!("{}{url}", sim.base_url()))
        .query(&[("access_token", &api.token)])
        .send()
        .await
        .expect("download")
}

#[tokio::test]
async fn cloud_links_use_the_attachment_route() {
    let sim = sim_with(|s| s.attachment_download_links = true).await;
    let (api, url) = internal_call_download(&sim).await;
    assert!(url.starts_with("/api/downloadattachment/"), "{url}");
    let resp = fetch(&sim, &api, &url).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(&resp.bytes().await.expect("body")[0..4], b"RIFF");
    // A link is served only under the route it was issued for.
    let other = url.replace("/api/downloadattachment/", "/api/download/");
    assert_eq!(fetch(&sim, &api, &other).await.status(), 404);
}
