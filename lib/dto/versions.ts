/** This release failed its health gate on this host: the deploy that failed, when, and why. */
export type FailedHereDto = { operationId: string; at: string; code: string; message: string };

export type VersionDto = {
  version: string;
  /** All six images exist for this tag. */
  available: boolean;
  /** Services whose image lacks the tag. */
  missing: string[];
  /** Set when a deploy of it failed its health gate here (and none succeeded since). */
  failedHere: FailedHereDto | null;
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
