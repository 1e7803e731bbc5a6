// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttributionPool} from "../../contracts/AttributionPool.sol";
import {DatanetToken} from "../../contracts/DatanetToken.sol";
import {ModelRegistry} from "../../contracts/ModelRegistry.sol";
import {IAttributionPool} from "../../contracts/interfaces/IAttributionPool.sol";
import {RewardTree} from "../utils/RewardTree.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

/// @notice Drives an AttributionPool through payments, honest and adversarial epochs (over-summed roots,
/// allocations above what was received, vetoed replays, proposals of an outgoing attestor set, replays on
/// another chain), attestor rotations while an epoch is pending, claims (also from a pending root), owner
/// withdrawals, bounded pauses and guardian replacements. It keeps an exact model of the pool and predicts
/// every call's outcome: an expected revert is asserted with its exact error, an expected success is a plain
/// call; the suite runs with `fail_on_revert`, so any wrong prediction fails the campaign.
contract PoolHandler is CommonBase, StdCheats, StdUtils {
    uint256 public constant ACCOUNT_COUNT = 6;
    uint256 public constant MODEL_COUNT = 2;
    uint256 internal constant BPS = 10_000;
    bytes32 internal constant REPORT_HASH = keccak256("report");
    string internal constant REPORT_URI = "ipfs://report";
    bytes32 internal constant EPOCH_TYPEHASH = keccak256(
        "Epoch(uint64 epoch,uint64 nonce,bytes32 rewardsRoot,uint256 totalAllocated,bytes32 reportHash,string reportURI)"
    );

    AttributionPool public immutable pool;
    DatanetToken public immutable token;
    address public immutable owner;
    address public immutable treasury;
    uint256 public immutable challengePeriod;
    uint256 internal immutable _feeBps;
    address internal immutable _payer = makeAddr("invariantPayer");
    address internal immutable _stranger = makeAddr("invariantStranger");
    address[2] internal _guardians;

    uint256[] internal _allKeys; // every key that may ever attest
    address[ACCOUNT_COUNT] internal _accounts;
    uint256[MODEL_COUNT] internal _modelIds;
    address[MODEL_COUNT] internal _modelOwners;
    uint256[MODEL_COUNT] internal _ownerShares;

    /* MODEL */

    uint256 public received;
    uint256 public fees;
    uint256[MODEL_COUNT] public ownerCredit;
    uint256 public epoch;
    uint64 public nonce;
    uint256 public declared; // totalAllocated of the accepted root
    bytes32 public acceptedRoot;
    uint256[ACCOUNT_COUNT] public acceptedAmount;
    uint256[ACCOUNT_COUNT] public claimed;
    uint256 public claimedTotal;

    bool public hasPending;
    uint256[ACCOUNT_COUNT] internal _pendingAmount;
    uint256 public pendingDeclared;
    bytes32 public pendingRoot;
    uint256 public pendingValidAt;

    uint256[] internal _currentKeys; // sorted by address
    address[] internal _currentListed; // in the order the pool lists them
    uint8 public threshold;
    bool public hasPendingAttestors;
    uint256[] internal _pendingKeys;
    uint8 internal _pendingThreshold;
    uint256 internal _attestorsValidAt;

    uint256 public pausedUntil;
    address public guardian;
    address public pendingGuardian;
    uint256 internal _guardianValidAt;

    /// @dev The last vetoed proposal and a proposal signed by an attestor set that was then rotated out.
    IAttributionPool.Epoch internal _vetoed;
    bytes[] internal _vetoedSigs;
    IAttributionPool.Epoch internal _outgoing;
    bytes[] internal _outgoingSigs;

    /* GHOSTS */

    uint256 public epochsAccepted;
    uint256 public earlyAccepts; // accepts that succeeded before validAt: must stay 0
    uint256 public vetoes;
    uint256 public replaysRefused;
    uint256 public rotations;
    uint256 public discardedByRotation;
    uint256 public claimsPaid;
    uint256 public claimsCapped; // claims refused by the total-allocation cap (over-summed roots)
    uint256 public pausedClaims;

    constructor(
        AttributionPool pool_,
        DatanetToken token_,
        ModelRegistry models,
        uint256[] memory attestorKeys,
        uint256 datanetId
    ) {
        pool = pool_;
        token = token_;
        owner = pool_.owner();
        treasury = pool_.treasury();
        challengePeriod = pool_.challengePeriod();
        _feeBps = pool_.protocolFeeBps();
        guardian = pool_.guardian();
        _guardians = [guardian, makeAddr("secondGuardian")];
        threshold = pool_.threshold();
        for (uint256 i; i < attestorKeys.length; ++i) {
            _allKeys.push(attestorKeys[i]);
            _currentKeys.push(attestorKeys[i]);
        }
        for (uint256 i; i < 3; ++i) {
            (, uint256 key) = makeAddrAndKey(string.concat("spareAttestor", vm.toString(i)));
            _allKeys.push(key);
        }
        _sortByAddress(_currentKeys);
        _currentListed = pool_.attestors();
        for (uint256 i; i < ACCOUNT_COUNT; ++i) {
            _accounts[i] = makeAddr(string.concat("rewardee", vm.toString(i)));
        }
        uint256[] memory ids = new uint256[](1);
        ids[0] = datanetId;
        _ownerShares = [uint256(0), 3_333];
        for (uint256 i; i < MODEL_COUNT; ++i) {
            _modelOwners[i] = makeAddr(string.concat("modelOwner", vm.toString(i)));
            vm.prank(_modelOwners[i]);
            // forge-lint: disable-next-line(unsafe-typecast) -- constants below 10,000
            _modelIds[i] = models.registerModel("", ids, uint16(_ownerShares[i]));
        }
        vm.prank(_payer);
        token_.approve(address(pool_), type(uint256).max);
    }

    /* PAYMENTS */

    function pay(uint256 modelSeed, uint256 amount, bool withURI) public {
        uint256 m = modelSeed % MODEL_COUNT;
        amount = _bound(amount, 1, 1e24);
        token.mint(_payer, amount);
        bool isPaused = _expectPausedIf();
        vm.prank(_payer);
        pool.payForInference(
            _modelIds[m], amount, keccak256(abi.encode(block.timestamp, amount)), withURI ? "ipfs://o" : ""
        );
        if (!isPaused) _credit(m, amount);
    }

    function payBatch(uint256 modelSeed, uint256 count, uint256 amountSeed) external {
        uint256 m = modelSeed % MODEL_COUNT;
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
        bool isPaused = _expectPausedIf();
        vm.prank(_payer);
        pool.payForInferences(_modelIds[m], amounts, ids, "https://app.example/outputs");
        if (!isPaused) {
            for (uint256 i; i < count; ++i) {
                _credit(m, amounts[i]);
            }
        }
    }

    /* EPOCHS */

    /// @dev An honest next epoch: every account's cumulative amount raised by a share of what the pool holds
    /// unallocated; its total is the sum of the leaves.
    function proposeHonest(uint256 seed) public {
        uint256 sum = _sum(acceptedAmount);
        uint256 headroom = received > sum ? received - sum : 0;
        uint256[ACCOUNT_COUNT] memory amounts;
        uint256 total;
        for (uint256 i; i < ACCOUNT_COUNT; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            amounts[i] = acceptedAmount[i] + (r % 3 == 0 ? 0 : _bound(r >> 8, 0, headroom / ACCOUNT_COUNT));
            total += amounts[i];
        }
        _propose(amounts, total, seed);
    }

    /// @dev Malicious attestors: leaves that sum to far more than the declared total (which stays within
    /// what was received). The root goes through; claims beyond the declared total must be refused.
    function proposeOverSummed(uint256 seed) public {
        uint256 headroom = received - declared;
        uint256[ACCOUNT_COUNT] memory amounts;
        for (uint256 i; i < ACCOUNT_COUNT; ++i) {
            amounts[i] = acceptedAmount[i] + headroom / 2 + 1;
        }
        _propose(amounts, declared + _bound(seed, 0, headroom), seed);
    }

    /// @dev A total above everything the contributors' pool received.
    function proposeAboveReceived(uint256 seed) external {
        uint256[ACCOUNT_COUNT] memory amounts = acceptedAmount;
        uint256 total = received + 1 + seed % 1e18;
        uint256 sum = _sum(acceptedAmount);
        if (total > sum) amounts[0] += total - sum;
        _propose(amounts, total, seed);
    }

    /// @dev A root that lowers the total allocated below the accepted one (which would let the cap on claims
    /// fall under what was already claimed).
    function proposeDecreasing(uint256 seed) external {
        if (declared == 0) return;
        uint256[ACCOUNT_COUNT] memory amounts;
        _propose(amounts, seed % declared, seed);
    }

    /// @dev Tries to accept early (must fail with the exact validAt); half the time waits it out first.
    function acceptEpoch(uint256 seed) public {
        if (!hasPending) {
            vm.expectRevert(IAttributionPool.NoPendingEpoch.selector);
            pool.acceptEpoch();
            return;
        }
        if (block.timestamp < pendingValidAt) {
            if (seed % 2 == 0) {
                vm.expectRevert(
                    abi.encodeWithSelector(IAttributionPool.ChallengePeriodNotOver.selector, pendingValidAt)
                );
                pool.acceptEpoch();
                return;
            }
            vm.warp(pendingValidAt + seed % 1 hours);
        }
        vm.prank(_stranger);
        pool.acceptEpoch();
        if (block.timestamp < pendingValidAt) ++earlyAccepts;
        ++epoch;
        declared = pendingDeclared;
        acceptedRoot = pendingRoot;
        acceptedAmount = _pendingAmount;
        hasPending = false;
        ++epochsAccepted;
    }

    function vetoEpoch(uint256 callerSeed) public {
        address caller = callerSeed % 5 == 0 ? _stranger : guardian;
        if (caller != guardian) {
            vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NotGuardian.selector, caller));
        } else if (!hasPending) {
            vm.expectRevert(IAttributionPool.NoPendingEpoch.selector);
        }
        vm.prank(caller);
        pool.vetoEpoch();
        if (caller == guardian && hasPending) {
            hasPending = false;
            ++nonce;
            ++vetoes;
        }
    }

    /// @dev Anyone replays the last vetoed proposal: it must never become pending again.
    function replayVetoed() public {
        if (_vetoedSigs.length == 0) return;
        _replay(_vetoed, _vetoedSigs);
    }

    /// @dev Anyone submits a proposal the outgoing attestor set signed before its rotation landed.
    function replayOutgoing() public {
        if (_outgoingSigs.length == 0) return;
        _replay(_outgoing, _outgoingSigs);
    }

    /// @dev An honest proposal's signatures replayed with another chain id: the domain differs, so the
    /// signers recovered are not attestors.
    function replayOnOtherChain(uint256 seed) external {
        if (hasPending) return;
        uint256 sum = _sum(acceptedAmount);
        if (sum < declared || sum > received) return;
        IAttributionPool.Epoch memory e =
            _epochOf(RewardTree.root(_tree(acceptedAmount)) ^ bytes32(seed), sum);
        if (e.rewardsRoot == bytes32(0)) return;
        bytes[] memory sigs = _sign(e, seed);
        uint256 chainId = block.chainid;
        vm.chainId(chainId + 1 + seed % 1000);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAttributionPool.SignerNotAttestor.selector, 0, ECDSA.recover(_digest(e), sigs[0])
            )
        );
        pool.proposeEpoch(e, sigs);
        vm.chainId(chainId);
        ++replaysRefused;
    }

    /* ATTESTORS */

    function proposeAttestors(uint256 seed) public {
        uint256 count = _bound(seed, 1, 6);
        delete _pendingKeys;
        uint256 start = (seed >> 8) % _allKeys.length;
        for (uint256 i; i < count; ++i) {
            _pendingKeys.push(_allKeys[(start + i) % _allKeys.length]);
        }
        // forge-lint: disable-next-line(unsafe-typecast) -- count <= 6
        _pendingThreshold = uint8(_bound(seed >> 16, 1, count));
        vm.prank(owner);
        pool.proposeAttestors(_addresses(_pendingKeys), _pendingThreshold);
        hasPendingAttestors = true;
        _attestorsValidAt = block.timestamp + challengePeriod;
        // The outgoing set signs a next epoch now and keeps it back for after the rotation.
        uint256 sum = _sum(acceptedAmount);
        IAttributionPool.Epoch memory e = _epochOf(keccak256(abi.encode("outgoing", seed)), sum);
        bytes[] memory sigs = _sign(e, seed);
        _store(_outgoing, _outgoingSigs, e, sigs);
    }

    /// @dev The rotation lands (half the time after waiting for it), possibly while an epoch is pending.
    function acceptAttestors(uint256 seed) public {
        if (!hasPendingAttestors) {
            vm.expectRevert(IAttributionPool.NoPendingAttestors.selector);
        } else if (block.timestamp < _attestorsValidAt) {
            if (seed % 2 == 0) {
                vm.expectRevert(
                    abi.encodeWithSelector(
                        IAttributionPool.ChallengePeriodNotOver.selector, _attestorsValidAt
                    )
                );
            } else {
                vm.warp(_attestorsValidAt);
            }
        }
        bool succeeds = hasPendingAttestors && block.timestamp >= _attestorsValidAt;
        vm.prank(owner);
        pool.acceptAttestors();
        if (!succeeds) return;
        if (hasPending) {
            hasPending = false;
            ++discardedByRotation;
        }
        ++nonce;
        _currentKeys = _pendingKeys;
        _currentListed = _addresses(_pendingKeys);
        _sortByAddress(_currentKeys);
        threshold = _pendingThreshold;
        hasPendingAttestors = false;
        ++rotations;
    }

    function cancelAttestors() external {
        if (!hasPendingAttestors) vm.expectRevert(IAttributionPool.NoPendingAttestors.selector);
        vm.prank(guardian);
        pool.cancelAttestors();
        hasPendingAttestors = false;
    }

    /* CLAIMS */

    function claim(uint256 accountSeed) public {
        uint256 i = accountSeed % ACCOUNT_COUNT;
        bytes32[] memory proof = epoch == 0
            ? new bytes32[](0)
            : RewardTree.proof(_tree(acceptedAmount), _accounts[i], acceptedAmount[i]);
        _claimPredicted(i, acceptedAmount[i], proof);
    }

    /// @dev Claims with a proof from the pending root: refused unless the pending tree equals the accepted one.
    function claimFromPendingRoot(uint256 accountSeed) external {
        if (!hasPending) return;
        uint256 i = accountSeed % ACCOUNT_COUNT;
        _claimPredicted(
            i, _pendingAmount[i], RewardTree.proof(_tree(_pendingAmount), _accounts[i], _pendingAmount[i])
        );
    }

    function withdrawOwnerShare(uint256 ownerSeed) public {
        uint256 m = ownerSeed % MODEL_COUNT;
        address modelOwner = _modelOwners[m];
        if (block.timestamp < pausedUntil) {
            vm.expectRevert(abi.encodeWithSelector(IAttributionPool.PoolPaused.selector, pausedUntil));
        } else if (ownerCredit[m] == 0) {
            vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NothingToWithdraw.selector, modelOwner));
        }
        bool succeeds = block.timestamp >= pausedUntil && ownerCredit[m] != 0;
        vm.prank(modelOwner);
        pool.withdrawOwnerShare(modelOwner);
        if (succeeds) ownerCredit[m] = 0;
    }

    /* GUARDIAN AND PAUSE */

    function pause(uint256 callerSeed) public {
        address caller = callerSeed % 5 == 0 ? _stranger : guardian;
        bool succeeds;
        if (caller != guardian) {
            vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NotGuardian.selector, caller));
        } else if (pausedUntil != 0 && block.timestamp < pausedUntil + 7 days) {
            vm.expectRevert(
                abi.encodeWithSelector(IAttributionPool.PauseCooldown.selector, pausedUntil + 7 days)
            );
        } else {
            succeeds = true;
        }
        vm.prank(caller);
        pool.pause();
        if (succeeds) pausedUntil = block.timestamp + 7 days;
    }

    function unpause(uint256 callerSeed) external {
        address caller = callerSeed % 5 == 0 ? _stranger : guardian;
        bool succeeds;
        if (caller != guardian) {
            vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NotGuardian.selector, caller));
        } else if (block.timestamp >= pausedUntil) {
            vm.expectRevert(IAttributionPool.NotPaused.selector);
        } else {
            succeeds = true;
        }
        vm.prank(caller);
        pool.unpause();
        if (succeeds) pausedUntil = block.timestamp;
    }

    /// @dev The owner proposes the other guardian; the current one tries to cancel it (it cannot).
    function proposeGuardian() external {
        address next = guardian == _guardians[0] ? _guardians[1] : _guardians[0];
        vm.prank(owner);
        pool.proposeGuardian(next);
        pendingGuardian = next;
        _guardianValidAt = block.timestamp + challengePeriod;
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, guardian));
        vm.prank(guardian);
        pool.cancelGuardian();
    }

    function acceptGuardian(uint256 seed) external {
        if (pendingGuardian == address(0)) {
            vm.expectRevert(IAttributionPool.NoPendingGuardian.selector);
        } else if (block.timestamp < _guardianValidAt) {
            if (seed % 2 == 0) {
                vm.expectRevert(
                    abi.encodeWithSelector(IAttributionPool.ChallengePeriodNotOver.selector, _guardianValidAt)
                );
            } else {
                vm.warp(_guardianValidAt);
            }
        }
        bool succeeds = pendingGuardian != address(0) && block.timestamp >= _guardianValidAt;
        vm.prank(_stranger);
        pool.acceptGuardian();
        if (succeeds) {
            guardian = pendingGuardian;
            pendingGuardian = address(0);
        }
    }

    /* SCENARIOS (several steps in one call, so that a short run reaches them) */

    /// @dev An epoch is pending when the attestor rotation lands: it is discarded, and what the outgoing set
    /// signed can no longer be proposed.
    function rotateWhilePending(uint256 seed) external {
        proposeHonest(seed);
        proposeAttestors(seed >> 24);
        acceptAttestors(1); // waits for the rotation's validAt
        replayOutgoing();
        proposeHonest(seed >> 48);
    }

    /// @dev Malicious attestors get an over-summed root accepted; everyone claims; the cap holds.
    function overSummedThenClaimAll(uint256 seed) external {
        if (hasPending) acceptEpoch(1);
        pay(seed, seed >> 16, false);
        proposeOverSummed(seed);
        acceptEpoch(1); // waits for validAt
        for (uint256 i; i < ACCOUNT_COUNT; ++i) {
            claim(i);
        }
    }

    /// @dev A bad root is vetoed, then replayed by anyone, with the guardian then absent for long.
    function vetoThenReplay(uint256 seed) external {
        proposeHonest(seed);
        vetoEpoch(1);
        replayVetoed();
        vm.warp(block.timestamp + 3 * challengePeriod);
        replayVetoed();
        acceptEpoch(1);
    }

    /// @dev The guardian pauses (if its cooldown allows); payments, claims and withdrawals are refused until
    /// the pause expires by itself.
    function pauseThenWaitItOut(uint256 seed) external {
        pause(1);
        claim(seed);
        pay(seed, seed >> 16, true);
        withdrawOwnerShare(seed);
        if (block.timestamp < pausedUntil) vm.warp(pausedUntil);
        claim(seed);
        pay(seed, seed >> 16, true);
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + _bound(seconds_, 0, 2 * challengePeriod));
    }

    /* VIEWS FOR INVARIANTS */

    function accounts() external view returns (address[ACCOUNT_COUNT] memory) {
        return _accounts;
    }

    function modelOwners() external view returns (address[MODEL_COUNT] memory) {
        return _modelOwners;
    }

    function currentAttestors() external view returns (address[] memory) {
        return _currentListed;
    }

    /* PREDICTION */

    /// @dev Proposes `amounts` with `total`, predicting the outcome in the pool's order of checks.
    function _propose(uint256[ACCOUNT_COUNT] memory amounts, uint256 total, uint256 seed) internal {
        bytes32 root = RewardTree.root(_tree(amounts));
        IAttributionPool.Epoch memory e = _epochOf(root, total);
        bytes[] memory sigs = _sign(e, seed);
        bytes memory expected = _predictPropose(e);
        if (expected.length != 0) vm.expectRevert(expected);
        vm.prank(_stranger);
        pool.proposeEpoch(e, sigs);
        if (expected.length != 0) return;
        hasPending = true;
        _pendingAmount = amounts;
        pendingDeclared = total;
        pendingRoot = root;
        pendingValidAt = block.timestamp + challengePeriod;
        _store(_vetoed, _vetoedSigs, e, sigs); // the proposal the guardian may veto next
    }

    /// @dev A replayed proposal: its nonce is always stale by now, whatever else fails first.
    function _replay(IAttributionPool.Epoch storage e, bytes[] storage sigs) internal {
        IAttributionPool.Epoch memory em = e;
        bytes[] memory sigsm = sigs;
        if (!hasPending && em.epoch == epoch + 1 && em.nonce == nonce) return; // not yet stale: not a replay
        bytes memory expected = _predictPropose(em);
        require(expected.length != 0, "a replay was predicted to succeed");
        vm.expectRevert(expected);
        vm.prank(_stranger);
        pool.proposeEpoch(em, sigsm);
        ++replaysRefused;
    }

    function _predictPropose(IAttributionPool.Epoch memory e) internal view returns (bytes memory) {
        if (hasPending) {
            return abi.encodeWithSelector(IAttributionPool.EpochAlreadyPending.selector, epoch + 1);
        }
        if (e.epoch != epoch + 1) {
            return abi.encodeWithSelector(IAttributionPool.UnexpectedEpoch.selector, e.epoch, epoch + 1);
        }
        if (e.nonce != nonce) {
            return abi.encodeWithSelector(IAttributionPool.StaleNonce.selector, e.nonce, nonce);
        }
        if (e.totalAllocated < declared) {
            return
                abi.encodeWithSelector(
                    IAttributionPool.AllocationDecreased.selector, e.totalAllocated, declared
                );
        }
        if (e.totalAllocated > received) {
            return abi.encodeWithSelector(
                IAttributionPool.AllocationExceedsReceived.selector, e.totalAllocated, received
            );
        }
        return "";
    }

    /// @dev Claims `amount` for account `i` with `proof`, predicting the outcome in the pool's order of checks.
    function _claimPredicted(uint256 i, uint256 amount, bytes32[] memory proof) internal {
        address account = _accounts[i];
        bytes memory expected;
        uint256 diff;
        if (block.timestamp < pausedUntil) {
            expected = abi.encodeWithSelector(IAttributionPool.PoolPaused.selector, pausedUntil);
            ++pausedClaims;
        } else if (epoch == 0) {
            expected = abi.encodeWithSelector(IAttributionPool.NoRewardsRoot.selector);
        } else if (!MerkleProof.verify(proof, acceptedRoot, RewardTree.leaf(account, amount))) {
            expected = abi.encodeWithSelector(IAttributionPool.InvalidProof.selector, account, amount);
        } else if (amount < claimed[i]) {
            expected = abi.encodeWithSelector(
                IAttributionPool.CumulativeAmountDecreased.selector, account, amount, claimed[i]
            );
        } else if (amount == claimed[i]) {
            expected =
                abi.encodeWithSelector(IAttributionPool.NothingToClaim.selector, account, amount, amount);
        } else {
            diff = amount - claimed[i];
            if (claimedTotal + diff > declared) {
                expected = abi.encodeWithSelector(
                    IAttributionPool.AllocationExceeded.selector, diff, claimedTotal, declared
                );
                ++claimsCapped;
            }
        }
        if (expected.length != 0) vm.expectRevert(expected);
        vm.prank(_stranger); // anyone may claim for an account; funds go to the account
        uint256 paid = pool.claim(account, amount, proof);
        if (expected.length != 0) return;
        require(paid == diff, "claim paid another amount");
        claimed[i] = amount;
        claimedTotal += diff;
        ++claimsPaid;
    }

    /* INTERNAL */

    function _expectPausedIf() internal returns (bool isPaused) {
        isPaused = block.timestamp < pausedUntil;
        if (isPaused) {
            vm.expectRevert(abi.encodeWithSelector(IAttributionPool.PoolPaused.selector, pausedUntil));
        }
    }

    function _credit(uint256 m, uint256 amount) internal {
        uint256 fee = amount * _feeBps / BPS;
        uint256 ownerShare = (amount - fee) * _ownerShares[m] / BPS;
        fees += fee;
        ownerCredit[m] += ownerShare;
        received += amount - fee - ownerShare;
    }

    function _epochOf(bytes32 root, uint256 total) internal view returns (IAttributionPool.Epoch memory) {
        return IAttributionPool.Epoch({
            // forge-lint: disable-next-line(unsafe-typecast) -- epochs are small in a campaign
            epoch: uint64(epoch + 1),
            nonce: nonce,
            rewardsRoot: root,
            totalAllocated: total,
            reportHash: REPORT_HASH,
            reportURI: REPORT_URI
        });
    }

    /// @dev The EIP-712 digest computed here, not by the pool, so a wrong `epochDigest` cannot hide itself.
    function _digest(IAttributionPool.Epoch memory e) internal view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("AttributionPool"),
                keccak256("2"),
                block.chainid,
                address(pool)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                EPOCH_TYPEHASH,
                e.epoch,
                e.nonce,
                e.rewardsRoot,
                e.totalAllocated,
                e.reportHash,
                keccak256(bytes(e.reportURI))
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    /// @dev Signatures of between `threshold` and all current attestors (chosen by `seed`), sorted by signer.
    function _sign(IAttributionPool.Epoch memory e, uint256 seed)
        internal
        view
        returns (bytes[] memory sigs)
    {
        uint256 n = _currentKeys.length;
        uint256 count = _bound(seed >> 32, threshold, n);
        uint256 skip = n - count; // drop `skip` signers, starting at a seeded position, keeping the order
        uint256 from = (seed >> 64) % n;
        bytes32 digest = _digest(e);
        sigs = new bytes[](count);
        uint256 k;
        for (uint256 i; i < n; ++i) {
            bool dropped = skip != 0 && ((i + n - from) % n) < skip;
            if (dropped) continue;
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(_currentKeys[i], digest);
            sigs[k++] = abi.encodePacked(r, s, v);
        }
    }

    function _store(
        IAttributionPool.Epoch storage slot_,
        bytes[] storage sigSlot,
        IAttributionPool.Epoch memory e,
        bytes[] memory sigs
    ) internal {
        slot_.epoch = e.epoch;
        slot_.nonce = e.nonce;
        slot_.rewardsRoot = e.rewardsRoot;
        slot_.totalAllocated = e.totalAllocated;
        slot_.reportHash = e.reportHash;
        slot_.reportURI = e.reportURI;
        while (sigSlot.length != 0) sigSlot.pop();
        for (uint256 i; i < sigs.length; ++i) {
            sigSlot.push(sigs[i]);
        }
    }

    function _tree(uint256[ACCOUNT_COUNT] memory amounts) internal view returns (bytes32[] memory) {
        address[] memory accounts_ = new address[](ACCOUNT_COUNT);
        uint256[] memory amounts_ = new uint256[](ACCOUNT_COUNT);
        for (uint256 i; i < ACCOUNT_COUNT; ++i) {
            (accounts_[i], amounts_[i]) = (_accounts[i], amounts[i]);
        }
        return RewardTree.build(accounts_, amounts_);
    }

    function _sum(uint256[ACCOUNT_COUNT] memory amounts) internal pure returns (uint256 sum) {
        for (uint256 i; i < ACCOUNT_COUNT; ++i) {
            sum += amounts[i];
        }
    }

    function _addresses(uint256[] memory keys) internal pure returns (address[] memory addrs) {
        addrs = new address[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            addrs[i] = vm.addr(keys[i]);
        }
    }

    function _sortByAddress(uint256[] storage keys) internal {
        for (uint256 i = 1; i < keys.length; ++i) {
            for (uint256 j = i; j > 0 && vm.addr(keys[j]) < vm.addr(keys[j - 1]); --j) {
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
    }
}
