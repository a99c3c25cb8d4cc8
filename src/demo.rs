//! Deterministic demo data.
