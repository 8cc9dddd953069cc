//! Integration tests over real sockets: the Yeastar simulator (and, for
//! misbehaviour it cannot show, small fakes) on 127.0.0.1 port 0.

mod auth;
mod control;
mod events_fake;
mod events_sim;
mod rest;
mod streaming;
mod support;
mod tls;
mod webhook;
