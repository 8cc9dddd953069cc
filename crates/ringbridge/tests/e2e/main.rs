//! End to end over real sockets: the Yeastar and Zoho simulators, the real
//! adapters, storage and the engine — asserting what a user sees in the
//! (simulated) CRM and PBX.

mod backfill;
mod backup;
mod binary;
mod callerid;
mod calls;
mod cases;
mod console;
mod crash;
mod demo;
mod dial_policy;
mod doctor;
mod faults;
mod gaps;
mod lease;
mod matching;
mod metrics;
mod notes;
mod owncalls;
mod panel;
mod panel_create;
mod phonebridge;
mod reconnect;
mod rehearsal;
mod support;
mod tasks;
mod upgrade;
