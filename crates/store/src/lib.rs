//! ringbridge-store
