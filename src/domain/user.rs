//! Users and roles.

use super::WardCode;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Login name: lowercase ASCII letters, digits, `.`, `_`, `-`.
    pub name: String,
    pub display_name: String,
    pub role: Role,
    /// Wards a responder works for (empty for other roles).
    pub wards: Vec<WardCode>,
}

impl User {
    /// A user as typed by an admin, checked: a login name of 1–40 lowercase
    /// letters, digits, `.`, `_` or `-`; a display name (the login name if
    /// blank); a responder with at least one ward. Whether the wards exist is
    /// the caller's to check against the reference list.
    pub fn checked(
        name: &str,
        display_name: &str,
        role: Role,
        wards: Vec<WardCode>,
    ) -> Result<User, super::ValidationError> {
        use super::ValidationError;
        let name = name.trim();
        if name.is_empty()
            || name.len() > 40
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        {
            return Err(ValidationError::new(
                "name",
                "use 1-40 lowercase letters, digits, '.', '_' or '-'",
            ));
        }
        if role == Role::Responder && wards.is_empty() {
            return Err(ValidationError::new(
                "ward",
                "a responder needs at least one ward",
            ));
        }
        let shown = if display_name.trim().is_empty() {
            name
        } else {
            display_name
        };
        let display_name = super::validate::line("display_name", shown, 100, true)?;
        let mut wards = wards;
        wards.sort_unstable();
        wards.dedup();
        Ok(User {
            name: name.to_string(),
            display_name,
            role,
            wards,
        })
    }

    /// Whether this user may see tickets at all (admins configure, they do not work tickets).
    pub fn works_tickets(&self) -> bool {
        self.role != Role::Admin
    }

    pub fn covers_ward(&self, ward: WardCode) -> bool {
        self.wards.contains(&ward)
    }
}
