//! Crash harness: every change the product acknowledged survives `kill -9`
//! at any moment, including while the store opens, and the store's trees
//! stay consistent with each other.
//!
//! A child process (this test binary re-run with an env var) opens a store
//! and writes a seeded random mix of ticket creates, comments, status
//! transitions, edits, assignments, dossier links and dossier imports
//! through `LocalApi`, as the product does. Before each call it prints
//! `TRY …`; after the call returned OK it prints `ACK …` with what was
//! acknowledged. The parent SIGKILLs it at a random moment, reopens the
//! store and checks it with code of its own (raw sled trees, keys computed
//! here from the tickets' fields), never with the writer's helpers:
//! the acknowledged state is there exactly, plus at most the one call that
//! was in flight, applied whole or not at all.
//!
//! Normal run: 12 kills. Long run:
//! `HOTLINE_CRASH_ROUNDS=1000 cargo test --release --test crash -- --nocapture`
//! (`HOTLINE_CRASH_SEED=N` replays a run).

mod support;

use hotline::api::local::open_store;
use hotline::api::{HotlineApi, LocalApi};
use hotline::domain::{
    system_clock, Change, Dossier, EscalationRequest, Event, EventKind, FaultType, Kind, NewTicket,
    Priority, Role, Status, Ticket, TicketEdit, User,
};
use hotline::store::codec::decode;
use hotline::store::{IfMissing, Store};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};
use uuid::Uuid;

const CHILD_DIR_ENV: &str = "HOTLINE_CRASH_CHILD_DIR";
const CHILD_SEED_ENV: &str = "HOTLINE_CRASH_CHILD_SEED";
const CHILD_RETRY_ENV: &str = "HOTLINE_CRASH_CHILD_RETRY";

const ADMIN: &str = "admin";
const OPERATOR: &str = "op";
const RESPONDER: &str = "resp";
/// Bến Thành and Sài Gòn: the responder's wards.
const COVERED_WARDS: [u32; 2] = [26743, 26740];
/// Thủ Dầu Một: a ward nobody in this store responds for.
const OTHER_WARD: u32 = 25747;
const WARDS: [u32; 3] = [COVERED_WARDS[0], COVERED_WARDS[1], OTHER_WARD];

/// Rounds on one store directory before the run starts a fresh one, so a
/// long run also kills stores that are new and still being created.
const ROUNDS_PER_STORE: usize = 100;

// ---------------------------------------------------------------------------
// Child side: the writer and the open/close loop.
// ---------------------------------------------------------------------------

fn say(line: &str) {
    // Line-buffered: one write per line, so a kill never splits a short line.
    println!("{line}");
}

/// Runs only inside a child process the real test starts.
#[test]
fn child_writer() {
    let Some(dir) = std::env::var_os(CHILD_DIR_ENV) else {
        return;
    };
    let seed: u64 = std::env::var(CHILD_SEED_ENV).unwrap().parse().unwrap();
    let retry = std::env::var(CHILD_RETRY_ENV)
        .ok()
        .map(|r| Uuid::parse_str(&r).unwrap());
    let mut writer = Writer::open(Path::new(&dir), seed);
    if let Some(request_id) = retry {
        // The user saw no answer and presses save again: same request id.
        writer.create(request_id);
    }
    loop {
        writer.step();
    }
}

/// Runs only inside a child process: opens and closes the store until
/// killed (sled writes a snapshot on every open).
#[test]
fn child_open_loop() {
    let Some(dir) = std::env::var_os(CHILD_DIR_ENV) else {
        return;
    };
    loop {
        say("OPENING");
        let store = open_store(Path::new(&dir), false, IfMissing::Create).unwrap();
        say("OPENED");
        drop(store);
        say("CLOSED");
    }
}

