//! `GET /extension.zip`: the browser extension, ready to unpack and load.
//!
//! The files are embedded at build time, so the extension an agent
//! downloads is always the one this ringbridge speaks to. The zip is built
//! once, on first request (the files are small; no compression needed).

use std::io::{Cursor, Write};
use std::sync::LazyLock;

use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use zip::write::SimpleFileOptions;

use crate::error::ErrorKind;

macro_rules! extension_files {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../../../../extension/", $path)) as &[u8])),*]
    };
}

/// Every file of `extension/`, by its path inside the zip (a test checks
/// none is missing).
pub(crate) const FILES: &[(&str, &[u8])] = extension_files![
    "README.md",
    "manifest.json",
    "background.js",
    "pop-rules.js",
    "content.js",
    "content.css",
    "options.html",
    "options.js",
    "options.css",
    "_locales/en/messages.json",
    "_locales/zh_CN/messages.json",
];

/// The folder the zip unpacks into.
const FOLDER: &str = "ringbridge-extension";

fn build() -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (path, bytes) in FILES {
        zip.start_file(format!("{FOLDER}/{path}"), options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

static ZIP: LazyLock<Option<Vec<u8>>> = LazyLock::new(|| match build() {
    Ok(bytes) => Some(bytes),
    Err(err) => {
        tracing::error!(error = %err, "could not build the extension's zip");
        None
    }
});

pub async fn download() -> Response {
    let Some(bytes) = ZIP.as_ref() else {
        return ErrorKind::Internal.into_response();
    };
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/zip")),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"ringbridge-extension.zip\""),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        bytes.clone(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::io::Read;
    use std::path::Path;

    use super::*;

    fn files_on_disk(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                files_on_disk(&entry.path(), &format!("{name}/"), out);
            } else {
                out.insert(name);
            }
        }
    }

    #[test]
    fn the_zip_carries_every_file_of_the_extension() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../extension");
        let mut on_disk = BTreeSet::new();
        files_on_disk(&dir, "", &mut on_disk);
        let embedded: BTreeSet<String> = FILES.iter().map(|(p, _)| (*p).to_owned()).collect();
        assert_eq!(
            embedded, on_disk,
            "extension/ and the zip's file list differ"
        );

        let bytes = build().unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut manifest = String::new();
        archive
            .by_name(&format!("{FOLDER}/manifest.json"))
            .unwrap()
            .read_to_string(&mut manifest)
            .unwrap();
        let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        assert_eq!(manifest["manifest_version"], 3);
        assert_eq!(archive.len(), FILES.len());
    }
}
