// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttributionPool} from "../../contracts/AttributionPool.sol";
import {Fixture} from "../utils/Fixture.sol";
import {PoolHandler} from "./PoolHandler.sol";

contract PoolInvariantsTest is Fixture {
    PoolHandler internal handler;
    AttributionPool internal mirror;

    function setUp() public override {
        super.setUp();
        mirror = new AttributionPool(_config(address(token), 0));
        handler = new PoolHandler(pool, mirror, token, models, attestorKeys, datanetId);
        vm.prank(deployer);
        token.transferOwnership(address(handler));
        // The mirror can always allocate what the pool allocates.
        _fundMirror();

        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = PoolHandler.pay.selector;
        selectors[1] = PoolHandler.payBatch.selector;
        selectors[2] = PoolHandler.proposeEpoch.selector;
        selectors[3] = PoolHandler.acceptEpoch.selector;
        selectors[4] = PoolHandler.vetoEpoch.selector;
        selectors[5] = PoolHandler.warp.selector;
        selectors[6] = PoolHandler.claim.selector;
        selectors[7] = PoolHandler.claimFromPendingRoot.selector;
        selectors[8] = PoolHandler.withdrawOwnerShare.selector;
        selectors[9] = PoolHandler.setPaused.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev (a) Claims pay each account exactly what it claimed, never more than the accepted root grants it.
    function invariant_noAccountPaidMoreThanItsCumulativeAllocation() public view {
        address[6] memory accounts = handler.accounts();
        for (uint256 i; i < accounts.length; ++i) {
            uint256 claimed = pool.claimed(accounts[i]);
            assertLe(claimed, handler.acceptedAmount(i), "claimed above cumulative allocation");
            assertEq(handler.ghostPaid(i), claimed, "paid differs from claimed");
            assertEq(token.balanceOf(accounts[i]), claimed, "balance differs from claimed");
        }
    }

    /// @dev (b) The pool never promises more than its contributors' pool received.
    function invariant_totalAllocatedNeverExceedsContributorsReceived() public view {
        assertLe(pool.totalAllocated(), pool.contributorsReceived());
    }

    function invariant_totalClaimedIsSumOfClaimsAndWithinAllocation() public view {
        address[6] memory accounts = handler.accounts();
        uint256 sum;
        for (uint256 i; i < accounts.length; ++i) {
            sum += pool.claimed(accounts[i]);
        }
        assertEq(pool.totalClaimed(), sum);
        assertLe(pool.totalClaimed(), pool.totalAllocated());
    }

    /// @dev (c) The pool holds everything it owes: unclaimed allocations and unwithdrawn owner credit.
    function invariant_poolNeverPromisesMoreThanItHolds() public view {
        uint256 owed = pool.totalAllocated() - pool.totalClaimed() + _ownerCredits();
        assertGe(token.balanceOf(address(pool)), owed);
        // Exact accounting: what came in for contributors and owners, minus what went out.
        assertEq(
            token.balanceOf(address(pool)),
            pool.contributorsReceived() - pool.totalClaimed() + _ownerCredits()
        );
    }

    /// @dev (f) No root became claimable before its challenge period ended.
    function invariant_noRootClaimableBeforeChallengePeriod() public view {
        assertEq(handler.earlyAccepts(), 0, "accepted early");
        uint256 epoch = pool.currentEpoch();
        if (epoch != 0) {
            assertGe(handler.acceptedAt(epoch), handler.proposedAt(epoch) + CHALLENGE_PERIOD);
        }
        if (handler.hasPending()) {
            assertEq(pool.pendingEpoch().validAt, handler.proposedAt(epoch + 1) + CHALLENGE_PERIOD);
        }
    }

    /// @dev (g) Attestor signatures never count for another epoch, chain or pool.
    function invariant_attestorSignaturesCannotBeReplayed() public view {
        assertEq(handler.replaysSucceeded(), 0, "replay succeeded");
        assertEq(handler.replaysRejectedForOtherReason(), 0, "replay test did not isolate the signature");
        assertEq(mirror.currentEpoch(), pool.currentEpoch());
        assertEq(mirror.rewardsRoot(), pool.rewardsRoot());
    }

    function afterInvariant() external view {
        // The campaign must actually exercise epochs and replays, not just revert.
        if (handler.epochsAccepted() != 0) assertGt(handler.replayAttempts(), 0);
    }

    function _ownerCredits() internal view returns (uint256 sum) {
        address[2] memory owners = handler.modelOwners();
        for (uint256 i; i < owners.length; ++i) {
            sum += pool.ownerCredit(owners[i]);
        }
    }

    function _fundMirror() internal {
        vm.prank(address(handler));
        token.mint(payer, 1e40);
        vm.prank(payer);
        token.approve(address(mirror), type(uint256).max);
        vm.prank(payer);
        mirror.payForInference(modelId, 1e40, keccak256("mirror"));
    }
}
