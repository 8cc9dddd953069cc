//! ringbridge-web
