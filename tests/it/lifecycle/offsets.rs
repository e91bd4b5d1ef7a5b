//! Offsets, read, altered and waited for, and the `expand` answer of list_connectors, on
//! tokio's paused clock (see the parent module).

use std::time::Duration;

use ccloud_connect::connect::{AlterOffsetsPhase, ConnectorOffset, ConnectorState};
use ccloud_connect::connect::{Expand, OffsetsChange};
use ccloud_connect::wait::WaitOptions;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::{Value, json};

use super::{BASE, CLUSTER, ENV, NAME, fast, status, status_mock, wait_error};
use crate::support;

fn sink_offset(partition: u64, offset: u64) -> ConnectorOffset {
    serde_json::from_value(json!({
        "partition": {"kafka_partition": partition, "kafka_topic": "orders"},
        "offset": {"kafka_offset": offset}
    }))
    .unwrap()
}

fn offsets_status(phase: &str, requested_at: &str, message: Option<&str>) -> Value {
    let mut status = json!({
        "request": {
            "id": "lcc-1",
            "name": NAME,
            "type": "PATCH",
            "requested_at": requested_at,
            "offsets": [{"partition": {"kafka_partition": 0, "kafka_topic": "orders"}, "offset": {"kafka_offset": 42}}]
        },
        "status": {"phase": phase},
        "previous_offsets": [{"partition": {"kafka_partition": 0, "kafka_topic": "orders"}, "offset": {"kafka_offset": 7}}],
        "applied_at": null
    });
    if let Some(m) = message {
        status["status"]["message"] = json!(m);
    }
    status
}

#[tokio::test(start_paused = true)]
async fn read_offsets() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path(format!("{BASE}/{NAME}/offsets"));
        then.status(200).json_body(json!({
            "id": "lcc-1",
            "name": NAME,
            "offsets": [{"partition": {"kafka_partition": 0, "kafka_topic": "orders"}, "offset": {"kafka_offset": 7}}],
            "metadata": {"observed_at": "2024-03-28T17:57:48.139635200Z"}
        }));
    });
    let offsets = support::paused_client(&server.base_url())
        .connect()
        .raw()
        .get_connector_offsets(ENV, CLUSTER, NAME)
        .await
        .unwrap();
    assert_eq!(offsets.id.as_deref(), Some("lcc-1"));
    assert_eq!(offsets.offsets[0].offset["kafka_offset"], json!(7));
    assert_eq!(offsets.offsets[0].partition["kafka_topic"], json!("orders"));
    assert!(offsets.metadata.unwrap().observed_at.is_some());
}

#[tokio::test(start_paused = true)]
async fn alter_offsets_waits_past_an_earlier_request_until_applied() {
    let server = MockServer::start_async().await;
    let ours = "2024-03-28T18:00:00Z";
    let post = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{BASE}/{NAME}/offsets/request"))
            .json_body(json!({
                "type": "PATCH",
                "offsets": [{"partition": {"kafka_partition": 0, "kafka_topic": "orders"}, "offset": {"kafka_offset": 42}}]
            }));
        then.status(202).json_body(json!({
            "id": "lcc-1", "name": NAME, "type": "PATCH", "requested_at": ours,
            "offsets": [{"partition": {"kafka_partition": 0, "kafka_topic": "orders"}, "offset": {"kafka_offset": 42}}]
        }));
    });
    let path = format!("{BASE}/{NAME}/offsets/request/status");
    // The status still describes the previous alteration, which was applied.
    let earlier = server.mock(|when, then| {
        when.method(GET).path(path.clone());
        then.status(200)
            .json_body(offsets_status("APPLIED", "2024-03-28T17:00:00Z", None))
            .up_to_n_times(1);
    });
    let validating = server.mock(|when, then| {
        when.method(GET).path(path.clone());
        then.status(200)
            .json_body(offsets_status("PENDING_VALIDATION", ours, None))
            .up_to_n_times(1);
    });
    let pending = server.mock(|when, then| {
        when.method(GET).path(path.clone());
        then.status(200)
            .json_body(offsets_status("PENDING", ours, None))
            .up_to_n_times(1);
    });
    let applied = server.mock(|when, then| {
        when.method(GET).path(path.clone());
        let mut body = offsets_status("APPLIED", ours, None);
        body["applied_at"] = json!("2024-03-28T18:00:05Z");
        then.status(200).json_body(body);
    });

    let status = support::paused_client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .offsets()
        .alter_and_wait(OffsetsChange::Patch(vec![sink_offset(0, 42)]), fast())
        .await
        .unwrap();

    assert_eq!(status.status.phase, AlterOffsetsPhase::Applied);
    assert!(status.applied_at.is_some());
    assert_eq!(status.previous_offsets[0].offset["kafka_offset"], json!(7));
    post.assert_calls(1);
    earlier.assert_calls(1);
    validating.assert_calls(1);
    pending.assert_calls(1);
    applied.assert_calls(1);
}

