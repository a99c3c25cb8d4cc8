//! Notifications end to end: a real store, the real sender, and a real HTTP
//! receiver on 127.0.0.1:0 that fails, answers slowly and then accepts.
//! Signatures are checked with an HMAC-SHA256 built here from SHA-256
//! (RFC 2104), not with the code under test.

mod tui_common;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use hotline::api::{ApiError, Backend, HotlineApi, LocalApi};
use hotline::domain::{
    fixed_clock, Change, EscalationRequest, EventKind, FaultType, Kind, NewTicket, Priority, Role,
    SlaClock, Ticket, TicketId, Ts, User,
};
use hotline::notify::{Contacts, WorkerHandle};
use hotline::store::Store;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tui_common::pty::{Term, CTRL_C};
use uuid::Uuid;

const BEN_THANH: u32 = 26743;
const SECRET: &str = "ward-team-secret-0123456789";
const NOW: Ts = Ts(1_763_600_000);

// ---------------------------------------------------------------- receiver

#[derive(Clone, Copy, Debug)]
enum Answer {
    Status(u16),
    /// Waits, then answers: past the sender's timeout.
    Slow(Duration, u16),
}

#[derive(Clone, Debug)]
struct Seen {
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
    status: u16,
}

#[derive(Default)]
struct Script {
    /// Answers in order; once used up, every request is accepted.
    answers: VecDeque<Answer>,
    seen: Vec<Seen>,
}

#[derive(Clone)]
struct Receiver {
    url: String,
    script: Arc<Mutex<Script>>,
}

impl Receiver {
    async fn start(answers: &[Answer]) -> Receiver {
        let script = Arc::new(Mutex::new(Script {
            answers: answers.iter().copied().collect(),
            seen: vec![],
        }));
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver {
            url: format!("http://{addr}"),
            script,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.script.lock().unwrap().seen.clone()
    }

    fn accepted(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.status == 200)
            .collect()
    }

    fn set_answers(&self, answers: &[Answer]) {
        self.script.lock().unwrap().answers = answers.iter().copied().collect();
    }
}

async fn receive(
    State(script): State<Arc<Mutex<Script>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let answer = {
        let mut s = script.lock().unwrap();
        let answer = s.answers.pop_front().unwrap_or(Answer::Status(200));
        let status = match answer {
            Answer::Status(c) | Answer::Slow(_, c) => c,
        };
        s.seen.push(Seen {
            path: uri.path().to_string(),
            headers,
            body: body.to_vec(),
            status,
        });
        answer
    };
    match answer {
        Answer::Status(c) => StatusCode::from_u16(c).unwrap(),
        Answer::Slow(wait, c) => {
            tokio::time::sleep(wait).await;
            StatusCode::from_u16(c).unwrap()
        }
    }
}

