//! Users, keyed by login name.

use super::codec::{decode, encode};
use super::{corrupt, Store, StoreResult};
use crate::domain::User;

impl Store {
    /// Adds or replaces a user. Durable when it returns.
    pub fn put_user(&self, user: &User) -> StoreResult<()> {
        let _gate = self.write_gate();
        self.users.insert(user.name.as_bytes(), encode(user))?;
        self.flush()
    }

    pub fn user(&self, name: &str) -> StoreResult<Option<User>> {
        self.users
            .get(name.as_bytes())?
            .map(|b| decode(&b).map_err(|e| corrupt(&format!("user {name}"), e)))
            .transpose()
    }

    pub fn users(&self) -> StoreResult<Vec<User>> {
        self.users
            .iter()
            .values()
            .map(|r| {
                let v = r?;
                decode(&v).map_err(|e| corrupt("user", e))
            })
            .collect()
    }

    pub fn has_users(&self) -> bool {
        !self.users.is_empty()
    }
}
