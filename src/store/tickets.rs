//! Tickets, their timelines, the idempotency map and the ticket indexes.

use super::codec::{
    concat, decode, encode, from_hex, i64_key, id_from_key_tail, prefix_end, read_u64, to_hex,
    u64_key,
};
use super::{corrupt, Changed, Store, StoreError, StoreResult};
use crate::domain::{
    DomainError, Event, EventKind, NewTicket, Status, Ticket, TicketId, Ts, WardCode,
};
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::{IVec, Transactional, Tree};
use std::ops::Bound;
use uuid::Uuid;

// Positions of the trees in a write transaction's view.
pub(super) const T_TICKETS: usize = 0;
const T_EVENTS: usize = 1;
const T_REQUESTS: usize = 2;
const T_META: usize = 3;
const T_STATUS: usize = 4;
const T_WARD: usize = 5;
const T_PHONE: usize = 6;
const T_DOSSIER: usize = 7;
const T_DUE: usize = 8;
const T_CHANGES: usize = 9;
pub(super) const T_ALARM: usize = 10;
pub(super) const T_FIRED: usize = 11;
const T_OUTBOX: usize = 12;
const T_OWNER: usize = 13;
const T_WAITING: usize = 14;

/// Index entries in walking order: (cursor key, value).
type KeyWalk = Box<dyn Iterator<Item = sled::Result<(IVec, IVec)>>>;

pub(super) type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

pub(super) fn abort<T>(e: StoreError) -> TxResult<T> {
    Err(ConflictableTransactionError::Abort(e))
}

pub(super) fn untx<T>(r: Result<T, TransactionError<StoreError>>) -> StoreResult<T> {
    r.map_err(|e| match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => StoreError::Sled(e),
    })
}

/// Every index entry of a ticket: (tree position, key). Values are empty.
fn index_entries(t: &Ticket) -> Vec<(usize, Vec<u8>)> {
    let id = u64_key(t.id.0);
    let mut out = vec![(T_STATUS, concat(&[&[t.status.code()], &id]))];
    let mut wards: Vec<WardCode> = t.ward.into_iter().collect();
    if let Some(e) = &t.escalation {
        if !wards.contains(&e.ward) {
            wards.push(e.ward);
        }
    }
    for w in wards {
        out.push((T_WARD, concat(&[&w.to_be_bytes(), &id])));
    }
    if let Some(p) = &t.caller.phone {
        out.push((T_PHONE, concat(&[p.as_str().as_bytes(), &[0], &id])));
    }
    for d in &t.dossiers {
        out.push((T_DOSSIER, concat(&[d.as_bytes(), &[0], &id])));
    }
    if t.is_open() {
        out.push((T_DUE, concat(&[&i64_key(t.due().0), &id])));
    }
    out.extend(queue_entries(t));
    out
}

/// The queue indexes' entries of a ticket (schema 3), soonest due first
/// under each head: who has it while it is open (the "mine" queue, see
/// [`Ticket::owner`]), and the ward team it waits on while escalated or
/// acknowledged (the responders' queue).
fn queue_entries(t: &Ticket) -> Vec<(usize, Vec<u8>)> {
    let mut out = Vec::new();
    if !t.is_open() {
        return out;
    }
    let due_id = concat(&[&i64_key(t.due().0), &u64_key(t.id.0)]);
    if let Some(owner) = t.owner() {
        out.push((T_OWNER, concat(&[owner.as_bytes(), &[0], &due_id])));
    }
    if let (Some(e), true) = (&t.escalation, waits_on_ward(t.status)) {
        out.push((T_WAITING, concat(&[&e.ward.to_be_bytes(), &due_id])));
    }
    out
}

/// The statuses in which a ticket waits on a ward team.
fn waits_on_ward(status: Status) -> bool {
    matches!(status, Status::Escalated | Status::Acknowledged)
}

/// Rebuilds the queue indexes from the tickets (schema step 3).
pub(super) fn rebuild_queue_indexes(store: &Store) -> StoreResult<()> {
    store.by_owner.clear()?;
    store.waiting_by_ward.clear()?;
    for t in store.all_tickets() {
        for (pos, key) in queue_entries(&t?) {
            let tree = if pos == T_OWNER {
                &store.by_owner
            } else {
                &store.waiting_by_ward
            };
            tree.insert(key, &[] as &[u8])?;
        }
    }
    Ok(())
}

fn event_key(id: TicketId, seq: u32) -> Vec<u8> {
    concat(&[&u64_key(id.0), &seq.to_be_bytes()])
}

