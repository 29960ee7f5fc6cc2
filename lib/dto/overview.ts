export type OverviewDto = {
  deployDir: string;
  initialised: boolean;
};
