//! The alarm index: every alarm of an open ticket that has not fired yet,
//! ordered by its moment, and the markers of those that fired.
//!
//! - `by_alarm`: `moment (i64 BE) ‖ ticket id ‖ clock ‖ stage ‖ level` → empty.
//!   Written in every ticket write's transaction, so it always agrees with
//!   the ticket; its first key is the next moment anything is due.
//! - `alarms_fired`: `ticket id ‖ clock ‖ stage ‖ level` → the run it fired
//!   for (i64 BE, see [`Alarm::run`]). Written in the same transaction as the
//!   timeline event, so an alarm fires once: a crash before the flush loses
//!   both, and it fires again; after, neither.
//!
//! A store written before the index existed gets it built on open (the
//! `alarm_index` meta marker says it was).

use super::codec::{concat, i64_key, u64_key};
use super::tickets::{
    notify, read_ticket, stamp, untx, write_ticket, TxResult, T_ALARM, T_FIRED, T_TICKETS,
};
use super::{corrupt, Store, StoreError, StoreResult};
use crate::domain::alarm::{self, clock_code, clock_from_code, Alarm, Stage};
use crate::domain::Policy;
use crate::domain::{Event, SlaClock, Ticket, TicketId, Ts};
use sled::transaction::TransactionalTree;
use sled::Transactional;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Meta key: the fingerprint of the policy the index was built under.
const BUILT_KEY: &str = "alarm_index";

fn policy_fingerprint(policy: &Policy) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(format!("{policy:?}").as_bytes()).into()
}

/// Wakes whoever waits for the alarm index to change (the scheduler).
#[derive(Default)]
pub struct Doorbell {
    rung: Mutex<bool>,
    bell: Condvar,
}

impl Doorbell {
    pub fn ring(&self) {
        *self.rung.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.bell.notify_all();
    }

    /// Waits until rung (then `true`) or `max` passed (`false`); a ring
    /// that came before the wait counts.
    pub fn wait(&self, max: Duration) -> bool {
        let rung = self.rung.lock().unwrap_or_else(|e| e.into_inner());
        let (mut rung, _) = self
            .bell
            .wait_timeout_while(rung, max, |rung| !*rung)
            .unwrap_or_else(|e| e.into_inner());
        std::mem::replace(&mut *rung, false)
    }
}

/// An alarm waiting in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PendingAlarm {
    pub at: Ts,
    pub ticket: TicketId,
    pub clock: SlaClock,
    pub stage: Stage,
    pub level: u8,
}

impl PendingAlarm {
    fn decode(key: &[u8]) -> Option<PendingAlarm> {
        let at = i64::from_be_bytes(key.get(..8)?.try_into().ok()?) ^ i64::MIN;
        let id = u64::from_be_bytes(key.get(8..16)?.try_into().ok()?);
        let [clock, stage, level] = key.get(16..)?.try_into().ok()?;
        Some(PendingAlarm {
            at: Ts(at),
            ticket: TicketId(id),
            clock: clock_from_code(clock)?,
            stage: Stage::from_code(stage)?,
            level,
        })
    }

    fn matches(&self, a: &Alarm) -> bool {
        (self.at, self.clock, self.stage, self.level) == (a.at, a.clock, a.stage, a.level)
    }
}

/// What firing an alarm wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct FiredAlarm {
    pub ticket: Ticket,
    pub alarm: Alarm,
    pub events: Vec<Event>,
}

fn alarm_key(id: TicketId, a: &Alarm) -> Vec<u8> {
    concat(&[
        &i64_key(a.at.0),
        &u64_key(id.0),
        &[clock_code(a.clock), a.stage.code(), a.level],
    ])
}

fn fired_key(id: TicketId, a: &Alarm) -> Vec<u8> {
    concat(&[
        &u64_key(id.0),
        &[clock_code(a.clock), a.stage.code(), a.level],
    ])
}

