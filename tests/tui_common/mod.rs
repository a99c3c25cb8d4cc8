//! A small, fixed store for TUI tests: three users, a few dossiers and tickets,
//! all at a fixed clock, opened through the real `LocalApi`; and, in `pty`,
//! the real binary in a pseudo-terminal.
#![allow(dead_code)]

pub mod pty;

use hotline::api::{Backend, HotlineApi, LocalApi};
use hotline::domain::{
    fixed_clock, Change, Dossier, EscalationRequest, FaultType, Kind, NewTicket, PaymentState,
    Phone, PortalStatus, Priority, Role, SyncState, Ts, User,
};
use hotline::store::Store;
use hotline::tui::testkit::Driver;
use hotline::tui::{initial_state, Lang, TuiOptions};
use std::sync::Arc;
use uuid::Uuid;

/// 2025-08-12 09:00 in Ho Chi Minh City.
pub const NOW: Ts = Ts(1_754_964_000);
pub const BEN_THANH: u32 = 26743;

pub struct World {
    pub dir: tempfile::TempDir,
    pub backend: Arc<Backend>,
}

fn user(name: &str, display: &str, role: Role, wards: &[u32]) -> User {
    User {
        name: name.into(),
        display_name: display.into(),
        role,
        wards: wards.to_vec(),
    }
}

fn dossier(
    code: &str,
    proc_name: &str,
    who: &str,
    phone: &str,
    days_ago: i64,
    status: u8,
) -> Dossier {
    Dossier {
        code: code.into(),
        procedure_code: "1.001612".into(),
        procedure_name: proc_name.into(),
        applicant_name: who.into(),
        applicant_phone: Some(Phone::parse(phone).unwrap()),
        ward: BEN_THANH,
        received_at: Ts(NOW.0 - days_ago * 86_400),
        due_at: Ts(NOW.0 - days_ago * 86_400 + 5 * 86_400),
        finished_at: None,
        status: PortalStatus::new(status).unwrap(),
        sync: if status == 4 {
            SyncState::Error
        } else {
            SyncState::Synced
        },
        payment: PaymentState::Paid,
    }
}

impl World {
    pub fn new() -> World {
        Self::build(true)
    }

    pub fn empty() -> World {
        Self::build(false)
    }

    /// The small store, logged nine days ago, plus a week of history: tickets
    /// resolved on time and late (so on-time rates are drawn) and an overdue
    /// escalation.
    pub fn with_history() -> World {
        let when = Arc::new(std::sync::atomic::AtomicI64::new(NOW.0 - 9 * 86_400));
        let at = when.clone();
        let clock: hotline::domain::Clock =
            Arc::new(move || Ts(at.load(std::sync::atomic::Ordering::SeqCst)));
        let w = Self::build_with(true, clock);
        let set = |t: i64| when.store(t, std::sync::atomic::Ordering::SeqCst);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let op = w.api("lan.nt");
        rt.block_on(async {
            for (k, (subject, resolve_after_h)) in [
                ("Hỏi giờ làm việc bộ phận một cửa", 2),
                ("Hỏi lệ phí cấp bản sao", 5),
                ("Hỏi hồ sơ đất đai", 30),
                ("Phản ánh thái độ cán bộ", 200),
            ]
            .into_iter()
            .enumerate()
            {
                set(NOW.0 - (8 - k as i64) * 86_400);
                let mut n = NewTicket::new(Kind::Question, subject);
                n.caller_name = "Ngô Thị Hoa".into();
                n.caller_phone = "0905000111".into();
                let t = op
                    .create_ticket(Uuid::from_u128(100 + k as u128), n)
                    .await
                    .unwrap();
                set(NOW.0 - (8 - k as i64) * 86_400 + resolve_after_h * 3600);
                op.apply(
                    t.id,
                    t.version,
                    Change::Resolve {
                        note: "Đã trả lời".into(),
                    },
                )
                .await
                .unwrap();
            }
            // An escalation nobody acknowledged: overdue now.
            set(NOW.0 - 3 * 86_400);
            let mut n = NewTicket::new(Kind::Fault, "Máy in bộ phận một cửa mất kết nối");
            n.caller_name = "Phường Bến Thành".into();
            n.ward = Some(BEN_THANH);
            let t = op.create_ticket(Uuid::from_u128(200), n).await.unwrap();
            op.apply(
                t.id,
                t.version,
                Change::Escalate(EscalationRequest {
                    ward: BEN_THANH,
                    fault: FaultType::Network,
                    level: 1,
                    severity: Priority::P3,
                    note: None,
                }),
            )
            .await
            .unwrap();
        });
        set(NOW.0);
        w
    }

    fn build(fill: bool) -> World {
        Self::build_with(fill, fixed_clock(NOW))
    }

