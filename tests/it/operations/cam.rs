//! The wire test of every cam/v1 operation, keyed by `CamApi::OPERATIONS`.
//!
//! Every artifact call names its cloud and environment in the query (`spec.cloud` and
//! `environment`, both required); the presigned URL takes them in its body instead.

use ccloud_connect::cam::mock::MockServerExt;
use ccloud_connect::cam::{
    ArtifactPhase, Cloud, ConnectArtifact, ConnectArtifactSpec, ContentFormat, PresignedUrlRequest,
    UploadSourceLocation, UploadSourcePresignedUrl,
};
use httpmock::Method::{DELETE, GET, POST};

use super::*;

wire_tests! {
    "cam/v1":
    list_artifacts,
    create_artifact,
    get_artifact,
    delete_artifact,
    create_presigned_upload_url,
}

/// The environment of the published examples the `cam_*` fixtures are made of.
const CAM_ENV: &str = "env-00000";
const ARTIFACT: &str = "ca-12345";
const UPLOAD_ID: &str = "e53bb2e8-8de3-49fa-9fb1-4e3fd9a16b66";

/// The artifact path, followed by `rest`.
fn artifact_path(rest: &str) -> String {
    format!("/cam/v1/connect-artifacts/{ARTIFACT}{rest}")
}

async fn list_artifacts(wire: Wire) {
    type Args = (Option<u32>, Option<&'static str>, &'static str);
    let cases: [(Args, Query); 2] = [
        (
            (None, None, "AWS"),
            &[("environment", CAM_ENV), ("spec.cloud", "AWS")],
        ),
        (
            (Some(25), Some("UvmDWOB1iwfAIBPj6EYb/next=2"), "AZURE"),
            &[
                ("environment", CAM_ENV),
                ("page_size", "25"),
                ("page_token", "UvmDWOB1iwfAIBPj6EYb/next=2"),
                ("spec.cloud", "AZURE"),
            ],
        ),
    ];
    let (status, answer) = fixtures::response_fixture("cam_artifact_list_response.json");
    for ((page_size, page_token, cloud), query) in cases {
        let server = MockServer::start_async().await;
        let mock = server.list_artifacts(|when, then| {
            expect(
                when.into_inner(),
                GET,
                "/cam/v1/connect-artifacts",
                query,
                None,
            );
            then.into_inner().status(status).json_body(answer.clone());
        });
        let result = wire
            .client(&server)
            .cam()
            .raw()
            .list_artifacts(
                CAM_ENV,
                page_size.and_then(NonZeroU32::new),
                page_token,
                cloud,
            )
            .await;
        mock.assert_async().await;
        let page = result.unwrap();
        assert_eq!(page.api_version.as_deref(), Some("cam/v1"));
        assert_eq!(page.kind.as_deref(), Some("ConnectArtifactList"));
        let meta = page.metadata.unwrap();
        assert_eq!(meta.total_size, Some(123));
        assert_eq!(
            meta.next.as_deref(),
            Some(
                "https://api.confluent.cloud/cam/v1/connect-artifacts?page_token=UvmDWOB1iwfAIBPj6EYb"
            )
        );
        assert_eq!(page.data.len(), 1);
        let artifact = &page.data[0];
        assert_eq!(artifact.id.as_deref(), Some(ARTIFACT));
        assert_eq!(artifact.spec.cloud, Cloud::Aws);
        assert_eq!(artifact.spec.environment, CAM_ENV);
        assert_eq!(
            artifact.spec.plugins[0].class.as_deref(),
            Some("io.confluent.example.CustomSMTExample")
        );
        assert!(artifact.spec.usages.is_empty());
        assert_eq!(
            artifact.status.as_ref().unwrap().phase,
            ArtifactPhase::Processing
        );
    }
}

async fn create_artifact(wire: Wire) {
    let server = MockServer::start_async().await;
    let request = fixtures::fixture("cam_create_artifact_request.json");
    let (status, answer) = fixtures::response_fixture("cam_create_artifact_response.json");
    // The body built field by field sends exactly the fixture.
    let body = ConnectArtifact {
        api_version: None,
        kind: None,
        id: None,
        metadata: None,
        spec: ConnectArtifactSpec {
            cloud: Cloud::Aws,
            environment: CAM_ENV.into(),
            display_name: "order-masking-smts".into(),
            description: Some("Custom SMTs that mask card numbers in order events".into()),
            content_format: Some(ContentFormat::Jar),
            upload_source: Some(UploadSourcePresignedUrl {
                location: UploadSourceLocation::PresignedUrlLocation,
                upload_id: UPLOAD_ID.into(),
            }),
            plugins: Vec::new(),
            usages: Vec::new(),
        },
        status: None,
    };
    assert_eq!(serde_json::to_value(&body).unwrap(), request);
    let mock = server.create_artifact(|when, then| {
        // The cloud and environment travel in the query as well as in the body.
        expect(
            when.into_inner(),
            POST,
            "/cam/v1/connect-artifacts",
            &[("environment", CAM_ENV), ("spec.cloud", "AWS")],
            Some(request),
        );
        then.into_inner().status(status).json_body(answer);
    });
    let result = wire
        .client(&server)
        .cam()
        .raw()
        .create_artifact(CAM_ENV, "AWS", &body)
        .await;
    mock.assert_async().await;
    let artifact = result.unwrap();
    assert_eq!(artifact.id.as_deref(), Some(ARTIFACT));
    assert_eq!(artifact.kind.as_deref(), Some("ConnectArtifact"));
    assert_eq!(
        artifact.status.unwrap().phase,
        ArtifactPhase::WaitingForProcessing
    );
    // Answers carry an empty upload id.
    assert_eq!(artifact.spec.upload_source.unwrap().upload_id, "");
    assert_eq!(
        artifact.metadata.unwrap().created_at.unwrap().to_rfc3339(),
        "2006-01-02T22:04:05+00:00"
    );
}

