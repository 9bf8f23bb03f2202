//! Debian's Prometheus 2.42, started on loopback as the oracle of the differential tests.

use crate::support::{eventually, free_port, http};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PROMETHEUS: &str = "/usr/bin/prometheus";

/// Debian's Prometheus, killed on drop.
pub struct Prometheus {
    child: Child,
    port: u16,
    log_path: PathBuf,
}

impl Prometheus {
    pub fn start(dir: &Path, config: &Path) -> Prometheus {
        assert!(
            Path::new(PROMETHEUS).exists(),
            "{PROMETHEUS} is missing: run scripts/install-test-deps.sh (installs Debian's prometheus package)"
        );
        let port = free_port();
        let log_path = dir.join("prometheus.log");
        let log = std::fs::File::create(&log_path).expect("log file");
        let child = Command::new(PROMETHEUS)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("prometheus-data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn prometheus");
        let p = Prometheus { child, port, log_path };
        let ready = eventually(Duration::from_secs(60), || {
            let r = http().get(format!("{}/-/ready", p.url())).send().ok()?;
            r.status().is_success().then_some(())
        });
        assert!(ready.is_some(), "prometheus not ready within 60 s; log:\n{}", p.log());
        p
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
