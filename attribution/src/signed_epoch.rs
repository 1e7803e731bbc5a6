//! The epoch attestors sign: one EIP-712 struct, the same on chain and off.
//!
//! Solidity (`IAttributionPool.Epoch`):
//!
//! ```solidity
//! struct Epoch { uint64 epoch; uint64 nonce; bytes32 rewardsRoot; uint256 totalAllocated; bytes32 reportHash; string reportURI; }
//! ```
//!
//! signed under the domain `EIP712("AttributionPool", "2")` of the pool
//! (chain id and pool address bind it to one deployment).

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{Eip712Domain, SolStruct};

use crate::report::AttributionReport;

/// The EIP-712 domain name of the attribution pool.
pub const EPOCH_DOMAIN_NAME: &str = "AttributionPool";
/// The EIP-712 domain version of the attribution pool.
pub const EPOCH_DOMAIN_VERSION: &str = "2";

mod sol {
    alloy_sol_types::sol! {
        /// An epoch as attestors sign it and `proposeEpoch` takes it.
        #[derive(Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        struct Epoch {
            /// Epoch number; epochs are sequential.
            uint64 epoch;
            /// The pool's `proposalNonce()` when signed (every veto and
            /// attestor rotation advances it).
            uint64 nonce;
            /// Root of the reward tree of cumulative amounts.
            bytes32 rewardsRoot;
            /// Sum of all cumulative amounts (the report's
            /// `totals.cumulativeAllocated`).
            uint256 totalAllocated;
            /// keccak256 of the report file.
            bytes32 reportHash;
            /// Where the report file is published.
            string reportURI;
        }
    }
}

/// The signed epoch: alloy's `sol!` struct `Epoch`, an EIP-712 [`SolStruct`]
/// with exactly the fields of the Solidity struct (Solidity names:
/// `rewardsRoot`, `totalAllocated`, `reportHash`, `reportURI`).
///
/// Its JSON form (serde) uses the same names; amounts and hashes are `0x` hex.
pub use sol::Epoch as SignedEpoch;

/// The pool's EIP-712 domain: name [`EPOCH_DOMAIN_NAME`], version
/// [`EPOCH_DOMAIN_VERSION`], `chain_id`, and the pool as verifying contract.
pub fn epoch_domain(chain_id: u64, pool: Address) -> Eip712Domain {
    Eip712Domain::new(
        Some(EPOCH_DOMAIN_NAME.into()),
        Some(EPOCH_DOMAIN_VERSION.into()),
        Some(U256::from(chain_id)),
        Some(pool),
        None,
    )
}

impl SignedEpoch {
    /// The digest attestors sign (`epochDigest` on chain):
    /// `keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(epoch))` under
    /// [`epoch_domain`]`(chain_id, pool)`.
    pub fn signing_hash(&self, chain_id: u64, pool: Address) -> B256 {
        self.eip712_signing_hash(&epoch_domain(chain_id, pool))
    }
}

