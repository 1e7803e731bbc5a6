//! Reward tree values files for `tree build`: `address,amount` lines (amounts in base units; a
//! header line is allowed) or a JSON array of `[address, amount]`.

use crate::{error::FileError, ClientError};
use alloy::primitives::{Address, U256};
use std::path::Path;

/// Reads a values file (`.json`, else CSV lines).
pub fn read_values(path: &Path) -> Result<Vec<(Address, U256)>, ClientError> {
    let text = std::fs::read_to_string(path).map_err(|e| ClientError::file(path, e))?;
    let line_error =
        |line: usize, reason: String| ClientError::file(path, FileError::Line { line, reason });
    if path.extension().is_some_and(|e| e == "json") {
        let rows: Vec<(Address, String)> =
            serde_json::from_str(&text).map_err(|e| ClientError::file(path, e))?;
        return rows
            .into_iter()
            .enumerate()
            .map(|(i, (a, v))| {
                let amount = v.parse::<U256>().map_err(|_| {
                    line_error(
                        i + 1,
                        format!("amount {v:?} is not an integer in base units"),
                    )
                })?;
                Ok((a, amount))
            })
            .collect();
    }
    let mut values = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((address, amount)) = line.split_once(',') else {
            return Err(line_error(i + 1, "expected `address,amount`".into()));
        };
        let address = match address.trim().parse::<Address>() {
            Ok(a) => a,
            Err(_) if i == 0 => continue, // header
            Err(_) => {
                return Err(line_error(
                    i + 1,
                    format!("{:?} is not an address", address.trim()),
                ))
            }
        };
        let amount = amount.trim().parse::<U256>().map_err(|_| {
            line_error(
                i + 1,
                format!("{:?} is not an amount in base units", amount.trim()),
            )
        })?;
        values.push((address, amount));
    }
    if values.is_empty() {
        return Err(ClientError::file(
            path,
            FileError::Empty("a tree needs at least one `address,amount`"),
        ));
    }
    Ok(values)
}
