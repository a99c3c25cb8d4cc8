//! Hub benchmark: `cargo bench --bench hub`. Prints a table.
//!
//! A demo store (HOTLINE_BENCH_DOSSIERS dossiers, default 1,000,000, and
//! HOTLINE_BENCH_TICKETS tickets, default 100,000) is served by the real
//! `hotline serve` on loopback; the benchmark measures the time from
//! starting it to its first search answer and to a ready index, 50
//! concurrent clients creating tickets for 5 s (each answer comes after the
//! group-committed fsync), searches sent per keystroke as the TUI would
//! through a hub, and the hub's resident memory. Then live updates:
//! HOTLINE_BENCH_SUBSCRIBERS (default 200) clients hold `GET /api/v1/events`
//! open while the 50 writers create tickets again; each ticket's time from
//! its create request being sent to its event arriving on every stream, and
//! the hub's memory per subscriber.

mod common;

use common::{env, header, pct, row, rss_mb};
use hotline::demo::{self, DemoConfig};
use hotline::store::Store;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WRITERS: usize = 50;
const WRITING_FOR: Duration = Duration::from_secs(5);

/// Typed one character at a time.
const TYPED: &[&str] = &[
    "nguyen van an",
    "0912 345",
    "ben thanh",
    "tran thi mai",
    "dang ky khai sinh",
    "PA-0001",
    "phuong 4 quan 3",
];

