// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IDatanetRegistry
/// @notice Datasets ("datanets") and the contributions registered in them. The data stays off chain:
/// a contribution is the keccak256 of the file's bytes, a URI, and a bond that a curator's review
/// returns (accept) or sends to the protocol treasury (reject).
/// @dev Contributions are registered in two steps. A contributor first commits to a batch without revealing
/// it: `commitment = keccak256(abi.encode(contributor, datanetId, keccak256(abi.encodePacked(contentHashes)),
/// salt))`. After `minCommitmentAge` and before `maxCommitmentAge` it reveals the content hashes and URIs.
/// A copied commitment is useless to anyone else (the contributor is inside the hash), and a revealed hash
/// cannot be taken by anyone who had not committed to it earlier: originality is the commit's order.
/// A contribution is identified by `keccak256(abi.encode(datanetId, contentHash))`, so the id is also the
/// duplicate check and every contribution costs one storage slot. A rejected contribution frees its id.
interface IDatanetRegistry {
    /* TYPES */

    /// @notice Lifecycle of a contribution.
    enum Status {
        None,
        Pending,
        Accepted,
        Rejected,
        Retired
    }

    /// @notice A datanet: its owner, the bond every contribution locks, and how long curators have to review.
    struct Datanet {
        address owner;
        uint96 bond;
        uint32 reviewPeriod;
    }

    /// @notice A contribution, packed in one storage slot.
    /// @param contributor Who revealed it (and whose bond it locks).
    /// @param datanetId The datanet it belongs to.
    /// @param submittedAt When it was revealed (block timestamp); the review period runs from here.
    /// @param commitAge Seconds between its commitment and its reveal: it was committed at
    /// `submittedAt - commitAge`.
    /// @param status Where it is in its lifecycle.
    struct Contribution {
        address contributor;
        uint32 datanetId;
        uint32 submittedAt;
        uint24 commitAge;
        Status status;
    }

    /// @notice Review outcomes of one account in one datanet.
    struct Reputation {
        uint128 accepted;
        uint128 rejected;
    }

    /// @notice An item of a reveal.
    /// @param contentHash keccak256 of the data file.
    /// @param uri Where curators and attestors fetch the file.
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

    /// @notice Emitted when `commitment` is recorded (by the contributor or anyone relaying for it). Off chain,
    /// the order of contributions is the (block, log index) of this event, then the item's place in the reveal.
    event Committed(bytes32 indexed commitment);

    /// @notice Emitted when `commitment` is consumed by a reveal, right before the `Contributed` events of its
    /// items (same transaction, in the committed order; they name the contributor and the datanet).
    event Revealed(bytes32 indexed commitment);

    /// @notice Emitted when `contributor` registers `contentHash` in `datanetId`, locking the datanet's bond. The
    /// contribution's id is `contributionIdOf(datanetId, contentHash)`.
    event Contributed(
        bytes32 indexed contentHash, uint256 indexed datanetId, address indexed contributor, string uri
    );

    /// @notice Emitted when a pending contribution of `previous` is taken over by `contributor`, who committed
    /// to the same content earlier. `previous` gets its bond back; the review period restarts.
    event Displaced(bytes32 indexed contributionId, address indexed previous, address indexed contributor);

    /// @notice Emitted when a contribution is reviewed by `reviewer`, or finalized after the review period
    /// (`reviewer` is then the caller of `finalize`).
    event Reviewed(bytes32 indexed contributionId, address indexed reviewer, bool accepted, bool finalized);

    /// @notice Emitted when the contributor retires an accepted contribution from later epochs.
    event Retired(bytes32 indexed contributionId, address indexed contributor);

    /* ERRORS */

