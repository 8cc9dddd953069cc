//! Ingest behaviour over a real store (SQLite, and PostgreSQL when
//! configured) with a scripted PBX.

mod directory;
mod fake_pbx;
mod ingest;
mod ingest_writes;
mod phonebridge;
