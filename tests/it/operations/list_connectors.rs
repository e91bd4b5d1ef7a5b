//! list_connectors and its two answers.

use ccloud_connect::connect::Expand;
use ccloud_connect::connect::mock::MockServerExt;
use ccloud_connect::connect::{ConnectorState, ConnectorType};
use httpmock::Method::GET;

use super::*;

/// The query string as sent. reqwest writes the comma as `%2C`; both spellings mean the
/// same to the server, so the check accepts either and nothing else.
fn raw_query(req: &httpmock::HttpMockRequest) -> String {
    req.uri().query().unwrap_or("").replace("%2C", ",")
}

#[tokio::test]
async fn expand_goes_as_one_comma_joined_parameter() {
    let cases = [
        (Expand::ALL, "info,status,id"),
        (Expand::INFO | Expand::STATUS | Expand::ID, "info,status,id"),
        (Expand::ID | Expand::STATUS, "status,id"),
        (Expand::INFO, "info"),
        (Expand::ID, "id"),
    ];
    for (expand, value) in cases {
        let server = MockServer::start_async().await;
        let mock = server.list_connectors(|when, then| {
            expect(
                when.into_inner(),
                GET,
                &cluster_path("/connectors"),
                &[("expand", value)],
                None,
            )
            // Exactly one `expand=` pair, not one per value and not a repeated key.
            .is_true(move |req| raw_query(req) == format!("expand={value}"));
            then.into_inner().status(200).json_body(json!({}));
        });
        let result = builder(&server)
            .build()
            .unwrap()
            .connect()
            .cluster(ENV, CLUSTER)
            .connectors(expand)
            .await;
        mock.assert_async().await;
        assert!(result.unwrap().is_empty(), "{expand}");
    }
}

#[tokio::test]
async fn expanded_sections_decode_and_null_ones_are_none() {
    let server = MockServer::start_async().await;
    let mock = server.list_connectors(|when, then| {
        expect(
            when.into_inner(),
            GET,
            &cluster_path("/connectors"),
            &[("expand", "info,status,id")],
            None,
        );
        then.into_inner().status(200).json_body(json!({
            "MyGcsLogsBucketConnector": {
                "id": {"id": "lcc-xxxxx", "id_type": "ID"},
                "info": {
                    "name": "MyGcsLogsBucketConnector",
                    "config": {"connector.class": "GcsSink", "tasks.max": "1"},
                    "tasks": [{"connector": "MyGcsLogsBucketConnector", "task": 0}],
                    "type": "sink"
                },
                "status": {
                    "name": "MyGcsLogsBucketConnector",
                    "connector": {"state": "PROVISIONING", "worker_id": "w", "trace": ""},
                    "tasks": [],
                    "type": "sink"
                }
            },
            "half-known": {"id": {"id": "lcc-yyyyy", "id_type": "ID"}, "info": null, "status": null},
            "nothing-known": {}
        }));
    });
    let result = builder(&server)
        .build()
        .unwrap()
        .connect()
        .cluster(ENV, CLUSTER)
        .connectors(Expand::ALL)
        .await;
    mock.assert_async().await;
    let connectors = result.unwrap();
    assert_eq!(
        connectors.keys().map(String::as_str).collect::<Vec<_>>(),
        ["MyGcsLogsBucketConnector", "half-known", "nothing-known"]
    );

    let gcs = &connectors["MyGcsLogsBucketConnector"];
    assert_eq!(gcs.id.as_ref().unwrap().id.as_deref(), Some("lcc-xxxxx"));
    let info = gcs.info.as_ref().unwrap();
    assert_eq!(info.type_, Some(ConnectorType::Sink));
    assert_eq!(
        info.config.as_ref().unwrap().0["connector.class"],
        "GcsSink"
    );
    assert_eq!(info.tasks[0].task, 0);
    let status = gcs.status.as_ref().unwrap();
    assert_eq!(status.connector.state, ConnectorState::Provisioning);

    let half = &connectors["half-known"];
    assert_eq!(half.id.as_ref().unwrap().id.as_deref(), Some("lcc-yyyyy"));
    assert!(half.info.is_none() && half.status.is_none());
    let nothing = &connectors["nothing-known"];
    assert!(nothing.id.is_none() && nothing.info.is_none() && nothing.status.is_none());
}

#[tokio::test]
async fn empty_expand_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let anything = server.mock(|_, then| {
        then.status(418);
    });
    let err = builder(&server)
        .build()
        .unwrap()
        .connect()
        .cluster(ENV, CLUSTER)
        .connectors(Expand::default())
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(anything.calls_async().await, 0);
}

#[tokio::test]
async fn names_decode_from_the_plain_answer() {
    let cases = [
        (
            fixtures::fixture("connector_list_response.json"),
            vec![
                "DatagenSourceConnector_0",
                "S3_SINKConnector_0",
                "custom-datagen_0",
            ],
        ),
        (json!([]), vec![]),
        // Some servers answer an empty cluster with an object.
        (json!({}), vec![]),
    ];
    for (answer, names) in cases {
        let server = MockServer::start_async().await;
        let mock = server.list_connectors(|when, then| {
            expect(
                when.into_inner(),
                GET,
                &cluster_path("/connectors"),
                &[],
                None,
            );
            then.into_inner().status(200).json_body(answer.clone());
        });
        let result = builder(&server)
            .build()
            .unwrap()
            .connect()
            .cluster(ENV, CLUSTER)
            .connector_names()
            .await;
        mock.assert_async().await;
        assert_eq!(result.unwrap(), names, "answer {answer}");
    }
}