/// A change the writer picked: what to call it in the `ACK` line, a detail
/// for the line, who makes it, and the change.
type Chosen = (&'static str, String, Role, Change);

struct Writer {
    rt: tokio::runtime::Runtime,
    admin: LocalApi,
    op: LocalApi,
    resp: LocalApi,
    rng: fastrand::Rng,
    /// Every ticket as last acknowledged (or as found on open).
    tickets: BTreeMap<u64, Ticket>,
    dossiers: Vec<String>,
}

impl Writer {
    fn open(dir: &Path, seed: u64) -> Writer {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        say("OPENING");
        let admin = LocalApi::open(dir, Some(ADMIN), system_clock(), false, IfMissing::Create)
            .unwrap_or_else(|e| fail(&format!("open: {e:#}")));
        say("OPENED");
        ensure_users(&rt, &admin);
        let op = admin.as_user(OPERATOR).unwrap();
        let resp = admin.as_user(RESPONDER).unwrap();
        let store = &admin.backend().store;
        let tickets = store
            .all_tickets()
            .map(|t| t.map(|t| (t.id.0, t)))
            .collect::<Result<_, _>>()
            .unwrap();
        let dossiers = store
            .all_dossiers()
            .map(|d| d.map(|d| d.code))
            .collect::<Result<_, _>>()
            .unwrap();
        Writer {
            rt,
            admin,
            op,
            resp,
            rng: fastrand::Rng::with_seed(seed),
            tickets,
            dossiers,
        }
    }

    fn step(&mut self) {
        let roll = self.rng.u32(0..100);
        if self.tickets.is_empty() || roll < 22 {
            let request_id = Uuid::from_u128(self.rng.u128(..));
            return self.create(request_id);
        }
        if roll >= 92 {
            return self.import();
        }
        let id = *self
            .tickets
            .keys()
            .nth(self.rng.usize(..self.tickets.len()))
            .unwrap();
        let ticket = self.tickets[&id].clone();
        let chosen = match roll {
            22..=43 => Some(self.comment(&ticket)),
            44..=73 => self.transition(&ticket),
            74..=81 => self.edit(&ticket),
            82..=87 => Some(self.assign()),
            _ => self.link(&ticket),
        };
        if let Some((what, detail, actor, change)) = chosen {
            self.apply(&ticket, what, &detail, actor, change);
        }
    }

    fn create(&mut self, request_id: Uuid) {
        let new = self.new_ticket();
        say(&format!("TRY create {request_id}"));
        let t = self
            .rt
            .block_on(self.op.create_ticket(request_id, new))
            .unwrap_or_else(|e| fail(&format!("create: {e}")));
        say(&format!(
            "ACK create {} {} {request_id} {}",
            t.id.0,
            t.version,
            serde_json::to_string(&t).unwrap()
        ));
        self.tickets.insert(t.id.0, t);
    }

    fn new_ticket(&mut self) -> NewTicket {
        let kinds = [
            Kind::Question,
            Kind::Complaint,
            Kind::Suggestion,
            Kind::Fault,
        ];
        let n = self.rng.u32(..1_000_000);
        let mut new = NewTicket::new(
            kinds[self.rng.usize(..kinds.len())],
            &format!("Phản ánh thử nghiệm số {n}"),
        );
        new.priority = self.priority();
        if self.rng.bool() {
            new.caller_phone = self.phone();
            new.caller_name = "Nguyễn Văn An".into();
        }
        if self.rng.u8(..3) > 0 {
            new.ward = Some(WARDS[self.rng.usize(..WARDS.len())]);
        }
        if self.rng.u8(..3) == 0 {
            let n = 1 + self.rng.usize(..2);
            new.dossiers = self.dossier_codes(n);
        }
        new
    }

    fn comment(&mut self, t: &Ticket) -> Chosen {
        let text = format!("ghi-chu-{}-{}", t.id.0, self.rng.u32(..1_000_000));
        let actor = if self.responder_sees(t) && self.rng.bool() {
            Role::Responder
        } else {
            Role::Operator
        };
        // The comment is the ticket's next event.
        let detail = format!("{}:{text}", t.events);
        (
            "comment",
            detail,
            actor,
            Change::Comment { text: text.clone() },
        )
    }

    fn transition(&mut self, t: &Ticket) -> Option<Chosen> {
        let note = || "ghi chú".to_string();
        let mut options: Vec<(Role, Change)> = Vec::new();
        match t.status {
            Status::New | Status::WaitingOnCitizen => {
                options.push((Role::Operator, Change::Start));
                options.push((Role::Operator, self.escalation()));
                options.push((Role::Operator, Change::Resolve { note: note() }));
            }
            Status::InProgress => {
                options.push((Role::Operator, Change::Wait { note: None }));
                options.push((Role::Operator, self.escalation()));
                options.push((Role::Operator, Change::Resolve { note: note() }));
            }
            Status::Escalated if self.responder_sees(t) => {
                options.push((Role::Responder, Change::Ack { note: None }));
                options.push((Role::Responder, Change::Return { note: note() }));
            }
            Status::Acknowledged if self.responder_sees(t) => {
                options.push((Role::Responder, Change::Resolve { note: note() }));
                options.push((Role::Responder, Change::Return { note: note() }));
            }
            Status::Resolved => {
                options.push((Role::Operator, Change::Close));
                options.push((Role::Operator, Change::Reopen { reason: note() }));
            }
            Status::Closed => options.push((Role::Operator, Change::Reopen { reason: note() })),
            _ => {}
        }
        if options.is_empty() {
            return None;
        }
        let (actor, change) = options.swap_remove(self.rng.usize(..options.len()));
        let action = change.action().unwrap().slug().to_string();
        Some(("status", action, actor, change))
    }

    fn edit(&mut self, t: &Ticket) -> Option<Chosen> {
        if !t.is_open() {
            return None;
        }
        let mut edit = TicketEdit {
            subject: Some(format!("Đã sửa {}", self.rng.u32(..1000))),
            ..TicketEdit::default()
        };
        if self.rng.bool() {
            edit.priority = Some(self.priority());
        }
        if self.rng.bool() {
            edit.ward = Some(WARDS[self.rng.usize(..WARDS.len())]);
        }
        if self.rng.bool() {
            edit.caller_phone = Some(if self.rng.bool() {
                self.phone()
            } else {
                String::new()
            });
        }
        if self.rng.u8(..3) == 0 {
            let n = self.rng.usize(..3);
            edit.dossiers = Some(self.dossier_codes(n));
        }
        Some(("edit", "-".into(), Role::Operator, Change::Edit(edit)))
    }

    fn assign(&mut self) -> Chosen {
        let to = self.rng.bool().then(|| OPERATOR.to_string());
        ("assign", "-".into(), Role::Operator, Change::Assign { to })
    }

    fn link(&mut self, t: &Ticket) -> Option<Chosen> {
        let code = self.dossier_codes(1).pop()?;
        if t.dossiers.contains(&code) || t.dossiers.len() >= 10 {
            return None;
        }
        Some((
            "link",
            code.clone(),
            Role::Operator,
            Change::LinkDossier { code },
        ))
    }

    fn apply(&mut self, before: &Ticket, what: &str, detail: &str, actor: Role, change: Change) {
        let api = match actor {
            Role::Responder => &self.resp,
            _ => &self.op,
        };
        let id = before.id;
        say(&format!("TRY update {} {}", id.0, before.version));
        let t = self
            .rt
            .block_on(api.apply(id, before.version, change.clone()))
            .unwrap_or_else(|e| fail(&format!("{what} {id} {change:?}: {e}")));
        say(&format!(
            "ACK {what} {} {} {detail} {}",
            id.0,
            t.version,
            serde_json::to_string(&t).unwrap()
        ));
        self.tickets.insert(id.0, t);
    }

    /// A small export batch, as CSV or JSON lines.
    fn import(&mut self) {
        let rows: Vec<(String, String)> = (0..1 + self.rng.usize(..4))
            .map(|_| {
                let phone = if self.rng.bool() {
                    self.phone()
                } else {
                    String::new()
                };
                (self.fresh_dossier_code(), phone)
            })
            .collect();
        let bytes = if self.rng.bool() {
            dossier_csv(&rows)
        } else {
            dossier_json_lines(&rows)
        };
        let codes: Vec<&str> = rows.iter().map(|(c, _)| c.as_str()).collect();
        say(&format!("TRY import {}", codes.join(",")));
        let report = self
            .rt
            .block_on(self.admin.import_dossiers(bytes))
            .unwrap_or_else(|e| fail(&format!("import: {e}")));
        if !report.errors.is_empty() {
            fail(&format!("import rejected rows: {:?}", report.errors));
        }
        let acked: Vec<String> = rows
            .iter()
            .map(|(code, phone)| format!("{code}={}", if phone.is_empty() { "-" } else { phone }))
            .collect();
        say(&format!("ACK dossiers {}", acked.join(",")));
        self.dossiers.extend(rows.into_iter().map(|(c, _)| c));
    }

    fn responder_sees(&self, t: &Ticket) -> bool {
        t.escalation
            .as_ref()
            .is_some_and(|e| COVERED_WARDS.contains(&e.ward))
    }

    fn escalation(&mut self) -> Change {
        // One in ten goes to a ward nobody here responds for: it stays put.
        let ward = if self.rng.u8(..10) == 0 {
            OTHER_WARD
        } else {
            COVERED_WARDS[self.rng.usize(..2)]
        };
        Change::Escalate(EscalationRequest {
            ward,
            fault: FaultType::ALL[self.rng.usize(..FaultType::ALL.len())],
            level: 1 + self.rng.u8(..2),
            severity: self.priority(),
            note: None,
        })
    }

    fn priority(&mut self) -> Priority {
        [Priority::P1, Priority::P2, Priority::P3, Priority::P4][self.rng.usize(..4)]
    }

    fn phone(&mut self) -> String {
        // A handful of callers, so the phone index has shared prefixes.
        format!("09{:08}", self.rng.u32(..6) * 1_111_111)
    }

    /// Imported codes mostly, sometimes codes the store has never seen.
    fn dossier_codes(&mut self, n: usize) -> Vec<String> {
        let mut codes = Vec::new();
        for _ in 0..n {
            let code = if !self.dossiers.is_empty() && self.rng.u8(..4) > 0 {
                self.dossiers[self.rng.usize(..self.dossiers.len())].clone()
            } else {
                self.fresh_dossier_code()
            };
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        codes
    }

    fn fresh_dossier_code(&mut self) -> String {
        format!(
            "000.00.{:02}.H29-25{:02}{:02}-{:06}",
            self.rng.u8(10..100),
            self.rng.u8(1..13),
            self.rng.u8(1..29),
            self.rng.u32(..1_000_000)
        )
    }
}

fn ensure_users(rt: &tokio::runtime::Runtime, admin: &LocalApi) {
    let users = [
        (ADMIN, Role::Admin, vec![]),
        (OPERATOR, Role::Operator, vec![]),
        (RESPONDER, Role::Responder, COVERED_WARDS.to_vec()),
    ];
    for (name, role, wards) in users {
        if admin.backend().store.user(name).unwrap().is_some() {
            continue;
        }
        let user = User {
            name: name.into(),
            display_name: name.into(),
            role,
            wards,
        };
        say(&format!("TRY user {name}"));
        rt.block_on(admin.put_user(user))
            .unwrap_or_else(|e| fail(&format!("add user {name}: {e}")));
        say(&format!("ACK user {name}"));
    }
}

fn dossier_csv(rows: &[(String, String)]) -> Vec<u8> {
    let mut out = String::from(
        "code,procedure_code,procedure_name,applicant_name,applicant_phone,ward_code,\
         received_at,due_at,finished_at,status,sync,payment\n",
    );
    for (code, phone) in rows {
        out.push_str(&format!(
            "{code},1.001193,Đăng ký khai sinh,Trần Thị Bích,{phone},26743,\
             2025-08-12 08:30,2025-08-20,,4,synced,none\n"
        ));
    }
    out.into_bytes()
}

fn dossier_json_lines(rows: &[(String, String)]) -> Vec<u8> {
    let mut out = String::new();
    for (code, phone) in rows {
        let row = serde_json::json!({
            "code": code, "procedure_code": "1.004222", "procedure_name": "Đăng ký thường trú",
            "applicant_name": "Lê Hoàng Nam", "applicant_phone": phone, "ward_code": "26740",
            "received_at": "2025-09-01T08:00:00+07:00", "due_at": "2025-09-10",
            "finished_at": "", "status": "4", "sync": "pending", "payment": "none",
        });
        out.push_str(&row.to_string());
        out.push('\n');
    }
    out.into_bytes()
}

/// An error in the child: said on stdout for the parent, then a non-zero exit.
fn fail(message: &str) -> ! {
    say(&format!("ERR {message}"));
    std::process::exit(3);
}

// ---------------------------------------------------------------------------
// What the parent expects: the acknowledged state, kept by the parent itself.
// ---------------------------------------------------------------------------

/// One call the child started and had not acknowledged when it died.
#[derive(Debug, Clone, PartialEq)]
enum InFlight {
    Create(Uuid),
    Update { id: u64, version: u64 },
    Import(Vec<String>),
    User(String),
}

#[derive(Default)]
struct Expected {
    tickets: BTreeMap<u64, Ticket>,
    request_ids: HashMap<Uuid, u64>,
    /// Code → applicant phone.
    dossiers: BTreeMap<String, Option<String>>,
    users: BTreeSet<String>,
    /// (ticket, event seq, text) of every acknowledged comment.
    comments: Vec<(u64, u32, String)>,
}

/// What one child said, read after it died.
#[derive(Default)]
struct Transcript {
    acks: usize,
    in_flight: Option<InFlight>,
    opened: bool,
    /// The last `OPENING` had no `OPENED` after it.
    opening: bool,
    error: Option<String>,
    acked_creates: Vec<Uuid>,
}

impl Expected {
    /// Applies the child's lines in order; panics on an acknowledgement that
    /// contradicts an earlier one (a request id answered with two tickets).
    fn read(&mut self, lines: &[String]) -> Transcript {
        let mut tr = Transcript::default();
        for (i, line) in lines.iter().enumerate() {
            let last = i + 1 == lines.len();
            let mut words = line.splitn(2, ' ');
            let (head, rest) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
            match head {
                "OPENING" => tr.opening = true,
                "OPENED" => {
                    tr.opening = false;
                    tr.opened = true;
                }
                "CLOSED" => {}
                "ERR" => tr.error = Some(rest.to_string()),
                "TRY" => tr.in_flight = Some(parse_try(rest)),
                "ACK" => match self.ack(rest) {
                    Ok(()) => {
                        if let Some(InFlight::Create(rid)) = &tr.in_flight {
                            tr.acked_creates.push(*rid);
                        }
                        tr.acks += 1;
                        tr.in_flight = None;
                    }
                    // Cut short by the kill: not acknowledged to anyone.
                    Err(_) if last => {}
                    Err(e) => panic!("unreadable acknowledgement {line:?}: {e}"),
                },
                _ => {}
            }
        }
        tr
    }

    fn ack(&mut self, rest: &str) -> Result<(), String> {
        let (what, body) = rest.split_once(' ').ok_or("no body")?;
        match what {
            "user" => {
                self.users.insert(body.to_string());
            }
            "dossiers" => {
                for pair in body.split(',') {
                    let (code, phone) = pair.split_once('=').ok_or("no '='")?;
                    let phone = (phone != "-").then(|| phone.to_string());
                    self.dossiers.insert(code.to_string(), phone);
                }
            }
            _ => {
                let mut parts = body.splitn(4, ' ');
                let mut next = || parts.next().ok_or("short line");
                let id: u64 = next()?.parse().map_err(|_| "id")?;
                let version: u64 = next()?.parse().map_err(|_| "version")?;
                let detail = next()?.to_string();
                let ticket: Ticket = serde_json::from_str(next()?).map_err(|e| e.to_string())?;
                if ticket.id.0 != id || ticket.version != version {
                    return Err("ticket does not match its line".into());
                }
                if what == "create" {
                    let request_id = Uuid::parse_str(&detail).map_err(|e| e.to_string())?;
                    if let Some(earlier) = self.request_ids.insert(request_id, id) {
                        assert_eq!(
                            earlier, id,
                            "request {request_id} was answered with ticket {earlier} and later with {id}"
                        );
                    }
                }
                if what == "comment" {
                    let (seq, text) = detail.split_once(':').ok_or("comment detail")?;
                    let seq = seq.parse().map_err(|_| "seq")?;
                    self.comments.push((id, seq, text.to_string()));
                }
                self.tickets.insert(id, ticket);
            }
        }
        Ok(())
    }

    fn ack_count(&self) -> usize {
        self.tickets.len() + self.dossiers.len() + self.users.len()
    }
}

fn parse_try(rest: &str) -> InFlight {
    let words: Vec<&str> = rest.split(' ').collect();
    match words.as_slice() {
        ["create", rid] => InFlight::Create(Uuid::parse_str(rid).unwrap()),
        ["update", id, version] => InFlight::Update {
            id: id.parse().unwrap(),
            version: version.parse().unwrap(),
        },
        ["import", codes] => InFlight::Import(codes.split(',').map(str::to_string).collect()),
        ["user", name] => InFlight::User(name.to_string()),
        _ => panic!("unreadable TRY line {rest:?}"),
    }
}

// ---------------------------------------------------------------------------
// The parent's own reading of the store: raw sled trees, decoded here.
// ---------------------------------------------------------------------------

struct OnDisk {
    tickets: BTreeMap<u64, Ticket>,
    /// Ticket id → event sequence numbers found, in key order.
    event_seqs: BTreeMap<u64, Vec<u32>>,
    events: HashMap<(u64, u32), Event>,
    requests: BTreeMap<Uuid, u64>,
    indexes: BTreeMap<&'static str, BTreeSet<Vec<u8>>>,
    dossiers: BTreeMap<String, Dossier>,
    dossiers_by_phone: BTreeSet<Vec<u8>>,
    users: BTreeSet<String>,
    meta_tickets: u64,
    meta_dossiers: u64,
}

const INDEX_TREES: [&str; 7] = [
    "by_status",
    "by_ward",
    "by_phone",
    "by_dossier",
    "by_due",
    "by_owner",
    "waiting_by_ward",
];

fn read_disk(dir: &Path) -> Result<OnDisk, String> {
    let db = support::raw_sled(dir);
    let tree = |name: &str| db.open_tree(name).unwrap();
    let entries = |name: &str| -> Vec<(Vec<u8>, Vec<u8>)> {
        tree(name)
            .iter()
            .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())).unwrap())
            .collect()
    };
    let be_u64 = |b: &[u8]| u64::from_be_bytes(b.try_into().expect("8-byte key"));
    let mut disk = OnDisk {
        tickets: BTreeMap::new(),
        event_seqs: BTreeMap::new(),
        events: HashMap::new(),
        requests: BTreeMap::new(),
        indexes: BTreeMap::new(),
        dossiers: BTreeMap::new(),
        dossiers_by_phone: BTreeSet::new(),
        users: BTreeSet::new(),
        meta_tickets: 0,
        meta_dossiers: 0,
    };
    for (k, v) in entries("tickets") {
        let t: Ticket = decode(&v).map_err(|e| format!("ticket key {k:?}: {e}"))?;
        if be_u64(&k) != t.id.0 {
            return Err(format!("ticket {} stored under key {}", t.id.0, be_u64(&k)));
        }
        disk.tickets.insert(t.id.0, t);
    }
    for (k, v) in entries("events") {
        let id = be_u64(&k[..8]);
        let seq = u32::from_be_bytes(k[8..].try_into().expect("4-byte seq"));
        let ev: Event = decode(&v).map_err(|e| format!("event {id}/{seq}: {e}"))?;
        disk.event_seqs.entry(id).or_default().push(seq);
        disk.events.insert((id, seq), ev);
    }
    for (k, v) in entries("requests") {
        let rid = Uuid::from_slice(&k).map_err(|e| format!("request key: {e}"))?;
        disk.requests.insert(rid, be_u64(&v));
    }
    for name in INDEX_TREES {
        let keys = entries(name).into_iter().map(|(k, _)| k).collect();
        disk.indexes.insert(name, keys);
    }
    for (k, v) in entries("dossiers") {
        let d: Dossier = decode(&v).map_err(|e| format!("dossier {k:?}: {e}"))?;
        disk.dossiers.insert(d.code.clone(), d);
    }
    disk.dossiers_by_phone = entries("dossiers_by_phone")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for (_, v) in entries("users") {
        let u: User = decode(&v).map_err(|e| format!("user: {e}"))?;
        disk.users.insert(u.name);
    }
    let meta = tree("meta");
    let meta_u64 = |key: &str| meta.get(key).unwrap().map_or(0, |v| be_u64(&v));
    disk.meta_tickets = meta_u64("tickets");
    disk.meta_dossiers = meta_u64("dossiers");
    Ok(disk)
}

