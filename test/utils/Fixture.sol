// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttributionPool} from "../../contracts/AttributionPool.sol";
import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {DatanetToken} from "../../contracts/DatanetToken.sol";
import {ModelRegistry} from "../../contracts/ModelRegistry.sol";
import {IAttributionPool} from "../../contracts/interfaces/IAttributionPool.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {RewardTree} from "./RewardTree.sol";
import {Test} from "forge-std/Test.sol";

/// @notice The whole protocol deployed with test actors, five attestors (three must sign), one datanet
/// and one model, plus helpers to fund accounts, sign epochs and publish reward trees.
abstract contract Fixture is Test {
    uint16 internal constant FEE_BPS = 500;
    uint16 internal constant OWNER_SHARE_BPS = 2_000;
    uint64 internal constant CHALLENGE_PERIOD = 1 days;
    uint32 internal constant MIN_COMMITMENT_AGE = 60;
    uint32 internal constant MAX_COMMITMENT_AGE = 1 days;
    uint96 internal constant BOND = 10e18;
    uint32 internal constant REVIEW_PERIOD = 3 days;
    uint8 internal constant THRESHOLD = 3;
    uint256 internal constant ATTESTOR_COUNT = 5;
    bytes32 internal constant REPORT_HASH = keccak256("report");
    string internal constant REPORT_URI = "ipfs://report";
    string internal constant DATA_URI = "ipfs://data";

    DatanetToken internal token;
    DatanetRegistry internal registry;
    ModelRegistry internal models;
    AttributionPool internal pool;

    address internal deployer = makeAddr("deployer");
    address internal treasury = makeAddr("treasury");
    address internal guardian = makeAddr("guardian");
    address internal poolOwner = makeAddr("poolOwner");
    address internal datanetOwner = makeAddr("datanetOwner");
    address internal curator = makeAddr("curator");
    address internal modelOwner = makeAddr("modelOwner");
    address internal payer = makeAddr("payer");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal stranger = makeAddr("stranger");

    /// @dev Sorted by address ascending, so any prefix signs in the order the pool requires.
    uint256[] internal attestorKeys;
    address[] internal attestorAddrs;

    uint256 internal datanetId;
    uint256 internal modelId;

    function setUp() public virtual {
        uint256[] memory keys = new uint256[](ATTESTOR_COUNT);
        for (uint256 i; i < ATTESTOR_COUNT; ++i) {
            (, keys[i]) = makeAddrAndKey(string.concat("attestor", vm.toString(i)));
        }
        _sortKeys(keys);
        for (uint256 i; i < ATTESTOR_COUNT; ++i) {
            attestorKeys.push(keys[i]);
            attestorAddrs.push(vm.addr(keys[i]));
        }

        token = new DatanetToken("Datanet", "DNT", deployer, 0);
        registry = new DatanetRegistry(address(token), treasury, MIN_COMMITMENT_AGE, MAX_COMMITMENT_AGE);
        models = new ModelRegistry(address(registry));
        pool = new AttributionPool(_config(address(token), CHALLENGE_PERIOD));

        datanetId = _createDatanet(BOND, REVIEW_PERIOD);
        vm.prank(datanetOwner);
        registry.setCurator(datanetId, curator, true);
        modelId = _registerModel(datanetId, OWNER_SHARE_BPS);

        _fund(alice, 1_000e18);
        _fund(bob, 1_000e18);
        _fund(carol, 1_000e18);
        _fund(payer, 1_000_000e18);
    }

    /* DEPLOYMENT */

    function _config(address token_, uint64 challengePeriod_)
        internal
        view
        returns (IAttributionPool.Config memory)
    {
        return IAttributionPool.Config({
            token: token_,
            modelRegistry: address(models),
            treasury: treasury,
            protocolFeeBps: FEE_BPS,
            attestors: attestorAddrs,
            threshold: THRESHOLD,
            challengePeriod: challengePeriod_,
            guardian: guardian,
            owner: poolOwner
        });
    }

    function _createDatanet(uint256 bond, uint32 reviewPeriod) internal returns (uint256 id) {
        vm.prank(datanetOwner);
        id = registry.createDatanet("ipfs://datanet", bond, reviewPeriod);
    }

    function _registerModel(uint256 datanet, uint16 ownerShareBps) internal returns (uint256 id) {
        uint256[] memory ids = new uint256[](1);
        ids[0] = datanet;
        vm.prank(modelOwner);
        id = models.registerModel("ipfs://model", ids, ownerShareBps);
    }

    /// @dev Mints `amount` to `account` and approves the registry and the pool for everything.
    function _fund(address account, uint256 amount) internal {
        vm.prank(deployer);
        token.mint(account, amount);
        vm.startPrank(account);
        token.approve(address(registry), type(uint256).max);
        token.approve(address(pool), type(uint256).max);
        vm.stopPrank();
    }

    /* REGISTRY */

    /// @dev Commits, waits the minimum commitment age and reveals one item (`revealOne`); returns its id.
    function _contribute(address contributor, bytes32 contentHash) internal returns (bytes32 id) {
        id = _contributeIn(contributor, datanetId, contentHash, DATA_URI);
    }

    function _contributeIn(address contributor, uint256 datanet, bytes32 contentHash, string memory uri)
        internal
        returns (bytes32 id)
    {
        _commit(contributor, datanet, _items(contentHash, uri), _salt(contributor));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
        vm.prank(contributor);
        registry.revealOne(datanet, contentHash, uri, _salt(contributor));
        id = registry.contributionIdOf(datanet, contentHash);
    }

    /// @dev Commits (from `contributor`) to revealing `items` in `datanet` with `salt`; returns the commitment.
    function _commit(
        address contributor,
        uint256 datanet,
        IDatanetRegistry.ContributionInput[] memory items,
        bytes32 salt
    ) internal returns (bytes32 commitment) {
        commitment = _commitmentOf(contributor, datanet, items, salt);
        vm.prank(contributor);
        registry.commit(commitment);
    }

    function _commitmentOf(
        address contributor,
        uint256 datanet,
        IDatanetRegistry.ContributionInput[] memory items,
        bytes32 salt
    ) internal view returns (bytes32) {
        return registry.makeCommitment(contributor, datanet, _hashesOf(items), salt);
    }

    function _reveal(address contributor, uint256 datanet, IDatanetRegistry.ContributionInput[] memory items)
        internal
        returns (bytes32[] memory ids)
    {
        vm.prank(contributor);
        ids = registry.reveal(datanet, items, _salt(contributor));
    }

    function _salt(address contributor) internal pure returns (bytes32) {
        return bytes32(uint256(keccak256(abi.encode("salt", contributor))) >> 128);
    }

    function _hashesOf(IDatanetRegistry.ContributionInput[] memory items)
        internal
        pure
        returns (bytes32[] memory hashes)
    {
        hashes = new bytes32[](items.length);
        for (uint256 i; i < items.length; ++i) {
            hashes[i] = items[i].contentHash;
        }
    }

    function _items(bytes32 contentHash, string memory uri)
        internal
        pure
        returns (IDatanetRegistry.ContributionInput[] memory items)
    {
        items = new IDatanetRegistry.ContributionInput[](1);
        items[0] = _contributionInput(contentHash, uri);
    }

    /// @dev `count` items with distinct content hashes derived from `seed`.
    function _manyItems(string memory seed, uint256 count, string memory uri)
        internal
        pure
        returns (IDatanetRegistry.ContributionInput[] memory items)
    {
        items = new IDatanetRegistry.ContributionInput[](count);
        for (uint256 i; i < count; ++i) {
            items[i] = _contributionInput(keccak256(abi.encode(seed, i)), uri);
        }
    }

    /// @dev `keccak256(abi.encodePacked(keccak256(bytes(uri_0)), ...))`, what a gasless reveal signs.
    function _urisHash(IDatanetRegistry.ContributionInput[] memory items) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](items.length);
        for (uint256 i; i < items.length; ++i) {
            hashes[i] = keccak256(bytes(items[i].uri));
        }
        return keccak256(abi.encodePacked(hashes));
    }

    function _review(bytes32 id, bool accept) internal {
        vm.prank(curator);
        registry.review(id, accept);
    }

    /* POOL */

    /// @dev Mints `amount` to the payer and pays it for one inference of the fixture model; returns the
    /// contributors' share.
    function _pay(uint256 amount) internal returns (uint256 contributorShare) {
        uint256 before = pool.contributorsReceived();
        vm.prank(deployer);
        token.mint(payer, amount);
        vm.prank(payer);
        pool.payForInference(modelId, amount, keccak256(abi.encode("output", amount, before)), "");
        contributorShare = pool.contributorsReceived() - before;
    }

    /// @dev Pays enough that the contributors' pool receives at least `share`.
    function _payContributors(uint256 share) internal {
        // contributor share = amount − fee − owner share ≥ amount × 0.95 × 0.8 − 2, so pay a bit more.
        _pay(share * 10_000 * 10_000 / (uint256(10_000 - FEE_BPS) * (10_000 - OWNER_SHARE_BPS)) + 10);
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev Signatures of `keys` over `digest`, ordered by signer address ascending.
    function _signSorted(uint256[] memory keys, bytes32 digest) internal pure returns (bytes[] memory sigs) {
        _sortKeys(keys);
        sigs = new bytes[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            sigs[i] = _sign(keys[i], digest);
        }
    }

    /// @dev The first `count` attestor keys (already sorted by address).
    function _keys(uint256 count) internal view returns (uint256[] memory keys) {
        keys = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            keys[i] = attestorKeys[i];
        }
    }

    /// @dev The next epoch of `p` with the fixture's report, under its current proposal nonce.
    function _epoch(AttributionPool p, uint256 epoch, bytes32 root, uint256 total)
        internal
        view
        returns (IAttributionPool.Epoch memory)
    {
        return IAttributionPool.Epoch({
            // forge-lint: disable-next-line(unsafe-typecast) -- test epochs are small
            epoch: uint64(epoch),
            nonce: p.proposalNonce(),
            rewardsRoot: root,
            totalAllocated: total,
            reportHash: REPORT_HASH,
            reportURI: REPORT_URI
        });
    }

    /// @dev Signatures of the first `THRESHOLD` attestors over `e` for `p`.
    function _epochSigs(AttributionPool p, IAttributionPool.Epoch memory e)
        internal
        view
        returns (bytes[] memory)
    {
        return _signSorted(_keys(THRESHOLD), p.epochDigest(e));
    }

    function _propose(uint256 epoch, bytes32 root, uint256 total) internal {
        IAttributionPool.Epoch memory e = _epoch(pool, epoch, root, total);
        pool.proposeEpoch(e, _epochSigs(pool, e));
    }

    /// @dev Proposes the next epoch, waits out the challenge period and accepts it.
    function _publish(bytes32 root, uint256 total) internal {
        _propose(pool.currentEpoch() + 1, root, total);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        pool.acceptEpoch();
    }

    /// @dev Funds the contributors' pool for `amounts` and publishes their tree; returns the tree.
    function _publishTree(address[] memory accounts, uint256[] memory amounts)
        internal
        returns (bytes32[] memory tree)
    {
        uint256 total;
        for (uint256 i; i < amounts.length; ++i) {
            total += amounts[i];
        }
        if (total > pool.contributorsReceived()) _payContributors(total - pool.contributorsReceived());
        tree = RewardTree.build(accounts, amounts);
        _publish(RewardTree.root(tree), total);
    }

    function _pair(address a, uint256 amountA, address b, uint256 amountB)
        internal
        pure
        returns (address[] memory accounts, uint256[] memory amounts)
    {
        accounts = new address[](2);
        amounts = new uint256[](2);
        (accounts[0], accounts[1], amounts[0], amounts[1]) = (a, b, amountA, amountB);
    }

    /* UTILS */

    function _sortKeys(uint256[] memory keys) internal pure {
        for (uint256 i = 1; i < keys.length; ++i) {
            for (uint256 j = i; j > 0 && vm.addr(keys[j]) < vm.addr(keys[j - 1]); --j) {
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
    }

    function _contributionInput(bytes32 contentHash, string memory uri)
        internal
        pure
        returns (IDatanetRegistry.ContributionInput memory)
    {
        return IDatanetRegistry.ContributionInput({contentHash: contentHash, uri: uri});
    }
}
