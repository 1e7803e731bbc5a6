//! The tokenizer: Unicode NFC, lowercase, maximal runs of letters and digits.
//!
//! Exactly, for a text `t`:
//! 1. `n = NFC(t)` (Unicode Normalization Form C);
//! 2. `l = n.to_lowercase()` — Rust's [`str::to_lowercase`], i.e. Unicode default
//!    lowercasing with the final-sigma rule, the same as JavaScript's
//!    `toLowerCase()`; it is *not* full case folding (`"ß"` stays `"ß"`);
//! 3. tokens are the maximal runs of characters `c` with [`char::is_alphanumeric`]
//!    (Unicode `Alphabetic` or `Numeric`); everything else separates tokens.
//!
//! Lowercasing can emit combining marks, which are not alphanumeric: `"İ"`
//! (U+0130) becomes `"i\u{307}"`, so `"İstanbul"` gives `["i", "stanbul"]`.
//!
//! The result depends on the Unicode tables of the Rust standard library and of
//! `unicode-normalization`; attestors must build with the same versions.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Normalizes `text` to NFC and lowercases it (steps 1 and 2 of the tokenizer).
pub fn normalize(text: &str) -> String {
    let nfc: Cow<'_, str> = if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    };
    nfc.to_lowercase()
}

/// Calls `f` with every token of an already [`normalize`]d text, in order.
pub fn for_each_token<'a>(normalized: &'a str, mut f: impl FnMut(&'a str)) {
    let mut start = None;
    for (i, c) in normalized.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            f(&normalized[s..i]);
        }
    }
    if let Some(s) = start {
        f(&normalized[s..]);
    }
}

/// Splits `text` into tokens: NFC, lowercase, maximal alphanumeric runs.
///
/// ```
/// use datanet_attribution::tokenize;
/// assert_eq!(tokenize("Café, e\u{301}!  42x"), ["café", "é", "42x"]);
/// ```
pub fn tokenize(text: &str) -> Vec<String> {
    let normalized = normalize(text);
    let mut tokens = Vec::new();
    for_each_token(&normalized, |t| tokens.push(t.to_owned()));
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_non_alphanumerics() {
        assert_eq!(
            tokenize("Hello, world! foo-bar_baz"),
            ["hello", "world", "foo", "bar", "baz"]
        );
        assert_eq!(tokenize(""), Vec::<String>::new());
        assert_eq!(tokenize("  ...  "), Vec::<String>::new());
    }

    #[test]
    fn final_sigma_is_contextual() {
        // Σ at the end of a word lowercases to ς, elsewhere to σ.
        assert_eq!(
            tokenize("ΟΔΟΣ ΣΑ"),
            ["\u{3bf}\u{3b4}\u{3bf}\u{3c2}", "\u{3c3}\u{3b1}"]
        );
    }
}
