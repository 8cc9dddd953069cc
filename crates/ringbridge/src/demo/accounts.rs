//! Sign-ins for the demo, so the agent panel can be watched while calls
//! flow and the accounts managed: an administrator, and an agent at the extension most
//! scenarios ring. The administrator must exist too: without one, every
//! sign-in page offers to create the first administrator instead. A fresh
//! random password each run (the demo's server is on loopback, but a password
//! printed in a README would end up reused).

use anyhow::{Context, Result};
use chrono::Utc;
use rand::distr::{Alphanumeric, SampleString};
use ringbridge_core::accounts::{AccountProfile, AccountStore, NewAccount, Role, Username};
use ringbridge_web::auth::{PasswordParams, Passwords};

use crate::world::World;

/// The extension the demo's scenarios ring most.
const AGENT_EXTENSION: &str = "1005";

pub struct DemoLogin {
    pub username: String,
    pub password: String,
}

/// The demo's two sign-ins.
pub struct DemoLogins {
    pub admin: DemoLogin,
    pub agent: DemoLogin,
}

/// Creates the demo's administrator and agent; returns their sign-ins.
pub async fn create(world: &World) -> Result<DemoLogins> {
    let passwords = Passwords::new(PasswordParams::default())?;
    let admin = account(world, &passwords, "admin", "Demo admin", Role::Admin, None).await?;
    let agent = account(
        world,
        &passwords,
        "agent",
        "Demo agent",
        Role::Agent,
        Some(AGENT_EXTENSION),
    )
    .await?;
    Ok(DemoLogins { admin, agent })
}

async fn account(
    world: &World,
    passwords: &Passwords,
    name: &str,
    display_name: &str,
    role: Role,
    extension: Option<&str>,
) -> Result<DemoLogin> {
    let password = Alphanumeric.sample_string(&mut rand::rng(), 16);
    let hash = passwords.hash(password.clone()).await?;
    let username = Username::parse(name).context("demo username")?;
    world
        .store
        .create_account(&NewAccount {
            username,
            password_hash: hash,
            profile: AccountProfile {
                display_name: display_name.into(),
                role,
                crm_user_id: None,
                extension: extension.map(str::to_owned),
                disabled: false,
            },
            at: Utc::now(),
        })
        .await
        .with_context(|| format!("creating the demo's {name} account"))?;
    Ok(DemoLogin {
        username: name.into(),
        password,
    })
}