/// The on-disk index layout (DESIGN §5), written out here independently:
/// status byte + id; ward (u32 BE) + id; phone + NUL + id; dossier code +
/// NUL + id; for open tickets, due time (i64 with the sign bit flipped) + id,
/// owner + NUL + due time + id, and for those waiting on a ward team, ward +
/// due time + id.
fn expected_index_keys(
    tickets: &BTreeMap<u64, Ticket>,
) -> BTreeMap<&'static str, BTreeSet<Vec<u8>>> {
    let mut out: BTreeMap<&'static str, BTreeSet<Vec<u8>>> =
        INDEX_TREES.iter().map(|n| (*n, BTreeSet::new())).collect();
    for t in tickets.values() {
        let id = t.id.0.to_be_bytes();
        let key = |head: &[u8], sep: &[u8]| [head, sep, &id].concat();
        let status_byte = match t.status {
            Status::New => 0u8,
            Status::InProgress => 1,
            Status::WaitingOnCitizen => 2,
            Status::Escalated => 3,
            Status::Acknowledged => 4,
            Status::Resolved => 5,
            Status::Closed => 6,
            Status::Cancelled => 7,
        };
        out.get_mut("by_status")
            .unwrap()
            .insert(key(&[status_byte], &[]));
        let wards = t.ward.iter().chain(t.escalation.as_ref().map(|e| &e.ward));
        for w in wards {
            out.get_mut("by_ward")
                .unwrap()
                .insert(key(&w.to_be_bytes(), &[]));
        }
        if let Some(p) = &t.caller.phone {
            out.get_mut("by_phone")
                .unwrap()
                .insert(key(p.as_str().as_bytes(), &[0]));
        }
        for d in &t.dossiers {
            out.get_mut("by_dossier")
                .unwrap()
                .insert(key(d.as_bytes(), &[0]));
        }
        let open = !matches!(
            t.status,
            Status::Resolved | Status::Closed | Status::Cancelled
        );
        if open {
            let due = match (&t.escalation, t.status) {
                (Some(e), Status::Escalated) => e.ack_by,
                (Some(e), Status::Acknowledged) => e.resolve_by,
                _ => t.sla.resolve_by,
            };
            let sortable = ((due.0 as u64) ^ (1 << 63)).to_be_bytes();
            out.get_mut("by_due").unwrap().insert(key(&sortable, &[]));
            // Who has it: the assignee, or while the operators work it
            // (not escalated) whoever logged it.
            let owner = match t.status {
                Status::Escalated => None,
                Status::New | Status::InProgress | Status::WaitingOnCitizen => {
                    Some(t.assignee.as_deref().unwrap_or(&t.created_by))
                }
                _ => t.assignee.as_deref(),
            };
            if let Some(name) = owner {
                let head = [name.as_bytes(), &[0], &sortable].concat();
                out.get_mut("by_owner").unwrap().insert(key(&head, &[]));
            }
            if let (Some(e), Status::Escalated | Status::Acknowledged) = (&t.escalation, t.status) {
                let head = [&e.ward.to_be_bytes()[..], &sortable].concat();
                out.get_mut("waiting_by_ward")
                    .unwrap()
                    .insert(key(&head, &[]));
            }
        }
    }
    out
}

