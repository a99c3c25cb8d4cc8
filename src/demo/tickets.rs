//! Demo tickets with plausible timelines: every ticket is the result of real
//! lifecycle changes (`Ticket::apply`) fired by the demo users.

use super::dossiers::dossier_at;
use super::pick::{mix, mobile, Names, Table};
use super::{demo_users, DemoConfig, RESPONDER_WARDS};
use crate::domain::time::{DAY, HOUR};
use crate::domain::{
    Change, Channel, Dossier, EscalationRequest, Event, EventKind, FaultType, Kind, NewTicket,
    PaymentState, Priority, Role, SyncState, Ticket, TicketId, Ts, User,
};
use crate::reference;
use fastrand::Rng;
use uuid::Uuid;

const SPAN_DAYS: i64 = 60;

struct Cast {
    operators: Vec<User>,
    responders: Vec<User>,
    supervisor: User,
}

impl Cast {
    fn new() -> Cast {
        let users = demo_users();
        let of = |role: Role| {
            users
                .iter()
                .filter(|u| u.role == role)
                .cloned()
                .collect::<Vec<_>>()
        };
        Cast {
            operators: of(Role::Operator),
            responders: of(Role::Responder),
            supervisor: of(Role::Supervisor).remove(0),
        }
    }

    /// The ward team for `ward`, or the supervisor acting for a ward without one in the demo.
    fn team(&self, ward: u32) -> &User {
        self.responders
            .iter()
            .find(|u| u.covers_ward(ward))
            .unwrap_or(&self.supervisor)
    }
}

fn fault_for(d: &Dossier, rng: &mut Rng) -> FaultType {
    match (d.sync, d.payment) {
        (SyncState::Error | SyncState::Pending, _) => FaultType::PortalSync,
        (_, PaymentState::Failed | PaymentState::Unpaid) => FaultType::PaymentFailure,
        _ => *Table::new([
            (FaultType::PortalSync, 30),
            (FaultType::PaymentFailure, 20),
            (FaultType::ProcedureNotConfigured, 12),
            (FaultType::OneStopSlow, 12),
            (FaultType::Account, 12),
            (FaultType::DigitalSignature, 6),
            (FaultType::Network, 4),
            (FaultType::Other, 4),
        ])
        .pick(rng),
    }
}

fn fault_text(fault: FaultType, code: Option<&str>, ward: &str) -> (String, String) {
    let code = code.unwrap_or("của tôi");
    match fault {
        FaultType::PortalSync => (
            format!("Hồ sơ {code} bị lỗi đồng bộ lên Cổng DVC quốc gia"),
            format!("Công dân tra cứu trên Cổng Dịch vụ công quốc gia không thấy trạng thái hồ sơ {code}, trên hệ thống một cửa {ward} đã tiếp nhận."),
        ),
        FaultType::PaymentFailure => (
            format!("Thanh toán trực tuyến lệ phí hồ sơ {code} không thành công"),
            "Tài khoản đã bị trừ tiền nhưng hồ sơ vẫn báo chưa thanh toán; công dân đề nghị kiểm tra và hoàn tiền nếu thanh toán trùng.".into(),
        ),
        FaultType::ProcedureNotConfigured => (
            "Không tìm thấy thủ tục trên Cổng dịch vụ công".into(),
            format!("Công dân muốn nộp trực tuyến nhưng thủ tục của {ward} chưa được cấu hình trên Cổng."),
        ),
        FaultType::OneStopSlow => (
            format!("Phần mềm một cửa {ward} chậm, không truy cập được"),
            "Bộ phận một cửa báo phần mềm treo khi tiếp nhận hồ sơ, công dân phải chờ lâu.".into(),
        ),
        FaultType::Account => (
            "Không đăng nhập được bằng tài khoản VNeID".into(),
            "Công dân đăng nhập Cổng DVC bằng VNeID báo lỗi xác thực, đã thử nhiều lần.".into(),
        ),
        FaultType::DigitalSignature => (
            format!("Kết quả hồ sơ {code} chưa được ký số"),
            "Công dân nhận thông báo đã có kết quả nhưng bản điện tử chưa có chữ ký số.".into(),
        ),
        FaultType::Network => (
            format!("Mất kết nối mạng tại bộ phận một cửa {ward}"),
            "Bộ phận một cửa không kết nối được mạng, tạm ngưng tiếp nhận hồ sơ trực tuyến.".into(),
        ),
        FaultType::Other => (format!("Sự cố khi nộp hồ sơ {code}"), "Công dân báo lỗi không rõ nguyên nhân khi nộp hồ sơ trực tuyến.".into()),
    }
}

