//! Sign-in tokens for the hub. A token is shown once when issued and kept
//! only as its SHA-256 hash: `tokens` maps a hash to its user, `token_of`
//! a user to the hash of their one current token (so a new token or a
//! revocation retires the old one).

use super::codec::to_hex;
use super::tickets::untx;
use super::{Store, StoreError, StoreResult};
use sha2::{Digest, Sha256};
use sled::Transactional;
use subtle::ConstantTimeEq;

const TOKEN_PREFIX: &str = "hl_";

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Store {
    /// Makes a new random token for `name`, replacing any earlier one, and
    /// returns it: the only time it exists outside the caller's hands.
    pub fn issue_token(&self, name: &str) -> StoreResult<String> {
        if self.user(name)?.is_none() {
            return Err(StoreError::NotFound(format!("user {name}")));
        }
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| {
            StoreError::Durability(std::io::Error::other(format!(
                "no randomness for a token: {e}"
            )))
        })?;
        let token = format!("{TOKEN_PREFIX}{}", to_hex(&secret));
        let digest = hash(&token);
        let _gate = self.write_gate();
        untx(
            (&self.tokens, &self.token_of).transaction(|(tokens, token_of)| {
                if let Some(old) = token_of.get(name.as_bytes())? {
                    tokens.remove(old)?;
                }
                tokens.insert(&digest[..], name.as_bytes())?;
                token_of.insert(name.as_bytes(), &digest[..])?;
                Ok(())
            }),
        )?;
        self.flush()?;
        Ok(token)
    }

    /// Retires `name`'s token; `false` when they had none.
    pub fn revoke_token(&self, name: &str) -> StoreResult<bool> {
        let _gate = self.write_gate();
        let had = untx(
            (&self.tokens, &self.token_of).transaction(|(tokens, token_of)| {
                Ok(match token_of.remove(name.as_bytes())? {
                    Some(old) => {
                        tokens.remove(old)?;
                        true
                    }
                    None => false,
                })
            }),
        )?;
        self.flush()?;
        Ok(had)
    }

    /// Whether `name` has a token.
    pub fn has_token(&self, name: &str) -> StoreResult<bool> {
        Ok(self.token_of.contains_key(name.as_bytes())?)
    }

    /// The user a presented token belongs to, if it is current.
    pub fn user_by_token(&self, token: &str) -> StoreResult<Option<crate::domain::User>> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let digest = hash(token);
        let Some(name) = self.tokens.get(digest)? else {
            return Ok(None);
        };
        let name = String::from_utf8_lossy(&name).into_owned();
        // The hash lookup found it; compare the user's current hash in
        // constant time too, so a retired token never passes.
        let current = self.token_of.get(name.as_bytes())?;
        match current {
            Some(h) if bool::from(h.as_ref().ct_eq(&digest[..])) => self.user(&name),
            _ => Ok(None),
        }
    }
}
