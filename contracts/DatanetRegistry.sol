// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title DatanetRegistry
/// @notice Datanets and their contributions: commit to a batch, reveal it with a bond, get it reviewed by a
/// curator, and build reputation per datanet. Rejected bonds go to the treasury, never to the curator.
/// @dev Immutable: no owner, no upgrade. One storage slot per contribution, one per unrevealed commitment.
contract DatanetRegistry is IDatanetRegistry, EIP712, Nonces, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /* STORAGE */

    /// @notice EIP-712 type of a gasless reveal.
    bytes32 public constant REVEAL_TYPEHASH = keccak256(
        "Reveal(address contributor,uint256 datanetId,bytes32 commitment,bytes32 urisHash,uint256 nonce,uint256 deadline)"
    );

    IERC20 internal immutable _bondToken;
    address internal immutable _treasury;
    uint256 internal immutable _minCommitmentAge;
    uint256 internal immutable _maxCommitmentAge;

    uint256 internal _datanetCount;
    mapping(uint256 datanetId => Datanet) internal _datanets;
    mapping(uint256 datanetId => mapping(address account => bool)) internal _curators;
    mapping(bytes32 commitment => uint256 committedAt) internal _commitments;
    mapping(bytes32 contributionId => Contribution) internal _contributions;
    mapping(uint256 datanetId => mapping(address account => Reputation)) internal _reputations;

    /* CONSTRUCTOR */

    /// @param initialBondToken The ERC-20 bonds are paid in.
    /// @param initialTreasury Where rejected bonds go.
    /// @param initialMinCommitmentAge Seconds a commitment must wait before its reveal (at least 1, so a
    /// reveal can never share the block of a commitment made after seeing it).
    /// @param initialMaxCommitmentAge Seconds after which an unrevealed commitment expires (at most
    /// `type(uint24).max`, the width of `Contribution.commitAge`).
    constructor(
        address initialBondToken,
        address initialTreasury,
        uint32 initialMinCommitmentAge,
        uint32 initialMaxCommitmentAge
    ) EIP712("DatanetRegistry", "2") {
        if (initialBondToken == address(0) || initialTreasury == address(0)) {
            revert ZeroAddress();
        }
        if (
            initialMinCommitmentAge == 0 || initialMinCommitmentAge >= initialMaxCommitmentAge
                || initialMaxCommitmentAge > type(uint24).max
        ) revert InvalidCommitmentAges(initialMinCommitmentAge, initialMaxCommitmentAge);
        _bondToken = IERC20(initialBondToken);
        _treasury = initialTreasury;
        _minCommitmentAge = initialMinCommitmentAge;
        _maxCommitmentAge = initialMaxCommitmentAge;
    }

    /* EXTERNAL */

    /// @inheritdoc IDatanetRegistry
    function createDatanet(string calldata metadataURI, uint256 bond, uint32 reviewPeriod)
        external
        returns (uint256 datanetId)
    {
        if (bond > type(uint96).max) revert BondTooLarge(bond, type(uint96).max);
        datanetId = ++_datanetCount;
        // Contributions store the datanet id in 32 bits.
        if (datanetId > type(uint32).max) revert DatanetLimitReached(type(uint32).max);
        // forge-lint: disable-next-line(unsafe-typecast) -- bond checked against type(uint96).max above
        _datanets[datanetId] = Datanet({owner: msg.sender, bond: uint96(bond), reviewPeriod: reviewPeriod});
        emit DatanetCreated(datanetId, msg.sender, bond, reviewPeriod, metadataURI);
    }

    /// @inheritdoc IDatanetRegistry
    function setCurator(uint256 datanetId, address curator, bool enabled) external {
        address owner = _datanets[datanetId].owner;
        if (owner == address(0)) revert DatanetNotFound(datanetId);
        if (msg.sender != owner) revert NotDatanetOwner(datanetId, msg.sender, owner);
        if (curator == address(0)) revert ZeroAddress();
        _curators[datanetId][curator] = enabled;
        emit CuratorSet(datanetId, curator, enabled);
    }

    /// @inheritdoc IDatanetRegistry
    function commit(bytes32 commitment) external {
        uint256 committedAt = _commitments[commitment];
        if (committedAt != 0 && committedAt + _maxCommitmentAge >= block.timestamp) {
            revert CommitmentExists(commitment, committedAt);
        }
        _commitments[commitment] = block.timestamp;
        emit Committed(commitment);
    }

    /// @inheritdoc IDatanetRegistry
    function reveal(uint256 datanetId, ContributionInput[] calldata items, bytes32 salt)
        external
        nonReentrant
        returns (bytes32[] memory contributionIds)
    {
        contributionIds = _contentHashes(items);
        bytes32 commitment = _commitment(msg.sender, datanetId, _hashWords(contributionIds), salt);
        _reveal(msg.sender, datanetId, items, contributionIds, commitment);
    }

    /// @inheritdoc IDatanetRegistry
    /// @dev Holds the reentrancy lock only while it moves bonds: without a bond it calls nothing outside.
    function revealOne(uint256 datanetId, bytes32 contentHash, string calldata uri, bytes32 salt) external {
        uint256 bond = _bondOf(datanetId);
        uint256 committedAt =
            _consumeCommitment(_commitment(msg.sender, datanetId, _hashWord(contentHash), salt));
        uint256 packed = _packPending(msg.sender, datanetId, committedAt);
        (, address previous) = _register(datanetId, contentHash, uri, committedAt, packed);
        if (bond != 0) _moveBonds(msg.sender, bond, previous);
    }

    /// @inheritdoc IDatanetRegistry
    function revealWithSig(
        address contributor,
        uint256 datanetId,
        ContributionInput[] calldata items,
        bytes32 salt,
        uint256 deadline,
        bytes calldata signature
    ) external nonReentrant returns (bytes32[] memory contributionIds) {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        contributionIds = _contentHashes(items);
        bytes32 commitment = _commitment(contributor, datanetId, _hashWords(contributionIds), salt);
        _checkRevealSignature(contributor, datanetId, commitment, _urisHash(items), deadline, signature);
        _reveal(contributor, datanetId, items, contributionIds, commitment);
    }

    /// @inheritdoc IDatanetRegistry
    function review(bytes32 contributionId, bool accept) external nonReentrant {
        _review(contributionId, accept);
    }

    /// @inheritdoc IDatanetRegistry
    function reviewBatch(bytes32[] calldata contributionIds, bool accept) external nonReentrant {
        uint256 count = contributionIds.length;
        if (count == 0) revert EmptyBatch();
        for (uint256 i; i < count; ++i) {
            _review(contributionIds[i], accept);
        }
    }

    /// @inheritdoc IDatanetRegistry
    function finalize(bytes32 contributionId) external nonReentrant {
        Contribution memory c = _pendingContribution(contributionId);
        Datanet memory d = _datanets[c.datanetId];
        uint256 reviewEnd = uint256(c.submittedAt) + d.reviewPeriod;
        // Until the contribution's commitment is maxCommitmentAge old, an earlier commitment to the same
        // content may still be revealed and take it over; finalizing must not cut it off.
        uint256 originalityEnd = uint256(c.submittedAt) - c.commitAge + _maxCommitmentAge;
        uint256 deadline = reviewEnd > originalityEnd ? reviewEnd : originalityEnd;
        if (block.timestamp <= deadline) revert ReviewPeriodNotOver(contributionId, deadline);
        _settle(contributionId, c.contributor, c.datanetId, d.bond, true, true);
    }

    /// @inheritdoc IDatanetRegistry
    function retire(bytes32 contributionId) external {
        Contribution storage c = _contributions[contributionId];
        if (c.status != Status.Accepted) {
            if (c.status == Status.None) revert ContributionNotFound(contributionId);
            revert InvalidStatus(contributionId, c.status, Status.Accepted);
        }
        if (msg.sender != c.contributor) revert NotContributor(contributionId, msg.sender, c.contributor);
        c.status = Status.Retired;
        emit Retired(contributionId, msg.sender);
    }

    /* VIEWS */

    /// @inheritdoc IDatanetRegistry
    function bondToken() external view returns (address) {
        return address(_bondToken);
    }

    /// @inheritdoc IDatanetRegistry
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IDatanetRegistry
    function minCommitmentAge() external view returns (uint256) {
        return _minCommitmentAge;
    }

    /// @inheritdoc IDatanetRegistry
    function maxCommitmentAge() external view returns (uint256) {
        return _maxCommitmentAge;
    }

    /// @inheritdoc IDatanetRegistry
    function datanetCount() external view returns (uint256) {
        return _datanetCount;
    }

    /// @inheritdoc IDatanetRegistry
    function getDatanet(uint256 datanetId) external view returns (Datanet memory) {
        return _datanets[datanetId];
    }

    /// @inheritdoc IDatanetRegistry
    function datanetExists(uint256 datanetId) external view returns (bool) {
        return _datanets[datanetId].owner != address(0);
    }

    /// @inheritdoc IDatanetRegistry
    function isCurator(uint256 datanetId, address account) external view returns (bool) {
        return _curators[datanetId][account];
    }

    /// @inheritdoc IDatanetRegistry
    function commitmentOf(bytes32 commitment) external view returns (uint256) {
        return _commitments[commitment];
    }

    /// @inheritdoc IDatanetRegistry
    function makeCommitment(
        address contributor,
        uint256 datanetId,
        bytes32[] calldata contentHashes,
        bytes32 salt
    ) external pure returns (bytes32) {
        return _commitment(contributor, datanetId, keccak256(abi.encodePacked(contentHashes)), salt);
    }

    /// @inheritdoc IDatanetRegistry
    function getContribution(bytes32 contributionId) external view returns (Contribution memory) {
        return _contributions[contributionId];
    }

    /// @inheritdoc IDatanetRegistry
    function getContributions(bytes32[] calldata contributionIds)
        external
        view
        returns (Contribution[] memory contributions)
    {
        contributions = new Contribution[](contributionIds.length);
        for (uint256 i; i < contributionIds.length; ++i) {
            contributions[i] = _contributions[contributionIds[i]];
        }
    }

    /// @inheritdoc IDatanetRegistry
    function contributionIdOf(uint256 datanetId, bytes32 contentHash) public pure returns (bytes32) {
        // keccak256(abi.encode(datanetId, contentHash)), hashed in scratch space.
        return Hashes.efficientKeccak256(bytes32(datanetId), contentHash);
    }

    /// @inheritdoc IDatanetRegistry
    function revealDigest(
        address contributor,
        uint256 datanetId,
        bytes32 commitment,
        bytes32 urisHash,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _revealDigest(contributor, datanetId, commitment, urisHash, nonce, deadline);
    }

    /// @inheritdoc IDatanetRegistry
    function reputationOf(uint256 datanetId, address account) external view returns (Reputation memory) {
        return _reputations[datanetId][account];
    }

    /// @inheritdoc IDatanetRegistry
    function nonces(address contributor) public view override(IDatanetRegistry, Nonces) returns (uint256) {
        return super.nonces(contributor);
    }

    /* INTERNAL */

    /// @dev Consumes `commitment`, registers every item (taking over items pending under a later commitment),
    /// then pulls the bonds and refunds the displaced.
    /// @param contributionIds `items[i].contentHash`, in order; overwritten in place with the contribution ids.
    function _reveal(
        address contributor,
        uint256 datanetId,
        ContributionInput[] calldata items,
        bytes32[] memory contributionIds,
        bytes32 commitment
    ) internal {
        uint256 bond = _bondOf(datanetId);
        uint256 committedAt = _consumeCommitment(commitment);
        uint256 packed = _packPending(contributor, datanetId, committedAt);
        (address[] memory displaced, uint256 displacedCount) =
            _registerAll(datanetId, items, contributionIds, packed, committedAt);
        if (bond != 0) {
            _pullBond(contributor, bond * items.length);
            for (uint256 i; i < displacedCount; ++i) {
                _bondToken.safeTransfer(displaced[i], bond);
            }
        }
    }

    /// @dev Pulls a one-item reveal's bond from `contributor` and refunds `previous` (if any) the bond of the
    /// contribution it displaced, under the reentrancy lock.
    function _moveBonds(address contributor, uint256 bond, address previous) private nonReentrant {
        _pullBond(contributor, bond);
        if (previous != address(0)) _bondToken.safeTransfer(previous, bond);
    }

    /// @dev A pending contribution's slot: contributor | datanetId << 160 | submittedAt << 192 | commitAge << 224
    /// | Pending << 248. The datanet exists, so its id fits in 32 bits; block timestamps fit in 32 bits until
    /// 2106; a consumed commitment is at most maxCommitmentAge <= type(uint24).max old.
    function _packPending(address contributor, uint256 datanetId, uint256 committedAt)
        internal
        view
        returns (uint256)
    {
        return uint256(uint160(contributor)) | (datanetId << 160) | (block.timestamp << 192)
            | ((block.timestamp - committedAt) << 224) | (uint256(uint8(Status.Pending)) << 248);
    }

    /// @dev Registers every item of a reveal as `packed`; returns the contributors it displaced.
    function _registerAll(
        uint256 datanetId,
        ContributionInput[] calldata items,
        bytes32[] memory contributionIds,
        uint256 packed,
        uint256 committedAt
    ) internal returns (address[] memory displaced, uint256 displacedCount) {
        uint256 count = items.length;
        for (uint256 i; i < count; ++i) {
            address previous;
            (contributionIds[i], previous) =
                _register(datanetId, contributionIds[i], items[i].uri, committedAt, packed);
            if (previous != address(0)) {
                // Allocated only when someone is displaced.
                if (displacedCount == 0) displaced = new address[](count - i);
                displaced[displacedCount++] = previous;
            }
        }
    }

    /// @dev Writes a contribution's single slot, unless its id is taken, and emits `Contributed`. Returns the
    /// contributor it displaced (zero if none): a pending contribution whose commitment is strictly later than
    /// `committedAt`.
    function _register(
        uint256 datanetId,
        bytes32 contentHash,
        string calldata uri,
        uint256 committedAt,
        uint256 packed
    ) internal returns (bytes32 contributionId, address previous) {
        if (contentHash == bytes32(0)) revert EmptyContentHash();
        contributionId = contributionIdOf(datanetId, contentHash);
        Contribution storage c = _contributions[contributionId];
        uint256 existing;
        assembly ("memory-safe") {
            existing := sload(c.slot)
        }
        uint256 status = existing >> 248;
        if (status == uint8(Status.Pending)) {
            // committedAt of the existing contribution = submittedAt - commitAge.
            uint256 existingCommittedAt =
                ((existing >> 192) & type(uint32).max) - ((existing >> 224) & type(uint24).max);
            if (existingCommittedAt <= committedAt) {
                revert DuplicateContribution(datanetId, contentHash, contributionId);
            }
            previous = address(uint160(existing));
        } else if (status == uint8(Status.Accepted) || status == uint8(Status.Retired)) {
            revert DuplicateContribution(datanetId, contentHash, contributionId);
        }
        assembly ("memory-safe") {
            sstore(c.slot, packed)
        }
        address contributor = address(uint160(packed));
        if (previous != address(0)) emit Displaced(contributionId, previous, contributor);
        emit Contributed(contentHash, datanetId, contributor, uri);
    }

    /// @dev Reverts unless `signature` is `contributor`'s over the reveal with its current nonce, which it uses.
    function _checkRevealSignature(
        address contributor,
        uint256 datanetId,
        bytes32 commitment,
        bytes32 urisHash,
        uint256 deadline,
        bytes calldata signature
    ) internal {
        bytes32 digest = _revealDigest(
            contributor, datanetId, commitment, urisHash, _useNonce(contributor), deadline
        );
        if (!SignatureChecker.isValidSignatureNow(contributor, digest, signature)) {
            revert InvalidSignature(contributor);
        }
    }

    /// @dev Deletes `commitment` if it exists and is between minCommitmentAge and maxCommitmentAge old, and
    /// emits `Revealed`; returns when it was recorded.
    function _consumeCommitment(bytes32 commitment) internal returns (uint256 committedAt) {
        committedAt = _commitments[commitment];
        if (committedAt == 0) revert CommitmentNotFound(commitment);
        uint256 revealableAt = committedAt + _minCommitmentAge;
        if (block.timestamp < revealableAt) revert CommitmentTooNew(commitment, revealableAt);
        uint256 expiredAt = committedAt + _maxCommitmentAge;
        if (block.timestamp > expiredAt) revert CommitmentExpired(commitment, expiredAt);
        delete _commitments[commitment];
        emit Revealed(commitment);
    }

    /// @dev `keccak256(abi.encode(contributor, datanetId, itemsHash, salt))`.
    function _commitment(address contributor, uint256 datanetId, bytes32 itemsHash, bytes32 salt)
        internal
        pure
        returns (bytes32 commitment)
    {
        assembly ("memory-safe") {
            // Hashed in the free memory past the free memory pointer, which is not advanced: nothing is kept there.
            let m := mload(0x40)
            mstore(m, and(contributor, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(m, 0x20), datanetId)
            mstore(add(m, 0x40), itemsHash)
            mstore(add(m, 0x60), salt)
            commitment := keccak256(m, 0x80)
        }
    }

    /// @dev The items' content hashes, in order, in a new memory array.
    function _contentHashes(ContributionInput[] calldata items)
        internal
        pure
        returns (bytes32[] memory hashes)
    {
        uint256 count = items.length;
        if (count == 0) revert EmptyBatch();
        hashes = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            hashes[i] = items[i].contentHash;
        }
    }

    /// @dev `keccak256(abi.encodePacked(word))`: a one-item batch's items hash.
    function _hashWord(bytes32 word) internal pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            mstore(0, word)
            hash := keccak256(0, 0x20)
        }
    }

    /// @dev `keccak256(abi.encodePacked(words))` without copying the array.
    function _hashWords(bytes32[] memory words) internal pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            hash := keccak256(add(words, 0x20), shl(5, mload(words)))
        }
    }

    /// @dev `keccak256(abi.encodePacked(keccak256(bytes(uri_0)), ...))`.
    function _urisHash(ContributionInput[] calldata items) internal pure returns (bytes32) {
        uint256 count = items.length;
        bytes32[] memory uriHashes = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            uriHashes[i] = keccak256(bytes(items[i].uri));
        }
        return _hashWords(uriHashes);
    }

    function _revealDigest(
        address contributor,
        uint256 datanetId,
        bytes32 commitment,
        bytes32 urisHash,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(REVEAL_TYPEHASH, contributor, datanetId, commitment, urisHash, nonce, deadline)
            )
        );
    }

    /// @dev The bond of an existing datanet; reverts if it does not exist.
    function _bondOf(uint256 datanetId) internal view returns (uint256) {
        Datanet storage d = _datanets[datanetId];
        if (d.owner == address(0)) revert DatanetNotFound(datanetId);
        return d.bond;
    }

    /// @dev Pulls `amount` of bond token from `from`, refusing tokens that deliver less than asked.
    function _pullBond(address from, uint256 amount) internal {
        uint256 before = _bondToken.balanceOf(address(this));
        _bondToken.safeTransferFrom(from, address(this), amount);
        uint256 received = _bondToken.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedToken(amount, received);
    }

    /// @dev Loads a contribution that must be pending.
    function _pendingContribution(bytes32 contributionId) internal view returns (Contribution memory c) {
        c = _contributions[contributionId];
        if (c.status != Status.Pending) {
            if (c.status == Status.None) revert ContributionNotFound(contributionId);
            revert InvalidStatus(contributionId, c.status, Status.Pending);
        }
    }

    /// @dev A curator's or owner's verdict within the review period.
    function _review(bytes32 contributionId, bool accept) internal {
        Contribution memory c = _pendingContribution(contributionId);
        Datanet memory d = _datanets[c.datanetId];
        if (msg.sender != d.owner && !_curators[c.datanetId][msg.sender]) {
            revert NotCurator(c.datanetId, msg.sender);
        }
        uint256 deadline = uint256(c.submittedAt) + d.reviewPeriod;
        if (block.timestamp > deadline) revert ReviewPeriodOver(contributionId, deadline);
        _settle(contributionId, c.contributor, c.datanetId, d.bond, accept, false);
    }

    /// @dev Records the verdict and the contributor's reputation in the datanet, then moves the bond: back to
    /// the contributor, or to the treasury.
    function _settle(
        bytes32 contributionId,
        address contributor,
        uint256 datanetId,
        uint256 bond,
        bool accept,
        bool finalized
    ) internal {
        Reputation storage rep = _reputations[datanetId][contributor];
        if (accept) {
            _contributions[contributionId].status = Status.Accepted;
            ++rep.accepted;
        } else {
            _contributions[contributionId].status = Status.Rejected;
            ++rep.rejected;
        }
        emit Reviewed(contributionId, msg.sender, accept, finalized);
        if (bond != 0) _bondToken.safeTransfer(accept ? contributor : _treasury, bond);
    }
}
