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
