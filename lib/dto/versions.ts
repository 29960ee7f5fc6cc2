export type VersionDto = {
  version: string;
  /** All six images exist for this tag. */
  available: boolean;
  /** Services whose image lacks the tag. */
  missing: string[];
};

export type VersionsDto = {
  registry: string;
  /** Newest first, each checked in the registry. */
  versions: VersionDto[];
  /** Older tags, newest first, not checked. */
  unchecked: string[];
  /** Why the registry could not be asked (unreachable, refused, rate limited); then no versions. */
  error: { code: string; message: string } | null;
};
