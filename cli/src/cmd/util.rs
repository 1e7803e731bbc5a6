//! Parsing and printing shared by the commands: token amounts, durations, tables.

use alloy::primitives::{
    utils::{format_units, parse_units},
    U256,
};
use anyhow::{bail, Context, Result};

/// Parses whole tokens with up to 18 decimals ("1.5") into base units.
pub fn parse_tokens(text: &str) -> Result<U256> {
    let units = parse_units(text.trim(), 18)
        .with_context(|| format!("{text:?} is not a token amount (e.g. 10 or 0.5)"))?;
    let value: U256 = units.into();
    Ok(value)
}

/// Formats base units as whole tokens, trimming trailing zeros.
pub fn format_tokens(value: U256) -> String {
    let text = format_units(value, 18).unwrap_or_else(|_| value.to_string());
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// Parses a duration: plain seconds, or a number with s, m, h or d.
pub fn parse_duration(text: &str) -> Result<u64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&text[..i], &text[i..]),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .with_context(|| format!("{text:?} is not a duration (e.g. 3600, 30m, 12h, 7d)"))?;
    let factor = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => bail!("{text:?} is not a duration: use s, m, h or d (e.g. 7d)"),
    };
    n.checked_mul(factor)
        .with_context(|| format!("duration {text:?} is too long"))
}

/// A plain text table with aligned columns.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn print(&self) {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let text: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            println!("{}", text.join("  ").trim_end());
        };
        line(&self.header);
        println!(
            "{}",
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("  ")
        );
        for row in &self.rows {
            line(row);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3600").unwrap(), 3600);
        assert_eq!(parse_duration("30m").unwrap(), 1800);
        assert_eq!(parse_duration("7d").unwrap(), 604_800);
        assert!(parse_duration("7w").is_err());
        assert!(parse_duration("x").is_err());
    }

    #[test]
    fn tokens_round_trip() {
        let v = parse_tokens("1.5").unwrap();
        assert_eq!(v, U256::from(1_500_000_000_000_000_000u128));
        assert_eq!(format_tokens(v), "1.5");
        assert_eq!(format_tokens(U256::ZERO), "0");
        assert!(parse_tokens("abc").is_err());
    }
}
