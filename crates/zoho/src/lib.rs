//! ringbridge-zoho