fn other_text(
    kind: Kind,
    d: Option<&Dossier>,
    category: &reference::Category,
    rng: &mut Rng,
) -> (String, String) {
    let example = category
        .examples
        .get(rng.usize(0..category.examples.len().max(1)))
        .cloned()
        .unwrap_or_default();
    match (kind, d) {
        (Kind::Question, Some(d)) => (
            format!("Hỏi tiến độ hồ sơ {}", d.code),
            format!(
                "Công dân hỏi hồ sơ {} ({}) khi nào có kết quả.",
                d.code, d.procedure_name
            ),
        ),
        (Kind::Question, None) => (
            "Hỏi thủ tục, giấy tờ cần chuẩn bị".into(),
            format!("Công dân hỏi hướng dẫn: {example}."),
        ),
        (Kind::Complaint, Some(d)) => (
            format!("Hồ sơ {} trễ hạn, chưa có kết quả", d.code),
            format!(
                "Hồ sơ {} hẹn trả ngày {} nhưng chưa có kết quả, công dân phản ánh chậm trễ.",
                d.code,
                d.due_at.local_date()
            ),
        ),
        (Kind::Suggestion, _) => (
            format!("Kiến nghị về {}", category.vi.to_lowercase()),
            format!("Công dân kiến nghị: {example}."),
        ),
        _ => (
            format!("Phản ánh: {example}"),
            format!("Công dân phản ánh {example} ({}).", category.vi),
        ),
    }
}

/// Applies `change` and records the events it produced, as the store would.
fn act(t: &mut Ticket, events: &mut Vec<Event>, change: Change, by: &User, at: Ts) -> bool {
    match t.apply(&change, by, at) {
        Ok(kinds) => {
            for kind in kinds {
                events.push(Event {
                    seq: t.events,
                    at,
                    by: by.name.clone(),
                    kind,
                });
                t.events += 1;
            }
            true
        }
        Err(_) => false,
    }
}

/// A clock that moves forward by random steps and never passes `now`.
struct Timeline<'a> {
    at: Ts,
    now: Ts,
    rng: &'a mut Rng,
}

impl Timeline<'_> {
    /// The next moment, or None once the story has reached "now".
    fn next(&mut self, min: i64, max: i64) -> Option<Ts> {
        let step = self.rng.i64(min..max.max(min + 1));
        let at = Ts(self.at.0 + step);
        (at < self.now).then(|| {
            self.at = at;
            at
        })
    }
}

