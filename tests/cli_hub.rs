//! The real binary as a hub's client: login, --server, HOTLINE_TOKEN, tokens
//! issued by `user add`, and a store held by a hub found through hub.json.

mod hub_common;

use hub_common::Hub;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A user's own config directory (config, credentials) and environment.
struct Home {
    dir: tempfile::TempDir,
    token: Option<String>,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
            token: None,
        }
    }

    fn credentials(&self) -> PathBuf {
        self.dir.path().join("credentials.toml")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hotline"));
        // These tests read the English wording (tests/one_language.rs covers both).
        cmd.args(["--lang", "en"])
            .args(args)
            .env("HOTLINE_CONFIG", self.dir.path().join("config.toml"))
            .env("HOTLINE_LOG", self.dir.path().join("hotline.log"))
            .env_remove("HOTLINE_USER")
            .env_remove("HOTLINE_DATA")
            .env_remove("HOTLINE_SERVER")
            .env_remove("HOTLINE_TOKEN")
            .stdin(Stdio::null());
        if let Some(t) = &self.token {
            cmd.env("HOTLINE_TOKEN", t);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
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

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "{args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }
}

fn data_arg(dir: &Path) -> String {
    dir.display().to_string()
}

/// The token `user add` or `user token` printed, and that it said it once.
fn printed_token(out: &str) -> String {
    assert!(out.contains("shown only this once"), "{out}");
    out.split_whitespace()
        .find(|w| w.starts_with("hl_"))
        .unwrap_or_else(|| panic!("no token in: {out}"))
        .to_string()
}

#[test]
fn user_add_prints_a_token_once_and_token_and_revoke_rotate_it() {
    let home = Home::new();
    let data = tempfile::tempdir().unwrap();
    let d = data_arg(data.path());
    let out = home.ok(&["--data", &d, "user", "add", "admin", "--role", "admin"]);
    assert!(
        out.contains("user admin (admin) saved — the store's first user"),
        "{out}"
    );
    let first = printed_token(&out);
    let out = home.ok(&[
        "--data", &d, "--user", "admin", "user", "add", "lan", "--role", "operator",
    ]);
    let lan = printed_token(&out);
    assert_ne!(first, lan);
    let out = home.ok(&["--data", &d, "--user", "admin", "user", "token", "lan"]);
    let rotated = printed_token(&out);
    assert_ne!(rotated, lan);
    let store = hotline::store::Store::open(data.path()).unwrap();
    assert_eq!(
        store.user_by_token(&lan).unwrap(),
        None,
        "the old token is retired"
    );
    assert_eq!(store.user_by_token(&rotated).unwrap().unwrap().name, "lan");
    drop(store);
    let out = home.ok(&["--data", &d, "--user", "admin", "user", "revoke", "lan"]);
    assert!(out.contains("revoked"), "{out}");
    let store = hotline::store::Store::open(data.path()).unwrap();
    assert_eq!(store.user_by_token(&rotated).unwrap(), None);
    drop(store);
    let err = home.fails(&["--data", &d, "--user", "lan", "user", "token", "admin"]);
    assert!(err.contains("only an admin"), "{err}");
}

#[test]
fn a_hub_without_a_token_and_bad_addresses_are_clear_errors() {
    let home = Home::new();
    let err = home.fails(&["--server", "http://127.0.0.1:9", "ticket", "list"]);
    assert!(
        err.contains("not signed in to http://127.0.0.1:9: run `hotline login http://127.0.0.1:9`"),
        "{err}"
    );
    let err = home.fails(&["--server", "hub:8022", "ticket", "list"]);
    assert!(
        err.contains("--server 'hub:8022': expected an http:// or https:// URL"),
        "{err}"
    );
    std::fs::write(
        home.dir.path().join("config.toml"),
        "lang = \"en\"\nserver = \"localhost\"\n",
    )
    .unwrap();
    let err = home.fails(&["ticket", "list"]);
    assert!(err.contains("config.toml:2: server = 'localhost'"), "{err}");
    std::fs::remove_file(home.dir.path().join("config.toml")).unwrap();
    // A hub that is not there is named.
    let mut with_token = Home::new();
    with_token.token = Some("hl_0".into());
    let err = with_token.fails(&["--server", "http://127.0.0.1:9", "ticket", "list"]);
    assert!(err.contains("could not reach http://127.0.0.1:9"), "{err}");
    let err = home.fails(&["login", "http://127.0.0.1:9", "--token", "hl_0"]);
    assert!(err.contains("nothing was saved"), "{err}");
    assert!(!home.credentials().exists());
}

#[test]
fn a_store_held_by_a_hub_names_the_hub_never_the_lock() {
    let home = Home::new();
    let data = tempfile::tempdir().unwrap();
    let d = data_arg(data.path());
    home.ok(&["--data", &d, "user", "add", "admin", "--role", "admin"]);
    // Another process holds the store: this one, as a hub would.
    let held = hotline::store::Store::open(data.path()).unwrap();
    let err = home.fails(&["--data", &d, "--user", "admin", "ticket", "list"]);
    assert!(err.contains("another hotline process has it open"), "{err}");
    assert!(!err.contains("WouldBlock"), "{err}");
    std::fs::write(
        data.path().join("hub.json"),
        r#"{"url": "http://127.0.0.1:9", "pid": 1, "started_at": 1764500000}"#,
    )
    .unwrap();
    let err = home.fails(&["--data", &d, "--user", "admin", "ticket", "list"]);
    assert!(
        err.contains("this store is served by the hub at http://127.0.0.1:9; use --server http://127.0.0.1:9 (and `hotline login http://127.0.0.1:9`)"),
        "{err}"
    );
    assert!(!err.contains("lock"), "{err}");
    drop(held);
}

/// Makes a store through the CLI; gives (admin's token, op's token).
fn store_with_team(home: &Home, data: &Path) -> (String, String) {
    let d = data_arg(data);
    let admin = printed_token(&home.ok(&["--data", &d, "user", "add", "admin", "--role", "admin"]));
    let op = printed_token(&home.ok(&[
        "--data", &d, "--user", "admin", "user", "add", "op", "--role", "operator",
    ]));
    (admin, op)
}

#[test]
fn login_then_work_through_the_hub() {
    let home = Home::new();
    let data = tempfile::tempdir().unwrap();
    let d = data_arg(data.path());
    let (admin_token, op_token) = store_with_team(&home, data.path());
    let hub = Hub::start(data.path());
    let url = hub.url.as_str();

    // A wrong token is refused and nothing is saved.
    let err = home.fails(&["login", url, "--token", "hl_wrong"]);
    assert!(
        err.contains(&format!("the hub at {url} refused the token")),
        "{err}"
    );
    assert!(!home.credentials().exists());

    // The token from standard input.
    let mut child = home
        .command(&["login", url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{op_token}").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("signed in to {url} as op (")),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&op_token),
        "the token is never echoed: {stdout}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.credentials())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let saved = std::fs::read_to_string(home.credentials()).unwrap();
    assert!(saved.contains(url) && saved.contains(&op_token), "{saved}");
    let info = home.ok(&["--server", url, "info", "--json"]);
    assert!(
        info.contains(
            &home
                .credentials()
                .display()
                .to_string()
                .replace('\\', "\\\\")
        ),
        "{info}"
    );

    // Tickets through the hub, as op.
    let out = home.ok(&[
        "--server",
        url,
        "ticket",
        "new",
        "--kind",
        "fault",
        "--subject",
        "Cổng DVC lỗi",
        "--phone",
        "0912345678",
        "--ward",
        "26743",
    ]);
    assert_eq!(out.trim(), "PA-000001 created");
    let out = home.ok(&["--server", url, "ticket", "start", "PA-000001"]);
    assert_eq!(out.trim(), "PA-000001 In progress (version 2)");
    let err = home.fails(&[
        "--server",
        url,
        "ticket",
        "comment",
        "PA-000001",
        "cũ",
        "--expect-version",
        "1",
    ]);
    assert!(
        err.contains("--expect-version 1 is stale: PA-000001 is at version 2 now (changed by op)"),
        "{err}"
    );
    let list = home.ok(&["--server", url, "--json", "ticket", "list"]);
    assert!(
        list.contains("\"PA-000001\"") || list.contains("\"id\": 1"),
        "{list}"
    );
    let err = home.fails(&["--server", url, "user", "add", "x", "--role", "operator"]);
    assert!(err.contains("only an admin"), "{err}");

    // HOTLINE_TOKEN wins over the saved token.
    let mut as_admin = Home {
        dir: tempfile::tempdir().unwrap(),
        token: Some(admin_token),
    };
    std::fs::copy(home.credentials(), as_admin.credentials()).unwrap();
    let out = as_admin.ok(&[
        "--server",
        url,
        "user",
        "add",
        "tien",
        "--role",
        "responder",
        "--ward",
        "26743",
    ]);
    assert!(out.contains("user tien (responder) saved"), "{out}");
    let tien = printed_token(&out);
    // An import through the hub: some rows rejected is exit code 1, as locally.
    let csv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/dossiers_mixed.csv"
    );
    let out = as_admin.run(&["--server", url, "import", "dossiers", csv]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("4 added"), "{summary}");
    let found = home.ok(&["--server", url, "search", "0912345678"]);
    assert!(found.contains("PA-000001"), "{found}");
    assert!(found.contains("000.00.01.H29-250812-0042"), "{found}");
    let out = as_admin.ok(&["--server", url, "user", "revoke", "tien"]);
    assert!(out.contains("revoked"), "{out}");
    as_admin.token = Some(tien);
    let err = as_admin.fails(&["--server", url, "ticket", "list"]);
    assert!(
        err.contains(&format!("the hub at {url} refused the token")),
        "{err}"
    );
    assert!(err.contains("hotline login"), "{err}");

    // Started on the held data directory: through the hub when a token is at hand…
    let out = home.run(&["--data", &d, "ticket", "list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "is served by the hub at {url}; working through it as op"
        )),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("PA-000001"));
    // …and a clear message when not.
    let stranger = Home::new();
    let err = stranger.fails(&["--data", &d, "ticket", "list"]);
    assert!(
        err.contains(&format!(
            "this store is served by the hub at {url}; use --server {url}"
        )),
        "{err}"
    );
    drop(hub);
}
