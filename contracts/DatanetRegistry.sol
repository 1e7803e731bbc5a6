// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title DatanetRegistry
/// @notice Datanets and their contributions: register a content hash with a bond, get it reviewed by a
/// curator, and build reputation. Rejected bonds go to the treasury, never to the curator.
/// @dev Immutable: no owner, no upgrade. One storage slot per contribution.
contract DatanetRegistry is IDatanetRegistry, EIP712, Nonces {
    using SafeERC20 for IERC20;

    /* STORAGE */

    /// @notice EIP-712 type of a gasless contribution.
    bytes32 public constant CONTRIBUTE_TYPEHASH = keccak256(
        "Contribute(address contributor,uint256 datanetId,bytes32 contentHash,string uri,uint256 nonce,uint256 deadline)"
    );

    IERC20 internal immutable _bondToken;
    address internal immutable _treasury;

    uint256 internal _datanetCount;
    mapping(uint256 datanetId => Datanet) internal _datanets;
    mapping(uint256 datanetId => mapping(address account => bool)) internal _curators;
    mapping(bytes32 contributionId => Contribution) internal _contributions;
    mapping(address account => Reputation) internal _reputations;

    /* CONSTRUCTOR */

    /// @param initialBondToken The ERC-20 bonds are paid in.
    /// @param initialTreasury Where rejected bonds go.
    constructor(address initialBondToken, address initialTreasury) EIP712("DatanetRegistry", "1") {
        if (initialBondToken == address(0) || initialTreasury == address(0)) revert ZeroAddress();
        _bondToken = IERC20(initialBondToken);
        _treasury = initialTreasury;
    }

    /* EXTERNAL */

    /// @inheritdoc IDatanetRegistry
    function createDatanet(string calldata metadataURI, uint256 bond, uint32 reviewPeriod)
        external
        returns (uint256 datanetId)
    {
        if (bond > type(uint96).max) revert BondTooLarge(bond, type(uint96).max);
        datanetId = ++_datanetCount;
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
    function contribute(uint256 datanetId, bytes32 contentHash, string calldata uri)
        external
        returns (bytes32 contributionId)
    {
        uint256 bond = _bondOf(datanetId);
        contributionId = _register(msg.sender, datanetId, contentHash, uri);
        if (bond != 0) _pullBond(msg.sender, bond);
    }

    /// @inheritdoc IDatanetRegistry
    function contributeBatch(uint256 datanetId, ContributionInput[] calldata items)
        external
        returns (bytes32[] memory contributionIds)
    {
        uint256 count = items.length;
        if (count == 0) revert EmptyBatch();
        uint256 bond = _bondOf(datanetId);
        contributionIds = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            ContributionInput calldata item = items[i];
            contributionIds[i] = _register(msg.sender, datanetId, item.contentHash, item.uri);
        }
        if (bond != 0) _pullBond(msg.sender, bond * count);
    }

    /// @inheritdoc IDatanetRegistry
    function contributeWithSig(
        address contributor,
        uint256 datanetId,
        ContributionInput calldata item,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 contributionId) {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        bytes32 digest = _contributeDigest(contributor, datanetId, item, _useNonce(contributor), deadline);
        if (!SignatureChecker.isValidSignatureNow(contributor, digest, signature)) {
            revert InvalidSignature(contributor);
        }
        uint256 bond = _bondOf(datanetId);
        contributionId = _register(contributor, datanetId, item.contentHash, item.uri);
        if (bond != 0) _pullBond(contributor, bond);
    }

    /// @inheritdoc IDatanetRegistry
    function review(bytes32 contributionId, bool accept) external {
        _review(contributionId, accept);
    }

    /// @inheritdoc IDatanetRegistry
    function reviewBatch(bytes32[] calldata contributionIds, bool accept) external {
        uint256 count = contributionIds.length;
        if (count == 0) revert EmptyBatch();
        for (uint256 i; i < count; ++i) {
            _review(contributionIds[i], accept);
        }
    }

    /// @inheritdoc IDatanetRegistry
    function finalize(bytes32 contributionId) external {
        Contribution memory c = _pendingContribution(contributionId);
        Datanet memory d = _datanets[c.datanetId];
        uint256 deadline = uint256(c.submittedAt) + d.reviewPeriod;
        if (block.timestamp <= deadline) revert ReviewPeriodNotOver(contributionId, deadline);
        _settle(contributionId, c.contributor, d.bond, true, true);
    }

    /// @inheritdoc IDatanetRegistry
    function withdraw(bytes32 contributionId) external {
        Contribution memory c = _pendingContribution(contributionId);
        if (msg.sender != c.contributor) revert NotContributor(contributionId, msg.sender, c.contributor);
        _contributions[contributionId].status = Status.Withdrawn;
        emit Withdrawn(contributionId, msg.sender);
        uint256 bond = _datanets[c.datanetId].bond;
        if (bond != 0) _bondToken.safeTransfer(msg.sender, bond);
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
    function reputationOf(address account) external view returns (Reputation memory) {
        return _reputations[account];
    }

    /// @inheritdoc IDatanetRegistry
    function nonces(address contributor) public view override(IDatanetRegistry, Nonces) returns (uint256) {
        return super.nonces(contributor);
    }

    /// @inheritdoc IDatanetRegistry
    function contributeDigest(
        address contributor,
        uint256 datanetId,
        ContributionInput calldata item,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _contributeDigest(contributor, datanetId, item, nonce, deadline);
    }

    /* INTERNAL */

    function _contributeDigest(
        address contributor,
        uint256 datanetId,
        ContributionInput calldata item,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    CONTRIBUTE_TYPEHASH,
                    contributor,
                    datanetId,
                    item.contentHash,
                    keccak256(bytes(item.uri)),
                    nonce,
                    deadline
                )
            )
        );
    }

    /// @dev The bond of an existing datanet; reverts if it does not exist.
    function _bondOf(uint256 datanetId) internal view returns (uint256) {
        Datanet storage d = _datanets[datanetId];
        if (d.owner == address(0)) revert DatanetNotFound(datanetId);
        return d.bond;
    }

    /// @dev Writes the contribution's single slot. A rejected or withdrawn id is free to be used again.
    function _register(address contributor, uint256 datanetId, bytes32 contentHash, string calldata uri)
        internal
        returns (bytes32 contributionId)
    {
        if (contentHash == bytes32(0)) revert EmptyContentHash();
        contributionId = contributionIdOf(datanetId, contentHash);
        Contribution storage c = _contributions[contributionId];
        Status status = c.status;
        if (status == Status.Pending || status == Status.Accepted || status == Status.Retired) {
            revert DuplicateContribution(datanetId, contentHash, contributionId);
        }
        // One SSTORE of the packed slot: contributor | datanetId << 160 | submittedAt << 208 | status << 248.
        // datanetId fits in 48 bits: ids are sequential and 2**48 datanets cannot be created.
        uint256 packed = uint256(uint160(contributor)) | (datanetId << 160) | (block.timestamp << 208)
            | (uint256(uint8(Status.Pending)) << 248);
        assembly ("memory-safe") {
            sstore(c.slot, packed)
        }
        emit Contributed(contributionId, datanetId, contributor, contentHash, uri);
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
        _settle(contributionId, c.contributor, d.bond, accept, false);
    }

    /// @dev Records the verdict, then moves the bond: back to the contributor, or to the treasury.
    function _settle(bytes32 contributionId, address contributor, uint256 bond, bool accept, bool finalized)
        internal
    {
        Reputation storage rep = _reputations[contributor];
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
