// ABIs and enum names of the deployed contracts. `datanet-abi` is resolved at build time
// (web/build.mjs) to the compiler's output: nothing here is written by hand.
import exported from 'datanet-abi';

/** ABI per contract name: DatanetToken, DatanetRegistry, ModelRegistry, AttributionPool. */
export const abis = exported.contracts;
/** Enum member names by canonical name, e.g. 'IDatanetRegistry.Status'. */
export const enums = exported.enums ?? {};
