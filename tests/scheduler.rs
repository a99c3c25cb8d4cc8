//! The deadline scheduler on a real store with a clock the test moves:
//! warnings, breaches and the raise to level 2 fire once each and in order,
//! also across a restart; a write that adds an earlier alarm wakes it.

mod support;

use hotline::api::Backend;
use hotline::domain::alarm::Stage;
use hotline::domain::escalation::EscalationRequest;
use hotline::domain::{
    Change, EventKind, FaultType, Kind, ManualClock, NewTicket, Priority, Role, SlaClock, Ticket,
    TicketId, Ts, User,
};
use hotline::sched::Scheduler;
use hotline::store::Store;
use std::path::Path;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// 2027-01-15 08:00 HCMC, a Friday.
const T0: i64 = 1_799_982_000;
const MIN: i64 = 60;
const HOUR: i64 = 3600;

fn operator() -> User {
    User {
        name: "lan.nt".into(),
        display_name: "Nguyễn Thị Lan".into(),
        role: Role::Operator,
        wards: vec![],
    }
}

/// A P1 fault (respond within 1 h, resolve within 8 h) logged at `at`.
fn log_fault(store: &Store, at: i64) -> Ticket {
    let mut n = NewTicket::new(Kind::Fault, "Cổng DVC không đồng bộ hồ sơ khai sinh");
    n.priority = Priority::P1;
    n.ward = Some(26743);
    store
        .create_ticket(Uuid::now_v7(), &n, "lan.nt", Ts(at))
        .unwrap()
        .0
}

/// Escalated at `at` to ward 26743 at P1: acknowledge within 1 h, resolve within 8 h.
fn escalate(store: &Store, t: &Ticket, at: i64) -> Ticket {
    let change = Change::Escalate(EscalationRequest {
        ward: 26743,
        fault: FaultType::PortalSync,
        level: 1,
        severity: Priority::P1,
        note: None,
    });
    let op = operator();
    store
        .update_ticket(t.id, t.version, &op.name, Ts(at), |t| {
            t.apply(&change, &op, Ts(at))
        })
        .unwrap()
}

struct Running {
    store: Store,
    sched: Scheduler,
}

fn start(dir: &Path, clock: &ManualClock) -> Running {
    let store = Store::open(dir).unwrap();
    let backend = Backend::lazy(store.clone(), clock.clock(), false);
    let sched = Scheduler::start(backend).unwrap();
    assert!(sched.settle(Duration::from_secs(20)), "the scheduler looks");
    Running { store, sched }
}

impl Running {
    /// Moves the clock to `T0 + offset` and waits until the scheduler has looked.
    fn at(&self, clock: &ManualClock, offset: i64) {
        clock.set(Ts(T0 + offset));
        assert!(
            self.sched.settle(Duration::from_secs(20)),
            "the scheduler looks"
        );
    }

    /// What the scheduler wrote into the timeline: (moment after T0, by, what).
    fn fired(&self, id: TicketId) -> Vec<(i64, String, EventKind)> {
        self.store
            .events(id)
            .unwrap()
            .into_iter()
            .filter(|e| e.by == "hotline")
            .map(|e| (e.at.0 - T0, e.by, e.kind))
            .collect()
    }

    fn stop(self) {
        drop(self.sched);
        drop(self.store);
    }
}

fn by_hotline(at: i64, kind: EventKind) -> (i64, String, EventKind) {
    (at, "hotline".to_string(), kind)
}

fn warning(clock: SlaClock) -> EventKind {
    EventKind::SlaWarning { clock }
}

fn breach(clock: SlaClock) -> EventKind {
    EventKind::SlaBreach { clock }
}

fn raised() -> EventKind {
    EventKind::LevelRaised {
        from: 1,
        to: 2,
        reason: "not-acknowledged".into(),
    }
}

/// Everything the escalated P1 ticket (logged Friday 10:00, Hanoi time)
/// should have fired by T0 + 8 h under the shipped policy, when the clock is
/// set to each moment in turn: the ward's acknowledge warning (45 min, three
/// quarters of its hour) and breach (1 h) with the raise to level 2, the
/// centre's acknowledge warning (1 h 22 min 30 s: three quarters of its 30
/// minutes) and breach (1 h 30 min), then the ticket's own resolution
/// warning (6 h) and breach (8 h) on the 24/7 hotline calendar.
fn whole_story() -> Vec<(i64, String, EventKind)> {
    use SlaClock::*;
    vec![
        by_hotline(45 * MIN, warning(Acknowledge)),
        by_hotline(HOUR, breach(Acknowledge)),
        by_hotline(HOUR, raised()),
        by_hotline(HOUR + 22 * MIN + 30, warning(Acknowledge)),
        by_hotline(HOUR + 30 * MIN, breach(Acknowledge)),
        by_hotline(6 * HOUR, warning(Resolution)),
        by_hotline(8 * HOUR, breach(Resolution)),
    ]
}

