//! Live updates through a real hub on 127.0.0.1:0: server-sent events read
//! with reqwest reach only the users allowed to see each ticket, a
//! reconnect with `Last-Event-ID` catches up, and `RemoteApi::subscribe`
//! follows the hub across a restart by itself.

mod hub_common;

use hotline::api::live::LiveUpdate;
use hotline::api::sse::{SseEvent, SseParser};
use hotline::api::{HotlineApi, RemoteApi};
use hotline::domain::{Change, EscalationRequest, FaultType, Kind, NewTicket, Priority, Ticket};
use hotline::server::{self, RunningHub, ServeConfig};
use hub_common::{make_store, team, BEN_THANH, SAI_GON};
use std::collections::BTreeMap;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

async fn spawn_hub(config: ServeConfig) -> RunningHub {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        match server::spawn(config.clone()).await {
            Ok(hub) => return hub,
            Err(e)
                if e.to_string().contains("could not acquire lock")
                    && std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("{e:#}"),
        }
    }
}

/// One user's event stream, read as it arrives.
struct Events {
    response: reqwest::Response,
    parser: SseParser,
    ready: std::collections::VecDeque<SseEvent>,
}

impl Events {
    async fn open(url: &str, token: &str, last_event_id: Option<&str>) -> Events {
        let mut req = reqwest::Client::new()
            .get(format!("{url}/api/v1/events"))
            .bearer_auth(token);
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id);
        }
        let response = req.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        Events {
            response,
            parser: SseParser::default(),
            ready: Default::default(),
        }
    }

    async fn next(&mut self) -> SseEvent {
        loop {
            if let Some(e) = self.ready.pop_front() {
                return e;
            }
            let chunk = tokio::time::timeout(WAIT, self.response.chunk())
                .await
                .expect("an event within 10 s")
                .unwrap()
                .expect("the stream stays open");
            self.ready.extend(self.parser.push(&chunk));
        }
    }

    /// The next event's ticket id, subject and version (a `ticket` event expected).
    async fn next_ticket(&mut self) -> (u64, Ticket) {
        let e = self.next().await;
        assert_eq!(e.event, "ticket", "{e:?}");
        let id = e.id.as_deref().unwrap().parse().unwrap();
        (id, serde_json::from_str(&e.data).unwrap())
    }
}

fn fault(subject: &str, ward: u32) -> NewTicket {
    let mut n = NewTicket::new(Kind::Fault, subject);
    n.caller_name = "Nguyễn Thị Thu Hà".into();
    n.caller_phone = "0912 345 678".into();
    n.ward = Some(ward);
    n.priority = Priority::P2;
    n
}

fn escalate(ward: u32) -> Change {
    Change::Escalate(EscalationRequest {
        ward,
        fault: FaultType::PortalSync,
        level: 1,
        severity: Priority::P2,
        note: None,
    })
}

fn comment(text: &str) -> Change {
    Change::Comment { text: text.into() }
}

async fn escalated(op: &RemoteApi, subject: &str, ward: u32) -> Ticket {
    let t = op
        .create_ticket(uuid::Uuid::now_v7(), fault(subject, ward))
        .await
        .unwrap();
    op.apply(t.id, t.version, escalate(ward)).await.unwrap()
}

