// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttributionPool} from "../contracts/AttributionPool.sol";
import {IAttributionPool} from "../contracts/interfaces/IAttributionPool.sol";
import {IDatanetRegistry} from "../contracts/interfaces/IDatanetRegistry.sol";
import {Fixture} from "./utils/Fixture.sol";
import {RewardTree} from "./utils/RewardTree.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Vm} from "forge-std/Vm.sol";

/// @notice The attacks of issue 8, each played as the attacker would, against v2. Each test says why it
/// succeeded against v1 (commit d9f83bf..f314452): there, the attack worked or the call did not exist.
contract AttacksTest is Fixture {
    bytes32 internal constant FILE = keccak256("victim's file");
    string internal constant VICTIM_URI = "https://alice.example/corpus/file.txt";
    bytes32 internal constant ROOT = keccak256("bad root");

    address internal watcher = makeAddr("watcher");
    address internal squatter = makeAddr("squatter");
    address internal squatterTwin = makeAddr("squatterTwin");

    function setUp() public override {
        super.setUp();
        _fund(watcher, 1_000e18);
        _fund(squatter, 1_000e18);
        _fund(squatterTwin, 1_000e18);
    }

    /* FRONT-RUNNING A CONTRIBUTION */

    /// v1: `contribute(datanetId, hash, uri)` carried the hash and URI; the watcher's copy became the
    /// contributor of record. v2: the commit carries only a hash bound to Alice; the copy is worthless.
    function test_attack_frontRunCopiedCommit_copierGainsNothing() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(FILE, VICTIM_URI);
        bytes32 commitment = _commitmentOf(alice, datanetId, items, _salt(alice));

        // The watcher copies Alice's pending commit calldata and gets it mined first.
        vm.prank(watcher);
        registry.commit(commitment);
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.CommitmentExists.selector, commitment, block.timestamp)
        );
        vm.prank(alice);
        registry.commit(commitment);

        // The commitment it recorded only Alice can reveal: her reveal works; the watcher's copy of it fails.
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        _expectCommitmentNotFound(watcher, items);
        vm.prank(watcher);
        registry.reveal(datanetId, items, _salt(alice));
        bytes32 id = _reveal(alice, datanetId, items)[0];
        assertEq(registry.getContribution(id).contributor, alice);
        assertEq(token.balanceOf(watcher), 1_000e18);
    }

    /// v1: the watcher resent `contribute` with the same arguments and a higher tip and took the file
    /// (6 of 6 files through the CLI). v2: a reveal recomputes the commitment from its sender.
    function test_attack_frontRunCopiedReveal_failsFromAnotherAccount() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(FILE, VICTIM_URI);
        _commit(alice, datanetId, items, _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);

        // Alice's reveal is in the mempool; the watcher sends the same calldata first.
        _expectCommitmentNotFound(watcher, items);
        vm.prank(watcher);
        registry.reveal(datanetId, items, _salt(alice));

        bytes32 id = _reveal(alice, datanetId, items)[0];
        assertEq(registry.getContribution(id).contributor, alice);
    }

    /// The one-item reveal (`revealOne`, what the CLI sends for a single file) is just as bound to its sender:
    /// the copied calldata fails, and a watcher who commits only after seeing the reveal is displaced.
    function test_attack_frontRunCopiedRevealOne_failsAndLaterCopyIsDisplaced() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(FILE, VICTIM_URI);
        _commit(alice, datanetId, items, _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);

        _expectCommitmentNotFound(watcher, items);
        vm.prank(watcher);
        registry.revealOne(datanetId, FILE, VICTIM_URI, _salt(alice));

        // The watcher commits to the file it saw and reveals while Alice's reveal is stuck.
        _commit(watcher, datanetId, items, _salt(watcher));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        vm.prank(watcher);
        registry.revealOne(datanetId, FILE, VICTIM_URI, _salt(watcher));
        bytes32 id = registry.contributionIdOf(datanetId, FILE);
        assertEq(registry.getContribution(id).contributor, watcher);

        vm.prank(alice);
        registry.revealOne(datanetId, FILE, VICTIM_URI, _salt(alice));
        assertEq(registry.getContribution(id).contributor, alice);
        assertEq(token.balanceOf(watcher), 1_000e18, "the watcher only gets its bond back");
    }

    /// v1: registration order was the only order, so whoever's transaction landed first owned the file.
    /// v2: originality is the commit's order: the watcher's later commitment is displaced when Alice's stuck
    /// reveal lands, and the watcher only gets its bond back.
    function test_attack_watcherCommitsAndRevealsWhileRevealStuck_isDisplacedByEarlierCommit() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(FILE, VICTIM_URI);
        _commit(alice, datanetId, items, _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);

        // Alice's reveal sits in the mempool (tip too low). The watcher reads the hash and URI from it,
        // commits to them, waits the minimum age and reveals first.
        _commit(watcher, datanetId, items, _salt(watcher));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        bytes32 id = _reveal(watcher, datanetId, items)[0];
        assertEq(registry.getContribution(id).contributor, watcher);

        // Hours later Alice's reveal is mined: her earlier commitment takes the contribution over.
        vm.warp(block.timestamp + 5 hours);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Displaced(id, watcher, alice);
        _reveal(alice, datanetId, items);

        assertEq(registry.getContribution(id).contributor, alice);
        assertEq(token.balanceOf(watcher), 1_000e18);
        _review(id, true);
        assertEq(registry.reputationOf(datanetId, alice).accepted, 1);
        assertEq(registry.reputationOf(datanetId, watcher).accepted, 0);
    }

    /// v1: no commitments; `finalize` made the first registration final. v2 (with the finalize rule of
    /// this change): on a datanet whose review period is shorter than the maximum commitment age, the
    /// watcher cannot finalize its copy while Alice's earlier commitment can still be revealed.
    function test_attack_watcherFinalizesCopyBeforeStuckRevealLands_cannot() public {
        uint256 quick = _createDatanet(0, 0); // no bond, no review period
        IDatanetRegistry.ContributionInput[] memory items = _items(FILE, VICTIM_URI);
        _commit(alice, quick, items, _salt(alice));
        uint256 aliceCommittedAt = block.timestamp;
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);

        _commit(watcher, quick, items, _salt(watcher));
        uint256 watcherCommittedAt = block.timestamp;
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        bytes32 id = _reveal(watcher, quick, items)[0];
        vm.warp(block.timestamp + 1);
        uint256 deadline = watcherCommittedAt + MAX_COMMITMENT_AGE;
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.ReviewPeriodNotOver.selector, id, deadline));
        registry.finalize(id);

        // Alice's reveal lands at the last second of her commitment's life, and still wins.
        vm.warp(aliceCommittedAt + MAX_COMMITMENT_AGE);
        _reveal(alice, quick, items);
        assertEq(registry.getContribution(id).contributor, alice);
    }

    /* SQUATTER VS. A REJECT */

    /// v1: the squatter saw the curator's reject in the mempool, called `withdraw` first and got its bond
    /// back. v2: there is no withdraw; the reject slashes.
    function test_attack_squatterWithdrawsBeforeReject_noWithdrawExists() public {
        bytes32 id = _contributeIn(squatter, datanetId, FILE, VICTIM_URI);

        // The v1 escape hatch is gone from the ABI.
        vm.prank(squatter);
        (bool ok,) = address(registry).call(abi.encodeWithSignature("withdraw(bytes32)", id));
        assertFalse(ok);

        _review(id, false);
        assertEq(token.balanceOf(squatter), 1_000e18 - BOND);
        assertEq(token.balanceOf(treasury), BOND);
        assertEq(registry.reputationOf(datanetId, squatter).rejected, 1);
    }

    /// v1: `withdraw` dodged the slash. v2: a squatter holding an earlier commitment in a second account
    /// can displace its own pending contribution in front of the reject, but the reject hits the
    /// contribution id, whoever holds it, and the review period restarted: together they lose one bond.
    function test_attack_squatterDisplacesItselfBeforeReject_stillSlashedOnce() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(FILE, VICTIM_URI);
        _commit(squatterTwin, datanetId, items, _salt(squatterTwin)); // the earlier commitment, kept back
        vm.warp(block.timestamp + 1 minutes);
        bytes32 id = _contributeIn(squatter, datanetId, FILE, VICTIM_URI);

        // The curator sends a reject; the squatter sees it in the mempool and front-runs it.
        vm.warp(block.timestamp + 2 hours);
        _reveal(squatterTwin, datanetId, items);
        _review(id, false);

        assertEq(token.balanceOf(squatter) + token.balanceOf(squatterTwin), 2 * 1_000e18 - BOND);
        assertEq(token.balanceOf(treasury), BOND);
        assertEq(token.balanceOf(address(registry)), 0);
        assertEq(
            registry.reputationOf(datanetId, squatter).rejected
                + registry.reputationOf(datanetId, squatterTwin).rejected,
            1
        );
    }

    /* VETOES */

    /// v1: anyone could resend the vetoed `proposeEpoch` calldata right after the veto; the root became
    /// pending again and went live the first time the guardian missed a challenge period. v2: every veto
    /// advances the proposal nonce signed into the epoch.
    function test_attack_replayVetoedProposal_failsWithStaleNonce() public {
        _payContributors(1_000e18);
        IAttributionPool.Epoch memory bad = _epoch(pool, 1, ROOT, 1_000e18);
        bytes[] memory sigs = _epochSigs(pool, bad);
        pool.proposeEpoch(bad, sigs);
        vm.prank(guardian);
        pool.vetoEpoch();

        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.StaleNonce.selector, 0, 1));
        pool.proposeEpoch(bad, sigs);

        // Even after the guardian's attention lapses for longer than a challenge period.
        vm.warp(block.timestamp + 10 * CHALLENGE_PERIOD);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.StaleNonce.selector, 0, 1));
        pool.proposeEpoch(bad, sigs);
        assertEq(pool.pendingEpoch().validAt, 0);
        assertEq(pool.currentEpoch(), 0);
    }

    /* ATTESTOR ROTATION */

    /// v1: signatures of the outgoing set stayed valid for anyone the new set kept, and a proposal signed
    /// before the rotation could be submitted after it. v2: the rotation advances the proposal nonce.
    function test_attack_proposalSignedByOutgoingSetSubmittedAfterRotation_fails() public {
        _payContributors(1_000e18);
        // The outgoing set (attestors 0..4, 3 of 5) signs an epoch and keeps it back.
        IAttributionPool.Epoch memory old = _epoch(pool, 1, ROOT, 1_000e18);
        bytes[] memory sigs = _epochSigs(pool, old);

        // The new set keeps attestors 0, 1 and 2 (so the signatures still come from attestors) and adds one.
        address[] memory next = new address[](4);
        (next[0], next[1], next[2], next[3]) =
        (attestorAddrs[0], attestorAddrs[1], attestorAddrs[2], stranger);
        vm.prank(poolOwner);
        pool.proposeAttestors(next, 3);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        vm.prank(poolOwner);
        pool.acceptAttestors();

        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.StaleNonce.selector, 0, 1));
        pool.proposeEpoch(old, sigs);
    }

    /// v1: an epoch proposed by the outgoing set just before the rotation stayed pending and was accepted
    /// after it. v2: accepting the rotation discards it.
    function test_attack_pendingEpochOfOutgoingSetAcceptedAfterRotation_fails() public {
        _payContributors(1_000e18);
        vm.prank(poolOwner);
        pool.proposeAttestors(_keysAsAddresses(2), 2);
        // Just before the rotation lands, the outgoing set proposes.
        vm.warp(block.timestamp + CHALLENGE_PERIOD - 1);
        _propose(1, ROOT, 1_000e18);
        vm.warp(block.timestamp + 1);
        vm.prank(poolOwner);
        pool.acceptAttestors();

        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        vm.expectRevert(IAttributionPool.NoPendingEpoch.selector);
        pool.acceptEpoch();
        assertEq(pool.currentEpoch(), 0);
    }

    /* CHALLENGE PERIOD */

    /// v1: a challenge period of 0 was accepted, so a root could be proposed and accepted in one block,
    /// leaving the guardian no time to veto. v2: the constructor refuses it.
    function test_attack_deployWithZeroChallengePeriod_fails() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAttributionPool.InvalidChallengePeriod.selector, 0, 1 hours, 30 days)
        );
        new AttributionPool(_config(address(token), 0));
    }

    /// v1: a huge challenge period was accepted; `block.timestamp + challengePeriod` then overflowed uint64
    /// and every proposal reverted forever. v2: the constructor refuses it.
    function test_attack_deployWithHugeChallengePeriod_fails() public {
        uint64 huge = type(uint64).max - uint64(block.timestamp) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IAttributionPool.InvalidChallengePeriod.selector, huge, 1 hours, 30 days)
        );
        new AttributionPool(_config(address(token), huge));
    }

    /* GUARDIAN */

    /// v1: the guardian was immutable: a lost or stolen key could never be replaced. v2: the owner replaces
    /// it through a delayed two-step change, and nothing the old guardian does can stop it.
    function test_attack_oldGuardianCannotBlockItsReplacement() public {
        address newGuardian = makeAddr("newGuardian");
        vm.prank(poolOwner);
        pool.proposeGuardian(newGuardian);

        // The stolen guardian key tries everything within its reach.
        vm.startPrank(guardian);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, guardian));
        pool.cancelGuardian();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, guardian));
        pool.proposeGuardian(guardian);
        pool.pause();
        vm.expectRevert(
            abi.encodeWithSelector(
                IAttributionPool.ChallengePeriodNotOver.selector, block.timestamp + CHALLENGE_PERIOD
            )
        );
        pool.acceptGuardian();
        vm.stopPrank();

        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        vm.prank(stranger);
        pool.acceptGuardian();
        assertEq(pool.guardian(), newGuardian);

        // The new guardian ends the old one's pause; the old key is powerless.
        vm.prank(newGuardian);
        pool.unpause();
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NotGuardian.selector, guardian));
        vm.prank(guardian);
        pool.pause();
        _pay(1e18);
    }

    /* PAUSE */

    /// v1: `setPaused(true)` lasted until the guardian said otherwise: forever with a lost or hostile key.
    /// v2: a pause expires after MAX_PAUSE_DURATION, cannot be extended, and cannot be renewed before
    /// PAUSE_COOLDOWN: a hostile guardian pausing at every chance still leaves claims open half the time.
    function test_attack_guardianPausesForever_pauseExpiresWithCooldown() public {
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 100e18, bob, 100e18);
        bytes32[] memory tree = _publishTree(accounts, amounts);

        uint256 start = block.timestamp;
        uint256 pausedSeconds;
        uint256 claimsMade;
        // The hostile guardian tries to pause every hour for 60 days; Alice claims whenever she can.
        for (uint256 hour; hour < 60 * 24; ++hour) {
            vm.warp(start + hour * 1 hours);
            vm.prank(guardian);
            try pool.pause() {} catch {}
            if (pool.paused()) {
                pausedSeconds += 1 hours;
            } else if (claimsMade == 0) {
                pool.claim(alice, 100e18, RewardTree.proof(tree, alice, 100e18));
                ++claimsMade;
            }
        }
        assertEq(claimsMade, 1);
        assertLe(pausedSeconds, 60 days / 2 + 7 days);
        assertLe(pool.pausedUntil(), block.timestamp + 7 days);
    }

    /* REPUTATION */

    /// v1: one global counter per account: 20 self-accepted contributions in a self-owned, bond-free datanet
    /// looked the same as 20 accepted by a bonded, independently curated one. v2: reputation is per datanet,
    /// and the datanet shows its owner and its bond.
    function test_attack_farmReputationInSelfCuratedBondFreeDatanet_isVisibleAsSuch() public {
        vm.prank(squatter);
        uint256 farm = registry.createDatanet("ipfs://farm", 0, 0);
        IDatanetRegistry.ContributionInput[] memory junk = _manyItems("junk", 20, "ipfs://junk");
        _commit(squatter, farm, junk, _salt(squatter));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        bytes32[] memory ids = _reveal(squatter, farm, junk);
        vm.prank(squatter);
        registry.reviewBatch(ids, true);

        assertEq(registry.reputationOf(farm, squatter).accepted, 20);
        assertEq(registry.reputationOf(datanetId, squatter).accepted, 0);
        IDatanetRegistry.Datanet memory d = registry.getDatanet(farm);
        assertEq(d.owner, squatter);
        assertEq(d.bond, 0);
    }

    /* GASLESS REVEAL */

    /// v1: `contributeWithSig` signed the URI too, but the signed item itself was front-runnable (hash and
    /// URI in the mempool). v2: the relayer cannot change the URIs Alice signed.
    function test_attack_gaslessRevealWithAlteredURIs_fails() public {
        (address signer, uint256 key) = makeAddrAndKey("gaslessSigner");
        _fund(signer, BOND);
        IDatanetRegistry.ContributionInput[] memory items = _items(FILE, VICTIM_URI);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _commitAndSignReveal(signer, key, items, deadline);

        // The relayer points the contribution at its own server.
        IDatanetRegistry.ContributionInput[] memory altered = _items(FILE, "https://relayer.example/file.txt");
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, signer));
        vm.prank(watcher);
        registry.revealWithSig(signer, datanetId, altered, _salt(signer), deadline, sig);

        vm.prank(watcher);
        bytes32 id = registry.revealWithSig(signer, datanetId, items, _salt(signer), deadline, sig)[0];
        assertEq(registry.getContribution(id).contributor, signer);
    }

    /// v1: replay was stopped by the nonce too; v2 keeps it with commit-reveal: re-recording the consumed
    /// commitment and replaying the signature fails on the used nonce.
    function test_attack_gaslessRevealReplayedSignature_fails() public {
        (address signer, uint256 key) = makeAddrAndKey("gaslessSigner");
        _fund(signer, 2 * BOND);
        IDatanetRegistry.ContributionInput[] memory items = _items(FILE, VICTIM_URI);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _commitAndSignReveal(signer, key, items, deadline);
        bytes32 id = registry.revealWithSig(signer, datanetId, items, _salt(signer), deadline, sig)[0];
        // The contribution is rejected, so its hash is free again; the attacker re-records the commitment.
        _review(id, false);
        vm.prank(watcher);
        registry.commit(_commitmentOf(signer, datanetId, items, _salt(signer)));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);

        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, signer));
        vm.prank(watcher);
        registry.revealWithSig(signer, datanetId, items, _salt(signer), deadline, sig);
        assertEq(token.balanceOf(signer), BOND);
    }

    /// v1 had the same deadline check; v2 keeps it on the gasless reveal.
    function test_attack_gaslessRevealAfterDeadline_fails() public {
        (address signer, uint256 key) = makeAddrAndKey("gaslessSigner");
        _fund(signer, BOND);
        IDatanetRegistry.ContributionInput[] memory items = _items(FILE, VICTIM_URI);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _commitAndSignReveal(signer, key, items, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.SignatureExpired.selector, deadline));
        vm.prank(watcher);
        registry.revealWithSig(signer, datanetId, items, _salt(signer), deadline, sig);
    }

    /* DUST PAYMENTS */

    /// v1: a 1-wei payment for an output nobody published was accepted with nothing on chain saying where
    /// outputs live, and `datanet attribute` failed on it. v2: the chain still accepts it (anyone may pay),
    /// but the payment names its outputs URI in the same transaction, so attestors list the missing output
    /// in the report and leave its share unallocated.
    function test_attack_dustPaymentForUnknownOutput_acceptedAndEmittedWithOutputsURI() public {
        bytes32 unknown = keccak256("an output nobody has");
        uint256 received = pool.contributorsReceived();
        vm.recordLogs();
        vm.prank(payer);
        pool.payForInference(modelId, 1, unknown, "https://attacker.example/nothing-here");
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertEq(pool.contributorsReceived(), received + 1);
        bool published;
        bool paid;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(pool)) continue;
            if (logs[i].topics[0] == IAttributionPool.OutputsPublished.selector) {
                assertFalse(paid); // the URI comes first
                assertEq(abi.decode(logs[i].data, (string)), "https://attacker.example/nothing-here");
                published = true;
            } else if (logs[i].topics[0] == IAttributionPool.InferencePaid.selector) {
                assertEq(logs[i].topics[1], unknown);
                (uint256 amount,,, uint256 contributorShare) =
                    abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
                assertEq(amount, 1);
                assertEq(contributorShare, 1);
                paid = true;
            }
        }
        assertTrue(published && paid);
        // The unallocated wei never stops an epoch: the next root simply does not allocate it.
        _publish(keccak256("root without the dust"), 0);
        assertEq(pool.currentEpoch(), 1);
    }

    /* HELPERS */

    function _expectCommitmentNotFound(address revealer, IDatanetRegistry.ContributionInput[] memory items)
        internal
    {
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatanetRegistry.CommitmentNotFound.selector,
                _commitmentOf(revealer, datanetId, items, _salt(alice))
            )
        );
    }

    /// @dev A relayer commits for `signer`; after the minimum age `signer` signs the reveal.
    function _commitAndSignReveal(
        address signer,
        uint256 key,
        IDatanetRegistry.ContributionInput[] memory items,
        uint256 deadline
    ) internal returns (bytes memory) {
        bytes32 commitment = _commitmentOf(signer, datanetId, items, _salt(signer));
        vm.prank(watcher);
        registry.commit(commitment);
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        return _sign(
            key,
            registry.revealDigest(
                signer, datanetId, commitment, _urisHash(items), registry.nonces(signer), deadline
            )
        );
    }

    function _keysAsAddresses(uint256 count) internal returns (address[] memory set) {
        set = new address[](count);
        for (uint256 i; i < count; ++i) {
            set[i] = makeAddr(string.concat("nextAttestor", vm.toString(i)));
        }
    }
}