#[test]
fn warning_breach_and_level_two_fire_once_each_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(Ts(T0));
    let run = start(dir.path(), &clock);
    let t = log_fault(&run.store, T0);
    let t = escalate(&run.store, &t, T0);
    let story = whole_story();

    run.at(&clock, 30 * MIN);
    assert_eq!(run.fired(t.id), vec![], "nothing is due yet");
    run.at(&clock, 45 * MIN);
    assert_eq!(run.fired(t.id), story[..1]);
    run.at(&clock, 50 * MIN);
    assert_eq!(run.fired(t.id), story[..1], "the warning fired once");
    run.at(&clock, HOUR);
    assert_eq!(run.fired(t.id), story[..3]);
    let now = run.store.ticket(t.id).unwrap().unwrap();
    let e = now.escalation.as_ref().unwrap();
    assert_eq!(e.level, 2);
    // The centre's deadlines count from the raise (11:00) in its office
    // hours: 30 min to acknowledge (11:30), 4 h to resolve across the lunch
    // break (11:00-11:30, then 13:00-16:30).
    assert_eq!(
        (e.ack_by.0 - T0, e.resolve_by.0 - T0),
        (HOUR + 30 * MIN, 6 * HOUR + 30 * MIN)
    );
    // Each fired alarm was a change of its own.
    assert_eq!(now.version, t.version + 2);
    assert_eq!(now.updated_by, "hotline");

    for offset in [HOUR + 22 * MIN + 30, HOUR + 30 * MIN, 6 * HOUR, 8 * HOUR] {
        run.at(&clock, offset);
    }
    assert_eq!(run.fired(t.id), story);
    run.at(&clock, 30 * HOUR);
    assert_eq!(run.fired(t.id), story, "nothing fires twice");
    assert_eq!(
        run.sched.fired(),
        6,
        "six alarms, the raise with its breach"
    );
    assert_eq!(run.store.pending_alarms().unwrap(), vec![]);
}

#[test]
fn a_restart_in_the_middle_neither_repeats_nor_misses_anything() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(Ts(T0));
    let run = start(dir.path(), &clock);
    let t = log_fault(&run.store, T0);
    let t = escalate(&run.store, &t, T0);
    let story = whole_story();
    run.at(&clock, 45 * MIN);
    run.at(&clock, HOUR);
    assert_eq!(run.fired(t.id), story[..3]);
    run.stop();

    // Down across the centre's two moments; they fire on start, in order.
    let run = start(dir.path(), &clock);
    assert_eq!(run.fired(t.id), story[..3], "nothing again on reopening");
    run.at(&clock, HOUR + 22 * MIN + 30);
    assert_eq!(run.fired(t.id), story[..4]);
    run.stop();

    clock.set(Ts(T0 + HOUR + 40 * MIN));
    let run = start(dir.path(), &clock);
    let mut want = story[..4].to_vec();
    want.push(by_hotline(HOUR + 40 * MIN, breach(SlaClock::Acknowledge)));
    assert_eq!(
        run.fired(t.id),
        want,
        "missed while down, fired once on start"
    );
    run.stop();

    let run = start(dir.path(), &clock);
    assert_eq!(run.fired(t.id), want);
    run.at(&clock, 8 * HOUR);
    want.push(by_hotline(8 * HOUR, warning(SlaClock::Resolution)));
    want.push(by_hotline(8 * HOUR, breach(SlaClock::Resolution)));
    assert_eq!(run.fired(t.id), want);
    run.stop();
}

#[test]
fn a_write_that_adds_an_earlier_alarm_wakes_a_sleeping_scheduler() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(Ts(T0));
    let run = start(dir.path(), &clock);
    // Its first alarm is 45 minutes away: the scheduler sleeps its longest nap.
    log_fault(&run.store, T0);
    std::thread::sleep(Duration::from_millis(1000));
    let passes = run.sched.passes();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(run.sched.passes(), passes, "asleep");

    // Logged ten hours ago (entered late): every alarm is already due.
    let late = log_fault(&run.store, T0 - 10 * HOUR);
    let woke = Instant::now();
    use SlaClock::*;
    let want = vec![
        by_hotline(0, warning(FirstResponse)),
        by_hotline(0, breach(FirstResponse)),
        by_hotline(0, warning(Resolution)),
        by_hotline(0, breach(Resolution)),
    ];
    while run.fired(late.id) != want && woke.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(run.fired(late.id), want);
    assert!(
        woke.elapsed() < Duration::from_secs(30),
        "woken by the write, not by its 60 s nap"
    );
}

