//! Users and roles.

use super::WardCode;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Tổng đài viên: looks callers up, logs and escalates tickets.
    Operator,
    /// Tổ ứng cứu phường: works the escalations of its wards.
    Responder,
    /// Giám sát: everything, plus reports, reassigning, cancelling duplicates.
    Supervisor,
    /// Users, wards, policy.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Operator,
        Role::Responder,
        Role::Supervisor,
        Role::Admin,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Responder => "responder",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn from_slug(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.slug() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Operator => "Tổng đài viên",
            Role::Responder => "Tổ ứng cứu",
            Role::Supervisor => "Giám sát",
            Role::Admin => "Quản trị",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Login name: lowercase ASCII letters, digits, `.`, `_`, `-`.
    pub name: String,
    pub display_name: String,
    pub role: Role,
    /// Wards a responder works for (empty for other roles).
    pub wards: Vec<WardCode>,
}

impl User {
    /// Whether this user may see tickets at all (admins configure, they do not work tickets).
    pub fn works_tickets(&self) -> bool {
        self.role != Role::Admin
    }

    pub fn covers_ward(&self, ward: WardCode) -> bool {
        self.wards.contains(&ward)
    }
}
