//! The hub over real HTTP: a hub on 127.0.0.1:0 over a real store in a temp
//! directory, spoken to with reqwest.

use hotline::api::wire::ErrorBody;
use hotline::domain::{Role, User};
use hotline::server::{self, RunningHub, ServeConfig, SignInLimit};
use hotline::store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

const BEN_THANH: u32 = 26743;
const SAI_GON: u32 = 26740;

/// One dossier in Bến Thành, one in Sài Gòn.
const DOSSIERS_CSV: &str = "code,procedure_code,procedure_name,applicant_name,applicant_phone,ward_code,received_at,due_at,finished_at,status,sync,payment
000.00.01.H29-250812-0042,2.000815,Chứng thực bản sao từ bản chính,Nguyễn Thị Thu Hà,0912 345 678,26743,2025-08-12 08:30,2025-08-13,,4,error,none
000.00.01.H29-250812-0043,1.001193,Đăng ký khai sinh,Trần Văn Hùng,+84 909 111 222,26740,20250812093000,2025-08-13 17:00,2025-08-13 10:00,10,synced,paid
";
const OWN_DOSSIER: &str = "000.00.01.H29-250812-0042";
const OTHER_DOSSIER: &str = "000.00.01.H29-250812-0043";

/// The users every test hub has; `bt` answers for Bến Thành only.
const USERS: [(&str, Role, &[u32]); 6] = [
    ("admin", Role::Admin, &[]),
    ("op", Role::Operator, &[]),
    ("bt", Role::Responder, &[BEN_THANH]),
    ("sg", Role::Responder, &[SAI_GON]),
    ("sup", Role::Supervisor, &[]),
    ("extra", Role::Operator, &[]),
];

struct TestHub {
    dir: tempfile::TempDir,
    hub: Option<RunningHub>,
    base: String,
    http: reqwest::Client,
    tokens: HashMap<&'static str, String>,
}

/// A store with the users above, each with a token.
fn make_store(dir: &Path) -> HashMap<&'static str, String> {
    let store = Store::open(dir).unwrap();
    let mut tokens = HashMap::new();
    for (name, role, wards) in USERS {
        store
            .put_user(&User {
                name: name.into(),
                display_name: name.into(),
                role,
                wards: wards.to_vec(),
            })
            .unwrap();
        tokens.insert(name, store.issue_token(name).unwrap());
    }
    tokens
}

/// sled lets go of a closed store's lock only when its background writes
/// end, a moment after the last handle is dropped: wait for that.
fn lock_still_held(e: &dyn std::fmt::Display) -> bool {
    e.to_string().contains("could not acquire lock")
}

async fn spawn_hub(config: ServeConfig) -> RunningHub {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match server::spawn(config.clone()).await {
            Ok(hub) => return hub,
            Err(e) if lock_still_held(&e) && std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("{e:#}"),
        }
    }
}

fn reopen(dir: &Path) -> Store {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match Store::open_existing(dir) {
            Ok(store) => return store,
            Err(e) if lock_still_held(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(e) => panic!("{e}"),
        }
    }
}

impl TestHub {
    async fn start() -> TestHub {
        TestHub::start_with(SignInLimit::default()).await
    }

