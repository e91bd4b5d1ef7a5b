//! Credentials: on the API, and on the control endpoints when the emulator requires them.

use ccloud_connect::Client;
use ccloud_connect_emulator::Emulator;
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn authentication() {
    let emu = Emulator::builder()
        .credentials("KEY", "SECRET")
        .start()
        .await
        .unwrap();
    let good = Client::builder()
        .credentials("KEY", "SECRET")
        .base_url(emu.base_url())
        .build()
        .unwrap();
    good.connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    let bad = Client::builder()
        .credentials("KEY", "WRONG")
        .base_url(emu.base_url())
        .build()
        .unwrap();
    let err = bad
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(api_error(&err).message.as_deref(), Some("Unauthorized"));
    let err = bad
        .ccpm()
        .raw()
        .list_plugins(ENV, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");

    let http = reqwest::Client::new();
    for path in [
        format!("/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors"),
        format!("/ccpm/v1/plugins?environment={ENV}"),
        "/connect/v1/custom-connector-runtimes".to_owned(),
    ] {
        let resp = http
            .get(format!("{}{path}", emu.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{path}");
        assert!(resp.headers().contains_key("www-authenticate"));
        let body: Value = resp.json().await.unwrap();
        assert_eq!(
            body,
            json!({"error": {"code": 401, "message": "Unauthorized"}})
        );
    }

    // Without required credentials, any non-empty pair passes, an empty one does not.
    let open = emulator().await;
    let url = format!(
        "{}/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors",
        open.base_url()
    );
    let resp = http
        .get(&url)
        .header("Authorization", basic("anything", "goes"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = http
        .get(&url)
        .header("Authorization", basic("", "secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn control_endpoints_need_the_configured_credentials() {
    let emu = Emulator::builder()
        .credentials("KEY", "SECRET")
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let faults = format!("{}/_emulator/faults", emu.base_url());
    let fault = json!({"kind": "status", "status": 503});

    for auth in [None, Some(basic("KEY", "WRONG"))] {
        let mut get = http.get(&faults);
        let mut post = http.post(&faults).json(&fault);
        let mut delete = http.delete(&faults);
        if let Some(a) = &auth {
            get = get.header("authorization", a);
            post = post.header("authorization", a);
            delete = delete.header("authorization", a);
        }
        for request in [get, post, delete] {
            let resp = request.send().await.unwrap();
            assert_eq!(resp.status(), 401, "{auth:?}");
            assert!(resp.headers().contains_key("www-authenticate"));
            let body: Value = resp.json().await.unwrap();
            assert_eq!(
                body,
                json!({"error": {"code": 401, "message": "Unauthorized"}})
            );
        }
    }
    assert!(emu.pending_faults().is_empty());

    let resp = http
        .post(&faults)
        .header("authorization", basic("KEY", "SECRET"))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(emu.pending_faults().len(), 1);

    // Readiness probes carry no credentials.
    let resp = http
        .get(format!("{}/_emulator/health", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}
