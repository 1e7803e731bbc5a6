// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IAttributionPool
/// @notice Splits inference payments (protocol fee, model owner share, contributors' pool) and pays
/// contributors from cumulative Merkle roots that M-of-N attestors sign each epoch.
/// @dev Leaves are OpenZeppelin StandardMerkleTree leaves over `(address account, uint256 cumulativeAmount)`.
interface IAttributionPool {
    /* TYPES */

    /// @notice Deployment parameters.
    /// @param token The reward token (ERC-20) payments are made in.
    /// @param modelRegistry The model registry that names each model's owner and owner share.
    /// @param treasury Receives the protocol fee.
    /// @param protocolFeeBps Protocol fee in basis points of every payment.
    /// @param attestors The initial attestor set (distinct, non-zero, at most `MAX_ATTESTORS`).
    /// @param threshold Signatures needed to propose an epoch (1 to the number of attestors).
    /// @param challengePeriod Seconds between a proposal and the moment its root becomes claimable.
    /// @param guardian May veto pending epochs and attestor changes, and pause the pool.
    /// @param owner May propose attestor set changes.
    struct Config {
        address token;
        address modelRegistry;
        address treasury;
        uint16 protocolFeeBps;
        address[] attestors;
        uint8 threshold;
        uint64 challengePeriod;
        address guardian;
        address owner;
    }

    /// @notice An epoch waiting for its challenge period to pass.
    struct PendingEpoch {
        bytes32 rewardsRoot;
        bytes32 reportHash;
        uint120 totalAllocated;
        uint64 epoch;
        uint64 validAt;
    }

    /// @notice An accepted epoch, kept so anyone can verify it later.
    struct EpochRecord {
        bytes32 rewardsRoot;
        bytes32 reportHash;
        uint256 totalAllocated;
    }

    /// @notice A proposed change of the attestor set.
    struct PendingAttestors {
        address[] attestors;
        uint8 threshold;
        uint64 validAt;
    }

    /* EVENTS */

    /// @notice Emitted for every paid inference output.
    event InferencePaid(
        bytes32 indexed inferenceId,
        uint256 indexed modelId,
        address indexed payer,
        uint256 amount,
        uint256 protocolFee,
        uint256 ownerShare,
        uint256 contributorShare
    );

    /// @notice Emitted when attestors propose `epoch`; it becomes claimable at `validAt`.
    event EpochProposed(
        uint256 indexed epoch,
        bytes32 indexed rewardsRoot,
        uint256 totalAllocated,
        bytes32 reportHash,
        uint256 validAt,
        string reportURI
    );

    /// @notice Emitted when `epoch`'s root becomes the claimable root.
    event EpochAccepted(
        uint256 indexed epoch, bytes32 indexed rewardsRoot, uint256 totalAllocated, bytes32 reportHash
    );

    /// @notice Emitted when the guardian vetoes the pending `epoch`.
    event EpochVetoed(uint256 indexed epoch, bytes32 indexed rewardsRoot);

    /// @notice Emitted when `account` receives `amount`, bringing its claimed total to `cumulativeAmount`.
    event Claimed(address indexed account, address indexed caller, uint256 amount, uint256 cumulativeAmount);

    /// @notice Emitted when a model owner withdraws its credited owner shares.
    event OwnerShareWithdrawn(address indexed owner, address indexed to, uint256 amount);

    /// @notice Emitted when the owner proposes a new attestor set, effective from `validAt`.
    event AttestorsProposed(address[] attestors, uint8 threshold, uint256 validAt);

    /// @notice Emitted when the guardian cancels a proposed attestor set.
    event AttestorsProposalCancelled();

    /// @notice Emitted when an attestor set takes effect (also at deployment).
    event AttestorsChanged(address[] attestors, uint8 threshold);

    /// @notice Emitted when the guardian pauses (`paused`) or unpauses the pool.
    event PausedSet(bool paused);

    /* ERRORS */