pub(super) fn write_ticket(
    v: &[TransactionalTree],
    policy: &crate::domain::Policy,
    old: Option<&Ticket>,
    t: &Ticket,
    events: &[Event],
) -> TxResult<()> {
    let old_entries = old.map(index_entries).unwrap_or_default();
    let new_entries = index_entries(t);
    for e in old_entries.iter().filter(|e| !new_entries.contains(e)) {
        v[e.0].remove(e.1.as_slice())?;
    }
    for e in new_entries.iter().filter(|e| !old_entries.contains(e)) {
        v[e.0].insert(e.1.as_slice(), &[] as &[u8])?;
    }
    super::alarms::write_alarms(&v[T_ALARM], &v[T_FIRED], policy, old, t)?;
    v[T_TICKETS].insert(&u64_key(t.id.0), encode(t))?;
    for ev in events {
        v[T_EVENTS].insert(event_key(t.id, ev.seq), encode(ev))?;
    }
    super::changes::record(&v[T_META], &v[T_CHANGES], &[Changed::Ticket(t.id)])
}

/// The change's notifications, into the outbox of the same transaction.
pub(super) fn notify(
    v: &[TransactionalTree],
    planner: Option<&dyn super::OutboxPlanner>,
    old: Option<&Ticket>,
    t: &Ticket,
    events: &[Event],
) -> TxResult<usize> {
    super::outbox::enqueue(&v[T_META], &v[T_OUTBOX], planner, old, t, events)
}

pub(super) fn read_ticket(tree: &TransactionalTree, id: TicketId) -> TxResult<Option<Ticket>> {
    match tree.get(u64_key(id.0))? {
        Some(bytes) => match decode(&bytes) {
            Ok(t) => Ok(Some(t)),
            Err(e) => abort(corrupt(&format!("ticket {id}"), e)),
        },
        None => Ok(None),
    }
}

pub(super) fn stamp(t: &mut Ticket, kinds: Vec<EventKind>, by: &str, at: Ts) -> Vec<Event> {
    kinds
        .into_iter()
        .map(|kind| {
            let ev = Event {
                seq: t.events,
                at,
                by: by.to_string(),
                kind,
            };
            t.events += 1;
            ev
        })
        .collect()
}

/// Which index to walk when listing, and the order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ListQuery {
    /// Every ticket, newest first.
    #[default]
    All,
    Status(Status),
    Ward(WardCode),
    Phone(String),
    Dossier(String),
    /// Open tickets, soonest due first.
    Due,
    /// Open tickets due before this instant, soonest due first: the overdue
    /// tail, which stops at now.
    DueBefore(Ts),
    /// Open tickets this user has (see [`Ticket::owner`]), soonest due first.
    Owner(String),
    /// Tickets waiting on these wards' teams (escalated or acknowledged),
    /// soonest due first; with `before`, only those due before it.
    Waiting {
        wards: Vec<WardCode>,
        before: Option<Ts>,
    },
}

impl ListQuery {
    fn tag(&self) -> &'static str {
        match self {
            ListQuery::All => "a",
            ListQuery::Status(_) => "s",
            ListQuery::Ward(_) => "w",
            ListQuery::Phone(_) => "p",
            ListQuery::Dossier(_) => "d",
            ListQuery::Due => "u",
            ListQuery::DueBefore(_) => "b",
            ListQuery::Owner(_) => "o",
            ListQuery::Waiting { .. } => "q",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub tickets: Vec<Ticket>,
    /// Cursor for the next page, if there may be more.
    pub next: Option<String>,
}

impl Store {
    pub(super) fn write_trees(&self) -> [&Tree; 15] {
        [
            &self.tickets,
            &self.events,
            &self.requests,
            &self.meta,
            &self.by_status,
            &self.by_ward,
            &self.by_phone,
            &self.by_dossier,
            &self.by_due,
            &self.changes,
            &self.by_alarm,
            &self.alarms_fired,
            &self.outbox,
            &self.by_owner,
            &self.waiting_by_ward,
        ]
    }

    /// Creates a ticket, or returns the one an earlier call with the same
    /// `request_id` created (`false` then). Durable when it returns.
    /// Deadlines from the shipped SLA policy.
    pub fn create_ticket(
        &self,
        request_id: Uuid,
        new: &NewTicket,
        by: &str,
        now: Ts,
    ) -> StoreResult<(Ticket, bool)> {
        self.create_ticket_under(&crate::domain::Policy::shipped(), request_id, new, by, now)
    }