fn is_fired(fired: &TransactionalTree, id: TicketId, a: &Alarm) -> TxResult<bool> {
    Ok(fired.get(fired_key(id, a))?.as_deref() == Some(&i64_key(a.run.0)[..]))
}

/// Brings the index from `old`'s alarms to `t`'s, leaving out fired ones
/// (inside a ticket write's transaction).
pub(super) fn write_alarms(
    index: &TransactionalTree,
    fired: &TransactionalTree,
    policy: &Policy,
    old: Option<&Ticket>,
    t: &Ticket,
) -> TxResult<()> {
    for a in old.map(|o| alarm::alarms(o, policy)).unwrap_or_default() {
        index.remove(alarm_key(t.id, &a))?;
    }
    for a in alarm::alarms(t, policy) {
        if !is_fired(fired, t.id, &a)? {
            index.insert(alarm_key(t.id, &a), &[] as &[u8])?;
        }
    }
    Ok(())
}

/// One attempt at the first due alarm.
enum Attempt {
    Fired(Box<FiredAlarm>),
    /// The key no longer stood for an alarm of its ticket (dropped), or
    /// another write took it first: look again.
    Again,
}

impl Store {
    /// The bell rung after every ticket write.
    pub fn alarm_bell(&self) -> std::sync::Arc<Doorbell> {
        self.alarm_bell.clone()
    }

    /// The moment of the next alarm, if any.
    pub fn next_alarm(&self) -> StoreResult<Option<Ts>> {
        Ok(match self.by_alarm.first()? {
            Some((key, _)) => Some(
                PendingAlarm::decode(&key)
                    .ok_or_else(|| corrupt("alarm index", "unreadable key"))?
                    .at,
            ),
            None => None,
        })
    }

    /// Every alarm waiting in the index, soonest first.
    pub fn pending_alarms(&self) -> StoreResult<Vec<PendingAlarm>> {
        self.by_alarm
            .iter()
            .keys()
            .map(|k| {
                PendingAlarm::decode(&k?).ok_or_else(|| corrupt("alarm index", "unreadable key"))
            })
            .collect()
    }

    /// Fires the first alarm due at `now`, if any, in one transaction: its
    /// timeline entries (by `by`), its fired marker, the ticket's new
    /// version and alarms. Durable when it returns.
    pub fn fire_due_alarm(&self, now: Ts, by: &str) -> StoreResult<Option<FiredAlarm>> {
        loop {
            let Some((key, _)) = self.by_alarm.first()? else {
                return Ok(None);
            };
            let Some(due) = PendingAlarm::decode(&key) else {
                self.drop_unusable_alarm(&key, "the key is unreadable")?;
                continue;
            };
            if due.at > now {
                return Ok(None);
            }
            let planner = self.outbox_planner();
            let policy = self.policy();
            let notified = std::cell::Cell::new(0);
            let attempt = {
                let _gate = self.write_gate();
                let trees = self.write_trees();
                untx(trees[..].transaction(|v| {
                    if v[T_ALARM].get(&key)?.is_none() {
                        return Ok(Attempt::Again);
                    }
                    let Some(old) = read_ticket(&v[T_TICKETS], due.ticket)? else {
                        v[T_ALARM].remove(&key)?;
                        return Ok(Attempt::Again);
                    };
                    let mut live = None;
                    for a in alarm::alarms(&old, &policy) {
                        if due.matches(&a) && !is_fired(&v[T_FIRED], old.id, &a)? {
                            live = Some(a);
                        }
                    }
                    let Some(a) = live else {
                        v[T_ALARM].remove(&key)?;
                        return Ok(Attempt::Again);
                    };
                    let mut t = old.clone();
                    let kinds = alarm::fire(&mut t, &a, now, by, &policy);
                    let events = stamp(&mut t, kinds, by, now);
                    v[T_FIRED].insert(fired_key(t.id, &a), &i64_key(a.run.0))?;
                    write_ticket(v, &policy, Some(&old), &t, &events)?;
                    notified.set(notify(v, planner.as_deref(), Some(&old), &t, &events)?);
                    Ok(Attempt::Fired(Box::new(FiredAlarm {
                        ticket: t,
                        alarm: a,
                        events,
                    })))
                }))
            };
            match attempt {
                Ok(Attempt::Fired(fired)) => {
                    self.flush()?;
                    if notified.get() > 0 {
                        self.outbox_written();
                    }
                    return Ok(Some(*fired));
                }
                Ok(Attempt::Again) => {}
                // One damaged ticket must not hold up every later alarm.
                Err(StoreError::Corrupt(why)) => self.drop_unusable_alarm(&key, &why)?,
                Err(e) => return Err(e),
            }
        }
    }