    /// @notice The commitment ages must satisfy `1 <= min < max <= type(uint24).max`.
    error InvalidCommitmentAges(uint256 min, uint256 max);
    /// @notice `datanetId` does not exist.
    error DatanetNotFound(uint256 datanetId);
    /// @notice No more datanets can be created: ids are 32-bit.
    error DatanetLimitReached(uint256 max);
    /// @notice `bond` does not fit in 96 bits.
    error BondTooLarge(uint256 bond, uint256 max);
    /// @notice `caller` is not the owner of `datanetId`.
    error NotDatanetOwner(uint256 datanetId, address caller, address owner);
    /// @notice `caller` is neither a curator nor the owner of `datanetId`.
    error NotCurator(uint256 datanetId, address caller);
    /// @notice `commitment` was recorded at `committedAt` and has not expired; it cannot be recorded again.
    error CommitmentExists(bytes32 commitment, uint256 committedAt);
    /// @notice No unrevealed `commitment` exists (wrong contributor, datanet, items, order or salt).
    error CommitmentNotFound(bytes32 commitment);
    /// @notice `commitment` can be revealed from `revealableAt` on.
    error CommitmentTooNew(bytes32 commitment, uint256 revealableAt);
    /// @notice `commitment` expired at `expiredAt`; commit again.
    error CommitmentExpired(bytes32 commitment, uint256 expiredAt);
    /// @notice `contentHash` is already accepted or retired in `datanetId`, or pending under a commitment
    /// at least as old as this one.
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
    /// @notice `contributionId` cannot be finalized before `deadline`.
    error ReviewPeriodNotOver(bytes32 contributionId, uint256 deadline);
    /// @notice The signed reveal expired at `deadline`.
    error SignatureExpired(uint256 deadline);
    /// @notice The signature is not `contributor`'s over this reveal and its current nonce.
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
    /// @return datanetId The new datanet's id (sequential, from 1, at most `type(uint32).max`).
    function createDatanet(string calldata metadataURI, uint256 bond, uint32 reviewPeriod)
        external
        returns (uint256 datanetId);

    /// @notice Adds or removes a curator of `datanetId`.
    /// @dev Only the datanet owner can call this function.
    /// @param datanetId The datanet.
    /// @param curator The account to add or remove.
    /// @param enabled True to add, false to remove.
    function setCurator(uint256 datanetId, address curator, bool enabled) external;

    /// @notice Records `commitment` (see `makeCommitment`) at the current block timestamp.
    /// @dev Anyone can call this function: a relayer may commit for a gasless contributor, whose address is
    /// inside the commitment. Reverts while the same commitment exists unexpired, so nobody can refresh or
    /// shift another's commitment.
    /// @param commitment The commitment to a batch of one contributor in one datanet.
    function commit(bytes32 commitment) external;

    /// @notice Reveals the batch committed to by the caller, registering each item and pulling the bonds.
    /// @dev Anyone can call this function; the caller is the contributor. The commitment must be at least
    /// `minCommitmentAge` and at most `maxCommitmentAge` old; it is consumed. An item pending under a strictly
    /// later commitment is taken over (`Displaced`, its bond refunded); any other taken item reverts the whole
    /// reveal with `DuplicateContribution`.
    /// @param datanetId The datanet.
    /// @param items Content hashes (in the committed order) and URIs.
    /// @param salt The salt of the commitment.
    /// @return contributionIds The ids, in the order of `items`.
    function reveal(uint256 datanetId, ContributionInput[] calldata items, bytes32 salt)
        external
        returns (bytes32[] memory contributionIds);

    /// @notice Reveals a one-item batch committed to by the caller: `reveal` for a single contribution, with
    /// scalar arguments (cheaper calldata) and no return value (the id is `contributionIdOf(datanetId,
    /// contentHash)`).
    /// @dev Same rules, events and errors as `reveal` with one item; the commitment is the same
    /// (`makeCommitment` with `[contentHash]`), so either function can reveal it.
    /// @param datanetId The datanet.
    /// @param contentHash keccak256 of the data file.
    /// @param uri Where curators and attestors fetch the file.
    /// @param salt The salt of the commitment.
    function revealOne(uint256 datanetId, bytes32 contentHash, string calldata uri, bytes32 salt) external;