// ---------------------------------------------------------------- HMAC (RFC 2104), by hand

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_reference_hmac_matches_rfc_4231() {
    assert_eq!(
        hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

/// Checks `X-Hotline-Signature: t=<unix>,v1=<hex>` over `"<t>.<body>"`.
fn assert_signed(seen: &Seen, secret: &str) {
    let header = seen.headers["x-hotline-signature"].to_str().unwrap();
    let (t, v1) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap_or_else(|| panic!("signature header {header}"));
    let t: i64 = t.parse().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!((now - t).abs() < 120, "signed at {t}, now {now}");
    let mut message = format!("{t}.").into_bytes();
    message.extend_from_slice(&seen.body);
    assert_eq!(v1, hex(&hmac_sha256(secret.as_bytes(), &message)));
}

// ---------------------------------------------------------------- world

fn user(name: &str, role: Role, wards: &[u32]) -> User {
    User {
        name: name.into(),
        display_name: name.into(),
        role,
        wards: wards.to_vec(),
    }
}

fn new_store(dir: &std::path::Path) -> Store {
    let store = Store::open(dir).unwrap();
    for u in [
        user("admin", Role::Admin, &[]),
        user("op", Role::Operator, &[]),
        user("bt", Role::Responder, &[BEN_THANH]),
        user("sup", Role::Supervisor, &[]),
    ] {
        store.put_user(&u).unwrap();
    }
    store
}

/// Quick retries and a short timeout, so a test takes a second, not minutes.
fn contacts(text: &str, max_attempts: u32) -> Contacts {
    let mut c = Contacts::parse("contacts.toml", text).unwrap();
    c.delivery.timeout = Duration::from_millis(400);
    c.delivery.connect_timeout = Duration::from_millis(400);
    c.delivery.first_retry = Duration::from_millis(40);
    c.delivery.max_retry = Duration::from_millis(160);
    c.delivery.max_attempts = max_attempts;
    c
}

fn json_endpoint(url: &str) -> String {
    format!(
        "[[endpoint]]\nto = \"ward:{BEN_THANH}\"\nformat = \"json\"\nurl = \"{url}/hooks/hotline\"\nsecret = \"{SECRET}\"\n"
    )
}

fn fault_ticket() -> NewTicket {
    let mut n = NewTicket::new(Kind::Fault, "Hồ sơ kẹt đồng bộ lên Cổng DVC quốc gia");
    n.caller_phone = "0912 345 678".into();
    n.priority = Priority::P2;
    n
}

fn escalate(level: u8) -> Change {
    Change::Escalate(EscalationRequest {
        ward: BEN_THANH,
        fault: FaultType::PortalSync,
        level,
        severity: Priority::P2,
        note: None,
    })
}

/// A ticket logged and escalated through the store, as the API does it.
/// Waits (10 s at most) until the outbox is empty and holds one dead letter.
fn wait_for_one_dead_letter(store: &Store) {
    let started = Instant::now();
    while store.outbox_counts() != (0, 1) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no dead letter"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn escalated_ticket(store: &Store, level: u8) -> Ticket {
    escalated_ticket_at(store, level, NOW)
}

fn escalated_ticket_at(store: &Store, level: u8, at: Ts) -> Ticket {
    let op = user("op", Role::Operator, &[]);
    let (t, _) = store
        .create_ticket(Uuid::now_v7(), &fault_ticket(), "op", at)
        .unwrap();
    let change = escalate(level);
    store
        .update_ticket(t.id, t.version, "op", at, |t| t.apply(&change, &op, at))
        .unwrap()
}

async fn until(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn notification_events(store: &Store, id: TicketId) -> Vec<EventKind> {
    store
        .events(id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| {
            matches!(
                k,
                EventKind::NotificationSent { .. } | EventKind::NotificationFailed { .. }
            )
        })
        .collect()
}

/// `2025-11-20 14:53` in Ho Chi Minh City time, computed here.
fn hcmc_short(ts: Ts) -> String {
    chrono::DateTime::from_timestamp(ts.0 + 7 * 3600, 0)
        .unwrap()
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn hcmc_rfc3339(ts: Ts) -> String {
    chrono::DateTime::from_timestamp(ts.0 + 7 * 3600, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S+07:00")
        .to_string()
}

// ---------------------------------------------------------------- tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_arrives_once_signed_through_failures_slowness_and_a_restart() {
    let rx = Receiver::start(&[
        Answer::Status(503),
        Answer::Slow(Duration::from_millis(1500), 503),
        Answer::Status(500),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let contacts = Arc::new(contacts(&json_endpoint(&rx.url), 8));
    let store = new_store(dir.path());
    hotline::notify::install(&store, contacts.clone());
    let ticket = escalated_ticket(&store, 1);
    assert_eq!(store.outbox_counts(), (1, 0), "written with the change");
    // Neither the secret nor the webhook URL (a secret of its own for Slack) is stored.
    let stored = String::from_utf8(store.outbox().unwrap()[0].body.clone()).unwrap();
    assert!(
        !stored.contains(SECRET) && !stored.contains("/hooks/hotline"),
        "{stored}"
    );

    let worker: WorkerHandle =
        hotline::notify::spawn_worker(store.clone(), contacts.clone(), None).unwrap();
    // The slow answer has begun: restart the sender in the middle of it.
    until("the second attempt", Duration::from_secs(10), || {
        rx.seen().len() >= 2
    })
    .await;
    worker.stop();
    drop(store);

    let store = Store::open(dir.path()).unwrap();
    hotline::notify::install(&store, contacts.clone());
    assert_eq!(store.outbox_counts(), (1, 0), "the restart lost nothing");
    let worker = hotline::notify::spawn_worker(store.clone(), contacts.clone(), None).unwrap();
    until("the delivery", Duration::from_secs(15), || {
        !rx.accepted().is_empty() && store.outbox_counts() == (0, 0)
    })
    .await;
    // Nothing more comes.
    tokio::time::sleep(Duration::from_millis(600)).await;
    worker.stop();

    let seen = rx.seen();
    assert_eq!(rx.accepted().len(), 1, "{seen:#?}");
    assert!(seen.len() >= 4, "503, slow, 500, then 200: {}", seen.len());
    let key = seen[0].headers["idempotency-key"]
        .to_str()
        .unwrap()
        .to_string();
    for s in &seen {
        assert_eq!(s.path, "/hooks/hotline");
        assert_eq!(
            s.headers["idempotency-key"],
            key.as_str(),
            "one key on every attempt"
        );
        assert_eq!(s.headers["content-type"], "application/json");
        assert_eq!(s.headers["x-hotline-event"], "escalated");
        assert_signed(s, SECRET);
    }
    let accepted = &rx.accepted()[0];
    let e = ticket.escalation.clone().unwrap();
    let text = format!(
        "[1022] PA-000001 chuyển tổ ứng cứu Phường Bến Thành. Sự cố: Lỗi đồng bộ Cổng DVC quốc gia. \
         Mức độ: P2 cao. Hạn tiếp nhận {}, hạn xử lý {}. Nội dung: Hồ sơ kẹt đồng bộ lên Cổng DVC quốc gia",
        hcmc_short(e.ack_by),
        hcmc_short(e.resolve_by)
    );
    let expected = json!({
        "id": key,
        "type": "escalated",
        "at": "2025-11-20T07:53:20+07:00",
        "to": "ward:26743",
        "ticket": {
            "id": "PA-000001",
            "subject": "Hồ sơ kẹt đồng bộ lên Cổng DVC quốc gia",
            "status": "escalated",
            "priority": "p2",
            "ward": 26743,
            "ward_name": "Phường Bến Thành",
            "fault": "portal-sync",
            "level": 1,
            "ack_by": hcmc_rfc3339(e.ack_by),
            "resolve_by": hcmc_rfc3339(e.resolve_by),
        },
        "by": "op",
        "text": text,
    });
    let body: Value = serde_json::from_slice(&accepted.body).unwrap();
    assert_eq!(body, expected);
    // Not a word of the caller's phone leaves the hotline.
    assert!(!String::from_utf8_lossy(&accepted.body).contains("345"));

    let timeline = notification_events(&store, ticket.id);
    assert_eq!(timeline.len(), 1, "{timeline:?}");
    let EventKind::NotificationSent {
        endpoint,
        event,
        attempts,
    } = &timeline[0]
    else {
        panic!("{timeline:?}")
    };
    assert_eq!(endpoint, "ward:26743 json 127.0.0.1");
    assert_eq!(event, "escalated");
    // The attempt cut short by the restart may go uncounted.
    assert!(
        (2..=seen.len() as u32).contains(attempts),
        "{attempts} of {}",
        seen.len()
    );
    let stored = store.ticket(ticket.id).unwrap().unwrap();
    assert_eq!(stored.version, ticket.version, "a delivery is not an edit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_last_attempt_supervisors_see_a_dead_letter_and_a_retry_delivers_it() {
    let rx = Receiver::start(&[Answer::Status(500); 10]).await;
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    let backend = Backend::new(store, fixed_clock(NOW), false);
    backend
        .notify
        .configure(&backend.store, contacts(&json_endpoint(&rx.url), 3));
    backend.start_notifier().unwrap();
    let api =
        |name: &str| LocalApi::new(backend.clone(), backend.store.user(name).unwrap().unwrap());
    let (op, sup, admin, bt) = (api("op"), api("sup"), api("admin"), api("bt"));
    let t = op
        .create_ticket(Uuid::now_v7(), fault_ticket())
        .await
        .unwrap();
    let t = op.apply(t.id, t.version, escalate(1)).await.unwrap();

    let store = backend.store.clone();
    until("the dead letter", Duration::from_secs(10), || {
        store.outbox_counts() == (0, 1)
    })
    .await;
    assert_eq!(rx.seen().len(), 3, "three attempts, then it gave up");
    let dead = sup.dead_letters().await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].ticket, "PA-000001");
    assert_eq!(dead[0].attempts, 3);
    assert_eq!(dead[0].error, "HTTP 500 Internal Server Error");
    assert_eq!(dead[0].to, "ward:26743");
    assert_eq!(dead[0].endpoint, "ward:26743 json 127.0.0.1");
    assert_eq!(admin.dead_letters().await.unwrap(), dead);
    for other in [&op, &bt] {
        assert!(matches!(
            other.dead_letters().await,
            Err(ApiError::Forbidden { .. })
        ));
        assert!(matches!(
            other.retry_notification(dead[0].id).await,
            Err(ApiError::Forbidden { .. })
        ));
    }
    assert_eq!(
        notification_events(&store, t.id),
        vec![EventKind::NotificationFailed {
            endpoint: "ward:26743 json 127.0.0.1".into(),
            event: "escalated".into(),
            attempts: 3,
            error: "HTTP 500 Internal Server Error".into(),
        }]
    );

    rx.set_answers(&[]);
    sup.retry_notification(dead[0].id).await.unwrap();
    assert!(matches!(
        sup.retry_notification(dead[0].id).await,
        Err(ApiError::NotFound { .. })
    ));
    until("the retried delivery", Duration::from_secs(10), || {
        rx.accepted().len() == 1 && store.outbox_counts() == (0, 0)
    })
    .await;
    let seen = rx.seen();
    assert_eq!(seen.len(), 4);
    let key = seen[0].headers["idempotency-key"].clone();
    assert!(seen.iter().all(|s| s.headers["idempotency-key"] == key));
    assert_signed(&seen[3], SECRET);
    assert!(sup.dead_letters().await.unwrap().is_empty());
    let detail = sup.ticket(t.id).await.unwrap();
    assert!(detail.events.iter().any(|e| e.kind
        == EventKind::NotificationSent {
            endpoint: "ward:26743 json 127.0.0.1".into(),
            event: "escalated".into(),
            attempts: 1,
        }));
    backend.notify.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn level_two_goes_to_the_city_by_slack_and_to_supervisors_by_telegram_and_breaches_to_both() {
    let rx = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[[endpoint]]\nto = \"city\"\nformat = \"slack\"\nurl = \"{0}/slack/city\"\n\n\
         [[endpoint]]\nto = \"supervisors\"\nformat = \"telegram\"\nbot_token = \"123456:AbC-dEf_9\"\nchat_id = -1001234\napi_base = \"{0}/tg\"\n\n\
         [[endpoint]]\nto = \"ward:{BEN_THANH}\"\nformat = \"slack\"\nurl = \"{0}/slack/ward\"\n",
        rx.url
    );
    let contacts = Arc::new(contacts(&text, 3));
    let store = new_store(dir.path());
    hotline::notify::install(&store, contacts.clone());
    let worker = hotline::notify::spawn_worker(store.clone(), contacts, None).unwrap();
    let t = escalated_ticket(&store, 2);
    until("three deliveries", Duration::from_secs(10), || {
        rx.accepted().len() == 3
    })
    .await;
    let subject = "Hồ sơ kẹt đồng bộ lên Cổng DVC quốc gia";
    let level2 = format!(
        "[1022] PA-000001 chuyển lên cấp 2 (Trung tâm Chuyển đổi số), Phường Bến Thành. Lý do: -. Nội dung: {subject}"
    );
    let body = |path: &str| -> Value {
        let seen = rx.seen();
        let s = seen
            .iter()
            .find(|s| s.path == path)
            .unwrap_or_else(|| panic!("nothing at {path}: {seen:#?}"));
        assert!(s.headers.contains_key("idempotency-key"));
        serde_json::from_slice(&s.body).unwrap()
    };
    assert_eq!(body("/slack/city"), json!({ "text": level2 }));
    assert_eq!(
        body("/tg/bot123456:AbC-dEf_9/sendMessage"),
        json!({ "chat_id": -1001234, "text": level2, "disable_web_page_preview": true })
    );
    let ward = body("/slack/ward");
    assert!(
        ward["text"]
            .as_str()
            .unwrap()
            .starts_with("[1022] PA-000001 chuyển tổ ứng cứu Phường Bến Thành."),
        "{ward}"
    );

    // A breach of a ticket with the ward team goes to the team and to supervisors.
    store
        .update_ticket(t.id, t.version, "hotline", NOW, |_| {
            Ok(vec![EventKind::SlaBreach {
                clock: SlaClock::Acknowledge,
            }])
        })
        .unwrap();
    until(
        "two more deliveries, recorded",
        Duration::from_secs(10),
        || rx.accepted().len() == 5 && store.outbox_counts() == (0, 0),
    )
    .await;
    let breach =
        format!("[1022] PA-000001 đã quá hạn tiếp nhận (Phường Bến Thành). Nội dung: {subject}");
    let seen = rx.seen();
    let mut breaches: Vec<(String, Value)> = seen[3..]
        .iter()
        .map(|s| (s.path.clone(), serde_json::from_slice(&s.body).unwrap()))
        .collect();
    breaches.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        breaches,
        vec![
            ("/slack/ward".to_string(), json!({ "text": breach })),
            (
                "/tg/bot123456:AbC-dEf_9/sendMessage".to_string(),
                json!({ "chat_id": -1001234, "text": breach, "disable_web_page_preview": true })
            ),
        ]
    );
    assert!(seen[3..]
        .iter()
        .all(|s| s.headers["x-hotline-event"] == "breach"));
    // The timeline never shows the bot token.
    let timeline = notification_events(&store, t.id);
    assert_eq!(timeline.len(), 5);
    assert!(!format!("{timeline:?}").contains("AbC-dEf_9"));
    worker.stop();
}

#[test]
fn a_bad_contacts_file_is_refused_with_file_and_line_by_check_config_commands_and_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let contacts = d.join("contacts.toml");
    std::fs::write(
        &contacts,
        "[[endpoint]]\nto = \"city\"\nformat = \"fax\"\nurl = \"https://x.example/h\"\n\n\
         [[endpoint]]\nto = \"supervisors\"\nformat = \"json\"\nurl = \"https://y.example/h\"\nsecret = \"tiny\"\n",
    )
    .unwrap();
    private(&contacts);
    let expected = format!(
        "hotline: {0}:3: endpoint.format = 'fax': expected json, slack or telegram\n\
         hotline: {0}:10: endpoint.secret: too short (at least 16 characters)\n",
        contacts.display()
    );
    let data = d.join("store");
    drop(new_store(&data));
    let data_arg = data.to_str().unwrap();
    let run = |args: &[&str]| hotline(d, &contacts).args(args).output().unwrap();
    for args in [
        vec!["check-config"],
        vec!["--data", data_arg, "--user", "op", "ticket", "list"],
        vec!["--data", data_arg, "serve", "--listen", "127.0.0.1:0"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), expected, "{args:?}");
    }
    // The secret itself is never repeated, not even in the log.
    let log = std::fs::read_to_string(d.join("hotline.log")).unwrap_or_default();
    assert!(!log.contains("tiny"));

    // A good file others may read passes, with a warning to keep it private.
    std::fs::write(
        &contacts,
        "[[endpoint]]\nto = \"city\"\nformat = \"slack\"\nurl = \"https://x.example/h\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&contacts, std::fs::Permissions::from_mode(0o644)).unwrap();
        // The answer in English; the CLI speaks Vietnamese unless told.
        let out = run(&["--lang", "en", "check-config"]);
        assert!(out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "the contacts file {} is readable by other users (mode 644)",
                contacts.display()
            )),
            "{stderr}"
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("(1 endpoint(s)): ok"));
    }
}