#[test]
fn the_alarm_index_follows_pauses_escalation_and_cancelling() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let t = log_fault(&store, T0);
    let pending = |store: &Store| -> Vec<(i64, SlaClock, Stage, u8)> {
        store
            .pending_alarms()
            .unwrap()
            .into_iter()
            .map(|a| (a.at.0 - T0, a.clock, a.stage, a.level))
            .collect()
    };
    use SlaClock::*;
    assert_eq!(
        pending(&store),
        vec![
            (45 * MIN, FirstResponse, Stage::Warning, 0),
            (HOUR, FirstResponse, Stage::Breach, 0),
            (6 * HOUR, Resolution, Stage::Warning, 0),
            (8 * HOUR, Resolution, Stage::Breach, 0),
        ]
    );
    // A supervisor: the one role that may also cancel.
    let op = User {
        role: Role::Supervisor,
        ..operator()
    };
    let change = |t: &Ticket, c: Change, at: i64| {
        store
            .update_ticket(t.id, t.version, &op.name, Ts(T0 + at), |x| {
                x.apply(&c, &op, Ts(T0 + at))
            })
            .unwrap()
    };
    let t = change(&t, Change::Start, 10 * MIN);
    let t = change(&t, Change::Wait { note: None }, 20 * MIN);
    assert_eq!(pending(&store), vec![], "waiting on the citizen: no alarms");
    // Back after an hour: the resolution deadline moved by the wait, and the
    // warning is three quarters of the longer window (9 h).
    let t = change(&t, Change::Start, 80 * MIN);
    assert_eq!(
        pending(&store),
        vec![
            (6 * HOUR + 45 * MIN, Resolution, Stage::Warning, 0),
            (9 * HOUR, Resolution, Stage::Breach, 0),
        ]
    );
    let t = escalate(&store, &t, T0 + 2 * HOUR);
    assert!(pending(&store)
        .iter()
        .any(|a| a.1 == Acknowledge && a.3 == 1));
    let t = change(
        &t,
        Change::Cancel {
            duplicate_of: None,
            note: None,
        },
        3 * HOUR,
    );
    assert_eq!(t.status, hotline::domain::Status::Cancelled);
    assert_eq!(pending(&store), vec![], "a cancelled ticket has none");
}

#[test]
fn a_store_without_the_index_gets_it_built_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let before = {
        let store = Store::open(dir.path()).unwrap();
        log_fault(&store, T0);
        let t = log_fault(&store, T0 + HOUR);
        escalate(&store, &t, T0 + HOUR);
        store.pending_alarms().unwrap()
    };
    assert_eq!(
        before.len(),
        8,
        "4 of the logged ticket, 4 of the escalated one"
    );
    {
        // As a store written before the index existed.
        let db = support::raw_sled(dir.path());
        db.drop_tree("by_alarm").unwrap();
        db.open_tree("meta").unwrap().remove("alarm_index").unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.pending_alarms().unwrap(), before);
}

