// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IAttributionPool
/// @notice Splits inference payments (protocol fee, model owner share, contributors' pool) and pays
/// contributors from cumulative Merkle roots that M-of-N attestors sign each epoch.
/// @dev Leaves are OpenZeppelin StandardMerkleTree leaves over `(address account, uint256 cumulativeAmount)`.
/// A proposal carries the pool's `proposalNonce`; every veto and every attestor rotation advances it, so a
/// vetoed proposal can never be replayed and signatures of an outgoing attestor set die with the rotation.
interface IAttributionPool {
    /* TYPES */

    /// @notice Deployment parameters.
    /// @param token The reward token (ERC-20) payments are made in.
    /// @param modelRegistry The model registry that names each model's owner and owner share.
    /// @param treasury Receives the protocol fee.
    /// @param protocolFeeBps Protocol fee in basis points of every payment.
    /// @param attestors The initial attestor set (distinct, non-zero, at most `MAX_ATTESTORS`).
    /// @param threshold Signatures needed to propose an epoch (1 to the number of attestors).
    /// @param challengePeriod Seconds between a proposal and the moment its root becomes claimable, and the
    /// delay of attestor and guardian changes (`MIN_CHALLENGE_PERIOD` to `MAX_CHALLENGE_PERIOD`).
    /// @param guardian May veto pending epochs and attestor changes, and pause the pool for a bounded time.
    /// @param owner May propose attestor set and guardian changes.
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

    /// @notice What attestors sign (EIP-712 type `Epoch`).
    /// @param epoch The epoch number: the last accepted epoch plus one.
    /// @param nonce The pool's `proposalNonce` when signed.
    /// @param rewardsRoot The root of the cumulative reward tree.
    /// @param totalAllocated The sum of all cumulative amounts in the tree.
    /// @param reportHash keccak256 of the epoch's attribution report.
    /// @param reportURI Where the report can be fetched.
    struct Epoch {
        uint64 epoch;
        uint64 nonce;
        bytes32 rewardsRoot;
        uint256 totalAllocated;
        bytes32 reportHash;
        string reportURI;
    }

    /// @notice An epoch waiting for its challenge period to pass (its nonce is the current `proposalNonce`).
    struct PendingEpoch {
        bytes32 rewardsRoot;
        bytes32 reportHash;
        uint112 totalAllocated;
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

    /// @notice Emitted once per payment call that names where its outputs are published, before its
    /// `InferencePaid` events (same transaction).
    event OutputsPublished(uint256 indexed modelId, address indexed payer, string outputsURI);

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

    /// @notice Emitted when attestors propose `epoch` under `nonce`; it becomes claimable at `validAt`.
    event EpochProposed(
        uint256 indexed epoch,
        bytes32 indexed rewardsRoot,
        uint256 nonce,
        uint256 totalAllocated,
        bytes32 reportHash,
        uint256 validAt,
        string reportURI
    );

    /// @notice Emitted when `epoch`'s root becomes the claimable root.
    event EpochAccepted(
        uint256 indexed epoch, bytes32 indexed rewardsRoot, uint256 totalAllocated, bytes32 reportHash
    );

    /// @notice Emitted when the guardian vetoes the pending `epoch`, proposed under `nonce`; the proposal
    /// nonce then advances, so that proposal can never be pending again.
    event EpochVetoed(uint256 indexed epoch, bytes32 indexed rewardsRoot, uint256 nonce);

    /// @notice Emitted when an attestor rotation discards the pending `epoch`, proposed under `nonce`.
    event EpochDiscarded(uint256 indexed epoch, bytes32 indexed rewardsRoot, uint256 nonce);

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

    /// @notice Emitted when the owner proposes `guardian` as the next guardian, effective from `validAt`.
    event GuardianProposed(address indexed guardian, uint256 validAt);

    /// @notice Emitted when `guardian` replaces `previous` (also at deployment, with `previous` zero).
    event GuardianChanged(address indexed previous, address indexed guardian);

    /// @notice Emitted when the owner cancels the proposal of `guardian`.
    event GuardianProposalCancelled(address indexed guardian);

    /// @notice Emitted when `guardian` pauses payments, claims and owner withdrawals until `until`.
    event Paused(address indexed guardian, uint256 until);

    /// @notice Emitted when `guardian` ends the pause early.
    event Unpaused(address indexed guardian);

    /* ERRORS */

    /// @notice An address argument was zero.
    error ZeroAddress();
    /// @notice `bps` exceeds 10,000 basis points.
    error BpsTooLarge(uint256 bps);
    /// @notice The challenge period `period` is outside `[min, max]`.
    error InvalidChallengePeriod(uint256 period, uint256 min, uint256 max);
    /// @notice The attestor set is empty, too large, or has a bad threshold.
    error InvalidAttestorSet(uint256 count, uint256 threshold, uint256 maxAttestors);
    /// @notice `attestor` appears twice in the set.
    error DuplicateAttestor(address attestor);
    /// @notice `caller` is not the guardian.
    error NotGuardian(address caller);
    /// @notice The pool is paused until `pausedUntil`.
    error PoolPaused(uint256 pausedUntil);
    /// @notice The pool is not paused.
    error NotPaused();
    /// @notice The guardian may pause again from `availableAt` (a cooldown after the previous pause ended).
    error PauseCooldown(uint256 availableAt);
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
    /// @notice The proposal carries `nonce`, but the pool's proposal nonce is `expected` (a veto or an
    /// attestor rotation happened since it was signed).
    error StaleNonce(uint256 nonce, uint256 expected);
    /// @notice Epoch `epoch` is already pending.
    error EpochAlreadyPending(uint256 epoch);
    /// @notice No epoch is pending.
    error NoPendingEpoch();
    /// @notice The pending change becomes effective at `validAt`.
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
    /// @notice No guardian change is pending.
    error NoPendingGuardian();

