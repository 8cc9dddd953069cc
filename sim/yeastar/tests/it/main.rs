//! Integration tests of the Yeastar simulator over real HTTP and WebSocket.

mod admin;
mod auth;
mod calls_api;
mod cdr;
mod contacts;
mod control_api;
mod examples;
mod extensions;
mod misc;
mod recordings;
mod scenarios;
mod scenarios_more;
mod support;
mod transfers;
mod webhooks;
mod ws;
