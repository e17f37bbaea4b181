export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

export const unauthorized = () => new HttpError(401, 'unauthorized', 'login required');
export const forbidden = () => new HttpError(403, 'forbidden', 'your role does not allow this');
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
