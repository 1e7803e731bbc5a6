//! The reward tree: OpenZeppelin's `StandardMerkleTree` with leaf encoding
//! `["address", "uint256"]` (account, cumulative amount), byte for byte.
//!
//! As in `@openzeppelin/merkle-tree` 1.x:
//! - leaf = `keccak256(keccak256(abi.encode(account, amount)))`;
//! - leaves are sorted by hash (as 256-bit numbers); the tree is an array of
//!   `2n − 1` nodes with the `i`-th sorted leaf at `tree[2n − 2 − i]`, and node
//!   `i < n − 1` is `keccak256(sort(tree[2i+1], tree[2i+2]))`; the root is `tree[0]`;
//! - a proof is the list of siblings from the leaf up to the root;
//! - `values` keep the input order, each with the index of its leaf in `tree`.
//!
//! [`RewardTree::to_json`] is `JSON.stringify(tree.dump())` and
//! [`RewardTree::to_json_pretty`] is `JSON.stringify(tree.dump(), null, 2)` of
//! the JavaScript tree built from the same values, where each value is written
//! as `[account, amount]`: the account as `0x` + lowercase hex and the amount as
//! a decimal string. [`RewardTree::load`] reads any dump of that leaf encoding
//! (addresses in any case, amounts as decimal or `0x` hex strings or JSON
//! integers) and re-dumps it in that normalized form. Unlike the JavaScript
//! library, an account may appear only once.

use std::{collections::BTreeMap, io::Write};

use alloy_primitives::{hex, keccak256, Address, B256, U256};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{
    de::{self, SeqAccess, Visitor},
    ser::SerializeTuple,
    Deserialize, Deserializer, Serialize, Serializer,
};

use crate::error::RewardTreeError;

/// `format` of a standard tree dump.
pub const STANDARD_FORMAT: &str = "standard-v1";
/// The leaf encoding of reward trees.
pub const LEAF_ENCODING: [&str; 2] = ["address", "uint256"];

/// One value of the tree: an account, its cumulative amount and its leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewardLeaf {
    /// The account.
    pub account: Address,
    /// Its cumulative amount.
    pub amount: U256,
    /// Index of its leaf hash in [`RewardTree::tree`].
    pub tree_index: usize,
}

/// An OpenZeppelin-compatible Merkle tree of `(account, cumulative amount)`.
///
/// ```
/// use alloy_primitives::{address, U256};
/// use datanet_attribution::RewardTree;
///
/// let alice = address!("1111111111111111111111111111111111111111");
/// let bob = address!("2222222222222222222222222222222222222222");
/// let tree = RewardTree::of(vec![
///     (alice, U256::from(5_000_000_000_000_000_000u128)),
///     (bob, U256::from(2_500_000_000_000_000_000u128)),
/// ])?;
/// // The root of the example in @openzeppelin/merkle-tree's README.
/// assert_eq!(
///     tree.root().to_string(),
///     "0xd4dee0beab2d53f2cc83e567171bd2820e49898130a22622b10ead383e90bd77"
/// );
/// let proof = tree.get_proof_for(bob)?;
/// assert!(RewardTree::verify(tree.root(), bob, U256::from(2_500_000_000_000_000_000u128), &proof));
/// let same = RewardTree::load(tree.to_json().as_bytes())?;
/// assert_eq!(same.root(), tree.root());
/// # Ok::<(), datanet_attribution::RewardTreeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RewardTree {
    tree: Vec<B256>,
    values: Vec<RewardLeaf>,
    by_account: FxHashMap<Address, usize>,
}

/// `keccak256(keccak256(abi.encode(account, amount)))`.
pub fn leaf_hash(account: Address, amount: U256) -> B256 {
    let mut encoded = [0u8; 64];
    encoded[12..32].copy_from_slice(account.as_slice());
    encoded[32..].copy_from_slice(&amount.to_be_bytes::<32>());
    keccak256(keccak256(encoded))
}

/// `keccak256` of the two nodes concatenated in ascending order.
pub fn node_hash(a: &B256, b: &B256) -> B256 {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(lo.as_slice());
    buf[32..].copy_from_slice(hi.as_slice());
    keccak256(buf)
}

/// Below this many nodes per level, hashing stays on one thread.
const PARALLEL_MIN: usize = 4096;

