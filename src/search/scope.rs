//! What a user may find, as a bitmap of documents. A query carries it and the
//! index intersects it with the candidates before counting and ranking them:
//! a filter on the results instead would count what the user cannot see and
//! let it crowd their results out of the top.

use super::{DocKind, SearchIndex};
use crate::domain::{Role, User, WardCode};
use roaring::RoaringBitmap;
use std::sync::Arc;

/// The documents a query may return. Cheap to clone: a user's scope is made
/// once per index version and shared by their keystrokes.
#[derive(Debug, Clone)]
pub struct Scope(Arc<RoaringBitmap>);

impl Scope {
    /// The index's side of `can_see` (and of `LocalApi::dossier`): `None` when
    /// `user` may find everything.
    pub fn of(index: &SearchIndex, user: &User) -> Option<Scope> {
        match user.role {
            Role::Operator | Role::Supervisor => None,
            Role::Responder => Some(Scope::ward_team(index, &user.wards)),
            // Admins work no tickets, but look wards and procedures up.
            Role::Admin => Some(Scope::reference(index)),
        }
    }

    /// A ward team's view: tickets escalated to its wards, its wards'
    /// dossiers, and the public reference (every ward and procedure).
    pub fn ward_team(index: &SearchIndex, wards: &[WardCode]) -> Scope {
        let mut visible = index.escalated_to(wards);
        visible |= index.in_wards(wards) & index.of_kind(DocKind::Dossier);
        visible |= index.of_kind(DocKind::Ward);
        visible |= index.of_kind(DocKind::Procedure);
        Scope(Arc::new(visible))
    }

    /// The public reference only: every ward and procedure.
    pub fn reference(index: &SearchIndex) -> Scope {
        Scope(Arc::new(
            index.of_kind(DocKind::Ward) | index.of_kind(DocKind::Procedure),
        ))
    }

    pub(super) fn bitmap(&self) -> &RoaringBitmap {
        &self.0
    }
}

impl PartialEq for Scope {
    fn eq(&self, other: &Scope) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl Eq for Scope {}
