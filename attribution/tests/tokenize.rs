//! The tokenizer: NFC, lowercase, alphanumeric runs.

use datanet_attribution::tokenize;

#[test]
fn nfc_composes_before_splitting() {
    // "e" + combining acute is "é": one token, equal to the precomposed form.
    assert_eq!(tokenize("caf\u{65}\u{301}"), tokenize("caf\u{e9}"));
    assert_eq!(tokenize("e\u{301}"), ["\u{e9}"]);
    // Hangul jamo compose into a syllable.
    assert_eq!(tokenize("\u{1100}\u{1161}"), ["\u{ac00}"]);
}

#[test]
fn lowercases() {
    assert_eq!(tokenize("HeLLo WORLD"), ["hello", "world"]);
    assert_eq!(tokenize("ÉCOLE École école"), ["école", "école", "école"]);
    // Lowercasing, not full case folding: ß stays, and SS is not ß.
    assert_eq!(tokenize("Straße STRASSE"), ["straße", "strasse"]);
}

#[test]
fn punctuation_and_spaces_split() {
    assert_eq!(
        tokenize("it's a well-known fact: (really!) e.g.\tfoo\nbar—baz"),
        ["it", "s", "a", "well", "known", "fact", "really", "e", "g", "foo", "bar", "baz"]
    );
    assert_eq!(
        tokenize("snake_case and dot.separated"),
        ["snake", "case", "and", "dot", "separated"]
    );
    assert!(tokenize(" \t\n!?.,;:()[]{}").is_empty());
}

#[test]
fn digits_are_token_characters() {
    assert_eq!(
        tokenize("GPT4 in 2024, v1.2.3 x86_64"),
        ["gpt4", "in", "2024", "v1", "2", "3", "x86", "64"]
    );
    // Other scripts' letters and digits count too.
    assert_eq!(tokenize("数据网络 ٣٤ Ⅻ"), ["数据网络", "٣٤", "ⅻ"]);
}

#[test]
fn deterministic() {
    let text = "Σίσυφος ROLLED the İstanbul stone, e\u{301}ternellement.";
    let first = tokenize(text);
    for _ in 0..3 {
        assert_eq!(tokenize(text), first);
    }
    assert_eq!(
        first,
        [
            "σίσυφος",
            "rolled",
            "the",
            "i",
            "stanbul",
            "stone",
            "éternellement"
        ]
    );
}
