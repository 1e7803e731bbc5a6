// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDatanetRegistry} from "../contracts/interfaces/IDatanetRegistry.sol";
import {Fixture} from "./utils/Fixture.sol";
import {RewardTree} from "./utils/RewardTree.sol";

/// @dev Gas rows for `forge snapshot`: each test makes exactly one measured call; its inputs are prepared in
/// `setUp` and loaded with gas metering paused. `vm.snapshotGasLastCall` records the call alone in
/// `snapshots/datanet.json`.
contract RegistryGasTest is Fixture {
    uint256 internal freeDatanet;

    function setUp() public override {
        super.setUp();
        freeDatanet = _createDatanet(0, REVIEW_PERIOD);
        // Steady state: the registry already holds a bond.
        _contribute(bob, keccak256("earlier"));
    }

    function test_contribute_withoutBond() public {
        vm.prank(alice);
        registry.contribute(
            freeDatanet,
            keccak256("file"),
            "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
        );
        vm.snapshotGasLastCall("datanet", "contribute_withoutBond");
    }

    function test_contribute_withBond() public {
        vm.prank(alice);
        registry.contribute(
            datanetId, keccak256("file"), "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
        );
        vm.snapshotGasLastCall("datanet", "contribute_withBond");
    }

    function test_contributeBatch_100_withoutBond() public {
        vm.pauseGasMetering();
        IDatanetRegistry.ContributionInput[] memory items = new IDatanetRegistry.ContributionInput[](100);
        for (uint256 i; i < 100; ++i) {
            items[i] = _contributionInput(
                keccak256(abi.encode("file", i)),
                "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
            );
        }
        vm.resumeGasMetering();
        vm.prank(alice);
        registry.contributeBatch(freeDatanet, items);
        vm.snapshotGasLastCall("datanet", "contributeBatch_100_withoutBond");
    }
}

/// @dev A 1,024-account reward tree (depth-10 proofs), accepted as epoch 1.
abstract contract RewardTreeGasFixture is Fixture {
    uint256 internal constant ACCOUNTS = 1_024;

    address[] internal accounts;
    uint256[] internal amounts;

    function _publishLargeTree(uint256 scale) internal returns (bytes32[] memory tree) {
        if (accounts.length == 0) {
            for (uint256 i; i < ACCOUNTS; ++i) {
                // forge-lint: disable-next-line(unsafe-typecast) -- i < 1,024
                accounts.push(address(uint160(0x100000 + i)));
                amounts.push(0);
            }
        }
        for (uint256 i; i < ACCOUNTS; ++i) {
            amounts[i] = scale * (1e18 + i);
        }
        tree = _publishTree(accounts, amounts);
    }
}

contract ClaimGasTest is RewardTreeGasFixture {
    bytes32[] internal newHolderProof;
    bytes32[] internal holderProof;

    function setUp() public override {
        super.setUp();
        bytes32[] memory tree = _publishLargeTree(1);
        newHolderProof = RewardTree.proof(tree, accounts[0], amounts[0]);
        holderProof = RewardTree.proof(tree, accounts[1], amounts[1]);
        require(newHolderProof.length == 10 && holderProof.length == 10, "depth");
        vm.prank(deployer);
        token.mint(accounts[1], 1e18);
    }

    function test_claim_first_newHolder_depth10() public {
        vm.pauseGasMetering();
        bytes32[] memory proof = newHolderProof;
        vm.resumeGasMetering();
        pool.claim(accounts[0], amounts[0], proof);
        vm.snapshotGasLastCall("datanet", "claim_first_newHolder_depth10");
    }

    function test_claim_first_existingHolder_depth10() public {
        vm.pauseGasMetering();
        bytes32[] memory proof = holderProof;
        vm.resumeGasMetering();
        pool.claim(accounts[1], amounts[1], proof);
        vm.snapshotGasLastCall("datanet", "claim_first_existingHolder_depth10");
    }
}

contract ClaimRepeatGasTest is RewardTreeGasFixture {
    bytes32[] internal proof2;

    function setUp() public override {
        super.setUp();
        bytes32[] memory tree = _publishLargeTree(1);
        pool.claim(accounts[0], amounts[0], RewardTree.proof(tree, accounts[0], amounts[0]));
        tree = _publishLargeTree(2);
        proof2 = RewardTree.proof(tree, accounts[0], amounts[0]);
    }

    function test_claim_repeat_secondEpoch_depth10() public {
        vm.pauseGasMetering();
        bytes32[] memory proof = proof2;
        vm.resumeGasMetering();
        pool.claim(accounts[0], amounts[0], proof);
        vm.snapshotGasLastCall("datanet", "claim_repeat_secondEpoch_depth10");
    }
}

contract PoolGasTest is Fixture {
    bytes32 internal root = keccak256("root");
    bytes[] internal sigs;

    function setUp() public override {
        super.setUp();
        // Steady state: the treasury, the owner credit and the contributors' pool are already non-zero.
        _pay(1_000e18);
        sigs = _epochSigs(pool, 1, root, 500e18);
    }

    function test_proposeEpoch_3of5Signatures() public {
        vm.pauseGasMetering();
        bytes[] memory signatures = sigs;
        vm.resumeGasMetering();
        pool.proposeEpoch(1, root, 500e18, REPORT_HASH, REPORT_URI, signatures);
        vm.snapshotGasLastCall("datanet", "proposeEpoch_3of5Signatures");
    }

    function test_payForInference() public {
        vm.prank(payer);
        pool.payForInference(modelId, 1e18, keccak256("output"));
        vm.snapshotGasLastCall("datanet", "payForInference");
    }

    function test_payForInferences_20() public {
        vm.pauseGasMetering();
        uint256[] memory amounts = new uint256[](20);
        bytes32[] memory ids = new bytes32[](20);
        for (uint256 i; i < 20; ++i) {
            amounts[i] = 1e18 + i;
            ids[i] = keccak256(abi.encode("output", i));
        }
        vm.resumeGasMetering();
        vm.prank(payer);
        pool.payForInferences(modelId, amounts, ids);
        vm.snapshotGasLastCall("datanet", "payForInferences_20");
    }
}
