// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {DatanetToken} from "../../contracts/DatanetToken.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {RegistryHandler} from "./RegistryHandler.sol";
import {Test} from "forge-std/Test.sol";

/// @dev The handler predicts every outcome exactly; with `fail_on_revert = true` (foundry.toml) any revert
/// it did not expect fails the campaign.
contract RegistryInvariantsTest is Test {
    DatanetToken internal token;
    DatanetRegistry internal registry;
    RegistryHandler internal handler;
    address internal treasury = makeAddr("treasury");

    function setUp() public {
        token = new DatanetToken("Datanet", "DNT", address(this), 0);
        registry = new DatanetRegistry(address(token), treasury, 60, 1 days);
        // Precompute the handler's address: it mints, so it must own the token before its constructor runs.
        address predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        token.transferOwnership(predicted);
        handler = new RegistryHandler(registry, token);
        require(address(handler) == predicted, "handler address");

        bytes4[] memory selectors = new bytes4[](12);
        selectors[10] = RegistryHandler.commit.selector; // commits twice as often
        selectors[11] = RegistryHandler.watcherRace.selector;
        selectors[0] = RegistryHandler.commit.selector;
        selectors[1] = RegistryHandler.recommit.selector;
        selectors[2] = RegistryHandler.reveal.selector;
        selectors[3] = RegistryHandler.reveal.selector; // reveals twice as often
        selectors[4] = RegistryHandler.frontRunReveal.selector;
        selectors[5] = RegistryHandler.review.selector;
        selectors[6] = RegistryHandler.rejectRace.selector;
        selectors[7] = RegistryHandler.finalize.selector;
        selectors[8] = RegistryHandler.retire.selector;
        selectors[9] = RegistryHandler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev Every contribution is exactly what the model says: contributor, status, reveal and commit times.
    function invariant_contributionsMatchTheModel() public view {
        for (uint256 s; s < handler.SLOT_COUNT(); ++s) {
            (bytes32 id,, RegistryHandler.SlotModel memory m) = handler.slot(s);
            IDatanetRegistry.Contribution memory c = registry.getContribution(id);
            assertEq(uint8(c.status), m.status, "status");
            if (m.status == 0) continue;
            assertEq(c.contributor, m.contributor, "contributor");
            assertEq(c.datanetId, handler.datanetOf(s), "datanet");
            assertEq(c.submittedAt, m.submittedAt, "submittedAt");
            assertEq(uint256(c.submittedAt) - c.commitAge, m.committedAt, "committedAt");
        }
    }

    /// @dev The registry holds exactly the bonds of pending contributions.
    function invariant_bondBalanceEqualsPendingBonds() public view {
        uint256 pending;
        for (uint256 s; s < handler.SLOT_COUNT(); ++s) {
            (bytes32 id, uint256 bond,) = handler.slot(s);
            if (registry.getContribution(id).status == IDatanetRegistry.Status.Pending) pending += bond;
        }
        assertEq(token.balanceOf(address(registry)), pending);
    }

    /// @dev Reputation per datanet counts every acceptance (review or finalize) and rejection, nothing else.
    function invariant_reputationPerDatanetMatchesReviewOutcomes() public view {
        address[4] memory actors = handler.actors();
        uint256[3] memory datanets = handler.datanetIds();
        for (uint256 d; d < datanets.length; ++d) {
            for (uint256 i; i < actors.length; ++i) {
                IDatanetRegistry.Reputation memory rep = registry.reputationOf(datanets[d], actors[i]);
                assertEq(rep.accepted, handler.ghostAccepted(datanets[d], actors[i]), "accepted");
                assertEq(rep.rejected, handler.ghostRejected(datanets[d], actors[i]), "rejected");
            }
        }
    }

    /// @dev Bonds only ever go back to their contributor (accept, finalize, displacement) or, on rejection,
    /// to the treasury: no action of a contributor dodges a reject's slash.
    function invariant_bondsOnlyLostToRejection() public view {
        assertEq(token.balanceOf(treasury), handler.ghostRejectedBonds());
        address[4] memory actors = handler.actors();
        for (uint256 i; i < actors.length; ++i) {
            uint256 lockedBonds;
            for (uint256 s; s < handler.SLOT_COUNT(); ++s) {
                (bytes32 id, uint256 bond,) = handler.slot(s);
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

    function afterInvariant() external view {
        // A campaign that made commitments must have tried to reveal and front-run them.
        if (handler.commitCount() > 8) assertGt(handler.reveals() + handler.duplicatesRefused(), 0);
    }
}
