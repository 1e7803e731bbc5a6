// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DatanetRegistry} from "../contracts/DatanetRegistry.sol";
import {IDatanetRegistry} from "../contracts/interfaces/IDatanetRegistry.sol";
import {CallbackToken, Reenterer} from "./mocks/CallbackToken.sol";
import {ERC1271Wallet} from "./mocks/ERC1271Wallet.sol";
import {FeeOnTransferToken} from "./mocks/FeeOnTransferToken.sol";
import {Fixture} from "./utils/Fixture.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

contract DatanetRegistryTest is Fixture {
    bytes32 internal constant HASH = keccak256("data file");
    string internal constant URI = DATA_URI;

    /* CONSTRUCTOR */

    function test_constructor_setsBondTokenTreasuryAndCommitmentAges() public view {
        assertEq(registry.bondToken(), address(token));
        assertEq(registry.treasury(), treasury);
        assertEq(registry.minCommitmentAge(), MIN_COMMITMENT_AGE);
        assertEq(registry.maxCommitmentAge(), MAX_COMMITMENT_AGE);
        assertEq(registry.datanetCount(), 1);
    }

    function test_constructor_revertsWhen_bondTokenZero() public {
        vm.expectRevert(IDatanetRegistry.ZeroAddress.selector);
        new DatanetRegistry(address(0), treasury, 1, 2);
    }

    function test_constructor_revertsWhen_treasuryZero() public {
        vm.expectRevert(IDatanetRegistry.ZeroAddress.selector);
        new DatanetRegistry(address(token), address(0), 1, 2);
    }

    function test_constructor_revertsWhen_minCommitmentAgeZero() public {
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidCommitmentAges.selector, 0, 100));
        new DatanetRegistry(address(token), treasury, 0, 100);
    }

    function test_constructor_revertsWhen_minNotBelowMax() public {
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidCommitmentAges.selector, 100, 100));
        new DatanetRegistry(address(token), treasury, 100, 100);
    }

    function test_constructor_revertsWhen_maxAboveUint24() public {
        uint32 max = uint32(type(uint24).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidCommitmentAges.selector, 1, max));
        new DatanetRegistry(address(token), treasury, 1, max);
    }

    function testFuzz_constructor_acceptsExactlyValidAges(uint32 min, uint32 max) public {
        bool valid = min >= 1 && min < max && max <= type(uint24).max;
        if (!valid) {
            vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidCommitmentAges.selector, min, max));
        }
        DatanetRegistry r = new DatanetRegistry(address(token), treasury, min, max);
        if (valid) {
            assertEq(r.minCommitmentAge(), min);
            assertEq(r.maxCommitmentAge(), max);
        }
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

    function test_createDatanet_revertsWhen_idBeyondUint32() public {
        // Storage slot 3 is `_datanetCount` (after EIP712's two fallback strings and Nonces' mapping).
        vm.store(address(registry), bytes32(uint256(3)), bytes32(uint256(type(uint32).max) - 1));
        assertEq(_createDatanet(0, 0), type(uint32).max);
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetLimitReached.selector, type(uint32).max)
        );
        registry.createDatanet("", 0, 0);
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

    /* COMMIT */

    function test_commit_recordsTimestampAndEmits() public {
        bytes32 c = _commitmentOf(alice, datanetId, _items(HASH, URI), _salt(alice));
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Committed(c);
        vm.prank(alice);
        registry.commit(c);
        assertEq(registry.commitmentOf(c), block.timestamp);
    }

    function test_commit_anyoneMayCommitForAContributor() public {
        // A relayer commits; the commitment binds Alice, who alone can reveal it.
        bytes32 c = _commitmentOf(alice, datanetId, _items(HASH, URI), _salt(alice));
        vm.prank(stranger);
        registry.commit(c);
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        bytes32 id = _reveal(alice, datanetId, _items(HASH, URI))[0];
        assertEq(registry.getContribution(id).contributor, alice);
    }

    function test_commit_revertsWhen_unexpiredCommitmentExists() public {
        bytes32 c = keccak256("commitment");
        registry.commit(c);
        uint256 committedAt = block.timestamp;
        vm.warp(committedAt + MAX_COMMITMENT_AGE);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.CommitmentExists.selector, c, committedAt));
        vm.prank(stranger);
        registry.commit(c);
        assertEq(registry.commitmentOf(c), committedAt);
    }

    function test_commit_recordsAgainAfterExpiry() public {
        bytes32 c = keccak256("commitment");
        registry.commit(c);
        vm.warp(block.timestamp + MAX_COMMITMENT_AGE + 1);
        registry.commit(c);
        assertEq(registry.commitmentOf(c), block.timestamp);
    }

    function test_makeCommitment_isKeccakOfContributorDatanetItemsHashAndSalt() public view {
        bytes32[] memory hashes = new bytes32[](2);
        (hashes[0], hashes[1]) = (keccak256("a"), keccak256("b"));
        bytes32 expected =
            keccak256(abi.encode(alice, datanetId, keccak256(abi.encodePacked(hashes)), bytes32("s")));
        assertEq(registry.makeCommitment(alice, datanetId, hashes, bytes32("s")), expected);
    }

    /* REVEAL */

    function test_reveal_registersPendingContributionAndPullsBond() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        bytes32 c = _commit(alice, datanetId, items, _salt(alice));
        uint256 committedAt = block.timestamp;
        vm.warp(block.timestamp + 2 hours);
        bytes32 expectedId = keccak256(abi.encode(datanetId, HASH));
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Revealed(c);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Contributed(HASH, datanetId, alice, URI);
        bytes32 id = _reveal(alice, datanetId, items)[0];

        assertEq(id, expectedId);
        assertEq(id, registry.contributionIdOf(datanetId, HASH));
        IDatanetRegistry.Contribution memory contribution = registry.getContribution(id);
        assertEq(contribution.contributor, alice);
        assertEq(contribution.datanetId, datanetId);
        assertEq(contribution.submittedAt, block.timestamp);
        assertEq(contribution.commitAge, 2 hours);
        assertEq(contribution.submittedAt - contribution.commitAge, committedAt);
        assertEq(uint8(contribution.status), uint8(IDatanetRegistry.Status.Pending));
        assertEq(token.balanceOf(address(registry)), BOND);
        assertEq(token.balanceOf(alice), 1_000e18 - BOND);
        // The commitment is consumed.
        assertEq(registry.commitmentOf(c), 0);
    }

    function test_reveal_registersBatchAndPullsBondsInOneTransfer() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(3);
        _commit(alice, datanetId, items, _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        for (uint256 i; i < 3; ++i) {
            vm.expectEmit(address(registry));
            emit IDatanetRegistry.Contributed(items[i].contentHash, datanetId, alice, items[i].uri);
        }
        vm.expectCall(
            address(token), abi.encodeCall(IERC20.transferFrom, (alice, address(registry), 3 * BOND)), 1
        );
        bytes32[] memory ids = _reveal(alice, datanetId, items);

        assertEq(ids.length, 3);
        for (uint256 i; i < 3; ++i) {
            assertEq(ids[i], registry.contributionIdOf(datanetId, items[i].contentHash));
            assertEq(registry.getContribution(ids[i]).contributor, alice);
        }
        assertEq(token.balanceOf(address(registry)), 3 * BOND);
    }

    function test_reveal_withoutBondMovesNoTokens() public {
        uint256 free = _createDatanet(0, REVIEW_PERIOD);
        IDatanetRegistry.ContributionInput[] memory items = _items(5);
        _commit(stranger, free, items, _salt(stranger)); // no tokens, no approval
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        vm.expectCall(address(token), abi.encodeWithSelector(IERC20.transferFrom.selector), 0);
        bytes32[] memory ids = _reveal(stranger, free, items);
        assertEq(uint8(registry.getContribution(ids[4]).status), uint8(IDatanetRegistry.Status.Pending));
        assertEq(token.balanceOf(address(registry)), 0);
    }

    function test_reveal_acceptedFromMinToMaxCommitmentAge() public {
        bytes32 a = _revealAfter(alice, keccak256("a"), MIN_COMMITMENT_AGE);
        bytes32 b = _revealAfter(bob, keccak256("b"), MAX_COMMITMENT_AGE);
        assertEq(registry.getContribution(a).commitAge, MIN_COMMITMENT_AGE);
        assertEq(registry.getContribution(b).commitAge, MAX_COMMITMENT_AGE);
    }

    function test_reveal_revertsWhen_commitmentTooNew() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        bytes32 c = _commit(alice, datanetId, items, _salt(alice));
        uint256 revealableAt = block.timestamp + MIN_COMMITMENT_AGE;
        vm.warp(revealableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.CommitmentTooNew.selector, c, revealableAt));
        _reveal(alice, datanetId, items);
    }

    function test_reveal_revertsWhen_commitmentExpired() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        bytes32 c = _commit(alice, datanetId, items, _salt(alice));
        uint256 expiredAt = block.timestamp + MAX_COMMITMENT_AGE;
        vm.warp(expiredAt + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.CommitmentExpired.selector, c, expiredAt));
        _reveal(alice, datanetId, items);
    }

    function test_reveal_revertsWhen_noCommitment() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        _expectCommitmentNotFound(alice, datanetId, items, _salt(alice));
        _reveal(alice, datanetId, items);
    }

    function test_reveal_revertsWhen_anythingDiffersFromTheCommitment() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(2);
        _commit(alice, datanetId, items, _salt(alice));
        uint256 other = _createDatanet(BOND, REVIEW_PERIOD);
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);

        // Another salt.
        _expectCommitmentNotFound(alice, datanetId, items, _salt(bob));
        vm.prank(alice);
        registry.reveal(datanetId, items, _salt(bob));
        // Another datanet.
        _expectCommitmentNotFound(alice, other, items, _salt(alice));
        _reveal(alice, other, items);
        // Another revealer.
        _expectCommitmentNotFound(bob, datanetId, items, _salt(alice));
        vm.prank(bob);
        registry.reveal(datanetId, items, _salt(alice));
        // The items in another order, or one fewer.
        IDatanetRegistry.ContributionInput[] memory swapped = _items(2);
        (swapped[0], swapped[1]) = (items[1], items[0]);
        _expectCommitmentNotFound(alice, datanetId, swapped, _salt(alice));
        _reveal(alice, datanetId, swapped);
        IDatanetRegistry.ContributionInput[] memory fewer = _items(items[0].contentHash, items[0].uri);
        _expectCommitmentNotFound(alice, datanetId, fewer, _salt(alice));
        _reveal(alice, datanetId, fewer);

        // Other URIs are not part of the commitment: the contributor picks them at reveal time.
        items[0].uri = "https://mirror.example/0";
        bytes32[] memory ids = _reveal(alice, datanetId, items);
        assertEq(registry.getContribution(ids[0]).contributor, alice);
    }

    function test_reveal_revertsWhen_revealedTwice() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        _commit(alice, datanetId, items, _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        _reveal(alice, datanetId, items);
        _expectCommitmentNotFound(alice, datanetId, items, _salt(alice));
        _reveal(alice, datanetId, items);
    }

    function test_reveal_revertsWhen_empty() public {
        vm.expectRevert(IDatanetRegistry.EmptyBatch.selector);
        vm.prank(alice);
        registry.reveal(datanetId, new IDatanetRegistry.ContributionInput[](0), _salt(alice));
    }

    function test_reveal_revertsWhen_datanetNotFound() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        _commit(alice, 5, items, _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotFound.selector, 5));
        _reveal(alice, 5, items);
    }

    function test_reveal_revertsWhen_contentHashEmpty() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(3);
        items[1].contentHash = bytes32(0);
        _commit(alice, datanetId, items, _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        vm.expectRevert(IDatanetRegistry.EmptyContentHash.selector);
        _reveal(alice, datanetId, items);
    }

    function test_reveal_revertsWhen_duplicateWithinBatch() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(3);
        items[2].contentHash = items[0].contentHash;
        _commit(alice, datanetId, items, _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        _expectDuplicate(items[0].contentHash);
        _reveal(alice, datanetId, items);
    }

    function test_reveal_revertsWhen_pendingUnderEarlierCommitment() public {
        _contribute(bob, HASH);
        _expectDuplicateOnReveal(alice, HASH);
    }

    function test_reveal_revertsWhen_pendingUnderCommitmentOfTheSameSecond() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        _commit(bob, datanetId, items, _salt(bob));
        _commit(alice, datanetId, items, _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        _reveal(bob, datanetId, items);
        // Equal commit times: the first reveal keeps it.
        _expectDuplicate(HASH);
        _reveal(alice, datanetId, items);
    }

    function test_reveal_revertsWhen_acceptedEvenUnderEarlierCommitment() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        _commit(alice, datanetId, items, _salt(alice));
        vm.warp(block.timestamp + 1 hours);
        bytes32 id = _contribute(bob, HASH);
        _review(id, true);
        _expectDuplicate(HASH);
        _reveal(alice, datanetId, items);
    }

    function test_reveal_revertsWhen_retired() public {
        bytes32 id = _contribute(alice, HASH);
        _review(id, true);
        vm.prank(alice);
        registry.retire(id);
        _expectDuplicateOnReveal(bob, HASH);
    }

    function test_reveal_revertsWhen_bondNotApproved() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        _commit(stranger, datanetId, items, _salt(stranger));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        vm.expectRevert(); // ERC20InsufficientAllowance from the token
        _reveal(stranger, datanetId, items);
    }

    function test_reveal_revertsWhen_feeOnTransferToken() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        DatanetRegistry fotRegistry =
            new DatanetRegistry(address(fot), treasury, MIN_COMMITMENT_AGE, MAX_COMMITMENT_AGE);
        vm.prank(datanetOwner);
        uint256 id = fotRegistry.createDatanet("", 100e18, REVIEW_PERIOD);
        fot.mint(alice, 300e18);
        IDatanetRegistry.ContributionInput[] memory items = _items(3);
        vm.startPrank(alice);
        fot.approve(address(fotRegistry), type(uint256).max);
        fotRegistry.commit(fotRegistry.makeCommitment(alice, id, _hashesOf(items), _salt(alice)));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.UnsupportedToken.selector, 300e18, 297e18));
        fotRegistry.reveal(id, items, _salt(alice));
        vm.stopPrank();
    }

    function test_reveal_sameHashInAnotherDatanetIsDistinct() public {
        uint256 other = _createDatanet(BOND, REVIEW_PERIOD);
        bytes32 first = _contribute(alice, HASH);
        bytes32 second = _contributeIn(alice, other, HASH, URI);
        assertTrue(first != second);
    }

    function test_reveal_resubmitsRejectedHashUnderSameId() public {
        // Bob squats the hash; the curator rejects it (Bob cannot serve the data); Alice registers it.
        bytes32 id = _contribute(bob, HASH);
        _review(id, false);
        assertEq(token.balanceOf(treasury), BOND);
        assertEq(registry.reputationOf(datanetId, bob).rejected, 1);

        assertEq(_contribute(alice, HASH), id);
        IDatanetRegistry.Contribution memory c = registry.getContribution(id);
        assertEq(c.contributor, alice);
        assertEq(c.submittedAt, block.timestamp);
        assertEq(uint8(c.status), uint8(IDatanetRegistry.Status.Pending));
        _review(id, true);
        assertEq(registry.reputationOf(datanetId, alice).accepted, 1);
        assertEq(token.balanceOf(alice), 1_000e18);
    }

    function testFuzz_reveal_pullsBondTimesCount(uint8 count, uint64 bond) public {
        count = uint8(bound(count, 1, 40));
        uint256 id = _createDatanet(bond, REVIEW_PERIOD);
        _fund(stranger, uint256(bond) * count);
        IDatanetRegistry.ContributionInput[] memory items = _items(count);
        _commit(stranger, id, items, _salt(stranger));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        _reveal(stranger, id, items);
        assertEq(token.balanceOf(address(registry)), uint256(bond) * count);
        assertEq(token.balanceOf(stranger), 0);
    }

    function testFuzz_reveal_onlyWithinCommitmentWindow(uint32 elapsed) public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        bytes32 c = _commit(alice, datanetId, items, _salt(alice));
        uint256 committedAt = block.timestamp;
        vm.warp(committedAt + elapsed);
        if (elapsed < MIN_COMMITMENT_AGE) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IDatanetRegistry.CommitmentTooNew.selector, c, committedAt + MIN_COMMITMENT_AGE
                )
            );
        } else if (elapsed > MAX_COMMITMENT_AGE) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IDatanetRegistry.CommitmentExpired.selector, c, committedAt + MAX_COMMITMENT_AGE
                )
            );
        }
        _reveal(alice, datanetId, items);
    }

    function testFuzz_reveal_locksExactBond(uint96 bond, bool accept) public {
        uint256 id = _createDatanet(bond, REVIEW_PERIOD);
        _fund(stranger, bond);
        bytes32 cid = _contributeIn(stranger, id, HASH, URI);
        assertEq(token.balanceOf(address(registry)), bond);
        assertEq(token.balanceOf(stranger), 0);

        vm.prank(datanetOwner);
        registry.review(cid, accept);
        assertEq(token.balanceOf(address(registry)), 0);
        assertEq(token.balanceOf(stranger), accept ? bond : 0);
        assertEq(token.balanceOf(treasury), accept ? 0 : bond);
    }

    /* DISPLACEMENT */

    function test_reveal_displacesPendingUnderLaterCommitment() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        _commit(alice, datanetId, items, _salt(alice));
        uint256 aliceCommittedAt = block.timestamp;
        vm.warp(block.timestamp + 10 minutes);
        bytes32 id = _contribute(bob, HASH); // Bob committed later but revealed first
        assertEq(token.balanceOf(bob), 1_000e18 - BOND);

        vm.warp(block.timestamp + 1 hours);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Displaced(id, bob, alice);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Contributed(HASH, datanetId, alice, URI);
        assertEq(_reveal(alice, datanetId, items)[0], id);

        IDatanetRegistry.Contribution memory c = registry.getContribution(id);
        assertEq(c.contributor, alice);
        assertEq(c.submittedAt, block.timestamp); // the review period restarts
        assertEq(c.submittedAt - c.commitAge, aliceCommittedAt);
        assertEq(uint8(c.status), uint8(IDatanetRegistry.Status.Pending));
        assertEq(token.balanceOf(bob), 1_000e18); // refunded, not slashed
        assertEq(token.balanceOf(alice), 1_000e18 - BOND);
        assertEq(token.balanceOf(address(registry)), BOND);
        assertEq(registry.reputationOf(datanetId, bob).rejected, 0);
    }

    function test_reveal_displacesSeveralAndRefundsEach() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(4);
        _commit(alice, datanetId, items, _salt(alice));
        vm.warp(block.timestamp + 1 minutes);
        _contribute(bob, items[1].contentHash);
        _contribute(carol, items[3].contentHash);

        vm.expectCall(address(token), abi.encodeCall(IERC20.transfer, (bob, BOND)), 1);
        vm.expectCall(address(token), abi.encodeCall(IERC20.transfer, (carol, BOND)), 1);
        bytes32[] memory ids = _reveal(alice, datanetId, items);
        for (uint256 i; i < 4; ++i) {
            assertEq(registry.getContribution(ids[i]).contributor, alice);
        }
        assertEq(token.balanceOf(bob), 1_000e18);
        assertEq(token.balanceOf(carol), 1_000e18);
        assertEq(token.balanceOf(address(registry)), 4 * BOND);
    }

    function test_reveal_displacementWithoutBondMovesNoTokens() public {
        uint256 free = _createDatanet(0, REVIEW_PERIOD);
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        _commit(alice, free, items, _salt(alice));
        vm.warp(block.timestamp + 1 minutes);
        bytes32 id = _contributeIn(bob, free, HASH, URI);
        vm.expectCall(address(token), abi.encodeWithSelector(IERC20.transfer.selector), 0);
        _reveal(alice, free, items);
        assertEq(registry.getContribution(id).contributor, alice);
    }

    function testFuzz_reveal_displacesOnlyStrictlyLaterCommitments(uint32 aliceDelay, uint32 bobDelay)
        public
    {
        aliceDelay = uint32(bound(aliceDelay, 0, MAX_COMMITMENT_AGE - MIN_COMMITMENT_AGE));
        bobDelay = uint32(bound(bobDelay, 0, MAX_COMMITMENT_AGE - MIN_COMMITMENT_AGE));
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        uint256 start = block.timestamp;
        // Whoever commits later reveals first.
        (address first, address second) = aliceDelay >= bobDelay ? (alice, bob) : (bob, alice);
        (uint32 firstDelay, uint32 secondDelay) =
            aliceDelay >= bobDelay ? (aliceDelay, bobDelay) : (bobDelay, aliceDelay);
        vm.warp(start + secondDelay);
        _commit(second, datanetId, items, _salt(second));
        vm.warp(start + firstDelay);
        _commit(first, datanetId, items, _salt(first));
        vm.warp(start + firstDelay + MIN_COMMITMENT_AGE);
        bytes32 id = _reveal(first, datanetId, items)[0];

        if (firstDelay == secondDelay) _expectDuplicate(HASH);
        _reveal(second, datanetId, items);
        assertEq(registry.getContribution(id).contributor, firstDelay == secondDelay ? first : second);
    }

    /* REVEAL ONE */

    function _revealOne(address contributor, uint256 datanet, bytes32 contentHash) internal {
        vm.prank(contributor);
        registry.revealOne(datanet, contentHash, URI, _salt(contributor));
    }

    function test_revealOne_registersPendingContributionAndPullsBond() public {
        bytes32 c = _commit(alice, datanetId, _items(HASH, URI), _salt(alice));
        uint256 committedAt = block.timestamp;
        vm.warp(block.timestamp + 2 hours);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Revealed(c);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Contributed(HASH, datanetId, alice, URI);
        vm.expectCall(
            address(token), abi.encodeCall(IERC20.transferFrom, (alice, address(registry), BOND)), 1
        );
        _revealOne(alice, datanetId, HASH);

        IDatanetRegistry.Contribution memory contribution =
            registry.getContribution(registry.contributionIdOf(datanetId, HASH));
        assertEq(contribution.contributor, alice);
        assertEq(contribution.datanetId, datanetId);
        assertEq(contribution.submittedAt, block.timestamp);
        assertEq(contribution.commitAge, 2 hours);
        assertEq(contribution.submittedAt - contribution.commitAge, committedAt);
        assertEq(uint8(contribution.status), uint8(IDatanetRegistry.Status.Pending));
        assertEq(token.balanceOf(address(registry)), BOND);
        assertEq(token.balanceOf(alice), 1_000e18 - BOND);
        assertEq(registry.commitmentOf(c), 0);
    }

    function test_revealOne_withoutBondMovesNoTokens() public {
        uint256 free = _createDatanet(0, REVIEW_PERIOD);
        _commit(stranger, free, _items(HASH, URI), _salt(stranger)); // no tokens, no approval
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        vm.recordLogs();
        _revealOne(stranger, free, HASH);
        assertEq(vm.getRecordedLogs().length, 2, "Revealed and Contributed only: no token transfer");
        assertEq(registry.getContribution(registry.contributionIdOf(free, HASH)).contributor, stranger);
    }

    /// @dev Both functions reveal the same commitment into the same state, for any content, bond and age.
    function testFuzz_revealOne_sameStateAsRevealOfOneItem(bytes32 contentHash, uint96 bond, uint32 age)
        public
    {
        vm.assume(contentHash != bytes32(0));
        age = uint32(bound(age, MIN_COMMITMENT_AGE, MAX_COMMITMENT_AGE));
        bond = uint96(bound(bond, 0, 1_000e18));
        uint256 datanet = _createDatanet(bond, REVIEW_PERIOD);
        IDatanetRegistry.ContributionInput[] memory items = _items(contentHash, URI);
        bytes32 c = _commit(alice, datanet, items, _salt(alice));
        vm.warp(block.timestamp + age);
        bytes32 id = registry.contributionIdOf(datanet, contentHash);

        uint256 snapshot = vm.snapshotState();
        _revealOne(alice, datanet, contentHash);
        IDatanetRegistry.Contribution memory one = registry.getContribution(id);
        (uint256 aliceAfter, uint256 registryAfter) =
            (token.balanceOf(alice), token.balanceOf(address(registry)));
        vm.revertToState(snapshot);

        assertEq(_reveal(alice, datanet, items)[0], id);
        IDatanetRegistry.Contribution memory batch = registry.getContribution(id);
        assertEq(keccak256(abi.encode(one)), keccak256(abi.encode(batch)));
        assertEq(token.balanceOf(alice), aliceAfter);
        assertEq(token.balanceOf(address(registry)), registryAfter);
        assertEq(registry.commitmentOf(c), 0);
    }

    function test_revealOne_revertsWhen_commitmentTooNewOrExpired() public {
        bytes32 c = _commit(alice, datanetId, _items(HASH, URI), _salt(alice));
        uint256 revealableAt = block.timestamp + MIN_COMMITMENT_AGE;
        uint256 expiredAt = block.timestamp + MAX_COMMITMENT_AGE;
        vm.warp(revealableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.CommitmentTooNew.selector, c, revealableAt));
        _revealOne(alice, datanetId, HASH);
        vm.warp(expiredAt + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.CommitmentExpired.selector, c, expiredAt));
        _revealOne(alice, datanetId, HASH);
    }

    function test_revealOne_revertsWhen_anythingDiffersFromTheCommitment() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        _commit(alice, datanetId, items, _salt(alice));
        uint256 other = _createDatanet(BOND, REVIEW_PERIOD);
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);

        // Another salt, datanet, revealer (a copier of the calldata) or content.
        _expectCommitmentNotFound(alice, datanetId, items, _salt(bob));
        vm.prank(alice);
        registry.revealOne(datanetId, HASH, URI, _salt(bob));
        _expectCommitmentNotFound(alice, other, items, _salt(alice));
        _revealOne(alice, other, HASH);
        _expectCommitmentNotFound(bob, datanetId, items, _salt(alice));
        vm.prank(bob);
        registry.revealOne(datanetId, HASH, URI, _salt(alice));
        _expectCommitmentNotFound(alice, datanetId, _items(keccak256("other"), URI), _salt(alice));
        _revealOne(alice, datanetId, keccak256("other"));

        // The URI is not part of the commitment.
        vm.prank(alice);
        registry.revealOne(datanetId, HASH, "https://mirror.example/0", _salt(alice));
        assertEq(registry.getContribution(registry.contributionIdOf(datanetId, HASH)).contributor, alice);
        // Consumed: a second reveal finds no commitment.
        _expectCommitmentNotFound(alice, datanetId, items, _salt(alice));
        _revealOne(alice, datanetId, HASH);
    }

    function test_revealOne_revertsWhen_datanetNotFoundOrContentHashEmpty() public {
        _commit(alice, 5, _items(HASH, URI), _salt(alice));
        _commit(alice, datanetId, _items(bytes32(0), URI), _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotFound.selector, 5));
        _revealOne(alice, 5, HASH);
        vm.expectRevert(IDatanetRegistry.EmptyContentHash.selector);
        _revealOne(alice, datanetId, bytes32(0));
    }

    function test_revealOne_revertsWhen_pendingUnderEarlierOrSameSecondCommitment() public {
        _commit(bob, datanetId, _items(HASH, URI), _salt(bob));
        _commit(alice, datanetId, _items(HASH, URI), _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        _revealOne(bob, datanetId, HASH);
        _expectDuplicate(HASH);
        _revealOne(alice, datanetId, HASH);
    }

    function test_revealOne_revertsWhen_acceptedEvenUnderEarlierCommitment() public {
        _commit(alice, datanetId, _items(HASH, URI), _salt(alice));
        vm.warp(block.timestamp + 1 hours);
        _review(_contribute(bob, HASH), true);
        _expectDuplicate(HASH);
        _revealOne(alice, datanetId, HASH);
    }

    function test_revealOne_revertsWhen_bondNotApproved() public {
        _commit(alice, datanetId, _items(HASH, URI), _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        vm.prank(alice);
        token.approve(address(registry), BOND - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(registry), BOND - 1, BOND
            )
        );
        _revealOne(alice, datanetId, HASH);
    }

    function test_revealOne_revertsWhen_feeOnTransferToken() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        DatanetRegistry fotRegistry =
            new DatanetRegistry(address(fot), treasury, MIN_COMMITMENT_AGE, MAX_COMMITMENT_AGE);
        vm.prank(datanetOwner);
        uint256 id = fotRegistry.createDatanet("", 100e18, REVIEW_PERIOD);
        fot.mint(alice, 100e18);
        vm.startPrank(alice);
        fot.approve(address(fotRegistry), type(uint256).max);
        fotRegistry.commit(fotRegistry.makeCommitment(alice, id, _hashesOf(_items(HASH, URI)), _salt(alice)));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.UnsupportedToken.selector, 100e18, 99e18));
        fotRegistry.revealOne(id, HASH, URI, _salt(alice));
        vm.stopPrank();
    }

    function test_revealOne_displacesPendingUnderLaterCommitmentAndRefundsIt() public {
        _commit(alice, datanetId, _items(HASH, URI), _salt(alice));
        uint256 aliceCommittedAt = block.timestamp;
        vm.warp(block.timestamp + 10 minutes);
        bytes32 id = _contribute(bob, HASH);
        vm.warp(block.timestamp + 1 hours);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Displaced(id, bob, alice);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Contributed(HASH, datanetId, alice, URI);
        vm.expectCall(address(token), abi.encodeCall(IERC20.transfer, (bob, BOND)), 1);
        _revealOne(alice, datanetId, HASH);

        IDatanetRegistry.Contribution memory c = registry.getContribution(id);
        assertEq(c.contributor, alice);
        assertEq(c.submittedAt - c.commitAge, aliceCommittedAt);
        assertEq(token.balanceOf(bob), 1_000e18);
        assertEq(token.balanceOf(alice), 1_000e18 - BOND);
        assertEq(token.balanceOf(address(registry)), BOND);
    }

    function test_revealOne_displacementWithoutBondMovesNoTokens() public {
        uint256 free = _createDatanet(0, REVIEW_PERIOD);
        _commit(alice, free, _items(HASH, URI), _salt(alice));
        vm.warp(block.timestamp + 1 minutes);
        bytes32 id = _contributeIn(bob, free, HASH, URI);
        vm.recordLogs();
        _revealOne(alice, free, HASH);
        assertEq(vm.getRecordedLogs().length, 3, "Revealed, Displaced, Contributed: no token transfer");
        assertEq(registry.getContribution(id).contributor, alice);
    }

    /* REVEAL WITH SIG */

    function test_revealWithSig_registersForSignerAndPullsBondFromSigner() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        _fund(signer, BOND);
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        (bytes32 c, bytes memory sig) = _commitSigned(signer, key, datanetId, items, 0, deadline);

        bytes32 id = registry.contributionIdOf(datanetId, HASH);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Revealed(c);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Contributed(HASH, datanetId, signer, URI);
        vm.prank(stranger); // the relayer pays the gas, the signer the bond
        assertEq(registry.revealWithSig(signer, datanetId, items, _salt(signer), deadline, sig)[0], id);

        assertEq(registry.getContribution(id).contributor, signer);
        assertEq(registry.nonces(signer), 1);
        assertEq(token.balanceOf(signer), 0);
        assertEq(token.balanceOf(address(registry)), BOND);
    }

    function test_revealWithSig_acceptsSignatureAtDeadline() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        _fund(signer, BOND);
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        (, bytes memory sig) = _commitSigned(signer, key, datanetId, items, 0, deadline);
        vm.warp(deadline);
        registry.revealWithSig(signer, datanetId, items, _salt(signer), deadline, sig);
        assertEq(registry.nonces(signer), 1);
    }

    function test_revealWithSig_acceptsErc1271Wallet() public {
        (address owner, uint256 key) = makeAddrAndKey("walletOwner");
        ERC1271Wallet wallet = new ERC1271Wallet(owner);
        vm.prank(deployer);
        token.mint(address(wallet), BOND);
        wallet.approve(token, address(registry));
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        (, bytes memory sig) = _commitSigned(address(wallet), key, datanetId, items, 0, deadline);

        bytes32 id = registry.revealWithSig(
            address(wallet), datanetId, items, _salt(address(wallet)), deadline, sig
        )[0];
        assertEq(registry.getContribution(id).contributor, address(wallet));
        assertEq(token.balanceOf(address(wallet)), 0);
    }

    function test_revealWithSig_revertsWhen_expired() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        (, bytes memory sig) = _commitSigned(signer, key, datanetId, items, 0, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.SignatureExpired.selector, deadline));
        registry.revealWithSig(signer, datanetId, items, _salt(signer), deadline, sig);
    }

    function test_revealWithSig_revertsWhen_wrongSigner() public {
        (, uint256 bobKey) = makeAddrAndKey("bob");
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        (, bytes memory sig) = _commitSigned(alice, bobKey, datanetId, items, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, alice));
        registry.revealWithSig(alice, datanetId, items, _salt(alice), deadline, sig);
    }

    function test_revealWithSig_revertsWhen_itemsTampered() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        _fund(signer, 2 * BOND);
        IDatanetRegistry.ContributionInput[] memory items = _items(2);
        uint256 deadline = block.timestamp + 1 hours;
        (, bytes memory sig) = _commitSigned(signer, key, datanetId, items, 0, deadline);
        // A relayer swaps the order of the items (the commitment was made for another order).
        IDatanetRegistry.ContributionInput[] memory swapped = _items(2);
        (swapped[0], swapped[1]) = (items[1], items[0]);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, signer));
        registry.revealWithSig(signer, datanetId, swapped, _salt(signer), deadline, sig);
    }

    function test_revealWithSig_revertsWhen_signatureMalformed() public {
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, alice));
        registry.revealWithSig(alice, datanetId, items, _salt(alice), block.timestamp, hex"deadbeef");
    }

    function test_revealWithSig_revertsWhen_signedForAnotherChain() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        _fund(signer, BOND);
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        (, bytes memory sig) = _commitSigned(signer, key, datanetId, items, 0, deadline);
        vm.chainId(block.chainid + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, signer));
        registry.revealWithSig(signer, datanetId, items, _salt(signer), deadline, sig);
    }

    function test_revealWithSig_revertsWhen_signedForAnotherRegistry() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        _fund(signer, BOND);
        DatanetRegistry other =
            new DatanetRegistry(address(token), treasury, MIN_COMMITMENT_AGE, MAX_COMMITMENT_AGE);
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        bytes32 c = _commit(signer, datanetId, items, _salt(signer));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        bytes memory sig =
            _sign(key, other.revealDigest(signer, datanetId, c, _urisHash(items), 0, block.timestamp));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, signer));
        registry.revealWithSig(signer, datanetId, items, _salt(signer), block.timestamp, sig);
    }

    function test_revealWithSig_revertsWhen_datanetNotFound() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        (, bytes memory sig) = _commitSigned(signer, key, 42, items, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotFound.selector, 42));
        registry.revealWithSig(signer, 42, items, _salt(signer), deadline, sig);
    }

    function test_revealWithSig_revertsWhen_noCommitment() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        bytes32 c = _commitmentOf(signer, datanetId, items, _salt(signer));
        bytes memory sig =
            _sign(key, registry.revealDigest(signer, datanetId, c, _urisHash(items), 0, block.timestamp));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.CommitmentNotFound.selector, c));
        registry.revealWithSig(signer, datanetId, items, _salt(signer), block.timestamp, sig);
    }

    function test_revealDigest_isEip712OverRevealType() public view {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("DatanetRegistry"),
                keccak256("2"),
                block.chainid,
                address(registry)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "Reveal(address contributor,uint256 datanetId,bytes32 commitment,bytes32 urisHash,uint256 nonce,uint256 deadline)"
                ),
                alice,
                datanetId,
                bytes32("commitment"),
                bytes32("uris"),
                7,
                1234
            )
        );
        assertEq(
            registry.revealDigest(alice, datanetId, bytes32("commitment"), bytes32("uris"), 7, 1234),
            keccak256(abi.encodePacked("\x19\x01", domain, structHash))
        );
        assertEq(
            registry.REVEAL_TYPEHASH(),
            keccak256(
                "Reveal(address contributor,uint256 datanetId,bytes32 commitment,bytes32 urisHash,uint256 nonce,uint256 deadline)"
            )
        );
    }

    function testFuzz_revealWithSig_onlyContributorKeyIsAccepted(uint256 signerKey) public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        signerKey = bound(signerKey, 1, 2 ** 128);
        _fund(signer, BOND);
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        uint256 deadline = block.timestamp + 1 hours;
        (, bytes memory sig) = _commitSigned(signer, signerKey, datanetId, items, 0, deadline);
        if (signerKey != key) {
            vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.InvalidSignature.selector, signer));
        }
        registry.revealWithSig(signer, datanetId, items, _salt(signer), deadline, sig);
    }

    /* REVIEW */

    function test_review_acceptReturnsBondAndCountsReputationInTheDatanet() public {
        bytes32 id = _contribute(alice, HASH);
        vm.expectEmit(address(registry));
        emit IDatanetRegistry.Reviewed(id, curator, true, false);
        _review(id, true);

        assertEq(uint8(registry.getContribution(id).status), uint8(IDatanetRegistry.Status.Accepted));
        assertEq(token.balanceOf(alice), 1_000e18);
        assertEq(token.balanceOf(address(registry)), 0);
        assertEq(registry.reputationOf(datanetId, alice).accepted, 1);
        assertEq(registry.reputationOf(datanetId, alice).rejected, 0);
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
        assertEq(registry.reputationOf(datanetId, alice).rejected, 1);
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
        IDatanetRegistry.ContributionInput[] memory items = _items(3);
        _commit(alice, datanetId, items, _salt(alice));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        bytes32[] memory ids = _reveal(alice, datanetId, items);
        for (uint256 i; i < 3; ++i) {
            vm.expectEmit(address(registry));
            emit IDatanetRegistry.Reviewed(ids[i], curator, false, false);
        }
        vm.prank(curator);
        registry.reviewBatch(ids, false);
        for (uint256 i; i < 3; ++i) {
            assertEq(uint8(registry.getContribution(ids[i]).status), uint8(IDatanetRegistry.Status.Rejected));
        }
        assertEq(registry.reputationOf(datanetId, alice).rejected, 3);
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
        ids[1] = _contributeIn(alice, other, HASH, URI);
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
        assertEq(registry.reputationOf(datanetId, alice).accepted, 1);
    }

    function test_finalize_revertsWhen_reviewPeriodNotOver() public {
        bytes32 id = _contribute(alice, HASH);
        uint256 deadline = block.timestamp + REVIEW_PERIOD;
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.ReviewPeriodNotOver.selector, id, deadline));
        registry.finalize(id);
    }

    function test_finalize_waitsUntilNoEarlierCommitmentCanBeRevealed() public {
        // With a review period shorter than the maximum commitment age, finalizing at the end of the review
        // would make the contribution final while an earlier commitment to it may still be revealed.
        uint256 quick = _createDatanet(0, 1 hours);
        IDatanetRegistry.ContributionInput[] memory items = _items(HASH, URI);
        _commit(bob, quick, items, _salt(bob));
        uint256 committedAt = block.timestamp;
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        bytes32 id = _reveal(bob, quick, items)[0];
        uint256 deadline = committedAt + MAX_COMMITMENT_AGE;

        vm.warp(block.timestamp + 1 hours + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.ReviewPeriodNotOver.selector, id, deadline));
        registry.finalize(id);
        vm.warp(deadline + 1);
        registry.finalize(id);
        assertEq(uint8(registry.getContribution(id).status), uint8(IDatanetRegistry.Status.Accepted));
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

    function testFuzz_finalize_onlyAfterReviewAndOriginalityWindows(uint32 reviewPeriod, uint32 elapsed)
        public
    {
        uint256 id = _createDatanet(0, reviewPeriod);
        uint256 committedAt = block.timestamp;
        bytes32 cid = _contributeIn(alice, id, HASH, URI);
        uint256 reviewEnd = block.timestamp + reviewPeriod;
        uint256 originalityEnd = committedAt + MAX_COMMITMENT_AGE;
        uint256 deadline = reviewEnd > originalityEnd ? reviewEnd : originalityEnd;
        vm.warp(block.timestamp + elapsed);
        if (block.timestamp <= deadline) {
            vm.expectRevert(
                abi.encodeWithSelector(IDatanetRegistry.ReviewPeriodNotOver.selector, cid, deadline)
            );
        }
        registry.finalize(cid);
    }

    function test_finalize_reentrantCallFromBondRefundFails() public {
        CallbackToken cb = new CallbackToken();
        DatanetRegistry cbRegistry =
            new DatanetRegistry(address(cb), treasury, MIN_COMMITMENT_AGE, MAX_COMMITMENT_AGE);
        vm.prank(datanetOwner);
        uint256 id = cbRegistry.createDatanet("", BOND, REVIEW_PERIOD);
        Reenterer attacker = new Reenterer();
        cb.setHooked(address(attacker), true);
        cb.mint(address(attacker), 2 * BOND);
        attacker.execute(address(cb), abi.encodeCall(IERC20.approve, (address(cbRegistry), 2 * BOND)));
        IDatanetRegistry.ContributionInput[] memory items = _items(2);
        attacker.execute(
            address(cbRegistry),
            abi.encodeCall(
                DatanetRegistry.commit,
                (cbRegistry.makeCommitment(address(attacker), id, _hashesOf(items), bytes32(0)))
            )
        );
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        bytes32[] memory ids = abi.decode(
            attacker.execute(
                address(cbRegistry), abi.encodeCall(DatanetRegistry.reveal, (id, items, bytes32(0)))
            ),
            (bytes32[])
        );
        vm.warp(block.timestamp + REVIEW_PERIOD + 1);
        // On the bond refund of the first, the attacker tries to finalize the second from inside the call.
        attacker.arm(address(cbRegistry), abi.encodeCall(DatanetRegistry.finalize, (ids[1])));
        cbRegistry.finalize(ids[0]);

        assertTrue(attacker.attempted());
        assertFalse(attacker.reentered());
        assertEq(
            attacker.revertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        assertEq(uint8(cbRegistry.getContribution(ids[1]).status), uint8(IDatanetRegistry.Status.Pending));
        assertEq(cb.balanceOf(address(attacker)), BOND);
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
        assertEq(registry.reputationOf(datanetId, alice).accepted, 1);
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

    function test_reputation_countsEveryAcceptanceAndRejectionPerDatanet() public {
        uint256 other = _createDatanet(0, REVIEW_PERIOD);
        bytes32 a1 = _contribute(alice, keccak256("a1"));
        bytes32 a2 = _contribute(alice, keccak256("a2"));
        bytes32 a3 = _contribute(alice, keccak256("a3"));
        bytes32 b1 = _contribute(bob, keccak256("b1"));
        bytes32 o1 = _contributeIn(alice, other, keccak256("o1"), URI);
        _review(a1, true);
        _review(a2, false);
        _review(b1, false);
        vm.prank(datanetOwner);
        registry.review(o1, true);
        vm.warp(block.timestamp + REVIEW_PERIOD + 1);
        registry.finalize(a3);

        assertEq(registry.reputationOf(datanetId, alice).accepted, 2);
        assertEq(registry.reputationOf(datanetId, alice).rejected, 1);
        assertEq(registry.reputationOf(other, alice).accepted, 1);
        assertEq(registry.reputationOf(other, alice).rejected, 0);
        assertEq(registry.reputationOf(datanetId, bob).accepted, 0);
        assertEq(registry.reputationOf(datanetId, bob).rejected, 1);
        assertEq(registry.reputationOf(other, bob).rejected, 0);
        assertEq(registry.reputationOf(datanetId, carol).accepted, 0);
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

    /// @dev Commits for `contributor` (with a relayer), waits the minimum age, and returns the commitment and
    /// `key`'s signature of its reveal with `nonce` and `deadline`.
    function _commitSigned(
        address contributor,
        uint256 key,
        uint256 datanet,
        IDatanetRegistry.ContributionInput[] memory items,
        uint256 nonce,
        uint256 deadline
    ) internal returns (bytes32 commitment, bytes memory sig) {
        commitment = _commitmentOf(contributor, datanet, items, _salt(contributor));
        vm.prank(stranger);
        registry.commit(commitment);
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        sig = _sign(
            key, registry.revealDigest(contributor, datanet, commitment, _urisHash(items), nonce, deadline)
        );
    }

    /// @dev Commits one item for `contributor`, waits `age` and reveals it.
    function _revealAfter(address contributor, bytes32 contentHash, uint256 age) internal returns (bytes32) {
        IDatanetRegistry.ContributionInput[] memory items = _items(contentHash, URI);
        _commit(contributor, datanetId, items, _salt(contributor));
        vm.warp(block.timestamp + age);
        return _reveal(contributor, datanetId, items)[0];
    }

    /// @dev Commits one item for `contributor`, waits, and expects its reveal to fail as a duplicate.
    function _expectDuplicateOnReveal(address contributor, bytes32 contentHash) internal {
        IDatanetRegistry.ContributionInput[] memory items = _items(contentHash, URI);
        _commit(contributor, datanetId, items, _salt(contributor));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        _expectDuplicate(contentHash);
        _reveal(contributor, datanetId, items);
    }

    function _expectCommitmentNotFound(
        address contributor,
        uint256 datanet,
        IDatanetRegistry.ContributionInput[] memory items,
        bytes32 salt
    ) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatanetRegistry.CommitmentNotFound.selector, _commitmentOf(contributor, datanet, items, salt)
            )
        );
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