    /// @notice An address argument was zero.
    error ZeroAddress();
    /// @notice `bps` exceeds 10,000 basis points.
    error BpsTooLarge(uint256 bps);
    /// @notice The attestor set is empty, too large, or has a bad threshold.
    error InvalidAttestorSet(uint256 count, uint256 threshold, uint256 maxAttestors);
    /// @notice `attestor` appears twice in the set.
    error DuplicateAttestor(address attestor);
    /// @notice `caller` is not the guardian.
    error NotGuardian(address caller);
    /// @notice The pool is paused.
    error PoolPaused();
    /// @notice `modelId` does not exist in the model registry.
    error ModelNotFound(uint256 modelId);
    /// @notice A payment of zero.
    error ZeroAmount();
    /// @notice An inference id of zero is not the hash of any output.
    error EmptyInferenceId();
    /// @notice Batch arrays differ in length or are empty.
    error InvalidBatch(uint256 amounts, uint256 inferenceIds);
    /// @notice The token delivered `received` instead of `expected` (fee-on-transfer tokens are not supported).
    error UnsupportedToken(uint256 expected, uint256 received);
    /// @notice Epoch `epoch` was proposed, but the next epoch is `expected`.
    error UnexpectedEpoch(uint256 epoch, uint256 expected);
    /// @notice Epoch `epoch` is already pending.
    error EpochAlreadyPending(uint256 epoch);
    /// @notice No epoch is pending.
    error NoPendingEpoch();
    /// @notice The pending epoch becomes claimable at `validAt`.
    error ChallengePeriodNotOver(uint256 validAt);
    /// @notice A root of zero.
    error EmptyRoot();
    /// @notice The new total allocation is below the current one.
    error AllocationDecreased(uint256 totalAllocated, uint256 current);
    /// @notice The new total allocation exceeds everything ever paid into the contributors' pool.
    error AllocationExceedsReceived(uint256 totalAllocated, uint256 received);
    /// @notice `count` signatures were given; `threshold` are needed.
    error NotEnoughSignatures(uint256 count, uint256 threshold);
    /// @notice Signature `index` is not from an attestor.
    error SignerNotAttestor(uint256 index, address signer);
    /// @notice Signers must be distinct and sorted ascending; signature `index` is not.
    error SignersNotSorted(uint256 index, address signer);
    /// @notice No epoch has been accepted yet.
    error NoRewardsRoot();
    /// @notice The proof does not place `(account, cumulativeAmount)` in the current root.
    error InvalidProof(address account, uint256 cumulativeAmount);
    /// @notice `account` already claimed `claimed`; the root grants `cumulativeAmount`.
    error NothingToClaim(address account, uint256 cumulativeAmount, uint256 claimed);
    /// @notice The root lowers `account`'s cumulative amount below what it already claimed.
    error CumulativeAmountDecreased(address account, uint256 cumulativeAmount, uint256 claimed);
    /// @notice Paying `amount` would take total claims past the total allocated.
    error AllocationExceeded(uint256 amount, uint256 totalClaimed, uint256 totalAllocated);
    /// @notice `owner` has no credited owner share.
    error NothingToWithdraw(address owner);
    /// @notice No attestor change is pending.
    error NoPendingAttestors();

    /* EXTERNAL */

    /// @notice Pays for one inference output of `modelId`: pulls `amount` from the caller, sends the
    /// protocol fee to the treasury, credits the model owner, and adds the rest to the contributors' pool.
    /// @dev Anyone can call this function. Owner share = (amount − fee) × ownerShareBps / 10,000; the
    /// contributors get the remainder, so rounding never strands a wei.
    /// @param modelId The model that produced the output.
    /// @param amount The payment, in reward token base units.
    /// @param inferenceId keccak256 of the output text.
    function payForInference(uint256 modelId, uint256 amount, bytes32 inferenceId) external;

    /// @notice Pays for many outputs of `modelId` in one transaction and one token transfer.
    /// @dev Anyone can call this function. Emits one `InferencePaid` per output.
    /// @param modelId The model that produced the outputs.
    /// @param amounts The payment per output.
    /// @param inferenceIds keccak256 of each output text.
    function payForInferences(uint256 modelId, uint256[] calldata amounts, bytes32[] calldata inferenceIds)
        external;

    /// @notice Proposes the cumulative rewards root of `epoch`, signed by at least `threshold` attestors.
    /// @dev Anyone can call this function. Signatures are EIP-712 over `Epoch` and must come from distinct
    /// attestors sorted by address ascending.
    /// @param epoch The next epoch number.
    /// @param rewardsRoot The root of the cumulative reward tree.
    /// @param totalAllocated The sum of all cumulative amounts in the tree.
    /// @param reportHash keccak256 of the epoch's attribution report.
    /// @param reportURI Where the report can be fetched.
    /// @param signatures The attestors' 65-byte signatures.
    function proposeEpoch(
        uint256 epoch,
        bytes32 rewardsRoot,
        uint256 totalAllocated,
        bytes32 reportHash,
        string calldata reportURI,
        bytes[] calldata signatures
    ) external;