impl RewardTree {
    /// Builds the tree of `values`, keeping their order (like `StandardMerkleTree.of`).
    pub fn of(values: Vec<(Address, U256)>) -> Result<Self, RewardTreeError> {
        if values.is_empty() {
            return Err(RewardTreeError::Empty);
        }
        let by_account = index_accounts(values.iter().map(|(a, _)| *a))?;
        let n = values.len();
        let mut sorted: Vec<(B256, usize)> = values
            .par_iter()
            .enumerate()
            .with_min_len(PARALLEL_MIN)
            .map(|(i, &(account, amount))| (leaf_hash(account, amount), i))
            .collect();
        // (hash, input index) makes the unstable sort as stable as the JS one.
        sorted.par_sort_unstable();
        let len = 2 * n - 1;
        let mut tree = vec![B256::ZERO; len];
        let mut leaves: Vec<RewardLeaf> = values
            .iter()
            .map(|&(account, amount)| RewardLeaf {
                account,
                amount,
                tree_index: 0,
            })
            .collect();
        for (k, &(hash, i)) in sorted.iter().enumerate() {
            tree[len - 1 - k] = hash;
            leaves[i].tree_index = len - 1 - k;
        }
        drop(sorted);
        hash_inner_nodes(&mut tree, n);
        Ok(Self {
            tree,
            values: leaves,
            by_account,
        })
    }

    /// Builds the tree of cumulative amounts, values ordered by account.
    pub fn from_cumulative(cumulative: &BTreeMap<Address, U256>) -> Result<Self, RewardTreeError> {
        Self::of(cumulative.iter().map(|(&a, &v)| (a, v)).collect())
    }

    /// The Merkle root.
    pub fn root(&self) -> B256 {
        self.tree[0]
    }

    /// Number of values (leaves).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always false: a tree has at least one leaf.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values, in input order.
    pub fn values(&self) -> &[RewardLeaf] {
        &self.values
    }

    /// The node array (`tree[0]` is the root).
    pub fn tree(&self) -> &[B256] {
        &self.tree
    }

    /// Index in [`Self::values`] of `account`'s value.
    pub fn index_of(&self, account: Address) -> Option<usize> {
        self.by_account.get(&account).copied()
    }

    /// `account`'s cumulative amount in this tree.
    pub fn amount_of(&self, account: Address) -> Option<U256> {
        self.index_of(account).map(|i| self.values[i].amount)
    }

    /// The proof of the value at `index` (like `getProof(index)`): siblings
    /// from the leaf up, empty for a one-leaf tree.
    pub fn get_proof(&self, index: usize) -> Result<Vec<B256>, RewardTreeError> {
        let leaf = self
            .values
            .get(index)
            .ok_or(RewardTreeError::IndexOutOfBounds {
                index,
                len: self.values.len(),
            })?;
        let mut proof = Vec::new();
        let mut i = leaf.tree_index;
        while i > 0 {
            let sibling = if i % 2 == 1 { i + 1 } else { i - 1 };
            proof.push(self.tree[sibling]);
            i = (i - 1) / 2;
        }
        Ok(proof)
    }

    /// The proof of `account`'s value.
    pub fn get_proof_for(&self, account: Address) -> Result<Vec<B256>, RewardTreeError> {
        let index = self
            .index_of(account)
            .ok_or(RewardTreeError::AccountNotFound(account))?;
        self.get_proof(index)
    }

    /// Whether `proof` proves `(account, amount)` under `root` — what the
    /// contract's `MerkleProof.verify` checks.
    pub fn verify(root: B256, account: Address, amount: U256, proof: &[B256]) -> bool {
        proof
            .iter()
            .fold(leaf_hash(account, amount), |node, sibling| {
                node_hash(&node, sibling)
            })
            == root
    }

    /// The dump as a serde value (`StandardMerkleTree.dump()`).
    pub fn dump(&self) -> StandardTreeDump {
        StandardTreeDump {
            format: STANDARD_FORMAT.to_owned(),
            leaf_encoding: LEAF_ENCODING.iter().map(|s| (*s).to_owned()).collect(),
            tree: self.tree.clone(),
            values: self
                .values
                .iter()
                .map(|v| DumpValue {
                    value: LeafValue {
                        account: v.account,
                        amount: v.amount,
                    },
                    tree_index: v.tree_index,
                })
                .collect(),
        }
    }

    /// `JSON.stringify(tree.dump())`.
    pub fn to_json(&self) -> String {
        self.render(false)
    }

    /// `JSON.stringify(tree.dump(), null, 2)`.
    pub fn to_json_pretty(&self) -> String {
        self.render(true)
    }

    /// Writes [`Self::to_json`] (or the pretty form) to `out`.
    pub fn write_json<W: Write>(&self, mut out: W, pretty: bool) -> Result<(), RewardTreeError> {
        out.write_all(self.render(pretty).as_bytes())?;
        Ok(())
    }