    /* EXTERNAL */

    /// @notice Pays for one inference output of `modelId`: pulls `amount` from the caller, sends the
    /// protocol fee to the treasury, credits the model owner, and adds the rest to the contributors' pool.
    /// @dev Anyone can call this function. Owner share = (amount − fee) × ownerShareBps / 10,000; the
    /// contributors get the remainder, so rounding never strands a wei.
    /// @param modelId The model that produced the output.
    /// @param amount The payment, in reward token base units.
    /// @param inferenceId keccak256 of the output text.
    /// @param outputsURI Where the output is published, so attestors find it from chain data (empty: nowhere
    /// new; no `OutputsPublished` event).
    function payForInference(uint256 modelId, uint256 amount, bytes32 inferenceId, string calldata outputsURI)
        external;

    /// @notice Pays for many outputs of `modelId` in one transaction and one token transfer.
    /// @dev Anyone can call this function. Emits one `InferencePaid` per output.
    /// @param modelId The model that produced the outputs.
    /// @param amounts The payment per output.
    /// @param inferenceIds keccak256 of each output text.
    /// @param outputsURI Where the outputs are published (empty: nowhere new; no `OutputsPublished` event).
    function payForInferences(
        uint256 modelId,
        uint256[] calldata amounts,
        bytes32[] calldata inferenceIds,
        string calldata outputsURI
    ) external;

    /// @notice Proposes the cumulative rewards root of the next epoch, signed by at least `threshold` attestors.
    /// @dev Anyone can call this function. Signatures are EIP-712 over `Epoch` (see `epochDigest`), from
    /// distinct current attestors sorted by address ascending; `epoch.nonce` must be `proposalNonce()`.
    /// @param epoch The signed epoch.
    /// @param signatures The attestors' 65-byte signatures.
    function proposeEpoch(Epoch calldata epoch, bytes[] calldata signatures) external;

    /// @notice Makes the pending epoch's root claimable once its challenge period has passed.
    /// @dev Anyone can call this function.
    function acceptEpoch() external;

    /// @notice Discards the pending epoch and advances the proposal nonce: the vetoed proposal can never be
    /// pending again, and the epoch number needs a newly signed proposal.
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

    /// @notice Applies the proposed attestor set once its challenge period has passed. Advances the proposal
    /// nonce and discards a pending epoch, so nothing signed by the outgoing set can be accepted later.
    /// @dev Only the owner can call this function.
    function acceptAttestors() external;

    /// @notice Cancels the proposed attestor set.
    /// @dev Only the guardian can call this function.
    function cancelAttestors() external;

    /// @notice Proposes `guardian` as the next guardian, effective after the challenge period.
    /// @dev Only the owner can call this function; the current guardian cannot block it.
    /// @param guardian The next guardian.
    function proposeGuardian(address guardian) external;

    /// @notice Makes the proposed guardian the guardian once its challenge period has passed.
    /// @dev Anyone can call this function.
    function acceptGuardian() external;

    /// @notice Cancels the proposed guardian.
    /// @dev Only the owner can call this function.
    function cancelGuardian() external;

    /// @notice Pauses payments, claims and owner withdrawals for `MAX_PAUSE_DURATION` at most.
    /// @dev Only the guardian can call this function, and not again until `PAUSE_COOLDOWN` after the
    /// previous pause ended.
    function pause() external;

    /// @notice Ends the pause now (the cooldown runs from now).
    /// @dev Only the guardian can call this function.
    function unpause() external;

    /* VIEWS */

    /// @notice The reward token.
    function token() external view returns (address);
    /// @notice The model registry.
    function modelRegistry() external view returns (address);
    /// @notice The protocol treasury.
    function treasury() external view returns (address);
    /// @notice The guardian.
    function guardian() external view returns (address);
    /// @notice The proposed next guardian and when it may take over (zero if none).
    function pendingGuardian() external view returns (address guardian, uint64 validAt);
    /// @notice The protocol fee in basis points.
    function protocolFeeBps() external view returns (uint16);
    /// @notice Seconds between proposal and claimability, and the delay of attestor and guardian changes.
    function challengePeriod() external view returns (uint64);
    /// @notice The current attestors.
    function attestors() external view returns (address[] memory);
    /// @notice Whether `account` is a current attestor.
    function isAttestor(address account) external view returns (bool);
    /// @notice Signatures needed to propose an epoch.
    function threshold() external view returns (uint8);
    /// @notice The nonce the next proposal must carry; every veto and attestor rotation advances it.
    function proposalNonce() external view returns (uint64);
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
    /// @notice Whether the pool is paused now.
    function paused() external view returns (bool);
    /// @notice When the current or last pause ends or ended (0 if never paused).
    function pausedUntil() external view returns (uint256);
    /// @notice The EIP-712 digest attestors sign for `epoch`.
    function epochDigest(Epoch calldata epoch) external view returns (bytes32);
}
