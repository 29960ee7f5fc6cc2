export type OverviewDto = {
  engine: { reachable: true; version: string } | { reachable: false; reason: string };
  deployDir: string;
  initialised: boolean;
};
