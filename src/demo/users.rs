//! Demo users: operators, responders for a few wards, a supervisor and an admin.

use super::RESPONDER_WARDS;
use crate::domain::{Role, User};

fn user(name: &str, display: &str, role: Role, wards: &[u32]) -> User {
    User {
        name: name.into(),
        display_name: display.into(),
        role,
        wards: wards.to_vec(),
    }
}

pub fn demo_users() -> Vec<User> {
    let [ben_thanh, sai_gon, xuan_hoa, nhieu_loc, hiep_binh, chanh_hung] = RESPONDER_WARDS;
    vec![
        user("lan.nt", "Nguyễn Thị Lan", Role::Operator, &[]),
        user("hung.tv", "Trần Văn Hùng", Role::Operator, &[]),
        user("mai.lt", "Lê Thị Mai", Role::Operator, &[]),
        user("khoa.pm", "Phạm Minh Khoa", Role::Operator, &[]),
        user(
            "ut.benthanh",
            "Tổ ứng cứu Bến Thành – Sài Gòn",
            Role::Responder,
            &[ben_thanh, sai_gon],
        ),
        user(
            "ut.xuanhoa",
            "Tổ ứng cứu Xuân Hòa – Nhiêu Lộc",
            Role::Responder,
            &[xuan_hoa, nhieu_loc],
        ),
        user(
            "ut.hiepbinh",
            "Tổ ứng cứu Hiệp Bình",
            Role::Responder,
            &[hiep_binh],
        ),
        user(
            "ut.chanhhung",
            "Tổ ứng cứu Chánh Hưng",
            Role::Responder,
            &[chanh_hung],
        ),
        user("giamsat", "Võ Thị Hồng", Role::Supervisor, &[]),
        user("admin", "Quản trị hệ thống", Role::Admin, &[]),
    ]
}
