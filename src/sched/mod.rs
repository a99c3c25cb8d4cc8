//! The deadline scheduler: fires each ticket's SLA warnings and breaches
//! when they fall due, and raises an unacknowledged ward escalation to the
//! city centre, by itself.
//!
//! It sleeps until the first moment in the store's alarm index (or until a
//! ticket write rings the store's bell: the write may have added an earlier
//! alarm), fires what is due one alarm per transaction, and looks again. It
//! never scans the tickets: the work per fired alarm is one index lookup and
//! one ticket write, however many tickets are open. What fired is in the
//! store, so a restart neither repeats nor misses anything.
//!
//! It runs on a thread of its own (the store's writes block on fsync), in
//! `hotline serve` and in the TUI's process on a local store.

use crate::api::Backend;
use crate::domain::alarm::Stage;
use crate::domain::EventKind;
use crate::store::{Doorbell, FiredAlarm};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Who the scheduler's timeline entries are by.
pub const SYSTEM_USER: &str = "hotline";

/// The longest sleep between looks: a wall clock set forward, or a clock a
/// test moved, is noticed within this.
const LONGEST_NAP: Duration = Duration::from_secs(60);
/// The wait after the store failed before trying again.
const AFTER_FAILURE: Duration = Duration::from_secs(5);

#[derive(Default)]
struct Progress {
    stop: AtomicBool,
    passes: AtomicU64,
    fired: AtomicU64,
}

/// A running scheduler; dropping it stops it (after the alarm it is firing).
pub struct Scheduler {
    progress: Arc<Progress>,
    bell: Arc<Doorbell>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Starts the scheduler of `backend`'s store (the one place both modes
/// call). A scheduler that cannot start is logged, not fatal: the desk
/// works without it.
pub fn spawn(backend: &Arc<Backend>) -> Option<Scheduler> {
    match Scheduler::start(backend.clone()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::error!("the deadline scheduler did not start: {e}");
            None
        }
    }
}

impl Scheduler {
    pub fn start(backend: Arc<Backend>) -> std::io::Result<Scheduler> {
        let progress = Arc::new(Progress::default());
        let bell = backend.store.alarm_bell();
        let thread = {
            let (progress, bell) = (progress.clone(), bell.clone());
            std::thread::Builder::new()
                .name("hotline-sched".into())
                .spawn(move || run(&backend, &progress, &bell))?
        };
        Ok(Scheduler {
            progress,
            bell,
            thread: Some(thread),
        })
    }

    /// Looks again now (after a clock was moved).
    pub fn nudge(&self) {
        self.bell.ring();
    }

    /// Completed looks (fire what is due, then work out the next sleep).
    pub fn passes(&self) -> u64 {
        self.progress.passes.load(Ordering::SeqCst)
    }

    /// Alarms fired since it started.
    pub fn fired(&self) -> u64 {
        self.progress.fired.load(Ordering::SeqCst)
    }

    /// Waits until a whole look has begun and ended after this call.
    pub fn settle(&self, max: Duration) -> bool {
        let start = self.passes();
        let until = std::time::Instant::now() + max;
        while self.passes() < start + 2 {
            if std::time::Instant::now() > until {
                return false;
            }
            self.nudge();
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        self.progress.stop.store(true, Ordering::SeqCst);
        self.bell.ring();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(backend: &Backend, progress: &Progress, bell: &Doorbell) {
    tracing::info!("deadline scheduler started");
    while !progress.stop.load(Ordering::SeqCst) {
        let nap = match fire_due(backend, progress) {
            Ok(nap) => nap,
            Err(e) => {
                tracing::error!("deadline scheduler: {e}");
                AFTER_FAILURE
            }
        };
        progress.passes.fetch_add(1, Ordering::SeqCst);
        if progress.stop.load(Ordering::SeqCst) {
            break;
        }
        bell.wait(nap);
    }
    tracing::info!("deadline scheduler stopped");
}

/// Fires everything due now; returns how long to sleep until the next alarm.
fn fire_due(backend: &Backend, progress: &Progress) -> crate::store::StoreResult<Duration> {
    loop {
        if progress.stop.load(Ordering::SeqCst) {
            return Ok(Duration::ZERO);
        }
        let now = (backend.clock)();
        match backend.store.fire_due_alarm(now, SYSTEM_USER)? {
            Some(fired) => {
                log(&fired);
                progress.fired.fetch_add(1, Ordering::SeqCst);
                backend.search.ticket_changed(&fired.ticket);
                backend.live.publish(&fired.ticket);
            }
            None => {
                return Ok(match backend.store.next_alarm()? {
                    Some(at) => Duration::from_secs((at.0 - now.0).max(1) as u64).min(LONGEST_NAP),
                    None => LONGEST_NAP,
                })
            }
        }
    }
}

fn log(fired: &FiredAlarm) {
    let (id, a) = (fired.ticket.id, &fired.alarm);
    let stage = match a.stage {
        Stage::Warning => "warning",
        Stage::Breach => "breach",
    };
    tracing::info!(
        "{id}: SLA {stage} of {} (level {}, due {})",
        a.clock.slug(),
        a.level,
        a.at
    );
    for e in &fired.events {
        if let EventKind::LevelRaised { from, to, reason } = &e.kind {
            tracing::warn!("{id}: escalation raised from level {from} to {to} ({reason})");
        }
    }
}
