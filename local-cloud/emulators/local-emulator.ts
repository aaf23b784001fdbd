/**
 * What starting a local emulator hands back, shared by DynamoDB Local and the SQS emulator.
 */

/** A running local emulator. */
export interface LocalEmulator {
  /** HTTP endpoint for SDK clients, e.g. `http://127.0.0.1:8000`. */
  readonly endpoint: string;
  /** Stops the emulator and frees its port; safe to call twice. */
  stop(): Promise<void>;
}

/** Options of starting a local emulator. */
export interface LocalEmulatorOptions {
  /**
   * Port to listen on.
   * @default - a free port chosen by the OS
   */
  readonly port?: number;
}
