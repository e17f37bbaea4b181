export class EslError extends Error {}

export class EslNotConnectedError extends EslError {
  override readonly name = 'EslNotConnectedError';
  constructor() {
    super('FreeSWITCH Event Socket is not connected');
  }
}

export class EslTimeoutError extends EslError {
  override readonly name = 'EslTimeoutError';
  constructor(command: string, ms: number) {
    super(`no reply to "${command.split(' ')[0]}" within ${ms} ms`);
  }
}

export class EslDisconnectedError extends EslError {
  override readonly name = 'EslDisconnectedError';
  constructor(command: string) {
    super(`connection lost before "${command.split(' ')[0]}" was answered`);
  }
}

export class EslAuthError extends EslError {
  override readonly name = 'EslAuthError';
}
