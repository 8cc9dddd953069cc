//! ringbridge-yeastar
