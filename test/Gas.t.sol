// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAttributionPool} from "../contracts/interfaces/IAttributionPool.sol";
import {IDatanetRegistry} from "../contracts/interfaces/IDatanetRegistry.sol";
import {Fixture} from "./utils/Fixture.sol";
import {RewardTree} from "./utils/RewardTree.sol";
import {console} from "forge-std/console.sol";

/// @dev Gas rows for `forge snapshot`: each test makes exactly one measured call; its inputs are prepared in
/// `setUp` and loaded with gas metering paused. `vm.snapshotGasLastCall` records the call alone (execution,
/// without the 21,000 base and calldata) in `snapshots/datanet.json`; each test also logs the transaction's
/// estimate: execution + 21,000 + calldata (4 gas per zero byte, 16 per non-zero byte) − refund.
abstract contract GasFixture is Fixture {
    /// @dev An IPFS URI as the CLI writes them (66 bytes).
    string internal constant CID_URI = "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

    function _calldataGas(bytes memory data) internal pure returns (uint256 gas) {
        for (uint256 i; i < data.length; ++i) {
            gas += data[i] == 0 ? 4 : 16;
        }
    }

    /// @dev Logs and returns the transaction estimate of the last call: its storage clears refund gas, capped
    /// at a fifth of the transaction's gas (EIP-3529).
    function _logTx(string memory name, bytes memory data) internal returns (uint256 txGas) {
        vm.pauseGasMetering();
        uint256 execution = vm.lastCallGas().gasTotalUsed;
        // forge-lint: disable-next-line(unsafe-typecast) -- a refund is never negative at the end of a call
        uint256 refund = uint256(uint64(vm.lastCallGas().gasRefunded));
        uint256 gross = execution + 21_000 + _calldataGas(data);
        txGas = gross - (refund < gross / 5 ? refund : gross / 5);
        console.log(name);
        console.log("  execution, calldata gas, refund:", execution, _calldataGas(data), refund);
        console.log("  transaction estimate:", txGas);
        vm.resumeGasMetering();
    }
}

contract RegistryGasTest is GasFixture {
    uint256 internal freeDatanet;
    IDatanetRegistry.ContributionInput[] internal one;
    IDatanetRegistry.ContributionInput[] internal hundred;
    bytes32 internal commitment;

    function setUp() public override {
        super.setUp();
        freeDatanet = _createDatanet(0, REVIEW_PERIOD);
        // Steady state: the registry already holds a bond.
        _contribute(bob, keccak256("earlier"));
        one.push(_contributionInput(keccak256("file"), CID_URI));
        for (uint256 i; i < 100; ++i) {
            hundred.push(_contributionInput(keccak256(abi.encode("file", i)), CID_URI));
        }
        commitment = _commitmentOf(alice, freeDatanet, one, _salt(alice));
        // The reveals' commitments, made in earlier transactions (a commitment cleared in the transaction that
        // wrote it would refund more than a real reveal gets).
        _commit(alice, freeDatanet, one, _salt(alice));
        _commit(alice, datanetId, one, _salt(alice));
        _commit(carol, freeDatanet, hundred, _salt(carol));
        vm.warp(block.timestamp + MIN_COMMITMENT_AGE);
    }

    function test_commit() public {
        bytes32 fresh = _commitmentOf(bob, freeDatanet, one, _salt(bob));
        vm.prank(bob);
        registry.commit(fresh);
        vm.snapshotGasLastCall("datanet", "commit");
        _logTx("commit", abi.encodeCall(registry.commit, (fresh)));
    }

    function test_reveal_1_withoutBond() public {
        _measureReveal(alice, freeDatanet, false, "reveal_1_withoutBond");
    }

    function test_reveal_1_withBond() public {
        _measureReveal(alice, datanetId, false, "reveal_1_withBond");
    }

    function test_reveal_100_withoutBond() public {
        _measureReveal(carol, freeDatanet, true, "reveal_100_withoutBond");
    }

    /// @dev The single-contribution row: what `datanet contribute` sends for one file (a 128-bit salt, a CID URI).
    function test_revealOne_withoutBond() public {
        vm.pauseGasMetering();
        bytes32 salt = _salt(alice);
        bytes32 contentHash = keccak256("file");
        vm.resumeGasMetering();
        vm.prank(alice);
        registry.revealOne(freeDatanet, contentHash, CID_URI, salt);
        vm.snapshotGasLastCall("datanet", "revealOne_withoutBond");
        _logTx(
            "revealOne_withoutBond",
            abi.encodeCall(registry.revealOne, (freeDatanet, contentHash, CID_URI, salt))
        );
    }

    function _measureReveal(address contributor, uint256 datanet, bool batch, string memory name) internal {
        vm.pauseGasMetering();
        IDatanetRegistry.ContributionInput[] memory items = batch ? hundred : one;
        bytes32 salt = _salt(contributor);
        vm.resumeGasMetering();
        vm.prank(contributor);
        registry.reveal(datanet, items, salt);
        vm.snapshotGasLastCall("datanet", name);
        _logTx(name, abi.encodeCall(registry.reveal, (datanet, items, salt)));
    }
}