    fn render(&self, pretty: bool) -> String {
        let mut out = String::new();
        let json = JsonLayout { pretty };
        out.push('{');
        json.key(&mut out, 1, "format", true);
        out.push_str("\"standard-v1\"");
        json.key(&mut out, 1, "leafEncoding", false);
        json.open_list(&mut out);
        for (i, e) in LEAF_ENCODING.iter().enumerate() {
            json.item(&mut out, 2, i == 0);
            out.push('"');
            out.push_str(e);
            out.push('"');
        }
        json.close(&mut out, 1, ']');
        json.key(&mut out, 1, "tree", false);
        json.open_list(&mut out);
        let nodes: Vec<String> = self
            .tree
            .par_chunks(PARALLEL_MIN)
            .enumerate()
            .map(|(c, chunk)| {
                let mut s = String::with_capacity(chunk.len() * (70 + 6));
                for (k, node) in chunk.iter().enumerate() {
                    json.item(&mut s, 2, c == 0 && k == 0);
                    push_hex(&mut s, node.as_slice());
                }
                s
            })
            .collect();
        out.reserve(nodes.iter().map(String::len).sum::<usize>() + self.values.len() * 150);
        nodes.iter().for_each(|s| out.push_str(s));
        drop(nodes);
        json.close(&mut out, 1, ']');
        json.key(&mut out, 1, "values", false);
        json.open_list(&mut out);
        let values: Vec<String> = self
            .values
            .par_chunks(PARALLEL_MIN)
            .enumerate()
            .map(|(c, chunk)| {
                let mut s = String::with_capacity(chunk.len() * 150);
                for (k, v) in chunk.iter().enumerate() {
                    json.item(&mut s, 2, c == 0 && k == 0);
                    s.push('{');
                    json.key(&mut s, 3, "value", true);
                    json.open_list(&mut s);
                    json.item(&mut s, 4, true);
                    push_hex(&mut s, v.account.as_slice());
                    json.item(&mut s, 4, false);
                    s.push('"');
                    push_decimal(&mut s, v.amount);
                    s.push('"');
                    json.close(&mut s, 3, ']');
                    json.key(&mut s, 3, "treeIndex", false);
                    push_decimal(&mut s, U256::from(v.tree_index));
                    json.close(&mut s, 2, '}');
                }
                s
            })
            .collect();
        values.iter().for_each(|s| out.push_str(s));
        json.close(&mut out, 1, ']');
        json.close(&mut out, 0, '}');
        out
    }

    /// Reads a dump (`StandardMerkleTree.load`), validating it like the
    /// JavaScript library: format, leaf encoding, every value's leaf hash at its
    /// tree index, and every inner node.
    pub fn load(json: &[u8]) -> Result<Self, RewardTreeError> {
        Self::from_dump(serde_json::from_slice(json)?)
    }

    /// Validates a parsed dump and turns it into a tree.
    pub fn from_dump(dump: StandardTreeDump) -> Result<Self, RewardTreeError> {
        if dump.format != STANDARD_FORMAT {
            return Err(RewardTreeError::UnknownFormat(dump.format));
        }
        if dump.leaf_encoding != LEAF_ENCODING {
            return Err(RewardTreeError::UnsupportedLeafEncoding(dump.leaf_encoding));
        }
        if dump.values.is_empty() {
            return Err(RewardTreeError::Empty);
        }
        let tree = dump.tree;
        let len = tree.len();
        if len & 1 == 0 {
            return Err(RewardTreeError::InvalidTree(format!(
                "{len} nodes: a tree has an odd, non-zero number of nodes"
            )));
        }
        let inner = len / 2;
        if let Some(bad) = (0..inner)
            .into_par_iter()
            .with_min_len(PARALLEL_MIN)
            .find_first(|&i| tree[i] != node_hash(&tree[2 * i + 1], &tree[2 * i + 2]))
        {
            return Err(RewardTreeError::InvalidTree(format!(
                "node {bad} is not the hash of its children"
            )));
        }
        let by_account = index_accounts(dump.values.iter().map(|v| v.value.account))?;
        let values: Vec<RewardLeaf> = dump
            .values
            .into_iter()
            .map(|v| RewardLeaf {
                account: v.value.account,
                amount: v.value.amount,
                tree_index: v.tree_index,
            })
            .collect();
        let bad = values
            .par_iter()
            .enumerate()
            .with_min_len(PARALLEL_MIN)
            .find_first(|(_, v)| {
                v.tree_index < inner
                    || tree.get(v.tree_index) != Some(&leaf_hash(v.account, v.amount))
            });
        if let Some((index, v)) = bad {
            return Err(RewardTreeError::InvalidValue {
                index,
                reason: format!(
                    "tree index {} does not hold the leaf of this value",
                    v.tree_index
                ),
            });
        }
        Ok(Self {
            tree,
            values,
            by_account,
        })
    }
}

