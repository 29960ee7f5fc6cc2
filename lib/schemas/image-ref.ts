import { IMAGE_TAG_PATTERN } from '@/lib/version-tag';

// A Docker image reference (registry/name:tag[@digest]), lower-case repository, no whitespace, no
// YAML syntax: shared by the compose.override.yml reader and the image-pin form.
export const IMAGE_REF = new RegExp(
  `^[a-z0-9]+([._-][a-z0-9]+)*(:\\d{1,5})?(\\/[a-z0-9]+([._-][a-z0-9]+)*)*(:${IMAGE_TAG_PATTERN})?(@sha256:[0-9a-f]{64})?$`,
);
