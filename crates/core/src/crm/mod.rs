//! The CRM side of the domain (draft; see crm.rs in progress).
