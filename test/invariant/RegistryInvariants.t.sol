// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {DatanetToken} from "../../contracts/DatanetToken.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {RegistryHandler} from "./RegistryHandler.sol";
import {Test} from "forge-std/Test.sol";

contract RegistryInvariantsTest is Test {
    DatanetToken internal token;
    DatanetRegistry internal registry;
    RegistryHandler internal handler;
    address internal treasury = makeAddr("treasury");

    function setUp() public {
        token = new DatanetToken("Datanet", "DNT", address(this), 0);
        registry = new DatanetRegistry(address(token), treasury);
        // Precompute the handler's address: it mints, so it must own the token before its constructor runs.
        address predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        token.transferOwnership(predicted);
        handler = new RegistryHandler(registry, token);
        require(address(handler) == predicted, "handler address");

        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = RegistryHandler.contribute.selector;
        selectors[1] = RegistryHandler.contributeBatch.selector;
        selectors[2] = RegistryHandler.contributeWithSig.selector;
        selectors[3] = RegistryHandler.review.selector;
        selectors[4] = RegistryHandler.finalize.selector;
        selectors[5] = RegistryHandler.withdraw.selector;
        selectors[6] = RegistryHandler.retire.selector;
        selectors[7] = RegistryHandler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev (d) The registry holds exactly the bonds of pending contributions.
    function invariant_bondBalanceEqualsPendingBonds() public view {
        uint256 pending;
        for (uint256 i; i < handler.SLOT_COUNT(); ++i) {
            (bytes32 id, uint256 bond) = handler.slot(i);
            if (registry.getContribution(id).status == IDatanetRegistry.Status.Pending) pending += bond;
        }
        assertEq(token.balanceOf(address(registry)), pending);
    }

    /// @dev (e) Reputation counts every acceptance (review or finalize) and rejection, nothing else.
    function invariant_reputationMatchesReviewOutcomes() public view {
        address[4] memory actors = handler.actors();
        for (uint256 i; i < actors.length; ++i) {
            IDatanetRegistry.Reputation memory rep = registry.reputationOf(actors[i]);
            assertEq(rep.accepted, handler.ghostAccepted(actors[i]), "accepted");
            assertEq(rep.rejected, handler.ghostRejected(actors[i]), "rejected");
        }
    }

    /// @dev (e) Accepted and retired contributions are final, so each one is exactly one acceptance; a rejected
    /// hash may be resubmitted, so rejections are at least the rejected contributions.
    function invariant_reputationMatchesStatuses() public view {
        uint256 acceptedOrRetired;
        uint256 rejected;
        for (uint256 i; i < handler.SLOT_COUNT(); ++i) {
            (bytes32 id,) = handler.slot(i);
            IDatanetRegistry.Status status = registry.getContribution(id).status;
            if (status == IDatanetRegistry.Status.Accepted || status == IDatanetRegistry.Status.Retired) {
                ++acceptedOrRetired;
            } else if (status == IDatanetRegistry.Status.Rejected) {
                ++rejected;
            }
        }
        address[4] memory actors = handler.actors();
        uint256 repAccepted;
        uint256 repRejected;
        for (uint256 i; i < actors.length; ++i) {
            repAccepted += registry.reputationOf(actors[i]).accepted;
            repRejected += registry.reputationOf(actors[i]).rejected;
        }
        assertEq(repAccepted, acceptedOrRetired);
        assertGe(repRejected, rejected);
    }

    /// @dev Bonds only ever go back to their contributor or, on rejection, to the treasury.
    function invariant_bondsOnlyLostToRejection() public view {
        assertEq(token.balanceOf(treasury), handler.ghostRejectedBonds());
        address[4] memory actors = handler.actors();
        for (uint256 i; i < actors.length; ++i) {
            uint256 lockedBonds;
            for (uint256 s; s < handler.SLOT_COUNT(); ++s) {
                (bytes32 id, uint256 bond) = handler.slot(s);
                IDatanetRegistry.Contribution memory c = registry.getContribution(id);
                if (c.status == IDatanetRegistry.Status.Pending && c.contributor == actors[i]) {
                    lockedBonds += bond;
                }
            }
            assertEq(
                token.balanceOf(actors[i]),
                handler.ghostMinted(actors[i]) - handler.ghostForfeited(actors[i]) - lockedBonds
            );
        }
    }
}