/// Hashes inner nodes `0..n-1` of a tree whose `n` leaves are in place, one
/// depth at a time from the deepest (a depth's children all lie after it).
fn hash_inner_nodes(tree: &mut [B256], n: usize) {
    let inner = n - 1;
    if inner == 0 {
        return;
    }
    let mut depth = inner.ilog2();
    loop {
        let lo = (1usize << depth) - 1;
        let hi = ((1usize << (depth + 1)) - 1).min(inner);
        let (parents, rest) = tree.split_at_mut(hi);
        let children = &*rest;
        parents[lo..]
            .par_iter_mut()
            .with_min_len(PARALLEL_MIN)
            .enumerate()
            .for_each(|(k, node)| {
                let i = lo + k;
                *node = node_hash(&children[2 * i + 1 - hi], &children[2 * i + 2 - hi]);
            });
        if depth == 0 {
            break;
        }
        depth -= 1;
    }
}

fn index_accounts(
    accounts: impl ExactSizeIterator<Item = Address>,
) -> Result<FxHashMap<Address, usize>, RewardTreeError> {
    let mut map = FxHashMap::with_capacity_and_hasher(accounts.len(), Default::default());
    for (i, account) in accounts.enumerate() {
        if map.insert(account, i).is_some() {
            return Err(RewardTreeError::DuplicateAccount(account));
        }
    }
    Ok(map)
}

/// Appends `"0x…"` (lowercase) without allocating; `bytes` is at most 32 long.
fn push_hex(out: &mut String, bytes: &[u8]) {
    let mut buf = [0u8; 64];
    let digits = &mut buf[..2 * bytes.len()];
    out.push_str("\"0x");
    if hex::encode_to_slice(bytes, digits).is_ok() {
        if let Ok(digits) = std::str::from_utf8(digits) {
            out.push_str(digits);
        }
    }
    out.push('"');
}

fn push_decimal(out: &mut String, value: U256) {
    use std::fmt::Write as _;
    // Writing to a String cannot fail.
    let _ = match u128::try_from(value) {
        Ok(small) => write!(out, "{small}"),
        Err(_) => write!(out, "{value}"),
    };
}

/// Whitespace of `JSON.stringify(…)` (compact) or `JSON.stringify(…, null, 2)`.
#[derive(Clone, Copy)]
struct JsonLayout {
    pretty: bool,
}

impl JsonLayout {
    fn newline(self, out: &mut String, depth: usize) {
        if self.pretty {
            out.push('\n');
            for _ in 0..depth {
                out.push_str("  ");
            }
        }
    }

    /// `"name":` as an object member at `depth`.
    fn key(self, out: &mut String, depth: usize, name: &str, first: bool) {
        if !first {
            out.push(',');
        }
        self.newline(out, depth);
        out.push('"');
        out.push_str(name);
        out.push_str(if self.pretty { "\": " } else { "\":" });
    }

    fn open_list(self, out: &mut String) {
        out.push('[');
    }

    /// Separator before an array item at `depth`.
    fn item(self, out: &mut String, depth: usize, first: bool) {
        if !first {
            out.push(',');
        }
        self.newline(out, depth);
    }

    /// Closes a non-empty array or object whose items were at `depth + 1`.
    fn close(self, out: &mut String, depth: usize, bracket: char) {
        self.newline(out, depth);
        out.push(bracket);
    }
}

/// The JSON shape of `StandardMerkleTree.dump()` for `["address", "uint256"]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StandardTreeDump {
    /// `"standard-v1"`.
    pub format: String,
    /// `["address", "uint256"]`.
    pub leaf_encoding: Vec<String>,
    /// The node array.
    pub tree: Vec<B256>,
    /// The values in input order.
    pub values: Vec<DumpValue>,
}

/// One entry of [`StandardTreeDump::values`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DumpValue {
    /// `[account, amount]`.
    pub value: LeafValue,
    /// Index of the value's leaf in the node array.
    pub tree_index: usize,
}

/// `[account, amount]`, written as `["0x…", "decimal"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeafValue {
    /// The account.
    pub account: Address,
    /// The cumulative amount.
    pub amount: U256,
}

impl Serialize for LeafValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut t = serializer.serialize_tuple(2)?;
        t.serialize_element(&self.account)?;
        t.serialize_element(&self.amount.to_string())?;
        t.end()
    }
}

