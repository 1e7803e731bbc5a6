// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttributionPool} from "../contracts/AttributionPool.sol";
import {IAttributionPool} from "../contracts/interfaces/IAttributionPool.sol";
import {CallbackToken, Reenterer} from "./mocks/CallbackToken.sol";
import {FeeOnTransferToken} from "./mocks/FeeOnTransferToken.sol";
import {Fixture} from "./utils/Fixture.sol";
import {RewardTree} from "./utils/RewardTree.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Vm} from "forge-std/Vm.sol";

contract AttributionPoolTest is Fixture {
    bytes32 internal constant INFERENCE = keccak256("the output text");
    bytes32 internal constant ROOT = keccak256("root");

    /* CONSTRUCTOR */

    function test_constructor_setsConfiguration() public view {
        assertEq(pool.token(), address(token));
        assertEq(pool.modelRegistry(), address(models));
        assertEq(pool.treasury(), treasury);
        assertEq(pool.guardian(), guardian);
        assertEq(pool.owner(), poolOwner);
        assertEq(pool.protocolFeeBps(), FEE_BPS);
        assertEq(pool.challengePeriod(), CHALLENGE_PERIOD);
        assertEq(pool.attestors(), attestorAddrs);
        assertEq(pool.threshold(), THRESHOLD);
        for (uint256 i; i < ATTESTOR_COUNT; ++i) {
            assertTrue(pool.isAttestor(attestorAddrs[i]));
        }
        assertFalse(pool.isAttestor(stranger));
        assertEq(pool.currentEpoch(), 0);
        assertEq(pool.rewardsRoot(), bytes32(0));
        assertEq(pool.totalAllocated(), 0);
        assertEq(pool.totalClaimed(), 0);
        assertEq(pool.contributorsReceived(), 0);
        assertEq(pool.pendingEpoch().validAt, 0);
        assertEq(pool.pendingAttestors().validAt, 0);
        assertEq(pool.proposalNonce(), 0);
        (address pendingGuardian, uint64 guardianValidAt) = pool.pendingGuardian();
        assertEq(pendingGuardian, address(0));
        assertEq(guardianValidAt, 0);
        assertFalse(pool.paused());
        assertEq(pool.pausedUntil(), 0);
        assertEq(pool.MAX_ATTESTORS(), 32);
        assertEq(pool.MIN_CHALLENGE_PERIOD(), 1 hours);
        assertEq(pool.MAX_CHALLENGE_PERIOD(), 30 days);
        assertEq(pool.MAX_PAUSE_DURATION(), 7 days);
        assertEq(pool.PAUSE_COOLDOWN(), 7 days);
        assertEq(
            pool.EPOCH_TYPEHASH(),
            keccak256(
                "Epoch(uint64 epoch,uint64 nonce,bytes32 rewardsRoot,uint256 totalAllocated,bytes32 reportHash,string reportURI)"
            )
        );
    }

    function test_constructor_emitsGuardianAndAttestorsChanged() public {
        address expected = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        vm.expectEmit(expected);
        emit IAttributionPool.GuardianChanged(address(0), guardian);
        vm.expectEmit(expected);
        emit IAttributionPool.AttestorsChanged(attestorAddrs, THRESHOLD);
        new AttributionPool(_config(address(token), CHALLENGE_PERIOD));
    }

    function test_constructor_acceptsChallengePeriodBounds() public {
        assertEq(new AttributionPool(_config(address(token), 1 hours)).challengePeriod(), 1 hours);
        assertEq(new AttributionPool(_config(address(token), 30 days)).challengePeriod(), 30 days);
    }

    function test_constructor_revertsWhen_challengePeriodBelowMinimum() public {
        _expectConstructorRevert(
            _config(address(token), 1 hours - 1),
            abi.encodeWithSelector(
                IAttributionPool.InvalidChallengePeriod.selector, 1 hours - 1, 1 hours, 30 days
            )
        );
    }

    function test_constructor_revertsWhen_challengePeriodAboveMaximum() public {
        _expectConstructorRevert(
            _config(address(token), 30 days + 1),
            abi.encodeWithSelector(
                IAttributionPool.InvalidChallengePeriod.selector, 30 days + 1, 1 hours, 30 days
            )
        );
    }

    function testFuzz_constructor_acceptsExactlyBoundedChallengePeriods(uint64 period) public {
        bool valid = period >= 1 hours && period <= 30 days;
        if (!valid) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IAttributionPool.InvalidChallengePeriod.selector, period, 1 hours, 30 days
                )
            );
        }
        AttributionPool p = new AttributionPool(_config(address(token), period));
        if (valid) assertEq(p.challengePeriod(), period);
    }

    function test_constructor_revertsWhen_tokenZero() public {
        _expectConstructorRevert(
            _config(address(0), CHALLENGE_PERIOD),
            abi.encodeWithSelector(IAttributionPool.ZeroAddress.selector)
        );
    }

    function test_constructor_revertsWhen_modelRegistryZero() public {
        IAttributionPool.Config memory c = _config(address(token), CHALLENGE_PERIOD);
        c.modelRegistry = address(0);
        _expectConstructorRevert(c, abi.encodeWithSelector(IAttributionPool.ZeroAddress.selector));
    }

    function test_constructor_revertsWhen_treasuryZero() public {
        IAttributionPool.Config memory c = _config(address(token), CHALLENGE_PERIOD);
        c.treasury = address(0);
        _expectConstructorRevert(c, abi.encodeWithSelector(IAttributionPool.ZeroAddress.selector));
    }

    function test_constructor_revertsWhen_guardianZero() public {
        IAttributionPool.Config memory c = _config(address(token), CHALLENGE_PERIOD);
        c.guardian = address(0);
        _expectConstructorRevert(c, abi.encodeWithSelector(IAttributionPool.ZeroAddress.selector));
    }

    function test_constructor_revertsWhen_ownerZero() public {
        IAttributionPool.Config memory c = _config(address(token), CHALLENGE_PERIOD);
        c.owner = address(0);
        _expectConstructorRevert(c, abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
    }

    function test_constructor_revertsWhen_feeAbove100Percent() public {
        IAttributionPool.Config memory c = _config(address(token), CHALLENGE_PERIOD);
        c.protocolFeeBps = 10_001;
        _expectConstructorRevert(c, abi.encodeWithSelector(IAttributionPool.BpsTooLarge.selector, 10_001));
    }

    function test_constructor_revertsWhen_noAttestors() public {
        IAttributionPool.Config memory c = _config(address(token), CHALLENGE_PERIOD);
        c.attestors = new address[](0);
        c.threshold = 1;
        _expectConstructorRevert(
            c, abi.encodeWithSelector(IAttributionPool.InvalidAttestorSet.selector, 0, 1, 32)
        );
    }

    function test_constructor_revertsWhen_tooManyAttestors() public {
        IAttributionPool.Config memory c = _config(address(token), CHALLENGE_PERIOD);
        c.attestors = new address[](33);
        for (uint256 i; i < 33; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast) -- i < 33
            c.attestors[i] = address(uint160(i + 1));
        }
        _expectConstructorRevert(
            c, abi.encodeWithSelector(IAttributionPool.InvalidAttestorSet.selector, 33, 3, 32)
        );
    }

    function test_constructor_revertsWhen_thresholdZero() public {
        IAttributionPool.Config memory c = _config(address(token), CHALLENGE_PERIOD);
        c.threshold = 0;
        _expectConstructorRevert(
            c, abi.encodeWithSelector(IAttributionPool.InvalidAttestorSet.selector, 5, 0, 32)
        );
    }

    function test_constructor_revertsWhen_thresholdAboveAttestorCount() public {
        IAttributionPool.Config memory c = _config(address(token), CHALLENGE_PERIOD);
        c.threshold = 6;
        _expectConstructorRevert(
            c, abi.encodeWithSelector(IAttributionPool.InvalidAttestorSet.selector, 5, 6, 32)
        );
    }

    function test_constructor_revertsWhen_attestorZero() public {
        IAttributionPool.Config memory c = _config(address(token), CHALLENGE_PERIOD);
        c.attestors[2] = address(0);
        _expectConstructorRevert(c, abi.encodeWithSelector(IAttributionPool.ZeroAddress.selector));
    }

    function test_constructor_revertsWhen_duplicateAttestor() public {
        IAttributionPool.Config memory c = _config(address(token), CHALLENGE_PERIOD);
        c.attestors[3] = c.attestors[1];
        _expectConstructorRevert(
            c, abi.encodeWithSelector(IAttributionPool.DuplicateAttestor.selector, attestorAddrs[1])
        );
    }

    /* PAY FOR INFERENCE */

    function test_payForInference_splitsFeeOwnerShareAndContributors() public {
        // fee 5% = 5; owner 20% of the remaining 95 = 19; contributors 76.
        vm.expectEmit(address(pool));
        emit IAttributionPool.InferencePaid(INFERENCE, modelId, payer, 100e18, 5e18, 19e18, 76e18);
        vm.prank(payer);
        pool.payForInference(modelId, 100e18, INFERENCE, "");

        assertEq(token.balanceOf(treasury), 5e18);
        assertEq(token.balanceOf(address(pool)), 95e18);
        assertEq(token.balanceOf(payer), 1_000_000e18 - 100e18);
        assertEq(pool.ownerCredit(modelOwner), 19e18);
        assertEq(pool.contributorsReceived(), 76e18);
    }

    function test_payForInference_roundsDownFeeAndOwnerShareLeavingNoDust() public {
        // 99 × 5% = 4.95 → 4; (99 − 4) × 20% = 19; contributors 76.
        vm.expectEmit(address(pool));
        emit IAttributionPool.InferencePaid(INFERENCE, modelId, payer, 99, 4, 19, 76);
        vm.prank(payer);
        pool.payForInference(modelId, 99, INFERENCE, "");

        // One wei: everything to the contributors.
        vm.expectEmit(address(pool));
        emit IAttributionPool.InferencePaid(INFERENCE, modelId, payer, 1, 0, 0, 1);
        vm.prank(payer);
        pool.payForInference(modelId, 1, INFERENCE, "");
        assertEq(token.balanceOf(treasury) + token.balanceOf(address(pool)), 100);
    }

    function test_payForInference_namesWhereItsOutputIsPublished() public {
        vm.recordLogs();
        vm.expectEmit(address(pool));
        emit IAttributionPool.OutputsPublished(modelId, payer, "ipfs://outputs");
        vm.expectEmit(address(pool));
        emit IAttributionPool.InferencePaid(INFERENCE, modelId, payer, 100e18, 5e18, 19e18, 76e18);
        vm.prank(payer);
        pool.payForInference(modelId, 100e18, INFERENCE, "ipfs://outputs");
    }

    function test_payForInference_withoutOutputsURIEmitsNoOutputsPublished() public {
        vm.recordLogs();
        vm.prank(payer);
        pool.payForInference(modelId, 100e18, INFERENCE, "");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != IAttributionPool.OutputsPublished.selector);
        }
    }

    function test_payForInference_creditsCurrentModelOwner() public {
        _pay(100e18);
        vm.prank(modelOwner);
        models.transferModel(modelId, bob);
        _pay(100e18);
        assertEq(pool.ownerCredit(modelOwner), 19e18);
        assertEq(pool.ownerCredit(bob), 19e18);
    }

    function test_payForInference_revertsWhen_paused() public {
        vm.prank(guardian);
        pool.pause();
        _expectPaused();
        vm.prank(payer);
        pool.payForInference(modelId, 1e18, INFERENCE, "");
    }

    function test_payForInference_revertsWhen_modelNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.ModelNotFound.selector, 99));
        vm.prank(payer);
        pool.payForInference(99, 1e18, INFERENCE, "");
    }

    function test_payForInference_revertsWhen_amountZero() public {
        vm.expectRevert(IAttributionPool.ZeroAmount.selector);
        vm.prank(payer);
        pool.payForInference(modelId, 0, INFERENCE, "");
    }

    function test_payForInference_revertsWhen_inferenceIdEmpty() public {
        vm.expectRevert(IAttributionPool.EmptyInferenceId.selector);
        vm.prank(payer);
        pool.payForInference(modelId, 1e18, bytes32(0), "");
    }

    function test_payForInference_revertsWhen_feeOnTransferToken() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        AttributionPool fotPool = new AttributionPool(_config(address(fot), CHALLENGE_PERIOD));
        fot.mint(payer, 100e18);
        vm.startPrank(payer);
        fot.approve(address(fotPool), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.UnsupportedToken.selector, 100e18, 99e18));
        fotPool.payForInference(modelId, 100e18, INFERENCE, "");
        vm.stopPrank();
    }

    function testFuzz_payForInference_splitSumsToAmount(uint256 amount, uint16 feeBps, uint16 ownerShareBps)
        public
    {
        amount = bound(amount, 1, type(uint120).max);
        feeBps = uint16(bound(feeBps, 0, 10_000));
        ownerShareBps = uint16(bound(ownerShareBps, 0, 10_000));
        IAttributionPool.Config memory c = _config(address(token), CHALLENGE_PERIOD);
        c.protocolFeeBps = feeBps;
        AttributionPool p = new AttributionPool(c);
        uint256 model = _registerModel(datanetId, ownerShareBps);
        vm.prank(deployer);
        token.mint(stranger, amount);
        vm.startPrank(stranger);
        token.approve(address(p), amount);
        p.payForInference(model, amount, INFERENCE, "");
        vm.stopPrank();

        uint256 fee = amount * feeBps / 10_000;
        uint256 ownerShare = (amount - fee) * ownerShareBps / 10_000;
        assertEq(token.balanceOf(treasury), fee);
        assertEq(p.ownerCredit(modelOwner), ownerShare);
        assertEq(p.contributorsReceived(), amount - fee - ownerShare);
        assertEq(token.balanceOf(treasury) + token.balanceOf(address(p)), amount);
        assertEq(token.balanceOf(address(p)), p.ownerCredit(modelOwner) + p.contributorsReceived());
    }

    /* PAY FOR INFERENCES */

    function test_payForInferences_emitsPerOutputAndPullsOnce() public {
        (uint256[] memory amounts, bytes32[] memory ids) = _batch(3);
        uint256 total;
        for (uint256 i; i < 3; ++i) {
            uint256 fee = amounts[i] * FEE_BPS / 10_000;
            uint256 ownerShare = (amounts[i] - fee) * OWNER_SHARE_BPS / 10_000;
            vm.expectEmit(address(pool));
            emit IAttributionPool.InferencePaid(
                ids[i], modelId, payer, amounts[i], fee, ownerShare, amounts[i] - fee - ownerShare
            );
            total += amounts[i];
        }
        vm.expectCall(address(token), abi.encodeCall(IERC20.transferFrom, (payer, address(pool), total)), 1);
        vm.prank(payer);
        pool.payForInferences(modelId, amounts, ids, "");
        assertEq(token.balanceOf(payer), 1_000_000e18 - total);
    }

    function test_payForInferences_namesWhereItsOutputsArePublishedOnce() public {
        (uint256[] memory amounts, bytes32[] memory ids) = _batch(3);
        vm.recordLogs();
        vm.prank(payer);
        pool.payForInferences(modelId, amounts, ids, "https://app.example/outputs/batch-7.jsonl");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 published;
        uint256 paid;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(pool)) continue;
            if (logs[i].topics[0] == IAttributionPool.OutputsPublished.selector) {
                // Before every InferencePaid of the call.
                assertEq(paid, 0);
                ++published;
                assertEq(logs[i].topics[1], bytes32(modelId));
                assertEq(logs[i].topics[2], bytes32(uint256(uint160(payer))));
                assertEq(abi.decode(logs[i].data, (string)), "https://app.example/outputs/batch-7.jsonl");
            } else if (logs[i].topics[0] == IAttributionPool.InferencePaid.selector) {
                ++paid;
            }
        }
        assertEq(published, 1);
        assertEq(paid, 3);
    }

    function test_payForInferences_revertsWhen_empty() public {
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.InvalidBatch.selector, 0, 0));
        vm.prank(payer);
        pool.payForInferences(modelId, new uint256[](0), new bytes32[](0), "");
    }

    function test_payForInferences_revertsWhen_lengthsDiffer() public {
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.InvalidBatch.selector, 2, 3));
        vm.prank(payer);
        pool.payForInferences(modelId, new uint256[](2), new bytes32[](3), "");
    }

    function test_payForInferences_revertsWhen_anyAmountZero() public {
        (uint256[] memory amounts, bytes32[] memory ids) = _batch(3);
        amounts[2] = 0;
        vm.expectRevert(IAttributionPool.ZeroAmount.selector);
        vm.prank(payer);
        pool.payForInferences(modelId, amounts, ids, "");
    }

    function test_payForInferences_revertsWhen_anyInferenceIdEmpty() public {
        (uint256[] memory amounts, bytes32[] memory ids) = _batch(3);
        ids[1] = bytes32(0);
        vm.expectRevert(IAttributionPool.EmptyInferenceId.selector);
        vm.prank(payer);
        pool.payForInferences(modelId, amounts, ids, "");
    }

    function test_payForInferences_revertsWhen_modelNotFound() public {
        (uint256[] memory amounts, bytes32[] memory ids) = _batch(2);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.ModelNotFound.selector, 7));
        vm.prank(payer);
        pool.payForInferences(7, amounts, ids, "");
    }

    function test_payForInferences_revertsWhen_paused() public {
        (uint256[] memory amounts, bytes32[] memory ids) = _batch(2);
        vm.prank(guardian);
        pool.pause();
        _expectPaused();
        vm.prank(payer);
        pool.payForInferences(modelId, amounts, ids, "");
    }

    function test_payForInferences_revertsWhen_feeOnTransferToken() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        AttributionPool fotPool = new AttributionPool(_config(address(fot), CHALLENGE_PERIOD));
        (uint256[] memory amounts, bytes32[] memory ids) = _batch(2);
        uint256 total = amounts[0] + amounts[1];
        fot.mint(payer, total);
        vm.startPrank(payer);
        fot.approve(address(fotPool), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(IAttributionPool.UnsupportedToken.selector, total, total - total / 100)
        );
        fotPool.payForInferences(modelId, amounts, ids, "");
        vm.stopPrank();
    }

    function testFuzz_payForInferences_matchesSinglePayments(uint64[5] memory raw, uint8 count) public {
        count = uint8(bound(count, 1, 5));
        uint256[] memory amounts = new uint256[](count);
        bytes32[] memory ids = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            amounts[i] = bound(raw[i], 1, type(uint64).max);
            ids[i] = keccak256(abi.encode(i));
        }
        AttributionPool single = new AttributionPool(_config(address(token), CHALLENGE_PERIOD));
        vm.startPrank(payer);
        token.approve(address(single), type(uint256).max);
        pool.payForInferences(modelId, amounts, ids, "");
        uint256 treasuryAfterBatch = token.balanceOf(treasury);
        for (uint256 i; i < count; ++i) {
            single.payForInference(modelId, amounts[i], ids[i], "");
        }
        vm.stopPrank();

        assertEq(pool.contributorsReceived(), single.contributorsReceived());
        assertEq(pool.ownerCredit(modelOwner), single.ownerCredit(modelOwner));
        assertEq(token.balanceOf(treasury), 2 * treasuryAfterBatch);
        assertEq(token.balanceOf(address(pool)), token.balanceOf(address(single)));
    }

    /* PROPOSE EPOCH */

    function test_proposeEpoch_storesPendingEpochWithValidAt() public {
        _payContributors(1_000);
        bytes[] memory sigs = _epochSigs(pool, _epoch(pool, 1, ROOT, 1_000));
        uint256 validAt = block.timestamp + CHALLENGE_PERIOD;
        vm.expectEmit(address(pool));
        emit IAttributionPool.EpochProposed(1, ROOT, 0, 1_000, REPORT_HASH, validAt, REPORT_URI);
        vm.prank(stranger); // anyone may submit signed epochs
        pool.proposeEpoch(_ep(pool, 1, ROOT, 1_000, REPORT_HASH, REPORT_URI), sigs);

        IAttributionPool.PendingEpoch memory pending = pool.pendingEpoch();
        assertEq(pending.epoch, 1);
        assertEq(pending.rewardsRoot, ROOT);
        assertEq(pending.totalAllocated, 1_000);
        assertEq(pending.reportHash, REPORT_HASH);
        assertEq(pending.validAt, validAt);
        // Nothing claimable yet.
        assertEq(pool.currentEpoch(), 0);
        assertEq(pool.rewardsRoot(), bytes32(0));
        assertEq(pool.totalAllocated(), 0);
    }

    function test_proposeEpoch_acceptsEverySignatureAboveThreshold() public {
        _payContributors(1_000);
        bytes[] memory sigs =
            _signSorted(_keys(5), pool.epochDigest(_ep(pool, 1, ROOT, 1_000, REPORT_HASH, REPORT_URI)));
        pool.proposeEpoch(_ep(pool, 1, ROOT, 1_000, REPORT_HASH, REPORT_URI), sigs);
        assertEq(pool.pendingEpoch().epoch, 1);
    }

    function test_proposeEpoch_acceptsAllocationEqualToReceived() public {
        _pay(100e18);
        _propose(1, ROOT, 76e18);
        assertEq(pool.pendingEpoch().totalAllocated, 76e18);
    }

    function test_proposeEpoch_revertsWhen_epochAlreadyPending() public {
        _payContributors(1_000);
        _propose(1, ROOT, 1_000);
        bytes[] memory sigs = _epochSigs(pool, _epoch(pool, 1, ROOT, 1_000));
        IAttributionPool.Epoch memory e16 = _ep(pool, 1, ROOT, 1_000, REPORT_HASH, REPORT_URI);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.EpochAlreadyPending.selector, 1));
        pool.proposeEpoch(e16, sigs);
    }

    function test_proposeEpoch_revertsWhen_epochSkipsAhead() public {
        bytes[] memory sigs = _epochSigs(pool, _epoch(pool, 2, ROOT, 0));
        IAttributionPool.Epoch memory e15 = _ep(pool, 2, ROOT, 0, REPORT_HASH, REPORT_URI);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.UnexpectedEpoch.selector, 2, 1));
        pool.proposeEpoch(e15, sigs);
    }

    function test_proposeEpoch_revertsWhen_epochAlreadyAccepted() public {
        _publish(ROOT, 0);
        bytes[] memory sigs = _epochSigs(pool, _epoch(pool, 1, ROOT, 0));
        IAttributionPool.Epoch memory e14 = _ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.UnexpectedEpoch.selector, 1, 2));
        pool.proposeEpoch(e14, sigs);
    }

    function test_proposeEpoch_revertsWhen_nonceStale() public {
        _propose(1, ROOT, 0);
        vm.prank(guardian);
        pool.vetoEpoch();
        IAttributionPool.Epoch memory e = _epoch(pool, 1, ROOT, 0);
        e.nonce = 0;
        bytes[] memory sigs = _epochSigs(pool, e);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.StaleNonce.selector, 0, 1));
        pool.proposeEpoch(e, sigs);
    }

    function test_proposeEpoch_revertsWhen_nonceAhead() public {
        IAttributionPool.Epoch memory e = _epoch(pool, 1, ROOT, 0);
        e.nonce = 1;
        bytes[] memory sigs = _epochSigs(pool, e);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.StaleNonce.selector, 1, 0));
        pool.proposeEpoch(e, sigs);
    }

    function test_proposeEpoch_revertsWhen_rootEmpty() public {
        bytes[] memory sigs = _epochSigs(pool, _epoch(pool, 1, bytes32(0), 0));
        IAttributionPool.Epoch memory e13 = _ep(pool, 1, bytes32(0), 0, REPORT_HASH, REPORT_URI);
        vm.expectRevert(IAttributionPool.EmptyRoot.selector);
        pool.proposeEpoch(e13, sigs);
    }

    function test_proposeEpoch_revertsWhen_allocationDecreases() public {
        _payContributors(1_000);
        _publish(ROOT, 1_000);
        bytes[] memory sigs = _epochSigs(pool, _epoch(pool, 2, ROOT, 999));
        IAttributionPool.Epoch memory e12 = _ep(pool, 2, ROOT, 999, REPORT_HASH, REPORT_URI);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.AllocationDecreased.selector, 999, 1_000));
        pool.proposeEpoch(e12, sigs);
    }

    function test_proposeEpoch_revertsWhen_allocationExceedsReceived() public {
        _pay(100e18);
        bytes[] memory sigs = _epochSigs(pool, _epoch(pool, 1, ROOT, 76e18 + 1));
        IAttributionPool.Epoch memory e106 = _ep(pool, 1, ROOT, 76e18 + 1, REPORT_HASH, REPORT_URI);
        vm.expectRevert(
            abi.encodeWithSelector(IAttributionPool.AllocationExceedsReceived.selector, 76e18 + 1, 76e18)
        );
        pool.proposeEpoch(e106, sigs);
    }

    function test_proposeEpoch_revertsWhen_notEnoughSignatures() public {
        bytes[] memory sigs =
            _signSorted(_keys(2), pool.epochDigest(_ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI)));
        IAttributionPool.Epoch memory e11 = _ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NotEnoughSignatures.selector, 2, 3));
        pool.proposeEpoch(e11, sigs);
    }

    function test_proposeEpoch_revertsWhen_signerNotAttestor() public {
        (address outsider, uint256 outsiderKey) = makeAddrAndKey("outsider");
        bytes32 digest = pool.epochDigest(_ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI));
        bytes[] memory sigs = _signSorted(_keys(3), digest);
        sigs[0] = _sign(outsiderKey, digest);
        IAttributionPool.Epoch memory e10 = _ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.SignerNotAttestor.selector, 0, outsider));
        pool.proposeEpoch(e10, sigs);
    }

    function test_proposeEpoch_revertsWhen_signersNotSorted() public {
        bytes32 digest = pool.epochDigest(_ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI));
        bytes[] memory sigs = new bytes[](3);
        sigs[0] = _sign(attestorKeys[2], digest);
        sigs[1] = _sign(attestorKeys[1], digest);
        sigs[2] = _sign(attestorKeys[0], digest);
        IAttributionPool.Epoch memory e105 = _ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI);
        vm.expectRevert(
            abi.encodeWithSelector(IAttributionPool.SignersNotSorted.selector, 1, attestorAddrs[1])
        );
        pool.proposeEpoch(e105, sigs);
    }

    function test_proposeEpoch_revertsWhen_sameAttestorSignsTwice() public {
        bytes32 digest = pool.epochDigest(_ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI));
        bytes[] memory sigs = new bytes[](3);
        sigs[0] = _sign(attestorKeys[0], digest);
        sigs[1] = _sign(attestorKeys[0], digest);
        sigs[2] = _sign(attestorKeys[1], digest);
        IAttributionPool.Epoch memory e104 = _ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI);
        vm.expectRevert(
            abi.encodeWithSelector(IAttributionPool.SignersNotSorted.selector, 1, attestorAddrs[0])
        );
        pool.proposeEpoch(e104, sigs);
    }

    function test_proposeEpoch_revertsWhen_signatureMalformed() public {
        bytes[] memory sigs = _epochSigs(pool, _epoch(pool, 1, ROOT, 0));
        sigs[1] = hex"deadbeef";
        IAttributionPool.Epoch memory e9 = _ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI);
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureLength.selector, 4));
        pool.proposeEpoch(e9, sigs);
    }

    function test_proposeEpoch_revertsWhen_anySignedFieldDiffers() public {
        _payContributors(1_000);
        bytes[] memory sigs = _epochSigs(pool, _epoch(pool, 1, ROOT, 1_000));
        IAttributionPool.Epoch memory e8 = _ep(pool, 1, ROOT, 1_000, REPORT_HASH, "ipfs://other");
        _expectForgedSigner(pool.epochDigest(_ep(pool, 1, ROOT, 1_000, REPORT_HASH, "ipfs://other")), sigs[0]);
        pool.proposeEpoch(e8, sigs);
        IAttributionPool.Epoch memory e7 = _ep(pool, 1, ROOT, 1_000, bytes32(uint256(1)), REPORT_URI);
        _expectForgedSigner(
            pool.epochDigest(_ep(pool, 1, ROOT, 1_000, bytes32(uint256(1)), REPORT_URI)), sigs[0]
        );
        pool.proposeEpoch(e7, sigs);
        IAttributionPool.Epoch memory e6 = _ep(pool, 1, ROOT, 999, REPORT_HASH, REPORT_URI);
        _expectForgedSigner(pool.epochDigest(_ep(pool, 1, ROOT, 999, REPORT_HASH, REPORT_URI)), sigs[0]);
        pool.proposeEpoch(e6, sigs);
        IAttributionPool.Epoch memory e5 = _ep(pool, 1, ~ROOT, 1_000, REPORT_HASH, REPORT_URI);
        _expectForgedSigner(pool.epochDigest(_ep(pool, 1, ~ROOT, 1_000, REPORT_HASH, REPORT_URI)), sigs[0]);
        pool.proposeEpoch(e5, sigs);
    }

    function test_proposeEpoch_revertsWhen_signaturesFromPreviousEpoch() public {
        _payContributors(1_000);
        bytes[] memory sigs = _epochSigs(pool, _epoch(pool, 1, ROOT, 1_000));
        pool.proposeEpoch(_ep(pool, 1, ROOT, 1_000, REPORT_HASH, REPORT_URI), sigs);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        pool.acceptEpoch();

        IAttributionPool.Epoch memory e4 = _ep(pool, 2, ROOT, 1_000, REPORT_HASH, REPORT_URI);
        _expectForgedSigner(pool.epochDigest(_ep(pool, 2, ROOT, 1_000, REPORT_HASH, REPORT_URI)), sigs[0]);
        pool.proposeEpoch(e4, sigs);
    }

    function test_proposeEpoch_revertsWhen_signaturesFromAnotherChain() public {
        _payContributors(1_000);
        bytes[] memory sigs = _epochSigs(pool, _epoch(pool, 1, ROOT, 1_000));
        vm.chainId(block.chainid + 1);
        IAttributionPool.Epoch memory e3 = _ep(pool, 1, ROOT, 1_000, REPORT_HASH, REPORT_URI);
        _expectForgedSigner(pool.epochDigest(_ep(pool, 1, ROOT, 1_000, REPORT_HASH, REPORT_URI)), sigs[0]);
        pool.proposeEpoch(e3, sigs);
    }

    function test_proposeEpoch_revertsWhen_signaturesForAnotherPool() public {
        _payContributors(1_000);
        AttributionPool other = new AttributionPool(_config(address(token), CHALLENGE_PERIOD));
        bytes[] memory sigs = _epochSigs(other, _epoch(other, 1, ROOT, 1_000));
        IAttributionPool.Epoch memory e2 = _ep(pool, 1, ROOT, 1_000, REPORT_HASH, REPORT_URI);
        _expectForgedSigner(pool.epochDigest(_ep(pool, 1, ROOT, 1_000, REPORT_HASH, REPORT_URI)), sigs[0]);
        pool.proposeEpoch(e2, sigs);
    }

    function test_epochDigest_isEip712OverEpochType() public view {
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
                keccak256(
                    "Epoch(uint64 epoch,uint64 nonce,bytes32 rewardsRoot,uint256 totalAllocated,bytes32 reportHash,string reportURI)"
                ),
                4,
                0,
                ROOT,
                1_000,
                REPORT_HASH,
                keccak256(bytes(REPORT_URI))
            )
        );
        assertEq(
            pool.epochDigest(_ep(pool, 4, ROOT, 1_000, REPORT_HASH, REPORT_URI)),
            keccak256(abi.encodePacked("\x19\x01", domain, structHash))
        );
    }

    function testFuzz_proposeEpoch_succeedsIffThresholdAttestorsSign(uint8 signerMask) public {
        bytes32 digest = pool.epochDigest(_ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI));
        uint256 count;
        for (uint256 i; i < ATTESTOR_COUNT; ++i) {
            if ((signerMask >> i) & 1 == 1) ++count;
        }
        uint256[] memory keys = new uint256[](count);
        count = 0;
        for (uint256 i; i < ATTESTOR_COUNT; ++i) {
            if ((signerMask >> i) & 1 == 1) keys[count++] = attestorKeys[i];
        }
        bytes[] memory sigs = _signSorted(keys, digest);
        IAttributionPool.Epoch memory e103 = _ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI);
        if (count < THRESHOLD) {
            vm.expectRevert(
                abi.encodeWithSelector(IAttributionPool.NotEnoughSignatures.selector, count, THRESHOLD)
            );
        }
        pool.proposeEpoch(e103, sigs);
    }

    function testFuzz_proposeEpoch_rejectsAnyNonAttestorKey(uint256 key) public {
        key = bound(key, 1, 2 ** 200);
        address signer = vm.addr(key);
        vm.assume(!pool.isAttestor(signer));
        bytes32 digest = pool.epochDigest(_ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI));
        bytes[] memory sigs = _signSorted(_keys(3), digest);
        sigs[2] = _sign(key, digest);
        IAttributionPool.Epoch memory e1 = _ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.SignerNotAttestor.selector, 2, signer));
        pool.proposeEpoch(e1, sigs);
    }

    /* ACCEPT EPOCH */

    function test_acceptEpoch_makesRootClaimableAfterChallengePeriod() public {
        _payContributors(1_000);
        _propose(1, ROOT, 1_000);
        uint256 validAt = block.timestamp + CHALLENGE_PERIOD;

        vm.warp(validAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.ChallengePeriodNotOver.selector, validAt));
        pool.acceptEpoch();

        vm.warp(validAt);
        vm.expectEmit(address(pool));
        emit IAttributionPool.EpochAccepted(1, ROOT, 1_000, REPORT_HASH);
        vm.prank(stranger); // anyone
        pool.acceptEpoch();

        assertEq(pool.currentEpoch(), 1);
        assertEq(pool.rewardsRoot(), ROOT);
        assertEq(pool.totalAllocated(), 1_000);
        assertEq(pool.pendingEpoch().validAt, 0);
        IAttributionPool.EpochRecord memory record = pool.epochRecord(1);
        assertEq(record.rewardsRoot, ROOT);
        assertEq(record.reportHash, REPORT_HASH);
        assertEq(record.totalAllocated, 1_000);
    }

    function test_acceptEpoch_keepsEveryEpochRecord() public {
        _payContributors(3_000);
        _publish(ROOT, 1_000);
        _publish(~ROOT, 3_000);
        assertEq(pool.epochRecord(1).rewardsRoot, ROOT);
        assertEq(pool.epochRecord(2).rewardsRoot, ~ROOT);
        assertEq(pool.epochRecord(2).totalAllocated, 3_000);
        assertEq(pool.currentEpoch(), 2);
    }

    function test_acceptEpoch_unaffectedByAttestorProposalNotYetAccepted() public {
        _propose(1, ROOT, 0);
        vm.prank(poolOwner);
        pool.proposeAttestors(_newAttestors(1), 1);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        pool.acceptEpoch();
        assertEq(pool.currentEpoch(), 1);
    }

    function test_acceptEpoch_revertsWhen_noPendingEpoch() public {
        vm.expectRevert(IAttributionPool.NoPendingEpoch.selector);
        pool.acceptEpoch();
    }

    /* VETO EPOCH */

    function test_vetoEpoch_discardsPendingEpoch() public {
        _propose(1, ROOT, 0);
        vm.expectEmit(address(pool));
        emit IAttributionPool.EpochVetoed(1, ROOT, 0);
        vm.prank(guardian);
        pool.vetoEpoch();

        assertEq(pool.pendingEpoch().validAt, 0);
        assertEq(pool.proposalNonce(), 1);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        vm.expectRevert(IAttributionPool.NoPendingEpoch.selector);
        pool.acceptEpoch();
        assertEq(pool.currentEpoch(), 0);
    }

    function test_vetoEpoch_thenSameEpochNumberCanBeProposedAgain() public {
        _payContributors(1_000);
        _propose(1, ROOT, 1_000);
        vm.warp(block.timestamp + 1 hours);
        vm.prank(guardian);
        pool.vetoEpoch();

        // A corrected root for the same epoch number, signed under the new nonce, with a fresh challenge period.
        _propose(1, ~ROOT, 500);
        assertEq(pool.proposalNonce(), 1);
        assertEq(pool.pendingEpoch().validAt, block.timestamp + CHALLENGE_PERIOD);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        pool.acceptEpoch();
        assertEq(pool.currentEpoch(), 1);
        assertEq(pool.rewardsRoot(), ~ROOT);
        assertEq(pool.totalAllocated(), 500);
    }

    function test_vetoEpoch_revertsWhen_callerNotGuardian() public {
        _propose(1, ROOT, 0);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NotGuardian.selector, poolOwner));
        vm.prank(poolOwner);
        pool.vetoEpoch();
    }

    function test_vetoEpoch_revertsWhen_noPendingEpoch() public {
        vm.expectRevert(IAttributionPool.NoPendingEpoch.selector);
        vm.prank(guardian);
        pool.vetoEpoch();
    }

    /* CLAIM */

    function test_claim_paysCumulativeAmountToAccountWhoeverCalls() public {
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 30e18, bob, 12e18);
        bytes32[] memory tree = _publishTree(accounts, amounts);
        uint256 before = token.balanceOf(alice);

        vm.expectEmit(address(pool));
        emit IAttributionPool.Claimed(alice, stranger, 30e18, 30e18);
        vm.prank(stranger);
        uint256 paid = pool.claim(alice, 30e18, RewardTree.proof(tree, alice, 30e18));

        assertEq(paid, 30e18);
        assertEq(token.balanceOf(alice), before + 30e18);
        assertEq(token.balanceOf(stranger), 0);
        assertEq(pool.claimed(alice), 30e18);
        assertEq(pool.totalClaimed(), 30e18);
    }

    function test_claim_paysDifferenceSinceLastClaim() public {
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 10e18, bob, 5e18);
        bytes32[] memory tree = _publishTree(accounts, amounts);
        pool.claim(alice, 10e18, RewardTree.proof(tree, alice, 10e18));

        (accounts, amounts) = _pair(alice, 25e18, bob, 5e18);
        tree = _publishTree(accounts, amounts);
        uint256 before = token.balanceOf(alice);
        vm.expectEmit(address(pool));
        emit IAttributionPool.Claimed(alice, address(this), 15e18, 25e18);
        assertEq(pool.claim(alice, 25e18, RewardTree.proof(tree, alice, 25e18)), 15e18);
        assertEq(token.balanceOf(alice), before + 15e18);
        assertEq(pool.claimed(alice), 25e18);
        assertEq(pool.totalClaimed(), 25e18);
    }

    function test_claim_oneClaimCoversEveryEpochSoFar() public {
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 10e18, bob, 5e18);
        _publishTree(accounts, amounts);
        (accounts, amounts) = _pair(alice, 18e18, bob, 9e18);
        _publishTree(accounts, amounts);
        (accounts, amounts) = _pair(alice, 40e18, bob, 9e18);
        bytes32[] memory tree = _publishTree(accounts, amounts);

        assertEq(pool.claim(alice, 40e18, RewardTree.proof(tree, alice, 40e18)), 40e18);
        assertEq(pool.claim(bob, 9e18, RewardTree.proof(tree, bob, 9e18)), 9e18);
        assertEq(pool.totalClaimed(), pool.totalAllocated());
    }

    function test_claim_cumulativeAcrossTwoEpochs() public {
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 10e18, bob, 4e18);
        bytes32[] memory tree1 = _publishTree(accounts, amounts);
        pool.claim(alice, 10e18, RewardTree.proof(tree1, alice, 10e18));
        pool.claim(bob, 4e18, RewardTree.proof(tree1, bob, 4e18));

        (accounts, amounts) = _pair(alice, 10e18, bob, 11e18);
        bytes32[] memory tree2 = _publishTree(accounts, amounts);
        // The old proof no longer matches the root.
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.InvalidProof.selector, bob, 4e18));
        pool.claim(bob, 4e18, RewardTree.proof(tree1, bob, 4e18));
        // Alice earned nothing new.
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NothingToClaim.selector, alice, 10e18, 10e18));
        pool.claim(alice, 10e18, RewardTree.proof(tree2, alice, 10e18));
        assertEq(pool.claim(bob, 11e18, RewardTree.proof(tree2, bob, 11e18)), 7e18);
        assertEq(pool.totalClaimed(), 21e18);
    }

    function test_claim_singleLeafTreeWithEmptyProof() public {
        address[] memory accounts = new address[](1);
        uint256[] memory amounts = new uint256[](1);
        (accounts[0], amounts[0]) = (carol, 3e18);
        bytes32[] memory tree = _publishTree(accounts, amounts);
        assertEq(RewardTree.root(tree), RewardTree.leaf(carol, 3e18));
        assertEq(pool.claim(carol, 3e18, new bytes32[](0)), 3e18);
    }

    function test_claim_revertsWhen_noRewardsRoot() public {
        vm.expectRevert(IAttributionPool.NoRewardsRoot.selector);
        pool.claim(alice, 1, new bytes32[](0));
    }

    function test_claim_revertsWhen_rootStillPending() public {
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 10e18, bob, 5e18);
        _publishTree(accounts, amounts);
        (accounts, amounts) = _pair(alice, 20e18, bob, 5e18);
        _payContributors(10e18);
        bytes32[] memory pending = RewardTree.build(accounts, amounts);
        _propose(2, RewardTree.root(pending), 25e18);

        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.InvalidProof.selector, alice, 20e18));
        pool.claim(alice, 20e18, RewardTree.proof(pending, alice, 20e18));
    }

    function test_claim_revertsWhen_amountNotInTree() public {
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 10e18, bob, 5e18);
        bytes32[] memory tree = _publishTree(accounts, amounts);
        bytes32[] memory proof = RewardTree.proof(tree, alice, 10e18);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.InvalidProof.selector, alice, 10e18 + 1));
        pool.claim(alice, 10e18 + 1, proof);
    }

    function test_claim_revertsWhen_proofOfAnotherAccount() public {
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 10e18, bob, 5e18);
        bytes32[] memory tree = _publishTree(accounts, amounts);
        bytes32[] memory proof = RewardTree.proof(tree, alice, 10e18);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.InvalidProof.selector, carol, 10e18));
        pool.claim(carol, 10e18, proof);
    }

    function test_claim_revertsWhen_rootBuiltFromSingleHashedLeaves() public {
        // Leaves must be the standard tree's double hash: a root over keccak256(abi.encode(account, amount))
        // (64-byte preimages, like inner nodes) pays nothing.
        _payContributors(15e18);
        bytes32 aliceLeaf = keccak256(abi.encode(alice, 10e18));
        bytes32 bobLeaf = keccak256(abi.encode(bob, 5e18));
        bytes32 root = aliceLeaf < bobLeaf
            ? keccak256(abi.encode(aliceLeaf, bobLeaf))
            : keccak256(abi.encode(bobLeaf, aliceLeaf));
        _publish(root, 15e18);
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = bobLeaf;
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.InvalidProof.selector, alice, 10e18));
        pool.claim(alice, 10e18, proof);
    }

    function test_claim_revertsWhen_nothingNewToClaim() public {
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 10e18, bob, 5e18);
        bytes32[] memory tree = _publishTree(accounts, amounts);
        bytes32[] memory proof = RewardTree.proof(tree, alice, 10e18);
        pool.claim(alice, 10e18, proof);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NothingToClaim.selector, alice, 10e18, 10e18));
        pool.claim(alice, 10e18, proof);
    }

    function test_claim_revertsWhen_zeroAmountLeaf() public {
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 10e18, bob, 0);
        bytes32[] memory tree = _publishTree(accounts, amounts);
        bytes32[] memory proof = RewardTree.proof(tree, bob, 0);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NothingToClaim.selector, bob, 0, 0));
        pool.claim(bob, 0, proof);
    }

    function test_claim_revertsWhen_rootLowersCumulativeAmount() public {
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 10e18, bob, 5e18);
        bytes32[] memory tree = _publishTree(accounts, amounts);
        pool.claim(alice, 10e18, RewardTree.proof(tree, alice, 10e18));

        // A faulty epoch lowers Alice's cumulative amount (the total still grows).
        (accounts, amounts) = _pair(alice, 6e18, bob, 20e18);
        tree = _publishTree(accounts, amounts);
        bytes32[] memory proof = RewardTree.proof(tree, alice, 6e18);
        vm.expectRevert(
            abi.encodeWithSelector(IAttributionPool.CumulativeAmountDecreased.selector, alice, 6e18, 10e18)
        );
        pool.claim(alice, 6e18, proof);
    }

    function test_claim_revertsWhen_claimsWouldExceedTotalAllocated() public {
        // A malicious root whose leaves sum to 1,600 while it declares 1,000.
        _payContributors(1_000);
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 800, bob, 800);
        bytes32[] memory tree = RewardTree.build(accounts, amounts);
        _publish(RewardTree.root(tree), 1_000);

        pool.claim(alice, 800, RewardTree.proof(tree, alice, 800));
        bytes32[] memory proof = RewardTree.proof(tree, bob, 800);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.AllocationExceeded.selector, 800, 800, 1_000));
        pool.claim(bob, 800, proof);
        assertEq(pool.totalClaimed(), 800);
    }

    function test_claim_revertsWhen_paused() public {
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, 10e18, bob, 5e18);
        bytes32[] memory tree = _publishTree(accounts, amounts);
        bytes32[] memory proof = RewardTree.proof(tree, alice, 10e18);
        vm.prank(guardian);
        pool.pause();
        _expectPaused();
        pool.claim(alice, 10e18, proof);

        vm.prank(guardian);
        pool.unpause();
        assertEq(pool.claim(alice, 10e18, proof), 10e18);
    }

    function test_claim_reentrantCallFromTokenCallbackFails() public {
        CallbackToken cb = new CallbackToken();
        AttributionPool cbPool = new AttributionPool(_config(address(cb), CHALLENGE_PERIOD));
        Reenterer attacker = new Reenterer();
        cb.setHooked(address(attacker), true);
        cb.mint(payer, 1_000e18);
        vm.startPrank(payer);
        cb.approve(address(cbPool), type(uint256).max);
        cbPool.payForInference(modelId, 1_000e18, INFERENCE, "");
        vm.stopPrank();

        (address[] memory accounts, uint256[] memory amounts) = _pair(address(attacker), 100e18, bob, 100e18);
        bytes32[] memory tree = RewardTree.build(accounts, amounts);
        cbPool.proposeEpoch(
            _ep(cbPool, 1, tree[0], 200e18, REPORT_HASH, REPORT_URI),
            _epochSigs(cbPool, _epoch(cbPool, 1, tree[0], 200e18))
        );
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        cbPool.acceptEpoch();

        // While receiving its claim, the attacker tries to claim Bob's leaf to itself... via a second claim.
        bytes32[] memory proof = RewardTree.proof(tree, address(attacker), 100e18);
        attacker.arm(
            address(cbPool), abi.encodeCall(AttributionPool.claim, (address(attacker), 100e18, proof))
        );
        cbPool.claim(address(attacker), 100e18, proof);

        assertTrue(attacker.attempted());
        assertFalse(attacker.reentered());
        assertEq(
            attacker.revertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        assertEq(cb.balanceOf(address(attacker)), 100e18);
        assertEq(cbPool.totalClaimed(), 100e18);
    }

    function testFuzz_claim_paysExactlyTheCumulativeDifference(uint96 first, uint96 second, uint96 other)
        public
    {
        first = uint96(bound(first, 1, type(uint96).max - 1));
        second = uint96(bound(second, first + 1, type(uint96).max));
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, first, bob, other);
        bytes32[] memory tree = _publishTree(accounts, amounts);
        uint256 before = token.balanceOf(alice);
        assertEq(pool.claim(alice, first, RewardTree.proof(tree, alice, first)), first);

        (accounts, amounts) = _pair(alice, second, bob, other);
        tree = _publishTree(accounts, amounts);
        assertEq(pool.claim(alice, second, RewardTree.proof(tree, alice, second)), uint256(second) - first);
        assertEq(token.balanceOf(alice), before + second);
        assertEq(pool.claimed(alice), second);
    }

    function testFuzz_claim_totalNeverExceedsTotalAllocated(uint96 a, uint96 b, uint96 declared) public {
        a = uint96(bound(a, 1, type(uint96).max));
        b = uint96(bound(b, 1, type(uint96).max));
        declared = uint96(bound(declared, 1, type(uint96).max));
        _payContributors(declared);
        (address[] memory accounts, uint256[] memory amounts) = _pair(alice, a, bob, b);
        bytes32[] memory tree = RewardTree.build(accounts, amounts);
        _publish(RewardTree.root(tree), declared);

        _tryClaim(alice, a, RewardTree.proof(tree, alice, a));
        _tryClaim(bob, b, RewardTree.proof(tree, bob, b));
        assertLe(pool.totalClaimed(), declared);
        assertEq(pool.totalClaimed(), pool.claimed(alice) + pool.claimed(bob));
    }

    function test_rewardTree_matchesOpenZeppelinStandardMerkleTree() public pure {
        // Root and proof from @openzeppelin/merkle-tree 1.0.8: StandardMerkleTree.of(values, ["address", "uint256"]).
        address[] memory accounts = new address[](5);
        uint256[] memory amounts = new uint256[](5);
        accounts[0] = 0x1111111111111111111111111111111111111111;
        accounts[1] = 0x2222222222222222222222222222222222222222;
        accounts[2] = 0x3333333333333333333333333333333333333333;
        accounts[3] = 0x4444444444444444444444444444444444444444;
        accounts[4] = 0x5555555555555555555555555555555555555555;
        (amounts[0], amounts[1], amounts[2], amounts[3], amounts[4]) = (5e18, 2.5e18, 1, 123456789, 0);
        bytes32[] memory tree = RewardTree.build(accounts, amounts);

        assertEq(RewardTree.root(tree), 0xa2e55e5293ee1b626efffef12f26a4824f3db10a3c768fa938152179ac8403b9);
        assertEq(tree[8], 0x46078e31d77e74968442440eca60d00fbc00b2f2bcbfe12806acd7771a62c813);
        bytes32[] memory proof = RewardTree.proof(tree, accounts[1], amounts[1]);
        assertEq(proof.length, 3);
        assertEq(proof[0], 0x46078e31d77e74968442440eca60d00fbc00b2f2bcbfe12806acd7771a62c813);
        assertEq(proof[1], 0xeb02c421cfa48976e66dfb29120745909ea3a0f843456c263cf8f1253483e283);
        assertEq(proof[2], 0xccbbbcf4347898d8fdd117d0d1355a183875a23ef1b6f231e067eb8554037b5c);
    }

    /* WITHDRAW OWNER SHARE */

    function test_withdrawOwnerShare_sendsCreditToRecipient() public {
        _pay(100e18);
        vm.expectEmit(address(pool));
        emit IAttributionPool.OwnerShareWithdrawn(modelOwner, carol, 19e18);
        vm.prank(modelOwner);
        assertEq(pool.withdrawOwnerShare(carol), 19e18);

        assertEq(pool.ownerCredit(modelOwner), 0);
        assertEq(token.balanceOf(carol), 1_000e18 + 19e18);
        assertEq(token.balanceOf(address(pool)), 76e18);
    }

    function test_withdrawOwnerShare_revertsWhen_nothingCredited() public {
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NothingToWithdraw.selector, stranger));
        vm.prank(stranger);
        pool.withdrawOwnerShare(stranger);
    }

    function test_withdrawOwnerShare_revertsWhen_alreadyWithdrawn() public {
        _pay(100e18);
        vm.startPrank(modelOwner);
        pool.withdrawOwnerShare(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NothingToWithdraw.selector, modelOwner));
        pool.withdrawOwnerShare(modelOwner);
        vm.stopPrank();
    }

    function test_withdrawOwnerShare_revertsWhen_recipientZero() public {
        _pay(100e18);
        vm.expectRevert(IAttributionPool.ZeroAddress.selector);
        vm.prank(modelOwner);
        pool.withdrawOwnerShare(address(0));
    }

    function test_withdrawOwnerShare_revertsWhen_paused() public {
        _pay(100e18);
        vm.prank(guardian);
        pool.pause();
        _expectPaused();
        vm.prank(modelOwner);
        pool.withdrawOwnerShare(modelOwner);
    }

    /* ATTESTOR ROTATION */

    function test_proposeAttestors_recordsPendingSet() public {
        address[] memory next = _newAttestors(2);
        uint256 validAt = block.timestamp + CHALLENGE_PERIOD;
        vm.expectEmit(address(pool));
        emit IAttributionPool.AttestorsProposed(next, 2, validAt);
        vm.prank(poolOwner);
        pool.proposeAttestors(next, 2);

        IAttributionPool.PendingAttestors memory pending = pool.pendingAttestors();
        assertEq(pending.attestors, next);
        assertEq(pending.threshold, 2);
        assertEq(pending.validAt, validAt);
        // Nothing changes until accepted.
        assertEq(pool.attestors(), attestorAddrs);
        assertEq(pool.threshold(), THRESHOLD);
    }

    function test_proposeAttestors_replacesEarlierProposal() public {
        vm.startPrank(poolOwner);
        pool.proposeAttestors(_newAttestors(2), 2);
        vm.warp(block.timestamp + 1 hours);
        pool.proposeAttestors(_newAttestors(3), 1);
        vm.stopPrank();
        assertEq(pool.pendingAttestors().attestors.length, 3);
        assertEq(pool.pendingAttestors().validAt, block.timestamp + CHALLENGE_PERIOD);
    }

    function test_proposeAttestors_revertsWhen_callerNotOwner() public {
        address[] memory next = _newAttestors(2);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, guardian));
        vm.prank(guardian);
        pool.proposeAttestors(next, 1);
    }

    function test_proposeAttestors_revertsWhen_setEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.InvalidAttestorSet.selector, 0, 1, 32));
        vm.prank(poolOwner);
        pool.proposeAttestors(new address[](0), 1);
    }

    function test_proposeAttestors_revertsWhen_thresholdAboveCount() public {
        address[] memory next = _newAttestors(2);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.InvalidAttestorSet.selector, 2, 3, 32));
        vm.prank(poolOwner);
        pool.proposeAttestors(next, 3);
    }

    function test_proposeAttestors_revertsWhen_duplicateAttestor() public {
        address[] memory next = _newAttestors(3);
        next[2] = next[0];
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.DuplicateAttestor.selector, next[0]));
        vm.prank(poolOwner);
        pool.proposeAttestors(next, 2);
    }

    function test_proposeAttestors_revertsWhen_attestorZero() public {
        address[] memory next = _newAttestors(3);
        next[1] = address(0);
        vm.expectRevert(IAttributionPool.ZeroAddress.selector);
        vm.prank(poolOwner);
        pool.proposeAttestors(next, 2);
    }

    function test_acceptAttestors_rotatesSetAfterChallengePeriod() public {
        (address newSigner, uint256 newKey) = makeAddrAndKey("newAttestor");
        address[] memory next = new address[](2);
        (next[0], next[1]) = (newSigner, attestorAddrs[0]);
        vm.prank(poolOwner);
        pool.proposeAttestors(next, 1);
        uint256 validAt = block.timestamp + CHALLENGE_PERIOD;

        vm.warp(validAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.ChallengePeriodNotOver.selector, validAt));
        vm.prank(poolOwner);
        pool.acceptAttestors();

        vm.warp(validAt);
        vm.expectEmit(address(pool));
        emit IAttributionPool.AttestorsChanged(next, 1);
        vm.prank(poolOwner);
        pool.acceptAttestors();

        assertEq(pool.attestors(), next);
        assertEq(pool.threshold(), 1);
        assertTrue(pool.isAttestor(newSigner));
        assertTrue(pool.isAttestor(attestorAddrs[0]));
        for (uint256 i = 1; i < ATTESTOR_COUNT; ++i) {
            assertFalse(pool.isAttestor(attestorAddrs[i]));
        }
        assertEq(pool.pendingAttestors().validAt, 0);

        // A removed attestor's signature no longer counts; the new one's does.
        bytes32 digest = pool.epochDigest(_ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI));
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = _sign(attestorKeys[1], digest);
        IAttributionPool.Epoch memory e101 = _ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI);
        IAttributionPool.Epoch memory e102 = _ep(pool, 1, ROOT, 0, REPORT_HASH, REPORT_URI);
        vm.expectRevert(
            abi.encodeWithSelector(IAttributionPool.SignerNotAttestor.selector, 0, attestorAddrs[1])
        );
        pool.proposeEpoch(e102, sigs);
        sigs[0] = _sign(newKey, digest);
        pool.proposeEpoch(e101, sigs);
        assertEq(pool.pendingEpoch().epoch, 1);
    }

    function test_acceptAttestors_discardsPendingEpochAndAdvancesNonce() public {
        _propose(1, ROOT, 0);
        vm.prank(poolOwner);
        pool.proposeAttestors(_newAttestors(2), 1);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        vm.expectEmit(address(pool));
        emit IAttributionPool.EpochDiscarded(1, ROOT, 0);
        vm.prank(poolOwner);
        pool.acceptAttestors();

        assertEq(pool.proposalNonce(), 1);
        assertEq(pool.pendingEpoch().validAt, 0);
        vm.expectRevert(IAttributionPool.NoPendingEpoch.selector);
        pool.acceptEpoch();
        assertEq(pool.currentEpoch(), 0);
    }

    function test_acceptAttestors_withoutPendingEpochStillAdvancesNonce() public {
        vm.prank(poolOwner);
        pool.proposeAttestors(_newAttestors(2), 1);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        vm.recordLogs();
        vm.prank(poolOwner);
        pool.acceptAttestors();
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != IAttributionPool.EpochDiscarded.selector);
        }
        assertEq(pool.proposalNonce(), 1);
    }

    function test_acceptAttestors_revertsWhen_noPendingAttestors() public {
        vm.expectRevert(IAttributionPool.NoPendingAttestors.selector);
        vm.prank(poolOwner);
        pool.acceptAttestors();
    }

    function test_acceptAttestors_revertsWhen_callerNotOwner() public {
        vm.prank(poolOwner);
        pool.proposeAttestors(_newAttestors(2), 2);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        pool.acceptAttestors();
    }

    function test_cancelAttestors_discardsProposal() public {
        vm.prank(poolOwner);
        pool.proposeAttestors(_newAttestors(2), 2);
        vm.expectEmit(address(pool));
        emit IAttributionPool.AttestorsProposalCancelled();
        vm.prank(guardian);
        pool.cancelAttestors();

        assertEq(pool.pendingAttestors().validAt, 0);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        vm.expectRevert(IAttributionPool.NoPendingAttestors.selector);
        vm.prank(poolOwner);
        pool.acceptAttestors();
        assertEq(pool.attestors(), attestorAddrs);
    }

    function test_cancelAttestors_revertsWhen_callerNotGuardian() public {
        vm.prank(poolOwner);
        pool.proposeAttestors(_newAttestors(2), 2);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NotGuardian.selector, poolOwner));
        vm.prank(poolOwner);
        pool.cancelAttestors();
    }

    function test_cancelAttestors_revertsWhen_noPendingAttestors() public {
        vm.expectRevert(IAttributionPool.NoPendingAttestors.selector);
        vm.prank(guardian);
        pool.cancelAttestors();
    }

    function test_ownership_transfersInTwoSteps() public {
        vm.prank(poolOwner);
        pool.transferOwnership(bob);
        assertEq(pool.owner(), poolOwner);
        assertEq(pool.pendingOwner(), bob);
        vm.prank(bob);
        pool.acceptOwnership();
        assertEq(pool.owner(), bob);

        address[] memory next = _newAttestors(1);
        vm.prank(bob);
        pool.proposeAttestors(next, 1);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, poolOwner));
        vm.prank(poolOwner);
        pool.proposeAttestors(next, 1);
    }

    /* GUARDIAN */

    function test_proposeGuardian_recordsPendingGuardian() public {
        uint256 validAt = block.timestamp + CHALLENGE_PERIOD;
        vm.expectEmit(address(pool));
        emit IAttributionPool.GuardianProposed(carol, validAt);
        vm.prank(poolOwner);
        pool.proposeGuardian(carol);
        (address next, uint64 at) = pool.pendingGuardian();
        assertEq(next, carol);
        assertEq(at, validAt);
        assertEq(pool.guardian(), guardian);
    }

    function test_acceptGuardian_replacesGuardianAfterDelayWhoeverCalls() public {
        vm.prank(poolOwner);
        pool.proposeGuardian(carol);
        uint256 validAt = block.timestamp + CHALLENGE_PERIOD;
        vm.warp(validAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.ChallengePeriodNotOver.selector, validAt));
        pool.acceptGuardian();

        vm.warp(validAt);
        vm.expectEmit(address(pool));
        emit IAttributionPool.GuardianChanged(guardian, carol);
        vm.prank(stranger);
        pool.acceptGuardian();
        assertEq(pool.guardian(), carol);
        (address next, uint64 at) = pool.pendingGuardian();
        assertEq(next, address(0));
        assertEq(at, 0);

        // The old guardian lost its powers; the new one has them.
        _propose(1, ROOT, 0);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NotGuardian.selector, guardian));
        vm.prank(guardian);
        pool.vetoEpoch();
        vm.prank(carol);
        pool.vetoEpoch();
    }

    function test_cancelGuardian_discardsProposal() public {
        vm.prank(poolOwner);
        pool.proposeGuardian(carol);
        vm.expectEmit(address(pool));
        emit IAttributionPool.GuardianProposalCancelled(carol);
        vm.prank(poolOwner);
        pool.cancelGuardian();
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        vm.expectRevert(IAttributionPool.NoPendingGuardian.selector);
        pool.acceptGuardian();
        assertEq(pool.guardian(), guardian);
    }

    function test_proposeGuardian_revertsWhen_callerNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, guardian));
        vm.prank(guardian);
        pool.proposeGuardian(guardian);
    }

    function test_proposeGuardian_revertsWhen_zero() public {
        vm.expectRevert(IAttributionPool.ZeroAddress.selector);
        vm.prank(poolOwner);
        pool.proposeGuardian(address(0));
    }

    function test_cancelGuardian_revertsWhen_callerNotOwner() public {
        vm.prank(poolOwner);
        pool.proposeGuardian(carol);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, guardian));
        vm.prank(guardian);
        pool.cancelGuardian();
    }

    function test_cancelGuardian_revertsWhen_noPendingGuardian() public {
        vm.expectRevert(IAttributionPool.NoPendingGuardian.selector);
        vm.prank(poolOwner);
        pool.cancelGuardian();
    }

    function test_acceptGuardian_revertsWhen_noPendingGuardian() public {
        vm.expectRevert(IAttributionPool.NoPendingGuardian.selector);
        pool.acceptGuardian();
    }

    /* PAUSE */

    function test_pause_pausesForAtMostMaxDuration() public {
        uint256 until = block.timestamp + 7 days;
        vm.expectEmit(address(pool));
        emit IAttributionPool.Paused(guardian, until);
        vm.prank(guardian);
        pool.pause();
        assertTrue(pool.paused());
        assertEq(pool.pausedUntil(), until);

        vm.warp(until - 1);
        assertTrue(pool.paused());
        _expectPaused();
        vm.prank(payer);
        pool.payForInference(modelId, 1e18, INFERENCE, "");

        vm.warp(until);
        assertFalse(pool.paused());
        _pay(1e18);
    }

    function test_unpause_endsPauseNow() public {
        vm.prank(guardian);
        pool.pause();
        vm.warp(block.timestamp + 1 days);
        vm.expectEmit(address(pool));
        emit IAttributionPool.Unpaused(guardian);
        vm.prank(guardian);
        pool.unpause();
        assertFalse(pool.paused());
        assertEq(pool.pausedUntil(), block.timestamp);
        _pay(1e18);
    }

    function test_pause_revertsWhen_alreadyPausedOrCoolingDown() public {
        vm.prank(guardian);
        pool.pause();
        uint256 availableAt = block.timestamp + 7 days + 7 days;
        // Cannot be extended while paused...
        vm.warp(block.timestamp + 6 days);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.PauseCooldown.selector, availableAt));
        vm.prank(guardian);
        pool.pause();
        // ...nor renewed before the cooldown after it ended.
        vm.warp(availableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.PauseCooldown.selector, availableAt));
        vm.prank(guardian);
        pool.pause();
        vm.warp(availableAt);
        vm.prank(guardian);
        pool.pause();
        assertTrue(pool.paused());
    }

    function test_pause_cooldownRunsFromAnEarlyUnpause() public {
        vm.prank(guardian);
        pool.pause();
        vm.warp(block.timestamp + 1 hours);
        vm.prank(guardian);
        pool.unpause();
        uint256 availableAt = block.timestamp + 7 days;
        vm.warp(availableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.PauseCooldown.selector, availableAt));
        vm.prank(guardian);
        pool.pause();
        vm.warp(availableAt);
        vm.prank(guardian);
        pool.pause();
    }

    function test_pause_doesNotBlockEpochs() public {
        vm.prank(guardian);
        pool.pause();
        _propose(1, ROOT, 0);
        vm.prank(guardian);
        pool.vetoEpoch();
        _publish(ROOT, 0);
        assertEq(pool.currentEpoch(), 1);
    }

    function test_pause_revertsWhen_callerNotGuardian() public {
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NotGuardian.selector, poolOwner));
        vm.prank(poolOwner);
        pool.pause();
    }

    function test_unpause_revertsWhen_callerNotGuardian() public {
        vm.prank(guardian);
        pool.pause();
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.NotGuardian.selector, poolOwner));
        vm.prank(poolOwner);
        pool.unpause();
    }

    function test_unpause_revertsWhen_notPaused() public {
        vm.expectRevert(IAttributionPool.NotPaused.selector);
        vm.prank(guardian);
        pool.unpause();
        vm.prank(guardian);
        pool.pause();
        vm.warp(block.timestamp + 7 days);
        vm.expectRevert(IAttributionPool.NotPaused.selector);
        vm.prank(guardian);
        pool.unpause();
    }

    function testFuzz_pause_neverLastsLongerThanMaxDuration(uint32 wait) public {
        vm.prank(guardian);
        pool.pause();
        uint256 start = block.timestamp;
        vm.warp(start + wait);
        assertEq(pool.paused(), wait < 7 days);
        // The guardian can never move the end further.
        vm.prank(guardian);
        try pool.pause() {
            assertGe(block.timestamp, start + 14 days);
        } catch {}
        assertLe(pool.pausedUntil(), block.timestamp + 7 days);
    }

    /* HELPERS */

    function _expectPaused() internal {
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.PoolPaused.selector, pool.pausedUntil()));
    }

    /// @dev An epoch of `p` with every signed field given, under its current proposal nonce.
    function _ep(
        AttributionPool p,
        uint256 epoch,
        bytes32 root,
        uint256 total,
        bytes32 reportHash,
        string memory uri
    ) internal view returns (IAttributionPool.Epoch memory e) {
        e = _epoch(p, epoch, root, total);
        e.reportHash = reportHash;
        e.reportURI = uri;
    }

    function _expectConstructorRevert(IAttributionPool.Config memory c, bytes memory err) internal {
        vm.expectRevert(err);
        new AttributionPool(c);
    }

    /// @dev Expects `SignerNotAttestor(0, x)` where x is whoever `sig` recovers to over `digest`.
    function _expectForgedSigner(bytes32 digest, bytes memory sig) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IAttributionPool.SignerNotAttestor.selector, 0, ECDSA.recover(digest, sig))
        );
    }

    function _batch(uint256 count) internal pure returns (uint256[] memory amounts, bytes32[] memory ids) {
        amounts = new uint256[](count);
        ids = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            amounts[i] = (i + 1) * 1e18 + i * 7;
            ids[i] = keccak256(abi.encode("output", i));
        }
    }

    function _newAttestors(uint256 count) internal pure returns (address[] memory set) {
        set = new address[](count);
        for (uint256 i; i < count; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast) -- small test addresses
            set[i] = address(uint160(0xA77E5700 + i));
        }
    }

    function _tryClaim(address account, uint256 amount, bytes32[] memory proof) internal {
        try pool.claim(account, amount, proof) {}
        catch (bytes memory err) {
            // forge-lint: disable-next-line(unsafe-typecast) -- the selector is the first four bytes
            assertEq(bytes4(err), IAttributionPool.AllocationExceeded.selector);
        }
    }
}
