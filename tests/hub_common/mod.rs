//! A real hub for tests: `hotline serve` on 127.0.0.1:0 over a data
//! directory, its address read from the `hub.json` it writes. The binary is
//! this crate's, or `HOTLINE_HUB_BIN` (to try another build of the hub).
#![allow(dead_code)]

use hotline::domain::{Role, User};
use hotline::store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BEN_THANH: u32 = 26743;
pub const SAI_GON: u32 = 26740;

pub fn hub_binary() -> PathBuf {
    std::env::var_os("HOTLINE_HUB_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_hotline")))
}

pub fn user(name: &str, role: Role, wards: &[u32]) -> User {
    User {
        name: name.into(),
        display_name: name.into(),
        role,
        wards: wards.to_vec(),
    }
}

/// The team every hub test works with (the first, `admin`, bootstraps the store).
pub fn team() -> Vec<User> {
    vec![
        user("admin", Role::Admin, &[]),
        user("op", Role::Operator, &[]),
        user("op2", Role::Operator, &[]),
        user("sup", Role::Supervisor, &[]),
        user("bt", Role::Responder, &[BEN_THANH]),
        user("sg", Role::Responder, &[SAI_GON]),
    ]
}

/// Makes a store in `dir` with `users` and a token for each; the store is
/// closed again (its lock released) when this returns.
pub fn make_store(dir: &Path, users: &[User]) -> BTreeMap<String, String> {
    let store = Store::open(dir).unwrap();
    let mut tokens = BTreeMap::new();
    for u in users {
        store.put_user(u).unwrap();
        tokens.insert(u.name.clone(), store.issue_token(&u.name).unwrap());
    }
    store.flush().unwrap();
    tokens
}

pub struct Hub {
    child: Child,
    pub url: String,
    pub dir: PathBuf,
    _home: tempfile::TempDir,
}

impl Hub {
    /// Serves `dir` until dropped.
    pub fn start(dir: &Path) -> Hub {
        Hub::start_with_config(dir, &[])
    }

    /// As [`Hub::start`], with `files` (name, text) beside the hub's config
    /// file: `sla_policy.toml`, `vn_days_off.toml`.
    pub fn start_with_config(dir: &Path, files: &[(&str, &str)]) -> Hub {
        let home = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(home.path().join(name), text).unwrap();
        }
        let mut child = Command::new(hub_binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(dir)
            .env("HOTLINE_CONFIG", home.path().join("config.toml"))
            .env("HOTLINE_LOG", home.path().join("hub.log"))
            .env_remove("HOTLINE_SERVER")
            .env_remove("HOTLINE_DATA")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let hub_file = dir.join("hub.json");
        let started = Instant::now();
        loop {
            if let Ok(bytes) = std::fs::read(&hub_file) {
                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                    if let Some(url) = v["url"].as_str() {
                        return Hub {
                            child,
                            url: url.to_string(),
                            dir: dir.to_path_buf(),
                            _home: home,
                        };
                    }
                }
            }
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                use std::io::Read;
                let _ = child.stderr.take().unwrap().read_to_string(&mut err);
                panic!("the hub stopped at once ({status}): {err}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the hub wrote no hub.json in 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        // SIGTERM lets it shut down and remove hub.json; SIGKILL if it hangs.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
