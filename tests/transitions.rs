//! The lifecycle, exhaustively: every status × action × role is either in the
//! expected list below (written out by hand from DESIGN §4) or rejected.

use hotline::domain::transition::{allowed_actions, next_status, TransitionError};
use hotline::domain::{Action, Role, Status};

use Action as A;
use Role as R;
use Status as S;

/// (from, action, to, roles) as the product specifies them.
fn expected() -> Vec<(Status, Action, Status, Vec<Role>)> {
    let ops = vec![R::Operator, R::Supervisor];
    let ward = vec![R::Responder, R::Supervisor];
    let sup = vec![R::Supervisor];
    vec![
        (S::New, A::Start, S::InProgress, ops.clone()),
        (S::WaitingOnCitizen, A::Start, S::InProgress, ops.clone()),
        (S::InProgress, A::Wait, S::WaitingOnCitizen, ops.clone()),
        (S::New, A::Escalate, S::Escalated, ops.clone()),
        (S::InProgress, A::Escalate, S::Escalated, ops.clone()),
        (S::WaitingOnCitizen, A::Escalate, S::Escalated, ops.clone()),
        (S::Escalated, A::Ack, S::Acknowledged, ward.clone()),
        (S::Escalated, A::Return, S::InProgress, ward.clone()),
        (S::Acknowledged, A::Return, S::InProgress, ward.clone()),
        (S::New, A::Resolve, S::Resolved, ops.clone()),
        (S::InProgress, A::Resolve, S::Resolved, ops.clone()),
        (S::WaitingOnCitizen, A::Resolve, S::Resolved, ops.clone()),
        (S::Acknowledged, A::Resolve, S::Resolved, ward.clone()),
        (S::Resolved, A::Close, S::Closed, ops.clone()),
        (S::Resolved, A::Reopen, S::InProgress, ops.clone()),
        (S::Closed, A::Reopen, S::InProgress, ops.clone()),
        (S::New, A::Cancel, S::Cancelled, sup.clone()),
        (S::InProgress, A::Cancel, S::Cancelled, sup.clone()),
        (S::WaitingOnCitizen, A::Cancel, S::Cancelled, sup.clone()),
        (S::Escalated, A::Cancel, S::Cancelled, sup.clone()),
        (S::Acknowledged, A::Cancel, S::Cancelled, sup),
    ]
}

#[test]
fn every_status_action_role_is_allowed_or_rejected_as_specified() {
    let table = expected();
    let mut checked = 0;
    for from in Status::ALL {
        for action in Action::ALL {
            for role in Role::ALL {
                checked += 1;
                let got = next_status(from, action, role);
                match table.iter().find(|(f, a, _, _)| *f == from && *a == action) {
                    Some((_, _, to, roles)) if roles.contains(&role) => {
                        assert_eq!(got, Ok(*to), "{from} {action} by {role}")
                    }
                    Some(_) => {
                        assert_eq!(
                            got,
                            Err(TransitionError::RoleNotAllowed { from, action, role })
                        );
                        let msg = got.unwrap_err().to_string();
                        assert!(
                            msg.contains(role.slug())
                                && msg.contains(action.slug())
                                && msg.contains(from.slug()),
                            "{msg}"
                        );
                    }
                    None => {
                        assert_eq!(got, Err(TransitionError::NotAllowedFrom { from, action }));
                        let msg = got.unwrap_err().to_string();
                        assert!(
                            msg.contains(action.slug()) && msg.contains(from.slug()),
                            "{msg}"
                        );
                    }
                }
            }
        }
    }
    assert_eq!(checked, 8 * 9 * 4);
}

#[test]
fn closed_states_only_reopen_and_admins_fire_nothing() {
    for from in Status::ALL {
        assert!(allowed_actions(from, Role::Admin).is_empty(), "{from}");
    }
    assert!(allowed_actions(Status::Cancelled, Role::Supervisor).is_empty());
    assert_eq!(
        allowed_actions(Status::Closed, Role::Operator),
        vec![Action::Reopen]
    );
    assert_eq!(
        allowed_actions(Status::Escalated, Role::Responder),
        vec![Action::Ack, Action::Return]
    );
}
