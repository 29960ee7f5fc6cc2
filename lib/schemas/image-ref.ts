// A Docker image reference (registry/name:tag[@digest]), lower-case repository, no whitespace, no
// YAML syntax: shared by the compose.override.yml reader and the image-pin form.
export const IMAGE_REF = /^[a-z0-9]+([._-][a-z0-9]+)*(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$/;