/// Every way the store on disk may differ from what was acknowledged.
/// `in_flight` is the one unacknowledged call that may have landed whole.
fn check(disk: &OnDisk, exp: &Expected, in_flight: Option<&InFlight>) -> Vec<String> {
    let mut problems = Vec::new();
    check_tickets(disk, exp, in_flight, &mut problems);
    check_requests(disk, &mut problems);
    check_events(disk, exp, &mut problems);
    let want = expected_index_keys(&disk.tickets);
    for name in INDEX_TREES {
        let (have, want) = (&disk.indexes[name], &want[name]);
        for k in have.difference(want) {
            problems.push(format!("{name} holds a stale entry {k:?}"));
        }
        for k in want.difference(have) {
            problems.push(format!("{name} misses the entry {k:?}"));
        }
    }
    check_dossiers(disk, exp, in_flight, &mut problems);
    for name in &exp.users {
        if !disk.users.contains(name) {
            problems.push(format!("acknowledged user {name} is missing"));
        }
    }
    problems
}

fn check_tickets(
    disk: &OnDisk,
    exp: &Expected,
    in_flight: Option<&InFlight>,
    problems: &mut Vec<String>,
) {
    for (id, want) in &exp.tickets {
        let Some(have) = disk.tickets.get(id) else {
            problems.push(format!("acknowledged ticket {id} is missing"));
            continue;
        };
        if have.request_id != want.request_id {
            problems.push(format!(
                "ticket {id} was overwritten: request {} became {}",
                want.request_id, have.request_id
            ));
        } else if have != want {
            let landed = in_flight
                == Some(&InFlight::Update {
                    id: *id,
                    version: want.version,
                })
                && have.version == want.version + 1;
            if !landed {
                problems.push(format!(
                    "ticket {id} differs from its acknowledged version {} (status {}): \
                     stored version {} status {}",
                    want.version, want.status, have.version, have.status
                ));
            }
        }
    }
    for (id, have) in &disk.tickets {
        if exp.tickets.contains_key(id) {
            continue;
        }
        let landed = in_flight == Some(&InFlight::Create(have.request_id))
            && !exp.request_ids.contains_key(&have.request_id)
            && have.version == 1
            && have.events == 1;
        if !landed {
            problems.push(format!(
                "ticket {id} (request {}) was never acknowledged nor in flight",
                have.request_id
            ));
        }
    }
    let max_id = disk.tickets.keys().last().copied().unwrap_or(0);
    if disk.meta_tickets < max_id {
        problems.push(format!(
            "ticket counter {} is below the highest id {max_id}",
            disk.meta_tickets
        ));
    }
}

