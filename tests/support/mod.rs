//! What several test files share.
#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

/// The sled database in `dir`, opened with sled alone (for checks that must
/// not go through the store's own code). A store closed a moment ago stays
/// locked until sled's background threads let go of its file, so a held lock
/// is waited out for a while.
pub fn raw_sled(dir: &Path) -> sled::Db {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match sled::open(dir) {
            Ok(db) => return db,
            // sled 0.34 wraps the OS's WouldBlock in "could not acquire lock …".
            Err(sled::Error::Io(e))
                if (e.kind() == std::io::ErrorKind::WouldBlock
                    || e.to_string().starts_with("could not acquire lock"))
                    && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("raw sled open of {}: {e}", dir.display()),
        }
    }
}

/// The real binary on the store in `data`, with its config and log in
/// `env_dir`, and neither a user nor a store taken from the environment.
pub fn hotline(data: &Path, env_dir: &Path, args: &[&str]) -> std::process::Output {
    hotline_command(data, env_dir)
        .args(args)
        .output()
        .expect("run hotline")
}

/// The command [`hotline`] runs, before its arguments.
pub fn hotline_command(data: &Path, env_dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hotline"));
    cmd.arg("--data")
        .arg(data)
        .env("HOTLINE_CONFIG", env_dir.join("no-config.toml"))
        .env("HOTLINE_LOG", env_dir.join("hotline.log"))
        .env_remove("HOTLINE_USER")
        .env_remove("HOTLINE_DATA")
        .env_remove("HOTLINE_SERVER")
        .env_remove("HOTLINE_TOKEN");
    cmd
}

/// The output of a command that must succeed.
pub fn ok(out: std::process::Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The error output of a command that must fail.
pub fn failed(out: std::process::Output, what: &str) -> String {
    assert!(
        !out.status.success(),
        "{what} should fail: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).unwrap()
}

/// A new store in `dir` with its first admin and an operator `op`, who is returned.
pub fn store_with_operator(dir: &Path) -> (hotline::store::Store, hotline::domain::User) {
    use hotline::domain::{Role, User};
    let store = hotline::store::Store::open(dir).unwrap();
    let user = |name: &str, display_name: &str, role| User {
        name: name.into(),
        display_name: display_name.into(),
        role,
        wards: vec![],
    };
    store
        .put_user(&user("admin", "Admin", Role::Admin))
        .unwrap();
    let op = user("op", "Operator", Role::Operator);
    store.put_user(&op).unwrap();
    (store, op)
}

/// A user named `name` (also their display name) with a role and wards.
pub fn user(name: &str, role: hotline::domain::Role, wards: &[u32]) -> hotline::domain::User {
    hotline::domain::User {
        name: name.into(),
        display_name: name.into(),
        role,
        wards: wards.to_vec(),
    }
}

/// A new store in `dir` with a user of every role: `admin` (the first user of
/// a store is an admin), `op`, `bt` (responder of Bến Thành, 26743), `sg`
/// (responder of Sài Gòn, 26740) and `sup`.
pub fn store_with_every_role(dir: &Path) -> hotline::store::Store {
    use hotline::domain::Role;
    let store = hotline::store::Store::open(dir).unwrap();
    for u in [
        user("admin", Role::Admin, &[]),
        user("op", Role::Operator, &[]),
        user("bt", Role::Responder, &[26743]),
        user("sg", Role::Responder, &[26740]),
        user("sup", Role::Supervisor, &[]),
    ] {
        store.put_user(&u).unwrap();
    }
    store
}

/// A store in a temp dir with a user of every role (see
/// [`store_with_every_role`]) and what `fill` adds, behind a `Backend` whose
/// clock stands still at 1_763_600_000 (2025-11-20).
pub struct World {
    _dir: tempfile::TempDir,
    pub backend: std::sync::Arc<hotline::api::Backend>,
}

impl World {
    pub fn new(fill: impl FnOnce(&hotline::store::Store)) -> World {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_every_role(dir.path());
        fill(&store);
        let backend = hotline::api::Backend::new(
            store,
            hotline::domain::fixed_clock(hotline::domain::Ts(1_763_600_000)),
            false,
        );
        World { _dir: dir, backend }
    }

    /// The API as the stored user `name`.
    pub fn as_user(&self, name: &str) -> hotline::api::LocalApi {
        let u = self.backend.store.user(name).unwrap().unwrap();
        hotline::api::LocalApi::new(self.backend.clone(), u)
    }
}
