//! What lists show of a citizen: "Lists carry masked phone and CCCD; only
//! the single-ticket view has them in full." Every list-shaped answer (ticket
//! lists, caller history) passes its records through here on the way out.

use super::validate::mask_cccd;
use super::{Caller, Dossier, Ticket};

impl Caller {
    /// The caller with phone and CCCD masked (`0912***678`, `*********234`).
    pub fn masked(self) -> Caller {
        Caller {
            phone: self.phone.map(|p| p.hidden()),
            cccd: self.cccd.map(|c| mask_cccd(&c)),
            ..self
        }
    }
}

impl Ticket {
    /// The ticket as a list carries it: the caller's phone and CCCD masked.
    pub fn with_caller_masked(self) -> Ticket {
        Ticket {
            caller: self.caller.masked(),
            ..self
        }
    }
}

impl Dossier {
    /// The dossier as a list carries it: the applicant's phone masked.
    pub fn with_applicant_masked(self) -> Dossier {
        Dossier {
            applicant_phone: self.applicant_phone.map(|p| p.hidden()),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::{Kind, NewTicket, Phone, TicketId, Ts};

    #[test]
    fn a_listed_ticket_keeps_only_the_ends_of_phone_and_cccd() {
        let mut n = NewTicket::new(Kind::Fault, "Hồ sơ kẹt");
        n.caller_name = "Trần Văn Bình".into();
        n.caller_phone = "0912 345 678".into();
        n.caller_cccd = "079203001234".into();
        let t = n
            .into_ticket(TicketId(1), uuid::Uuid::nil(), "op", Ts(0))
            .unwrap()
            .with_caller_masked();
        let phone = t.caller.phone.as_ref().unwrap();
        assert_eq!(phone.as_str(), "0912***678");
        assert!(phone.is_masked());
        assert_eq!(
            t.masked_phone(),
            "0912***678",
            "masking twice changes nothing"
        );
        assert!(Phone::parse(phone.as_str()).is_err(), "a mask is no phone");
        assert_eq!(t.caller.cccd.as_deref(), Some("*********234"));
        assert_eq!(t.caller.name, "Trần Văn Bình");
    }
}