    async fn start_with(limit: SignInLimit) -> TestHub {
        let dir = tempfile::tempdir().unwrap();
        let tokens = make_store(dir.path());
        let mut config = ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap());
        config.sign_in_limit = limit;
        let hub = spawn_hub(config).await;
        let base = format!("{}/api/v1", hub.url);
        TestHub {
            dir,
            hub: Some(hub),
            base,
            http: reqwest::Client::new(),
            tokens,
        }
    }

    fn hub(&self) -> &RunningHub {
        self.hub.as_ref().unwrap()
    }

    fn req(&self, user: Option<&str>, method: Method, path: &str) -> reqwest::RequestBuilder {
        // Paths are under the API prefix, but for the prefix itself and the two outside it.
        let url = if path.starts_with("/api") || path == "/healthz" || path == "/metrics" {
            format!("{}{path}", self.hub().url)
        } else {
            format!("{}{path}", self.base)
        };
        let r = self.http.request(method, url);
        match user {
            Some(u) => r.bearer_auth(&self.tokens[u]),
            None => r,
        }
    }

    async fn json(
        &self,
        user: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = self.req(Some(user), method, path);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn create_ticket(&self, user: &str, body: Value) -> Value {
        let resp = self
            .req(Some(user), Method::POST, "/tickets")
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        resp.json().await.unwrap()
    }

    async fn change(
        &self,
        user: &str,
        id: &str,
        version: u64,
        change: Value,
    ) -> (StatusCode, Value) {
        let resp = self
            .req(Some(user), Method::POST, &format!("/tickets/{id}/changes"))
            .header("If-Match", version.to_string())
            .json(&change)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap())
    }

    /// A fault ticket escalated to `ward`; its id.
    async fn escalated_ticket(&self, ward: u32) -> String {
        let t = self.create_ticket("op", fault_ticket()).await;
        let id = t["id"].as_u64().unwrap().to_string();
        let (status, body) = self
            .change(
                "op",
                &id,
                t["version"].as_u64().unwrap(),
                json!({"change": "escalate", "ward": ward, "fault": "portal-sync", "severity": "p2"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        id
    }

    fn version(&self, id: &str) -> u64 {
        let id = hotline::api::parse_ticket_id(id).unwrap();
        self.hub()
            .backend()
            .store
            .ticket(id)
            .unwrap()
            .unwrap()
            .version
    }

    async fn stop(&mut self) {
        self.hub.take().unwrap().shutdown().await.unwrap();
    }
}

fn fault_ticket() -> Value {
    json!({
        "kind": "fault",
        "channel": "phone",
        "caller_name": "Nguyễn Văn An",
        "caller_phone": "0912 345 678",
        "subject": "Hồ sơ kẹt đồng bộ lên Cổng DVC quốc gia",
        "priority": "p2"
    })
}

async fn error_body(resp: reqwest::Response) -> (StatusCode, ErrorBody) {
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let body: ErrorBody = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{status}: not an ErrorBody ({e}): {text}"));
    (status, body)
}

// ---------------------------------------------------------------------------
// Authorisation

/// Who asks, in the order of the expected statuses below.
const ROLES: [&str; 4] = ["op", "bt", "sup", "admin"];

/// Every route × operator, responder of Bến Thành, supervisor, admin;
/// "own" is a ticket or dossier of Bến Thành, "other" one of Sài Gòn.
const MATRIX: &[(&str, [u16; 4])] = &[
    //                                    op   bt   sup  admin
    ("GET /me", [200, 200, 200, 200]),
    ("POST /tickets", [201, 403, 201, 403]),
    ("GET /tickets/own", [200, 200, 200, 403]),
    ("GET /tickets/other", [200, 404, 200, 403]),
    ("POST /tickets/list", [200, 200, 200, 403]),
    ("POST /tickets/own/changes", [200, 200, 200, 403]),
    ("POST /tickets/other/changes", [200, 404, 200, 403]),
    ("POST /search", [200, 200, 200, 200]), // admins: wards and procedures only
    ("GET /dossiers/own", [200, 200, 200, 403]),
    ("GET /dossiers/other", [200, 404, 200, 403]),
    ("GET /callers", [200, 200, 200, 403]),
    ("GET /stats", [403, 403, 200, 403]),
    ("GET /users", [200, 200, 200, 200]),
    ("PUT /users/extra", [403, 403, 403, 200]),
    ("POST /users/extra/token", [403, 403, 403, 200]),
    ("DELETE /users/extra/token", [403, 403, 403, 204]),
    ("POST /imports/dossiers", [403, 403, 200, 200]),
    ("GET /status", [200, 200, 200, 200]),
    ("GET /sla-policy", [200, 200, 200, 200]),
    ("GET /openapi.json", [200, 200, 200, 200]),
    ("GET /events", [200, 200, 200, 200]),
];

/// Sends one matrix route as `user` (`None`: without a token).
async fn send_route(
    h: &TestHub,
    route: &str,
    user: Option<&str>,
    own: &str,
    other: &str,
) -> StatusCode {
    let (method, path) = route.split_once(' ').unwrap();
    let ticket_of = |which: &str| if which == "own" { own } else { other };
    let mut r;
    match (method, path) {
        ("POST", "/tickets") => {
            r = h
                .req(user, Method::POST, "/tickets")
                .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
                .json(&fault_ticket());
        }
        ("GET", p) if p.starts_with("/tickets/") => {
            let id = ticket_of(p.trim_start_matches("/tickets/"));
            r = h.req(user, Method::GET, &format!("/tickets/{id}"));
        }
        ("POST", p) if p.ends_with("/changes") => {
            let which = p
                .trim_start_matches("/tickets/")
                .trim_end_matches("/changes");
            let id = ticket_of(which);
            r = h
                .req(user, Method::POST, &format!("/tickets/{id}/changes"))
                .header("If-Match", h.version(id).to_string())
                .json(&json!({"change": "comment", "text": "Đã gọi lại cho công dân"}));
        }
        ("POST", "/tickets/list") => {
            r = h
                .req(user, Method::POST, path)
                .json(&json!({"filter": {"open_only": true}}));
        }
        ("POST", "/search") => {
            r = h
                .req(user, Method::POST, path)
                .json(&json!({"text": "nguyen", "limit": 10}));
        }
        ("GET", p) if p.starts_with("/dossiers/") => {
            let code = if p.ends_with("own") {
                OWN_DOSSIER
            } else {
                OTHER_DOSSIER
            };
            r = h.req(user, Method::GET, &format!("/dossiers/{code}"));
        }
        ("GET", "/callers") => r = h.req(user, Method::GET, "/callers?q=0912345678"),
        ("PUT", "/users/extra") => {
            r = h.req(user, Method::PUT, path).json(&json!({
                "name": "extra", "display_name": "Extra", "role": "operator", "wards": []
            }));
        }
        ("POST", "/imports/dossiers") => {
            r = h.req(user, Method::POST, path).body(DOSSIERS_CSV);
        }
        (m, p) => r = h.req(user, Method::from_bytes(m.as_bytes()).unwrap(), p),
    }
    if user.is_none() {
        r = r.header("X-Test", "no token");
    }
    r.send().await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_role_as_the_table_says() {
    let h = TestHub::start().await;
    let resp = h
        .req(Some("admin"), Method::POST, "/imports/dossiers")
        .body(DOSSIERS_CSV)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let own = h.escalated_ticket(BEN_THANH).await;
    let other = h.escalated_ticket(SAI_GON).await;

    let mut wrong = Vec::new();
    for (route, expected) in MATRIX {
        for (user, want) in ROLES.iter().zip(expected) {
            let got = send_route(&h, route, Some(user), &own, &other).await;
            if got.as_u16() != *want {
                wrong.push(format!("{route} as {user}: {got}, expected {want}"));
            }
        }
        let got = send_route(&h, route, None, &own, &other).await;
        if got != StatusCode::UNAUTHORIZED {
            wrong.push(format!("{route} without a token: {got}, expected 401"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_responder_asking_for_another_wards_ticket_gets_the_missing_tickets_answer() {
    let h = TestHub::start().await;
    let other = h.escalated_ticket(SAI_GON).await;
    let (s1, other_body) = h
        .json("bt", Method::GET, &format!("/tickets/{other}"), None)
        .await;
    let (s2, missing_body) = h.json("bt", Method::GET, "/tickets/PA-999999", None).await;
    assert_eq!((s1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(other_body["code"], "not-found");
    assert_eq!(other_body["what"], format!("ticket PA-{:0>6}", other));
    assert_eq!(missing_body["what"], "ticket PA-999999");
    // The same shape, nothing that tells the one from the other.
    assert_eq!(
        other_body.as_object().unwrap().keys().collect::<Vec<_>>(),
        missing_body.as_object().unwrap().keys().collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_answer_carries_its_sla_clocks() {
    let h = TestHub::start().await;
    let id = h.escalated_ticket(BEN_THANH).await;
    let (status, body) = h
        .json("op", Method::GET, &format!("/tickets/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let clocks: Vec<(&str, &str)> = body["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["clock"].as_str().unwrap(), c["state"].as_str().unwrap()))
        .collect();
    // Escalating answered the citizen; the other three run.
    assert_eq!(
        clocks,
        [
            ("first-response", "met"),
            ("resolution", "running"),
            ("acknowledge", "running"),
            ("escalation-resolve", "running"),
        ]
    );
    // The ward's clocks count office days of 8 h, the hotline's 24 h.
    assert_eq!(body["clocks"][1]["working_day_secs"], 86_400);
    assert_eq!(body["clocks"][2]["working_day_secs"], 8 * 3600);
}

// ---------------------------------------------------------------------------
// Mutations

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_idempotency_key_twice_makes_one_ticket() {
    let h = TestHub::start().await;
    let key = uuid::Uuid::now_v7().to_string();
    let send = || {
        h.req(Some("op"), Method::POST, "/tickets")
            .header("Idempotency-Key", &key)
            .json(&fault_ticket())
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let second = send().await.unwrap();
    assert_eq!(second.status(), StatusCode::OK);
    let second: Value = second.json().await.unwrap();
    assert_eq!(first, second);
    assert_eq!(first["request_id"], key);
    assert_eq!(h.hub().backend().store.ticket_count().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_if_match_is_409_with_the_current_ticket() {
    let h = TestHub::start().await;
    let t = h.create_ticket("op", fault_ticket()).await;
    let id = t["id"].as_u64().unwrap().to_string();
    let comment = json!({"change": "comment", "text": "lần 1"});
    let (s, changed) = h.change("op", &id, 1, comment.clone()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(changed["version"], 2);
    let (s, body) = h.change("sup", &id, 1, json!({"change": "start"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["code"], "conflict");
    assert_eq!(body["current"], changed);
    // Quoted, as an ETag, works too.
    let resp = h
        .req(
            Some("sup"),
            Method::POST,
            &format!("/tickets/PA-{id:0>6}/changes"),
        )
        .header("If-Match", "\"2\"")
        .json(&json!({"change": "start"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

// ---------------------------------------------------------------------------
// Bad requests: a clear 4xx with a JSON body, never a 5xx

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_wrong_and_revoked_tokens_are_401() {
    let h = TestHub::start().await;
    let (s, e) = error_body(h.req(None, Method::GET, "/me").send().await.unwrap()).await;
    assert_eq!(
        (s, e.code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    assert!(e.message.contains("Authorization: Bearer"), "{}", e.message);

    let wrong = h
        .http
        .get(format!("{}/me", h.base))
        .bearer_auth("hl_0000000000000000000000000000000000000000000000000000000000000000")
        .send()
        .await
        .unwrap();
    let (s, e) = error_body(wrong).await;
    assert_eq!(
        (s, e.code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    assert!(e.message.contains("wrong"), "{}", e.message);

    let basic = h
        .http
        .get(format!("{}/me", h.base))
        .header("Authorization", "Basic b3A6b3A=")
        .send()
        .await
        .unwrap();
    let (s, e) = error_body(basic).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(e.message.contains("Bearer TOKEN"), "{}", e.message);

    let (s, me) = h.json("op", Method::GET, "/me", None).await;
    assert_eq!((s, me["name"].as_str()), (StatusCode::OK, Some("op")));
    h.hub().backend().store.revoke_token("op").unwrap();
    let (s, e) = error_body(h.req(Some("op"), Method::GET, "/me").send().await.unwrap()).await;
    assert_eq!(
        (s, e.code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );

    // Revoking through the API works the same.
    let (s, _) = h
        .json("admin", Method::DELETE, "/users/sup/token", None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = h.json("sup", Method::GET, "/me", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failed_sign_ins_are_rate_limited_until_the_window_passes() {
    let h = TestHub::start_with(SignInLimit {
        failures: 10,
        window: Duration::from_secs(2),
    })
    .await;
    let guess = |n: usize| {
        h.http
            .get(format!("{}/me", h.base))
            .bearer_auth(format!("hl_guess{n}"))
            .send()
    };
    for n in 0..10 {
        assert_eq!(
            guess(n).await.unwrap().status(),
            StatusCode::UNAUTHORIZED,
            "guess {n}"
        );
    }
    let (s, e) = error_body(guess(10).await.unwrap()).await;
    assert_eq!(
        (s, e.code.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "rate-limited")
    );
    assert!(
        e.message.contains("too many failed sign-ins"),
        "{}",
        e.message
    );
    // Even the right token waits: the limit is on the address.
    let resp = h.req(Some("op"), Method::GET, "/me").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (s, _) = h.json("op", Method::GET, "/me", None).await;
    assert_eq!(s, StatusCode::OK);
}

/// Sends `body` as JSON text to `path` as the operator; the answer must be
/// `status` with `code` and a message containing `mentions`.
#[allow(clippy::too_many_arguments)] // reads as one row of a table at each call
async fn refused(
    h: &TestHub,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    status: u16,
    code: &str,
    mentions: &str,
) {
    let mut r = h.req(Some("op"), method.clone(), path);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    if let Some(b) = body {
        r = r
            .header("Content-Type", "application/json")
            .body(b.to_string());
    }
    let (s, e) = error_body(r.send().await.unwrap()).await;
    assert_eq!(
        (s.as_u16(), e.code.as_str()),
        (status, code),
        "{method} {path} {body:?}: {}",
        e.message
    );
    assert!(
        e.message.contains(mentions),
        "{method} {path}: '{}' does not mention '{mentions}'",
        e.message
    );
}

/// One row for [`refused_all`]: method, path, headers, body, then the
/// status, code and words the answer must have.
type Refusal<'a> = (
    Method,
    &'a str,
    &'a [(&'a str, &'a str)],
    Option<&'a str>,
    u16,
    &'a str,
    &'a str,
);

/// [`refused`] for each row of a table.
async fn refused_all(h: &TestHub, cases: &[Refusal<'_>]) {
    for (method, path, headers, body, status, code, mentions) in cases {
        refused(
            h,
            method.clone(),
            path,
            headers,
            *body,
            *status,
            code,
            mentions,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_requests_are_4xx_naming_the_problem() {
    let h = TestHub::start().await;
    let key = uuid::Uuid::now_v7().to_string();
    let idem: &[(&str, &str)] = &[("Idempotency-Key", &key)];
    let t = h.create_ticket("op", fault_ticket()).await;
    let id = t["id"].as_u64().unwrap().to_string();
    let changes = format!("/tickets/{id}/changes");
    let if_match: &[(&str, &str)] = &[("If-Match", "1")];

    // Malformed JSON, unknown fields, wrong types, missing fields.
    refused_all(
        &h,
        &[
            (
                Method::POST,
                "/tickets",
                idem,
                Some("{\"kind\": \"fault\","),
                400,
                "bad-request",
                "not a valid NewTicket",
            ),
            (
                Method::POST,
                "/tickets",
                idem,
                Some(&fault_ticket().to_string().replace("{", "{\"colour\":1,")),
                400,
                "bad-request",
                "unknown field `colour`",
            ),
            (
                Method::POST,
                "/tickets",
                idem,
                Some(&fault_ticket().to_string().replace("\"p2\"", "2")),
                400,
                "bad-request",
                "at `priority`",
            ),
            (
                Method::POST,
                "/tickets",
                idem,
                Some(
                    &fault_ticket()
                        .to_string()
                        .replace("\"Hồ sơ", "42, \"x\": \""),
                ),
                400,
                "bad-request",
                "at `subject`: invalid type: integer `42`, expected a string",
            ),
            (
                Method::POST,
                "/tickets",
                idem,
                Some(&format!("{} {{}}", fault_ticket())),
                400,
                "bad-request",
                "trailing characters",
            ),
            (
                Method::POST,
                "/tickets",
                idem,
                Some("{\"kind\": \"fault\"}"),
                400,
                "bad-request",
                "missing field",
            ),
            (
                Method::POST,
                "/tickets",
                idem,
                Some(""),
                400,
                "bad-request",
                "empty",
            ),
            (
                Method::POST,
                "/tickets/list",
                &[],
                Some("{\"filter\": {\"open_only\": true, \"colour\": 1}}"),
                400,
                "bad-request",
                "unknown field `colour`",
            ),
            (
                Method::POST,
                &changes,
                if_match,
                Some("{\"change\": \"comment\", \"text\": \"x\", \"extra\": 1}"),
                400,
                "bad-request",
                "unknown field `extra`",
            ),
            (
                Method::POST,
                &changes,
                if_match,
                Some("{\"change\": \"paint\"}"),
                400,
                "bad-request",
                "unknown variant `paint`",
            ),
            // Huge numbers.
            (
                Method::GET,
                "/tickets/99999999999999999999",
                &[],
                None,
                400,
                "bad-request",
                "99999999999999999999",
            ),
            (
                Method::POST,
                "/search",
                &[],
                Some("{\"text\": \"an\", \"limit\": 1e30}"),
                400,
                "bad-request",
                "at `limit`: invalid type: floating point",
            ),
            (
                Method::POST,
                "/search",
                &[],
                Some("{\"text\": \"an\", \"limit\": 99999999999999999999999}"),
                400,
                "bad-request",
                "not a valid SearchRequest",
            ),
            (
                Method::POST,
                "/search",
                &[],
                Some("{\"text\": \"an\", \"limit\": -1}"),
                400,
                "bad-request",
                "-1",
            ),
            (
                Method::POST,
                "/tickets",
                idem,
                Some(&fault_ticket().to_string().replace(
                    "\"priority\"",
                    "\"ward\": 99999999999999999999, \"priority\"",
                )),
                400,
                "bad-request",
                "ward",
            ),
        ],
    )
    .await;
    // A limit the search can take is clamped, not an error.
    let (s, _) = h
        .json(
            "op",
            Method::POST,
            "/search",
            Some(json!({"text": "an", "limit": u64::MAX})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Missing or bad headers.
    refused_all(
        &h,
        &[
            (
                Method::POST,
                "/tickets",
                &[],
                Some(&fault_ticket().to_string()),
                400,
                "bad-request",
                "Idempotency-Key",
            ),
            (
                Method::POST,
                "/tickets",
                &[("Idempotency-Key", "yesterday")],
                Some(&fault_ticket().to_string()),
                400,
                "bad-request",
                "'yesterday' is not a UUID",
            ),
            (
                Method::POST,
                &changes,
                &[],
                Some("{\"change\": \"start\"}"),
                428,
                "precondition-required",
                "If-Match",
            ),
            (
                Method::POST,
                &changes,
                &[("If-Match", "*")],
                Some("{\"change\": \"start\"}"),
                400,
                "bad-request",
                "If-Match",
            ),
            (
                Method::POST,
                &changes,
                &[("If-Match", "99999999999999999999")],
                Some("{\"change\": \"start\"}"),
                400,
                "bad-request",
                "If-Match",
            ),
            // Other bad input.
            (Method::GET, "/callers", &[], None, 400, "bad-request", "q"),
            (
                Method::GET,
                "/callers?q=an&x=1",
                &[],
                None,
                400,
                "bad-request",
                "unknown field `x`",
            ),
            (
                Method::GET,
                "/tickets/PA-abc",
                &[],
                None,
                400,
                "bad-request",
                "PA-abc",
            ),
            (
                Method::GET,
                "/nowhere",
                &[],
                None,
                404,
                "not-found",
                "/api/v1/nowhere",
            ),
            (
                Method::GET,
                "/api/v2/me",
                &[],
                None,
                404,
                "not-found",
                "/api/v1",
            ),
            (
                Method::DELETE,
                "/tickets/list",
                &[],
                None,
                405,
                "method-not-allowed",
                "/api/v1/tickets/list",
            ),
        ],
    )
    .await;
    // Domain validation stays 422 with the field errors.
    let (s, e) = h.json("op", Method::POST, &changes, None).await;
    assert_eq!(s.as_u16(), 428, "{e}");
    let resp = h
        .req(Some("op"), Method::POST, "/tickets")
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&json!({"kind": "fault", "channel": "phone", "subject": " ", "priority": "p2", "caller_phone": "12"}))
        .send()
        .await
        .unwrap();
    let (s, e) = error_body(resp).await;
    assert_eq!((s.as_u16(), e.code.as_str()), (422, "invalid"));
    let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["subject", "phone"]);
    // A user whose path and body disagree.
    let resp = h
        .req(Some("admin"), Method::PUT, "/users/extra")
        .json(&json!({"name": "other", "display_name": "", "role": "operator", "wards": []}))
        .send()
        .await
        .unwrap();
    let (s, e) = error_body(resp).await;
    assert_eq!((s.as_u16(), e.code.as_str()), (400, "bad-request"));
    assert!(e.message.contains("'extra'"), "{}", e.message);
    // Nothing of this was a server error.
    let metrics = h
        .req(None, Method::GET, "/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!metrics.contains("status=\"5"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_413() {
    let h = TestHub::start().await;
    let mut big = fault_ticket();
    big["description"] = Value::String("x".repeat(300 * 1024));
    let resp = h
        .req(Some("op"), Method::POST, "/tickets")
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&big)
        .send()
        .await
        .unwrap();
    let (s, e) = error_body(resp).await;
    assert_eq!((s.as_u16(), e.code.as_str()), (413, "payload-too-large"));
    assert!(e.message.contains("256 KiB"), "{}", e.message);
    // An import of the same size is fine: its limit is 64 MiB.
    let mut csv = DOSSIERS_CSV.to_string();
    while csv.len() < 300 * 1024 {
        csv.push_str(DOSSIERS_CSV.lines().nth(1).unwrap());
        csv.push('\n');
    }
    let resp = h
        .req(Some("admin"), Method::POST, "/imports/dossiers")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["added"], 2);
}

// ---------------------------------------------------------------------------
// Health, metrics, OpenAPI

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_metrics_answer_without_a_token() {
    let h = TestHub::start().await;
    let resp = h.req(None, Method::GET, "/healthz").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.text().await.unwrap(), "ok");
    h.create_ticket("op", fault_ticket()).await;
    h.create_ticket("sup", fault_ticket()).await;
    h.json("op", Method::GET, "/tickets/1", None).await;
    h.json("bt", Method::GET, "/tickets/1", None).await;
    h.req(None, Method::GET, "/me").send().await.unwrap();
    let resp = h.req(None, Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = resp.text().await.unwrap();
    for line in [
        "hotline_http_requests_total{method=\"POST\",route=\"/api/v1/tickets\",status=\"201\"} 2",
        "hotline_http_requests_total{method=\"GET\",route=\"/api/v1/tickets/{id}\",status=\"200\"} 1",
        "hotline_http_requests_total{method=\"GET\",route=\"/api/v1/tickets/{id}\",status=\"404\"} 1",
        "hotline_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"401\"} 1",
        "hotline_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1",
        "hotline_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/tickets\",status=\"201\"} 2",
        "hotline_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/tickets\",status=\"201\",le=\"+Inf\"} 2",
        "hotline_tickets{status=\"new\"} 2",
        "hotline_tickets{status=\"closed\"} 0",
    ] {
        assert!(text.lines().any(|l| l == line), "no line {line} in\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_served_equals_docs_openapi_json() {
    let h = TestHub::start().await;
    let resp = h
        .req(Some("op"), Method::GET, "/openapi.json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let served = resp.text().await.unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json");
    if std::env::var_os("HOTLINE_WRITE_OPENAPI").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &served).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        served == committed,
        "docs/openapi.json differs from the hub's document: run `HOTLINE_WRITE_OPENAPI=1 cargo test --test hub_server openapi` and commit it"
    );
    let doc: Value = serde_json::from_str(&served).unwrap();
    for path in [
        "/api/v1/tickets",
        "/api/v1/tickets/{id}/changes",
        "/api/v1/imports/dossiers",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    for schema in [
        "Ticket",
        "NewTicket",
        "Change",
        "ErrorBody",
        "Dossier",
        "Event",
        "User",
        "TicketDetail",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
}

// ---------------------------------------------------------------------------
// Shutdown, the hub file, TLS, the command

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_a_request_in_flight_finish_then_frees_the_store() {
    let mut h = TestHub::start().await;
    let hub_file = server::read_hub_file(h.dir.path()).expect("hub.json while serving");
    assert_eq!(hub_file.url, h.hub().url);
    assert_eq!(hub_file.pid, std::process::id());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(h.dir.path().join("hub.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A big import keeps a request busy while the hub is told to stop.
    let mut csv = DOSSIERS_CSV.lines().next().unwrap().to_string() + "\n";
    for n in 0..20_000 {
        csv.push_str(&format!(
            "000.00.01.H29-250812-{n:04},2.000815,Chứng thực,Nguyễn Văn An,0912 345 678,26743,2025-08-12 08:30,2025-08-13,,4,error,none\n"
        ));
    }
    let in_flight = tokio::spawn(
        h.req(Some("admin"), Method::POST, "/imports/dossiers")
            .body(csv)
            .send(),
    );
    h.hub().backend().search.wait_ready().unwrap();
    // The import stores 10,000 rows at a time and answers after the last:
    // some stored and not all means the request is in flight.
    let store = h.hub().backend().store.clone();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let stored = store.dossier_count().unwrap();
        assert!(
            stored < 20_000,
            "the import finished before the hub was stopped"
        );
        if stored > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the import never started"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    drop(store);
    h.stop().await;
    let resp = in_flight.await.unwrap().unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["rows"], 20_000);
    assert!(
        server::read_hub_file(h.dir.path()).is_none(),
        "hub.json left behind"
    );
    // New connections are refused; the store opens again, with the import in it.
    let refused = reqwest::Client::new()
        .get(format!("{}/me", h.base))
        .send()
        .await;
    assert!(refused.is_err());
    let store = reopen(h.dir.path());
    assert!(store
        .dossier("000.00.01.H29-250812-19999")
        .unwrap()
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_creates_all_land() {
    let h = TestHub::start().await;
    let mut tasks = Vec::new();
    for n in 0..50 {
        let r = h
            .req(
                Some(if n % 2 == 0 { "op" } else { "sup" }),
                Method::POST,
                "/tickets",
            )
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&fault_ticket());
        tasks.push(tokio::spawn(r.send()));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().status(), StatusCode::CREATED);
    }
    let store = &h.hub().backend().store;
    assert_eq!(store.ticket_count().unwrap(), 50);
    // They shared fsyncs: fewer syncs than writes (users and tokens took some).
    assert!(
        store.durable_syncs() < 50 + 2 * USERS.len() as u64,
        "{}",
        store.durable_syncs()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_speaks_tls_with_a_certificate_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = make_store(dir.path());
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hub_tls");
    let mut config = ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap());
    config.tls = Some(server::TlsFiles {
        cert: fixtures.join("cert.pem"),
        key: fixtures.join("key.pem"),
    });
    let hub = spawn_hub(config).await;
    assert!(hub.url.starts_with("https://127.0.0.1:"), "{}", hub.url);
    let cert =
        reqwest::Certificate::from_pem(&std::fs::read(fixtures.join("cert.pem")).unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(cert)
        .build()
        .unwrap();
    let me: Value = client
        .get(format!("{}/api/v1/me", hub.url))
        .bearer_auth(&tokens["op"])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "op");
    // Plain HTTP to the TLS port gets nothing.
    let plain = reqwest::Client::new()
        .get(format!("{}/healthz", hub.url.replace("https", "http")))
        .send()
        .await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
    hub.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_never_makes_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServeConfig::new(dir.path().join("nothing"), "127.0.0.1:0".parse().unwrap());
    let err = server::spawn(config)
        .await
        .err()
        .expect("a hub over no store");
    assert!(err.to_string().contains("no store at"), "{err}");
    assert!(!dir.path().join("nothing").exists());
}

fn hotline() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_hotline"));
    let home = tempfile::tempdir().unwrap().keep();
    c.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("HOTLINE_DATA")
        .env_remove("HOTLINE_USER");
    c
}

#[test]
fn hotline_serve_refuses_plain_http_beyond_loopback_without_insecure() {
    let dir = tempfile::tempdir().unwrap();
    make_store(dir.path());
    let out = hotline()
        .args(["serve", "--listen", "0.0.0.0:0", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing to serve plain HTTP on 0.0.0.0:0"),
        "{stderr}"
    );
    assert!(stderr.contains("--insecure"), "{stderr}");
    assert!(!dir.path().join("hub.json").exists());
}

#[cfg(unix)]
#[test]
fn hotline_serve_prints_its_url_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let tokens = make_store(dir.path());
    let mut child = hotline()
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let prefix = format!(
        "hotline hub serving {} at http://127.0.0.1:",
        dir.path().display()
    );
    assert!(line.starts_with(&prefix), "{line}");
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert_eq!(server::read_hub_file(dir.path()).unwrap().url, url);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let name: Value = rt.block_on(async {
        reqwest::Client::new()
            .get(format!("{url}/api/v1/me"))
            .bearer_auth(&tokens["admin"])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(name["name"], "admin");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
    assert!(!dir.path().join("hub.json").exists());
    reopen(dir.path());
}
