// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAttributionPool} from "./interfaces/IAttributionPool.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title AttributionPool
/// @notice Inference payments in, contributor rewards out. Each payment is split at once (protocol fee to
/// the treasury, owner share credited to the model owner, the rest into the contributors' pool). Each
/// epoch, M-of-N attestors sign a cumulative rewards root; after a challenge period in which the guardian
/// may veto it, contributors claim the difference since their last claim.
/// @dev The pool never promises more than it received: a root's total allocation may not exceed what the
/// contributors' pool was ever paid, and claims together may never exceed the total allocation.
contract AttributionPool is IAttributionPool, EIP712, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /* STORAGE */

    /// @notice EIP-712 type attestors sign.
    bytes32 public constant EPOCH_TYPEHASH = keccak256(
        "Epoch(uint64 epoch,uint64 nonce,bytes32 rewardsRoot,uint256 totalAllocated,bytes32 reportHash,string reportURI)"
    );

    /// @notice Largest attestor set, which bounds every loop over it.
    uint256 public constant MAX_ATTESTORS = 32;

    /// @notice Shortest challenge period: time for the guardian to see and veto a bad root.
    uint64 public constant MIN_CHALLENGE_PERIOD = 1 hours;

    /// @notice Longest challenge period: epochs stay live, and `validAt` cannot overflow.
    uint64 public constant MAX_CHALLENGE_PERIOD = 30 days;

    /// @notice Longest a pause lasts.
    uint256 public constant MAX_PAUSE_DURATION = 7 days;

    /// @notice Time after a pause ends before the guardian may pause again.
    uint256 public constant PAUSE_COOLDOWN = 7 days;

    uint256 internal constant BPS = 10_000;

    IERC20 internal immutable _token;
    IModelRegistry internal immutable _modelRegistry;
    address internal immutable _treasury;
    uint16 internal immutable _protocolFeeBps;
    uint64 internal immutable _challengePeriod;

    /// @dev What a claim reads and writes, packed in one slot.
    struct Accounting {
        uint112 totalAllocated;
        uint112 totalClaimed;
        uint32 pausedUntil;
    }

    /// @dev What a proposal reads, packed in one slot.
    struct ProposalState {
        uint64 currentEpoch;
        uint64 proposalNonce;
        uint8 threshold;
    }

    /// @dev A proposed guardian.
    struct PendingGuardian {
        address guardian;
        uint64 validAt;
    }

    bytes32 internal _rewardsRoot;
    Accounting internal _accounting;
    ProposalState internal _proposalState;
    uint256 internal _contributorsReceived;
    PendingEpoch internal _pendingEpoch;
    mapping(uint256 epoch => EpochRecord) internal _epochs;
    mapping(address account => uint256) internal _claimed;
    mapping(address owner => uint256) internal _ownerCredit;

    address[] internal _attestors;
    mapping(address account => bool) internal _isAttestor;
    PendingAttestors internal _pendingAttestors;

    address internal _guardian;
    PendingGuardian internal _pendingGuardian;

    /* CONSTRUCTOR */

    /// @param initialConfig Token, registries, fee, attestors, challenge period, guardian and owner.
    constructor(Config memory initialConfig) EIP712("AttributionPool", "2") Ownable(initialConfig.owner) {
        if (
            initialConfig.token == address(0) || initialConfig.modelRegistry == address(0)
                || initialConfig.treasury == address(0) || initialConfig.guardian == address(0)
        ) revert ZeroAddress();
        if (initialConfig.protocolFeeBps > BPS) revert BpsTooLarge(initialConfig.protocolFeeBps);
        if (
            initialConfig.challengePeriod < MIN_CHALLENGE_PERIOD
                || initialConfig.challengePeriod > MAX_CHALLENGE_PERIOD
        ) {
            revert InvalidChallengePeriod(
                initialConfig.challengePeriod, MIN_CHALLENGE_PERIOD, MAX_CHALLENGE_PERIOD
            );
        }
        _token = IERC20(initialConfig.token);
        _modelRegistry = IModelRegistry(initialConfig.modelRegistry);
        _treasury = initialConfig.treasury;
        _protocolFeeBps = initialConfig.protocolFeeBps;
        _challengePeriod = initialConfig.challengePeriod;
        _guardian = initialConfig.guardian;
        emit GuardianChanged(address(0), initialConfig.guardian);
        _setAttestors(initialConfig.attestors, initialConfig.threshold);
    }

    /* MODIFIERS */

    modifier onlyGuardian() {
        if (msg.sender != _guardian) revert NotGuardian(msg.sender);
        _;
    }

    modifier whenNotPaused() {
        uint256 until = _accounting.pausedUntil;
        if (block.timestamp < until) revert PoolPaused(until);
        _;
    }

    /* EXTERNAL */

    /// @inheritdoc IAttributionPool
    function payForInference(uint256 modelId, uint256 amount, bytes32 inferenceId, string calldata outputsURI)
        external
        nonReentrant
        whenNotPaused
    {
        IModelRegistry.Model memory model = _model(modelId);
        if (bytes(outputsURI).length != 0) emit OutputsPublished(modelId, msg.sender, outputsURI);
        (uint256 fee, uint256 ownerShare) = _pay(modelId, model.ownerShareBps, amount, inferenceId);
        _collect(amount, model.owner, fee, ownerShare, amount - fee - ownerShare);
    }

    /// @inheritdoc IAttributionPool
    function payForInferences(
        uint256 modelId,
        uint256[] calldata amounts,
        bytes32[] calldata inferenceIds,
        string calldata outputsURI
    ) external nonReentrant whenNotPaused {
        uint256 count = amounts.length;
        if (count == 0 || count != inferenceIds.length) revert InvalidBatch(count, inferenceIds.length);
        IModelRegistry.Model memory model = _model(modelId);
        if (bytes(outputsURI).length != 0) emit OutputsPublished(modelId, msg.sender, outputsURI);
        (uint256 total, uint256 fees, uint256 ownerShares) =
            _payAll(modelId, model.ownerShareBps, amounts, inferenceIds);
        _collect(total, model.owner, fees, ownerShares, total - fees - ownerShares);
    }

    /// @inheritdoc IAttributionPool
    function proposeEpoch(Epoch calldata epoch, bytes[] calldata signatures) external {
        if (_pendingEpoch.validAt != 0) revert EpochAlreadyPending(_pendingEpoch.epoch);
        ProposalState memory state = _proposalState;
        uint256 expected = uint256(state.currentEpoch) + 1;
        if (epoch.epoch != expected) revert UnexpectedEpoch(epoch.epoch, expected);
        if (epoch.nonce != state.proposalNonce) revert StaleNonce(epoch.nonce, state.proposalNonce);
        if (epoch.rewardsRoot == bytes32(0)) revert EmptyRoot();
        uint256 current = _accounting.totalAllocated;
        if (epoch.totalAllocated < current) revert AllocationDecreased(epoch.totalAllocated, current);
        uint256 received = _contributorsReceived;
        if (epoch.totalAllocated > received) {
            revert AllocationExceedsReceived(epoch.totalAllocated, received);
        }
        _checkSignatures(_epochDigest(epoch), signatures, state.threshold);

        // The challenge period is at most MAX_CHALLENGE_PERIOD, so this cannot overflow.
        uint64 validAt = uint64(block.timestamp) + _challengePeriod;
        _pendingEpoch = PendingEpoch({
            rewardsRoot: epoch.rewardsRoot,
            reportHash: epoch.reportHash,
            totalAllocated: SafeCast.toUint112(epoch.totalAllocated),
            epoch: epoch.epoch,
            validAt: validAt
        });
        emit EpochProposed(
            epoch.epoch,
            epoch.rewardsRoot,
            epoch.nonce,
            epoch.totalAllocated,
            epoch.reportHash,
            validAt,
            epoch.reportURI
        );
    }

    /// @inheritdoc IAttributionPool
    function acceptEpoch() external {
        PendingEpoch memory pending = _pendingEpoch;
        if (pending.validAt == 0) revert NoPendingEpoch();
        if (block.timestamp < pending.validAt) revert ChallengePeriodNotOver(pending.validAt);
        delete _pendingEpoch;
        _rewardsRoot = pending.rewardsRoot;
        _accounting.totalAllocated = pending.totalAllocated;
        _proposalState.currentEpoch = pending.epoch;
        _epochs[pending.epoch] = EpochRecord({
            rewardsRoot: pending.rewardsRoot,
            reportHash: pending.reportHash,
            totalAllocated: pending.totalAllocated
        });
        emit EpochAccepted(pending.epoch, pending.rewardsRoot, pending.totalAllocated, pending.reportHash);
    }

    /// @inheritdoc IAttributionPool
    function vetoEpoch() external onlyGuardian {
        PendingEpoch memory pending = _pendingEpoch;
        if (pending.validAt == 0) revert NoPendingEpoch();
        delete _pendingEpoch;
        uint64 nonce = _proposalState.proposalNonce++;
        emit EpochVetoed(pending.epoch, pending.rewardsRoot, nonce);
    }

    /// @inheritdoc IAttributionPool
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof)
        external
        nonReentrant
        returns (uint256 amount)
    {
        Accounting memory acc = _accounting;
        if (block.timestamp < acc.pausedUntil) revert PoolPaused(acc.pausedUntil);
        bytes32 root = _rewardsRoot;
        if (root == bytes32(0)) revert NoRewardsRoot();
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof(account, cumulativeAmount);

        uint256 alreadyClaimed = _claimed[account];
        if (cumulativeAmount <= alreadyClaimed) {
            if (cumulativeAmount < alreadyClaimed) {
                revert CumulativeAmountDecreased(account, cumulativeAmount, alreadyClaimed);
            }
            revert NothingToClaim(account, cumulativeAmount, alreadyClaimed);
        }
        amount = cumulativeAmount - alreadyClaimed;
        uint256 newTotalClaimed = acc.totalClaimed + amount;
        if (newTotalClaimed > acc.totalAllocated) {
            revert AllocationExceeded(amount, acc.totalClaimed, acc.totalAllocated);
        }

        _claimed[account] = cumulativeAmount;
        // forge-lint: disable-next-line(unsafe-typecast) -- newTotalClaimed <= totalAllocated, a uint112
        _accounting.totalClaimed = uint112(newTotalClaimed);
        emit Claimed(account, msg.sender, amount, cumulativeAmount);
        _token.safeTransfer(account, amount);
    }

    /// @inheritdoc IAttributionPool
    function withdrawOwnerShare(address to) external nonReentrant whenNotPaused returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        amount = _ownerCredit[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        _ownerCredit[msg.sender] = 0;
        emit OwnerShareWithdrawn(msg.sender, to, amount);
        _token.safeTransfer(to, amount);
    }

    /// @inheritdoc IAttributionPool
    function proposeAttestors(address[] calldata newAttestors, uint8 newThreshold) external onlyOwner {
        _validateAttestorSet(newAttestors, newThreshold);
        uint64 validAt = uint64(block.timestamp) + _challengePeriod;
        _pendingAttestors =
            PendingAttestors({attestors: newAttestors, threshold: newThreshold, validAt: validAt});
        emit AttestorsProposed(newAttestors, newThreshold, validAt);
    }

    /// @inheritdoc IAttributionPool
    function acceptAttestors() external onlyOwner {
        PendingAttestors memory pending = _pendingAttestors;
        if (pending.validAt == 0) revert NoPendingAttestors();
        if (block.timestamp < pending.validAt) revert ChallengePeriodNotOver(pending.validAt);
        delete _pendingAttestors;

        // Nothing the outgoing set signed may be accepted from now on: drop its pending epoch and
        // invalidate its signatures.
        uint64 nonce = _proposalState.proposalNonce++;
        PendingEpoch memory pendingEpoch_ = _pendingEpoch;
        if (pendingEpoch_.validAt != 0) {
            delete _pendingEpoch;
            emit EpochDiscarded(pendingEpoch_.epoch, pendingEpoch_.rewardsRoot, nonce);
        }

        uint256 count = _attestors.length;
        for (uint256 i; i < count; ++i) {
            _isAttestor[_attestors[i]] = false;
        }
        delete _attestors;
        _setAttestors(pending.attestors, pending.threshold);
    }

    /// @inheritdoc IAttributionPool
    function cancelAttestors() external onlyGuardian {
        if (_pendingAttestors.validAt == 0) revert NoPendingAttestors();
        delete _pendingAttestors;
        emit AttestorsProposalCancelled();
    }

    /// @inheritdoc IAttributionPool
    function proposeGuardian(address newGuardian) external onlyOwner {
        if (newGuardian == address(0)) revert ZeroAddress();
        uint64 validAt = uint64(block.timestamp) + _challengePeriod;
        _pendingGuardian = PendingGuardian({guardian: newGuardian, validAt: validAt});
        emit GuardianProposed(newGuardian, validAt);
    }

    /// @inheritdoc IAttributionPool
    function acceptGuardian() external {
        PendingGuardian memory pending = _pendingGuardian;
        if (pending.validAt == 0) revert NoPendingGuardian();
        if (block.timestamp < pending.validAt) revert ChallengePeriodNotOver(pending.validAt);
        delete _pendingGuardian;
        address previous = _guardian;
        _guardian = pending.guardian;
        emit GuardianChanged(previous, pending.guardian);
    }

    /// @inheritdoc IAttributionPool
    function cancelGuardian() external onlyOwner {
        address pending = _pendingGuardian.guardian;
        if (pending == address(0)) revert NoPendingGuardian();
        delete _pendingGuardian;
        emit GuardianProposalCancelled(pending);
    }

    /// @inheritdoc IAttributionPool
    function pause() external onlyGuardian {
        uint256 until = _accounting.pausedUntil;
        if (until != 0) {
            // Also refuses while paused: a pause cannot be extended.
            uint256 availableAt = until + PAUSE_COOLDOWN;
            if (block.timestamp < availableAt) revert PauseCooldown(availableAt);
        }
        until = block.timestamp + MAX_PAUSE_DURATION;
        _accounting.pausedUntil = SafeCast.toUint32(until);
        emit Paused(msg.sender, until);
    }

    /// @inheritdoc IAttributionPool
    function unpause() external onlyGuardian {
        if (block.timestamp >= _accounting.pausedUntil) revert NotPaused();
        // forge-lint: disable-next-line(unsafe-typecast) -- below pausedUntil, a uint32
        _accounting.pausedUntil = uint32(block.timestamp);
        emit Unpaused(msg.sender);
    }

    /* VIEWS */

    /// @inheritdoc IAttributionPool
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IAttributionPool
    function modelRegistry() external view returns (address) {
        return address(_modelRegistry);
    }

    /// @inheritdoc IAttributionPool
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IAttributionPool
    function guardian() external view returns (address) {
        return _guardian;
    }

    /// @inheritdoc IAttributionPool
    function pendingGuardian() external view returns (address, uint64) {
        return (_pendingGuardian.guardian, _pendingGuardian.validAt);
    }

    /// @inheritdoc IAttributionPool
    function protocolFeeBps() external view returns (uint16) {
        return _protocolFeeBps;
    }

    /// @inheritdoc IAttributionPool
    function challengePeriod() external view returns (uint64) {
        return _challengePeriod;
    }

    /// @inheritdoc IAttributionPool
    function attestors() external view returns (address[] memory) {
        return _attestors;
    }

    /// @inheritdoc IAttributionPool
    function isAttestor(address account) external view returns (bool) {
        return _isAttestor[account];
    }

    /// @inheritdoc IAttributionPool
    function threshold() external view returns (uint8) {
        return _proposalState.threshold;
    }

    /// @inheritdoc IAttributionPool
    function proposalNonce() external view returns (uint64) {
        return _proposalState.proposalNonce;
    }

    /// @inheritdoc IAttributionPool
    function currentEpoch() external view returns (uint256) {
        return _proposalState.currentEpoch;
    }

    /// @inheritdoc IAttributionPool
    function rewardsRoot() external view returns (bytes32) {
        return _rewardsRoot;
    }

    /// @inheritdoc IAttributionPool
    function epochRecord(uint256 epoch) external view returns (EpochRecord memory) {
        return _epochs[epoch];
    }

    /// @inheritdoc IAttributionPool
    function pendingEpoch() external view returns (PendingEpoch memory) {
        return _pendingEpoch;
    }

    /// @inheritdoc IAttributionPool
    function pendingAttestors() external view returns (PendingAttestors memory) {
        return _pendingAttestors;
    }

    /// @inheritdoc IAttributionPool
    function totalAllocated() external view returns (uint256) {
        return _accounting.totalAllocated;
    }

    /// @inheritdoc IAttributionPool
    function totalClaimed() external view returns (uint256) {
        return _accounting.totalClaimed;
    }

    /// @inheritdoc IAttributionPool
    function contributorsReceived() external view returns (uint256) {
        return _contributorsReceived;
    }

    /// @inheritdoc IAttributionPool
    function claimed(address account) external view returns (uint256) {
        return _claimed[account];
    }

    /// @inheritdoc IAttributionPool
    function ownerCredit(address owner_) external view returns (uint256) {
        return _ownerCredit[owner_];
    }

    /// @inheritdoc IAttributionPool
    function paused() external view returns (bool) {
        return block.timestamp < _accounting.pausedUntil;
    }

    /// @inheritdoc IAttributionPool
    function pausedUntil() external view returns (uint256) {
        return _accounting.pausedUntil;
    }

    /// @inheritdoc IAttributionPool
    function epochDigest(Epoch calldata epoch) external view returns (bytes32) {
        return _epochDigest(epoch);
    }

    /* INTERNAL */

    /// @dev The owner and owner share of an existing model.
    function _model(uint256 modelId) internal view returns (IModelRegistry.Model memory model) {
        model = _modelRegistry.getModel(modelId);
        if (model.owner == address(0)) revert ModelNotFound(modelId);
    }

    /// @dev Splits one payment and emits its event; returns the protocol fee and the owner share.
    function _pay(uint256 modelId, uint256 ownerShareBps, uint256 amount, bytes32 inferenceId)
        internal
        returns (uint256 fee, uint256 ownerShare)
    {
        if (amount == 0) revert ZeroAmount();
        if (inferenceId == bytes32(0)) revert EmptyInferenceId();
        fee = amount * _protocolFeeBps / BPS;
        ownerShare = (amount - fee) * ownerShareBps / BPS;
        emit InferencePaid(
            inferenceId, modelId, msg.sender, amount, fee, ownerShare, amount - fee - ownerShare
        );
    }

    /// @dev Splits every payment of a batch; returns their sum, fees and owner shares.
    function _payAll(
        uint256 modelId,
        uint256 ownerShareBps,
        uint256[] calldata amounts,
        bytes32[] calldata inferenceIds
    ) internal returns (uint256 total, uint256 fees, uint256 ownerShares) {
        uint256 count = amounts.length;
        for (uint256 i; i < count; ++i) {
            (uint256 fee, uint256 ownerShare) = _pay(modelId, ownerShareBps, amounts[i], inferenceIds[i]);
            total += amounts[i];
            fees += fee;
            ownerShares += ownerShare;
        }
    }

    /// @dev Pulls `total` from the caller (refusing tokens that deliver less), records the shares, pays the fee.
    function _collect(
        uint256 total,
        address modelOwner,
        uint256 fee,
        uint256 ownerShare,
        uint256 contributorShare
    ) internal {
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), total);
        uint256 received = _token.balanceOf(address(this)) - before;
        if (received != total) revert UnsupportedToken(total, received);
        _contributorsReceived += contributorShare;
        if (ownerShare != 0) _ownerCredit[modelOwner] += ownerShare;
        if (fee != 0) _token.safeTransfer(_treasury, fee);
    }

    function _epochDigest(Epoch calldata epoch) internal view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    EPOCH_TYPEHASH,
                    epoch.epoch,
                    epoch.nonce,
                    epoch.rewardsRoot,
                    epoch.totalAllocated,
                    epoch.reportHash,
                    keccak256(bytes(epoch.reportURI))
                )
            )
        );
    }

    /// @dev At least `needed` signatures, each from an attestor, signers strictly ascending (so distinct).
    function _checkSignatures(bytes32 digest, bytes[] calldata signatures, uint256 needed) internal view {
        uint256 count = signatures.length;
        if (count < needed) revert NotEnoughSignatures(count, needed);
        address previous;
        for (uint256 i; i < count; ++i) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (!_isAttestor[signer]) revert SignerNotAttestor(i, signer);
            if (signer <= previous) revert SignersNotSorted(i, signer);
            previous = signer;
        }
    }

    function _validateAttestorSet(address[] memory set, uint8 newThreshold) internal pure {
        uint256 count = set.length;
        if (count == 0 || count > MAX_ATTESTORS || newThreshold == 0 || newThreshold > count) {
            revert InvalidAttestorSet(count, newThreshold, MAX_ATTESTORS);
        }
        for (uint256 i; i < count; ++i) {
            if (set[i] == address(0)) revert ZeroAddress();
            for (uint256 j; j < i; ++j) {
                if (set[j] == set[i]) revert DuplicateAttestor(set[i]);
            }
        }
    }

    function _setAttestors(address[] memory set, uint8 newThreshold) internal {
        _validateAttestorSet(set, newThreshold);
        uint256 count = set.length;
        for (uint256 i; i < count; ++i) {
            _isAttestor[set[i]] = true;
            _attestors.push(set[i]);
        }
        _proposalState.threshold = newThreshold;
        emit AttestorsChanged(set, newThreshold);
    }
}
