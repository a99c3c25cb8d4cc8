//! Tickets, their timelines, the idempotency map and the ticket indexes.

use super::codec::{
    concat, decode, encode, from_hex, i64_key, id_from_key_tail, prefix_end, to_hex, u64_key,
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
const T_TICKETS: usize = 0;
const T_EVENTS: usize = 1;
const T_REQUESTS: usize = 2;
const T_META: usize = 3;
const T_STATUS: usize = 4;
const T_WARD: usize = 5;
const T_PHONE: usize = 6;
const T_DOSSIER: usize = 7;
const T_DUE: usize = 8;
const T_CHANGES: usize = 9;

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

fn abort<T>(e: StoreError) -> TxResult<T> {
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
    out
}

fn event_key(id: TicketId, seq: u32) -> Vec<u8> {
    concat(&[&u64_key(id.0), &seq.to_be_bytes()])
}

fn write_ticket(
    v: &[TransactionalTree],
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
    v[T_TICKETS].insert(&u64_key(t.id.0), encode(t))?;
    for ev in events {
        v[T_EVENTS].insert(event_key(t.id, ev.seq), encode(ev))?;
    }
    super::changes::record(&v[T_META], &v[T_CHANGES], &[Changed::Ticket(t.id)])
}

fn read_ticket(tree: &TransactionalTree, id: TicketId) -> TxResult<Option<Ticket>> {
    match tree.get(u64_key(id.0))? {
        Some(bytes) => match decode(&bytes) {
            Ok(t) => Ok(Some(t)),
            Err(e) => abort(corrupt(&format!("ticket {id}"), e)),
        },
        None => Ok(None),
    }
}

fn stamp(t: &mut Ticket, kinds: Vec<EventKind>, by: &str, at: Ts) -> Vec<Event> {
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
    fn write_trees(&self) -> [&Tree; 10] {
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
                let counter = v[T_META]
                    .get("tickets")?
                    .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
                    .map(u64::from_be_bytes)
                    .unwrap_or(0);
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
                write_ticket(v, None, &ticket, &events)?;
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
            self.flush()?;
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
            write_ticket(v, Some(&old), &t, &events)?;
            Ok(t)
        }))?;
        self.flush()?;
        Ok(ticket)
    }

    /// Writes a complete ticket with its timeline as is (demo data, restore).
    /// Not flushed: call [`Store::flush`] after a batch.
    pub fn put_ticket_with_events(&self, ticket: &Ticket, events: &[Event]) -> StoreResult<()> {
        let _gate = self.write_gate();
        let trees = self.write_trees();
        untx(trees[..].transaction(|v| {
            let old = read_ticket(&v[T_TICKETS], ticket.id)?;
            write_ticket(v, old.as_ref(), ticket, events)?;
            v[T_REQUESTS].insert(ticket.request_id.as_bytes(), &u64_key(ticket.id.0))?;
            let last = v[T_META]
                .get("tickets")?
                .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            if ticket.id.0 > last {
                v[T_META].insert("tickets", &u64_key(ticket.id.0))?;
            }
            Ok(())
        }))
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
        let (tree, prefix, newest_first): (&Tree, Vec<u8>, bool) = match query {
            ListQuery::All => (&self.tickets, vec![], true),
            ListQuery::Status(s) => (&self.by_status, vec![s.code()], true),
            ListQuery::Ward(w) => (&self.by_ward, w.to_be_bytes().to_vec(), true),
            ListQuery::Phone(p) => (&self.by_phone, concat(&[p.as_bytes(), &[0]]), true),
            ListQuery::Dossier(d) => (&self.by_dossier, concat(&[d.as_bytes(), &[0]]), true),
            ListQuery::Due => (&self.by_due, vec![], false),
        };
        let lower = match (&after, newest_first) {
            (Some(a), false) => Bound::Excluded(a.clone()),
            _ => Bound::Included(prefix.clone()),
        };
        let upper = match (&after, newest_first) {
            (Some(a), true) => Bound::Excluded(a.clone()),
            _ => prefix_end(&prefix).map_or(Bound::Unbounded, Bound::Excluded),
        };
        let range = tree.range::<Vec<u8>, _>((lower, upper));
        let iter: Box<dyn Iterator<Item = sled::Result<(IVec, IVec)>>> = if newest_first {
            Box::new(range.rev())
        } else {
            Box::new(range)
        };
        let mut tickets = Vec::new();
        let mut last_key = None;
        for item in iter {
            let (key, value) = item?;
            let ticket: Ticket = if std::ptr::eq(tree, &self.tickets) {
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

    /// Ids in an index (for consistency checks): every (index name, key) pair.
    pub fn index_snapshot(&self) -> StoreResult<Vec<(String, Vec<u8>)>> {
        let mut out = Vec::new();
        for (name, tree) in [
            ("status", &self.by_status),
            ("ward", &self.by_ward),
            ("phone", &self.by_phone),
            ("dossier", &self.by_dossier),
            ("due", &self.by_due),
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
        let names = ["status", "ward", "phone", "dossier", "due"];
        let mut out: Vec<(String, Vec<u8>)> = tickets
            .iter()
            .flat_map(index_entries)
            .map(|(pos, k)| (names[pos - T_STATUS].to_string(), k))
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