/// Each request id maps to exactly one ticket, which carries it.
fn check_requests(disk: &OnDisk, problems: &mut Vec<String>) {
    let mut seen: HashMap<Uuid, u64> = HashMap::new();
    for (id, t) in &disk.tickets {
        if let Some(other) = seen.insert(t.request_id, *id) {
            problems.push(format!(
                "request {} made two tickets: {other} and {id}",
                t.request_id
            ));
        }
        if disk.requests.get(&t.request_id) != Some(id) {
            problems.push(format!(
                "request map has {:?} for ticket {id}'s request {}",
                disk.requests.get(&t.request_id),
                t.request_id
            ));
        }
    }
    if disk.requests.len() != disk.tickets.len() {
        problems.push(format!(
            "{} request ids for {} tickets",
            disk.requests.len(),
            disk.tickets.len()
        ));
    }
}

/// A ticket's timeline holds exactly `events` entries, numbered 0.., and
/// every acknowledged comment is where it was acknowledged.
fn check_events(disk: &OnDisk, exp: &Expected, problems: &mut Vec<String>) {
    for (id, t) in &disk.tickets {
        let seqs = disk.event_seqs.get(id).map_or(&[][..], |s| s.as_slice());
        let want: Vec<u32> = (0..t.events).collect();
        if seqs != want.as_slice() {
            problems.push(format!(
                "ticket {id} counts {} events, its timeline holds {:?}",
                t.events, seqs
            ));
        }
        if let Some(first) = disk.events.get(&(*id, 0)) {
            if first.kind != EventKind::Created {
                problems.push(format!("ticket {id}'s first event is {:?}", first.kind));
            }
        }
    }
    for id in disk.event_seqs.keys() {
        if !disk.tickets.contains_key(id) {
            problems.push(format!("events of a ticket {id} that does not exist"));
        }
    }
    for (id, seq, text) in &exp.comments {
        let ok = matches!(
            disk.events.get(&(*id, *seq)).map(|e| &e.kind),
            Some(EventKind::Commented { text: t }) if t == text
        );
        if !ok {
            problems.push(format!(
                "acknowledged comment {text:?} is not event {seq} of ticket {id}"
            ));
        }
    }
}