    /// @notice Reveals a batch for `contributor`, who signed it (EIP-712), so a relayer pays the gas.
    /// @dev Anyone can call this function. The bonds are pulled from `contributor`, who must have approved
    /// them. The signed type is `Reveal(address contributor,uint256 datanetId,bytes32 commitment,
    /// bytes32 urisHash,uint256 nonce,uint256 deadline)` with `urisHash = keccak256(abi.encodePacked(
    /// keccak256(bytes(uri_0)), ...))`, so the relayer can change neither the items nor their URIs.
    /// @param contributor The signer, who becomes the contributor.
    /// @param datanetId The datanet.
    /// @param items Content hashes (in the committed order) and URIs.
    /// @param salt The salt of the commitment.
    /// @param deadline Last timestamp at which the signature is valid.
    /// @param signature The contributor's EIP-712 signature with its current nonce (EOA or ERC-1271).
    /// @return contributionIds The ids, in the order of `items`.
    function revealWithSig(
        address contributor,
        uint256 datanetId,
        ContributionInput[] calldata items,
        bytes32 salt,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32[] memory contributionIds);

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
    /// @dev Anyone can call this function, once the review period is over and no earlier commitment to the
    /// same content can still be revealed (the contribution's commitment is `maxCommitmentAge` old): a
    /// finalized contribution is final, so it must not cut off an earlier committer.
    /// @param contributionId The contribution.
    function finalize(bytes32 contributionId) external;

    /// @notice Retires an accepted contribution: later epochs no longer attribute to it.
    /// @dev Only the contributor can call this function.
    /// @param contributionId The contribution.
    function retire(bytes32 contributionId) external;

    /* VIEWS */

    /// @notice The token bonds are paid in.
    function bondToken() external view returns (address);

    /// @notice Where rejected bonds go.
    function treasury() external view returns (address);

    /// @notice Seconds a commitment must wait before it can be revealed.
    function minCommitmentAge() external view returns (uint256);

    /// @notice Seconds after which an unrevealed commitment expires.
    function maxCommitmentAge() external view returns (uint256);

    /// @notice Number of datanets created; ids run from 1 to this.
    function datanetCount() external view returns (uint256);

    /// @notice The datanet `datanetId` (owner zero if it does not exist).
    function getDatanet(uint256 datanetId) external view returns (Datanet memory);

    /// @notice Whether `datanetId` exists.
    function datanetExists(uint256 datanetId) external view returns (bool);

    /// @notice Whether `account` curates `datanetId`.
    function isCurator(uint256 datanetId, address account) external view returns (bool);

    /// @notice When `commitment` was recorded (0 if it does not exist or was revealed).
    function commitmentOf(bytes32 commitment) external view returns (uint256 committedAt);

    /// @notice The commitment of `contributor` to revealing `contentHashes` (in this order) in `datanetId`.
    /// @param contributor Who will reveal (or sign the reveal).
    /// @param datanetId The datanet.
    /// @param contentHashes The content hashes, in the order of the reveal's items.
    /// @param salt A secret that keeps the commitment from revealing anything.
    /// @return The commitment to pass to `commit`.
    function makeCommitment(
        address contributor,
        uint256 datanetId,
        bytes32[] calldata contentHashes,
        bytes32 salt
    ) external pure returns (bytes32);

    /// @notice The contribution `contributionId` (status None if it does not exist).
    function getContribution(bytes32 contributionId) external view returns (Contribution memory);

    /// @notice Many contributions at once, in the order of `contributionIds` (one call for a whole folder).
    function getContributions(bytes32[] calldata contributionIds)
        external
        view
        returns (Contribution[] memory);

    /// @notice The id a content hash has in a datanet.
    function contributionIdOf(uint256 datanetId, bytes32 contentHash) external pure returns (bytes32);

    /// @notice The EIP-712 digest `contributor` signs for `revealWithSig` with `nonce`.
    /// @param contributor The contributor.
    /// @param datanetId The datanet.
    /// @param commitment The commitment being revealed.
    /// @param urisHash `keccak256(abi.encodePacked(keccak256(bytes(uri_0)), ...))` over the items' URIs.
    /// @param nonce The contributor's nonce (see `nonces`).
    /// @param deadline Last timestamp at which the signature is valid.
    /// @return The digest to sign.
    function revealDigest(
        address contributor,
        uint256 datanetId,
        bytes32 commitment,
        bytes32 urisHash,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32);

    /// @notice Review outcomes of `account` in `datanetId`.
    function reputationOf(uint256 datanetId, address account) external view returns (Reputation memory);

    /// @notice The next nonce `contributor` must sign for `revealWithSig`.
    function nonces(address contributor) external view returns (uint256);
}
