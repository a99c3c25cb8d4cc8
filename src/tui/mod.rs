//! The full-screen terminal application.
