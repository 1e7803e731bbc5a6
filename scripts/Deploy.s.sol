// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttributionPool} from "../contracts/AttributionPool.sol";
import {DatanetRegistry} from "../contracts/DatanetRegistry.sol";
import {DatanetToken} from "../contracts/DatanetToken.sol";
import {ModelRegistry} from "../contracts/ModelRegistry.sol";
import {IAttributionPool} from "../contracts/interfaces/IAttributionPool.sol";
import {Script, console} from "forge-std/Script.sol";

/// @title Deploy
/// @notice Deploys the token (unless `TOKEN` is set), DatanetRegistry, ModelRegistry and AttributionPool,
/// with the same defaults as `datanet deploy`: the deployer is sole attestor, guardian, treasury and owner.
/// @dev Environment (all optional):
/// - `TOKEN` existing ERC-20 for bonds and payments; `TOKEN_SUPPLY` whole tokens minted to the deployer
///   otherwise (default 1,000,000,000, 18 decimals)
/// - `ATTESTORS` comma-separated addresses (default: the deployer); `THRESHOLD` (default: a majority)
/// - `CHALLENGE_PERIOD` seconds (default 86,400; the pool accepts 1 hour to 30 days); `PROTOCOL_FEE_BPS`
///   (default 500)
/// - `MIN_COMMITMENT_AGE`, `MAX_COMMITMENT_AGE` seconds between a contribution's commit and its reveal
///   (default 60 and 86,400)
/// - `TREASURY`, `GUARDIAN`, `POOL_OWNER` (default: the deployer)
///
/// Simulate: `forge script scripts/Deploy.s.sol`. Deploy: add `--rpc-url <url> --private-key <key>
/// --broadcast` (or `--account <name>`).
contract Deploy is Script {
    /// @notice What to deploy.
    struct Params {
        address deployer;
        address token;
        uint256 tokenSupply;
        address[] attestors;
        uint8 threshold;
        uint64 challengePeriod;
        uint32 minCommitmentAge;
        uint32 maxCommitmentAge;
        uint16 protocolFeeBps;
        address treasury;
        address guardian;
        address owner;
    }

    /// @notice What was deployed.
    struct Deployment {
        address token;
        DatanetRegistry datanetRegistry;
        ModelRegistry modelRegistry;
        AttributionPool attributionPool;
    }

    /// @notice Deploys from the script's sender with parameters from the environment.
    function run() external returns (Deployment memory) {
        return deploy(params(msg.sender));
    }

    /// @notice Parameters from the environment, defaulting to `deployer` for every role.
    function params(address deployer) public view returns (Params memory p) {
        address[] memory defaultAttestors = new address[](1);
        defaultAttestors[0] = deployer;
        p.deployer = deployer;
        p.token = vm.envOr("TOKEN", address(0));
        p.tokenSupply = vm.envOr("TOKEN_SUPPLY", uint256(1_000_000_000)) * 1e18;
        p.attestors = vm.envOr("ATTESTORS", ",", defaultAttestors);
        uint256 threshold = vm.envOr("THRESHOLD", p.attestors.length / 2 + 1);
        require(threshold <= type(uint8).max, "Deploy: THRESHOLD above 255");
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above
        p.threshold = uint8(threshold);
        uint256 challengePeriod = vm.envOr("CHALLENGE_PERIOD", uint256(1 days));
        require(challengePeriod <= type(uint64).max, "Deploy: CHALLENGE_PERIOD too large");
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above
        p.challengePeriod = uint64(challengePeriod);
        uint256 minAge = vm.envOr("MIN_COMMITMENT_AGE", uint256(60));
        uint256 maxAge = vm.envOr("MAX_COMMITMENT_AGE", uint256(1 days));
        require(minAge <= type(uint32).max && maxAge <= type(uint32).max, "Deploy: COMMITMENT_AGE too large");
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above; the registry checks the range
        (p.minCommitmentAge, p.maxCommitmentAge) = (uint32(minAge), uint32(maxAge));
        uint256 feeBps = vm.envOr("PROTOCOL_FEE_BPS", uint256(500));
        require(feeBps <= type(uint16).max, "Deploy: PROTOCOL_FEE_BPS too large");
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above; the pool checks <= 10,000
        p.protocolFeeBps = uint16(feeBps);
        p.treasury = vm.envOr("TREASURY", deployer);
        p.guardian = vm.envOr("GUARDIAN", deployer);
        p.owner = vm.envOr("POOL_OWNER", deployer);
    }

    /// @notice Deploys everything from `p.deployer`.
    function deploy(Params memory p) public returns (Deployment memory d) {
        vm.startBroadcast(p.deployer);
        d.token = p.token != address(0)
            ? p.token
            : address(new DatanetToken("Datanet Token", "DATA", p.deployer, p.tokenSupply));
        d.datanetRegistry = new DatanetRegistry(d.token, p.treasury, p.minCommitmentAge, p.maxCommitmentAge);
        d.modelRegistry = new ModelRegistry(address(d.datanetRegistry));
        d.attributionPool = new AttributionPool(
            IAttributionPool.Config({
                token: d.token,
                modelRegistry: address(d.modelRegistry),
                treasury: p.treasury,
                protocolFeeBps: p.protocolFeeBps,
                attestors: p.attestors,
                threshold: p.threshold,
                challengePeriod: p.challengePeriod,
                guardian: p.guardian,
                owner: p.owner
            })
        );
        vm.stopBroadcast();

        console.log("chain id        ", block.chainid);
        console.log("deployer        ", p.deployer);
        console.log("DatanetToken    ", d.token);
        console.log("DatanetRegistry ", address(d.datanetRegistry));
        console.log("ModelRegistry   ", address(d.modelRegistry));
        console.log("AttributionPool ", address(d.attributionPool));
    }
}
