// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DatanetToken} from "../contracts/DatanetToken.sol";
import {IAttributionPool} from "../contracts/interfaces/IAttributionPool.sol";
import {Deploy} from "../scripts/Deploy.s.sol";
import {Test} from "forge-std/Test.sol";

contract DeployScriptTest is Test {
    Deploy internal script;
    address internal deployer = makeAddr("deployer");

    function setUp() public {
        script = new Deploy();
    }

    function test_deploy_defaultsMakeDeployerEveryRole() public {
        Deploy.Deployment memory d = script.deploy(script.params(deployer));

        DatanetToken token = DatanetToken(d.token);
        assertEq(token.symbol(), "DATA");
        assertEq(token.balanceOf(deployer), 1_000_000_000e18);
        assertEq(token.owner(), deployer);
        assertEq(d.datanetRegistry.bondToken(), d.token);
        assertEq(d.datanetRegistry.treasury(), deployer);
        assertEq(d.datanetRegistry.minCommitmentAge(), 60);
        assertEq(d.datanetRegistry.maxCommitmentAge(), 1 days);
        assertEq(d.modelRegistry.datanetRegistry(), address(d.datanetRegistry));
        assertEq(d.attributionPool.token(), d.token);
        assertEq(d.attributionPool.modelRegistry(), address(d.modelRegistry));
        assertEq(d.attributionPool.treasury(), deployer);
        assertEq(d.attributionPool.guardian(), deployer);
        assertEq(d.attributionPool.proposalNonce(), 0);
        assertEq(d.attributionPool.owner(), deployer);
        assertEq(d.attributionPool.threshold(), 1);
        assertEq(d.attributionPool.attestors().length, 1);
        assertTrue(d.attributionPool.isAttestor(deployer));
        assertEq(d.attributionPool.challengePeriod(), 1 days);
        assertEq(d.attributionPool.protocolFeeBps(), 500);
    }

    function test_deploy_usesGivenParameters() public {
        Deploy.Params memory p = script.params(deployer);
        DatanetToken existing = new DatanetToken("Existing", "EX", address(this), 0);
        p.token = address(existing);
        p.attestors = new address[](3);
        (p.attestors[0], p.attestors[1], p.attestors[2]) = (makeAddr("a1"), makeAddr("a2"), makeAddr("a3"));
        p.threshold = 2;
        p.challengePeriod = 3 hours;
        p.minCommitmentAge = 1;
        p.maxCommitmentAge = 2 hours;
        p.protocolFeeBps = 250;
        p.treasury = makeAddr("treasury");
        p.guardian = makeAddr("guardian");
        p.owner = makeAddr("owner");
        Deploy.Deployment memory d = script.deploy(p);

        assertEq(d.token, address(existing));
        assertEq(d.datanetRegistry.treasury(), p.treasury);
        assertEq(d.datanetRegistry.minCommitmentAge(), 1);
        assertEq(d.datanetRegistry.maxCommitmentAge(), 2 hours);
        assertEq(d.attributionPool.attestors(), p.attestors);
        assertEq(d.attributionPool.threshold(), 2);
        assertEq(d.attributionPool.challengePeriod(), 3 hours);
        assertEq(d.attributionPool.protocolFeeBps(), 250);
        assertEq(d.attributionPool.guardian(), p.guardian);
        assertEq(d.attributionPool.owner(), p.owner);
    }

    function test_deploy_revertsWhen_challengePeriodOutOfBounds() public {
        Deploy.Params memory p = script.params(deployer);
        p.challengePeriod = 0;
        vm.expectRevert(
            abi.encodeWithSelector(IAttributionPool.InvalidChallengePeriod.selector, 0, 1 hours, 30 days)
        );
        script.deploy(p);
    }
}
