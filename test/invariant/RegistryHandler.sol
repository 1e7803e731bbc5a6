// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {DatanetToken} from "../../contracts/DatanetToken.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

/// @notice Drives a DatanetRegistry through commits, reveals (with displacement by commit order), copied
/// commits and front-run reveals, reviews, reject races, finalizations and retirements over a small set of
/// content hashes, so collisions are frequent. It keeps an exact model of the registry and predicts every
/// call's outcome: an expected revert is asserted with its exact error (`vm.expectRevert(bytes)`), an
/// expected success is a plain call. The invariant suite runs with `fail-on-revert`, so any wrong prediction
/// (a revert the model did not expect, or a success it did not) fails the campaign.
contract RegistryHandler is CommonBase, StdCheats, StdUtils {
    uint256 public constant ACTOR_COUNT = 4;
    uint256 public constant DATANET_COUNT = 3;
    uint256 public constant HASH_COUNT = 8;
    uint256 public constant SLOT_COUNT = DATANET_COUNT * HASH_COUNT;
    uint256 public constant MAX_BATCH = 3;

    uint8 internal constant NONE = 0;
    uint8 internal constant PENDING = 1;
    uint8 internal constant ACCEPTED = 2;
    uint8 internal constant REJECTED = 3;
    uint8 internal constant RETIRED = 4;

    DatanetRegistry public immutable registry;
    DatanetToken public immutable token;
    address public immutable curator = makeAddr("handlerCurator");
    address public immutable treasury;
    uint256 public immutable minAge;
    uint256 public immutable maxAge;

    address[ACTOR_COUNT] internal _actors;
    uint256[DATANET_COUNT] internal _datanetIds;
    uint256[DATANET_COUNT] internal _bonds;
    uint256[DATANET_COUNT] internal _reviewPeriods;

    /* MODEL */

    /// @notice The model of one contribution id (datanet, hash).
    struct SlotModel {
        address contributor;
        uint8 status;
        uint256 submittedAt;
        uint256 committedAt;
    }

    /// @notice A commitment the handler recorded.
    struct CommitModel {
        address contributor;
        uint256 datanet; // index into _datanetIds
        uint256[] hashes; // indexes into the content hashes, in reveal order
        bytes32 salt;
        uint256 committedAt;
        bool consumed;
    }

    SlotModel[SLOT_COUNT] internal _slots;
    CommitModel[] internal _commits;
    uint256 internal _saltNonce;

    /* GHOSTS */

    mapping(uint256 datanet => mapping(address actor => uint256)) public ghostAccepted;
    mapping(uint256 datanet => mapping(address actor => uint256)) public ghostRejected;
    mapping(address actor => uint256) public ghostMinted;
    mapping(address actor => uint256) public ghostForfeited;
    uint256 public ghostRejectedBonds;

    uint256 public reveals;
    uint256 public displacements;
    uint256 public frontRunsBlocked;
    uint256 public duplicatesRefused;
    uint256 public rejectRaces;

    constructor(DatanetRegistry registry_, DatanetToken token_) {
        registry = registry_;
        token = token_;
        treasury = registry_.treasury();
        minAge = registry_.minCommitmentAge();
        maxAge = registry_.maxCommitmentAge();
        _bonds = [uint256(0), 1e18, 7];
        _reviewPeriods = [uint256(0), 1 hours, 2 days];
        for (uint256 d; d < DATANET_COUNT; ++d) {
            // forge-lint: disable-next-line(unsafe-typecast) -- small constants
            _datanetIds[d] = registry_.createDatanet("", _bonds[d], uint32(_reviewPeriods[d]));
            registry_.setCurator(_datanetIds[d], curator, true);
        }
        for (uint256 i; i < ACTOR_COUNT; ++i) {
            _actors[i] = makeAddr(string.concat("contributor", vm.toString(i)));
            vm.prank(_actors[i]);
            token_.approve(address(registry_), type(uint256).max);
        }
    }

    /* ACTIONS */

    /// @dev `relayer` records a new commitment of `actor` to 1..3 hashes of one datanet (sometimes with a
    /// hash repeated, which its reveal must refuse).
    function commit(
        uint256 actorSeed,
        uint256 relayerSeed,
        uint256 datanetSeed,
        uint256 hashSeed,
        uint256 count
    ) external {
        count = _bound(count, 1, MAX_BATCH);
        CommitModel storage c = _newCommit(
            _actors[actorSeed % ACTOR_COUNT], datanetSeed % DATANET_COUNT, hashSeed % HASH_COUNT, count
        );
        if (count > 1 && (hashSeed >> 8) % 8 == 0) c.hashes[count - 1] = c.hashes[0];
        vm.prank(_actors[relayerSeed % ACTOR_COUNT]);
        registry.commit(_commitmentOf(c));
    }

    /// @dev The stuck-reveal race: a victim commits; its reveal waits in the mempool; a watcher copies the
    /// hashes, commits later, reveals first; then the victim's reveal lands and displaces it. Every step goes
    /// through the model's predictions, so an item already taken makes the right call revert instead.
    function watcherRace(uint256 victimSeed, uint256 watcherSeed, uint256 datanetSeed, uint256 hashSeed)
        external
    {
        address victim = _actors[victimSeed % ACTOR_COUNT];
        address watcher =
            _actors[(victimSeed % ACTOR_COUNT + 1 + watcherSeed % (ACTOR_COUNT - 1)) % ACTOR_COUNT];
        uint256 d = datanetSeed % DATANET_COUNT;
        uint256 count = _bound(hashSeed >> 8, 1, 2);
        CommitModel storage early = _newCommit(victim, d, hashSeed % HASH_COUNT, count);
        vm.prank(victim);
        registry.commit(_commitmentOf(early));
        vm.warp(block.timestamp + minAge);
        CommitModel storage late = _newCommit(watcher, d, hashSeed % HASH_COUNT, count);
        vm.prank(watcher);
        registry.commit(_commitmentOf(late));
        vm.warp(block.timestamp + minAge);
        _revealPredicted(late, true);
        vm.warp(block.timestamp + _bound(watcherSeed >> 8, 0, maxAge - 2 * minAge));
        _revealPredicted(early, false);
    }

    /// @dev Someone records an existing commitment again: refused while it is unrevealed and unexpired.
    function recommit(uint256 commitSeed, uint256 senderSeed) external {
        if (_commits.length == 0) return;
        CommitModel storage c = _commits[commitSeed % _commits.length];
        bytes32 commitment = _commitmentOf(c);
        bool live = !c.consumed && c.committedAt + maxAge >= block.timestamp;
        if (live) {
            vm.expectRevert(
                abi.encodeWithSelector(IDatanetRegistry.CommitmentExists.selector, commitment, c.committedAt)
            );
        }
        vm.prank(_actors[senderSeed % ACTOR_COUNT]);
        registry.commit(commitment);
        if (!live) {
            c.committedAt = block.timestamp;
            c.consumed = false;
        }
    }

    /// @dev The contributor reveals a commitment (half the time waiting first until it is old enough); the
    /// outcome, item by item, is predicted from the model.
    function reveal(uint256 commitSeed) external {
        if (_commits.length == 0) return;
        CommitModel storage c = _commits[commitSeed % _commits.length];
        if ((commitSeed >> 128) % 2 == 0 && block.timestamp < c.committedAt + minAge) {
            vm.warp(c.committedAt + minAge);
        }
        _revealPredicted(c, (commitSeed >> 129) % 2 == 0);
    }

    /// @dev Reveals `c` (a one-item commitment through `revealOne` when `one` is set), predicting the outcome.
    function _revealPredicted(CommitModel storage c, bool one) internal {
        IDatanetRegistry.ContributionInput[] memory items = _items(c);
        uint256 bond = _bonds[c.datanet];
        _mint(c.contributor, bond * items.length);

        bytes memory expected = _predictReveal(c);
        if (expected.length != 0) {
            if (bytes4(expected) == IDatanetRegistry.DuplicateContribution.selector) ++duplicatesRefused;
            vm.expectRevert(expected);
        }
        vm.prank(c.contributor);
        if (one && items.length == 1) {
            registry.revealOne(_datanetIds[c.datanet], items[0].contentHash, items[0].uri, c.salt);
        } else {
            registry.reveal(_datanetIds[c.datanet], items, c.salt);
        }
        if (expected.length == 0) _applyReveal(c);
    }

    /// @dev Another account copies the contributor's reveal calldata: the commitment it recomputes does not
    /// exist, whatever the state of the real one.
    function frontRunReveal(uint256 commitSeed, uint256 attackerSeed) external {
        if (_commits.length == 0) return;
        CommitModel storage c = _commits[commitSeed % _commits.length];
        address attacker = _actors[attackerSeed % ACTOR_COUNT];
        if (attacker == c.contributor) attacker = _actors[(attackerSeed % ACTOR_COUNT + 1) % ACTOR_COUNT];
        uint256 datanetId = _datanetIds[c.datanet];
        bytes32 theirs = registry.makeCommitment(attacker, datanetId, _hashes(c), c.salt);
        _mint(attacker, _bonds[c.datanet] * c.hashes.length);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.CommitmentNotFound.selector, theirs));
        vm.prank(attacker);
        IDatanetRegistry.ContributionInput[] memory items = _items(c);
        if (items.length == 1 && attackerSeed % 2 == 0) {
            registry.revealOne(datanetId, items[0].contentHash, items[0].uri, c.salt);
        } else {
            registry.reveal(datanetId, items, c.salt);
        }
        ++frontRunsBlocked;
    }

    function review(uint256 slotSeed, bool accept) external {
        (bool found, uint256 s) = _find(slotSeed, PENDING);
        if (!found) return;
        bytes32 id = _id(s);
        uint256 deadline = _slots[s].submittedAt + _reviewPeriods[s / HASH_COUNT];
        bool over = block.timestamp > deadline;
        if (over) {
            vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.ReviewPeriodOver.selector, id, deadline));
        }
        vm.prank(curator);
        registry.review(id, accept);
        if (!over) _settle(s, accept);
    }

    /// @dev The curator rejects a pending contribution whose contributor first tries to get its bond back
    /// (v1's `withdraw`, which no longer exists) and, if it holds an earlier revealable commitment to the same
    /// hash, reveals it to displace itself. The bond is lost all the same.
    function rejectRace(uint256 slotSeed) external {
        (bool found, uint256 s) = _find(slotSeed, PENDING);
        if (!found) return;
        bytes32 id = _id(s);
        vm.prank(_slots[s].contributor);
        (bool ok,) = address(registry).call(abi.encodeWithSignature("withdraw(bytes32)", id));
        require(!ok, "withdraw exists");
        // A displacement dodge, if some unconsumed, revealable, earlier commitment covers this hash.
        for (uint256 i; i < _commits.length; ++i) {
            CommitModel storage c = _commits[i];
            if (c.datanet != s / HASH_COUNT || !_covers(c, s % HASH_COUNT)) continue;
            if (_predictReveal(c).length != 0) continue;
            _mint(c.contributor, _bonds[c.datanet] * c.hashes.length);
            vm.prank(c.contributor);
            registry.reveal(_datanetIds[c.datanet], _items(c), c.salt);
            _applyReveal(c);
            break;
        }
        if (_slots[s].status != PENDING) return;
        uint256 deadline = _slots[s].submittedAt + _reviewPeriods[s / HASH_COUNT];
        bool over = block.timestamp > deadline;
        if (over) {
            vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.ReviewPeriodOver.selector, id, deadline));
        }
        vm.prank(curator);
        registry.review(id, false);
        if (!over) {
            _settle(s, false);
            ++rejectRaces;
        }
    }

    /// @dev Anyone finalizes a pending contribution (a third of the time waiting first until it can be).
    function finalize(uint256 slotSeed) external {
        (bool found, uint256 s) = _find(slotSeed, PENDING);
        if (!found) return;
        bytes32 id = _id(s);
        uint256 reviewEnd = _slots[s].submittedAt + _reviewPeriods[s / HASH_COUNT];
        uint256 originalityEnd = _slots[s].committedAt + maxAge;
        uint256 deadline = reviewEnd > originalityEnd ? reviewEnd : originalityEnd;
        if ((slotSeed >> 128) % 3 == 0 && block.timestamp <= deadline) vm.warp(deadline + 1);
        bool early = block.timestamp <= deadline;
        if (early) {
            vm.expectRevert(
                abi.encodeWithSelector(IDatanetRegistry.ReviewPeriodNotOver.selector, id, deadline)
            );
        }
        registry.finalize(id);
        if (!early) _settle(s, true);
    }

    function retire(uint256 slotSeed, uint256 callerSeed) external {
        (bool found, uint256 s) = _find(slotSeed, ACCEPTED);
        if (!found) return;
        bytes32 id = _id(s);
        address caller = callerSeed % 2 == 0 ? _slots[s].contributor : _actors[callerSeed % ACTOR_COUNT];
        if (caller != _slots[s].contributor) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IDatanetRegistry.NotContributor.selector, id, caller, _slots[s].contributor
                )
            );
        }
        vm.prank(caller);
        registry.retire(id);
        if (caller == _slots[s].contributor) _slots[s].status = RETIRED;
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + _bound(seconds_, 0, 3 hours));
    }

    /* VIEWS FOR INVARIANTS */

    function actors() external view returns (address[ACTOR_COUNT] memory) {
        return _actors;
    }

    /// @notice Contribution id, bond and model of slot `s`.
    function slot(uint256 s) external view returns (bytes32 id, uint256 bond, SlotModel memory model) {
        return (_id(s), _bonds[s / HASH_COUNT], _slots[s]);
    }

    function datanetOf(uint256 s) external view returns (uint256) {
        return _datanetIds[s / HASH_COUNT];
    }

    function datanetIds() external view returns (uint256[DATANET_COUNT] memory) {
        return _datanetIds;
    }

    function commitCount() external view returns (uint256) {
        return _commits.length;
    }

    /* PREDICTION */

    function _newCommit(address contributor, uint256 d, uint256 firstHash, uint256 count)
        internal
        returns (CommitModel storage c)
    {
        c = _commits.push();
        c.contributor = contributor;
        c.datanet = d;
        for (uint256 i; i < count; ++i) {
            c.hashes.push((firstHash + i) % HASH_COUNT);
        }
        c.salt = keccak256(abi.encode("salt", ++_saltNonce));
        c.committedAt = block.timestamp;
    }

    /// @dev The exact revert data of revealing `c` now, or empty if it succeeds. Follows the registry's order
    /// of checks: the commitment, then each item in order against the contributions and the earlier items.
    function _predictReveal(CommitModel storage c) internal view returns (bytes memory) {
        bytes32 commitment = _commitmentOf(c);
        if (c.consumed) {
            return abi.encodeWithSelector(IDatanetRegistry.CommitmentNotFound.selector, commitment);
        }
        if (block.timestamp < c.committedAt + minAge) {
            return abi.encodeWithSelector(
                IDatanetRegistry.CommitmentTooNew.selector, commitment, c.committedAt + minAge
            );
        }
        if (block.timestamp > c.committedAt + maxAge) {
            return abi.encodeWithSelector(
                IDatanetRegistry.CommitmentExpired.selector, commitment, c.committedAt + maxAge
            );
        }
        for (uint256 i; i < c.hashes.length; ++i) {
            uint256 s = c.datanet * HASH_COUNT + c.hashes[i];
            bool taken;
            for (uint256 j; j < i; ++j) {
                if (c.hashes[j] == c.hashes[i]) taken = true; // registered by this reveal at the same commit time
            }
            uint8 status = _slots[s].status;
            if (status == PENDING && _slots[s].committedAt <= c.committedAt) taken = true;
            if (status == ACCEPTED || status == RETIRED) taken = true;
            if (taken) {
                return abi.encodeWithSelector(
                    IDatanetRegistry.DuplicateContribution.selector,
                    _datanetIds[c.datanet],
                    _hash(c.hashes[i]),
                    _id(s)
                );
            }
        }
        return "";
    }

    /// @dev The model after a successful reveal of `c`.
    function _applyReveal(CommitModel storage c) internal {
        for (uint256 i; i < c.hashes.length; ++i) {
            SlotModel storage m = _slots[c.datanet * HASH_COUNT + c.hashes[i]];
            if (m.status == PENDING) ++displacements; // the displaced contributor's bond was refunded
            m.contributor = c.contributor;
            m.status = PENDING;
            m.submittedAt = block.timestamp;
            m.committedAt = c.committedAt;
        }
        c.consumed = true;
        ++reveals;
    }

    function _settle(uint256 s, bool accept) internal {
        SlotModel storage m = _slots[s];
        uint256 d = s / HASH_COUNT;
        if (accept) {
            m.status = ACCEPTED;
            ++ghostAccepted[_datanetIds[d]][m.contributor];
        } else {
            m.status = REJECTED;
            ++ghostRejected[_datanetIds[d]][m.contributor];
            ghostForfeited[m.contributor] += _bonds[d];
            ghostRejectedBonds += _bonds[d];
        }
    }

    /* INTERNAL */

    function _find(uint256 seed, uint8 status) internal view returns (bool found, uint256 s) {
        for (uint256 i; i < SLOT_COUNT; ++i) {
            s = (seed % SLOT_COUNT + i) % SLOT_COUNT;
            if (_slots[s].status == status) return (true, s);
        }
    }

    function _covers(CommitModel storage c, uint256 h) internal view returns (bool) {
        for (uint256 i; i < c.hashes.length; ++i) {
            if (c.hashes[i] == h) return true;
        }
        return false;
    }

    function _hash(uint256 h) internal pure returns (bytes32) {
        return keccak256(abi.encode("content", h));
    }

    function _id(uint256 s) internal view returns (bytes32) {
        return keccak256(abi.encode(_datanetIds[s / HASH_COUNT], _hash(s % HASH_COUNT)));
    }

    function _hashes(CommitModel storage c) internal view returns (bytes32[] memory hashes) {
        hashes = new bytes32[](c.hashes.length);
        for (uint256 i; i < hashes.length; ++i) {
            hashes[i] = _hash(c.hashes[i]);
        }
    }

    function _items(CommitModel storage c)
        internal
        view
        returns (IDatanetRegistry.ContributionInput[] memory items)
    {
        items = new IDatanetRegistry.ContributionInput[](c.hashes.length);
        for (uint256 i; i < items.length; ++i) {
            items[i] = IDatanetRegistry.ContributionInput({
                contentHash: _hash(c.hashes[i]),
                uri: string.concat("ipfs://content/", vm.toString(c.hashes[i]))
            });
        }
    }

    /// @dev Computed here, not by the registry, so a wrong `makeCommitment` cannot hide a wrong reveal.
    function _commitmentOf(CommitModel storage c) internal view returns (bytes32) {
        return keccak256(
            abi.encode(c.contributor, _datanetIds[c.datanet], keccak256(abi.encodePacked(_hashes(c))), c.salt)
        );
    }

    function _mint(address actor, uint256 amount) internal {
        token.mint(actor, amount);
        ghostMinted[actor] += amount;
    }
}
