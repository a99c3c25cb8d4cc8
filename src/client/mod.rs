//! The client's side of a hub: the saved sign-in, and choosing where a
//! command's API lives (the hub's `hub.json` is read with `server::read_hub_file`).

pub mod buffered;
pub mod credentials;
pub mod open;
pub mod outbox;

pub use buffered::OutboxApi;
pub use credentials::{token_for, Credentials};
pub use open::{open_api, Opened, Target};
pub use outbox::{Outbox, PendingWrite};
