//! Integration tests of the Zoho adapter over real HTTP on 127.0.0.1.

mod coql_reach;
mod create;
mod crm;
mod fake;
mod oauth;
mod openapi;
mod phonebridge;
mod rest;
mod sim;
mod sim_calls;
mod sim_costs;
mod sim_limits;
mod sim_org;
mod sim_paging;
mod sim_pb;
mod sim_pb_states;
mod sim_traffic;
mod spec;