#[tokio::test(start_paused = true)]
async fn reset_offsets_failure_reports_the_message() {
    let server = MockServer::start_async().await;
    let post = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{BASE}/{NAME}/offsets/request"))
            .json_body(json!({"type": "DELETE"}));
        then.status(202).json_body(json!({
            "id": "lcc-1", "name": NAME, "type": "DELETE", "requested_at": "2024-03-28T18:00:00Z"
        }));
    });
    let status = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{BASE}/{NAME}/offsets/request/status"));
        then.status(200).json_body(offsets_status(
            "FAILED",
            "2024-03-28T18:00:00Z",
            Some("The connector must be in the PAUSED state"),
        ));
    });
    let err = support::paused_client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .offsets()
        .alter_and_wait(OffsetsChange::Reset, fast())
        .await
        .unwrap_err();
    let (what, state, timed_out, detail) = wait_error(err);
    assert!(
        what.contains("offsets") && what.contains("APPLIED"),
        "{what}"
    );
    assert_eq!((state.as_deref(), timed_out), (Some("FAILED"), false));
    assert_eq!(
        detail.as_deref(),
        Some("The connector must be in the PAUSED state")
    );
    post.assert_calls(1);
    status.assert_calls(1);
}

#[tokio::test(start_paused = true)]
async fn offsets_wait_times_out_on_an_unknown_phase() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET)
            .path(format!("{BASE}/{NAME}/offsets/request/status"));
        then.status(200)
            .json_body(offsets_status("QUEUED", "2024-03-28T18:00:00Z", None));
    });
    let options = WaitOptions::new(Duration::from_millis(10), Duration::from_millis(60));
    let err = support::paused_client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .offsets()
        .wait_until_applied(options)
        .await
        .unwrap_err();
    let (_, state, timed_out, _) = wait_error(err);
    assert!(timed_out);
    assert_eq!(state.as_deref(), Some("QUEUED"));
}

#[tokio::test(start_paused = true)]
async fn alter_offsets_without_wait_returns_the_request() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(POST)
            .path(format!("{BASE}/{NAME}/offsets/request"))
            .json_body(json!({"type": "DELETE"}));
        then.status(202).json_body(json!({
            "id": "lcc-1", "name": NAME, "type": "DELETE", "requested_at": "2024-03-28T18:00:00Z"
        }));
    });
    let status = status_mock(&server, "RUNNING", None);
    let request = support::paused_client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .offsets()
        .alter(OffsetsChange::Reset)
        .await
        .unwrap();
    assert_eq!(request.id, "lcc-1");
    assert!(request.requested_at.is_some());
    status.assert_calls(0);
}

#[tokio::test(start_paused = true)]
async fn an_empty_patch_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = server.mock(|_, then| {
        then.status(202);
    });
    let api = support::paused_client(&server.base_url());
    let err = api
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .offsets()
        .alter(OffsetsChange::Patch(vec![]))
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err}");
    assert!(err.to_string().contains("offsets"), "{err}");
    let err = api
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .offsets()
        .alter_and_wait(OffsetsChange::Patch(vec![]), fast())
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err}");
    any.assert_calls(0);
}

// The expand answer of list_connectors.

#[tokio::test(start_paused = true)]
async fn expanded_list_reads_every_section_and_nulls() {
    let server = MockServer::start_async().await;
    let list = server.mock(|when, then| {
        when.method(GET).path(BASE).query_param("expand", "info,status,id");
        then.status(200).json_body(json!({
            "pg-sink": {
                "id": {"id": "lcc-1", "id_type": "ID"},
                "info": {"name": "pg-sink", "type": "sink", "config": {"connector.class": "PostgresSink", "name": "pg-sink"}},
                "status": status("RUNNING")
            },
            "half": {"id": {"id": "lcc-2", "id_type": "ID"}, "info": null, "status": null}
        }));
    });
    let map = support::paused_client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connectors(Expand::ALL)
        .await
        .unwrap();
    list.assert_calls(1);
    let full = &map["pg-sink"];
    assert_eq!(full.id.as_ref().unwrap().id.as_deref(), Some("lcc-1"));
    assert_eq!(
        full.info.as_ref().unwrap().config.as_ref().unwrap()["connector.class"],
        "PostgresSink"
    );
    assert_eq!(
        full.status.as_ref().unwrap().connector.state,
        ConnectorState::Running
    );
    let half = &map["half"];
    assert!(half.info.is_none() && half.status.is_none());
    assert_eq!(half.id.as_ref().unwrap().id.as_deref(), Some("lcc-2"));
}