pub fn tickets(cfg: &DemoConfig) -> Vec<(Ticket, Vec<Event>)> {
    let cast = Cast::new();
    let names = Names::new();
    let wards = reference::wards();
    let categories = reference::categories();
    let kinds = Table::new([
        (Kind::Fault, 35),
        (Kind::Complaint, 35),
        (Kind::Question, 20),
        (Kind::Suggestion, 10),
    ]);
    let channels = Table::new([
        (Channel::Phone, 55),
        (Channel::Portal, 20),
        (Channel::Zalo, 15),
        (Channel::Email, 5),
        (Channel::WalkIn, 5),
    ]);
    let n = cfg.tickets.max(1) as i64;
    let start = cfg.now.0 - SPAN_DAYS * DAY;
    let mut out = Vec::with_capacity(cfg.tickets);
    for k in 1..=cfg.tickets as u64 {
        let mut rng = Rng::with_seed(mix(cfg.seed ^ 0x7_1c4e, k));
        let slot = (SPAN_DAYS * DAY) / n;
        let created =
            Ts((start + (k as i64 - 1) * slot + rng.i64(0..slot.max(1))).min(cfg.now.0 - 10 * 60));
        let kind = *kinds.pick(&mut rng);
        let dossier = (cfg.dossiers > 0 && rng.u8(0..100) < 60)
            .then(|| dossier_at(cfg, rng.u64(0..cfg.dossiers as u64)));
        let ward = match &dossier {
            Some(d) => d.ward,
            None if rng.u8(0..100) < 40 => RESPONDER_WARDS[rng.usize(0..RESPONDER_WARDS.len())],
            None => wards[rng.usize(0..wards.len())].code,
        };
        let ward_name = reference::ward(ward)
            .map(|w| w.full_name.clone())
            .unwrap_or_default();
        let fault = (kind == Kind::Fault).then(|| match &dossier {
            Some(d) => fault_for(d, &mut rng),
            None => *Table::new([
                (FaultType::OneStopSlow, 3),
                (FaultType::Account, 3),
                (FaultType::ProcedureNotConfigured, 2),
                (FaultType::Network, 1),
            ])
            .pick(&mut rng),
        });
        let category = &categories[if rng.u8(0..100) < 70 {
            0
        } else {
            rng.usize(0..categories.len())
        }];
        let (subject, description) = match fault {
            Some(f) => fault_text(f, dossier.as_ref().map(|d| d.code.as_str()), &ward_name),
            None => other_text(kind, dossier.as_ref(), category, &mut rng),
        };
        let (caller_name, caller_phone) = match &dossier {
            Some(d) => (
                d.applicant_name.clone(),
                d.applicant_phone
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| mobile(&mut rng)),
            ),
            None => (
                names.full(&mut rng),
                if rng.u8(0..100) < 90 {
                    mobile(&mut rng)
                } else {
                    String::new()
                },
            ),
        };
        let priority = match (kind, rng.u8(0..100)) {
            (_, 0..=3) => Priority::P1,
            (Kind::Fault, 4..=59) => Priority::P2,
            (_, 90..=99) => Priority::P4,
            _ => Priority::P3,
        };
        let new = NewTicket {
            kind,
            channel: *channels.pick(&mut rng),
            caller_name,
            caller_phone,
            caller_cccd: if rng.u8(0..100) < 15 {
                format!("079{:09}", rng.u64(0..1_000_000_000))
            } else {
                String::new()
            },
            ward: Some(ward),
            category: if kind == Kind::Fault {
                "Hành chính công".into()
            } else {
                category.vi.clone()
            },
            dossiers: dossier.iter().map(|d| d.code.clone()).collect(),
            subject,
            description,
            priority,
            parent: None,
        };
        let operator = cast.operators[rng.usize(0..cast.operators.len())].clone();
        let request_id = Uuid::from_u128(((mix(cfg.seed, k) as u128) << 64) | k as u128);
        let Ok(mut t) = new.into_ticket(TicketId(k), request_id, &operator.name, created) else {
            continue;
        };
        let mut events = vec![Event {
            seq: 0,
            at: created,
            by: operator.name.clone(),
            kind: EventKind::Created,
        }];
        t.events = 1;
        let now = cfg.now;
        let team = cast.team(ward).clone();
        let mut clock = Timeline {
            at: created,
            now,
            rng: &mut rng,
        };
        story(
            &mut t,
            &mut events,
            &mut clock,
            &operator,
            &team,
            &cast.supervisor,
            fault,
            k,
        );
        out.push((t, events));
    }
    out
}

