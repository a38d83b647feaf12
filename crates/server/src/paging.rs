//! The keyset cursor of record lists: where the next page starts, opaque to
//! clients (a versioned, URL-safe encoding of the last row's sort key).

use base64::Engine;
use steward_store::Cursor;

use crate::error::{AppError, AppResult};

pub fn encode_cursor(c: &Cursor) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        "2:{}:{}:{}:{}",
        c.priority, c.opened_at, c.id, c.sla_due_at
    ))
}

pub fn decode_cursor(s: &str) -> AppResult<Cursor> {
    let bad = || AppError::field("cursor", "is not a cursor this server gave out");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        ["2", p, o, i, d] => Ok(Cursor {
            priority: p.parse().map_err(|_| bad())?,
            opened_at: o.parse().map_err(|_| bad())?,
            id: i.parse().map_err(|_| bad())?,
            sla_due_at: d.parse().map_err(|_| bad())?,
        }),
        _ => Err(bad()),
    }
}
