/**
 * Where endpoint tokens live. In the app this is Electron's safeStorage (the OS keychain);
 * the core only sees this interface, so nothing here can write a token in plain text.
 */
export interface SecretStore {
  /** False when the OS offers no keychain; tokens are then refused, not stored in clear. */
  isAvailable(): boolean
  encrypt(plain: string): Buffer
  decrypt(sealed: Buffer): string
}
