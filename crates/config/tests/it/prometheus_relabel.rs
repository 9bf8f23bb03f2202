//! Relabeling compared with the real thing: Debian's Prometheus 2.42 runs briefly on
//! 127.0.0.1 with `testdata/relabel_vs_prometheus.yml`; for every job we take the target's
//! `discoveredLabels` from `/api/v1/targets`, run our compiled rules over them, and require the
//! same outcome (dropped, or the same final target labels).

use super::testdata;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use vigil_config::{Config, compile_rules};
use vigil_model::Labels;
use vigil_model::relabel::process;

/// Kills the Prometheus we started when the test ends, even on panic.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    out.split_once("\r\n\r\n").map(|(_, body)| body.to_owned())
}

fn labels_of(v: &serde_json::Value) -> Labels {
    let map = v.as_object().unwrap();
    let pairs: Vec<(&str, &str)> = map.iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())).collect();
    Labels::from_pairs(&pairs)
}

/// What Prometheus does after relabeling: `instance` defaults to `__address__`, and labels
/// starting with `__` are not part of the target's labels.
fn finish(l: Labels) -> Labels {
    let mut b = l.builder();
    if l.get("instance").is_none() {
        b.set("instance", l.get("__address__").unwrap_or(""));
    }
    b.retain(|x| !x.name.starts_with("__"));
    b.build()
}

#[test]
fn relabeling_matches_prometheus_2_42() {
    let binary = Path::new("/usr/bin/prometheus");
    assert!(
        binary.exists(),
        "/usr/bin/prometheus not found: this test compares relabeling with Prometheus 2.42. \
         Install the Debian package: `apt-get install prometheus`"
    );
    let config_path = testdata("relabel_vs_prometheus.yml");
    let cfg = Config::load(&config_path).unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let _server = Server(
        Command::new(binary)
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!("--storage.tsdb.path={}", data.path().display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    // Targets appear once discovery has sent its first update (about 5s).
    let deadline = Instant::now() + Duration::from_secs(60);
    let targets = loop {
        assert!(Instant::now() < deadline, "Prometheus did not list all targets within 60s");
        std::thread::sleep(Duration::from_millis(500));
        let Some(body) = http_get(port, "/api/v1/targets?state=any") else { continue };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&body) else { continue };
        let data = &v["data"];
        let n = data["activeTargets"].as_array().map_or(0, Vec::len)
            + data["droppedTargets"].as_array().map_or(0, Vec::len);
        if n == cfg.scrape_configs.len() {
            break v;
        }
    };

    // job -> (discovered labels, Some(final labels) if active).
    let mut theirs: BTreeMap<String, (Labels, Option<Labels>)> = BTreeMap::new();
    for t in targets["data"]["activeTargets"].as_array().unwrap() {
        let discovered = labels_of(&t["discoveredLabels"]);
        let job = discovered.get("job").unwrap().to_owned();
        theirs.insert(job, (discovered, Some(labels_of(&t["labels"]))));
    }
    for t in targets["data"]["droppedTargets"].as_array().unwrap() {
        let discovered = labels_of(&t["discoveredLabels"]);
        let job = discovered.get("job").unwrap().to_owned();
        theirs.insert(job, (discovered, None));
    }

    let mut mismatches = Vec::new();
    let mut dropped = 0;
    for sc in &cfg.scrape_configs {
        let (discovered, want) = theirs.get(&sc.job_name).unwrap_or_else(|| panic!("job {} missing", sc.job_name));
        let ours = process(discovered, &compile_rules(&sc.relabel_configs)).map(finish);
        if ours.is_none() {
            dropped += 1;
        }
        if &ours != want {
            mismatches.push(format!("job {}: prometheus {want:?}\n  vigil {ours:?}", sc.job_name));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert_eq!(dropped, 5, "the corpus drops five targets");
}
