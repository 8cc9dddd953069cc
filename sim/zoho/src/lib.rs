//! ringbridge-sim-zoho
