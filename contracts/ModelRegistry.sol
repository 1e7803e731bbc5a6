// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title ModelRegistry
/// @notice Models, their owners and owner shares, the datanets they were built from, and their data cutoffs.
/// @dev Immutable: no owner, no upgrade.
contract ModelRegistry is IModelRegistry {
    /* STORAGE */

    /// @notice Most datanets a model may name, which bounds every loop over them.
    uint256 public constant MAX_DATANETS = 64;

    /// @notice 100% in basis points.
    uint256 internal constant BPS = 10_000;

    IDatanetRegistry internal immutable _datanetRegistry;

    uint256 internal _modelCount;
    mapping(uint256 modelId => Model) internal _models;
    mapping(uint256 modelId => uint256[]) internal _datanetIds;

    /* CONSTRUCTOR */

    /// @param initialDatanetRegistry The registry whose datanets models refer to.
    constructor(address initialDatanetRegistry) {
        if (initialDatanetRegistry == address(0)) revert ZeroAddress();
        _datanetRegistry = IDatanetRegistry(initialDatanetRegistry);
    }

    /* EXTERNAL */

    /// @inheritdoc IModelRegistry
    function registerModel(string calldata metadataURI, uint256[] calldata datanetIds, uint16 ownerShareBps)
        external
        returns (uint256 modelId)
    {
        uint256 count = datanetIds.length;
        if (count == 0 || count > MAX_DATANETS) revert InvalidDatanetCount(count, MAX_DATANETS);
        if (ownerShareBps > BPS) revert OwnerShareTooLarge(ownerShareBps);
        for (uint256 i; i < count; ++i) {
            uint256 datanetId = datanetIds[i];
            if (!_datanetRegistry.datanetExists(datanetId)) revert DatanetNotFound(datanetId);
            for (uint256 j; j < i; ++j) {
                if (datanetIds[j] == datanetId) revert DuplicateDatanet(datanetId);
            }
        }
        modelId = ++_modelCount;
        // forge-lint: disable-next-line(unsafe-typecast) -- block numbers fit in 64 bits
        uint64 cutoff = uint64(block.number);
        _models[modelId] = Model({owner: msg.sender, ownerShareBps: ownerShareBps, dataCutoff: cutoff});
        _datanetIds[modelId] = datanetIds;
        emit ModelRegistered(modelId, msg.sender, ownerShareBps, datanetIds, metadataURI);
        emit DataCutoffSet(modelId, cutoff);
    }

    /// @inheritdoc IModelRegistry
    function setDataCutoff(uint256 modelId, uint64 cutoffBlock) external {
        Model storage model = _models[modelId];
        address owner = model.owner;
        if (owner == address(0)) revert ModelNotFound(modelId);
        if (msg.sender != owner) revert NotModelOwner(modelId, msg.sender, owner);
        uint256 current = model.dataCutoff;
        if (cutoffBlock <= current) revert CutoffNotForward(modelId, cutoffBlock, current);
        if (cutoffBlock > block.number) revert CutoffInFuture(cutoffBlock, block.number);
        model.dataCutoff = cutoffBlock;
        emit DataCutoffSet(modelId, cutoffBlock);
    }

    /// @inheritdoc IModelRegistry
    function transferModel(uint256 modelId, address newOwner) external {
        address owner = _models[modelId].owner;
        if (owner == address(0)) revert ModelNotFound(modelId);
        if (msg.sender != owner) revert NotModelOwner(modelId, msg.sender, owner);
        if (newOwner == address(0)) revert ZeroAddress();
        _models[modelId].owner = newOwner;
        emit ModelOwnerChanged(modelId, owner, newOwner);
    }

    /* VIEWS */

    /// @inheritdoc IModelRegistry
    function datanetRegistry() external view returns (address) {
        return address(_datanetRegistry);
    }

    /// @inheritdoc IModelRegistry
    function modelCount() external view returns (uint256) {
        return _modelCount;
    }

    /// @inheritdoc IModelRegistry
    function getModel(uint256 modelId) external view returns (Model memory) {
        return _models[modelId];
    }

    /// @inheritdoc IModelRegistry
    function datanetsOf(uint256 modelId) external view returns (uint256[] memory) {
        return _datanetIds[modelId];
    }
}
