// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {PoolHandler} from "./PoolHandler.sol";

/// @dev The handler predicts every outcome exactly; with `fail_on_revert = true` (foundry.toml) any revert
/// it did not expect fails the campaign.
contract PoolInvariantsTest is Fixture {
    PoolHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new PoolHandler(pool, token, models, attestorKeys, datanetId);
        vm.prank(deployer);
        token.transferOwnership(address(handler));

        bytes4[] memory selectors = new bytes4[](29);
        selectors[28] = PoolHandler.proposeDecreasing.selector;
        selectors[27] = PoolHandler.pauseThenWaitItOut.selector;
        selectors[24] = PoolHandler.rotateWhilePending.selector;
        selectors[25] = PoolHandler.overSummedThenClaimAll.selector;
        selectors[26] = PoolHandler.vetoThenReplay.selector;
        selectors[0] = PoolHandler.pay.selector;
        selectors[1] = PoolHandler.payBatch.selector;
        selectors[2] = PoolHandler.proposeHonest.selector;
        selectors[3] = PoolHandler.proposeHonest.selector; // honest epochs twice as often
        selectors[4] = PoolHandler.proposeOverSummed.selector;
        selectors[5] = PoolHandler.proposeAboveReceived.selector;
        selectors[6] = PoolHandler.acceptEpoch.selector;
        selectors[7] = PoolHandler.acceptEpoch.selector;
        selectors[8] = PoolHandler.vetoEpoch.selector;
        selectors[9] = PoolHandler.replayVetoed.selector;
        selectors[10] = PoolHandler.replayOutgoing.selector;
        selectors[11] = PoolHandler.replayOnOtherChain.selector;
        selectors[12] = PoolHandler.proposeAttestors.selector;
        selectors[13] = PoolHandler.acceptAttestors.selector;
        selectors[14] = PoolHandler.cancelAttestors.selector;
        selectors[15] = PoolHandler.claim.selector;
        selectors[16] = PoolHandler.claimFromPendingRoot.selector;
        selectors[17] = PoolHandler.withdrawOwnerShare.selector;
        selectors[18] = PoolHandler.pause.selector;
        selectors[19] = PoolHandler.unpause.selector;
        selectors[20] = PoolHandler.proposeGuardian.selector;
        selectors[21] = PoolHandler.acceptGuardian.selector;
        selectors[22] = PoolHandler.warp.selector;
        selectors[23] = PoolHandler.claim.selector; // claims twice as often
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev Claims pay each account exactly what it claimed, never more than the accepted root grants it.
    function invariant_noAccountPaidMoreThanItsCumulativeAllocation() public view {
        address[6] memory accounts = handler.accounts();
        for (uint256 i; i < accounts.length; ++i) {
            uint256 claimed = pool.claimed(accounts[i]);
            assertLe(claimed, handler.acceptedAmount(i), "claimed above cumulative allocation");
            assertEq(handler.claimed(i), claimed, "model differs from claimed");
            assertEq(token.balanceOf(accounts[i]), claimed, "balance differs from claimed");
        }
    }

    /// @dev The pool never promises more than its contributors' pool received.
    function invariant_totalAllocatedNeverExceedsContributorsReceived() public view {
        assertLe(pool.totalAllocated(), pool.contributorsReceived());
        assertEq(pool.contributorsReceived(), handler.received());
    }

    /// @dev Claims together never exceed the declared total, even under over-summed roots.
    function invariant_totalClaimedIsSumOfClaimsAndWithinAllocation() public view {
        address[6] memory accounts = handler.accounts();
        uint256 sum;
        for (uint256 i; i < accounts.length; ++i) {
            sum += pool.claimed(accounts[i]);
        }
        assertEq(pool.totalClaimed(), sum);
        assertLe(pool.totalClaimed(), pool.totalAllocated());
    }

    /// @dev The pool holds exactly what it owes: unclaimed contributor funds and unwithdrawn owner shares.
    function invariant_poolHoldsExactlyWhatItOwes() public view {
        address[2] memory owners = handler.modelOwners();
        uint256 credits;
        for (uint256 i; i < owners.length; ++i) {
            assertEq(pool.ownerCredit(owners[i]), handler.ownerCredit(i), "owner credit");
            credits += pool.ownerCredit(owners[i]);
        }
        assertEq(token.balanceOf(address(pool)), pool.contributorsReceived() - pool.totalClaimed() + credits);
        assertEq(token.balanceOf(treasury), handler.fees());
    }

    /// @dev Epochs, nonce, roots, attestors, guardian and pause are what the model says, so no vetoed or
    /// outgoing proposal ever became pending and no epoch was accepted early.
    function invariant_stateMatchesTheModel() public view {
        assertEq(pool.currentEpoch(), handler.epoch(), "epoch");
        assertEq(pool.proposalNonce(), handler.nonce(), "nonce");
        assertEq(pool.rewardsRoot(), handler.acceptedRoot(), "root");
        assertEq(pool.totalAllocated(), handler.declared(), "declared");
        assertEq(pool.pendingEpoch().validAt != 0, handler.hasPending(), "pending");
        if (handler.hasPending()) {
            assertEq(pool.pendingEpoch().rewardsRoot, handler.pendingRoot(), "pending root");
            assertEq(pool.pendingEpoch().totalAllocated, handler.pendingDeclared(), "pending total");
            assertEq(pool.pendingEpoch().validAt, handler.pendingValidAt(), "pending validAt");
        }
        assertEq(pool.attestors(), handler.currentAttestors(), "attestors");
        assertEq(pool.threshold(), handler.threshold(), "threshold");
        assertEq(pool.guardian(), handler.guardian(), "guardian");
        assertEq(pool.pausedUntil(), handler.pausedUntil(), "pausedUntil");
        assertEq(handler.earlyAccepts(), 0, "accepted before validAt");
    }

    /// @dev A pause never reaches further than MAX_PAUSE_DURATION from now.
    function invariant_pauseNeverOutlastsMaxDuration() public view {
        assertLe(pool.pausedUntil(), block.timestamp + pool.MAX_PAUSE_DURATION());
    }
}
