// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelRegistry} from "../contracts/ModelRegistry.sol";
import {IModelRegistry} from "../contracts/interfaces/IModelRegistry.sol";
import {Fixture} from "./utils/Fixture.sol";

contract ModelRegistryTest is Fixture {
    uint256 internal secondDatanet;

    function setUp() public override {
        super.setUp();
        secondDatanet = _createDatanet(0, REVIEW_PERIOD);
    }

    /* CONSTRUCTOR */

    function test_constructor_setsDatanetRegistry() public view {
        assertEq(models.datanetRegistry(), address(registry));
        assertEq(models.MAX_DATANETS(), 64);
    }

    function test_constructor_revertsWhen_registryZero() public {
        vm.expectRevert(IModelRegistry.ZeroAddress.selector);
        new ModelRegistry(address(0));
    }

    /* REGISTER MODEL */

    function test_registerModel_storesModelOwnedByCaller() public {
        uint256[] memory ids = _ids(datanetId, secondDatanet);
        vm.roll(1_234);
        vm.expectEmit(address(models));
        emit IModelRegistry.ModelRegistered(2, bob, 1_500, ids, "ipfs://bob-model");
        vm.expectEmit(address(models));
        emit IModelRegistry.DataCutoffSet(2, 1_234);
        vm.prank(bob);
        uint256 id = models.registerModel("ipfs://bob-model", ids, 1_500);

        assertEq(id, 2);
        assertEq(models.modelCount(), 2);
        IModelRegistry.Model memory m = models.getModel(id);
        assertEq(m.owner, bob);
        assertEq(m.ownerShareBps, 1_500);
        assertEq(m.dataCutoff, 1_234);
        assertEq(models.datanetsOf(id), ids);
    }

    function test_registerModel_idsAreSequentialFromOne() public {
        assertEq(modelId, 1);
        assertEq(_registerModel(datanetId, 0), 2);
        assertEq(_registerModel(secondDatanet, 0), 3);
        assertEq(models.getModel(4).owner, address(0));
    }

    function test_registerModel_acceptsFullOwnerShareAndMaxDatanets() public {
        for (uint256 i = 3; i <= 64; ++i) {
            _createDatanet(0, 0);
        }
        uint256[] memory ids = new uint256[](64);
        for (uint256 i; i < 64; ++i) {
            ids[i] = i + 1;
        }
        vm.prank(bob);
        uint256 id = models.registerModel("", ids, 10_000);
        assertEq(models.datanetsOf(id).length, 64);
        assertEq(models.getModel(id).ownerShareBps, 10_000);
    }

    function test_registerModel_revertsWhen_noDatanets() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.InvalidDatanetCount.selector, 0, 64));
        models.registerModel("", new uint256[](0), 0);
    }

    function test_registerModel_revertsWhen_tooManyDatanets() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.InvalidDatanetCount.selector, 65, 64));
        models.registerModel("", new uint256[](65), 0);
    }

    function test_registerModel_revertsWhen_ownerShareTooLarge() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.OwnerShareTooLarge.selector, 10_001));
        models.registerModel("", _ids(datanetId, secondDatanet), 10_001);
    }

    function test_registerModel_revertsWhen_datanetNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.DatanetNotFound.selector, 3));
        models.registerModel("", _ids(datanetId, 3), 0);
    }

    function test_registerModel_revertsWhen_datanetZero() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.DatanetNotFound.selector, 0));
        models.registerModel("", _ids(0, datanetId), 0);
    }

    function test_registerModel_revertsWhen_duplicateDatanet() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.DuplicateDatanet.selector, datanetId));
        models.registerModel("", _ids(datanetId, datanetId), 0);
    }

    function testFuzz_registerModel_storesAnyValidOwnerShare(uint16 ownerShareBps) public {
        if (ownerShareBps > 10_000) {
            vm.expectRevert(abi.encodeWithSelector(IModelRegistry.OwnerShareTooLarge.selector, ownerShareBps));
        }
        vm.prank(bob);
        uint256 id = models.registerModel("", _ids(datanetId, secondDatanet), ownerShareBps);
        if (ownerShareBps <= 10_000) assertEq(models.getModel(id).ownerShareBps, ownerShareBps);
    }

    /* SET DATA CUTOFF */

    function test_setDataCutoff_movesCutoffForwardAndEmits() public {
        uint64 registered = models.getModel(modelId).dataCutoff;
        vm.roll(block.number + 100);
        vm.expectEmit(address(models));
        emit IModelRegistry.DataCutoffSet(modelId, registered + 40);
        vm.prank(modelOwner);
        models.setDataCutoff(modelId, registered + 40);
        assertEq(models.getModel(modelId).dataCutoff, registered + 40);

        // Up to the current block, in as many steps as the owner likes.
        vm.prank(modelOwner);
        models.setDataCutoff(modelId, uint64(block.number));
        assertEq(models.getModel(modelId).dataCutoff, block.number);
        assertEq(models.getModel(modelId).owner, modelOwner);
        assertEq(models.getModel(modelId).ownerShareBps, OWNER_SHARE_BPS);
    }

    function test_setDataCutoff_revertsWhen_notForward() public {
        uint64 current = models.getModel(modelId).dataCutoff;
        vm.roll(block.number + 10);
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.CutoffNotForward.selector, modelId, current, current)
        );
        vm.prank(modelOwner);
        models.setDataCutoff(modelId, current);
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.CutoffNotForward.selector, modelId, current - 1, current)
        );
        vm.prank(modelOwner);
        models.setDataCutoff(modelId, current - 1);
    }

    function test_setDataCutoff_revertsWhen_inFuture() public {
        vm.roll(block.number + 10);
        uint64 future = uint64(block.number + 1);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.CutoffInFuture.selector, future, block.number));
        vm.prank(modelOwner);
        models.setDataCutoff(modelId, future);
    }

    function test_setDataCutoff_revertsWhen_callerNotOwner() public {
        vm.roll(block.number + 10);
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.NotModelOwner.selector, modelId, bob, modelOwner)
        );
        vm.prank(bob);
        models.setDataCutoff(modelId, uint64(block.number));
    }

    function test_setDataCutoff_revertsWhen_modelNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNotFound.selector, 9));
        models.setDataCutoff(9, uint64(block.number));
    }

    function testFuzz_setDataCutoff_onlyForwardAndNotInFuture(uint64 cutoff, uint32 advance) public {
        uint64 current = models.getModel(modelId).dataCutoff;
        vm.roll(block.number + advance);
        if (cutoff <= current) {
            vm.expectRevert(
                abi.encodeWithSelector(IModelRegistry.CutoffNotForward.selector, modelId, cutoff, current)
            );
        } else if (cutoff > block.number) {
            vm.expectRevert(
                abi.encodeWithSelector(IModelRegistry.CutoffInFuture.selector, cutoff, block.number)
            );
        }
        vm.prank(modelOwner);
        models.setDataCutoff(modelId, cutoff);
        if (cutoff > current && cutoff <= block.number) {
            assertEq(models.getModel(modelId).dataCutoff, cutoff);
        } else {
            assertEq(models.getModel(modelId).dataCutoff, current);
        }
    }

    /* TRANSFER MODEL */

    function test_transferModel_changesOwner() public {
        vm.expectEmit(address(models));
        emit IModelRegistry.ModelOwnerChanged(modelId, modelOwner, bob);
        vm.prank(modelOwner);
        models.transferModel(modelId, bob);
        assertEq(models.getModel(modelId).owner, bob);
        assertEq(models.getModel(modelId).ownerShareBps, OWNER_SHARE_BPS);
        // The new owner moves the cutoff; the old one no longer can.
        vm.roll(block.number + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.NotModelOwner.selector, modelId, modelOwner, bob)
        );
        vm.prank(modelOwner);
        models.setDataCutoff(modelId, uint64(block.number));
        vm.prank(bob);
        models.setDataCutoff(modelId, uint64(block.number));
    }

    function test_transferModel_revertsWhen_modelNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNotFound.selector, 2));
        vm.prank(modelOwner);
        models.transferModel(2, bob);
    }

    function test_transferModel_revertsWhen_callerNotOwner() public {
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.NotModelOwner.selector, modelId, bob, modelOwner)
        );
        vm.prank(bob);
        models.transferModel(modelId, bob);
    }

    function test_transferModel_revertsWhen_newOwnerZero() public {
        vm.expectRevert(IModelRegistry.ZeroAddress.selector);
        vm.prank(modelOwner);
        models.transferModel(modelId, address(0));
    }

    /* HELPERS */

    function _ids(uint256 a, uint256 b) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](2);
        (ids[0], ids[1]) = (a, b);
    }
}
