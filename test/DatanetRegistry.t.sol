// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DatanetRegistry} from "../contracts/DatanetRegistry.sol";
import {IDatanetRegistry} from "../contracts/interfaces/IDatanetRegistry.sol";
import {CallbackToken, Reenterer} from "./mocks/CallbackToken.sol";
import {ERC1271Wallet} from "./mocks/ERC1271Wallet.sol";
import {FeeOnTransferToken} from "./mocks/FeeOnTransferToken.sol";
import {Fixture} from "./utils/Fixture.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

contract DatanetRegistryTest is Fixture {
    bytes32 internal constant HASH = keccak256("data file");
    string internal constant URI = "ipfs://data";

    /* CONSTRUCTOR */

    function test_constructor_setsBondTokenAndTreasury() public view {
        assertEq(registry.bondToken(), address(token));
        assertEq(registry.treasury(), treasury);
        assertEq(registry.datanetCount(), 1);
    }

    function test_constructor_revertsWhen_bondTokenZero() public {
        vm.expectRevert(IDatanetRegistry.ZeroAddress.selector);
        new DatanetRegistry(address(0), treasury);
    }

    function test_constructor_revertsWhen_treasuryZero() public {
        vm.expectRevert(IDatanetRegistry.ZeroAddress.selector);
        new DatanetRegistry(address(token), address(0));
    }

    /* CREATE DATANET */

    function test_createDatanet_storesDatanetOwnedByCaller() public {
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.DatanetCreated(2, bob, 7e18, 1 hours, "ipfs://bob");
        vm.prank(bob);
        uint256 id = registry.createDatanet("ipfs://bob", 7e18, 1 hours);

        assertEq(id, 2);
        assertEq(registry.datanetCount(), 2);
        assertTrue(registry.datanetExists(id));
        IDatanetRegistry.Datanet memory d = registry.getDatanet(id);
        assertEq(d.owner, bob);
        assertEq(d.bond, 7e18);
        assertEq(d.reviewPeriod, 1 hours);
    }

    function test_createDatanet_idsAreSequentialFromOne() public {
        assertEq(datanetId, 1);
        assertEq(_createDatanet(0, 0), 2);
        assertEq(_createDatanet(0, 0), 3);
        assertFalse(registry.datanetExists(0));
        assertFalse(registry.datanetExists(4));
    }

    function test_createDatanet_revertsWhen_bondTooLarge() public {
        uint256 bond = uint256(type(uint96).max) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.BondTooLarge.selector, bond, type(uint96).max)
        );
        registry.createDatanet("", bond, 0);
    }

    function testFuzz_createDatanet_storesAnyBondThatFits(uint96 bond, uint32 reviewPeriod) public {
        uint256 id = _createDatanet(bond, reviewPeriod);
        assertEq(registry.getDatanet(id).bond, bond);
        assertEq(registry.getDatanet(id).reviewPeriod, reviewPeriod);
    }

    /* SET CURATOR */

    function test_setCurator_addsAndRemovesCurator() public {
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.CuratorSet(datanetId, bob, true);
        vm.prank(datanetOwner);
        registry.setCurator(datanetId, bob, true);
        assertTrue(registry.isCurator(datanetId, bob));

        vm.expectEmit(address(registry));
        emit IDatanetRegistry.CuratorSet(datanetId, bob, false);
        vm.prank(datanetOwner);
        registry.setCurator(datanetId, bob, false);
        assertFalse(registry.isCurator(datanetId, bob));
    }

    function test_setCurator_revertsWhen_datanetNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotFound.selector, 9));
        vm.prank(datanetOwner);
        registry.setCurator(9, bob, true);
    }

    function test_setCurator_revertsWhen_callerNotOwner() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatanetRegistry.NotDatanetOwner.selector, datanetId, curator, datanetOwner
            )
        );
        vm.prank(curator);
        registry.setCurator(datanetId, bob, true);
    }

    function test_setCurator_revertsWhen_curatorZero() public {
        vm.expectRevert(IDatanetRegistry.ZeroAddress.selector);
        vm.prank(datanetOwner);
        registry.setCurator(datanetId, address(0), true);
    }

    /* CONTRIBUTE */

    function test_contribute_registersPendingContributionAndPullsBond() public {
        bytes32 expectedId = keccak256(abi.encode(datanetId, HASH));
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Contributed(expectedId, datanetId, alice, HASH, URI);
        bytes32 id = _contribute(alice, HASH);

        assertEq(id, expectedId);
        assertEq(id, registry.contributionIdOf(datanetId, HASH));
        IDatanetRegistry.Contribution memory c = registry.getContribution(id);
        assertEq(c.contributor, alice);
        assertEq(c.datanetId, datanetId);
        assertEq(c.submittedAt, block.timestamp);
        assertEq(uint8(c.status), uint8(IDatanetRegistry.Status.Pending));
        assertEq(token.balanceOf(address(registry)), BOND);
        assertEq(token.balanceOf(alice), 1_000e18 - BOND);
    }

    function test_contribute_withoutBondMovesNoTokens() public {
        uint256 free = _createDatanet(0, REVIEW_PERIOD);
        vm.prank(stranger); // no tokens, no approval
        bytes32 id = registry.contribute(free, HASH, URI);
        assertEq(uint8(registry.getContribution(id).status), uint8(IDatanetRegistry.Status.Pending));
        assertEq(token.balanceOf(address(registry)), 0);
    }

    function test_contribute_sameHashInAnotherDatanetIsDistinct() public {
        uint256 other = _createDatanet(BOND, REVIEW_PERIOD);
        bytes32 first = _contribute(alice, HASH);
        vm.prank(alice);
        bytes32 second = registry.contribute(other, HASH, URI);
        assertTrue(first != second);
    }

    function test_contribute_revertsWhen_datanetNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotFound.selector, 0));
        vm.prank(alice);
        registry.contribute(0, HASH, URI);
    }

    function test_contribute_revertsWhen_contentHashEmpty() public {
        vm.expectRevert(IDatanetRegistry.EmptyContentHash.selector);
        vm.prank(alice);
        registry.contribute(datanetId, bytes32(0), URI);
    }

    function test_contribute_revertsWhen_duplicatePending() public {
        _contribute(alice, HASH);
        _expectDuplicate(HASH);
        _contribute(bob, HASH);
    }

    function test_contribute_revertsWhen_duplicateAccepted() public {
        bytes32 id = _contribute(alice, HASH);
        _review(id, true);
        _expectDuplicate(HASH);
        _contribute(alice, HASH);
    }

    function test_contribute_revertsWhen_duplicateRetired() public {
        bytes32 id = _contribute(alice, HASH);
        _review(id, true);
        vm.prank(alice);
        registry.retire(id);
        _expectDuplicate(HASH);
        _contribute(bob, HASH);
    }

    function test_contribute_revertsWhen_bondNotApproved() public {
        vm.expectRevert(); // ERC20InsufficientAllowance from the token
        vm.prank(stranger);
        registry.contribute(datanetId, HASH, URI);
    }

    function test_contribute_revertsWhen_feeOnTransferToken() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        DatanetRegistry fotRegistry = new DatanetRegistry(address(fot), treasury);
        vm.prank(datanetOwner);
        uint256 id = fotRegistry.createDatanet("", 100e18, REVIEW_PERIOD);
        fot.mint(alice, 100e18);
        vm.startPrank(alice);
        fot.approve(address(fotRegistry), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.UnsupportedToken.selector, 100e18, 99e18));
        fotRegistry.contribute(id, HASH, URI);
        vm.stopPrank();
    }

    function test_contribute_resubmitsWithdrawnHashUnderSameId() public {
        bytes32 id = _contribute(alice, HASH);
        vm.prank(alice);
        registry.withdraw(id);
        vm.warp(block.timestamp + 1 hours);

        bytes32 again = _contribute(bob, HASH);
        assertEq(again, id);
        IDatanetRegistry.Contribution memory c = registry.getContribution(id);
        assertEq(c.contributor, bob);
        assertEq(c.submittedAt, block.timestamp);
        assertEq(uint8(c.status), uint8(IDatanetRegistry.Status.Pending));
    }

    function test_contribute_squattedHashRejectedThenResubmittedByRealOwner() public {
        // Bob sees Alice's hash in the mempool and front-runs it.
        bytes32 id = _contribute(bob, HASH);
        _expectDuplicate(HASH);
        _contribute(alice, HASH);

        // Bob cannot serve the data, so the curator rejects it: Bob's bond goes to the treasury.
        _review(id, false);
        assertEq(token.balanceOf(treasury), BOND);
        assertEq(token.balanceOf(bob), 1_000e18 - BOND);
        assertEq(registry.reputationOf(bob).rejected, 1);

        // The hash is free again: Alice registers it and is accepted.
        assertEq(_contribute(alice, HASH), id);
        _review(id, true);
        assertEq(registry.getContribution(id).contributor, alice);
        assertEq(uint8(registry.getContribution(id).status), uint8(IDatanetRegistry.Status.Accepted));
        assertEq(registry.reputationOf(alice).accepted, 1);
        assertEq(token.balanceOf(alice), 1_000e18);
    }

    function testFuzz_contribute_locksExactBond(uint96 bond, bool accept) public {
        uint256 id = _createDatanet(bond, REVIEW_PERIOD);
        _fund(stranger, bond);
        vm.prank(stranger);
        bytes32 cid = registry.contribute(id, HASH, URI);
        assertEq(token.balanceOf(address(registry)), bond);
        assertEq(token.balanceOf(stranger), 0);

        vm.prank(datanetOwner);
        registry.review(cid, accept);
        assertEq(token.balanceOf(address(registry)), 0);
        assertEq(token.balanceOf(stranger), accept ? bond : 0);
        assertEq(token.balanceOf(treasury), accept ? 0 : bond);
    }

    /* CONTRIBUTE BATCH */

    function test_contributeBatch_registersAllAndPullsBondsInOneTransfer() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(3);
        for (uint256 i; i < 3; ++i) {
            vm.expectEmit(address(registry));
            emit IDatanetRegistry.Contributed(
                registry.contributionIdOf(datanetId, items[i].contentHash),
                datanetId,
                alice,
                items[i].contentHash,
                items[i].uri
            );
        }
        vm.expectCall(
            address(token), abi.encodeCall(IERC20.transferFrom, (alice, address(registry), 3 * BOND)), 1
        );
        vm.prank(alice);
        bytes32[] memory ids = registry.contributeBatch(datanetId, items);

        assertEq(ids.length, 3);
        for (uint256 i; i < 3; ++i) {
            assertEq(ids[i], registry.contributionIdOf(datanetId, items[i].contentHash));
            assertEq(registry.getContribution(ids[i]).contributor, alice);
        }
        assertEq(token.balanceOf(address(registry)), 3 * BOND);
    }

    function test_contributeBatch_withoutBondMovesNoTokens() public {
        uint256 free = _createDatanet(0, REVIEW_PERIOD);
        vm.prank(stranger);
        bytes32[] memory ids = registry.contributeBatch(free, _items(5));
        assertEq(ids.length, 5);
        assertEq(token.balanceOf(address(registry)), 0);
    }

    function test_contributeBatch_revertsWhen_empty() public {
        vm.expectRevert(IDatanetRegistry.EmptyBatch.selector);
        vm.prank(alice);
        registry.contributeBatch(datanetId, new IDatanetRegistry.ContributionInput[](0));
    }

    function test_contributeBatch_revertsWhen_datanetNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotFound.selector, 5));
        vm.prank(alice);
        registry.contributeBatch(5, _items(2));
    }

    function test_contributeBatch_revertsWhen_duplicateWithinBatch() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(3);
        items[2].contentHash = items[0].contentHash;
        _expectDuplicate(items[0].contentHash);
        vm.prank(alice);
        registry.contributeBatch(datanetId, items);
    }

    function test_contributeBatch_revertsWhen_itemAlreadyRegistered() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(3);
        _contribute(bob, items[1].contentHash);
        _expectDuplicate(items[1].contentHash);
        vm.prank(alice);
        registry.contributeBatch(datanetId, items);
    }

    function test_contributeBatch_revertsWhen_contentHashEmpty() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(3);
        items[1].contentHash = bytes32(0);
        vm.expectRevert(IDatanetRegistry.EmptyContentHash.selector);
        vm.prank(alice);
        registry.contributeBatch(datanetId, items);
    }

    function test_contributeBatch_revertsWhen_feeOnTransferToken() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        DatanetRegistry fotRegistry = new DatanetRegistry(address(fot), treasury);
        vm.prank(datanetOwner);
        uint256 id = fotRegistry.createDatanet("", 100e18, REVIEW_PERIOD);
        fot.mint(alice, 300e18);
        vm.startPrank(alice);
        fot.approve(address(fotRegistry), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.UnsupportedToken.selector, 300e18, 297e18));
        fotRegistry.contributeBatch(id, _items(3));
        vm.stopPrank();
    }

    function testFuzz_contributeBatch_pullsBondTimesCount(uint8 count, uint64 bond) public {
        count = uint8(bound(count, 1, 40));
        uint256 id = _createDatanet(bond, REVIEW_PERIOD);
        _fund(stranger, uint256(bond) * count);
        vm.prank(stranger);
        registry.contributeBatch(id, _items(count));
        assertEq(token.balanceOf(address(registry)), uint256(bond) * count);
        assertEq(token.balanceOf(stranger), 0);
    }

    /* CONTRIBUTE WITH SIG */

    function test_contributeWithSig_registersForSignerAndPullsBondFromSigner() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        _fund(signer, BOND);
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(key, registry.contributeDigest(signer, datanetId, item, 0, deadline));

        bytes32 id = registry.contributionIdOf(datanetId, HASH);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Contributed(id, datanetId, signer, HASH, URI);
        vm.prank(stranger); // the relayer pays the gas, the signer the bond
        assertEq(registry.contributeWithSig(signer, datanetId, item, deadline, sig), id);

        assertEq(registry.getContribution(id).contributor, signer);
        assertEq(registry.nonces(signer), 1);
        assertEq(token.balanceOf(signer), 0);
        assertEq(token.balanceOf(address(registry)), BOND);
    }

    function test_contributeWithSig_acceptsSignatureAtDeadline() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        _fund(signer, BOND);
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(key, registry.contributeDigest(signer, datanetId, item, 0, deadline));
        vm.warp(deadline);
        registry.contributeWithSig(signer, datanetId, item, deadline, sig);
        assertEq(registry.nonces(signer), 1);
    }

    function test_contributeWithSig_acceptsErc1271Wallet() public {
        (address owner, uint256 key) = makeAddrAndKey("walletOwner");
        ERC1271Wallet wallet = new ERC1271Wallet(owner);
        vm.prank(deployer);
        token.mint(address(wallet), BOND);
        wallet.approve(token, address(registry));
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        uint256 deadline = block.timestamp;
        bytes memory sig =
            _sign(key, registry.contributeDigest(address(wallet), datanetId, item, 0, deadline));

        bytes32 id = registry.contributeWithSig(address(wallet), datanetId, item, deadline, sig);
        assertEq(registry.getContribution(id).contributor, address(wallet));
        assertEq(token.balanceOf(address(wallet)), 0);
    }

    function test_contributeWithSig_revertsWhen_expired() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(key, registry.contributeDigest(signer, datanetId, item, 0, deadline));
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.SignatureExpired.selector, deadline));
        registry.contributeWithSig(signer, datanetId, item, deadline, sig);
    }

    function test_contributeWithSig_revertsWhen_wrongSigner() public {
        (, uint256 bobKey) = makeAddrAndKey("bob");
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(bobKey, registry.contributeDigest(alice, datanetId, item, 0, deadline));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, alice));
        registry.contributeWithSig(alice, datanetId, item, deadline, sig);
    }

    function test_contributeWithSig_revertsWhen_fieldTampered() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        _fund(signer, BOND);
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(key, registry.contributeDigest(signer, datanetId, item, 0, deadline));
        item.uri = "ipfs://elsewhere";
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, signer));
        registry.contributeWithSig(signer, datanetId, item, deadline, sig);
    }

    function test_contributeWithSig_revertsWhen_signatureMalformed() public {
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, alice));
        registry.contributeWithSig(alice, datanetId, item, block.timestamp, hex"deadbeef");
    }

    function test_contributeWithSig_revertsWhen_replayedWithSameNonce() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        _fund(signer, 2 * BOND);
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(key, registry.contributeDigest(signer, datanetId, item, 0, deadline));
        bytes32 id = registry.contributeWithSig(signer, datanetId, item, deadline, sig);

        // Free the hash so only the nonce can stop the replay.
        vm.prank(signer);
        registry.withdraw(id);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, signer));
        registry.contributeWithSig(signer, datanetId, item, deadline, sig);

        // The next nonce works.
        sig = _sign(key, registry.contributeDigest(signer, datanetId, item, 1, deadline));
        registry.contributeWithSig(signer, datanetId, item, deadline, sig);
        assertEq(registry.nonces(signer), 2);
    }

    function test_contributeWithSig_revertsWhen_signedForAnotherChain() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        _fund(signer, BOND);
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        bytes memory sig = _sign(key, registry.contributeDigest(signer, datanetId, item, 0, block.timestamp));
        vm.chainId(block.chainid + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, signer));
        registry.contributeWithSig(signer, datanetId, item, block.timestamp, sig);
    }

    function test_contributeWithSig_revertsWhen_signedForAnotherRegistry() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        _fund(signer, BOND);
        DatanetRegistry other = new DatanetRegistry(address(token), treasury);
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        bytes memory sig = _sign(key, other.contributeDigest(signer, datanetId, item, 0, block.timestamp));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, signer));
        registry.contributeWithSig(signer, datanetId, item, block.timestamp, sig);
    }

    function test_contributeWithSig_revertsWhen_datanetNotFound() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        bytes memory sig = _sign(key, registry.contributeDigest(signer, 42, item, 0, block.timestamp));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotFound.selector, 42));
        registry.contributeWithSig(signer, 42, item, block.timestamp, sig);
    }

    function test_contributeDigest_isEip712OverContributeType() public view {
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        bytes32 domain = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("DatanetRegistry"),
                keccak256("1"),
                block.chainid,
                address(registry)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "Contribute(address contributor,uint256 datanetId,bytes32 contentHash,string uri,uint256 nonce,uint256 deadline)"
                ),
                alice,
                datanetId,
                HASH,
                keccak256(bytes(URI)),
                7,
                1234
            )
        );
        assertEq(
            registry.contributeDigest(alice, datanetId, item, 7, 1234),
            keccak256(abi.encodePacked("\x19\x01", domain, structHash))
        );
    }

    function testFuzz_contributeWithSig_onlyContributorKeyIsAccepted(uint256 signerKey) public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        signerKey = bound(signerKey, 1, 2 ** 128);
        _fund(signer, BOND);
        IDatanetRegistry.ContributionInput memory item = _contributionInput(HASH, URI);
        bytes memory sig =
            _sign(signerKey, registry.contributeDigest(signer, datanetId, item, 0, block.timestamp));
        if (signerKey != key) {
            vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, signer));
        }
        registry.contributeWithSig(signer, datanetId, item, block.timestamp, sig);
    }

    /* REVIEW */

    function test_review_acceptReturnsBondAndCountsReputation() public {
        bytes32 id = _contribute(alice, HASH);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Reviewed(id, curator, true, false);
        _review(id, true);

        assertEq(uint8(registry.getContribution(id).status), uint8(IDatanetRegistry.Status.Accepted));
        assertEq(token.balanceOf(alice), 1_000e18);
        assertEq(token.balanceOf(address(registry)), 0);
        assertEq(registry.reputationOf(alice).accepted, 1);
        assertEq(registry.reputationOf(alice).rejected, 0);
    }

    function test_review_rejectSendsBondToTreasuryNeverCurator() public {
        bytes32 id = _contribute(alice, HASH);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Reviewed(id, curator, false, false);
        _review(id, false);

        assertEq(uint8(registry.getContribution(id).status), uint8(IDatanetRegistry.Status.Rejected));
        assertEq(token.balanceOf(treasury), BOND);
        assertEq(token.balanceOf(curator), 0);
        assertEq(token.balanceOf(alice), 1_000e18 - BOND);
        assertEq(registry.reputationOf(alice).rejected, 1);
    }

    function test_review_byDatanetOwner() public {
        bytes32 id = _contribute(alice, HASH);
        vm.prank(datanetOwner);
        registry.review(id, true);
        assertEq(uint8(registry.getContribution(id).status), uint8(IDatanetRegistry.Status.Accepted));
    }

    function test_review_allowedAtLastSecondOfReviewPeriod() public {
        bytes32 id = _contribute(alice, HASH);
        vm.warp(block.timestamp + REVIEW_PERIOD);
        _review(id, true);
        assertEq(uint8(registry.getContribution(id).status), uint8(IDatanetRegistry.Status.Accepted));
    }

    function test_review_revertsWhen_callerNotCurator() public {
        bytes32 id = _contribute(alice, HASH);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.NotCurator.selector, datanetId, stranger));
        vm.prank(stranger);
        registry.review(id, false);
    }

    function test_review_revertsWhen_curatorRemoved() public {
        bytes32 id = _contribute(alice, HASH);
        vm.prank(datanetOwner);
        registry.setCurator(datanetId, curator, false);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.NotCurator.selector, datanetId, curator));
        _review(id, true);
    }

    function test_review_revertsWhen_curatorOfAnotherDatanet() public {
        uint256 other = _createDatanet(0, REVIEW_PERIOD);
        vm.prank(datanetOwner);
        registry.setCurator(other, bob, true);
        bytes32 id = _contribute(alice, HASH);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.NotCurator.selector, datanetId, bob));
        vm.prank(bob);
        registry.review(id, true);
    }

    function test_review_revertsWhen_contributionNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.ContributionNotFound.selector, HASH));
        _review(HASH, true);
    }

    function test_review_revertsWhen_alreadyReviewed() public {
        bytes32 id = _contribute(alice, HASH);
        _review(id, true);
        _expectInvalidStatus(id, IDatanetRegistry.Status.Accepted, IDatanetRegistry.Status.Pending);
        _review(id, false);
    }

    function test_review_revertsWhen_reviewPeriodOver() public {
        bytes32 id = _contribute(alice, HASH);
        uint256 deadline = block.timestamp + REVIEW_PERIOD;
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.ReviewPeriodOver.selector, id, deadline));
        _review(id, false);
    }

    /* REVIEW BATCH */

    function test_reviewBatch_reviewsEveryContribution() public {
        vm.prank(alice);
        bytes32[] memory ids = registry.contributeBatch(datanetId, _items(3));
        for (uint256 i; i < 3; ++i) {
            vm.expectEmit(address(registry));
            emit IDatanetRegistry.Reviewed(ids[i], curator, false, false);
        }
        vm.prank(curator);
        registry.reviewBatch(ids, false);
        for (uint256 i; i < 3; ++i) {
            assertEq(uint8(registry.getContribution(ids[i]).status), uint8(IDatanetRegistry.Status.Rejected));
        }
        assertEq(registry.reputationOf(alice).rejected, 3);
        assertEq(token.balanceOf(treasury), 3 * BOND);
    }

    function test_reviewBatch_revertsWhen_empty() public {
        vm.expectRevert(IDatanetRegistry.EmptyBatch.selector);
        vm.prank(curator);
        registry.reviewBatch(new bytes32[](0), true);
    }

    function test_reviewBatch_revertsWhen_anyContributionNotCurated() public {
        uint256 other = _createDatanet(0, REVIEW_PERIOD);
        bytes32[] memory ids = new bytes32[](2);
        ids[0] = _contribute(alice, HASH);
        vm.prank(alice);
        ids[1] = registry.contribute(other, HASH, URI);
        vm.prank(datanetOwner);
        registry.setCurator(other, curator, false);

        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.NotCurator.selector, other, curator));
        vm.prank(curator);
        registry.reviewBatch(ids, true);
        // Atomic: the first one is still pending.
        assertEq(uint8(registry.getContribution(ids[0]).status), uint8(IDatanetRegistry.Status.Pending));
    }

    /* FINALIZE */

    function test_finalize_acceptsAfterReviewPeriod() public {
        bytes32 id = _contribute(alice, HASH);
        vm.warp(block.timestamp + REVIEW_PERIOD + 1);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Reviewed(id, stranger, true, true);
        vm.prank(stranger);
        registry.finalize(id);

        assertEq(uint8(registry.getContribution(id).status), uint8(IDatanetRegistry.Status.Accepted));
        assertEq(token.balanceOf(alice), 1_000e18);
        assertEq(registry.reputationOf(alice).accepted, 1);
    }

    function test_finalize_revertsWhen_reviewPeriodNotOver() public {
        bytes32 id = _contribute(alice, HASH);
        uint256 deadline = block.timestamp + REVIEW_PERIOD;
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.ReviewPeriodNotOver.selector, id, deadline));
        registry.finalize(id);
    }

    function test_finalize_revertsWhen_contributionNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.ContributionNotFound.selector, HASH));
        registry.finalize(HASH);
    }

    function test_finalize_revertsWhen_alreadyRejected() public {
        bytes32 id = _contribute(alice, HASH);
        _review(id, false);
        vm.warp(block.timestamp + REVIEW_PERIOD + 1);
        _expectInvalidStatus(id, IDatanetRegistry.Status.Rejected, IDatanetRegistry.Status.Pending);
        registry.finalize(id);
    }

    function testFuzz_finalize_onlyStrictlyAfterReviewPeriod(uint32 reviewPeriod, uint32 elapsed) public {
        uint256 id = _createDatanet(0, reviewPeriod);
        vm.prank(alice);
        bytes32 cid = registry.contribute(id, HASH, URI);
        uint256 deadline = block.timestamp + reviewPeriod;
        vm.warp(block.timestamp + elapsed);
        if (block.timestamp <= deadline) {
            vm.expectRevert(
                abi.encodeWithSelector(IDatanetRegistry.ReviewPeriodNotOver.selector, cid, deadline)
            );
        }
        registry.finalize(cid);
    }

    /* WITHDRAW */

    function test_withdraw_refundsBondAndFreesHash() public {
        bytes32 id = _contribute(alice, HASH);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Withdrawn(id, alice);
        vm.prank(alice);
        registry.withdraw(id);

        assertEq(uint8(registry.getContribution(id).status), uint8(IDatanetRegistry.Status.Withdrawn));
        assertEq(token.balanceOf(alice), 1_000e18);
        assertEq(token.balanceOf(address(registry)), 0);
        assertEq(registry.reputationOf(alice).accepted, 0);
        assertEq(registry.reputationOf(alice).rejected, 0);
        _contribute(alice, HASH);
    }

    function test_withdraw_withoutBondMovesNoTokens() public {
        uint256 free = _createDatanet(0, REVIEW_PERIOD);
        vm.startPrank(alice);
        bytes32 id = registry.contribute(free, HASH, URI);
        registry.withdraw(id);
        vm.stopPrank();
        assertEq(uint8(registry.getContribution(id).status), uint8(IDatanetRegistry.Status.Withdrawn));
    }

    function test_withdraw_allowedAfterReviewPeriod() public {
        bytes32 id = _contribute(alice, HASH);
        vm.warp(block.timestamp + REVIEW_PERIOD + 1);
        vm.prank(alice);
        registry.withdraw(id);
        assertEq(token.balanceOf(alice), 1_000e18);
    }

    function test_withdraw_revertsWhen_callerNotContributor() public {
        bytes32 id = _contribute(alice, HASH);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.NotContributor.selector, id, bob, alice));
        vm.prank(bob);
        registry.withdraw(id);
    }

    function test_withdraw_revertsWhen_contributionNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.ContributionNotFound.selector, HASH));
        vm.prank(alice);
        registry.withdraw(HASH);
    }

    function test_withdraw_revertsWhen_accepted() public {
        bytes32 id = _contribute(alice, HASH);
        _review(id, true);
        _expectInvalidStatus(id, IDatanetRegistry.Status.Accepted, IDatanetRegistry.Status.Pending);
        vm.prank(alice);
        registry.withdraw(id);
    }

    function test_withdraw_revertsWhen_alreadyWithdrawn() public {
        bytes32 id = _contribute(alice, HASH);
        vm.startPrank(alice);
        registry.withdraw(id);
        _expectInvalidStatus(id, IDatanetRegistry.Status.Withdrawn, IDatanetRegistry.Status.Pending);
        registry.withdraw(id);
        vm.stopPrank();
    }

    function test_withdraw_reentrantWithdrawFromTokenCallbackFails() public {
        CallbackToken cb = new CallbackToken();
        DatanetRegistry cbRegistry = new DatanetRegistry(address(cb), treasury);
        vm.prank(datanetOwner);
        uint256 id = cbRegistry.createDatanet("", BOND, REVIEW_PERIOD);
        Reenterer attacker = new Reenterer();
        cb.setHooked(address(attacker), true);
        cb.mint(address(attacker), BOND);
        attacker.execute(address(cb), abi.encodeCall(IERC20.approve, (address(cbRegistry), BOND)));
        bytes32 cid = abi.decode(
            attacker.execute(
                address(cbRegistry), abi.encodeCall(DatanetRegistry.contribute, (id, HASH, URI))
            ),
            (bytes32)
        );
        // On refund, the attacker tries to withdraw (and be refunded) a second time.
        attacker.arm(address(cbRegistry), abi.encodeCall(DatanetRegistry.withdraw, (cid)));
        attacker.execute(address(cbRegistry), abi.encodeCall(DatanetRegistry.withdraw, (cid)));

        assertTrue(attacker.attempted());
        assertFalse(attacker.reentered());
        assertEq(
            attacker.revertData(),
            abi.encodeWithSelector(
                IDatanetRegistry.InvalidStatus.selector,
                cid,
                IDatanetRegistry.Status.Withdrawn,
                IDatanetRegistry.Status.Pending
            )
        );
        assertEq(cb.balanceOf(address(attacker)), BOND);
        assertEq(cb.balanceOf(address(cbRegistry)), 0);
    }

    /* RETIRE */

    function test_retire_marksAcceptedContributionRetired() public {
        bytes32 id = _contribute(alice, HASH);
        _review(id, true);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Retired(id, alice);
        vm.prank(alice);
        registry.retire(id);
        assertEq(uint8(registry.getContribution(id).status), uint8(IDatanetRegistry.Status.Retired));
        // Reputation keeps the acceptance.
        assertEq(registry.reputationOf(alice).accepted, 1);
    }

    function test_retire_revertsWhen_pending() public {
        bytes32 id = _contribute(alice, HASH);
        _expectInvalidStatus(id, IDatanetRegistry.Status.Pending, IDatanetRegistry.Status.Accepted);
        vm.prank(alice);
        registry.retire(id);
    }

    function test_retire_revertsWhen_alreadyRetired() public {
        bytes32 id = _contribute(alice, HASH);
        _review(id, true);
        vm.startPrank(alice);
        registry.retire(id);
        _expectInvalidStatus(id, IDatanetRegistry.Status.Retired, IDatanetRegistry.Status.Accepted);
        registry.retire(id);
        vm.stopPrank();
    }

    function test_retire_revertsWhen_contributionNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.ContributionNotFound.selector, HASH));
        vm.prank(alice);
        registry.retire(HASH);
    }

    function test_retire_revertsWhen_callerNotContributor() public {
        bytes32 id = _contribute(alice, HASH);
        _review(id, true);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.NotContributor.selector, id, curator, alice));
        vm.prank(curator);
        registry.retire(id);
    }

    /* VIEWS */

    function test_getContributions_returnsEachInOrder() public {
        bytes32 a = _contribute(alice, keccak256("a"));
        bytes32 b = _contribute(bob, keccak256("b"));
        _review(b, true);
        bytes32[] memory ids = new bytes32[](3);
        (ids[0], ids[1], ids[2]) = (b, keccak256("unknown"), a);

        IDatanetRegistry.Contribution[] memory cs = registry.getContributions(ids);
        assertEq(cs.length, 3);
        assertEq(cs[0].contributor, bob);
        assertEq(uint8(cs[0].status), uint8(IDatanetRegistry.Status.Accepted));
        assertEq(cs[1].contributor, address(0));
        assertEq(uint8(cs[1].status), uint8(IDatanetRegistry.Status.None));
        assertEq(cs[2].contributor, alice);
        assertEq(uint8(cs[2].status), uint8(IDatanetRegistry.Status.Pending));
    }

    /* REPUTATION */

    function test_reputation_countsEveryAcceptanceAndRejection() public {
        bytes32 a1 = _contribute(alice, keccak256("a1"));
        bytes32 a2 = _contribute(alice, keccak256("a2"));
        bytes32 a3 = _contribute(alice, keccak256("a3"));
        bytes32 a4 = _contribute(alice, keccak256("a4"));
        bytes32 b1 = _contribute(bob, keccak256("b1"));
        _review(a1, true);
        _review(a2, false);
        _review(b1, false);
        vm.prank(alice);
        registry.withdraw(a3); // a withdrawal counts neither way
        vm.warp(block.timestamp + REVIEW_PERIOD + 1);
        registry.finalize(a4);

        assertEq(registry.reputationOf(alice).accepted, 2);
        assertEq(registry.reputationOf(alice).rejected, 1);
        assertEq(registry.reputationOf(bob).accepted, 0);
        assertEq(registry.reputationOf(bob).rejected, 1);
        assertEq(registry.reputationOf(carol).accepted, 0);
    }

    /* HELPERS */

    function _items(uint256 count) internal pure returns (IDatanetRegistry.ContributionInput[] memory items) {
        items = new IDatanetRegistry.ContributionInput[](count);
        for (uint256 i; i < count; ++i) {
            items[i] = IDatanetRegistry.ContributionInput({
                contentHash: keccak256(abi.encode("file", i)),
                uri: string.concat("ipfs://file/", vm.toString(i))
            });
        }
    }

    function _expectDuplicate(bytes32 contentHash) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatanetRegistry.DuplicateContribution.selector,
                datanetId,
                contentHash,
                registry.contributionIdOf(datanetId, contentHash)
            )
        );
    }

    function _expectInvalidStatus(
        bytes32 id,
        IDatanetRegistry.Status status,
        IDatanetRegistry.Status expected
    ) internal {
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidStatus.selector, id, status, expected));
    }
}
