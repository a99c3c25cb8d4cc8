//! Users, keyed by login name.

use super::codec::{decode, encode};
use super::{corrupt, Store, StoreError, StoreResult};
use crate::domain::{Role, User, ValidationError};

impl Store {
    /// Adds or replaces a user. The first user of a store must be an admin
    /// (nobody else could ever add users), and the last admin stays one.
    /// Durable when it returns.
    pub fn put_user(&self, user: &User) -> StoreResult<()> {
        let _gate = self.write_gate();
        let _one_at_a_time = self.user_writes.lock().unwrap_or_else(|p| p.into_inner());
        let users = self.users()?;
        if users.is_empty() && user.role != Role::Admin {
            return Err(StoreError::Invalid(vec![ValidationError::new(
                "role",
                format!(
                    "the first user of a store must be an admin, not a {} (only an admin can add users)",
                    user.role
                ),
            )]));
        }
        let admins = users.iter().filter(|u| u.role == Role::Admin).count();
        let demotes_an_admin = user.role != Role::Admin
            && users
                .iter()
                .any(|u| u.name == user.name && u.role == Role::Admin);
        if demotes_an_admin && admins == 1 {
            return Err(StoreError::Invalid(vec![ValidationError::new(
                "role",
                format!(
                    "{} is the last admin and must stay one; make another user an admin first",
                    user.name
                ),
            )]));
        }
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
