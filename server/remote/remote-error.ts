// placeholder: the transport branch replaces this file

export type RemoteErrorCode =
  | 'INVALID_ENDPOINT'
  | 'HOST_UNREACHABLE'
  | 'HOST_KEY_CHANGED'
  | 'AUTH_FAILED'
  | 'DIRECTORY_MISSING'
  | 'DIRECTORY_NOT_WRITABLE'
  | 'DOCKER_UNAVAILABLE'
  | 'CONNECTION_LOST';

export class RemoteError extends Error {
  constructor(
    public code: RemoteErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}