    /// [`Store::create_ticket`] with the deadlines of `policy`.
    pub fn create_ticket_under(
        &self,
        policy: &crate::domain::Policy,
        request_id: Uuid,
        new: &NewTicket,
        by: &str,
        now: Ts,
    ) -> StoreResult<(Ticket, bool)> {
        let _gate = self.write_gate();
        let trees = self.write_trees();
        let alarm_policy = self.policy();
        let planner = self.outbox_planner();
        let notified = std::cell::Cell::new(0);
        let mut taken = 0;
        let result = loop {
            // The counter may be damaged or lost; the ids in use are the truth.
            let floor = self.last_ticket_id()?;
            let attempt = untx(trees[..].transaction(|v| {
                if let Some(existing) = v[T_REQUESTS].get(request_id.as_bytes())? {
                    let id = id_from_key_tail(&existing).unwrap_or(0);
                    return match read_ticket(&v[T_TICKETS], TicketId(id))? {
                        Some(t) => Ok((t, false)),
                        None => abort(corrupt(
                            "request map",
                            format!("points at missing ticket {id}"),
                        )),
                    };
                }
                let counter = read_u64(v[T_META].get("tickets")?);
                let id = TicketId(counter.max(floor) + 1);
                if v[T_TICKETS].get(u64_key(id.0))?.is_some() {
                    // Never overwrite: look for the last id again.
                    return abort(StoreError::IdTaken(id.0));
                }
                let mut ticket = match new
                    .clone()
                    .into_ticket_under(policy, id, request_id, by, now)
                {
                    Ok(t) => t,
                    Err(errors) => return abort(StoreError::Invalid(errors)),
                };
                let events = stamp(&mut ticket, vec![EventKind::Created], by, now);
                write_ticket(v, &alarm_policy, None, &ticket, &events)?;
                notified.set(notify(v, planner.as_deref(), None, &ticket, &events)?);
                v[T_REQUESTS].insert(request_id.as_bytes(), &u64_key(id.0))?;
                v[T_META].insert("tickets", &u64_key(id.0))?;
                Ok((ticket, true))
            }));
            match attempt {
                Err(StoreError::IdTaken(_)) if taken < 8 => taken += 1,
                other => break other?,
            }
        };
        if result.1 {
            self.alarm_bell.ring();
        }
        // A replay is acknowledged too: the ticket it found may be one whose
        // own call has not reached the disk yet (its flush failed, or is
        // still running in another thread).
        self.flush()?;
        if notified.get() > 0 {
            self.outbox_written();
        }
        Ok(result)
    }

    /// The highest ticket id in use (0 when there is none).
    pub(super) fn last_ticket_id(&self) -> StoreResult<u64> {
        Ok(match self.tickets.last()? {
            Some((key, _)) => id_from_key_tail(&key)
                .ok_or_else(|| corrupt("tickets", "a key is not a ticket id"))?,
            None => 0,
        })
    }

    /// Applies `change` (a pure function of the stored ticket) if the stored
    /// version is `expected_version`; otherwise `StoreError::Conflict` with
    /// the current ticket. Durable when it returns.
    pub fn update_ticket<F>(
        &self,
        id: TicketId,
        expected_version: u64,
        by: &str,
        now: Ts,
        change: F,
    ) -> StoreResult<Ticket>
    where
        F: Fn(&mut Ticket) -> Result<Vec<EventKind>, DomainError>,
    {
        let _gate = self.write_gate();
        let trees = self.write_trees();
        let alarm_policy = self.policy();
        let planner = self.outbox_planner();
        let notified = std::cell::Cell::new(0);
        let ticket = untx(trees[..].transaction(|v| {
            let Some(old) = read_ticket(&v[T_TICKETS], id)? else {
                return abort(StoreError::NotFound(format!("ticket {id}")));
            };
            if old.version != expected_version {
                return abort(StoreError::Conflict(Box::new(old)));
            }
            let mut t = old.clone();
            let kinds = match change(&mut t) {
                Ok(k) => k,
                Err(e) => return abort(StoreError::Domain(e)),
            };
            let events = stamp(&mut t, kinds, by, now);
            write_ticket(v, &alarm_policy, Some(&old), &t, &events)?;
            notified.set(notify(v, planner.as_deref(), Some(&old), &t, &events)?);
            Ok(t)
        }))?;
        self.alarm_bell.ring();
        self.flush()?;
        if notified.get() > 0 {
            self.outbox_written();
        }
        Ok(ticket)
    }