    fn build_with(fill: bool, clock: hotline::domain::Clock) -> World {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        // The first user of a store is an admin.
        for u in [
            user("quantri", "Quản trị", Role::Admin, &[]),
            user("lan.nt", "Nguyễn Thị Lan", Role::Operator, &[]),
            user(
                "ut.benthanh",
                "Tổ ứng cứu Bến Thành",
                Role::Responder,
                &[BEN_THANH],
            ),
            user("giamsat", "Giám sát ca", Role::Supervisor, &[]),
        ] {
            store.put_user(&u).unwrap();
        }
        if fill {
            store
                .put_dossiers(&[
                    dossier(
                        "000.00.01.H29-250801-0001",
                        "Đăng ký khai sinh",
                        "Trần Văn Bình",
                        "0912345678",
                        11,
                        4,
                    ),
                    dossier(
                        "000.00.01.H29-250805-0002",
                        "Cấp giấy phép xây dựng",
                        "Lê Thị Cúc",
                        "0987654321",
                        7,
                        2,
                    ),
                    dossier(
                        "000.00.01.H29-250810-0003",
                        "Đăng ký thường trú",
                        "Trần Văn Bình",
                        "0912345678",
                        2,
                        9,
                    ),
                ])
                .unwrap();
        }
        let backend = Backend::new(store, clock, true);
        let w = World { dir, backend };
        if fill {
            w.seed_tickets();
        }
        // Snapshots must not depend on how far the background index build got.
        w.backend.search.wait_ready().expect("search index built");
        w
    }

    /// A ticket as `user` reads it through the API.
    pub fn ticket(&self, user: &str, id: hotline::domain::TicketId) -> hotline::domain::Ticket {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(self.api(user).ticket(id)).unwrap().ticket
    }

    pub fn api(&self, name: &str) -> Arc<dyn HotlineApi> {
        let u = self.backend.store.user(name).unwrap().unwrap();
        Arc::new(LocalApi::new(self.backend.clone(), u))
    }

    fn seed_tickets(&self) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let op = self.api("lan.nt");
        rt.block_on(async {
            let mut n = NewTicket::new(Kind::Fault, "Hồ sơ khai sinh kẹt lỗi đồng bộ");
            n.caller_name = "Trần Văn Bình".into();
            n.caller_phone = "0912 345 678".into();
            n.ward = Some(BEN_THANH);
            n.category = "Hộ tịch".into();
            n.dossiers = vec!["000.00.01.H29-250801-0001".into()];
            n.description = "Hồ sơ nộp ngày 01/8, trạng thái trên Cổng vẫn chưa cập nhật.".into();
            n.priority = Priority::P2;
            let t1 = op.create_ticket(Uuid::from_u128(1), n).await.unwrap();
            let t1 = op
                .apply(
                    t1.id,
                    t1.version,
                    Change::Escalate(EscalationRequest {
                        ward: BEN_THANH,
                        fault: FaultType::PortalSync,
                        level: 1,
                        severity: Priority::P2,
                        note: Some("Nhờ phường kiểm tra đồng bộ".into()),
                    }),
                )
                .await
                .unwrap();
            let _ = t1;
            let mut n = NewTicket::new(Kind::Question, "Hỏi thủ tục cấp phép xây dựng");
            n.caller_name = "Lê Thị Cúc".into();
            n.caller_phone = "0987654321".into();
            n.priority = Priority::P3;
            let t2 = op.create_ticket(Uuid::from_u128(2), n).await.unwrap();
            op.apply(
                t2.id,
                t2.version,
                Change::Assign {
                    to: Some("lan.nt".into()),
                },
            )
            .await
            .unwrap();
            let mut n = NewTicket::new(
                Kind::Complaint,
                "Thanh toán lệ phí trực tuyến bị trừ tiền hai lần",
            );
            n.caller_name = "Phạm Minh Đức".into();
            n.caller_phone = "0903111222".into();
            n.ward = Some(26740);
            n.priority = Priority::P1;
            op.create_ticket(Uuid::from_u128(3), n).await.unwrap();
        });
    }
}

pub fn opts(lang: Lang, color: bool) -> TuiOptions {
    TuiOptions {
        lang,
        keymap_file: None,
        user_keymap: None,
        preset: None,
        mouse: true,
        color,
        demo: true,
        clock: fixed_clock(NOW),
        bell: true,
        switch_user: None,
    }
}

pub fn driver(world: &World, user: &str, lang: Lang, color: bool, size: (u16, u16)) -> Driver {
    let state = initial_state(&opts(lang, color)).unwrap();
    Driver::new(world.api(user), state, size)
}

/// Shows ticket `id` on the detail screen, loaded, as if opened from a list.
pub fn open_detail(d: &mut Driver, id: hotline::domain::TicketId) {
    d.state.detail = Some(hotline::tui::state::DetailState::new(id));
    d.state.screen = hotline::tui::state::Screen::Detail;
    d.send(hotline::tui::msg::Msg::Run(
        hotline::tui::action::Action::Refresh,
    ));
}

/// The ticket on the detail screen, as loaded.
pub fn shown_ticket(d: &Driver) -> &hotline::domain::Ticket {
    &d.state
        .detail
        .as_ref()
        .and_then(|s| s.detail.as_ref())
        .expect("a ticket on the detail screen")
        .ticket
}
