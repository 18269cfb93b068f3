/** Simulated container instances (`wharf agent --simulate N`): see fleet.ts. */
export { startSimulatedAgents } from "./fleet.js";
export type { SimulatedFleet, SimulatedInstance, SimulateOptions } from "./fleet.js";
export { GPU_COUNTS, gpusOfType, instanceSpecs } from "./instance-specs.js";
export type { FleetShape, InstanceSpec } from "./instance-specs.js";
