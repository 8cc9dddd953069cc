//! Local phone directory (in progress).
