//! Model outputs to pay for and attribute: one output file, or a JSONL log with one output per line
//! (`{"output": "…", "amount": "1.5"}`; `amount` in tokens is optional). An output's inference id is
//! keccak256 of its UTF-8 bytes.

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
    let text = String::from_utf8(bytes).map_err(|_| ClientError::file(path, FileError::NotUtf8))?;
    let mut outputs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed: LogLine = serde_json::from_str(line).map_err(|e| {
            ClientError::file(
                path,
                FileError::Line {
                    line: i + 1,
                    reason: format!("{e} (expected {{\"output\": \"…\", \"amount\": \"1.5\"}})"),
                },
            )
        })?;
        outputs.push(Output {
            inference_id: keccak256(parsed.output.as_bytes()),
            text: parsed.output,
            amount: parsed.amount,
            line: i + 1,
        });
    }
    if outputs.is_empty() {
        return Err(ClientError::file(
            path,
            FileError::Empty("the log has no outputs"),
        ));
    }
    Ok(outputs)
}
