/**
 * Errors of the contract: services throw ContractError; both transports (Electron IPC, browser-mode
 * HTTP) carry it as a plain { code, message } and the renderer turns it back into an Error with `code`.
 * Runtime-free apart from these small helpers, so preload and renderer may use it.
 */

export const CONTRACT_ERROR_CODES = ['bad-request', 'not-found', 'conflict', 'failed'] as const;
/**
 * bad-request: the arguments are wrong (fix the request); not-found: a workspace, job, case or model is
 * missing; conflict: the request clashes with the current state (e.g. folder not empty, job running);
 * failed: anything else went wrong in the services.
 */
export type ContractErrorCode = (typeof CONTRACT_ERROR_CODES)[number];

/** What travels over IPC and HTTP. */
export interface WireError {
  code: ContractErrorCode;
  message: string;
}

/** An error the services report on purpose; its message names the argument or file and says what to do. */
export class ContractError extends Error {
  readonly code: ContractErrorCode;

  constructor(code: ContractErrorCode, message: string) {
    super(message);
    this.name = 'ContractError';
    this.code = code;
  }
}

export function isContractErrorCode(value: unknown): value is ContractErrorCode {
  return typeof value === 'string' && (CONTRACT_ERROR_CODES as readonly string[]).includes(value);
}

/** Any thrown value as a wire error; unexpected errors become 'failed' with their message. */
export function toWireError(error: unknown): WireError {
  if (error instanceof ContractError) return { code: error.code, message: error.message };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: isContractErrorCode(code) ? code : 'failed', message: error.message };
  }
  return { code: 'failed', message: String(error) };
}

/** Whether a value looks like a wire error (for transports that receive untyped JSON). */
export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return isContractErrorCode(candidate['code']) && typeof candidate['message'] === 'string';
}

/** A wire error back as a ContractError (an Error with `code`), for the renderer's promise rejections. */
export function fromWireError(wire: WireError): ContractError {
  return new ContractError(wire.code, wire.message);
}