struct Setup {
    _dir: tempfile::TempDir,
    hub: RunningHub,
    tokens: BTreeMap<String, String>,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let tokens = make_store(dir.path(), &team());
    let hub = spawn_hub(ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap())).await;
    Setup {
        _dir: dir,
        hub,
        tokens,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_subscriber_gets_only_the_tickets_it_may_see() {
    let s = setup().await;
    let url = s.hub.url.clone();
    let mut bt = Events::open(&url, &s.tokens["bt"], None).await;
    let mut sg = Events::open(&url, &s.tokens["sg"], None).await;
    let mut sup = Events::open(&url, &s.tokens["sup"], None).await;
    let op = RemoteApi::connect(&url, &s.tokens["op"]).await.unwrap();

    let other = escalated(&op, "Sài Gòn: hồ sơ kẹt đồng bộ", SAI_GON).await;
    let own = escalated(&op, "Bến Thành: hồ sơ kẹt đồng bộ", BEN_THANH).await;
    let own = op
        .apply(own.id, own.version, comment("Đã gọi lại"))
        .await
        .unwrap();

    // The supervisor sees every step of both, in order, with growing ids.
    let mut seen = Vec::new();
    for _ in 0..5 {
        seen.push(sup.next_ticket().await);
    }
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "ids grow");
    let steps: Vec<(u64, u64)> = seen.iter().map(|(_, t)| (t.id.0, t.version)).collect();
    assert_eq!(
        steps,
        vec![
            (other.id.0, 1),
            (other.id.0, 2),
            (own.id.0, 1),
            (own.id.0, 2),
            (own.id.0, 3)
        ]
    );
    // Lists mask the caller's phone; so do events.
    assert_ne!(
        seen[0].1.caller.phone.as_ref().unwrap().as_str(),
        "0912345678"
    );

    // Bến Thành's team: its escalation and the comment after, never Sài Gòn's
    // ticket (which came first) nor the tickets before escalation.
    let (_, first) = bt.next_ticket().await;
    assert_eq!((first.id, first.version), (own.id, 2));
    let (_, second) = bt.next_ticket().await;
    assert_eq!((second.id, second.version), (own.id, 3));
    // Sài Gòn's team: only its own.
    let (_, first) = sg.next_ticket().await;
    assert_eq!((first.id, first.version), (other.id, 2));

    // One more change to Sài Gòn's ticket reaches sg and not bt: bt's next
    // event is a later change to its own ticket.
    op.apply(other.id, 2, comment("Phường đã nhận"))
        .await
        .unwrap();
    let own = op
        .apply(own.id, own.version, comment("Nhắc lại"))
        .await
        .unwrap();
    let (_, t) = sg.next_ticket().await;
    assert_eq!((t.id, t.version), (other.id, 3));
    let (_, t) = bt.next_ticket().await;
    assert_eq!((t.id, t.version), (own.id, own.version));

    let metrics = reqwest::get(format!("{url}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.lines().any(|l| l == "hotline_live_subscribers 3"),
        "{metrics}"
    );
    let sent: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("hotline_live_events_sent_total "))
        .unwrap()
        .parse()
        .unwrap();
    // sup 7, bt 3, sg 2.
    assert_eq!(sent, 12);
    drop((bt, sg, sup));
    s.hub.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_with_last_event_id_catches_up_on_what_was_missed() {
    let s = setup().await;
    let url = s.hub.url.clone();
    let op = RemoteApi::connect(&url, &s.tokens["op"]).await.unwrap();
    let mut sup = Events::open(&url, &s.tokens["sup"], None).await;
    let t = escalated(&op, "Bến Thành: hồ sơ kẹt đồng bộ", BEN_THANH).await;
    sup.next_ticket().await;
    let (last_seen, _) = sup.next_ticket().await;
    drop(sup);

    // Missed while away: two comments and a new ticket.
    let t = op.apply(t.id, t.version, comment("Lần 1")).await.unwrap();
    op.apply(t.id, t.version, comment("Lần 2")).await.unwrap();
    let other = op
        .create_ticket(uuid::Uuid::now_v7(), fault("Hỏi lệ phí", SAI_GON))
        .await
        .unwrap();

    let mut sup = Events::open(&url, &s.tokens["sup"], Some(&last_seen.to_string())).await;
    let mut caught = Vec::new();
    for _ in 0..3 {
        let (id, t) = sup.next_ticket().await;
        caught.push((id, t.id.0, t.version));
    }
    assert_eq!(
        caught,
        vec![
            (last_seen + 1, t.id.0, 3),
            (last_seen + 2, t.id.0, 4),
            (last_seen + 3, other.id.0, 1)
        ]
    );
    // And live from there on.
    op.apply(other.id, 1, comment("Sau khi nối lại"))
        .await
        .unwrap();
    let (id, t) = sup.next_ticket().await;
    assert_eq!((id, t.id, t.version), (last_seen + 4, other.id, 2));

    // A responder catching up gets only its ward's part of what it missed.
    let mut bt = Events::open(&url, &s.tokens["bt"], Some(&last_seen.to_string())).await;
    let (_, first) = bt.next_ticket().await;
    let (_, second) = bt.next_ticket().await;
    assert_eq!((first.version, second.version), (3, 4));

    // An id from before this hub started (or older than it keeps): reload.
    let mut stale = Events::open(&url, &s.tokens["sup"], Some("1")).await;
    let e = stale.next().await;
    assert_eq!(e.event, "reload");
    assert_eq!(e.id.as_deref(), Some((last_seen + 4).to_string().as_str()));

    let bad = reqwest::Client::new()
        .get(format!("{url}/api/v1/events"))
        .bearer_auth(&s.tokens["sup"])
        .header("Last-Event-ID", "abc")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    drop((sup, bt, stale));
    s.hub.shutdown().await.unwrap();
}

async fn next_update(sub: &mut hotline::api::live::Subscription) -> LiveUpdate {
    tokio::time::timeout(WAIT, sub.next())
        .await
        .expect("an update within 10 s")
        .expect("the subscription goes on")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_subscribe_follows_the_hub_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = make_store(dir.path(), &team());
    let hub = spawn_hub(ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap())).await;
    let addr = hub.addr;
    let url = hub.url.clone();
    let op = RemoteApi::connect(&url, &tokens["op"]).await.unwrap();
    let bt = RemoteApi::connect(&url, &tokens["bt"]).await.unwrap();
    let mut sub = bt.subscribe(None).await.unwrap();
    assert_eq!(next_update(&mut sub).await, LiveUpdate::Link { up: true });
    let t = escalated(&op, "Bến Thành: hồ sơ kẹt đồng bộ", BEN_THANH).await;
    match next_update(&mut sub).await {
        LiveUpdate::Ticket { ticket, .. } => assert_eq!((ticket.id, ticket.version), (t.id, 2)),
        other => panic!("a ticket expected, got {other:?}"),
    }

    hub.shutdown().await.unwrap();
    assert_eq!(next_update(&mut sub).await, LiveUpdate::Link { up: false });
    // The same address again, a new run of the hub.
    let hub = spawn_hub(ServeConfig::new(dir.path(), addr)).await;
    assert_eq!(next_update(&mut sub).await, LiveUpdate::Link { up: true });
    // Its ids are not the last run's: the subscriber is told to reload.
    assert!(matches!(
        next_update(&mut sub).await,
        LiveUpdate::Reload { .. }
    ));
    op.apply(t.id, t.version, comment("Sau khi hub khởi động lại"))
        .await
        .unwrap();
    match next_update(&mut sub).await {
        LiveUpdate::Ticket { ticket, .. } => assert_eq!((ticket.id, ticket.version), (t.id, 3)),
        other => panic!("a ticket expected, got {other:?}"),
    }
    drop(sub);
    hub.shutdown().await.unwrap();
}
