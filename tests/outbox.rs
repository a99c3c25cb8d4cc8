//! Offline safety: with the hub stopped, a client keeps creating tickets and
//! comments; they wait in its outbox (its own sled store) and arrive exactly
//! once, in order, when the hub is back, also after the client itself was
//! stopped and started again with writes still waiting.

mod hub_common;

use hotline::api::{ApiError, HotlineApi, RemoteApi};
use hotline::client::{Outbox, OutboxApi};
use hotline::domain::{Change, EventKind, Kind, NewTicket, TicketId};
use hotline::server::{self, RunningHub, ServeConfig};
use hub_common::{make_store, team, SAI_GON};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

async fn spawn_hub(dir: &Path, addr: SocketAddr) -> RunningHub {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match server::spawn(ServeConfig::new(dir, addr)).await {
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

fn new_ticket(subject: &str) -> NewTicket {
    let mut n = NewTicket::new(Kind::Complaint, subject);
    n.caller_name = "Lê Văn Tám".into();
    n.caller_phone = "0909000111".into();
    n.ward = Some(SAI_GON);
    n
}

/// Subjects of all tickets in id order, and the comments of ticket `id`.
async fn landed(api: &RemoteApi, id: TicketId) -> (Vec<String>, Vec<String>) {
    let page = api
        .list_tickets(
            Default::default(),
            hotline::api::Page {
                limit: 500,
                after: None,
            },
        )
        .await
        .unwrap();
    let mut tickets = page.tickets;
    tickets.sort_by_key(|t| t.id);
    let comments = api
        .ticket(id)
        .await
        .unwrap()
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Commented { text } => Some(text),
            _ => None,
        })
        .collect();
    (tickets.into_iter().map(|t| t.subject).collect(), comments)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_made_while_the_hub_is_down_arrive_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let client_dir = tempfile::tempdir().unwrap();
    let tokens = make_store(dir.path(), &team());
    let hub = spawn_hub(dir.path(), "127.0.0.1:0".parse().unwrap()).await;
    let addr = hub.addr;
    let url = hub.url.clone();
    let remote = RemoteApi::connect(&url, &tokens["op"]).await.unwrap();
    let outbox = Outbox::at(client_dir.path().join("outbox"));
    let op = OutboxApi::new(remote.clone(), outbox.clone()).unwrap();

    let first = op
        .create_ticket(uuid::Uuid::now_v7(), new_ticket("Trước khi mất mạng"))
        .await
        .unwrap();
    hub.shutdown().await.unwrap();

    // The hub is gone: every write is kept, in order, as pending.
    let mut expected_subjects = vec!["Trước khi mất mạng".to_string()];
    let mut expected_comments = Vec::new();
    for i in 1..=6 {
        let subject = format!("Phiếu lúc mất mạng {i}");
        match op
            .create_ticket(uuid::Uuid::now_v7(), new_ticket(&subject))
            .await
        {
            Err(ApiError::Queued { pending }) => assert_eq!(pending, 2 * i - 1),
            other => panic!("queued expected, got {other:?}"),
        }
        expected_subjects.push(subject);
        let text = format!("Ghi chú lúc mất mạng {i}");
        let queued = op
            .apply(
                first.id,
                first.version,
                Change::Comment { text: text.clone() },
            )
            .await;
        assert!(matches!(queued, Err(ApiError::Queued { .. })), "{queued:?}");
        expected_comments.push(text);
    }
    assert_eq!(op.pending(), 12);
    assert_eq!(outbox.len().unwrap(), 12);
    // Other kinds of call just fail while the hub is away.
    assert!(matches!(
        op.ticket(first.id).await,
        Err(ApiError::Unavailable { .. })
    ));
    // The client's outbox is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(outbox.dir())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    // Back on the same address: the next status poll sends everything.
    let hub = spawn_hub(dir.path(), addr).await;
    let status = op.status().await.unwrap();
    assert_eq!(status.pending_writes, 0);
    assert_eq!(outbox.len().unwrap(), 0);
    // Sending again changes nothing: each write arrived once.
    assert_eq!(op.send_pending().await.unwrap(), 0);
    let (subjects, comments) = landed(&remote, first.id).await;
    assert_eq!(subjects, expected_subjects);
    assert_eq!(comments, expected_comments);
    hub.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_restarted_with_writes_waiting_sends_them_once() {
    let dir = tempfile::tempdir().unwrap();
    let client_dir = tempfile::tempdir().unwrap();
    let tokens = make_store(dir.path(), &team());
    let hub = spawn_hub(dir.path(), "127.0.0.1:0".parse().unwrap()).await;
    let addr = hub.addr;
    let url = hub.url.clone();
    let remote = RemoteApi::connect(&url, &tokens["op"]).await.unwrap();
    let outbox_dir = client_dir.path().join("outbox");
    let first = remote
        .create_ticket(uuid::Uuid::now_v7(), new_ticket("Phiếu gốc"))
        .await
        .unwrap();
    hub.shutdown().await.unwrap();
    {
        let op = OutboxApi::new(remote.clone(), Outbox::at(&outbox_dir)).unwrap();
        for i in 1..=3 {
            let _ = op
                .create_ticket(uuid::Uuid::now_v7(), new_ticket(&format!("Chờ gửi {i}")))
                .await;
            let _ = op
                .apply(
                    first.id,
                    first.version,
                    Change::Comment {
                        text: format!("Chờ gửi {i}"),
                    },
                )
                .await;
        }
        assert_eq!(op.pending(), 6);
        // The client goes away with its writes unsent.
    }

    let hub = spawn_hub(dir.path(), addr).await;
    // A comment whose answer was lost: it arrived, but the outbox still has it.
    let lost = remote
        .apply(
            first.id,
            first.version,
            Change::Comment {
                text: "Chờ gửi 1".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(lost.version, first.version + 1);
    let op = OutboxApi::new(remote.clone(), Outbox::at(&outbox_dir)).unwrap();
    assert_eq!(op.pending(), 6, "found again after the restart");
    // Every request tells the hub how many writes wait here.
    op.ticket(first.id).await.unwrap();
    assert!(metrics(&url)
        .await
        .lines()
        .any(|l| l == "hotline_client_outbox_depth 6"));
    assert_eq!(op.send_pending().await.unwrap(), 0);
    op.ticket(first.id).await.unwrap();
    let (subjects, comments) = landed(&remote, first.id).await;
    assert_eq!(
        subjects,
        ["Phiếu gốc", "Chờ gửi 1", "Chờ gửi 2", "Chờ gửi 3"]
    );
    assert_eq!(comments, ["Chờ gửi 1", "Chờ gửi 2", "Chờ gửi 3"]);

    let metrics = metrics(&url).await;
    assert!(
        metrics
            .lines()
            .any(|l| l == "hotline_client_outbox_depth 0"),
        "{metrics}"
    );
    hub.shutdown().await.unwrap();
}

async fn metrics(url: &str) -> String {
    reqwest::get(format!("{url}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The outbox's sled files hold what callers said (names, phone numbers):
/// only their owner may read them, whatever the umask made them.
#[cfg(unix)]
#[test]
fn the_outbox_files_are_private() {
    use hotline::client::PendingWrite;
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::at(dir.path().join("outbox"));
    let write = PendingWrite::Comment {
        ticket: TicketId(1),
        based_on: 1,
        text: "Gọi lại sau 17 giờ".into(),
    };
    assert_eq!(outbox.push(&write).unwrap(), 1);
    let writes = dir.path().join("outbox").join("writes");
    for name in ["db", "conf"] {
        let mode = std::fs::metadata(writes.join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{name} has mode {mode:o}");
    }
}
