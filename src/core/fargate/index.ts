export { distributeTasks, FARGATE_PROVIDERS, type StrategyItem, validateStrategy } from "./capacity-strategy.js";
export {
  ephemeralStorageGiB,
  LATEST_PLATFORM_VERSION,
  PLATFORM_VERSIONS,
  resolvePlatformVersion,
  spreadOverSubnets,
} from "./platform.js";
export { chaosDraw, chooseShare, isLiveSpot, SPOT_INTERRUPTION, type SpotCandidate } from "./spot.js";
