//! Deadline scheduler benchmark: `cargo bench --bench sched`.
//! Prints a table; figures go in the README's performance section.
//!
//! A real store holding 10,000 and then 100,000 open tickets with
//! deadlines. The scheduler (its own thread, as in `hotline serve`) is
//! woken with the clock moved past the next `HOTLINE_BENCH_FIRES` alarms
//! (default 200, `HOTLINE_BENCH_ROUNDS` rounds, default 5); what is timed is everything until the last of them is
//! durable: find the next alarm, fire it in one transaction, fsync, tell the
//! live feed. The same again through the store call alone gives the spread.
//! The work per fired alarm should not grow with the number of tickets.

mod common;

use common::{env, header, pct, row};
use hotline::api::Backend;
use hotline::domain::{Event, EventKind, Kind, ManualClock, NewTicket, Priority, Ts};
use hotline::sched::Scheduler;
use hotline::store::Store;
use std::time::{Duration, Instant};

/// 2027-01-15 08:00 HCMC.
const T0: i64 = 1_799_982_000;

/// `n` open tickets logged one every 7 s from T0, of every priority, so
/// their alarms interleave over days.
fn load(store: &Store, n: usize) {
    let priorities = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];
    for i in 0..n {
        let mut new = NewTicket::new(Kind::Fault, &format!("Hồ sơ kẹt đồng bộ số {i}"));
        new.priority = priorities[i % 4];
        new.ward = Some(26743);
        let at = Ts(T0 + 7 * i as i64);
        let id = hotline::domain::TicketId(i as u64 + 1);
        let mut t = new
            .into_ticket(id, uuid::Uuid::now_v7(), "lan.nt", at)
            .unwrap();
        t.events = 1;
        let created = Event {
            seq: 0,
            at,
            by: "lan.nt".into(),
            kind: EventKind::Created,
        };
        store.put_ticket_with_events(&t, &[created]).unwrap();
    }
    store.flush().unwrap();
}

/// The moment by which the next `k` alarms are due, and how many are due then
/// (alarms of one moment go together).
fn moment_after(store: &Store, k: usize) -> (Ts, usize) {
    let pending = store.pending_alarms().unwrap();
    let at = pending[k.min(pending.len()) - 1].at;
    (at, pending.iter().filter(|a| a.at <= at).count())
}

/// One store of `n` tickets with its scheduler running on a clock of its own.
struct Setup {
    n: usize,
    _dir: tempfile::TempDir,
    store: Store,
    clock: ManualClock,
    sched: Scheduler,
    /// Per-alarm time of each round, through the scheduler.
    rounds: Vec<f64>,
    /// Each alarm fired by the store call alone.
    calls: Vec<Duration>,
    /// fsyncs during the scheduler's rounds.
    syncs: u64,
}

fn setup(n: usize) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let started = Instant::now();
    load(&store, n);
    row(
        &format!("{n} tickets: loaded (put + one flush)"),
        format!("{:.1} s", started.elapsed().as_secs_f64()),
    );
    row(
        &format!("{n} tickets: alarms waiting in the index"),
        store.pending_alarms().unwrap().len().to_string(),
    );
    // Finding the next alarm: one index lookup.
    let lookups = 20_000;
    let t = Instant::now();
    for _ in 0..lookups {
        std::hint::black_box(store.next_alarm().unwrap());
    }
    row(
        &format!("breakdown: {n} tickets: next alarm lookup alone"),
        format!("{:.2} µs", t.elapsed().as_secs_f64() * 1e6 / lookups as f64),
    );
    let clock = ManualClock::at(Ts(T0));
    let backend = Backend::lazy(store.clone(), clock.clock(), false);
    let sched = Scheduler::start(backend).unwrap();
    assert!(sched.settle(Duration::from_secs(60)));
    Setup {
        n,
        _dir: dir,
        store,
        clock,
        sched,
        rounds: Vec::new(),
        calls: Vec::new(),
        syncs: 0,
    }
}

impl Setup {
    /// Wakes the scheduler with the next `fires` alarms due and times it
    /// until the last is durable and told to the live feed.
    fn scheduler_round(&mut self, fires: usize) {
        let (moment, due) = moment_after(&self.store, fires);
        let before = self.sched.fired();
        let syncs = self.store.durable_syncs();
        self.clock.set(moment);
        let t = Instant::now();
        self.sched.nudge();
        while self.sched.fired() < before + due as u64 {
            std::thread::sleep(Duration::from_micros(200));
        }
        let took = t.elapsed().as_secs_f64() * 1e3;
        self.syncs += self.store.durable_syncs() - syncs;
        self.rounds
            .push(took / (self.sched.fired() - before) as f64);
    }

    /// The same through the store call alone, one alarm at a time (the
    /// scheduler sleeps meanwhile: its clock is not moved).
    fn store_round(&mut self, fires: usize) {
        let (moment, _) = moment_after(&self.store, fires);
        loop {
            let t = Instant::now();
            if self
                .store
                .fire_due_alarm(moment, "hotline")
                .unwrap()
                .is_none()
            {
                break;
            }
            self.calls.push(t.elapsed());
        }
        self.clock.set(moment);
    }

    fn report(&mut self) {
        let n = self.n;
        let mut r = self.rounds.clone();
        r.sort_by(f64::total_cmp);
        row(
            &format!("{n} tickets: clock moved to alarm durable, ms/alarm, median / best"),
            format!("{:.2} / {:.2} ms", r[r.len() / 2], r[0]),
        );
        row(
            &format!("{n} tickets: fsyncs per fired alarm"),
            format!(
                "{:.2}",
                self.syncs as f64 / self.sched.fired().max(1) as f64
            ),
        );
        self.calls.sort();
        row(
            &format!(
                "breakdown: {n} tickets: store fire + flush alone p50 / p99 ({})",
                self.calls.len()
            ),
            format!(
                "{:.2} / {:.2} ms",
                pct(&self.calls, 0.5),
                pct(&self.calls, 0.99)
            ),
        );
    }
}

fn main() {
    let fires = env("HOTLINE_BENCH_FIRES", 200);
    let rounds = env("HOTLINE_BENCH_ROUNDS", 5);
    header();
    let mut setups: Vec<Setup> = [10_000, 100_000].into_iter().map(setup).collect();
    // Rounds alternate between the sizes, so other load on the machine
    // falls on both alike.
    for _ in 0..rounds {
        for s in setups.iter_mut() {
            s.scheduler_round(fires);
            s.store_round(fires);
        }
    }
    row(
        "rounds × alarms per round, each way",
        format!("{rounds} × {fires}"),
    );
    for s in setups.iter_mut() {
        s.report();
    }
}