/// Plays a ticket's life forward from its creation until it ends or reaches "now".
#[allow(clippy::too_many_arguments)]
fn story(
    t: &mut Ticket,
    ev: &mut Vec<Event>,
    clock: &mut Timeline<'_>,
    op: &User,
    team: &User,
    sup: &User,
    fault: Option<FaultType>,
    k: u64,
) {
    let roll = clock.rng.u8(0..100);
    if roll < 2 && k > 1 {
        if let Some(at) = clock.next(10 * 60, 6 * HOUR) {
            act(
                t,
                ev,
                Change::Cancel {
                    duplicate_of: Some(TicketId(k - 1)),
                    note: Some("Trùng phản ánh".into()),
                },
                sup,
                at,
            );
        }
        return;
    }
    // Half of today's tickets still wait in the queue.
    if clock.now.0 - t.created_at.0 < DAY && roll >= 50 {
        return;
    }
    // Most tickets are picked up within the hour; some wait longer.
    let pickup = if roll < 12 { 12 * HOUR } else { 45 * 60 };
    let Some(at) = clock.next(60, pickup) else {
        return;
    };
    if t.kind == Kind::Question && roll < 60 {
        act(
            t,
            ev,
            Change::Resolve {
                note: "Đã hướng dẫn công dân qua điện thoại".into(),
            },
            op,
            at,
        );
        close_later(t, ev, clock, op);
        return;
    }
    act(t, ev, Change::Start, op, at);
    act(
        t,
        ev,
        Change::Assign {
            to: Some(op.name.clone()),
        },
        op,
        at,
    );
    if roll % 7 == 0 {
        let Some(at) = clock.next(10 * 60, 4 * HOUR) else {
            return;
        };
        act(
            t,
            ev,
            Change::Wait {
                note: Some("Chờ công dân bổ sung thông tin".into()),
            },
            op,
            at,
        );
        let Some(at) = clock.next(2 * HOUR, 3 * DAY) else {
            return;
        };
        act(
            t,
            ev,
            Change::Comment {
                text: "Công dân đã gửi bổ sung".into(),
            },
            op,
            at,
        );
        act(t, ev, Change::Start, op, at);
    }
    if let Some(fault) = fault {
        let Some(at) = clock.next(5 * 60, 3 * HOUR) else {
            return;
        };
        let ward = t.ward.unwrap_or(0);
        let req = EscalationRequest {
            ward,
            fault,
            level: 1,
            severity: t.priority,
            note: None,
        };
        act(t, ev, Change::Escalate(req), op, at);
        let Some(at) = clock.next(20 * 60, 6 * HOUR) else {
            return;
        };
        if roll % 11 == 0 {
            act(
                t,
                ev,
                Change::Return {
                    note: "Không thuộc phạm vi phường, đề nghị chuyển Sở".into(),
                },
                team,
                at,
            );
            let Some(at) = clock.next(HOUR, DAY) else {
                return;
            };
            act(
                t,
                ev,
                Change::Resolve {
                    note: "Đã chuyển Trung tâm Chuyển đổi số xử lý".into(),
                },
                op,
                at,
            );
            close_later(t, ev, clock, op);
            return;
        }
        act(
            t,
            ev,
            Change::Ack {
                note: Some("Tổ ứng cứu đã tiếp nhận".into()),
            },
            team,
            at,
        );
        let Some(at) = clock.next(2 * HOUR, 4 * DAY) else {
            return;
        };
        let note = match fault {
            FaultType::PortalSync => "Đã đồng bộ lại hồ sơ lên Cổng DVC quốc gia",
            FaultType::PaymentFailure => "Đã đối soát giao dịch, cập nhật trạng thái đã thanh toán",
            _ => "Đã khắc phục sự cố",
        };
        act(t, ev, Change::Resolve { note: note.into() }, team, at);
    } else {
        let Some(at) = clock.next(HOUR, 5 * DAY) else {
            return;
        };
        act(
            t,
            ev,
            Change::Resolve {
                note: "Đã phối hợp đơn vị giải quyết, phản hồi công dân".into(),
            },
            op,
            at,
        );
    }
    close_later(t, ev, clock, op);
}

fn close_later(t: &mut Ticket, ev: &mut Vec<Event>, clock: &mut Timeline<'_>, op: &User) {
    let Some(at) = clock.next(HOUR, 3 * DAY) else {
        return;
    };
    act(t, ev, Change::Close, op, at);
    if clock.rng.u8(0..100) < 4 {
        if let Some(at) = clock.next(DAY, 5 * DAY) {
            act(
                t,
                ev,
                Change::Reopen {
                    reason: "Công dân phản hồi chưa được giải quyết".into(),
                },
                op,
                at,
            );
        }
    }
}
