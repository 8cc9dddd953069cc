//! The `ringbridge` application: command line, configuration, and the
//! wiring of storage, adapters, engine and HTTP surface (`serve`), plus the
//! demo harness that runs everything against the built-in simulators.
//! `main.rs` only calls [`cli::main`].

#![forbid(unsafe_code)]

pub mod accounts;
pub mod backfill;
pub mod backup;
#[cfg(feature = "sim")]
pub mod bench;
pub mod cli;
pub mod config;
#[cfg(feature = "sim")]
pub mod demo;
pub mod doctor;
pub mod logging;
pub mod serve;
#[cfg(feature = "sim")]
pub mod world;
