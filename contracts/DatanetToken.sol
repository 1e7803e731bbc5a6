// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title DatanetToken
/// @notice A plain ERC-20 with EIP-2612 permit, for devnets and tests: bonds and inference payments.
/// @dev The owner may mint. Production deployments pass an existing token instead.
contract DatanetToken is ERC20, ERC20Permit, Ownable {
    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @param initialOwner May mint.
    /// @param initialSupply Minted to `initialOwner`.
    constructor(string memory name_, string memory symbol_, address initialOwner, uint256 initialSupply)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
        Ownable(initialOwner)
    {
        _mint(initialOwner, initialSupply);
    }

    /// @notice Mints `amount` to `to`.
    /// @dev Only the owner can call this function.
    /// @param to Recipient.
    /// @param amount Amount in base units.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
