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
    uint96 internal constant BOND = 10e18;
    uint32 internal constant REVIEW_PERIOD = 3 days;
    uint8 internal constant THRESHOLD = 3;
    uint256 internal constant ATTESTOR_COUNT = 5;
    bytes32 internal constant REPORT_HASH = keccak256("report");
    string internal constant REPORT_URI = "ipfs://report";

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
        registry = new DatanetRegistry(address(token), treasury);
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

    function _contribute(address contributor, bytes32 contentHash) internal returns (bytes32 id) {
        vm.prank(contributor);
        id = registry.contribute(datanetId, contentHash, "ipfs://data");
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
        pool.payForInference(modelId, amount, keccak256(abi.encode("output", amount, before)));
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

    function _epochSigs(AttributionPool p, uint256 epoch, bytes32 root, uint256 total)
        internal
        view
        returns (bytes[] memory)
    {
        return _signSorted(_keys(THRESHOLD), p.epochDigest(epoch, root, total, REPORT_HASH, REPORT_URI));
    }

    function _propose(uint256 epoch, bytes32 root, uint256 total) internal {
        pool.proposeEpoch(epoch, root, total, REPORT_HASH, REPORT_URI, _epochSigs(pool, epoch, root, total));
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
