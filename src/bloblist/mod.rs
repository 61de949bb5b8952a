//! Export blob-list XML validation (reference §2).
