// PLACEHOLDER (owned by the lead): routerForCluster(docker, clusterName) -> { router, seeds }
export {};
