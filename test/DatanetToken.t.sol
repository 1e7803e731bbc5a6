// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DatanetToken} from "../contracts/DatanetToken.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Test} from "forge-std/Test.sol";

contract DatanetTokenTest is Test {
    DatanetToken internal token;
    address internal owner = makeAddr("owner");
    address internal alice = makeAddr("alice");

    function setUp() public {
        token = new DatanetToken("Datanet", "DNT", owner, 1_000e18);
    }

    function test_constructor_mintsInitialSupplyToOwner() public view {
        assertEq(token.name(), "Datanet");
        assertEq(token.symbol(), "DNT");
        assertEq(token.decimals(), 18);
        assertEq(token.owner(), owner);
        assertEq(token.totalSupply(), 1_000e18);
        assertEq(token.balanceOf(owner), 1_000e18);
    }

    function test_mint_byOwner() public {
        vm.prank(owner);
        token.mint(alice, 5e18);
        assertEq(token.balanceOf(alice), 5e18);
        assertEq(token.totalSupply(), 1_005e18);
    }

    function test_mint_revertsWhen_callerNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        token.mint(alice, 1);
    }

    function test_permit_setsAllowanceFromSignature() public {
        (address holder, uint256 key) = makeAddrAndKey("holder");
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
                ),
                holder,
                alice,
                7e18,
                0,
                deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        token.permit(holder, alice, 7e18, deadline, v, r, s);
        assertEq(token.allowance(holder, alice), 7e18);
        assertEq(token.nonces(holder), 1);
    }
}
