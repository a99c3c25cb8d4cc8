//! The welcome screen: drawing only.

pub mod view;
