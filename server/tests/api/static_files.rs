//! The front end and the headers every response carries.

use crate::harness::TestApp;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/api/me", "/some/app/route"] {
        let response = app.client().get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("'wasm-unsafe-eval'"), "{path}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert!(
            !headers.contains_key("strict-transport-security"),
            "no HSTS without TLS ({path})"
        );
    }
}

#[tokio::test]
async fn unknown_api_paths_are_404_not_the_app() {
    let app = TestApp::spawn().await;
    let response = app
        .client()
        .get(app.url("/api/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn the_webassembly_goes_out_compressed_to_browsers_that_accept_it() {
    let dist = tempfile::tempdir().unwrap();
    let wasm = vec![7u8; 4096];
    std::fs::write(dist.path().join("app_bg.wasm"), &wasm).unwrap();
    std::fs::write(dist.path().join("app_bg.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(dist.path().join("app_bg.wasm.gz"), b"gzip bytes").unwrap();
    let path = dist.path().to_path_buf();
    let app = TestApp::spawn_with(move |c| c.dist = path).await;
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    let get = |accept: &'static str| {
        client
            .get(app.url("/app_bg.wasm"))
            .header("accept-encoding", accept)
            .send()
    };
    let br = get("gzip, deflate, br").await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["content-type"], "application/wasm");
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli bytes");
    let gz = get("gzip").await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let plain = get("identity").await.unwrap();
    assert!(!plain.headers().contains_key("content-encoding"));
    assert_eq!(plain.bytes().await.unwrap().len(), wasm.len());
}
