//! A write the user was told succeeded survives `kill -9`: a child process
//! creates tickets in a loop and prints each id once `create_ticket` returns;
//! the parent kills it at a random moment, reopens the store and finds every
//! printed id.

use hotline::domain::{Kind, NewTicket, TicketId, Ts};
use hotline::store::Store;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "HOTLINE_DURABILITY_CHILD_DIR";

/// Runs only inside the child process the real test starts.
#[test]
fn child_writer_loop() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let store = Store::open(std::path::Path::new(&dir)).unwrap();
    for i in 0.. {
        let mut n = NewTicket::new(Kind::Complaint, &format!("Phản ánh số {i}"));
        n.caller_phone = "0912345678".into();
        let (t, _) = store
            .create_ticket(uuid::Uuid::now_v7(), &n, "op", Ts(i))
            .unwrap();
        println!("ACK {}", t.id.0);
    }
}

#[test]
fn acknowledged_tickets_survive_sigkill() {
    let exe = std::env::current_exe().unwrap();
    let mut rng = fastrand::Rng::new();
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "child_writer_loop",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(id) = line.strip_prefix("ACK ") {
                    let _ = tx.send(id.trim().parse::<u64>().unwrap());
                }
            }
        });
        // Wait for the first acknowledgement, then kill at a random moment.
        let first = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the child writes");
        let mut acked = vec![first];
        let deadline = Instant::now() + Duration::from_millis(rng.u64(50..400));
        while Instant::now() < deadline {
            if let Ok(id) = rx.recv_timeout(Duration::from_millis(5)) {
                acked.push(id);
            }
        }
        child.kill().unwrap(); // SIGKILL on unix
        child.wait().unwrap();
        reader.join().unwrap();
        acked.extend(rx.try_iter());
        let store = Store::open(dir.path()).unwrap();
        for id in &acked {
            assert!(
                store.ticket(TicketId(*id)).unwrap().is_some(),
                "round {round}: acknowledged ticket {id} lost after kill -9 ({} acked)",
                acked.len()
            );
        }
        let all: Vec<_> = store.all_tickets().collect::<Result<_, _>>().unwrap();
        assert!(all.len() >= acked.len());
    }
}
