//! Token units: every amount a user types or reads is in the deployment token's own units, read from
//! the token (`decimals()`, `symbol()`), never an assumed 18.

use alloy::primitives::{Address, U256};
use serde::Serialize;
use std::fmt;

/// The ERC-20 of bonds and payments, with the units it is shown in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub address: Address,
    pub symbol: String,
    pub decimals: u8,
}

/// An amount of a token, displayed in its units with its symbol (`1.5 USDC`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amount {
    pub value: U256,
    pub symbol: String,
    pub decimals: u8,
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            format_units(self.value, self.decimals),
            self.symbol
        )
    }
}

/// Why a typed amount was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AmountProblem {
    Empty,
    Negative,
    NotANumber,
    TooManyDecimals { given: usize },
    TooLarge,
}

/// A typed amount that does not parse in the token's units. One line: the value, the problem and
/// the token's decimals.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid amount {value:?}: {} ({symbol} has {decimals} decimals)", describe(problem, *decimals))]
pub struct AmountError {
    pub value: String,
    pub problem: AmountProblem,
    pub symbol: String,
    pub decimals: u8,
}

fn describe(problem: &AmountProblem, decimals: u8) -> String {
    match problem {
        AmountProblem::Empty => "no number given".into(),
        AmountProblem::Negative => "amounts cannot be negative".into(),
        AmountProblem::NotANumber => "not a decimal number (e.g. 10 or 0.5)".into(),
        AmountProblem::TooManyDecimals { given } => {
            format!("{given} digits after the point, at most {decimals} allowed")
        }
        AmountProblem::TooLarge => "too large".into(),
    }
}

impl Token {
    /// `value` base units of this token.
    pub fn amount(&self, value: U256) -> Amount {
        Amount {
            value,
            symbol: self.symbol.clone(),
            decimals: self.decimals,
        }
    }

    /// Formats base units in whole tokens without the symbol (`1.5`).
    pub fn format(&self, value: U256) -> String {
        format_units(value, self.decimals)
    }

    /// Parses a typed amount in whole tokens (`10`, `0.5`) into base units. Strict: no sign, no
    /// exponent, no separators, at most `decimals` digits after the point.
    pub fn parse(&self, text: &str) -> Result<U256, AmountError> {
        parse_units(text, self.decimals).map_err(|problem| AmountError {
            value: text.to_string(),
            problem,
            symbol: self.symbol.clone(),
            decimals: self.decimals,
        })
    }
}

/// Base units as whole tokens, trailing zeros trimmed (`1500000` with 6 decimals is `1.5`).
pub fn format_units(value: U256, decimals: u8) -> String {
    let digits = value.to_string();
    let decimals = usize::from(decimals);
    if decimals == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = decimals + 1);
    let (whole, fraction) = padded.split_at(padded.len() - decimals);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// Parses whole tokens into base units; see [`Token::parse`].
pub fn parse_units(text: &str, decimals: u8) -> Result<U256, AmountProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AmountProblem::Empty);
    }
    if text.starts_with('-') {
        return Err(AmountProblem::Negative);
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_only(whole) || !digits_only(fraction) {
        return Err(AmountProblem::NotANumber);
    }
    if fraction.len() > usize::from(decimals) {
        // Trailing zeros beyond the token's precision change nothing ("1.50" with 1 decimal is fine).
        let significant = fraction.trim_end_matches('0').len();
        if significant > usize::from(decimals) {
            return Err(AmountProblem::TooManyDecimals {
                given: fraction.len(),
            });
        }
    }
    let mut fraction = fraction.to_string();
    fraction.truncate(usize::from(decimals));
    let fraction = format!("{fraction:0<width$}", width = usize::from(decimals));
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(U256::ZERO);
    }
    U256::from_str_radix(digits, 10).map_err(|_| AmountProblem::TooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(decimals: u8) -> Token {
        Token {
            address: Address::ZERO,
            symbol: "TKN".into(),
            decimals,
        }
    }

    #[test]
    fn parses_in_the_tokens_units() {
        assert_eq!(
            token(18).parse("1.5").unwrap(),
            U256::from(15u64) * U256::from(10u64).pow(U256::from(17))
        );
        assert_eq!(token(6).parse("1").unwrap(), U256::from(1_000_000u64));
        assert_eq!(token(6).parse("0.000001").unwrap(), U256::from(1u64));
        assert_eq!(token(6).parse(" 2.50 ").unwrap(), U256::from(2_500_000u64));
        assert_eq!(token(6).parse(".5").unwrap(), U256::from(500_000u64));
        assert_eq!(token(6).parse("5.").unwrap(), U256::from(5_000_000u64));
        assert_eq!(token(0).parse("7").unwrap(), U256::from(7u64));
        assert_eq!(token(6).parse("0").unwrap(), U256::ZERO);
    }

    #[test]
    fn refuses_negative_imprecise_and_garbage_amounts() {
        let problem = |d: u8, s: &str| token(d).parse(s).unwrap_err().problem;
        assert_eq!(problem(18, "-3"), AmountProblem::Negative);
        assert_eq!(
            problem(18, "1.0000000000000000001"),
            AmountProblem::TooManyDecimals { given: 19 }
        );
        assert_eq!(
            problem(6, "1.0000001"),
            AmountProblem::TooManyDecimals { given: 7 }
        );
        for garbage in [
            "abc", "1e18", "0x10", "1,000", "1.2.3", ".", "+1", "1 000", "١",
        ] {
            assert_eq!(problem(18, garbage), AmountProblem::NotANumber, "{garbage}");
        }
        assert_eq!(problem(18, ""), AmountProblem::Empty);
        assert_eq!(problem(0, &"9".repeat(80)), AmountProblem::TooLarge);
    }

    #[test]
    fn errors_are_one_line_naming_the_value_and_the_decimals() {
        let e = token(6).parse("1.0000001").unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid amount \"1.0000001\": 7 digits after the point, at most 6 allowed (TKN has 6 decimals)"
        );
        let e = token(18).parse("-3").unwrap_err().to_string();
        assert!(
            e.contains("\"-3\"") && e.contains("negative") && e.contains("18 decimals"),
            "{e}"
        );
    }

    #[test]
    fn formats_in_the_tokens_units() {
        assert_eq!(format_units(U256::from(1_500_000u64), 6), "1.5");
        assert_eq!(format_units(U256::from(1u64), 6), "0.000001");
        assert_eq!(format_units(U256::ZERO, 18), "0");
        assert_eq!(format_units(U256::from(42u64), 0), "42");
        assert_eq!(
            token(6).amount(U256::from(2_000_000u64)).to_string(),
            "2 TKN"
        );
        let value = token(18).parse("123.456").unwrap();
        assert_eq!(token(18).format(value), "123.456");
    }
}
