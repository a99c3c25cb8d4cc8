//! The client's side of a hub: the saved sign-in, the address a running hub
//! leaves in its data directory, and choosing where a command's API lives.

pub mod credentials;
pub mod hub_file;
pub mod open;

pub use credentials::{token_for, Credentials};
pub use hub_file::HubFile;
pub use open::{open_api, Opened, Target};
