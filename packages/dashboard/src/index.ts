export {
  DashboardBuildError,
  dashboardDist,
  dashboardIsFresh,
  dashboardRoot,
  dashboardSourceHash,
  type EnsureDashboardBuiltParameters,
  type EnsureDashboardBuiltReturnType,
  ensureDashboardBuilt,
} from './build.ts';
