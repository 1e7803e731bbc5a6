//! Printing: one-line errors, JSON, tables, progress bars.

use datanet_client::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// The error and its causes on one line, each cause once.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        let first = cause.lines().next().unwrap_or_default();
        if !first.is_empty() && !message.contains(first) {
            message.push_str(": ");
            message.push_str(first);
        }
    }
    message.replace('\n', " ")
}

/// Prints `value` as pretty JSON.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
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

/// Progress as an indicatif bar on stderr (hidden with --json or off a terminal).
pub struct Bar(ProgressBar);

impl Bar {
    pub fn new(json: bool) -> Self {
        if json || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            return Self(ProgressBar::hidden());
        }
        let bar = ProgressBar::new(0).with_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} {per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Self(bar)
    }
}

impl Progress for Bar {
    fn start(&self, stage: &str, total: u64) {
        self.0.reset();
        self.0.set_message(stage.to_string());
        self.0.set_length(total);
        self.0.set_position(0);
    }

    fn set(&self, done: u64) {
        self.0.set_position(done);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Parses a duration: plain seconds, or a number with s, m, h or d.
pub fn parse_duration(text: &str) -> anyhow::Result<u64> {
    use anyhow::{bail, Context};
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
    fn errors_print_on_one_line_with_each_cause_once() {
        let err = anyhow::anyhow!("inner cause").context("outer: inner cause");
        assert_eq!(one_line(&err), "outer: inner cause");
        let err = anyhow::anyhow!("root").context("top");
        assert_eq!(one_line(&err), "top: root");
    }
}
