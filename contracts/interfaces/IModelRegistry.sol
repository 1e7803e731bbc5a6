// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IModelRegistry
/// @notice Models and the datanets they were built from. A model's owner receives `ownerShareBps` of
/// every payment for the model's outputs; the contributors of its datanets share the rest after the
/// protocol fee.
interface IModelRegistry {
    /// @notice A model: who is paid its owner share, how large that share is, and the data it can have
    /// learned from.
    /// @param owner Receives the owner share of every payment and may move the data cutoff.
    /// @param ownerShareBps The owner's share of each payment after the protocol fee, in basis points.
    /// @param dataCutoff A block number: outputs are attributed only to contributions revealed at or before
    /// the cutoff in force when they were paid (a model cannot have learned from later data).
    struct Model {
        address owner;
        uint16 ownerShareBps;
        uint64 dataCutoff;
    }

    /// @notice Emitted when `owner` registers model `modelId`.
    event ModelRegistered(
        uint256 indexed modelId,
        address indexed owner,
        uint16 ownerShareBps,
        uint256[] datanetIds,
        string metadataURI
    );

    /// @notice Emitted when the data cutoff of `modelId` is set: at registration, then each time its owner moves
    /// it forward. Off chain, an output paid in block `b` is attributed against contributions revealed at or
    /// before the latest `cutoffBlock` set in a block `<= b`.
    event DataCutoffSet(uint256 indexed modelId, uint256 cutoffBlock);

    /// @notice Emitted when the owner of `modelId` hands it to `newOwner`.
    event ModelOwnerChanged(uint256 indexed modelId, address indexed previousOwner, address indexed newOwner);

    /// @notice `modelId` does not exist.
    error ModelNotFound(uint256 modelId);
    /// @notice Datanet `datanetId` does not exist in the datanet registry.
    error DatanetNotFound(uint256 datanetId);
    /// @notice Datanet `datanetId` is listed twice.
    error DuplicateDatanet(uint256 datanetId);
    /// @notice A model must name between 1 and `max` datanets; it named `count`.
    error InvalidDatanetCount(uint256 count, uint256 max);
    /// @notice `ownerShareBps` exceeds 10,000 basis points.
    error OwnerShareTooLarge(uint256 ownerShareBps);
    /// @notice `caller` is not the owner of `modelId`.
    error NotModelOwner(uint256 modelId, address caller, address owner);
    /// @notice An address argument was zero.
    error ZeroAddress();
    /// @notice The data cutoff of `modelId` can only move forward: `cutoffBlock` is not after `current`.
    error CutoffNotForward(uint256 modelId, uint256 cutoffBlock, uint256 current);
    /// @notice `cutoffBlock` is after the current block `blockNumber`.
    error CutoffInFuture(uint256 cutoffBlock, uint256 blockNumber);

    /// @notice Registers a model owned by the caller, with the current block as its data cutoff.
    /// @dev Anyone can call this function.
    /// @param metadataURI Where the model's description lives.
    /// @param datanetIds The datanets the model was built from (existing, distinct, at most `MAX_DATANETS`).
    /// @param ownerShareBps The owner's share of each payment, in basis points.
    /// @return modelId The new model's id (sequential, from 1).
    function registerModel(string calldata metadataURI, uint256[] calldata datanetIds, uint16 ownerShareBps)
        external
        returns (uint256 modelId);

    /// @notice Moves the data cutoff of `modelId` forward to `cutoffBlock`, e.g. after retraining on newer data.
    /// @dev Only the model owner can call this function.
    /// @param modelId The model.
    /// @param cutoffBlock The new cutoff: after the current one, and not after the current block.
    function setDataCutoff(uint256 modelId, uint64 cutoffBlock) external;

    /// @notice Hands model `modelId` (and its future owner shares) to `newOwner`.
    /// @dev Only the model owner can call this function.
    /// @param modelId The model.
    /// @param newOwner The new owner.
    function transferModel(uint256 modelId, address newOwner) external;

    /// @notice The datanet registry models refer to.
    function datanetRegistry() external view returns (address);

    /// @notice Number of models registered; ids run from 1 to this.
    function modelCount() external view returns (uint256);

    /// @notice Model `modelId` (owner zero if it does not exist).
    function getModel(uint256 modelId) external view returns (Model memory);

    /// @notice The datanets model `modelId` was built from.
    function datanetsOf(uint256 modelId) external view returns (uint256[] memory);
}
