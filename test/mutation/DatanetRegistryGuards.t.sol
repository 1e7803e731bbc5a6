// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {CallbackToken, Reenterer} from "../mocks/CallbackToken.sol";
import {Fixture} from "../utils/Fixture.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @notice Guards of the registry that the mutation campaign (scripts/mutation/run.sh) found untested: each
/// test fails on a mutant that removes or shifts the guard (see bench/MUTATION.md). Every bond refund
/// (accept, displacement) calls a receive hook of a `CallbackToken`; the attacker's hook tries to reveal
/// another of its commitments from inside the call, which must hit the reentrancy lock.
contract DatanetRegistryGuardsTest is Fixture {
    CallbackToken internal cb;
    DatanetRegistry internal cbRegistry;
    uint256 internal cbDatanet;
    Reenterer internal attacker;

    function _setUpCallbackRegistry() internal {
        cb = new CallbackToken();
        cbRegistry = new DatanetRegistry(address(cb), treasury, MIN_COMMITMENT_AGE, MAX_COMMITMENT_AGE);
        vm.startPrank(datanetOwner);
        cbDatanet = cbRegistry.createDatanet("ipfs://datanet", BOND, REVIEW_PERIOD);
        cbRegistry.setCurator(cbDatanet, curator, true);
        vm.stopPrank();
        attacker = new Reenterer();
        cb.mint(address(attacker), 10 * BOND);
        attacker.execute(
            address(cb), abi.encodeCall(IERC20.approve, (address(cbRegistry), type(uint256).max))
        );
        cb.setHooked(address(attacker), true);
        cb.mint(alice, 10 * BOND);
        vm.prank(alice);
        cb.approve(address(cbRegistry), type(uint256).max);
    }

    /// @dev The attacker commits to one item; returns the reveal call it can make once the commitment is old
    /// enough.
    function _attackerCommits(bytes32 contentHash) internal returns (bytes memory revealCall) {
        IDatanetRegistry.ContributionInput[] memory items = _items(contentHash, DATA_URI);
        bytes32 commitment = cbRegistry.makeCommitment(address(attacker), cbDatanet, _hashesOf(items), 0);
        attacker.execute(address(cbRegistry), abi.encodeCall(DatanetRegistry.commit, (commitment)));
        revealCall = abi.encodeCall(DatanetRegistry.reveal, (cbDatanet, items, bytes32(0)));
    }

    /// @dev The attacker holds one pending contribution (returned) and is armed to reveal another commitment
    /// from inside its next token hook.
    function _attackerPendingAndArmed() internal returns (bytes32 id) {
        bytes memory revealFirst = _attackerCommits(keccak256("first"));
        bytes memory revealSecond = _attackerCommits(keccak256("second"));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        id = abi.decode(attacker.execute(address(cbRegistry), revealFirst), (bytes32[]))[0];
        attacker.arm(address(cbRegistry), revealSecond);
    }

    function _assertReentryRefused() internal view {
        assertTrue(attacker.attempted(), "the hook ran");
        assertFalse(attacker.reentered(), "the reentrant reveal succeeded");
        assertEq(
            attacker.revertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        bytes32 second = cbRegistry.contributionIdOf(cbDatanet, keccak256("second"));
        assertEq(uint8(cbRegistry.getContribution(second).status), uint8(IDatanetRegistry.Status.None));
    }

    /* REVIEW */

    function test_review_bondRefundHookCannotReenter() public {
        _setUpCallbackRegistry();
        bytes32 id = _attackerPendingAndArmed();

        vm.prank(curator);
        cbRegistry.review(id, true);

        _assertReentryRefused();
        assertEq(uint8(cbRegistry.getContribution(id).status), uint8(IDatanetRegistry.Status.Accepted));
    }

    function test_reviewBatch_bondRefundHookCannotReenter() public {
        _setUpCallbackRegistry();
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = _attackerPendingAndArmed();

        vm.prank(curator);
        cbRegistry.reviewBatch(ids, true);

        _assertReentryRefused();
        assertEq(uint8(cbRegistry.getContribution(ids[0]).status), uint8(IDatanetRegistry.Status.Accepted));
    }

    /* REVEAL: the refund of a displaced contributor */

    /// @dev Alice commits to the attacker's first item before the attacker does; returns her items.
    function _aliceCommitsFirst() internal returns (IDatanetRegistry.ContributionInput[] memory items) {
        items = _items(keccak256("first"), DATA_URI);
        vm.prank(alice);
        cbRegistry.commit(cbRegistry.makeCommitment(alice, cbDatanet, _hashesOf(items), _salt(alice)));
        vm.warp(block.timestamp + 1);
    }

    function test_reveal_displacedRefundHookCannotReenter() public {
        _setUpCallbackRegistry();
        IDatanetRegistry.ContributionInput[] memory items = _aliceCommitsFirst();
        bytes32 id = _attackerPendingAndArmed();

        vm.prank(alice);
        cbRegistry.reveal(cbDatanet, items, _salt(alice));

        _assertReentryRefused();
        assertEq(cbRegistry.getContribution(id).contributor, alice);
        assertEq(cb.balanceOf(address(attacker)), 10 * BOND);
    }

    function test_revealOne_displacedRefundHookCannotReenter() public {
        _setUpCallbackRegistry();
        _aliceCommitsFirst();
        bytes32 id = _attackerPendingAndArmed();

        vm.prank(alice);
        cbRegistry.revealOne(cbDatanet, keccak256("first"), DATA_URI, _salt(alice));

        _assertReentryRefused();
        assertEq(cbRegistry.getContribution(id).contributor, alice);
        assertEq(cb.balanceOf(address(attacker)), 10 * BOND);
    }

    function test_revealWithSig_displacedRefundHookCannotReenter() public {
        _setUpCallbackRegistry();
        (, uint256 aliceKey) = makeAddrAndKey("alice");
        IDatanetRegistry.ContributionInput[] memory items = _aliceCommitsFirst();
        bytes32 id = _attackerPendingAndArmed();
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 commitment = cbRegistry.makeCommitment(alice, cbDatanet, _hashesOf(items), _salt(alice));
        bytes32 digest = cbRegistry.revealDigest(alice, cbDatanet, commitment, _urisHash(items), 0, deadline);

        vm.prank(stranger);
        cbRegistry.revealWithSig(alice, cbDatanet, items, _salt(alice), deadline, _sign(aliceKey, digest));

        _assertReentryRefused();
        assertEq(cbRegistry.getContribution(id).contributor, alice);
    }

    /* CREATE DATANET */

    function test_createDatanet_acceptsTheLargestBond() public {
        uint256 bond = type(uint96).max;
        uint256 id = _createDatanet(bond, REVIEW_PERIOD);
        assertEq(registry.getDatanet(id).bond, bond);
    }
}