    /// Writes a complete ticket with its timeline as is (demo data, restore).
    /// Not flushed: call [`Store::flush`] after a batch.
    pub fn put_ticket_with_events(&self, ticket: &Ticket, events: &[Event]) -> StoreResult<()> {
        let _gate = self.write_gate();
        let trees = self.write_trees();
        let alarm_policy = self.policy();
        untx(trees[..].transaction(|v| {
            let old = read_ticket(&v[T_TICKETS], ticket.id)?;
            write_ticket(v, &alarm_policy, old.as_ref(), ticket, events)?;
            v[T_REQUESTS].insert(ticket.request_id.as_bytes(), &u64_key(ticket.id.0))?;
            let last = read_u64(v[T_META].get("tickets")?);
            if ticket.id.0 > last {
                v[T_META].insert("tickets", &u64_key(ticket.id.0))?;
            }
            Ok(())
        }))?;
        self.alarm_bell.ring();
        Ok(())
    }

    pub fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>> {
        self.tickets
            .get(u64_key(id.0))?
            .map(|b| decode(&b).map_err(|e| corrupt(&format!("ticket {id}"), e)))
            .transpose()
    }

    pub fn events(&self, id: TicketId) -> StoreResult<Vec<Event>> {
        self.events
            .scan_prefix(u64_key(id.0))
            .map(|r| {
                let (_, v) = r?;
                decode(&v).map_err(|e| corrupt(&format!("event of {id}"), e))
            })
            .collect()
    }

    /// Every ticket in id order.
    /// Every ticket as stored, in id order: decoded with [`Store::decode_ticket`]
    /// (on another thread than the one walking the tree).
    pub fn all_ticket_bytes(&self) -> impl Iterator<Item = StoreResult<IVec>> + '_ {
        self.tickets.iter().values().map(|r| Ok(r?))
    }

    /// A ticket from the bytes [`Store::all_ticket_bytes`] gave.
    pub fn decode_ticket(bytes: &[u8]) -> StoreResult<Ticket> {
        decode(bytes).map_err(|e| corrupt("ticket", e))
    }

