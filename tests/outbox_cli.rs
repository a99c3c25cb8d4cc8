//! Offline safety with the real binaries: `hotline serve` stopped while CLI
//! processes keep logging tickets and comments through it (each process
//! ends with its write still waiting in the outbox), then started again on
//! the same address: the next CLI command sends everything, once, in order.

mod hub_common;

use hub_common::{make_store, team};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_hotline");

fn serve(dir: &Path, port: u16) -> Child {
    let _ = std::fs::remove_file(dir.join("hub.json"));
    let child = Command::new(BIN)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(dir)
        .env("HOTLINE_CONFIG", dir.join("no-config.toml"))
        .env("HOTLINE_LOG", dir.join("hub.log"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !dir.join("hub.json").exists() {
        assert!(started.elapsed() < Duration::from_secs(30), "no hub.json");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

fn stop(mut hub: Child) {
    let _ = Command::new("kill").arg(hub.id().to_string()).status();
    hub.wait().unwrap();
}

struct Client {
    home: tempfile::TempDir,
    url: String,
    token: String,
}

impl Client {
    fn run(&self, args: &[&str]) -> Output {
        // These tests read the English wording (tests/one_language.rs covers both).
        Command::new(BIN)
            .args(["--lang", "en", "--server"])
            .arg(&self.url)
            .args(args)
            .env("HOTLINE_CONFIG", self.home.path().join("config.toml"))
            .env("HOTLINE_LOG", self.home.path().join("hotline.log"))
            .env("HOTLINE_OUTBOX", self.home.path().join("outbox"))
            .env("HOTLINE_TOKEN", &self.token)
            .env_remove("HOTLINE_USER")
            .env_remove("HOTLINE_DATA")
            .env_remove("HOTLINE_SERVER")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn new_ticket(&self, subject: &str) -> String {
        self.ok(&[
            "ticket",
            "new",
            "--kind",
            "complaint",
            "--subject",
            subject,
            "--phone",
            "0912345678",
            "--ward",
            "26740",
        ])
    }
}

#[test]
fn cli_writes_made_while_the_hub_is_down_arrive_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = make_store(dir.path(), &team());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client {
        home: tempfile::tempdir().unwrap(),
        url: format!("http://127.0.0.1:{port}"),
        token: tokens["op"].clone(),
    };
    let hub = serve(dir.path(), port);
    assert_eq!(
        client.new_ticket("Trước khi mất mạng").trim(),
        "PA-000001 created"
    );
    stop(hub);

    // Each command is a process of its own that ends with its write unsent.
    for i in 1..=3 {
        let out = client.new_ticket(&format!("Lúc mất mạng {i}"));
        assert!(out.starts_with("pending:"), "{out}");
        let out = client.ok(&["ticket", "comment", "PA-000001", &format!("Ghi chú {i}")]);
        assert!(out.starts_with("pending:"), "{out}");
    }
    assert!(client
        .ok(&["ticket", "comment", "PA-000001", "Ghi chú 4"])
        .contains("(7 waiting)"));

    let hub = serve(dir.path(), port);
    // The next write goes after everything that waited.
    assert_eq!(
        client.new_ticket("Sau khi có mạng").trim(),
        "PA-000005 created"
    );
    let list = client.ok(&["ticket", "list", "--json"]);
    let tickets: serde_json::Value = serde_json::from_str(&list).unwrap();
    let mut subjects: Vec<(u64, String)> = tickets["tickets"]
        .as_array()
        .or_else(|| tickets.as_array())
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_u64().unwrap(),
                t["subject"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    subjects.sort();
    let subjects: Vec<String> = subjects.into_iter().map(|(_, s)| s).collect();
    assert_eq!(
        subjects,
        [
            "Trước khi mất mạng",
            "Lúc mất mạng 1",
            "Lúc mất mạng 2",
            "Lúc mất mạng 3",
            "Sau khi có mạng"
        ]
    );
    let shown = client.ok(&["ticket", "show", "PA-000001", "--json"]);
    let detail: serde_json::Value = serde_json::from_str(&shown).unwrap();
    let comments: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"]["commented"]["text"].as_str())
        .collect();
    assert_eq!(
        comments,
        ["Ghi chú 1", "Ghi chú 2", "Ghi chú 3", "Ghi chú 4"]
    );
    stop(hub);
}