    /// @notice Makes the pending epoch's root claimable once its challenge period has passed.
    /// @dev Anyone can call this function.
    function acceptEpoch() external;

    /// @notice Discards the pending epoch; its number can be proposed again.
    /// @dev Only the guardian can call this function.
    function vetoEpoch() external;

    /// @notice Pays `account` what the current root grants it beyond what it already claimed.
    /// @dev Anyone can call this function; funds only ever go to `account`.
    /// @param account The account in the tree.
    /// @param cumulativeAmount Its cumulative amount in the tree.
    /// @param proof The Merkle proof of the leaf.
    /// @return amount The amount paid.
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof)
        external
        returns (uint256 amount);

    /// @notice Sends the caller's credited owner shares to `to`.
    /// @dev Anyone with credited owner shares can call this function.
    /// @param to The recipient.
    /// @return amount The amount sent.
    function withdrawOwnerShare(address to) external returns (uint256 amount);

    /// @notice Proposes a new attestor set, effective after the challenge period.
    /// @dev Only the owner can call this function.
    /// @param attestors The new attestors.
    /// @param threshold Signatures needed under the new set.
    function proposeAttestors(address[] calldata attestors, uint8 threshold) external;

    /// @notice Applies the proposed attestor set once its challenge period has passed.
    /// @dev Only the owner can call this function.
    function acceptAttestors() external;

    /// @notice Cancels the proposed attestor set.
    /// @dev Only the guardian can call this function.
    function cancelAttestors() external;

    /// @notice Pauses or unpauses payments, claims and owner withdrawals.
    /// @dev Only the guardian can call this function.
    /// @param paused True to pause.
    function setPaused(bool paused) external;

    /* VIEWS */

    /// @notice The reward token.
    function token() external view returns (address);
    /// @notice The model registry.
    function modelRegistry() external view returns (address);
    /// @notice The protocol treasury.
    function treasury() external view returns (address);
    /// @notice The guardian.
    function guardian() external view returns (address);
    /// @notice The protocol fee in basis points.
    function protocolFeeBps() external view returns (uint16);
    /// @notice Seconds between proposal and claimability.
    function challengePeriod() external view returns (uint64);
    /// @notice The current attestors.
    function attestors() external view returns (address[] memory);
    /// @notice Whether `account` is a current attestor.
    function isAttestor(address account) external view returns (bool);
    /// @notice Signatures needed to propose an epoch.
    function threshold() external view returns (uint8);
    /// @notice The last accepted epoch (0 before the first).
    function currentEpoch() external view returns (uint256);
    /// @notice The claimable root (zero before the first epoch).
    function rewardsRoot() external view returns (bytes32);
    /// @notice The accepted epoch `epoch`.
    function epochRecord(uint256 epoch) external view returns (EpochRecord memory);
    /// @notice The pending epoch (validAt zero if none).
    function pendingEpoch() external view returns (PendingEpoch memory);
    /// @notice The proposed attestor set (validAt zero if none).
    function pendingAttestors() external view returns (PendingAttestors memory);
    /// @notice Sum of all cumulative amounts in the current root.
    function totalAllocated() external view returns (uint256);
    /// @notice Sum of all claims paid.
    function totalClaimed() external view returns (uint256);
    /// @notice Everything ever paid into the contributors' pool.
    function contributorsReceived() external view returns (uint256);
    /// @notice What `account` has claimed so far.
    function claimed(address account) external view returns (uint256);
    /// @notice Owner shares credited to `owner` and not yet withdrawn.
    function ownerCredit(address owner) external view returns (uint256);
    /// @notice Whether the pool is paused.
    function paused() external view returns (bool);
    /// @notice The EIP-712 digest attestors sign for an epoch.
    function epochDigest(
        uint256 epoch,
        bytes32 rewardsRoot,
        uint256 totalAllocated,
        bytes32 reportHash,
        string calldata reportURI
    ) external view returns (bytes32);
}
