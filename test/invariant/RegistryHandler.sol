// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {DatanetToken} from "../../contracts/DatanetToken.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

/// @notice Drives a DatanetRegistry through contributions (single, batched, signed), reviews, finalizations,
/// withdrawals and retirements over a small set of content hashes, so duplicates and resubmissions are
/// frequent. Every call's outcome is predicted from the registry's state; ghosts count review outcomes.
contract RegistryHandler is CommonBase, StdCheats, StdUtils {
    uint256 public constant ACTOR_COUNT = 4;
    uint256 public constant DATANET_COUNT = 3;
    uint256 public constant HASH_COUNT = 8;
    uint256 public constant SLOT_COUNT = DATANET_COUNT * HASH_COUNT;

    DatanetRegistry public immutable registry;
    DatanetToken public immutable token;
    address public immutable curator = makeAddr("handlerCurator");

    address[ACTOR_COUNT] internal _actors;
    uint256[ACTOR_COUNT] internal _actorKeys;
    uint256[DATANET_COUNT] internal _datanetIds;

    /* GHOSTS */

    mapping(address actor => uint256) public ghostAccepted;
    mapping(address actor => uint256) public ghostRejected;
    mapping(address actor => uint256) public ghostMinted;
    mapping(address actor => uint256) public ghostForfeited; // bonds lost to rejection
    uint256 public ghostRejectedBonds;

    constructor(DatanetRegistry registry_, DatanetToken token_) {
        registry = registry_;
        token = token_;
        uint96[DATANET_COUNT] memory bonds = [uint96(0), 1e18, 7];
        uint32[DATANET_COUNT] memory periods = [uint32(0), 1 hours, 1 days];
        for (uint256 d; d < DATANET_COUNT; ++d) {
            _datanetIds[d] = registry_.createDatanet("", bonds[d], periods[d]);
            registry_.setCurator(_datanetIds[d], curator, true);
        }
        for (uint256 i; i < ACTOR_COUNT; ++i) {
            (_actors[i], _actorKeys[i]) = makeAddrAndKey(string.concat("contributor", vm.toString(i)));
            vm.prank(_actors[i]);
            token_.approve(address(registry_), type(uint256).max);
        }
    }

    /* ACTIONS */

    function contribute(uint256 actorSeed, uint256 slotSeed) external {
        address actor = _actors[actorSeed % ACTOR_COUNT];
        (uint256 datanetId, bytes32 contentHash) = _slot(slotSeed);
        _mintBond(actor, datanetId, 1);
        _expectDuplicateIfTaken(datanetId, contentHash);
        vm.prank(actor);
        registry.contribute(datanetId, contentHash, "ipfs://data");
    }

    function contributeBatch(uint256 actorSeed, uint256 slotSeed, uint256 count) external {
        address actor = _actors[actorSeed % ACTOR_COUNT];
        count = _bound(count, 1, 4);
        (uint256 datanetId,) = _slot(slotSeed);
        IDatanetRegistry.ContributionInput[] memory items = new IDatanetRegistry.ContributionInput[](count);
        for (uint256 i; i < count; ++i) {
            items[i].contentHash = _hash(slotSeed % SLOT_COUNT + i);
        }
        _mintBond(actor, datanetId, count);
        // The batch fails on its first taken hash.
        for (uint256 i; i < count; ++i) {
            if (_expectDuplicateIfTaken(datanetId, items[i].contentHash)) break;
        }
        vm.prank(actor);
        registry.contributeBatch(datanetId, items);
    }

    function contributeWithSig(uint256 actorSeed, uint256 slotSeed) external {
        uint256 a = actorSeed % ACTOR_COUNT;
        address actor = _actors[a];
        (uint256 datanetId, bytes32 contentHash) = _slot(slotSeed);
        IDatanetRegistry.ContributionInput memory item =
            IDatanetRegistry.ContributionInput({contentHash: contentHash, uri: "ipfs://signed"});
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 digest = registry.contributeDigest(actor, datanetId, item, registry.nonces(actor), deadline);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_actorKeys[a], digest);
        _mintBond(actor, datanetId, 1);
        _expectDuplicateIfTaken(datanetId, contentHash);
        registry.contributeWithSig(actor, datanetId, item, deadline, abi.encodePacked(r, s, v));
    }

    function review(uint256 slotSeed, bool accept) external {
        (bool found, uint256 datanetId, bytes32 id, IDatanetRegistry.Contribution memory c) =
            _find(slotSeed, IDatanetRegistry.Status.Pending);
        if (!found) return;
        uint256 deadline = uint256(c.submittedAt) + registry.getDatanet(datanetId).reviewPeriod;
        if (block.timestamp > deadline) {
            vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.ReviewPeriodOver.selector, id, deadline));
        } else if (accept) {
            ++ghostAccepted[c.contributor];
        } else {
            uint256 bond = registry.getDatanet(datanetId).bond;
            ++ghostRejected[c.contributor];
            ghostForfeited[c.contributor] += bond;
            ghostRejectedBonds += bond;
        }
        vm.prank(curator);
        registry.review(id, accept);
    }

    function finalize(uint256 slotSeed) external {
        (bool found, uint256 datanetId, bytes32 id, IDatanetRegistry.Contribution memory c) =
            _find(slotSeed, IDatanetRegistry.Status.Pending);
        if (!found) return;
        uint256 deadline = uint256(c.submittedAt) + registry.getDatanet(datanetId).reviewPeriod;
        if (block.timestamp <= deadline) {
            vm.expectRevert(
                abi.encodeWithSelector(IDatanetRegistry.ReviewPeriodNotOver.selector, id, deadline)
            );
        } else {
            ++ghostAccepted[c.contributor];
        }
        registry.finalize(id);
    }

    function withdraw(uint256 slotSeed) external {
        (bool found,, bytes32 id, IDatanetRegistry.Contribution memory c) =
            _find(slotSeed, IDatanetRegistry.Status.Pending);
        if (!found) return;
        vm.prank(c.contributor);
        registry.withdraw(id);
    }

    function retire(uint256 slotSeed) external {
        (bool found,, bytes32 id, IDatanetRegistry.Contribution memory c) =
            _find(slotSeed, IDatanetRegistry.Status.Accepted);
        if (!found) return;
        vm.prank(c.contributor);
        registry.retire(id);
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + _bound(seconds_, 0, 2 days));
    }

    /* VIEWS FOR INVARIANTS */

    function actors() external view returns (address[ACTOR_COUNT] memory) {
        return _actors;
    }

    /// @notice Every contribution id the handler can create, with its datanet's bond.
    function slot(uint256 index) external view returns (bytes32 id, uint256 bond) {
        (uint256 datanetId, bytes32 contentHash) = _slot(index);
        return (registry.contributionIdOf(datanetId, contentHash), registry.getDatanet(datanetId).bond);
    }

    /* INTERNAL */

    function _slot(uint256 seed) internal view returns (uint256 datanetId, bytes32 contentHash) {
        uint256 index = seed % SLOT_COUNT;
        return (_datanetIds[index / HASH_COUNT], _hash(index % HASH_COUNT));
    }

    /// @dev The first slot from `seed` on whose contribution is in `status`.
    function _find(uint256 seed, IDatanetRegistry.Status status)
        internal
        view
        returns (bool found, uint256 datanetId, bytes32 id, IDatanetRegistry.Contribution memory c)
    {
        for (uint256 i; i < SLOT_COUNT; ++i) {
            bytes32 contentHash;
            (datanetId, contentHash) = _slot(seed % SLOT_COUNT + i);
            id = registry.contributionIdOf(datanetId, contentHash);
            c = registry.getContribution(id);
            if (c.status == status) return (true, datanetId, id, c);
        }
    }

    function _hash(uint256 seed) internal pure returns (bytes32) {
        return keccak256(abi.encode("content", seed % HASH_COUNT));
    }

    function _mintBond(address actor, uint256 datanetId, uint256 count) internal {
        uint256 amount = registry.getDatanet(datanetId).bond * count;
        token.mint(actor, amount);
        ghostMinted[actor] += amount;
    }

    /// @dev Expects the next call to revert with `DuplicateContribution` if the hash is taken in the datanet.
    function _expectDuplicateIfTaken(uint256 datanetId, bytes32 contentHash) internal returns (bool taken) {
        bytes32 id = registry.contributionIdOf(datanetId, contentHash);
        IDatanetRegistry.Status status = registry.getContribution(id).status;
        taken = status == IDatanetRegistry.Status.Pending || status == IDatanetRegistry.Status.Accepted
            || status == IDatanetRegistry.Status.Retired;
        if (taken) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IDatanetRegistry.DuplicateContribution.selector, datanetId, contentHash, id
                )
            );
        }
    }
}
