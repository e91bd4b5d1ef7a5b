//! The root `Dockerfile`, checked without a container engine: the binary it builds and
//! copies is this one, the port it exposes is the one the binary is told to listen on,
//! and its entrypoint and health check, run here against the real binary, start it and
//! find it healthy.

use std::process::Command;

use crate::binary::start;

/// The Dockerfile, with backslash-continued lines joined.
fn dockerfile() -> Vec<String> {
    let path = format!("{}/../Dockerfile", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(line);
                if !current.trim().is_empty() {
                    lines.push(current.trim().to_owned());
                }
                current.clear();
            }
        }
    }
    lines
}

/// The exec-form (JSON array) arguments after `marker` in the first line starting with
/// `instruction`.
fn exec_form(lines: &[String], instruction: &str, marker: &str) -> Vec<String> {
    let line = lines
        .iter()
        .find(|l| l.starts_with(instruction))
        .unwrap_or_else(|| panic!("no {instruction} in the Dockerfile"));
    let json = &line[line.find(marker).unwrap() + marker.len()..];
    serde_json::from_str(json.trim()).unwrap_or_else(|e| panic!("{line}: {e}"))
}

#[test]
fn the_dockerfile_matches_the_binary() {
    let lines = dockerfile();
    let name = "ccloud-connect-emulator";
    let installed = format!("/usr/local/bin/{name}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("RUN cargo build") && l.contains(&format!("--bin {name}"))),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&format!(
            "COPY --from=build /src/target/release/{name} {installed}"
        )),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l.starts_with("USER nonroot")));
    let exposed: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("EXPOSE "))
        .collect();
    assert_eq!(exposed.len(), 1, "{lines:#?}");
    let port = exposed[0].trim();

    let entrypoint = exec_form(&lines, "ENTRYPOINT", "ENTRYPOINT");
    assert_eq!(entrypoint[0], installed);
    let flag = |args: &[String], name: &str| {
        let i = args
            .iter()
            .position(|a| a == name)
            .unwrap_or_else(|| panic!("{name}"));
        args[i + 1].clone()
    };
    assert_eq!(flag(&entrypoint, "--host"), "0.0.0.0");
    assert_eq!(flag(&entrypoint, "--port"), port);
    let check = exec_form(&lines, "HEALTHCHECK", "CMD");
    assert_eq!(check[0], installed);
    let url = flag(&check, "--healthcheck");
    assert_eq!(url, format!("http://127.0.0.1:{port}/_emulator/health"));

    // Run both against the real binary, on a free port instead of the image's.
    let mut args: Vec<String> = entrypoint[1..].to_vec();
    let at = args.iter().position(|a| a == "--port").unwrap();
    args[at + 1] = "0".to_owned();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_running, base) = start(&args);
    let free = base.rsplit(':').next().unwrap();
    let mut check_args: Vec<String> = check[1..].to_vec();
    for a in &mut check_args {
        *a = a.replace(&format!(":{port}/"), &format!(":{free}/"));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_ccloud-connect-emulator"))
        .args(&check_args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{check_args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