fn check_dossiers(
    disk: &OnDisk,
    exp: &Expected,
    in_flight: Option<&InFlight>,
    problems: &mut Vec<String>,
) {
    for (code, phone) in &exp.dossiers {
        match disk.dossiers.get(code) {
            None => problems.push(format!("acknowledged dossier {code} is missing")),
            Some(d) if d.applicant_phone.as_ref().map(|p| p.as_str().to_string()) != *phone => {
                problems.push(format!(
                    "dossier {code} has phone {:?}, acknowledged {phone:?}",
                    d.applicant_phone
                ))
            }
            Some(_) => {}
        }
    }
    let batch: &[String] = match in_flight {
        Some(InFlight::Import(codes)) => codes,
        _ => &[],
    };
    for code in disk.dossiers.keys() {
        if !exp.dossiers.contains_key(code) && !batch.contains(code) {
            problems.push(format!(
                "dossier {code} was never acknowledged nor in flight"
            ));
        }
    }
    let landed = batch
        .iter()
        .filter(|c| disk.dossiers.contains_key(*c) && !exp.dossiers.contains_key(*c))
        .count();
    if landed != 0 && landed != batch.len() {
        problems.push(format!("an import landed in part: {landed} of {batch:?}"));
    }
    let want: BTreeSet<Vec<u8>> = disk
        .dossiers
        .values()
        .filter_map(|d| {
            let p = d.applicant_phone.as_ref()?;
            Some([p.as_str().as_bytes(), &[0], d.code.as_bytes()].concat())
        })
        .collect();
    if want != disk.dossiers_by_phone {
        problems.push(format!(
            "dossier phone index disagrees: stale {:?}, missing {:?}",
            disk.dossiers_by_phone.difference(&want).collect::<Vec<_>>(),
            want.difference(&disk.dossiers_by_phone).collect::<Vec<_>>()
        ));
    }
    if disk.meta_dossiers != disk.dossiers.len() as u64 {
        problems.push(format!(
            "dossier count says {}, the tree holds {}",
            disk.meta_dossiers,
            disk.dossiers.len()
        ));
    }
}

// ---------------------------------------------------------------------------
// The parent: rounds of spawn, kill at a random moment, reopen, check.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum KillPlan {
    /// Within the first milliseconds after spawn, whatever the child is doing.
    Blind(Duration),
    /// At a random point of the store's open, timed from the child's `OPENING`.
    DuringOpen(Duration),
    /// The open/close loop child, after a while.
    OpenLoop(Duration),
    /// While writing: this long after the child's `OPENED`.
    Writing(Duration),
}

#[derive(Default)]
struct Tally {
    rounds: usize,
    kills_before_open: usize,
    kills_during_open: usize,
    kills_after_open: usize,
    acks_checked: usize,
    in_flight_landed: usize,
    in_flight_lost: usize,
    /// Creates sent again after a kill with the request id of the one cut short.
    retried_creates: usize,
    /// Kills that left a `snap.*.generating` file (sled's snapshot cut short).
    unfinished_snapshots: usize,
    stores: usize,
    open_times: Vec<Duration>,
}