impl<'de> Deserialize<'de> for LeafValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LeafVisitor;
        impl<'de> Visitor<'de> for LeafVisitor {
            type Value = LeafValue;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an [address, uint256] pair")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<LeafValue, A::Error> {
                let account: Address = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let amount: JsonAmount = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(3, &self));
                }
                Ok(LeafValue {
                    account,
                    amount: amount.parse().map_err(de::Error::custom)?,
                })
            }
        }
        deserializer.deserialize_seq(LeafVisitor)
    }
}

/// A uint256 as the JavaScript library accepts it in a dump.
#[derive(Deserialize)]
#[serde(untagged)]
enum JsonAmount {
    Text(String),
    Number(u64),
}

impl JsonAmount {
    fn parse(self) -> Result<U256, String> {
        match self {
            Self::Number(n) => Ok(U256::from(n)),
            Self::Text(s) => {
                let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                    Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        U256::from_str_radix(hex, 16).ok()
                    }
                    Some(_) => None,
                    None if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                        U256::from_str_radix(&s, 10).ok()
                    }
                    None => None,
                };
                parsed.ok_or_else(|| format!("{s:?} is not a uint256"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(n: u64) -> Vec<(Address, U256)> {
        (0..n)
            .map(|i| (Address::with_last_byte(i as u8 + 1), U256::from(i * 7 + 1)))
            .collect()
    }

    #[test]
    fn every_proof_verifies() {
        for n in 1..40 {
            let tree = RewardTree::of(values(n)).unwrap();
            assert_eq!(tree.tree().len() as u64, 2 * n - 1);
            for (i, v) in tree.values().iter().enumerate() {
                let proof = tree.get_proof(i).unwrap();
                assert!(RewardTree::verify(tree.root(), v.account, v.amount, &proof));
                assert!(!RewardTree::verify(
                    tree.root(),
                    v.account,
                    v.amount + U256::from(1),
                    &proof
                ));
            }
        }
    }

    #[test]
    fn single_leaf_root_is_the_leaf() {
        let tree = RewardTree::of(values(1)).unwrap();
        let (a, v) = values(1)[0];
        assert_eq!(tree.root(), leaf_hash(a, v));
        assert!(tree.get_proof(0).unwrap().is_empty());
    }

    #[test]
    fn hand_written_json_equals_serde_json() {
        for n in [1, 2, 3, 17] {
            let tree = RewardTree::of(values(n)).unwrap();
            assert_eq!(tree.to_json(), serde_json::to_string(&tree.dump()).unwrap());
            assert_eq!(
                tree.to_json_pretty(),
                serde_json::to_string_pretty(&tree.dump()).unwrap()
            );
            let loaded = RewardTree::load(tree.to_json_pretty().as_bytes()).unwrap();
            assert_eq!(loaded.to_json(), tree.to_json());
        }
    }

    #[test]
    fn load_refuses_tampering() {
        let tree = RewardTree::of(values(5)).unwrap();
        let mut dump = tree.dump();
        dump.values[2].value.amount += U256::from(1);
        assert!(matches!(
            RewardTree::from_dump(dump),
            Err(RewardTreeError::InvalidValue { index: 2, .. })
        ));
        let mut dump = tree.dump();
        dump.tree[0] = B256::ZERO;
        assert!(matches!(
            RewardTree::from_dump(dump),
            Err(RewardTreeError::InvalidTree(_))
        ));
        let mut dump = tree.dump();
        dump.format = "simple-v1".into();
        assert!(matches!(
            RewardTree::from_dump(dump),
            Err(RewardTreeError::UnknownFormat(_))
        ));
    }

    #[test]
    fn duplicates_and_empty_are_refused() {
        assert!(matches!(
            RewardTree::of(vec![]),
            Err(RewardTreeError::Empty)
        ));
        let a = Address::with_last_byte(1);
        assert!(matches!(
            RewardTree::of(vec![(a, U256::from(1)), (a, U256::from(2))]),
            Err(RewardTreeError::DuplicateAccount(_))
        ));
    }

    #[test]
    fn amounts_load_in_any_js_form() {
        let a = "0x00000000000000000000000000000000000000AA";
        let leaf = leaf_hash(a.parse().unwrap(), U256::from(255));
        for amount in ["\"255\"", "\"0xff\"", "255"] {
            let json = format!(
                r#"{{"format":"standard-v1","leafEncoding":["address","uint256"],"tree":["{leaf}"],"values":[{{"value":["{a}",{amount}],"treeIndex":0}}]}}"#
            );
            let tree = RewardTree::load(json.as_bytes()).unwrap();
            assert_eq!(tree.values()[0].amount, U256::from(255));
        }
    }
}