struct Hub {
    child: Child,
    url: String,
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn start_hub(dir: &std::path::Path) -> Hub {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir)
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .env("XDG_CONFIG_HOME", dir.join("xdg"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hotline serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    Hub { child, url }
}

fn main() {
    let cfg = DemoConfig {
        dossiers: env("HOTLINE_BENCH_DOSSIERS", 1_000_000),
        tickets: env("HOTLINE_BENCH_TICKETS", 100_000),
        ..DemoConfig::default()
    };
    header();
    let dir = tempfile::tempdir().unwrap();
    let token = {
        let store = Store::open_with_cache(dir.path(), 512 * 1024 * 1024).unwrap();
        let started = Instant::now();
        demo::populate_demo(&store, &cfg).unwrap();
        row(
            &format!(
                "demo store: {} dossiers, {} tickets",
                cfg.dossiers, cfg.tickets
            ),
            format!("{:.1} s", started.elapsed().as_secs_f64()),
        );
        store.issue_token("lan.nt").unwrap()
    };

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(WRITERS)
        .build()
        .unwrap();

    let started = Instant::now();
    let hub = start_hub(dir.path());
    let listening = started.elapsed();
    let search = |text: &str| {
        http.post(format!("{}/api/v1/search", hub.url))
            .bearer_auth(&token)
            .json(&json!({"text": text, "limit": 20}))
            .send()
    };
    let (first_answer, ready) = rt.block_on(async {
        let mut first = None;
        loop {
            let r: Value = search("nguyen van an").await.unwrap().json().await.unwrap();
            first.get_or_insert(started.elapsed());
            if r["index_ready"] == true {
                return (first.unwrap(), started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    row(
        "hub start → listening (store open)",
        format!("{:.0} ms", listening.as_secs_f64() * 1e3),
    );
    row(
        "hub start → first search answer",
        format!("{:.0} ms", first_answer.as_secs_f64() * 1e3),
    );
    row(
        "hub start → search index ready",
        format!("{:.1} s", ready.as_secs_f64()),
    );
    row(
        "hub RSS, index ready",
        format!("{:.0} MB", rss_mb(&hub.child.id().to_string())),
    );

    // The first save after a full build trims the change log the bulk load
    // wrote (1.1 M entries at full size) under the store's write gate; with
    // HOTLINE_BENCH_SETTLE_SECS the phases below start once that is over.
    let settle = env("HOTLINE_BENCH_SETTLE_SECS", 0);
    if settle > 0 {
        std::thread::sleep(Duration::from_secs(settle as u64));
        row("waited after the index was ready", format!("{settle} s"));
    }

    // Per keystroke: every prefix of every typed query, one request each.
    let mut keystrokes = rt.block_on(async {
        let mut took = Vec::new();
        for typed in TYPED {
            let chars: Vec<char> = typed.chars().collect();
            for n in 1..=chars.len() {
                let prefix: String = chars[..n].iter().collect();
                let t = Instant::now();
                let resp = search(&prefix).await.unwrap();
                assert!(resp.status().is_success());
                resp.bytes().await.unwrap();
                took.push(t.elapsed());
            }
        }
        took
    });
    keystrokes.sort();
    row(
        &format!(
            "search per keystroke over HTTP ({} requests) p50",
            keystrokes.len()
        ),
        format!("{:.2} ms", pct(&keystrokes, 0.5)),
    );
    row(
        "search per keystroke over HTTP p95",
        format!("{:.2} ms", pct(&keystrokes, 0.95)),
    );

    let started = Instant::now();
    let mut creates: Vec<Duration> = rt.block_on(async {
        let tasks: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (http, url, token) = (http.clone(), hub.url.clone(), token.clone());
                tokio::spawn(async move {
                    let mut took = Vec::new();
                    let mut i = 0;
                    while started.elapsed() < WRITING_FOR {
                        let body = json!({
                            "kind": "complaint",
                            "channel": "phone",
                            "subject": format!("Phản ánh {w}-{i}"),
                            "caller_phone": format!("0913{w:03}{:03}", i % 1000),
                            "priority": "p3"
                        });
                        let t = Instant::now();
                        let resp = http
                            .post(format!("{url}/api/v1/tickets"))
                            .bearer_auth(&token)
                            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
                            .json(&body)
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(resp.status().as_u16(), 201);
                        resp.bytes().await.unwrap();
                        took.push(t.elapsed());
                        i += 1;
                    }
                    took
                })
            })
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    });
    let elapsed = started.elapsed().as_secs_f64();
    creates.sort();
    row(
        &format!("{WRITERS} clients creating tickets: creates/s"),
        format!("{:.0}", creates.len() as f64 / elapsed),
    );
    row(
        "  create latency p50",
        format!("{:.1} ms", pct(&creates, 0.5)),
    );
    row(
        "  create latency p99",
        format!("{:.1} ms", pct(&creates, 0.99)),
    );
    row(
        "hub RSS after the writes",
        format!("{:.0} MB", rss_mb(&hub.child.id().to_string())),
    );
    live_updates(&rt, &http, &hub, &token);
    drop(hub);
}

/// Writers creating tickets while subscribers read every change live.
fn live_updates(rt: &tokio::runtime::Runtime, http: &reqwest::Client, hub: &Hub, token: &str) {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    let subscribers = env("HOTLINE_BENCH_SUBSCRIBERS", 200);
    let pid = hub.child.id().to_string();
    let before = rss_mb(&pid);
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Default::default();
    let (streams, opened) = rt.block_on(async {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<(String, Instant)>();
        let mut opened = 0;
        for _ in 0..subscribers {
            // Its own connection, as separate clients would have.
            let client = reqwest::Client::new();
            let resp = client
                .get(format!("{}/api/v1/events", hub.url))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert!(resp.status().is_success());
            opened += 1;
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut resp = resp;
                let mut parser = hotline::api::sse::SseParser::default();
                while let Ok(Some(chunk)) = resp.chunk().await {
                    let at = Instant::now();
                    for e in parser.push(&chunk) {
                        if let Some(subject) = subject_of(&e.data) {
                            let _ = tx.send((subject, at));
                        }
                    }
                }
                drop(client);
            });
        }
        (rx, opened)
    });
    // Let the streams settle before measuring memory.
    std::thread::sleep(Duration::from_millis(500));
    let after = rss_mb(&pid);
    row(
        &format!("live: hub RSS with {opened} event streams open"),
        format!("{after:.0} MB"),
    );
    row(
        "live: hub memory per subscriber",
        format!(
            "{:.0} KB",
            (after - before).max(0.0) * 1024.0 / opened as f64
        ),
    );

    let mut streams = streams;
    // Writers as fast as the hub answers, then each pausing 0.5 s between creates.
    for (round, (how, pace)) in [
        ("flat out", None),
        ("writers at 2/s", Some(Duration::from_millis(500))),
    ]
    .into_iter()
    .enumerate()
    {
        let started = Instant::now();
        let created = rt.block_on(async {
            let tasks: Vec<_> = (0..WRITERS)
                .map(|w| {
                    let (http, url, token, sent) = (
                        http.clone(),
                        hub.url.clone(),
                        token.to_string(),
                        sent.clone(),
                    );
                    tokio::spawn(async move {
                        let mut i = 0;
                        while started.elapsed() < WRITING_FOR {
                            let subject = format!("Live {round}-{w}-{i}");
                            let body = json!({
                                "kind": "complaint",
                                "channel": "phone",
                                "subject": subject,
                                "caller_phone": format!("0914{w:03}{:03}", i % 1000),
                                "priority": "p3"
                            });
                            sent.lock().unwrap().insert(subject, Instant::now());
                            let resp = http
                                .post(format!("{url}/api/v1/tickets"))
                                .bearer_auth(&token)
                                .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
                                .json(&body)
                                .send()
                                .await
                                .unwrap();
                            assert_eq!(resp.status().as_u16(), 201);
                            resp.bytes().await.unwrap();
                            i += 1;
                            if let Some(pace) = pace {
                                tokio::time::sleep(pace).await;
                            }
                        }
                        i
                    })
                })
                .collect();
            let mut n = 0;
            for t in tasks {
                n += t.await.unwrap();
            }
            n
        });
        let elapsed = started.elapsed().as_secs_f64();
        // Every event on every stream, or give up waiting after 10 s.
        let expected = created * opened;
        let mut latencies = Vec::with_capacity(expected);
        let deadline = Instant::now() + Duration::from_secs(10);
        while latencies.len() < expected && Instant::now() < deadline {
            match streams.try_recv() {
                Ok((subject, at)) => {
                    if let Some(t0) = sent.lock().unwrap().get(&subject) {
                        latencies.push(at.saturating_duration_since(*t0));
                    }
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        latencies.sort();
        row(
            &format!("live, {how}: {WRITERS} writers, {opened} subscribers: created/s"),
            format!("{:.0}", created as f64 / elapsed),
        );
        row(
            &format!("live, {how}: events delivered / expected"),
            format!("{} / {expected}", latencies.len()),
        );
        row(
            &format!("live, {how}: change → every stream p50"),
            format!("{:.1} ms", pct(&latencies, 0.5)),
        );
        row(
            &format!("live, {how}: change → every stream p99"),
            format!("{:.1} ms", pct(&latencies, 0.99)),
        );
    }
    row("live: hub RSS after", format!("{:.0} MB", rss_mb(&pid)));
}

/// The subject in a ticket event's JSON, without parsing the whole ticket.
fn subject_of(data: &str) -> Option<String> {
    let start = data.find("\"subject\":\"")? + "\"subject\":\"".len();
    let len = data[start..].find('"')?;
    Some(data[start..start + len].to_string())
}
