//! Dossiers, keyed by code, with an applicant-phone index.

use super::codec::{concat, decode, encode, read_u64, u64_key};
use super::tickets::untx;
use super::{corrupt, Changed, Store, StoreResult};
use crate::domain::Dossier;
use sled::Transactional;

/// What a batch of dossier writes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PutOutcome {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Store {
    /// Inserts or replaces dossiers by code; identical records are left alone,
    /// so re-importing the same file changes nothing. Durable when it returns.
    pub fn put_dossiers(&self, dossiers: &[Dossier]) -> StoreResult<PutOutcome> {
        let out = self.put_dossiers_unflushed(dossiers)?;
        self.flush()?;
        Ok(out)
    }

    /// As [`Store::put_dossiers`] without the flush (bulk demo generation).
    /// The dossiers, their phone index and the count change in one transaction.
    pub fn put_dossiers_unflushed(&self, dossiers: &[Dossier]) -> StoreResult<PutOutcome> {
        let _gate = self.write_gate();
        let trees = [
            &self.dossiers,
            &self.dossiers_by_phone,
            &self.meta,
            &self.changes,
        ];
        untx(trees[..].transaction(|v| {
            let (main, phones, meta, changes) = (&v[0], &v[1], &v[2], &v[3]);
            let mut out = PutOutcome::default();
            let mut changed = Vec::new();
            for d in dossiers {
                let value = encode(d);
                match main.get(d.code.as_bytes())? {
                    Some(o) if o.as_ref() == value.as_slice() => {
                        out.unchanged += 1;
                        continue;
                    }
                    Some(o) => {
                        out.updated += 1;
                        if let Ok(prev) = decode::<Dossier>(&o) {
                            if let Some(p) = prev.applicant_phone {
                                phones.remove(phone_key(p.as_str(), &prev.code))?;
                            }
                        }
                    }
                    None => out.added += 1,
                }
                if let Some(p) = &d.applicant_phone {
                    phones.insert(phone_key(p.as_str(), &d.code), &[] as &[u8])?;
                }
                main.insert(d.code.as_bytes(), value)?;
                changed.push(Changed::Dossier(d.code.clone()));
            }
            super::changes::record(meta, changes, &changed)?;
            if out.added > 0 {
                let before = read_u64(meta.get("dossiers")?);
                meta.insert("dossiers", &u64_key(before + out.added as u64))?;
            }
            Ok(out)
        }))
    }

    pub fn dossier(&self, code: &str) -> StoreResult<Option<Dossier>> {
        self.dossiers
            .get(code.as_bytes())?
            .map(|b| decode(&b).map_err(|e| corrupt(&format!("dossier {code}"), e)))
            .transpose()
    }

    /// Dossiers whose applicant has this (normalised) phone.
    pub fn dossiers_by_phone(&self, phone: &str) -> StoreResult<Vec<Dossier>> {
        let prefix = concat(&[phone.as_bytes(), &[0]]);
        let mut out = Vec::new();
        for k in self.dossiers_by_phone.scan_prefix(&prefix).keys() {
            let k = k?;
            let code = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
            if let Some(d) = self.dossier(&code)? {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// Every dossier's stored bytes in code order, for a reader that decodes
    /// them elsewhere ([`Store::decode_dossier`]; the search index build
    /// decodes on every core).
    pub fn all_dossier_bytes(&self) -> impl Iterator<Item = StoreResult<sled::IVec>> + '_ {
        self.dossiers.iter().values().map(|r| Ok(r?))
    }

    /// A dossier from the bytes [`Store::all_dossier_bytes`] gave.
    pub fn decode_dossier(bytes: &[u8]) -> StoreResult<Dossier> {
        decode(bytes).map_err(|e| corrupt("dossier", e))
    }

    /// Every dossier in code order.
    pub fn all_dossiers(&self) -> impl Iterator<Item = StoreResult<Dossier>> + '_ {
        self.dossiers.iter().values().map(|r| {
            let v = r?;
            decode(&v).map_err(|e| corrupt("dossier", e))
        })
    }
}

fn phone_key(phone: &str, code: &str) -> Vec<u8> {
    concat(&[phone.as_bytes(), &[0], code.as_bytes()])
}