    fn drop_unusable_alarm(&self, key: &[u8], why: &str) -> StoreResult<()> {
        tracing::error!("dropped an alarm that cannot fire ({why})");
        let _gate = self.write_gate();
        self.by_alarm.remove(key)?;
        Ok(())
    }

    /// Marks every alarm due by `at` as fired without a timeline entry: the
    /// demo's made-up history is not replayed as a burst of alarms.
    pub fn settle_alarms_due_by(&self, at: Ts) -> StoreResult<u64> {
        let end = concat(&[&i64_key(at.0.saturating_add(1))]);
        let policy = self.policy();
        let mut n = 0;
        let _gate = self.write_gate();
        for key in self.by_alarm.range(..end).keys() {
            let key = key?;
            let due = PendingAlarm::decode(&key)
                .ok_or_else(|| corrupt("alarm index", "unreadable key"))?;
            let Some(t) = self.ticket(due.ticket)? else {
                continue;
            };
            let tx = (&self.by_alarm, &self.alarms_fired).transaction(|(index, fired)| {
                for a in alarm::alarms(&t, &policy).iter().filter(|a| due.matches(a)) {
                    fired.insert(fired_key(t.id, a), &i64_key(a.run.0))?;
                }
                index.remove(&key)?;
                Ok::<_, sled::transaction::ConflictableTransactionError<StoreError>>(())
            });
            untx(tx)?;
            n += 1;
        }
        Ok(n)
    }

    /// The SLA policy alarm moments are computed under (the shipped one
    /// until [`Store::set_policy`]).
    pub fn policy(&self) -> Arc<Policy> {
        self.policy
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Computes alarms under `policy` from now on, and rebuilds the index
    /// when it was built under another policy (warning moments move with
    /// the threshold and the calendars).
    pub fn set_policy(&self, policy: Arc<Policy>) -> StoreResult<()> {
        *self.policy.write().unwrap_or_else(|e| e.into_inner()) = policy;
        self.ensure_alarm_index()
    }

    /// Builds the index of a store written before it existed, or under
    /// another policy.
    pub(super) fn ensure_alarm_index(&self) -> StoreResult<()> {
        let policy = self.policy();
        let fingerprint = policy_fingerprint(&policy);
        if self.meta.get(BUILT_KEY)?.as_deref() == Some(&fingerprint[..]) {
            return Ok(());
        }
        let _gate = self.write_gate();
        let had_tickets = !self.tickets.is_empty();
        self.by_alarm.clear()?;
        for t in self.all_tickets() {
            // A damaged ticket has no alarms; it must not keep the store shut.
            let t = match t {
                Ok(t) => t,
                Err(StoreError::Corrupt(why)) => {
                    tracing::error!("no alarms for a damaged ticket ({why})");
                    continue;
                }
                Err(e) => return Err(e),
            };
            let tx = (&self.by_alarm, &self.alarms_fired).transaction(|(index, fired)| {
                for a in alarm::alarms(&t, &policy) {
                    if !is_fired(fired, t.id, &a)? {
                        index.insert(alarm_key(t.id, &a), &[] as &[u8])?;
                    }
                }
                Ok(())
            });
            untx(tx)?;
        }
        self.meta.insert(BUILT_KEY, &fingerprint[..])?;
        if had_tickets {
            tracing::info!("built the alarm index of {}", self.path.display());
            self.flush()?;
        }
        Ok(())
    }
}
