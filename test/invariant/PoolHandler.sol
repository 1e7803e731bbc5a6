// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttributionPool} from "../../contracts/AttributionPool.sol";
import {DatanetToken} from "../../contracts/DatanetToken.sol";
import {ModelRegistry} from "../../contracts/ModelRegistry.sol";
import {IAttributionPool} from "../../contracts/interfaces/IAttributionPool.sol";
import {RewardTree} from "../utils/RewardTree.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

/// @notice Drives an AttributionPool through payments, honest epochs (random cumulative amounts within what
/// the pool received), vetoes, claims, owner withdrawals and pauses, while trying to accept roots early and
/// to replay attestor signatures across epochs, chains and pools. Ghost variables record what must never
/// happen.
contract PoolHandler is CommonBase, StdCheats, StdUtils {
    uint256 internal constant ACCOUNT_COUNT = 6;
    uint256 internal constant MODEL_COUNT = 2;
    bytes32 internal constant REPORT_HASH = keccak256("report");
    string internal constant REPORT_URI = "ipfs://report";

    AttributionPool public immutable pool;
    /// @dev Same attestors, other address; kept at the same epoch and allocation as `pool` so a replayed
    /// signature is the only thing that can make a proposal there fail.
    AttributionPool public immutable mirror;
    DatanetToken public immutable token;
    address public immutable guardian;
    uint64 public immutable challengePeriod;

    uint256[] internal _keys; // sorted by signer address
    uint8 internal immutable _threshold;
    address[ACCOUNT_COUNT] internal _accounts;
    uint256[MODEL_COUNT] internal _modelIds;
    address[MODEL_COUNT] internal _modelOwners;
    address internal immutable _payer = makeAddr("invariantPayer");

    /* GHOSTS */

    uint256[ACCOUNT_COUNT] public acceptedAmount; // cumulative amounts of the accepted root
    uint256[ACCOUNT_COUNT] public ghostPaid; // sum of the `Claimed` amounts paid to each account
    bool public hasPending;
    uint256[ACCOUNT_COUNT] internal _pendingAmount;
    uint256 internal _pendingTotal;
    bytes32 internal _pendingRoot;
    bytes[] internal _pendingSigs;
    mapping(uint256 epoch => uint256) public proposedAt;
    mapping(uint256 epoch => uint256) public acceptedAt;

    uint256 public earlyAccepts; // accepts that succeeded before the challenge period ended
    uint256 public replayAttempts;
    uint256 public replaysSucceeded;
    uint256 public replaysRejectedForOtherReason;
    uint256 public claimsPaid;
    uint256 public epochsAccepted;

    constructor(
        AttributionPool pool_,
        AttributionPool mirror_,
        DatanetToken token_,
        ModelRegistry models,
        uint256[] memory sortedKeys,
        uint256 datanetId
    ) {
        pool = pool_;
        mirror = mirror_;
        token = token_;
        guardian = pool_.guardian();
        challengePeriod = pool_.challengePeriod();
        _threshold = pool_.threshold();
        _keys = sortedKeys;
        for (uint256 i; i < ACCOUNT_COUNT; ++i) {
            _accounts[i] = makeAddr(string.concat("rewardee", vm.toString(i)));
        }
        uint256[] memory ids = new uint256[](1);
        ids[0] = datanetId;
        uint16[MODEL_COUNT] memory ownerShares = [uint16(0), 3_333];
        for (uint256 i; i < MODEL_COUNT; ++i) {
            _modelOwners[i] = makeAddr(string.concat("modelOwner", vm.toString(i)));
            vm.prank(_modelOwners[i]);
            _modelIds[i] = models.registerModel("", ids, ownerShares[i]);
        }
        vm.startPrank(_payer);
        token.approve(address(pool_), type(uint256).max);
        token.approve(address(mirror_), type(uint256).max);
        vm.stopPrank();
    }

    /* ACTIONS */

    function pay(uint256 modelSeed, uint256 amount) external {
        amount = _bound(amount, 1, 1e24);
        token.mint(_payer, amount);
        uint256 modelId = _modelIds[modelSeed % MODEL_COUNT];
        if (pool.paused()) vm.expectRevert(IAttributionPool.PoolPaused.selector);
        vm.prank(_payer);
        pool.payForInference(modelId, amount, keccak256(abi.encode(block.timestamp, amount)));
    }

    function payBatch(uint256 modelSeed, uint256 count, uint256 amountSeed) external {
        count = _bound(count, 1, 8);
        uint256[] memory amounts = new uint256[](count);
        bytes32[] memory ids = new bytes32[](count);
        uint256 total;
        for (uint256 i; i < count; ++i) {
            amounts[i] = _bound(uint256(keccak256(abi.encode(amountSeed, i))), 1, 1e23);
            ids[i] = keccak256(abi.encode(amountSeed, i, "output"));
            total += amounts[i];
        }
        token.mint(_payer, total);
        uint256 modelId = _modelIds[modelSeed % MODEL_COUNT];
        if (pool.paused()) vm.expectRevert(IAttributionPool.PoolPaused.selector);
        vm.prank(_payer);
        pool.payForInferences(modelId, amounts, ids);
    }

    /// @dev Proposes the next epoch with every account's cumulative amount raised by a random share of what
    /// the pool holds unallocated, after trying to replay its signatures on another chain and another pool.
    function proposeEpoch(uint256 seed) external {
        if (hasPending) return;
        uint256 epoch = pool.currentEpoch() + 1;
        uint256 headroom = pool.contributorsReceived() - pool.totalAllocated();
        uint256[ACCOUNT_COUNT] memory amounts;
        uint256 total;
        for (uint256 i; i < ACCOUNT_COUNT; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // Some accounts get nothing new in an epoch.
            uint256 raise = r % 3 == 0 ? 0 : _bound(r >> 8, 0, headroom / ACCOUNT_COUNT);
            amounts[i] = acceptedAmount[i] + raise;
            total += amounts[i];
        }
        bytes32 root = RewardTree.root(_tree(amounts));
        bytes[] memory sigs = _sign(pool, epoch, root, total);

        _replayOnOtherChain(epoch, root, total, sigs, seed);
        _replayOnMirror(epoch, root, total, sigs);

        pool.proposeEpoch(epoch, root, total, REPORT_HASH, REPORT_URI, sigs);
        hasPending = true;
        _pendingAmount = amounts;
        _pendingTotal = total;
        _pendingRoot = root;
        delete _pendingSigs;
        for (uint256 i; i < sigs.length; ++i) {
            _pendingSigs.push(sigs[i]);
        }
        proposedAt[epoch] = block.timestamp;
    }

    /// @dev Tries to accept early (must fail); then, half the time, waits out the challenge period, accepts,
    /// keeps the mirror in step and tries to replay the accepted epoch's signatures for the next epoch number.
    function acceptEpoch(uint256 seed) external {
        if (!hasPending) return;
        uint256 validAt = pool.pendingEpoch().validAt;
        if (block.timestamp < validAt) {
            try pool.acceptEpoch() {
                ++earlyAccepts;
            } catch {}
            if (seed % 2 == 0) return;
            vm.warp(validAt + seed % 1 hours);
        }
        pool.acceptEpoch();
        uint256 epoch = pool.currentEpoch();
        acceptedAt[epoch] = block.timestamp;
        acceptedAmount = _pendingAmount;
        hasPending = false;
        ++epochsAccepted;

        mirror.proposeEpoch(
            epoch,
            _pendingRoot,
            _pendingTotal,
            REPORT_HASH,
            REPORT_URI,
            _sign(mirror, epoch, _pendingRoot, _pendingTotal)
        );
        mirror.acceptEpoch();

        // Same root, same total, next epoch number: only the signed epoch differs.
        _expectReplayFails(pool, epoch + 1, _pendingRoot, _pendingTotal, _pendingSigs);
    }

    /// @dev Vetoes one time in five, so that most epochs get through.
    function vetoEpoch(uint256 seed) external {
        if (!hasPending || seed % 5 != 0) return;
        vm.prank(guardian);
        pool.vetoEpoch();
        hasPending = false;
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + _bound(seconds_, 0, 2 * uint256(challengePeriod)));
    }

    function claim(uint256 accountSeed) external {
        if (pool.currentEpoch() == 0) return;
        uint256 i = accountSeed % ACCOUNT_COUNT;
        address account = _accounts[i];
        uint256 amount = acceptedAmount[i];
        bytes32[] memory proof = RewardTree.proof(_tree(acceptedAmount), account, amount);
        if (pool.paused()) {
            vm.expectRevert(IAttributionPool.PoolPaused.selector);
        } else if (amount == pool.claimed(account)) {
            vm.expectRevert(
                abi.encodeWithSelector(IAttributionPool.NothingToClaim.selector, account, amount, amount)
            );
        }
        uint256 paid = pool.claim(account, amount, proof);
        ghostPaid[i] += paid;
        if (paid != 0) ++claimsPaid;
    }

    /// @dev Tries to claim from the pending root before it is accepted.
    function claimFromPendingRoot(uint256 accountSeed) external {
        if (!hasPending || pool.paused()) return;
        uint256 i = accountSeed % ACCOUNT_COUNT;
        address account = _accounts[i];
        uint256 amount = _pendingAmount[i];
        bytes32[] memory proof = RewardTree.proof(_tree(_pendingAmount), account, amount);
        try pool.claim(account, amount, proof) returns (uint256 paid) {
            ghostPaid[i] += paid;
        } catch {}
    }

    function withdrawOwnerShare(uint256 ownerSeed) external {
        address owner = _modelOwners[ownerSeed % MODEL_COUNT];
        if (pool.ownerCredit(owner) == 0) return;
        if (pool.paused()) vm.expectRevert(IAttributionPool.PoolPaused.selector);
        vm.prank(owner);
        pool.withdrawOwnerShare(owner);
    }

    function setPaused(uint256 seed) external {
        vm.prank(guardian);
        pool.setPaused(seed % 4 == 0);
    }

    /* VIEWS FOR INVARIANTS */

    function accounts() external view returns (address[ACCOUNT_COUNT] memory) {
        return _accounts;
    }

    function modelOwners() external view returns (address[MODEL_COUNT] memory) {
        return _modelOwners;
    }

    /* INTERNAL */

    function _tree(uint256[ACCOUNT_COUNT] memory amounts) internal view returns (bytes32[] memory) {
        address[] memory accounts_ = new address[](ACCOUNT_COUNT);
        uint256[] memory amounts_ = new uint256[](ACCOUNT_COUNT);
        for (uint256 i; i < ACCOUNT_COUNT; ++i) {
            (accounts_[i], amounts_[i]) = (_accounts[i], amounts[i]);
        }
        return RewardTree.build(accounts_, amounts_);
    }

    function _sign(AttributionPool target, uint256 epoch, bytes32 root, uint256 total)
        internal
        view
        returns (bytes[] memory sigs)
    {
        bytes32 digest = target.epochDigest(epoch, root, total, REPORT_HASH, REPORT_URI);
        sigs = new bytes[](_threshold);
        for (uint256 i; i < _threshold; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(_keys[i], digest);
            sigs[i] = abi.encodePacked(r, s, v);
        }
    }

    function _replayOnOtherChain(
        uint256 epoch,
        bytes32 root,
        uint256 total,
        bytes[] memory sigs,
        uint256 seed
    ) internal {
        uint256 chainId = block.chainid;
        vm.chainId(
            _bound(seed, 1, type(uint64).max) == chainId ? chainId + 1 : _bound(seed, 1, type(uint64).max)
        );
        _expectReplayFails(pool, epoch, root, total, sigs);
        vm.chainId(chainId);
    }

    function _replayOnMirror(uint256 epoch, bytes32 root, uint256 total, bytes[] memory sigs) internal {
        _expectReplayFails(mirror, epoch, root, total, sigs);
    }

    function _expectReplayFails(
        AttributionPool target,
        uint256 epoch,
        bytes32 root,
        uint256 total,
        bytes[] memory sigs
    ) internal {
        ++replayAttempts;
        try target.proposeEpoch(epoch, root, total, REPORT_HASH, REPORT_URI, sigs) {
            ++replaysSucceeded;
        } catch (bytes memory err) {
            // forge-lint: disable-next-line(unsafe-typecast) -- the selector is the first four bytes
            bytes4 selector = bytes4(err);
            if (
                selector != IAttributionPool.SignerNotAttestor.selector
                    && selector != IAttributionPool.SignersNotSorted.selector
            ) ++replaysRejectedForOtherReason;
        }
    }
}