fn private(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let _ = path;
}

/// The trimmed standard output of a run that must have succeeded.
fn succeeded(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The `hotline` binary with its config and log in `home`, `contacts` as its
/// contacts file, no stdin, and none of the caller's HOTLINE_* settings.
fn hotline(home: &std::path::Path, contacts: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_hotline"));
    command
        .env("HOTLINE_CONFIG", home.join("config.toml"))
        .env("HOTLINE_CONTACTS", contacts)
        .env("HOTLINE_LOG", home.join("hotline.log"))
        .env_remove("HOTLINE_USER")
        .env_remove("HOTLINE_SERVER")
        .env_remove("HOTLINE_DATA")
        .stdin(std::process::Stdio::null());
    command
}

/// `hotline serve` on 127.0.0.1:0 with `contacts`; stopped when dropped.
struct HubProcess {
    child: std::process::Child,
    url: String,
}

impl HubProcess {
    fn start(data: &std::path::Path, home: &std::path::Path, contacts: &std::path::Path) -> Self {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hotline"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .env("HOTLINE_CONFIG", home.join("config.toml"))
            .env("HOTLINE_CONTACTS", contacts)
            .env("HOTLINE_LOG", home.join("hub.log"))
            .env_remove("HOTLINE_SERVER")
            .env_remove("HOTLINE_DATA")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        loop {
            let url = std::fs::read(data.join("hub.json"))
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .and_then(|v| v["url"].as_str().map(str::to_string));
            if let Some(url) = url {
                return HubProcess { child, url };
            }
            assert!(child.try_wait().unwrap().is_none(), "the hub stopped");
            assert!(started.elapsed() < Duration::from_secs(30), "no hub.json");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real hub over a store with an operator, a supervisor and a ward
/// responder signed in, sending to `receiver` with one attempt each.
struct TeamHub {
    dir: tempfile::TempDir,
    data: std::path::PathBuf,
    tokens: std::collections::BTreeMap<String, String>,
    contacts: std::path::PathBuf,
    hub: HubProcess,
    op: hotline::api::RemoteApi,
    sup: hotline::api::RemoteApi,
    bt: hotline::api::RemoteApi,
}

impl TeamHub {
    async fn start(receiver: &str) -> TeamHub {
        use hotline::api::RemoteApi;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("store");
        let tokens: std::collections::BTreeMap<String, String> = {
            let store = new_store(&data);
            let tokens = ["op", "sup", "bt"]
                .into_iter()
                .map(|n| (n.to_string(), store.issue_token(n).unwrap()))
                .collect();
            store.flush().unwrap();
            tokens
        };
        let contacts = dir.path().join("contacts.toml");
        std::fs::write(
            &contacts,
            format!(
                "[delivery]\nmax_attempts = 1\n\n{}",
                json_endpoint(receiver)
            ),
        )
        .unwrap();
        private(&contacts);
        let hub = HubProcess::start(&data, dir.path(), &contacts);
        let as_user = |name: &str| RemoteApi::connect(&hub.url, &tokens[name]);
        let (op, sup, bt) = (
            as_user("op").await.unwrap(),
            as_user("sup").await.unwrap(),
            as_user("bt").await.unwrap(),
        );
        TeamHub {
            dir,
            data,
            tokens,
            contacts,
            hub,
            op,
            sup,
            bt,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_hub_supervisors_list_and_retry_dead_letters_and_metrics_count_them() {
    let rx = Receiver::start(&[Answer::Status(500)]).await;
    // Every part bound: the temporary directory must outlive the hub.
    let TeamHub {
        dir: _dir,
        data: _data,
        tokens: _tokens,
        contacts: _contacts,
        hub,
        op,
        sup,
        bt,
    } = TeamHub::start(&rx.url).await;
    let t = op
        .create_ticket(Uuid::now_v7(), fault_ticket())
        .await
        .unwrap();
    op.apply(t.id, t.version, escalate(1)).await.unwrap();

    let metrics = || async {
        reqwest::get(format!("{}/metrics", hub.url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let started = Instant::now();
    let dead = loop {
        let dead = sup.dead_letters().await.unwrap();
        if !dead.is_empty() {
            break dead;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no dead letter"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].error, "HTTP 500 Internal Server Error");
    let m = metrics().await;
    assert!(m.contains("\nhotline_notifications_dead 1\n"), "{m}");
    assert!(m.contains("\nhotline_notifications_waiting 0\n"), "{m}");
    assert!(
        m.contains("\nhotline_notifications_oldest_waiting_seconds 0\n"),
        "{m}"
    );
    for other in [&op, &bt] {
        assert!(matches!(
            other.dead_letters().await,
            Err(ApiError::Forbidden { .. })
        ));
        assert!(matches!(
            other.retry_notification(dead[0].id).await,
            Err(ApiError::Forbidden { .. })
        ));
    }
    assert!(matches!(
        sup.retry_notification(999).await,
        Err(ApiError::NotFound { .. })
    ));
    sup.retry_notification(dead[0].id).await.unwrap();
    let started = Instant::now();
    while rx.accepted().is_empty() || !sup.dead_letters().await.unwrap().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "not delivered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_signed(&rx.accepted()[0], SECRET);
    let m = metrics().await;
    assert!(m.contains("\nhotline_notifications_dead 0\n"), "{m}");
    // The delivery is on the timeline the operator reads.
    let started = Instant::now();
    loop {
        let detail = op.ticket(t.id).await.unwrap();
        if detail
            .events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::NotificationSent { attempts: 1, .. }))
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no timeline event"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(hub);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_lists_dead_letters_and_puts_one_back_in_the_outbox() {
    let rx = Receiver::start(&[Answer::Status(500)]).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    {
        let store = new_store(&data);
        let contacts = Arc::new(contacts(&json_endpoint(&rx.url), 1));
        hotline::notify::install(&store, contacts.clone());
        let worker = hotline::notify::spawn_worker(store.clone(), contacts, None).unwrap();
        escalated_ticket(&store, 1);
        until("the dead letter", Duration::from_secs(10), || {
            store.outbox_counts() == (0, 1)
        })
        .await;
        worker.stop();
    }
    let run = |args: &[&str]| {
        let mut all = vec!["--data", data.to_str().unwrap(), "--lang", "en"];
        all.extend_from_slice(args);
        hotline(dir.path(), &dir.path().join("contacts.toml"))
            .args(&all)
            .output()
            .unwrap()
    };
    let out = run(&["--user", "sup", "--json", "notify", "list"]);
    let list: Value = serde_json::from_str(&succeeded(&out)).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["ticket"], "PA-000001");
    assert_eq!(list[0]["type"], "escalated");
    assert_eq!(list[0]["error"], "HTTP 500 Internal Server Error");
    let id = list[0]["id"].as_u64().unwrap().to_string();

    let out = run(&["--user", "op", "notify", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("operators do not handle failed notifications"));

    let out = run(&["--user", "sup", "notify", "retry", &id]);
    assert_eq!(
        succeeded(&out),
        format!("Dead letter {id} is back in the outbox (sent again under its first key).")
    );
    let out = run(&["--user", "sup", "notify", "list"]);
    assert_eq!(succeeded(&out), "No dead letters.");
    let store = Store::open(&data).unwrap();
    assert_eq!(store.outbox_counts(), (1, 0), "waiting for the next sender");
}

#[test]
fn supervisors_see_dead_letters_on_the_dashboard_and_enter_sends_one_again() {
    use hotline::tui::effect::Effect;
    use hotline::tui::testkit::Driver;
    use hotline::tui::{initial_state, Lang, TuiOptions};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let rx = rt.block_on(Receiver::start(&[Answer::Status(500)]));
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    let backend = Backend::new(store, fixed_clock(NOW), false);
    backend
        .notify
        .configure(&backend.store, contacts(&json_endpoint(&rx.url), 1));
    backend.start_notifier().unwrap();
    escalated_ticket(&backend.store, 1);
    let store = backend.store.clone();
    wait_for_one_dead_letter(&store);
    let options = |lang| TuiOptions {
        lang,
        keymap_file: None,
        user_keymap: None,
        preset: None,
        mouse: false,
        color: false,
        demo: false,
        clock: fixed_clock(NOW),
        bell: false,
        switch_user: None,
    };
    let api = |name: &str| -> Arc<dyn HotlineApi> {
        Arc::new(LocalApi::new(
            backend.clone(),
            backend.store.user(name).unwrap().unwrap(),
        ))
    };
    // In Vietnamese by default.
    let mut vi = Driver::new(
        api("sup"),
        initial_state(&options(Lang::Vi)).unwrap(),
        (120, 40),
    );
    vi.keys("esc 3");
    let screen = vi.render();
    assert!(
        screen.contains("Thông báo gửi không được: 1 (Enter: gửi lại, x: bỏ)"),
        "{screen}"
    );
    assert!(screen.contains("PA-000001  chuyển phường  ward:26743 json 127.0.0.1  1× HTTP 500"));

    let mut d = Driver::new(
        api("sup"),
        initial_state(&options(Lang::En)).unwrap(),
        (120, 40),
    );
    d.keys("esc 3");
    let screen = d.render();
    assert!(
        screen.contains("Notifications not delivered: 1 (Enter: send again, x: discard)"),
        "{screen}"
    );
    assert!(screen.contains(
        "PA-000001  escalated  ward:26743 json 127.0.0.1  1× HTTP 500 Internal Server Error"
    ));
    let id = d.state.dead_letters.letters[0].id;
    d.keys("G enter");
    assert!(
        d.effects.contains(&Effect::RetryNotification(id)),
        "{:?}",
        d.effects
    );
    assert!(d.state.dead_letters.letters.is_empty());
    let screen = d.render();
    assert!(
        screen.contains(&format!("Notification {id} is queued to be sent again")),
        "{screen}"
    );
    assert!(!screen.contains("Notifications not delivered"));
    let started = Instant::now();
    while rx.accepted().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(10), "not delivered");
        std::thread::sleep(Duration::from_millis(20));
    }

    // Operators have no dashboard, and no panel.
    let mut op = Driver::new(
        api("op"),
        initial_state(&options(Lang::En)).unwrap(),
        (120, 40),
    );
    op.keys("esc 3");
    assert!(!op.effects.contains(&Effect::DeadLetters));
    backend.notify.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_carries_waiting_notifications_and_dead_letters() {
    let rx = Receiver::start(&[Answer::Status(500)]).await;
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(&dir.path().join("a"));
    let contacts = Arc::new(contacts(&json_endpoint(&rx.url), 1));
    hotline::notify::install(&store, contacts.clone());
    let worker = hotline::notify::spawn_worker(store.clone(), contacts.clone(), None).unwrap();
    escalated_ticket(&store, 1);
    until("the dead letter", Duration::from_secs(10), || {
        store.outbox_counts() == (0, 1)
    })
    .await;
    worker.stop();
    escalated_ticket(&store, 1);
    assert_eq!(store.outbox_counts(), (1, 1));
    let file = dir.path().join("backup.jsonl.gz");
    let summary = store.backup_to(&file).unwrap();
    assert_eq!(summary.trees["outbox"], 1);
    assert_eq!(summary.trees["outbox_dead"], 1);
    drop(store);

    let restored = Store::restore_from(&file, &dir.path().join("b")).unwrap();
    assert_eq!(restored.trees["outbox"], 1);
    let store = Store::open(&dir.path().join("b")).unwrap();
    assert_eq!(store.outbox_counts(), (1, 1));
    let worker = hotline::notify::spawn_worker(store.clone(), contacts, None).unwrap();
    until("the restored delivery", Duration::from_secs(10), || {
        rx.accepted().len() == 1 && store.outbox_counts() == (0, 1)
    })
    .await;
    worker.stop();
    assert_eq!(
        serde_json::from_slice::<Value>(&rx.accepted()[0].body).unwrap()["ticket"]["id"],
        "PA-000002"
    );
}

/// The single-desk TUI sends its store's notifications itself: the real
/// binary in a pseudo-terminal delivers what a one-shot change left waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_single_desk_tui_process_sends_the_outbox() {
    let rx = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let contacts_file = dir.path().join("contacts.toml");
    std::fs::write(&contacts_file, json_endpoint(&rx.url)).unwrap();
    private(&contacts_file);
    {
        // As a one-shot command leaves it: written, nobody sending.
        let store = new_store(&data);
        let contacts = Arc::new(Contacts::load(&contacts_file).unwrap());
        hotline::notify::install(&store, contacts);
        // Escalated just now: the TUI's scheduler has nothing due to add.
        let now = Ts(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64);
        escalated_ticket_at(&store, 1, now);
        assert_eq!(store.outbox_counts(), (1, 0));
    }
    let mut tui = Term::command()
        .args(["--data", data.to_str().unwrap(), "--user", "op"])
        .env("HOTLINE_CONFIG", dir.path().join("config.toml"))
        .env("HOTLINE_CONTACTS", &contacts_file)
        .env("HOTLINE_LOG", dir.path().join("tui.log"))
        .size(80, 24)
        .start();
    until("the TUI's delivery", Duration::from_secs(30), || {
        rx.accepted().len() == 1
    })
    .await;
    tui.send(CTRL_C);
    tui.wait_status();
    assert_signed(&rx.accepted()[0], SECRET);
    let store = Store::open(&data).unwrap();
    assert_eq!(store.outbox_counts(), (0, 0));
    let timeline = notification_events(&store, TicketId(1));
    assert!(
        matches!(
            &timeline[..],
            [EventKind::NotificationSent { attempts: 1, .. }]
        ),
        "{timeline:?}"
    );
}

/// The scheduler's own write (an unacknowledged escalation raised to level 2)
/// fills the outbox in its transaction like any other change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_escalation_the_scheduler_raises_to_level_two_reaches_the_city() {
    let rx = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[[endpoint]]\nto = \"city\"\nformat = \"slack\"\nurl = \"{}/slack/city\"\n",
        rx.url
    );
    let contacts = Arc::new(contacts(&text, 3));
    let store = new_store(dir.path());
    hotline::notify::install(&store, contacts.clone());
    let worker = hotline::notify::spawn_worker(store.clone(), contacts, None).unwrap();
    let t = escalated_ticket(&store, 1);
    // Two days on, nobody acknowledged: everything due by then fires.
    let later = Ts(NOW.0 + 2 * 86_400);
    let mut fired = 0;
    while store.fire_due_alarm(later, "hotline").unwrap().is_some() {
        fired += 1;
        assert!(fired < 50, "the scheduler keeps firing");
    }
    let raised = store.ticket(t.id).unwrap().unwrap();
    assert_eq!(raised.escalation.as_ref().map(|e| e.level), Some(2));
    until("the level-2 notice", Duration::from_secs(10), || {
        rx.accepted().len() == 1 && store.outbox_counts() == (0, 0)
    })
    .await;
    let seen = rx.seen();
    assert_eq!(seen.len(), 1, "only level 2 is the city's: {seen:#?}");
    assert_eq!(seen[0].path, "/slack/city");
    assert_eq!(seen[0].headers["x-hotline-event"], "level-2");
    worker.stop();
}

// ------------------------------------------------- dead letters, continued

/// A supervisor's dashboard, its panel, in English.
fn supervisor_tui(backend: &Arc<Backend>) -> hotline::tui::testkit::Driver {
    use hotline::tui::{initial_state, Lang, TuiOptions};
    let api: Arc<dyn HotlineApi> = Arc::new(LocalApi::new(
        backend.clone(),
        backend.store.user("sup").unwrap().unwrap(),
    ));
    let state = initial_state(&TuiOptions {
        lang: Lang::En,
        keymap_file: None,
        user_keymap: None,
        preset: None,
        mouse: false,
        color: false,
        demo: false,
        clock: fixed_clock(NOW),
        bell: false,
        switch_user: None,
    })
    .unwrap();
    let mut d = hotline::tui::testkit::Driver::new(api, state, (120, 40));
    d.keys("esc 3");
    d
}

#[test]
fn the_dead_letter_panel_follows_the_live_feed_without_ctrl_r() {
    use hotline::tui::msg::Msg;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let rx = rt.block_on(Receiver::start(&[Answer::Status(500)]));
    let dir = tempfile::tempdir().unwrap();
    let backend = Backend::new(new_store(dir.path()), fixed_clock(NOW), false);
    backend
        .notify
        .configure(&backend.store, contacts(&json_endpoint(&rx.url), 1));
    backend.start_notifier().unwrap();
    // A ticket nobody is told of yet (the first screen depends on there being any).
    backend
        .store
        .create_ticket(Uuid::now_v7(), &fault_ticket(), "op", NOW)
        .unwrap();
    let mut d = supervisor_tui(&backend);
    assert_eq!(d.state.screen, hotline::tui::state::Screen::Dashboard);
    assert!(!d.render().contains("Notifications not delivered"));
    // The feed the terminal loop follows, as the supervisor.
    let sup = LocalApi::new(backend.clone(), backend.store.user("sup").unwrap().unwrap());
    let mut feed = rt.block_on(sup.subscribe(None)).unwrap();
    let mut next = || {
        rt.block_on(async { tokio::time::timeout(Duration::from_secs(10), feed.next()).await })
            .expect("a live update")
            .expect("the feed is open")
    };

    let t = backend.store.ticket(TicketId(1)).unwrap().unwrap();
    let op = user("op", Role::Operator, &[]);
    let change = escalate(1);
    backend
        .store
        .update_ticket(t.id, t.version, "op", NOW, |t| t.apply(&change, &op, NOW))
        .unwrap();
    // The failure's timeline event is the update; no key is pressed.
    let before = d.effects.len();
    d.send(Msg::Live(next()));
    let screen = d.render();
    assert!(
        screen.contains("Notifications not delivered: 1 (Enter: send again, x: discard)"),
        "{screen}"
    );
    assert!(screen.contains("PA-000001  escalated  ward:26743 json 127.0.0.1  1× HTTP 500"));
    // One reload of each kind for the update.
    let fresh: Vec<_> = d.effects[before..].to_vec();
    assert_eq!(
        fresh,
        vec![
            hotline::tui::effect::Effect::Stats,
            hotline::tui::effect::Effect::DeadLetters
        ]
    );

    // Sent again from elsewhere (another supervisor's `notify retry`): the
    // delivery's timeline event empties the panel.
    let id = d.state.dead_letters.letters[0].id;
    rt.block_on(sup.retry_notification(id)).unwrap();
    d.send(Msg::Live(next()));
    assert_eq!(rx.accepted().len(), 1);
    assert!(d.state.dead_letters.letters.is_empty());
    assert!(!d.render().contains("Notifications not delivered"));
    backend.notify.stop();
}

#[test]
fn a_single_desk_supervisor_discards_a_dead_letter_with_a_reason_on_the_dashboard() {
    use hotline::tui::effect::Effect;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let rx = rt.block_on(Receiver::start(&[Answer::Status(500)]));
    let dir = tempfile::tempdir().unwrap();
    let backend = Backend::new(new_store(dir.path()), fixed_clock(NOW), false);
    backend
        .notify
        .configure(&backend.store, contacts(&json_endpoint(&rx.url), 1));
    backend.start_notifier().unwrap();
    let t = escalated_ticket(&backend.store, 1);
    wait_for_one_dead_letter(&backend.store);
    let mut d = supervisor_tui(&backend);
    let id = d.state.dead_letters.letters[0].id;
    d.keys("G x");
    let screen = d.render();
    assert!(
        screen.contains(&format!("Discard notification — #{id} PA-000001")),
        "{screen}"
    );
    // Confirming without a reason is refused, and nothing is sent.
    d.keys("ctrl-s");
    assert!(!d
        .effects
        .iter()
        .any(|e| matches!(e, Effect::DiscardNotification { .. })));
    assert_eq!(backend.store.outbox_counts(), (0, 1));
    // Esc leaves it as it was.
    d.keys("esc");
    assert!(d.state.overlay.is_none());
    assert_eq!(d.state.dead_letters.letters.len(), 1);

    d.keys("x");
    d.type_text("ward team confirmed by phone");
    d.keys("ctrl-s");
    assert!(
        d.effects.contains(&Effect::DiscardNotification {
            id,
            reason: "ward team confirmed by phone".into()
        }),
        "{:?}",
        d.effects
    );
    assert!(d.state.overlay.is_none());
    assert!(d.state.dead_letters.letters.is_empty());
    let screen = d.render();
    assert!(
        screen.contains(&format!(
            "Notification {id} discarded (reason on the timeline)"
        )),
        "{screen}"
    );
    assert!(!screen.contains("Notifications not delivered"));
    assert_eq!(backend.store.outbox_counts(), (0, 0));
    let events = backend.store.events(t.id).unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.by, "sup");
    assert_eq!(
        last.kind,
        EventKind::NotificationFailed {
            endpoint: "ward:26743 json 127.0.0.1".into(),
            event: "escalated".into(),
            attempts: 1,
            error: "discarded: ward team confirmed by phone".into(),
        }
    );
    backend.notify.stop();
    assert_eq!(rx.seen().len(), 1, "never sent again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discarding_a_dead_letter_through_the_api_records_why_and_only_supervisors_may() {
    let rx = Receiver::start(&[Answer::Status(500)]).await;
    let dir = tempfile::tempdir().unwrap();
    let backend = Backend::new(new_store(dir.path()), fixed_clock(NOW), false);
    backend
        .notify
        .configure(&backend.store, contacts(&json_endpoint(&rx.url), 1));
    backend.start_notifier().unwrap();
    let t = escalated_ticket(&backend.store, 1);
    let store = backend.store.clone();
    until("the dead letter", Duration::from_secs(10), || {
        store.outbox_counts() == (0, 1)
    })
    .await;
    let api = |name: &str| LocalApi::new(backend.clone(), store.user(name).unwrap().unwrap());
    let (sup, admin) = (api("sup"), api("admin"));
    let id = sup.dead_letters().await.unwrap()[0].id;
    for other in [api("op"), api("bt")] {
        assert!(matches!(
            other.discard_notification(id, "not ours").await,
            Err(ApiError::Forbidden { .. })
        ));
    }
    for empty in ["", "   "] {
        assert!(matches!(
            sup.discard_notification(id, empty).await,
            Err(ApiError::Invalid { .. })
        ));
    }
    assert!(matches!(
        sup.discard_notification(id, &"x".repeat(501)).await,
        Err(ApiError::Invalid { .. })
    ));
    assert!(matches!(
        sup.discard_notification(999, "no such").await,
        Err(ApiError::NotFound { .. })
    ));
    assert_eq!(store.outbox_counts(), (0, 1), "refusals change nothing");
    let mut feed = sup.subscribe(None).await.unwrap();
    admin
        .discard_notification(id, "  endpoint retired  ")
        .await
        .unwrap();
    assert_eq!(store.outbox_counts(), (0, 0));
    assert!(sup.dead_letters().await.unwrap().is_empty());
    assert!(matches!(
        admin.discard_notification(id, "again").await,
        Err(ApiError::NotFound { .. })
    ));
    assert!(matches!(
        sup.retry_notification(id).await,
        Err(ApiError::NotFound { .. })
    ));
    let detail = sup.ticket(t.id).await.unwrap();
    let last = detail.events.last().unwrap();
    assert_eq!((last.by.as_str(), last.at), ("admin", NOW));
    assert_eq!(
        last.kind,
        EventKind::NotificationFailed {
            endpoint: "ward:26743 json 127.0.0.1".into(),
            event: "escalated".into(),
            attempts: 1,
            error: "discarded: endpoint retired".into(),
        }
    );
    // Other supervisors' dashboards hear of it.
    let update = tokio::time::timeout(Duration::from_secs(5), feed.next())
        .await
        .unwrap()
        .unwrap();
    match update {
        hotline::api::live::LiveUpdate::Ticket { ticket, .. } => assert_eq!(ticket.id, t.id),
        other => panic!("{other:?}"),
    }
    backend.notify.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_hub_and_the_cli_supervisors_discard_dead_letters() {
    let rx = Receiver::start(&[Answer::Status(500), Answer::Status(500)]).await;
    let TeamHub {
        dir,
        data,
        tokens,
        contacts,
        hub,
        op,
        sup,
        bt,
    } = TeamHub::start(&rx.url).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let t = op
            .create_ticket(Uuid::now_v7(), fault_ticket())
            .await
            .unwrap();
        op.apply(t.id, t.version, escalate(1)).await.unwrap();
        ids.push(t.id);
    }
    let started = Instant::now();
    let dead = loop {
        let dead = sup.dead_letters().await.unwrap();
        if dead.len() == 2 {
            break dead;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{dead:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for other in [&op, &bt] {
        assert!(matches!(
            other.discard_notification(dead[0].id, "not mine").await,
            Err(ApiError::Forbidden { .. })
        ));
    }
    // The route itself, as a client without the library would call it.
    let raw = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/notifications/dead/{}/discard",
            hub.url, dead[0].id
        ))
        .bearer_auth(&tokens["op"])
        .json(&json!({ "reason": "not mine" }))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 403);
    let raw = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/notifications/dead/{}/discard",
            hub.url, dead[0].id
        ))
        .bearer_auth(&tokens["sup"])
        .json(&json!({ "reason": "" }))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 422);
    sup.discard_notification(dead[0].id, "ward 26743 called back")
        .await
        .unwrap();
    let left = sup.dead_letters().await.unwrap();
    assert_eq!(left, dead[1..].to_vec());
    let detail = op.ticket(ids[0]).await.unwrap();
    let last = detail.events.last().unwrap();
    assert_eq!(last.by, "sup");
    assert!(
        matches!(&last.kind, EventKind::NotificationFailed { error, .. } if error == "discarded: ward 26743 called back"),
        "{:?}",
        last.kind
    );
    drop(hub);

    // The CLI on the same store.
    let run = |args: &[&str]| {
        let mut all = vec!["--data", data.to_str().unwrap(), "--lang", "en"];
        all.extend_from_slice(args);
        hotline(dir.path(), &contacts).args(&all).output().unwrap()
    };
    let id = dead[1].id.to_string();
    let out = run(&["--user", "op", "notify", "discard", &id, "--reason", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("operators do not handle failed notifications"));
    let out = run(&["--user", "sup", "notify", "discard", &id]);
    assert_eq!(out.status.code(), Some(2), "--reason is required");
    let out = run(&[
        "--user",
        "sup",
        "notify",
        "discard",
        &id,
        "--reason",
        "duplicate of the first",
    ]);
    assert_eq!(
        succeeded(&out),
        format!("Dead letter {id} is discarded; the reason is on the ticket's timeline.")
    );
    let out = run(&["--user", "sup", "notify", "list"]);
    assert_eq!(succeeded(&out), "No dead letters.");
    let store = Store::open(&data).unwrap();
    assert_eq!(store.outbox_counts(), (0, 0));
    assert!(matches!(
        notification_events(&store, ids[1]).last(),
        Some(EventKind::NotificationFailed { error, .. }) if error == "discarded: duplicate of the first"
    ));
    assert_eq!(rx.seen().len(), 2, "nothing was sent again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_outbox_entry_becomes_a_dead_letter_supervisors_can_discard() {
    let rx = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    drop(new_store(dir.path()));
    {
        // Garbage where an entry should be, written behind the store's back.
        let db = sled::open(dir.path()).unwrap();
        let outbox = db.open_tree("outbox").unwrap();
        outbox
            .insert(1u64.to_be_bytes(), &b"\xff\xfe not postcard"[..])
            .unwrap();
        let meta = db.open_tree("meta").unwrap();
        meta.insert("outbox_seq", &1u64.to_be_bytes()[..]).unwrap();
        db.flush().unwrap();
    }
    let backend = Backend::new(Store::open(dir.path()).unwrap(), fixed_clock(NOW), false);
    backend
        .notify
        .configure(&backend.store, contacts(&json_endpoint(&rx.url), 3));
    backend.start_notifier().unwrap();
    let store = backend.store.clone();
    until(
        "the unreadable entry among the dead letters",
        Duration::from_secs(10),
        || store.outbox_counts() == (0, 1),
    )
    .await;
    // Readable entries still go out.
    escalated_ticket(&store, 1);
    until("the delivery", Duration::from_secs(10), || {
        rx.accepted().len() == 1
    })
    .await;
    let sup = LocalApi::new(backend.clone(), store.user("sup").unwrap().unwrap());
    let dead = sup.dead_letters().await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].id, 1);
    assert!(dead[0].unreadable);
    assert_eq!(dead[0].kind, None);
    assert_eq!(dead[0].ticket, "");
    assert!(
        dead[0].error.starts_with("unreadable entry: "),
        "{}",
        dead[0].error
    );
    assert!(matches!(
        sup.retry_notification(1).await,
        Err(ApiError::Invalid { .. })
    ));
    let json = serde_json::to_value(&dead[0]).unwrap();
    assert_eq!(json["unreadable"], true);
    assert_eq!(json["type"], Value::Null);
    // It is shown, and the dashboard can discard it (the TUI's own runtime
    // on a thread of its own).
    backend.notify.stop();
    let tui = backend.clone();
    std::thread::spawn(move || {
        let mut d = supervisor_tui(&tui);
        let screen = d.render();
        assert!(
            screen.contains("Notifications not delivered: 1"),
            "{screen}"
        );
        assert!(screen.contains("unreadable"), "{screen}");
        d.keys("G x");
        let screen = d.render();
        assert!(screen.contains("Discard notification — #1"), "{screen}");
        d.type_text("left by a test");
        d.keys("ctrl-s");
        assert!(d.state.dead_letters.letters.is_empty());
    })
    .join()
    .unwrap();
    assert_eq!(store.outbox_counts(), (0, 0));
    assert_eq!(rx.seen().len(), 1);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_makes_the_hub_read_contacts_again_and_a_bad_file_keeps_the_old_ones() {
    use hotline::api::RemoteApi;
    let old = Receiver::start(&[]).await;
    let new = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let token = {
        let store = new_store(&data);
        let token = store.issue_token("op").unwrap();
        store.flush().unwrap();
        token
    };
    let contacts = dir.path().join("contacts.toml");
    std::fs::write(&contacts, json_endpoint(&old.url)).unwrap();
    private(&contacts);
    let hub = HubProcess::start(&data, dir.path(), &contacts);
    let op = RemoteApi::connect(&hub.url, &token).await.unwrap();
    let escalate_one = || async {
        let t = op
            .create_ticket(Uuid::now_v7(), fault_ticket())
            .await
            .unwrap();
        op.apply(t.id, t.version, escalate(1)).await.unwrap();
    };
    escalate_one().await;
    until("the first delivery", Duration::from_secs(20), || {
        old.accepted().len() == 1
    })
    .await;

    let log = dir.path().join("hub.log");
    let log_has = |text: String| {
        let log = log.clone();
        move || {
            std::fs::read_to_string(&log)
                .unwrap_or_default()
                .contains(&text)
        }
    };
    let hangup = || {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(hub.child.id() as i32),
            nix::sys::signal::Signal::SIGHUP,
        )
        .unwrap()
    };
    std::fs::write(&contacts, json_endpoint(&new.url)).unwrap();
    private(&contacts);
    hangup();
    until(
        "the reload in the log",
        Duration::from_secs(20),
        log_has(format!(
            "SIGHUP: {} reloaded (1 endpoint(s))",
            contacts.display()
        )),
    )
    .await;
    escalate_one().await;
    until(
        "the delivery to the new endpoint",
        Duration::from_secs(20),
        || new.accepted().len() == 1,
    )
    .await;
    assert_eq!(old.seen().len(), 1, "the old endpoint hears no more");

    // A bad file: its problem with file and line in the log, the contacts in
    // force stay, and the hub serves on.
    std::fs::write(
        &contacts,
        format!(
            "{}\n[[endpoint]]\nto = \"city\"\nformat = \"fax\"\nurl = \"https://x.example/h\"\n",
            json_endpoint(&old.url)
        ),
    )
    .unwrap();
    private(&contacts);
    hangup();
    until(
        "the refusal in the log",
        Duration::from_secs(20),
        log_has(format!(
            "{}:9: endpoint.format = 'fax': expected json, slack or telegram",
            contacts.display()
        )),
    )
    .await;
    assert!(log_has(format!(
        "SIGHUP: {} not reloaded",
        contacts.display()
    ))());
    escalate_one().await;
    until(
        "the delivery under the kept contacts",
        Duration::from_secs(20),
        || new.accepted().len() == 2,
    )
    .await;
    assert_eq!(old.seen().len(), 1);
    let mut hub = hub;
    assert!(hub.child.try_wait().unwrap().is_none(), "still serving");
}

#[test]
fn a_burst_of_live_updates_on_the_dashboard_leaves_no_backlog_of_reloads() {
    use hotline::tui::effect::Runner;
    use hotline::tui::msg::{ApiMsg, Msg};
    use hotline::tui::{initial_state, update, Lang, TuiOptions};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let rx = rt.block_on(Receiver::start(&[Answer::Status(500)]));
    let dir = tempfile::tempdir().unwrap();
    let backend = Backend::new(new_store(dir.path()), fixed_clock(NOW), false);
    backend
        .notify
        .configure(&backend.store, contacts(&json_endpoint(&rx.url), 1));
    backend.start_notifier().unwrap();
    let t = escalated_ticket(&backend.store, 1);
    wait_for_one_dead_letter(&backend.store);
    let sup: Arc<dyn HotlineApi> = Arc::new(LocalApi::new(
        backend.clone(),
        backend.store.user("sup").unwrap().unwrap(),
    ));
    let mut state = initial_state(&TuiOptions {
        lang: Lang::En,
        keymap_file: None,
        user_keymap: None,
        preset: None,
        mouse: false,
        color: false,
        demo: false,
        clock: fixed_clock(NOW),
        bell: false,
        switch_user: None,
    })
    .unwrap();
    state.size = (120, 40);
    let (tx, msgs) = std::sync::mpsc::channel::<Msg>();
    let mut runner = Runner::new(sup, rt.handle().clone(), tx, None);
    // The terminal loop: results go through `update`, their effects to the runner.
    let dead_letter_loads = std::cell::Cell::new(0usize);
    let pump = |state: &mut hotline::tui::state::State,
                runner: &mut Runner,
                until: &dyn Fn(&hotline::tui::state::State) -> bool| {
        let started = Instant::now();
        loop {
            match msgs.recv_timeout(Duration::from_millis(300)) {
                Ok(m) => {
                    if matches!(&m, Msg::Api(a) if matches!(**a, ApiMsg::DeadLetters(_))) {
                        dead_letter_loads.set(dead_letter_loads.get() + 1);
                    }
                    let fx = update::update(state, m);
                    runner.run(fx);
                }
                Err(_) if runner.load() == (0, 0) && until(state) => return,
                Err(_) => {}
            }
            assert!(started.elapsed() < Duration::from_secs(20), "never settled");
        }
    };
    let fx = update::init(&mut state);
    runner.run(fx);
    for key in ["esc", "3"] {
        let fx = update::update(
            &mut state,
            Msg::Key(hotline::tui::keymap::parse_chord(key).unwrap()[0]),
        );
        runner.run(fx);
    }
    pump(&mut state, &mut runner, &|s| {
        s.screen == hotline::tui::state::Screen::Dashboard && s.dead_letters.letters.len() == 1
    });
    // Two hundred changes of the ticket arrive at once.
    let before = dead_letter_loads.get();
    let masked = backend.store.ticket(t.id).unwrap().unwrap();
    for id in 0..200u64 {
        let fx = update::update(
            &mut state,
            Msg::Live(hotline::api::live::LiveUpdate::Ticket {
                id,
                ticket: Box::new(masked.clone()),
            }),
        );
        runner.run(fx);
        let (running, pending) = runner.load();
        // Stats and dead letters: at most one running and one waiting each.
        assert!(
            running <= 2 && pending <= 2,
            "{running} running, {pending} pending"
        );
    }
    pump(&mut state, &mut runner, &|_| true);
    let loads = dead_letter_loads.get() - before;
    assert!(
        (1..200).contains(&loads),
        "{loads} dead-letter loads for 200 updates"
    );
    assert_eq!(state.dead_letters.letters.len(), 1);
    backend.notify.stop();
}
