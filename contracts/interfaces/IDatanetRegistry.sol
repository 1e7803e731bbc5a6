// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IDatanetRegistry
/// @notice Datasets ("datanets") and the contributions registered in them. The data stays off chain:
/// a contribution is the keccak256 of the file's bytes, a URI, and a bond that a curator's review
/// returns (accept) or sends to the protocol treasury (reject).
/// @dev A contribution is identified by `keccak256(abi.encode(datanetId, contentHash))`, so the id is
/// also the duplicate check and every contribution costs one storage slot. A rejected or withdrawn
/// contribution frees its id: the real owner of a squatted hash can submit it again.
interface IDatanetRegistry {
    /* TYPES */

    /// @notice Lifecycle of a contribution.
    enum Status {
        None,
        Pending,
        Accepted,
        Rejected,
        Withdrawn,
        Retired
    }

    /// @notice A datanet: its owner, the bond every contribution locks, and how long curators have to review.
    struct Datanet {
        address owner;
        uint96 bond;
        uint32 reviewPeriod;
    }

    /// @notice A contribution, packed in one storage slot.
    struct Contribution {
        address contributor;
        uint48 datanetId;
        uint40 submittedAt;
        Status status;
    }

    /// @notice Per-account review outcomes.
    struct Reputation {
        uint128 accepted;
        uint128 rejected;
    }

    /// @notice An item of `contributeBatch`.
    struct ContributionInput {
        bytes32 contentHash;
        string uri;
    }

    /* EVENTS */

    /// @notice Emitted when `owner` creates datanet `datanetId`.
    event DatanetCreated(
        uint256 indexed datanetId,
        address indexed owner,
        uint256 bond,
        uint32 reviewPeriod,
        string metadataURI
    );

    /// @notice Emitted when the owner of `datanetId` adds (`enabled`) or removes a curator.
    event CuratorSet(uint256 indexed datanetId, address indexed curator, bool enabled);

    /// @notice Emitted when `contributor` registers `contentHash` in `datanetId`, locking the datanet's bond.
    event Contributed(
        bytes32 indexed contributionId,
        uint256 indexed datanetId,
        address indexed contributor,
        bytes32 contentHash,
        string uri
    );

    /// @notice Emitted when a contribution is reviewed by `reviewer`, or finalized after the review period
    /// (`reviewer` is then the caller of `finalize`).
    event Reviewed(bytes32 indexed contributionId, address indexed reviewer, bool accepted, bool finalized);

    /// @notice Emitted when the contributor withdraws a pending contribution and gets the bond back.
    event Withdrawn(bytes32 indexed contributionId, address indexed contributor);

    /// @notice Emitted when the contributor retires an accepted contribution from later epochs.
    event Retired(bytes32 indexed contributionId, address indexed contributor);

    /* ERRORS */

    /// @notice `datanetId` does not exist.
    error DatanetNotFound(uint256 datanetId);
    /// @notice `bond` does not fit in 96 bits.
    error BondTooLarge(uint256 bond, uint256 max);
    /// @notice `caller` is not the owner of `datanetId`.
    error NotDatanetOwner(uint256 datanetId, address caller, address owner);
    /// @notice `caller` is neither a curator nor the owner of `datanetId`.
    error NotCurator(uint256 datanetId, address caller);
    /// @notice `contentHash` is already pending, accepted or retired in `datanetId`.
    error DuplicateContribution(uint256 datanetId, bytes32 contentHash, bytes32 contributionId);
    /// @notice A content hash of zero is not a hash of anything.
    error EmptyContentHash();
    /// @notice A batch with no items.
    error EmptyBatch();
    /// @notice `contributionId` does not exist.
    error ContributionNotFound(bytes32 contributionId);
    /// @notice The contribution is in `status`, but the call needs `expected`.
    error InvalidStatus(bytes32 contributionId, Status status, Status expected);
    /// @notice `caller` is not the contributor of `contributionId`.
    error NotContributor(bytes32 contributionId, address caller, address contributor);
    /// @notice The review period of `contributionId` ended at `deadline`; it can only be finalized now.
    error ReviewPeriodOver(bytes32 contributionId, uint256 deadline);
    /// @notice The review period of `contributionId` ends at `deadline`; it cannot be finalized before.
    error ReviewPeriodNotOver(bytes32 contributionId, uint256 deadline);
    /// @notice The signed contribution expired at `deadline`.
    error SignatureExpired(uint256 deadline);
    /// @notice The signature is not `contributor`'s over this contribution and nonce.
    error InvalidSignature(address contributor);
    /// @notice The bond token delivered `received` instead of `expected` (fee-on-transfer tokens are not supported).
    error UnsupportedToken(uint256 expected, uint256 received);
    /// @notice An address argument was zero.
    error ZeroAddress();

    /* EXTERNAL */

    /// @notice Creates a datanet owned by the caller.
    /// @dev Anyone can call this function.
    /// @param metadataURI Where the datanet's description lives.
    /// @param bond The amount of bond token each contribution locks until reviewed (0 for none).
    /// @param reviewPeriod Seconds curators have to review; after that anyone may finalize as accepted.
    /// @return datanetId The new datanet's id (sequential, from 1).
    function createDatanet(string calldata metadataURI, uint256 bond, uint32 reviewPeriod)
        external
        returns (uint256 datanetId);

