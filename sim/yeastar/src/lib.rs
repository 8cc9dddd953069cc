//! ringbridge-sim-yeastar
