// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttributionPool} from "../../contracts/AttributionPool.sol";
import {IAttributionPool} from "../../contracts/interfaces/IAttributionPool.sol";
import {CallbackToken, Reenterer} from "../mocks/CallbackToken.sol";
import {Fixture} from "../utils/Fixture.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @notice Guards of the pool that the mutation campaign (scripts/mutation/run.sh) found untested: each
/// test fails on a mutant that removes or shifts the guard (see bench/MUTATION.md).
contract AttributionPoolGuardsTest is Fixture {
    CallbackToken internal cb;
    AttributionPool internal cbPool;
    Reenterer internal attacker;

    /// @dev A pool over a token with receive hooks, and an attacker account funded and approved for it.
    function _callbackPool(address treasury_) internal {
        cb = new CallbackToken();
        IAttributionPool.Config memory config = _config(address(cb), CHALLENGE_PERIOD);
        config.treasury = treasury_;
        cbPool = new AttributionPool(config);
        cb.mint(payer, 1_000e18);
        vm.prank(payer);
        cb.approve(address(cbPool), type(uint256).max);
        cb.mint(address(attacker), 1_000e18);
        attacker.execute(address(cb), abi.encodeCall(IERC20.approve, (address(cbPool), type(uint256).max)));
        cb.setHooked(address(attacker), true);
    }

    /// @dev Arms the attacker to pay for one more inference from inside a token hook.
    function _armReentrantPayment() internal {
        attacker.arm(
            address(cbPool),
            abi.encodeCall(AttributionPool.payForInference, (modelId, 1e18, keccak256("reentrant"), ""))
        );
    }

    function _assertReentryRefused() internal view {
        assertTrue(attacker.attempted(), "the hook ran");
        assertFalse(attacker.reentered(), "the reentrant call succeeded");
        assertEq(
            attacker.revertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
    }

    function test_payForInference_treasuryHookCannotReenter() public {
        attacker = new Reenterer();
        _callbackPool(address(attacker));
        _armReentrantPayment();

        vm.prank(payer);
        cbPool.payForInference(modelId, 100e18, keccak256("output"), "");

        _assertReentryRefused();
        assertEq(cbPool.contributorsReceived(), 76e18);
    }

    function test_payForInferences_treasuryHookCannotReenter() public {
        attacker = new Reenterer();
        _callbackPool(address(attacker));
        _armReentrantPayment();
        uint256[] memory amounts = new uint256[](2);
        bytes32[] memory ids = new bytes32[](2);
        (amounts[0], amounts[1], ids[0], ids[1]) = (60e18, 40e18, keccak256("a"), keccak256("b"));

        vm.prank(payer);
        cbPool.payForInferences(modelId, amounts, ids, "");

        _assertReentryRefused();
        assertEq(cbPool.contributorsReceived(), 76e18);
    }

    function test_withdrawOwnerShare_recipientHookCannotReenter() public {
        attacker = new Reenterer();
        _callbackPool(treasury);
        vm.prank(payer);
        cbPool.payForInference(modelId, 100e18, keccak256("output"), "");
        _armReentrantPayment();

        vm.prank(modelOwner);
        uint256 amount = cbPool.withdrawOwnerShare(address(attacker));

        assertEq(amount, 19e18);
        _assertReentryRefused();
        assertEq(cbPool.ownerCredit(modelOwner), 0);
    }

    function test_constructor_acceptsAFeeOfExactlyAllOfThePayment() public {
        IAttributionPool.Config memory config = _config(address(token), CHALLENGE_PERIOD);
        config.protocolFeeBps = 10_000;
        AttributionPool allFee = new AttributionPool(config);
        assertEq(allFee.protocolFeeBps(), 10_000);

        config.protocolFeeBps = 10_001;
        vm.expectRevert(abi.encodeWithSelector(IAttributionPool.BpsTooLarge.selector, 10_001));
        new AttributionPool(config);
    }
}
