//! Embedded reference data (wards, procedures, statuses, categories, names).