struct Round<'a> {
    exe: &'a Path,
    dir: &'a Path,
    seed: u64,
    retry: Option<Uuid>,
}

struct Outcome {
    lines: Vec<String>,
    exited_by_itself: Option<std::process::ExitStatus>,
    open_time: Option<Duration>,
}

fn spawn_child(round: &Round, open_loop: bool) -> Child {
    let name = if open_loop {
        "child_open_loop"
    } else {
        "child_writer"
    };
    let mut cmd = Command::new(round.exe);
    cmd.args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR_ENV, round.dir)
        .env(CHILD_SEED_ENV, round.seed.to_string())
        .env_remove(CHILD_RETRY_ENV)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(rid) = round.retry {
        cmd.env(CHILD_RETRY_ENV, rid.to_string());
    }
    cmd.spawn().unwrap()
}

/// Lines from the child with the moment each arrived.
fn read_lines(child: &mut Child) -> (Receiver<(Instant, String)>, std::thread::JoinHandle<()>) {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // The test harness's "test child_writer ... " shares the first line.
            let line = match line.strip_prefix("test child_") {
                Some(rest) => rest.split_once(" ... ").map_or("", |(_, l)| l).to_string(),
                None => line,
            };
            let _ = tx.send((Instant::now(), line));
        }
    });
    (rx, reader)
}

fn run_child(round: &Round, plan: KillPlan) -> Outcome {
    let mut child = spawn_child(round, matches!(plan, KillPlan::OpenLoop(_)));
    let spawned = Instant::now();
    let (rx, reader) = read_lines(&mut child);
    let mut lines = Vec::new();
    let mut opening_at = None;
    let mut open_time = None;
    let mut opened_at = None;
    let limit = Instant::now() + Duration::from_secs(60);
    let exited_by_itself = loop {
        let now = Instant::now();
        let kill_at = match plan {
            KillPlan::Blind(d) | KillPlan::OpenLoop(d) => Some(spawned + d),
            KillPlan::DuringOpen(d) => opening_at.map(|t: Instant| t + d),
            KillPlan::Writing(d) => opened_at.map(|t: Instant| t + d),
        };
        if kill_at.is_some_and(|at| now >= at) {
            break None;
        }
        assert!(
            now < limit,
            "the child never reached its kill point: {lines:?}"
        );
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        let wait = kill_at.map_or(Duration::from_millis(5), |at| {
            at.saturating_duration_since(now)
        });
        match rx.recv_timeout(wait.min(Duration::from_millis(5))) {
            Ok((at, line)) => {
                if line == "OPENING" && opening_at.is_none() {
                    opening_at = Some(at);
                }
                if line == "OPENED" && opened_at.is_none() {
                    opened_at = Some(at);
                    open_time = opening_at.map(|o| at - o);
                }
                lines.push(line);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(Duration::from_millis(1)),
        }
    };
    let _ = child.kill(); // SIGKILL
    child.wait().unwrap();
    reader.join().unwrap();
    lines.extend(rx.try_iter().map(|(_, l)| l));
    Outcome {
        lines,
        exited_by_itself,
        open_time,
    }
}

/// The first four rounds of a store try each kind of kill once; then chance.
fn choose_plan(rng: &mut fastrand::Rng, round: usize, open_estimate: Duration) -> KillPlan {
    let span = open_estimate.as_micros().max(1000) as u64;
    let us = |rng: &mut fastrand::Rng, lo: u64, hi: u64| Duration::from_micros(rng.u64(lo..hi));
    let kind = match round % ROUNDS_PER_STORE {
        0 => 0,
        1 => 3,
        2 => 7,
        3 => 10,
        _ => rng.u8(..20),
    };
    match kind {
        0..=2 => KillPlan::Blind(us(rng, 0, 40_000)),
        3..=6 => KillPlan::DuringOpen(us(rng, 0, span)),
        7..=9 => KillPlan::OpenLoop(us(rng, 20_000, 400_000)),
        _ => KillPlan::Writing(us(rng, 5_000, 500_000)),
    }
}

/// Reopens the store as the product does, then checks it with the parent's
/// own reading; on success the store's state becomes the expected one.
fn verify(dir: &Path, exp: &mut Expected, tr: &Transcript) -> Result<(), String> {
    if !Store::exists(dir) {
        return if exp.ack_count() == 0 {
            Ok(())
        } else {
            Err("the store directory lost its files".into())
        };
    }
    let store = Store::open_existing(dir).map_err(|e| format!("the store does not open: {e}"))?;
    drop(store);
    let disk = read_disk(dir)?;
    let problems = check(&disk, exp, tr.in_flight.as_ref());
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    exp.tickets = disk.tickets;
    exp.request_ids = disk.requests.into_iter().collect();
    exp.dossiers = disk
        .dossiers
        .into_iter()
        .map(|(code, d)| (code, d.applicant_phone.map(|p| p.as_str().to_string())))
        .collect();
    exp.users = disk.users;
    Ok(())
}

fn rounds_wanted() -> usize {
    std::env::var("HOTLINE_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(12)
}

/// One round: a child, a kill, a reopen and the checks.
fn play_round(
    r: &Round,
    plan: KillPlan,
    exp: &mut Expected,
    tally: &mut Tally,
) -> Result<Transcript, (String, Vec<String>)> {
    let out = run_child(r, plan);
    let tr = exp.read(&out.lines);
    let fail = |why: String| Err((why, out.lines.clone()));
    if let Some(e) = &tr.error {
        return fail(format!("the child failed: {e}"));
    }
    if let Some(status) = out.exited_by_itself {
        return fail(format!("the child exited by itself ({status})"));
    }
    if unfinished_snapshots(r.dir) > 0 {
        tally.unfinished_snapshots += 1;
    }
    if let Err(why) = verify(r.dir, exp, &tr) {
        return fail(why);
    }
    if let Some(t) = out.open_time {
        tally.open_times.push(t);
    }
    tally.rounds += 1;
    tally.acks_checked += tr.acks;
    if tr.opening {
        tally.kills_during_open += 1;
    } else if tr.opened {
        tally.kills_after_open += 1;
    } else {
        tally.kills_before_open += 1;
    }
    match &tr.in_flight {
        Some(call) if landed(call, exp) => tally.in_flight_landed += 1,
        Some(_) => tally.in_flight_lost += 1,
        None => {}
    }
    Ok(tr)
}

/// Whether an unacknowledged call is in the store (after `verify` adopted it).
fn landed(call: &InFlight, exp: &Expected) -> bool {
    match call {
        InFlight::Create(rid) => exp.request_ids.contains_key(rid),
        InFlight::Update { id, version } => {
            exp.tickets.get(id).is_some_and(|t| t.version > *version)
        }
        InFlight::Import(codes) => codes.iter().all(|c| exp.dossiers.contains_key(c)),
        InFlight::User(name) => exp.users.contains(name),
    }
}

#[test]
fn acknowledged_changes_survive_sigkill_at_any_moment() {
    if std::env::var_os(CHILD_DIR_ENV).is_some() {
        return;
    }
    let rounds = rounds_wanted();
    let seed = std::env::var("HOTLINE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    println!("crash harness: {rounds} rounds, HOTLINE_CRASH_SEED={seed}");
    let exe = std::env::current_exe().unwrap();
    let mut rng = fastrand::Rng::with_seed(seed);
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut store_dir = tempfile::tempdir().unwrap();
    let mut exp = Expected::default();
    let mut retry: Option<Uuid> = None;
    for round in 0..rounds {
        if round > 0 && round % ROUNDS_PER_STORE == 0 {
            store_dir = tempfile::tempdir().unwrap();
            exp = Expected::default();
            retry = None;
        }
        if round % ROUNDS_PER_STORE == 0 {
            tally.stores += 1;
        }
        let plan = choose_plan(&mut rng, round, typical_open(&tally.open_times));
        let r = Round {
            exe: &exe,
            dir: store_dir.path(),
            seed: rng.u64(..),
            retry,
        };
        match play_round(&r, plan, &mut exp, &mut tally) {
            Ok(tr) => {
                if retry.is_some_and(|rid| tr.acked_creates.contains(&rid)) {
                    tally.retried_creates += 1;
                }
                retry = next_retry(retry, &tr);
            }
            Err((why, lines)) => {
                let kept: PathBuf = store_dir.keep();
                panic!(
                    "round {round} ({plan:?}, HOTLINE_CRASH_SEED={seed}): {why}\n\
                     store kept at {}\nthe child's last lines: {:#?}",
                    kept.display(),
                    &lines[lines.len().saturating_sub(6)..]
                );
            }
        }
    }
    print_summary(&tally, started.elapsed());
    assert!(
        tally.acks_checked > 0,
        "no child ever acknowledged a change"
    );
}

/// A create the child died in is sent again with the same request id by the
/// next writer, as a user pressing save again would; it must not make a
/// second ticket.
fn next_retry(pending: Option<Uuid>, tr: &Transcript) -> Option<Uuid> {
    match &tr.in_flight {
        Some(InFlight::Create(rid)) => Some(*rid),
        _ if pending.is_some_and(|rid| tr.acked_creates.contains(&rid)) => None,
        _ => pending,
    }
}

fn unfinished_snapshots(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".generating"))
            .count()
    })
}

