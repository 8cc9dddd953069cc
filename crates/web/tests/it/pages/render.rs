//! What pages show: escaping, languages, security headers.

use super::*;

#[tokio::test]
async fn display_names_are_shown_escaped() {
    let app = start().await;
    let hostile = "<script>alert(1)</script>\"'&";
    let (admin, agent) = app.admin_and_agent(hostile).await;
    for page in [
        app.get(&agent, "/").await,
        app.get(&admin, "/admin/accounts").await,
    ] {
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("<script"), "{}", page.body);
        // Askama writes numeric character references.
        assert!(
            page.body
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;"),
            "{}",
            page.body
        );
    }
}

#[tokio::test]
async fn pages_speak_chinese_by_browser_language_or_by_choice() {
    let app = start().await;
    app.setup(&browser()).await;
    let b = browser();
    let zh = read(
        b.get(format!("{}/login", app.url))
            .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(zh.body.contains("<html lang=\"zh-CN\">"));
    assert!(zh.body.contains("登录 ringbridge"), "{}", zh.body);
    assert!(zh.body.contains("用户名"));

    let en = app.get(&b, "/login").await;
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(en.body.contains("Sign in to ringbridge"));

    // Chosen with ?lang=, then remembered.
    let chosen = app.get(&b, "/login?lang=zh-Hans").await;
    assert!(chosen.body.contains("登录 ringbridge"));
    assert!(chosen.cookies().concat().contains("rb_lang=zh-CN"));
    let remembered = app.get(&b, "/login").await;
    assert!(remembered.body.contains("登录 ringbridge"));
    let wrong = app.login(&b, "root", "wrong password!").await;
    assert!(wrong.body.contains("用户名或密码错误。"), "{}", wrong.body);
    assert!(
        app.get(&b, "/login?lang=en")
            .await
            .body
            .contains("Sign in to ringbridge")
    );
    assert!(
        app.get(&b, "/login")
            .await
            .body
            .contains("Sign in to ringbridge")
    );

    // Signed in: the home page and the switcher.
    let s = browser();
    app.login(&s, "root", ADMIN_PW).await;
    let home = app.get(&s, "/?lang=zh").await;
    assert!(
        home.body.contains("当前用户：\u{2068}Rita Admin\u{2069}"),
        "{}",
        home.body
    );
    assert!(home.body.contains("管理员"));
    assert!(home.body.contains("href=\"?lang=en\""));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = start().await;
    let b = browser();
    app.setup(&b).await;
    let home = app.get(&b, "/").await;
    let css_path = between(&home.body, "<link rel=\"stylesheet\" href=\"", "\"");
    let anon = browser();
    let pages = [
        home,
        app.get(&anon, "/login").await,
        app.get(&anon, "/static/app.0000000000.css").await,
        app.post(&anon, "/logout", &[]).await,
    ];
    for page in &pages {
        let csp = page.header("content-security-policy");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(page.header("x-frame-options"), "DENY");
        assert_eq!(page.header("referrer-policy"), "no-referrer");
        assert_eq!(page.header("x-content-type-options"), "nosniff");
        assert_eq!(page.header("cache-control"), "no-store");
        // No inline script or style anywhere: the CSP would block them.
        assert!(
            !page.body.contains("<script") && !page.body.contains("style="),
            "{}",
            page.body
        );
    }
    assert_eq!(pages[2].status, StatusCode::NOT_FOUND);
    assert_eq!(pages[3].status, StatusCode::FORBIDDEN);

    let css = app.get(&anon, &css_path).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("content-type").starts_with("text/css"));
    assert_eq!(
        css.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(css.body.contains(".card"));

    // Browsers ask every page for an icon; a 404 would litter their consoles.
    let icon = app.get(&anon, "/favicon.ico").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.header("content-type"), "image/svg+xml");
    assert!(icon.body.starts_with("<svg"));
}

#[tokio::test]
async fn refusals_are_pages_in_the_readers_language() {
    let app = start().await;
    let b = browser();
    app.setup(&b).await;
    let csrf = app.get(&b, "/").await.csrf();
    // A form axum cannot parse (no password field), in Chinese.
    let bad = read(
        b.post(format!("{}/login?lang=zh-CN", app.url))
            .form(&[("csrf_token", csrf.as_str()), ("username", "root")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("无法理解该请求。"), "{}", bad.body);
    assert!(bad.header("content-type").starts_with("text/html"));
    // A method the route does not take.
    let wrong = app.get(&b, "/logout").await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong.body.contains("That request could not be understood."));
    // Not found, on a page and on the API.
    assert!(
        app.get(&b, "/static/nothing.css")
            .await
            .body
            .contains("There is nothing here.")
    );
    let api = b
        .delete(format!("{}/api/tokens/999", app.url))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"], "not_found");

    // An htmx request whose session is gone is sent to sign-in as a whole page.
    let gone = read(
        browser()
            .get(format!("{}/", app.url))
            .header("hx-request", "true")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
    assert_eq!(gone.header("hx-redirect"), "/login");
}
