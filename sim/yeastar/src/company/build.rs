//! Turns a parsed company file into the simulator's [`Company`], checking what refers to
//! what (group members are extensions, phonebooks exist, numbers are unique).

use std::collections::BTreeSet;
use std::ops::Range;

use toml::Spanned;

use super::model::{CompanyEntry, ExtensionEntry};
use crate::contacts::NUM_TYPES;
use crate::sample::{
    Company, ContactSeed, Did, Extension, OnlineStatus, PhonebookSeed, Queue, RingGroup, Trunk,
};

/// A problem at a place in the file.
pub(super) struct Misplaced {
    pub span: Range<usize>,
    pub message: String,
}

fn at<T>(value: &Spanned<T>, message: String) -> Misplaced {
    Misplaced {
        span: value.span(),
        message,
    }
}

fn online(entry: &ExtensionEntry) -> Result<OnlineStatus, Misplaced> {
    let mut status = OnlineStatus::default();
    for client in &entry.online {
        let flag = match client.get_ref().as_str() {
            "sip_phone" => &mut status.sip_phone,
            "linkus_desktop" => &mut status.linkus_desktop,
            "linkus_mobile" => &mut status.linkus_mobile,
            "linkus_web" => &mut status.linkus_web,
            other => {
                return Err(at(
                    client,
                    format!(
                        "unknown client {other:?} in `online` (sip_phone, linkus_desktop, \
                         linkus_mobile, linkus_web)"
                    ),
                ));
            }
        };
        *flag = true;
    }
    Ok(status)
}

fn extensions(entries: &[ExtensionEntry]) -> Result<Vec<Extension>, Misplaced> {
    let mut numbers = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for e in entries {
        if !numbers.insert(e.number.get_ref().clone()) {
            return Err(at(
                &e.number,
                format!("extension {} is listed twice", e.number.get_ref()),
            ));
        }
        if let Some(id) = &e.id
            && !ids.insert(*id.get_ref())
        {
            return Err(at(
                id,
                format!("extension id {} is used twice", id.get_ref()),
            ));
        }
    }
    // Extensions without an id get the next ones after the highest given.
    let mut next_id = ids.last().copied().unwrap_or(100);
    entries
        .iter()
        .map(|e| {
            let id = match &e.id {
                Some(id) => *id.get_ref(),
                None => {
                    next_id += 1;
                    next_id
                }
            };
            Ok(Extension {
                id,
                number: e.number.get_ref().clone(),
                caller_id_name: e.name.clone(),
                email_addr: e.email.clone(),
                mobile_number: e.mobile.clone(),
                role_name: e.role.clone(),
                presence_status: e.presence.clone(),
                timezone: "Global Time Zone[0 UTC]".into(),
                online: online(e)?,
                outbound_allowed: e.outbound,
                device_addr: e
                    .device_addr
                    .clone()
                    .unwrap_or_else(|| format!("192.0.2.{}:5060", 10 + id % 200)),
            })
        })
        .collect()
}

/// Checks that `members` are extensions and that `number` is free.
fn group_members(
    kind: &str,
    number: &Spanned<String>,
    members: &[Spanned<String>],
    taken: &mut BTreeSet<String>,
    exts: &[Extension],
) -> Result<Vec<String>, Misplaced> {
    if !taken.insert(number.get_ref().clone()) {
        return Err(at(
            number,
            format!("number {} is already used", number.get_ref()),
        ));
    }
    members
        .iter()
        .map(|m| {
            if exts.iter().any(|e| &e.number == m.get_ref()) {
                Ok(m.get_ref().clone())
            } else {
                Err(at(
                    m,
                    format!(
                        "{kind} {} lists {}, which is not an extension",
                        number.get_ref(),
                        m.get_ref()
                    ),
                ))
            }
        })
        .collect()
}

/// Builds the company; errors name the offending place.
pub(super) fn company(file: &CompanyEntry) -> Result<Company, Misplaced> {
    let exts = extensions(&file.extensions)?;
    let mut taken: BTreeSet<String> = exts.iter().map(|e| e.number.clone()).collect();
    let mut ring_groups = Vec::new();
    for g in &file.ring_groups {
        let members = group_members("ring group", &g.number, &g.members, &mut taken, &exts)?;
        ring_groups.push(RingGroup {
            number: g.number.get_ref().clone(),
            name: g.name.clone(),
            members,
        });
    }
    let mut queues = Vec::new();
    for q in &file.queues {
        let agents = group_members("queue", &q.number, &q.agents, &mut taken, &exts)?;
        queues.push(Queue {
            number: q.number.get_ref().clone(),
            name: q.name.clone(),
            agents,
        });
    }
    let mut trunks: Vec<Trunk> = Vec::new();
    for t in &file.trunks {
        if trunks.iter().any(|o| &o.name == t.name.get_ref()) {
            return Err(at(
                &t.name,
                format!("trunk {} is listed twice", t.name.get_ref()),
            ));
        }
        let dids: Vec<Did> = t
            .dids
            .iter()
            .map(|d| Did {
                number: d.number.clone(),
                name: d.name.clone(),
            })
            .collect();
        let dod = t
            .dod
            .clone()
            .or_else(|| dids.first().map(|d| d.number.clone()))
            .unwrap_or_default();
        trunks.push(Trunk {
            name: t.name.get_ref().clone(),
            monitored: t.monitored,
            dids,
            dod_number: dod,
        });
    }
    let mut phonebooks: Vec<PhonebookSeed> = Vec::new();
    for p in &file.phonebooks {
        if phonebooks.iter().any(|o| &o.name == p.name.get_ref()) {
            return Err(at(
                &p.name,
                format!("phonebook {} is listed twice", p.name.get_ref()),
            ));
        }
        phonebooks.push(PhonebookSeed {
            name: p.name.get_ref().clone(),
            all_contacts: p.all_contacts,
            contacts: Vec::new(),
        });
    }
    let mut contacts = Vec::new();
    for (index, c) in file.contacts.iter().enumerate() {
        for book in &c.phonebooks {
            let seed = phonebooks
                .iter_mut()
                .find(|p| &p.name == book.get_ref())
                .ok_or_else(|| at(book, format!("no phonebook named {:?}", book.get_ref())))?;
            seed.contacts.push(index);
        }
        let numbers = c
            .numbers
            .iter()
            .map(|n| {
                let ty = n.num_type.get_ref();
                if NUM_TYPES.iter().any(|(w, _)| w == ty) {
                    Ok((ty.clone(), n.number.clone()))
                } else {
                    let known: Vec<&str> = NUM_TYPES.iter().map(|(w, _)| *w).collect();
                    Err(at(
                        &n.num_type,
                        format!("unknown number type {ty:?} ({})", known.join(", ")),
                    ))
                }
            })
            .collect::<Result<_, _>>()?;
        contacts.push(ContactSeed {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            company: c.company.clone(),
            email: c.email.clone(),
            numbers,
        });
    }
    Ok(Company {
        extensions: exts,
        ring_groups,
        queues,
        trunks,
        contacts,
        phonebooks,
    })
}