fn typical_open(times: &[Duration]) -> Duration {
    let recent = &times[times.len().saturating_sub(10)..];
    recent
        .iter()
        .max()
        .copied()
        .unwrap_or(Duration::from_millis(30))
}

fn print_summary(t: &Tally, took: Duration) {
    println!(
        "crash harness: {} rounds on {} stores in {:.1} s; kills before open {}, during open {}, \
         after open {}; kills that left an unfinished sled snapshot {}; acknowledged changes \
         checked {}; in-flight calls found applied {} / not applied {}; creates retried with the \
         request id of one cut short {}; losses 0",
        t.rounds,
        t.stores,
        took.as_secs_f64(),
        t.kills_before_open,
        t.kills_during_open,
        t.kills_after_open,
        t.unfinished_snapshots,
        t.acks_checked,
        t.in_flight_landed,
        t.in_flight_lost,
        t.retried_creates,
    );
}

/// The checker itself must see a lost acknowledgement, a stale index entry
/// and a missing event: a harness that cannot fail proves nothing.
#[test]
fn the_checker_sees_lost_and_inconsistent_data() {
    if std::env::var_os(CHILD_DIR_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut new = NewTicket::new(Kind::Complaint, "Đèn đường hỏng");
    new.caller_phone = "0912345678".into();
    let (t, _) = store
        .create_ticket(
            Uuid::from_u128(7),
            &new,
            OPERATOR,
            hotline::domain::Ts(1_763_600_000),
        )
        .unwrap();
    drop(store);
    let mut exp = Expected::default();
    exp.tickets.insert(t.id.0, t.clone());
    let disk = read_disk(dir.path()).unwrap();
    assert_eq!(check(&disk, &exp, None), Vec::<String>::new());

    let mut lost = t.clone();
    lost.id.0 = 99;
    exp.tickets.insert(99, lost);
    let problems = check(&disk, &exp, None).join("\n");
    assert!(
        problems.contains("acknowledged ticket 99 is missing"),
        "{problems}"
    );
    exp.tickets.remove(&99);

    {
        let db = support::raw_sled(dir.path());
        let id = t.id.0.to_be_bytes();
        db.open_tree("by_status")
            .unwrap()
            .insert([&[5u8][..], &id].concat(), &[])
            .unwrap();
        db.open_tree("events")
            .unwrap()
            .remove([&id[..], &0u32.to_be_bytes()].concat())
            .unwrap();
        db.flush().unwrap();
    }
    let problems = check(&read_disk(dir.path()).unwrap(), &exp, None).join("\n");
    assert!(
        problems.contains("by_status holds a stale entry"),
        "{problems}"
    );
    assert!(
        problems.contains("counts 1 events, its timeline holds []"),
        "{problems}"
    );
}
