//! Progress of long operations, for whoever shows it (the CLI draws bars; a service may log).

/// Receives progress of a long operation. Every method has a no-op default.
pub trait Progress: Send + Sync {
    /// A stage begins with `total` units of work (files, transactions, blocks).
    fn start(&self, _stage: &str, _total: u64) {}
    /// `done` units of the current stage are complete.
    fn set(&self, _done: u64) {}
    /// The current stage is over.
    fn finish(&self) {}
}

/// Shows nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {}