/// The real `hotline serve` on `dir`, killed with SIGKILL `after` its
/// "serving" line (its scheduler is firing by then).
fn serve_and_kill(dir: &Path, env_dir: &Path, after: Duration) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hotline"))
        .arg("--data")
        .arg(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("HOTLINE_CONFIG", env_dir.join("no-config.toml"))
        .env("HOTLINE_LOG", env_dir.join("hotline.log"))
        .env_remove("HOTLINE_DATA")
        .env_remove("HOTLINE_SERVER")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start hotline serve");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.contains("serving"), "{line:?}");
    std::thread::sleep(after);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Every ticket's alarms in the order they fall due: each fired one is in
/// the timeline once, in that order, and every other is still waiting.
fn each_alarm_fired_once_or_waiting(store: &Store, tickets: &[TicketId]) -> usize {
    use SlaClock::*;
    let order = [
        (warning(FirstResponse), FirstResponse, Stage::Warning),
        (breach(FirstResponse), FirstResponse, Stage::Breach),
        (warning(Resolution), Resolution, Stage::Warning),
        (breach(Resolution), Resolution, Stage::Breach),
    ];
    let pending = store.pending_alarms().unwrap();
    let mut fired = 0;
    for id in tickets {
        let kinds: Vec<EventKind> = store
            .events(*id)
            .unwrap()
            .into_iter()
            .filter(|e| e.by == "hotline")
            .map(|e| e.kind)
            .collect();
        let n = kinds.len();
        let want: Vec<EventKind> = order[..n].iter().map(|o| o.0.clone()).collect();
        assert_eq!(kinds, want, "{id}: fired in order, none twice");
        let waiting: Vec<(SlaClock, Stage)> = pending
            .iter()
            .filter(|a| a.ticket == *id)
            .map(|a| (a.clock, a.stage))
            .collect();
        let rest: Vec<(SlaClock, Stage)> = order[n..].iter().map(|o| (o.1, o.2)).collect();
        assert_eq!(waiting, rest, "{id}: what did not fire still waits");
        fired += n;
    }
    fired
}

#[test]
fn a_hub_killed_while_firing_fires_each_alarm_exactly_once_in_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let env_dir = tempfile::tempdir().unwrap();
    // Logged ten hours ago: all four alarms of each ticket are due.
    let now = Ts::now().0;
    let tickets: Vec<TicketId> = {
        let store = Store::open(dir.path()).unwrap();
        (0..150)
            .map(|i| log_fault(&store, now - 10 * HOUR - i).id)
            .collect()
    };
    let mut fired_before = 0;
    for kill_after_ms in [15, 60, 150] {
        serve_and_kill(
            dir.path(),
            env_dir.path(),
            Duration::from_millis(kill_after_ms),
        );
        let store = Store::open(dir.path()).unwrap();
        let fired = each_alarm_fired_once_or_waiting(&store, &tickets);
        assert!(fired >= fired_before, "nothing fired is lost");
        fired_before = fired;
    }
    // Whatever is left fires on the next start, once.
    let store = Store::open(dir.path()).unwrap();
    let backend = Backend::lazy(store.clone(), hotline::domain::system_clock(), false);
    let sched = Scheduler::start(backend).unwrap();
    let until = Instant::now() + Duration::from_secs(120);
    while !store.pending_alarms().unwrap().is_empty() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(sched.settle(Duration::from_secs(20)));
    assert_eq!(
        each_alarm_fired_once_or_waiting(&store, &tickets),
        4 * tickets.len()
    );
    eprintln!("fired before the last start: {fired_before} of 600");
}

#[test]
fn a_damaged_ticket_does_not_hold_up_the_alarms_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (damaged, fine) = {
        let store = Store::open(dir.path()).unwrap();
        (log_fault(&store, T0).id, log_fault(&store, T0 + MIN).id)
    };
    {
        let db = support::raw_sled(dir.path());
        let tickets = db.open_tree("tickets").unwrap();
        tickets
            .insert(damaged.0.to_be_bytes(), &[0xff, 0xff][..])
            .unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let at = Ts(T0 + 10 * HOUR);
    let mut fired = Vec::new();
    while let Some(f) = store.fire_due_alarm(at, "hotline").unwrap() {
        fired.push((f.ticket.id, f.events[0].kind.clone()));
    }
    use SlaClock::*;
    assert_eq!(
        fired,
        vec![
            (fine, warning(FirstResponse)),
            (fine, breach(FirstResponse)),
            (fine, warning(Resolution)),
            (fine, breach(Resolution)),
        ]
    );
    assert_eq!(store.pending_alarms().unwrap(), vec![]);
    drop(store);

    // Building the index on open passes over it too.
    {
        let db = support::raw_sled(dir.path());
        db.open_tree("meta").unwrap().remove("alarm_index").unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(dir.path()).expect("opens with a damaged ticket");
    assert_eq!(store.pending_alarms().unwrap(), vec![]);
}

/// Warning moments follow the policy in effect: a new threshold rebuilds
/// the index once, and the shipped policy brings it back.
#[test]
fn a_policy_with_another_threshold_moves_the_waiting_warnings() {
    use hotline::domain::Policy;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let t = log_fault(&store, T0);
    let first_response_warning = |store: &Store| {
        store
            .pending_alarms()
            .unwrap()
            .into_iter()
            .find(|a| {
                a.ticket == t.id && a.clock == SlaClock::FirstResponse && a.stage == Stage::Warning
            })
            .map(|a| a.at.0 - T0)
    };
    // P1 fault: first response within 1 h on the 24/7 hotline.
    assert_eq!(first_response_warning(&store), Some(45 * MIN));
    let half = Policy::from_texts(
        &[
            ("sla_policy.toml", include_str!("../data/sla_policy.toml")),
            ("half.toml", "warning_percent = 50\n"),
        ],
        &[],
    )
    .unwrap();
    store.set_policy(std::sync::Arc::new(half)).unwrap();
    assert_eq!(first_response_warning(&store), Some(30 * MIN));
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(first_response_warning(&store), Some(45 * MIN));
}