async fn get_artifact(wire: Wire) {
    let server = MockServer::start_async().await;
    let (status, answer) = fixtures::response_fixture("cam_get_artifact_response.json");
    let mock = server.get_artifact(|when, then| {
        expect(
            when.into_inner(),
            GET,
            &artifact_path(""),
            &[("environment", CAM_ENV), ("spec.cloud", "AWS")],
            None,
        );
        then.into_inner().status(status).json_body(answer);
    });
    let result = wire
        .client(&server)
        .cam()
        .raw()
        .get_artifact(ARTIFACT, CAM_ENV, "AWS")
        .await;
    mock.assert_async().await;
    let artifact = result.unwrap();
    assert_eq!(artifact.spec.display_name, "order-masking-smts");
    assert_eq!(artifact.spec.content_format, Some(ContentFormat::Jar));
    assert_eq!(artifact.status.unwrap().phase, ArtifactPhase::Ready);
    assert_eq!(
        artifact.spec.usages,
        [
            "crn://confluent.cloud/organization=9bb441c4-edef-46ac-8a41-c49e44a3fd9a/environment=env-456xy/cloud-cluster=lkc-123abc/connector=my_datagen_connector"
        ]
    );
    assert_eq!(
        artifact.metadata.unwrap().self_.as_deref(),
        Some("https://api.confluent.cloud/cam/v1/connect-artifacts/ca-12345")
    );
}

async fn delete_artifact(wire: Wire) {
    let server = MockServer::start_async().await;
    let mock = server.delete_artifact(|when, then| {
        expect(
            when.into_inner(),
            DELETE,
            &artifact_path(""),
            &[("environment", CAM_ENV), ("spec.cloud", "GCP")],
            None,
        );
        then.into_inner().status(204);
    });
    let result = wire
        .client(&server)
        .cam()
        .raw()
        .delete_artifact(ARTIFACT, CAM_ENV, "GCP")
        .await;
    mock.assert_async().await;
    result.unwrap();
}

async fn create_presigned_upload_url(wire: Wire) {
    let server = MockServer::start_async().await;
    let request = fixtures::fixture("cam_presigned_upload_url_request.json");
    let (status, answer) = fixtures::response_fixture("cam_presigned_upload_url_response.json");
    let body = PresignedUrlRequest {
        content_format: ContentFormat::Jar,
        cloud: Cloud::Aws,
        environment: CAM_ENV.into(),
    };
    let mock = server.create_presigned_upload_url(|when, then| {
        // The environment travels in the body (a plain string, not ccpm's `{id}`); the query
        // stays empty.
        expect(
            when.into_inner(),
            POST,
            "/cam/v1/presigned-upload-url",
            &[],
            Some(request),
        );
        then.into_inner().status(status).json_body(answer);
    });
    let result = wire
        .client(&server)
        .cam()
        .raw()
        .create_presigned_upload_url(&body)
        .await;
    mock.assert_async().await;
    let url = result.unwrap();
    assert_eq!(url.cloud, Some(Cloud::Aws));
    assert_eq!(url.content_format, Some(ContentFormat::Jar));
    assert_eq!(url.environment.as_deref(), Some(CAM_ENV));
    assert_eq!(url.upload_id.as_deref(), Some(UPLOAD_ID));
    assert_eq!(
        url.upload_url.as_deref(),
        Some(
            "https://confluent-flink-artifacts-stag-us-west-2.s3.dualstack.us-west-2.amazonaws.com/"
        )
    );
    // An AWS upload is a form whose fields keep the server's order.
    let form = url.upload_form_data.unwrap();
    let keys: Vec<&str> = form.fields().iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "bucket",
            "key",
            "policy",
            "x-amz-algorithm",
            "x-amz-credential",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-signature"
        ]
    );
    assert_eq!(form.get("x-amz-algorithm"), Some("AWS4-HMAC-SHA256"));
}