    /// @notice Adds or removes a curator of `datanetId`.
    /// @dev Only the datanet owner can call this function.
    /// @param datanetId The datanet.
    /// @param curator The account to add or remove.
    /// @param enabled True to add, false to remove.
    function setCurator(uint256 datanetId, address curator, bool enabled) external;

    /// @notice Registers `contentHash` (keccak256 of the file's bytes) in `datanetId`, pulling its bond.
    /// @dev Anyone can call this function. The caller is the contributor.
    /// @param datanetId The datanet.
    /// @param contentHash keccak256 of the data file.
    /// @param uri Where the data can be fetched by curators and attestors.
    /// @return contributionId `keccak256(abi.encode(datanetId, contentHash))`.
    function contribute(uint256 datanetId, bytes32 contentHash, string calldata uri)
        external
        returns (bytes32 contributionId);

    /// @notice Registers many contributions in one datanet, pulling their bonds in one transfer.
    /// @dev Anyone can call this function. Reverts entirely if any item is a duplicate.
    /// @param datanetId The datanet.
    /// @param items Content hashes and URIs.
    /// @return contributionIds The ids, in the order of `items`.
    function contributeBatch(uint256 datanetId, ContributionInput[] calldata items)
        external
        returns (bytes32[] memory contributionIds);

    /// @notice Registers a contribution signed by `contributor` (EIP-712), so a relayer pays the gas.
    /// @dev Anyone can call this function. The bond is pulled from `contributor`, who must have approved it.
    /// The signed type is `Contribute(address contributor,uint256 datanetId,bytes32 contentHash,string uri,
    /// uint256 nonce,uint256 deadline)`.
    /// @param contributor The signer, who becomes the contributor.
    /// @param datanetId The datanet.
    /// @param item The content hash (keccak256 of the data file) and URI.
    /// @param deadline Last timestamp at which the signature is valid.
    /// @param signature The contributor's EIP-712 signature with its current nonce (EOA or ERC-1271).
    /// @return contributionId The contribution's id.
    function contributeWithSig(
        address contributor,
        uint256 datanetId,
        ContributionInput calldata item,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 contributionId);

    /// @notice Accepts (bond back to the contributor) or rejects (bond to the treasury) a pending contribution.
    /// @dev Only a curator or the owner of the contribution's datanet can call this function, within the
    /// review period.
    /// @param contributionId The contribution.
    /// @param accept True to accept, false to reject.
    function review(bytes32 contributionId, bool accept) external;

    /// @notice Reviews many pending contributions with the same verdict.
    /// @dev Only a curator or the owner of each contribution's datanet can call this function.
    /// @param contributionIds The contributions.
    /// @param accept True to accept all, false to reject all.
    function reviewBatch(bytes32[] calldata contributionIds, bool accept) external;

    /// @notice Accepts a pending contribution whose review period passed without a review.
    /// @dev Anyone can call this function.
    /// @param contributionId The contribution.
    function finalize(bytes32 contributionId) external;

    /// @notice Withdraws a pending contribution and refunds its bond; the content hash becomes free again.
    /// @dev Only the contributor can call this function.
    /// @param contributionId The contribution.
    function withdraw(bytes32 contributionId) external;

    /// @notice Retires an accepted contribution: later epochs no longer attribute to it.
    /// @dev Only the contributor can call this function.
    /// @param contributionId The contribution.
    function retire(bytes32 contributionId) external;

    /* VIEWS */

    /// @notice The token bonds are paid in.
    function bondToken() external view returns (address);

    /// @notice Where rejected bonds go.
    function treasury() external view returns (address);

    /// @notice Number of datanets created; ids run from 1 to this.
    function datanetCount() external view returns (uint256);

    /// @notice The datanet `datanetId` (owner zero if it does not exist).
    function getDatanet(uint256 datanetId) external view returns (Datanet memory);

    /// @notice Whether `datanetId` exists.
    function datanetExists(uint256 datanetId) external view returns (bool);

    /// @notice Whether `account` curates `datanetId`.
    function isCurator(uint256 datanetId, address account) external view returns (bool);

    /// @notice The contribution `contributionId` (status None if it does not exist).
    function getContribution(bytes32 contributionId) external view returns (Contribution memory);

    /// @notice Many contributions at once, in the order of `contributionIds` (one call for a whole folder).
    function getContributions(bytes32[] calldata contributionIds)
        external
        view
        returns (Contribution[] memory);

    /// @notice The id a content hash has in a datanet.
    function contributionIdOf(uint256 datanetId, bytes32 contentHash) external pure returns (bytes32);

    /// @notice The EIP-712 digest `contributor` signs for `contributeWithSig` with `nonce`.
    function contributeDigest(
        address contributor,
        uint256 datanetId,
        ContributionInput calldata item,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32);

    /// @notice Review outcomes of `account`.
    function reputationOf(address account) external view returns (Reputation memory);

    /// @notice The next nonce `contributor` must sign for `contributeWithSig`.
    function nonces(address contributor) external view returns (uint256);
}