/// @dev A 1,024-account reward tree (depth-10 proofs), accepted as epoch 1.
abstract contract RewardTreeGasFixture is GasFixture {
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

    function _claimData(uint256 i, bytes32[] memory proof) internal view returns (bytes memory) {
        return abi.encodeCall(pool.claim, (accounts[i], amounts[i], proof));
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
        _logTx("claim_first_newHolder_depth10", _claimData(0, proof));
    }

    function test_claim_first_existingHolder_depth10() public {
        vm.pauseGasMetering();
        bytes32[] memory proof = holderProof;
        vm.resumeGasMetering();
        pool.claim(accounts[1], amounts[1], proof);
        vm.snapshotGasLastCall("datanet", "claim_first_existingHolder_depth10");
        _logTx("claim_first_existingHolder_depth10", _claimData(1, proof));
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
        _logTx("claim_repeat_secondEpoch_depth10", _claimData(0, proof));
    }
}

contract PoolGasTest is GasFixture {
    string internal constant OUTPUTS_URI =
        "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/outputs";

    bytes32 internal root = keccak256("root");
    IAttributionPool.Epoch internal epoch;
    bytes[] internal sigs;

    function setUp() public override {
        super.setUp();
        // Steady state: the treasury, the owner credit and the contributors' pool are already non-zero.
        _pay(1_000e18);
        epoch = _epoch(pool, 1, root, 500e18);
        sigs = _epochSigs(pool, epoch);
    }

    function test_proposeEpoch_3of5Signatures() public {
        vm.pauseGasMetering();
        IAttributionPool.Epoch memory e = epoch;
        bytes[] memory signatures = sigs;
        vm.resumeGasMetering();
        pool.proposeEpoch(e, signatures);
        vm.snapshotGasLastCall("datanet", "proposeEpoch_3of5Signatures");
        _logTx("proposeEpoch_3of5Signatures", abi.encodeCall(pool.proposeEpoch, (e, signatures)));
    }

    function test_payForInference() public {
        vm.prank(payer);
        pool.payForInference(modelId, 1e18, keccak256("output"), OUTPUTS_URI);
        vm.snapshotGasLastCall("datanet", "payForInference");
        _logTx(
            "payForInference",
            abi.encodeCall(pool.payForInference, (modelId, 1e18, keccak256("output"), OUTPUTS_URI))
        );
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
        pool.payForInferences(modelId, amounts, ids, OUTPUTS_URI);
        vm.snapshotGasLastCall("datanet", "payForInferences_20");
        _logTx(
            "payForInferences_20", abi.encodeCall(pool.payForInferences, (modelId, amounts, ids, OUTPUTS_URI))
        );
    }
}
