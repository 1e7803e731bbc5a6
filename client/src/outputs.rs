//! Model outputs to pay for and attribute: one output file, or a JSONL log with one output per line
//! (`{"output": "…", "amount": "1.5"}`; `amount` in tokens is optional, other fields are ignored).
//! An output's inference id is keccak256 of its UTF-8 bytes.
//!
//! Two readings of the same format:
//! - a local log ([`read`], [`parse_log`]) is the caller's own file: a bad line is an error naming
//!   the line;
//! - a published file ([`parse_published`]) is someone else's: a bad line (not UTF-8, not JSON, no
//!   `output` string) is skipped and counted, never an error, so a publisher cannot stop an epoch
//!   with a broken file — the outputs it fails to publish simply stay unpublished.

use crate::{error::FileError, ClientError};
use alloy::primitives::{keccak256, B256};
use serde::Deserialize;
use std::path::Path;

/// One model output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// keccak256 of the text's bytes.
    pub inference_id: B256,
    /// The output text.
    pub text: String,
    /// Amount to pay in tokens, as written in the log (if any).
    pub amount: Option<String>,
    /// 1-based line in the log (0 for a single-output file).
    pub line: usize,
}

#[derive(Deserialize)]
struct LogLine {
    output: String,
    #[serde(default)]
    amount: Option<String>,
}

/// What the expected line looks like, for error messages.
const EXPECTED: &str = "expected {\"output\": \"…\", \"amount\": \"1.5\"}";

/// Reads `path`: a `.jsonl` log, or else a single output file.
pub fn read(path: &Path) -> Result<Vec<Output>, ClientError> {
    let bytes = std::fs::read(path).map_err(|e| ClientError::file(path, e))?;
    let is_log = path.extension().is_some_and(|e| e == "jsonl");
    if !is_log {
        let text =
            String::from_utf8(bytes).map_err(|_| ClientError::file(path, FileError::NotUtf8))?;
        return Ok(vec![Output {
            inference_id: keccak256(text.as_bytes()),
            text,
            amount: None,
            line: 0,
        }]);
    }
    parse_log(&bytes).map_err(|e| ClientError::file(path, e))
}

/// Parses a JSONL log strictly: every non-blank line must be an output; at least one output.
pub fn parse_log(bytes: &[u8]) -> Result<Vec<Output>, FileError> {
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::NotUtf8)?;
    let mut outputs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let output = parse_line(line, i + 1).map_err(|reason| FileError::Line {
            line: i + 1,
            reason,
        })?;
        outputs.push(output);
    }
    if outputs.is_empty() {
        return Err(FileError::Empty("the log has no outputs"));
    }
    Ok(outputs)
}

/// A published outputs file, read leniently (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublishedOutputs {
    /// The outputs of the valid lines, in file order.
    pub outputs: Vec<Output>,
    /// Lines skipped, 1-based, with why.
    pub rejected: Vec<(usize, String)>,
}

/// Parses a published JSONL file: valid lines become outputs, invalid ones are listed in
/// [`PublishedOutputs::rejected`]. Lines are split on `\n` (a trailing `\r` is dropped) before
/// decoding, so one line that is not UTF-8 spoils only itself.
pub fn parse_published(bytes: &[u8]) -> PublishedOutputs {
    let mut parsed = PublishedOutputs::default();
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = match std::str::from_utf8(raw) {
            Ok(line) => line,
            Err(_) => {
                parsed.rejected.push((i + 1, "not UTF-8 text".into()));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line, i + 1) {
            Ok(output) => parsed.outputs.push(output),
            Err(reason) => parsed.rejected.push((i + 1, reason)),
        }
    }
    parsed
}

fn parse_line(line: &str, number: usize) -> Result<Output, String> {
    let parsed: LogLine = serde_json::from_str(line).map_err(|e| format!("{e} ({EXPECTED})"))?;
    Ok(Output {
        inference_id: keccak256(parsed.output.as_bytes()),
        text: parsed.output,
        amount: parsed.amount,
        line: number,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_is_strict_and_a_published_file_is_lenient_about_the_same_bytes() {
        let bytes = b"{\"output\": \"one\", \"amount\": \"1\"}\r\n\n{\"output\": 5}\n\xff\xfe\n{\"output\": \"two\", \"extra\": true}";
        match parse_log(bytes) {
            Err(FileError::NotUtf8) => {}
            other => panic!("{other:?}"),
        }
        let published = parse_published(bytes);
        let texts: Vec<&str> = published.outputs.iter().map(|o| o.text.as_str()).collect();
        assert_eq!(texts, ["one", "two"]);
        assert_eq!(published.outputs[0].inference_id, keccak256("one"));
        assert_eq!(published.outputs[0].amount.as_deref(), Some("1"));
        assert_eq!(published.outputs[1].line, 5);
        let lines: Vec<usize> = published.rejected.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [3, 4]);

        let strict = parse_log(b"{\"output\": \"one\"}\n{\"output\": 5}\n");
        match strict {
            Err(FileError::Line { line: 2, reason }) => assert!(reason.contains("expected")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse_log(b"\n \n"), Err(FileError::Empty(_))));
        assert_eq!(parse_published(b""), PublishedOutputs::default());
    }
}
