//! hotline: a terminal application for Ho Chi Minh City's 1022 hotline.
//!
//! See `README.md` for the product and `DESIGN` notes in the module docs.
#![forbid(unsafe_code)]

pub mod api;
// pub mod cli; (enabled when tui, demo, reference land)
// pub mod app;
pub mod config;
pub mod demo;
pub mod domain;
pub mod logging;
pub mod paths;
pub mod reference;
pub mod search;
pub mod search_service;
pub mod store;
// pub mod sync; (enabled when reference lands)
pub mod text;
pub mod tui;
