//! `campaignctl get assistants|numbers`: the account's assistants and phone numbers, the names a
//! manifest refers to (`assistant:`, `phone_numbers:`), as a table or as JSON. Reads only; one
//! list per account.

use crate::cli::ExitStatus;
use serde::Serialize;

use crate::api::types::{Assistant, PhoneNumber};
use crate::api::Client;
use crate::cli::args::{Format, GetArgs, GetWhat};

/// The JSON document: one entry per account (`account` is `null` without a repository config).
#[derive(Serialize)]
struct Document<T: Serialize> {
    format_version: u32,
    kind: &'static str,
    accounts: Vec<AccountItems<T>>,
}

#[derive(Serialize)]
struct AccountItems<T: Serialize> {
    account: Option<String>,
    items: Vec<T>,
}

/// What a manifest can name, with what tells two apart.
#[derive(Serialize)]
struct AssistantRow {
    id: u64,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone: Option<String>,
}

#[derive(Serialize)]
struct NumberRow {
    id: u64,
    phone_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    available: Option<bool>,
}

impl From<Assistant> for AssistantRow {
    fn from(a: Assistant) -> AssistantRow {
        AssistantRow {
            id: a.id,
            name: a.name,
            kind: a.kind,
            mode: a.mode,
            status: a.status,
            timezone: a.timezone,
        }
    }
}

impl From<PhoneNumber> for NumberRow {
    fn from(n: PhoneNumber) -> NumberRow {
        NumberRow {
            id: n.id,
            phone_number: n.phone_number,
            country_code: n.country_code,
            label: n.type_label,
            available: n.is_available,
        }
    }
}

/// Lists what `args` asks for, for each account (its name in the config, if any) and client.
pub async fn run(runs: &[(Option<String>, Client)], args: &GetArgs) -> anyhow::Result<ExitStatus> {
    match args.what {
        GetWhat::Assistants => {
            let mut accounts = Vec::new();
            for (name, client) in runs {
                let items = client.list_assistants().await?;
                accounts.push(sorted(name, items, |a: &AssistantRow| {
                    (a.name.clone(), a.id)
                }));
            }
            print(args.format, "assistants", accounts, assistants_table)
        }
        GetWhat::Numbers => {
            let mut accounts = Vec::new();
            for (name, client) in runs {
                let items = client.list_phone_numbers().await?;
                accounts.push(sorted(name, items, |n: &NumberRow| n.phone_number.clone()));
            }
            print(args.format, "numbers", accounts, numbers_table)
        }
    }
}

/// One account's items as rows, in the order `key` gives.
fn sorted<W, T: Serialize + From<W>, K: Ord>(
    account: &Option<String>,
    items: Vec<W>,
    key: impl Fn(&T) -> K,
) -> AccountItems<T> {
    let mut items: Vec<T> = items.into_iter().map(T::from).collect();
    items.sort_by_key(key);
    AccountItems {
        account: account.clone(),
        items,
    }
}

fn print<T: Serialize>(
    format: Format,
    kind: &'static str,
    accounts: Vec<AccountItems<T>>,
    table: fn(&[T]) -> String,
) -> anyhow::Result<ExitStatus> {
    match format {
        Format::Json => {
            let document = Document {
                format_version: 1,
                kind,
                accounts,
            };
            super::plan::print_json(&serde_json::to_value(&document)?);
        }
        Format::Text => {
            let several = accounts.len() > 1 || accounts.iter().any(|a| a.account.is_some());
            let mut out = String::new();
            for (i, account) in accounts.iter().enumerate() {
                if several {
                    if i > 0 {
                        out.push('\n');
                    }
                    let name = account.account.as_deref().unwrap_or("(flags)");
                    out.push_str(&format!("Account {}:\n", crate::escape::text(name)));
                }
                out.push_str(&table(&account.items));
            }
            anstream::print!("{out}");
        }
    }
    Ok(ExitStatus::Success)
}

/// Rows padded to the widest cell of each column. Every cell is escaped here, once: all of
/// them come from the platform, which may send control characters in any field.
pub(super) fn aligned(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|row| {
            row.iter()
                .map(|cell| crate::escape::text(cell).into_owned())
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn assistants_table(items: &[AssistantRow]) -> String {
    if items.is_empty() {
        return "No assistants.\n".to_owned();
    }
    let rows = items
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                a.name.clone(),
                a.kind.clone(),
                a.status.clone().unwrap_or_default(),
                a.timezone.clone().unwrap_or_default(),
            ]
        })
        .collect();
    aligned(&["ID", "NAME", "TYPE", "STATUS", "TIMEZONE"], rows)
}

fn numbers_table(items: &[NumberRow]) -> String {
    if items.is_empty() {
        return "No phone numbers.\n".to_owned();
    }
    let rows = items
        .iter()
        .map(|n| {
            vec![
                n.id.to_string(),
                n.phone_number.clone(),
                n.country_code.clone().unwrap_or_default(),
                n.label.clone().unwrap_or_default(),
                match n.available {
                    Some(true) => "yes".to_owned(),
                    Some(false) => "no".to_owned(),
                    None => String::new(),
                },
            ]
        })
        .collect();
    aligned(&["ID", "NUMBER", "COUNTRY", "LABEL", "AVAILABLE"], rows)
}
