//! The language of a page: English or Simplified Chinese, from `?lang=`
//! (then remembered in a cookie), else the cookie, else the browser's
//! `Accept-Language`, else English.
//!
//! Why `fluent-templates` rather than `fluent` + `fluent-langneg` by hand:
//! it embeds `locales/*/*.ftl` in the binary at compile time (ringbridge
//! ships as one file), builds one Fluent bundle per locale and falls back to
//! English for any message a locale lacks — exactly the loader we would
//! otherwise write. It is a thin layer over Project Fluent's own crates.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
    };
}

/// The cookie that remembers a language picked with `?lang=`.
pub const LANG_COOKIE: &str = "rb_lang";

/// A language ringbridge's pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    /// Simplified Chinese.
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The BCP 47 tag, for `<html lang>`, links and the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::ZhCn => "简体中文",
        }
    }

    fn langid(self) -> LanguageIdentifier {
        match self {
            Self::En => fluent_templates::langid!("en"),
            Self::ZhCn => fluent_templates::langid!("zh-CN"),
        }
    }

    /// The language a tag asks for, if ringbridge has it: any `en-*` is
    /// English; `zh`, `zh-CN`, `zh-SG`, `zh-Hans*` are Simplified Chinese.
    /// Traditional Chinese (`zh-TW`, `zh-HK`, `zh-MO`, `zh-Hant*`) is not
    /// taken as Simplified: the browser's next preference decides.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let id: LanguageIdentifier = tag.trim().parse().ok()?;
        match id.language.as_str() {
            "en" => Some(Self::En),
            "zh" => {
                let script = id.script.as_ref().map(|s| s.as_str());
                let region = id.region.as_ref().map(|r| r.as_str());
                match (script, region) {
                    (Some("Hans"), _) => Some(Self::ZhCn),
                    (Some(_), _) => None,
                    (None, Some("TW" | "HK" | "MO")) => None,
                    (None, _) => Some(Self::ZhCn),
                }
            }
            _ => None,
        }
    }

    /// The best of ringbridge's languages for an `Accept-Language` value,
    /// honouring q-values (`q=0` means "not this one").
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut ranked: Vec<(f32, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, item)| {
                let mut parts = item.split(';');
                let tag = parts.next()?.trim();
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (q > 0.0 && !tag.is_empty()).then_some((q, i, tag))
            })
            .collect();
        // Highest q first; equal q keeps the header's order.
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked
            .into_iter()
            .find_map(|(_, _, tag)| Self::from_tag(tag))
    }

    /// The message `id` in this language (English if this locale lacks it).
    pub fn t(self, id: &str) -> String {
        LOCALES.lookup(&self.langid(), id)
    }

    /// Whether this locale itself (not its English fallback) has `id`.
    pub fn has(self, id: &str) -> bool {
        LOCALES
            .lookup_single_language::<&str>(&self.langid(), id, None)
            .is_ok()
    }

    /// The message `id` with named arguments, e.g. `[("name", "Ana")]`.
    pub fn t_args(self, id: &str, args: &[(&'static str, &str)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(*v)))
            .collect();
        LOCALES.lookup_with_args(&self.langid(), id, &args)
    }
}

/// The language chosen for one request, and whether the response should
/// remember it in [`LANG_COOKIE`] (it came from `?lang=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen {
    pub lang: Lang,
    pub remember: bool,
}

/// Picks the language from the query string and headers of a request.
pub fn choose(query: Option<&str>, headers: &HeaderMap) -> Chosen {
    let asked = query.and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::from_tag(&v))
    });
    if let Some(lang) = asked {
        return Chosen {
            lang,
            remember: true,
        };
    }
    let remembered = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == LANG_COOKIE)
        .and_then(|c| Lang::from_tag(c.value()));
    let lang = remembered
        .or_else(|| {
            headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::En);
    Chosen {
        lang,
        remember: false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn tags_map_to_languages() {
        for tag in ["zh", "zh-CN", "zh-Hans", "zh-Hans-CN", "zh-SG", "ZH-cn"] {
            assert_eq!(Lang::from_tag(tag), Some(Lang::ZhCn), "{tag}");
        }
        for tag in ["en", "en-US", "en-GB"] {
            assert_eq!(Lang::from_tag(tag), Some(Lang::En), "{tag}");
        }
        for tag in ["zh-TW", "zh-Hant", "zh-Hant-HK", "de", "", "*", "not a tag"] {
            assert_eq!(Lang::from_tag(tag), None, "{tag}");
        }
    }

    #[test]
    fn accept_language_honours_quality_and_order() {
        let pick = Lang::from_accept_language;
        assert_eq!(pick("zh-CN,zh;q=0.9,en;q=0.8"), Some(Lang::ZhCn));
        assert_eq!(pick("de-DE, en;q=0.5, zh;q=0.7"), Some(Lang::ZhCn));
        assert_eq!(pick("zh-TW,en;q=0.8"), Some(Lang::En));
        assert_eq!(pick("zh;q=0, en;q=0.1"), Some(Lang::En));
        assert_eq!(pick("en, zh"), Some(Lang::En));
        assert_eq!(pick("fr, de"), None);
        assert_eq!(pick("zh;q=abc"), None);
    }

    #[test]
    fn query_beats_cookie_beats_header() {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("zh-CN"));
        assert_eq!(
            choose(None, &headers),
            Chosen {
                lang: Lang::ZhCn,
                remember: false
            }
        );
        headers.insert(COOKIE, HeaderValue::from_static("a=b; rb_lang=en"));
        assert_eq!(choose(None, &headers).lang, Lang::En);
        assert_eq!(
            choose(Some("x=1&lang=zh-Hans"), &headers),
            Chosen {
                lang: Lang::ZhCn,
                remember: true
            }
        );
        // An unknown language in the query falls through.
        assert_eq!(choose(Some("lang=xx"), &headers).lang, Lang::En);
        assert_eq!(choose(None, &HeaderMap::new()).lang, Lang::En);
    }

    #[test]
    fn messages_are_translated_with_arguments() {
        assert_eq!(Lang::En.t("login-submit"), "Sign in");
        assert_eq!(Lang::ZhCn.t("login-submit"), "登录");
        let hi = Lang::ZhCn.t_args("home-signed-in-as", &[("name", "<Ana>")]);
        assert!(hi.contains("<Ana>"), "{hi}");
    }

    fn message_ids(ftl: &str) -> BTreeSet<String> {
        ftl.lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_owned()))
            .collect()
    }

    /// The messages of every `.ftl` file of one locale (each part of the
    /// pages keeps its own file).
    fn locale_ids(tag: &str) -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(tag);
        let mut ids = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ftl") {
                ids.extend(message_ids(&std::fs::read_to_string(path).unwrap()));
            }
        }
        ids
    }

    #[test]
    fn every_locale_has_every_message() {
        let en = locale_ids("en");
        let zh = locale_ids("zh-CN");
        assert!(en.len() > 20);
        assert_eq!(en, zh, "en and zh-CN define different messages");
    }

    #[test]
    fn every_message_a_template_uses_exists() {
        let en = locale_ids("en");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut used = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for call in ["t(\"", "t1(\""] {
                for piece in text.split(call).skip(1) {
                    let id = piece.split('"').next().unwrap();
                    assert!(
                        en.contains(id),
                        "templates use {id:?}, no locale defines it"
                    );
                    used += 1;
                }
            }
        }
        assert!(used > 10);
    }
}