impl AttributionReport {
    /// The epoch to sign for this report, published at `report_uri`, under
    /// the pool's current proposal `nonce`; `None` if the reward tree is empty
    /// (nobody has earned anything yet, so there is no root to propose).
    ///
    /// `reportHash` is [`AttributionReport::report_hash`], so the report must
    /// be published as [`AttributionReport::to_canonical_json`].
    pub fn signed_epoch(&self, nonce: u64, report_uri: impl Into<String>) -> Option<SignedEpoch> {
        Some(SignedEpoch {
            epoch: self.parameters.epoch,
            nonce,
            rewardsRoot: self.rewards_root?,
            totalAllocated: self.totals.cumulative_allocated,
            reportHash: self.report_hash(),
            reportURI: report_uri.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{keccak256, Address, B256, U256};
    use alloy_sol_types::SolStruct;

    use super::*;

    const TYPE: &str = "Epoch(uint64 epoch,uint64 nonce,bytes32 rewardsRoot,uint256 totalAllocated,bytes32 reportHash,string reportURI)";

    fn sample() -> SignedEpoch {
        SignedEpoch {
            epoch: 3,
            nonce: 7,
            rewardsRoot: B256::repeat_byte(0x11),
            totalAllocated: U256::from(123_456_789u64),
            reportHash: B256::repeat_byte(0x22),
            reportURI: "ipfs://bafy/epochs/3/report.json".into(),
        }
    }

    fn word(x: U256) -> [u8; 32] {
        x.to_be_bytes()
    }

    #[test]
    fn typehash_is_the_solidity_type_string() {
        assert_eq!(SignedEpoch::eip712_encode_type(), TYPE);
        assert_eq!(sample().eip712_type_hash(), keccak256(TYPE));
    }

    #[test]
    fn signing_hash_follows_eip712_by_hand() {
        let (chain_id, pool) = (31337u64, Address::repeat_byte(0xaa));
        let e = sample();
        let domain_type = keccak256(
            "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
        );
        let mut domain = Vec::new();
        domain.extend_from_slice(domain_type.as_slice());
        domain.extend_from_slice(keccak256("AttributionPool").as_slice());
        domain.extend_from_slice(keccak256("2").as_slice());
        domain.extend_from_slice(&word(U256::from(chain_id)));
        domain.extend_from_slice(B256::left_padding_from(pool.as_slice()).as_slice());
        let separator = keccak256(&domain);
        assert_eq!(epoch_domain(chain_id, pool).separator(), separator);

        let mut fields = Vec::new();
        fields.extend_from_slice(keccak256(TYPE).as_slice());
        fields.extend_from_slice(&word(U256::from(e.epoch)));
        fields.extend_from_slice(&word(U256::from(e.nonce)));
        fields.extend_from_slice(e.rewardsRoot.as_slice());
        fields.extend_from_slice(&word(e.totalAllocated));
        fields.extend_from_slice(e.reportHash.as_slice());
        fields.extend_from_slice(keccak256(e.reportURI.as_bytes()).as_slice());
        let struct_hash = keccak256(&fields);
        assert_eq!(e.eip712_hash_struct(), struct_hash);

        let mut digest = vec![0x19, 0x01];
        digest.extend_from_slice(separator.as_slice());
        digest.extend_from_slice(struct_hash.as_slice());
        assert_eq!(e.signing_hash(chain_id, pool), keccak256(&digest));
        // Another chain or pool is another digest.
        assert_ne!(e.signing_hash(1, pool), e.signing_hash(chain_id, pool));
        assert_ne!(
            e.signing_hash(chain_id, Address::repeat_byte(0xab)),
            e.signing_hash(chain_id, pool)
        );
    }

    /// The same epoch hashed by viem 2 (`hashStruct`, `hashTypedData`) under
    /// chain 31337 and pool 0xaa…aa.
    #[test]
    fn signing_hash_matches_viem() {
        let e = sample();
        assert_eq!(
            e.eip712_hash_struct(),
            "0xda2bc3739e58aaf8d1575493ade987aa8b082524742e5d035cc5b9f462052d2c"
                .parse::<B256>()
                .unwrap()
        );
        assert_eq!(
            e.signing_hash(31337, Address::repeat_byte(0xaa)),
            "0xb5b2a64e4c7d3323b1e001804d67f3c0dea2f6d911f49c97afa7b5af2615996a"
                .parse::<B256>()
                .unwrap()
        );
    }

    #[test]
    fn a_report_gives_the_epoch_to_sign() {
        let mut report = AttributionReport {
            format: crate::REPORT_FORMAT.into(),
            parameters: crate::EpochParams {
                epoch: 4,
                ..Default::default()
            },
            models: vec![],
            inferences: vec![],
            unpublished: vec![],
            mismatched: vec![],
            skipped_sources: vec![],
            accounts: vec![],
            totals: crate::Totals {
                contributor_share: U256::ZERO,
                allocated: U256::ZERO,
                unallocated: U256::ZERO,
                cumulative_allocated: U256::from(77),
            },
            rewards_root: None,
        };
        assert_eq!(report.signed_epoch(2, "uri"), None);
        report.rewards_root = Some(B256::repeat_byte(3));
        let e = report.signed_epoch(2, "uri").unwrap();
        assert_eq!(
            (
                e.epoch,
                e.nonce,
                e.rewardsRoot,
                e.totalAllocated,
                e.reportHash,
                e.reportURI.as_str()
            ),
            (
                4,
                2,
                B256::repeat_byte(3),
                U256::from(77),
                report.report_hash(),
                "uri"
            )
        );
    }

    #[test]
    fn json_uses_the_solidity_names() {
        let json = serde_json::to_value(sample()).unwrap();
        for key in [
            "epoch",
            "nonce",
            "rewardsRoot",
            "totalAllocated",
            "reportHash",
            "reportURI",
        ] {
            assert!(json.get(key).is_some(), "{key} in {json}");
        }
        let back: SignedEpoch = serde_json::from_value(json).unwrap();
        assert_eq!(back, sample());
    }
}
