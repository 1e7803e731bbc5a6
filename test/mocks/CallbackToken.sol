// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Receives a callback from `CallbackToken` whenever it is sent tokens.
interface ITokenReceiver {
    function onTokenReceived(address from, uint256 amount) external;
}

/// @notice An ERC-20 that calls `onTokenReceived` on recipients that registered for it (like ERC-777 hooks),
/// giving them a chance to reenter the sender.
contract CallbackToken is ERC20 {
    mapping(address account => bool) public hooked;

    constructor() ERC20("Callback", "CB") {}

    function setHooked(address account, bool enabled) external {
        hooked[account] = enabled;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from != address(0) && hooked[to]) ITokenReceiver(to).onTokenReceived(from, value);
    }
}

/// @notice A contract account that, when it receives tokens, makes one reentrant call and records the outcome.
contract Reenterer is ITokenReceiver {
    address public target;
    bytes public payload;
    bool public attempted;
    bool public reentered;
    bytes public revertData;

    function arm(address target_, bytes calldata payload_) external {
        target = target_;
        payload = payload_;
    }

    /// @notice Forwards any call (to approve tokens, contribute, withdraw...) from this account.
    function execute(address to, bytes calldata data) external returns (bytes memory result) {
        bool ok;
        (ok, result) = to.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }

    function onTokenReceived(address, uint256) external {
        if (target == address(0) || attempted) return;
        attempted = true;
        (reentered, revertData) = target.call(payload);
    }
}