    pub fn all_tickets(&self) -> impl Iterator<Item = StoreResult<Ticket>> + '_ {
        self.tickets.iter().values().map(|r| {
            let v = r?;
            decode(&v).map_err(|e| corrupt("ticket", e))
        })
    }

    /// Lists up to `limit` tickets from the index `query` names that `keep`
    /// accepts, continuing after `after` (a previous page's `next`).
    pub fn list_tickets(
        &self,
        query: &ListQuery,
        limit: usize,
        after: Option<&str>,
        mut keep: impl FnMut(&Ticket) -> bool,
    ) -> StoreResult<Listed> {
        let after = match after {
            None => None,
            Some(c) => {
                let (tag, hex) = c.split_once(':').unwrap_or(("", ""));
                match from_hex(hex) {
                    Some(k) if tag == query.tag() => Some(k),
                    _ => {
                        return Err(StoreError::Invalid(vec![
                            crate::domain::ValidationError::new(
                                "cursor",
                                "does not belong to this listing",
                            ),
                        ]))
                    }
                }
            }
        };
        let (keys, whole_tickets) = self.walk(query, after)?;
        let mut tickets = Vec::new();
        let mut last_key = None;
        for item in keys {
            let (key, value) = item?;
            let ticket: Ticket = if whole_tickets {
                decode(&value).map_err(|e| corrupt("ticket", e))?
            } else {
                let id = TicketId(id_from_key_tail(&key).unwrap_or(0));
                match self.ticket(id)? {
                    Some(t) => t,
                    None => continue,
                }
            };
            if keep(&ticket) {
                tickets.push(ticket);
            }
            last_key = Some(key);
            if tickets.len() >= limit {
                break;
            }
        }
        let next = match last_key {
            Some(k) if tickets.len() >= limit => Some(format!("{}:{}", query.tag(), to_hex(&k))),
            _ => None,
        };
        Ok(Listed { tickets, next })
    }

    /// The index entries (cursor key, value) `query` walks, in its order,
    /// after the cursor key `after`; and whether the values are whole
    /// tickets (otherwise the key ends in the ticket id).
    fn walk(&self, query: &ListQuery, after: Option<Vec<u8>>) -> StoreResult<(KeyWalk, bool)> {
        let (tree, prefix, newest_first, end): (&Tree, Vec<u8>, bool, Option<Vec<u8>>) = match query
        {
            ListQuery::All => (&self.tickets, vec![], true, None),
            ListQuery::Status(s) => (&self.by_status, vec![s.code()], true, None),
            ListQuery::Ward(w) => (&self.by_ward, w.to_be_bytes().to_vec(), true, None),
            ListQuery::Phone(p) => (&self.by_phone, concat(&[p.as_bytes(), &[0]]), true, None),
            ListQuery::Dossier(d) => (&self.by_dossier, concat(&[d.as_bytes(), &[0]]), true, None),
            ListQuery::Due => (&self.by_due, vec![], false, None),
            ListQuery::DueBefore(now) => {
                (&self.by_due, vec![], false, Some(i64_key(now.0).to_vec()))
            }
            ListQuery::Owner(name) => {
                let prefix = concat(&[name.as_bytes(), &[0]]);
                (&self.by_owner, prefix, false, None)
            }
            ListQuery::Waiting { wards, before } => {
                return Ok((self.walk_waiting(wards, *before, after), false));
            }
        };
        let lower = match (&after, newest_first) {
            (Some(a), false) => Bound::Excluded(a.clone()),
            _ => Bound::Included(prefix.clone()),
        };
        let upper = match (&after, newest_first, end) {
            (Some(a), true, _) => Bound::Excluded(a.clone()),
            (_, _, Some(end)) => Bound::Excluded(concat(&[&prefix, &end])),
            _ => prefix_end(&prefix).map_or(Bound::Unbounded, Bound::Excluded),
        };
        let range = tree.range::<Vec<u8>, _>((lower, upper));
        let keys: KeyWalk = if newest_first {
            Box::new(range.rev())
        } else {
            Box::new(range)
        };
        Ok((keys, std::ptr::eq(tree, &self.tickets)))
    }

    /// Each ward's waiting tickets merged into one walk by due time. Its
    /// keys are due time + id, without the ward, so that one cursor
    /// continues every ward's walk.
    fn walk_waiting(
        &self,
        wards: &[WardCode],
        before: Option<Ts>,
        after: Option<Vec<u8>>,
    ) -> KeyWalk {
        let mut wards = wards.to_vec();
        wards.sort_unstable();
        wards.dedup();
        let walks = wards
            .iter()
            .map(|w| {
                let head = w.to_be_bytes();
                let lower = match &after {
                    Some(a) => Bound::Excluded(concat(&[&head, a])),
                    None => Bound::Included(head.to_vec()),
                };
                let upper = match before {
                    Some(t) => Bound::Excluded(concat(&[&head, &i64_key(t.0)])),
                    None => prefix_end(&head).map_or(Bound::Unbounded, Bound::Excluded),
                };
                self.waiting_by_ward.range::<Vec<u8>, _>((lower, upper))
            })
            .collect();
        Box::new(super::merge::MergedByTail::new(walks, 4))
    }

    /// Ids in an index (for consistency checks): every (index name, key) pair.
    pub fn index_snapshot(&self) -> StoreResult<Vec<(String, Vec<u8>)>> {
        let mut out = Vec::new();
        for (name, tree) in [
            ("status", &self.by_status),
            ("ward", &self.by_ward),
            ("phone", &self.by_phone),
            ("dossier", &self.by_dossier),
            ("due", &self.by_due),
            ("owner", &self.by_owner),
            ("waiting", &self.waiting_by_ward),
        ] {
            for k in tree.iter().keys() {
                out.push((name.to_string(), k?.to_vec()));
            }
        }
        out.sort();
        Ok(out)
    }

    /// The index entries `index_snapshot` should hold for these tickets.
    pub fn expected_index(tickets: &[Ticket]) -> Vec<(String, Vec<u8>)> {
        let name = |pos| match pos {
            T_STATUS => "status",
            T_WARD => "ward",
            T_PHONE => "phone",
            T_DOSSIER => "dossier",
            T_DUE => "due",
            T_OWNER => "owner",
            _ => "waiting",
        };
        let mut out: Vec<(String, Vec<u8>)> = tickets
            .iter()
            .flat_map(index_entries)
            .map(|(pos, k)| (name(pos).to_string(), k))
            .collect();
        out.sort();
        out
    }
}

impl Store {
    /// How many tickets have each status (every status, zeros included),
    /// counted from the status index.
    pub fn ticket_counts_by_status(&self) -> StoreResult<Vec<(Status, u64)>> {
        Status::ALL
            .into_iter()
            .map(|s| {
                let mut n = 0u64;
                for entry in self.by_status.scan_prefix([s.code()]) {
                    entry?;
                    n += 1;
                }
                Ok((s, n))
            })
            .collect()
    }
}
