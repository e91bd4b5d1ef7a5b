//! The usage guide's curl commands, replayed against the emulator as `usage_guide.json`
//! lists them: same method, path, headers and body, placeholders filled in, host replaced.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::support::*;

/// The values placeholders name: the fixture's `vars`, what the test adds, and the
/// answers of the steps saved so far.
struct Context(Map<String, Value>);

impl Context {
    /// The value of one placeholder, `name` or `name/json/pointer`.
    fn lookup(&self, placeholder: &str) -> Value {
        let (name, pointer) = match placeholder.split_once('/') {
            Some((name, rest)) => (name, format!("/{rest}")),
            None => (placeholder, String::new()),
        };
        self.0
            .get(name)
            .and_then(|v| v.pointer(&pointer))
            .unwrap_or_else(|| panic!("no value for ${{{placeholder}}}"))
            .clone()
    }

    /// `text` with every `${...}` replaced: strings as they are, other values as JSON.
    fn fill(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find('}')
                .unwrap_or_else(|| panic!("unclosed placeholder in {text:?}"));
            match self.lookup(&rest[start + 2..start + end]) {
                Value::String(s) => out.push_str(&s),
                other => out.push_str(&other.to_string()),
            }
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// An expected value with its placeholders filled: a string that is one placeholder
    /// becomes that value, so expectations can name arrays and objects too.
    fn expected(&self, value: &Value) -> Value {
        match value {
            Value::String(s)
                if s.starts_with("${") && s.ends_with('}') && s.matches("${").count() == 1 =>
            {
                self.lookup(&s[2..s.len() - 1])
            }
            Value::String(s) => Value::String(self.fill(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.expected(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.expected(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

fn at<'a>(body: &'a Value, pointer: &str, step: &str) -> &'a Value {
    body.pointer(pointer)
        .unwrap_or_else(|| panic!("{step}: nothing at {pointer:?} in {body}"))
}

/// Checks one answer against a step's `expect`.
fn check(step: &str, expect: &Value, status: u16, text: &str, context: &Context) -> Value {
    if let Some(want) = expect.get("status") {
        assert_eq!(Some(u64::from(status)), want.as_u64(), "{step}: {text}");
    }
    let body: Value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{step}: {e}: {text}"))
    };
    if let Some(want) = expect.get("body") {
        assert_eq!(body, context.expected(want), "{step}");
    }
    for (pointer, want) in expect
        .get("equals")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        assert_eq!(
            at(&body, pointer, step),
            &context.expected(want),
            "{step}: {pointer}"
        );
    }
    for (pointer, want) in expect
        .get("contains")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let got = at(&body, pointer, step).as_str().unwrap_or_default();
        let want = context.fill(want.as_str().unwrap());
        assert!(
            got.contains(&want),
            "{step}: {pointer} is {got:?}, without {want:?}"
        );
    }
    for (pointer, want) in expect
        .get("keys")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let got: BTreeSet<&str> = at(&body, pointer, step)
            .as_object()
            .unwrap_or_else(|| panic!("{step}: {pointer} is not an object"))
            .keys()
            .map(String::as_str)
            .collect();
        let want = context.expected(want);
        let want: BTreeSet<&str> = want
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(got, want, "{step}: keys of {pointer:?}");
    }
    for (pointer, fields) in expect
        .get("every")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for item in at(&body, pointer, step).as_array().unwrap() {
            for field in fields.as_array().unwrap() {
                let field = field.as_str().unwrap();
                assert!(
                    at(item, field, step).is_string(),
                    "{step}: {field} of {item}"
                );
            }
        }
    }
    body
}

#[tokio::test]
async fn usage_guide_curl_commands() {
    let emu = emulator().await;
    let guide = fixture("usage_guide.json");
    let mut context = Context(guide["vars"].as_object().unwrap().clone());
    let var = |context: &Context, name: &str| context.lookup(name).as_str().unwrap().to_owned();
    let auth = basic(&var(&context, "api_key"), &var(&context, "api_secret"));
    context.0.insert("auth".into(), Value::String(auth));

    // The guide shows no curl command for these two; the client makes them.
    let client = client(&emu);
    let ccpm_env = var(&context, "ccpm_env");
    let plugin = client
        .ccpm()
        .raw()
        .create_plugin(&ccpm_plugin("guide", &ccpm_env))
        .await
        .unwrap();
    context
        .0
        .insert("ccpm_plugin_id".into(), plugin.id.unwrap().into());
    let upload = ccpm_upload(&client, &ccpm_env, &tiny_zip()).await;
    context.0.insert("ccpm_upload_id".into(), upload.into());

    let http = reqwest::Client::new();
    for step in guide["steps"].as_array().unwrap() {
        let name = step["step"].as_str().unwrap();
        let expect = &step["expect"];
        if let Some(upload) = step.get("upload") {
            let form = context.expected(&upload["form"]);
            let fields: Vec<(&str, &str)> = upload["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| {
                    let k = k.as_str().unwrap();
                    (k, form[k].as_str().unwrap())
                })
                .collect();
            let url = context.fill(upload["url"].as_str().unwrap());
            let resp = s3_post(&url, &fields, &tiny_zip()).await;
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            assert_eq!(
                Some(u64::from(status)),
                expect["status"].as_u64(),
                "{name}: {text}"
            );
            continue;
        }
        let method = step["method"].as_str().unwrap();
        let path = context.fill(step["path"].as_str().unwrap());
        let headers: Vec<(String, String)> = step["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), context.fill(v.as_str().unwrap())))
            .collect();
        let mut body = step
            .get("body")
            .map(|b| context.fill(b.as_str().unwrap()))
            .unwrap_or_default();
        for pair in step
            .get("replace")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            body = body.replace(pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        }
        let (status, text) = if step.get("raw").and_then(Value::as_bool) == Some(true) {
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            raw_request(emu.addr(), method, &path, &headers, &body).await
        } else {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let mut request = http.request(method, format!("{}{path}", emu.base_url()));
            for (k, v) in &headers {
                request = request.header(k, v);
            }
            if step.get("body").is_some() {
                request = request.body(body);
            }
            let resp = request.send().await.unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        };
        let answer = check(name, expect, status, &text, &context);
        if let Some(saved) = step.get("save_as").and_then(Value::as_str) {
            context.0.insert(saved.to_owned(), answer);
        }
    }
}
