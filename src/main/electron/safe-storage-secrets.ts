import { safeStorage } from 'electron'
import type { SecretStore } from '../app/secret-store'

/**
 * Tokens sealed with the OS keychain (Keychain, DPAPI, Secret Service) through safeStorage. On
 * Linux without a Secret Service, Electron falls back to 'basic_text', a key built into
 * Chromium: that is not a keychain, so we refuse to store tokens there.
 */
export const safeStorageSecrets: SecretStore = {
  isAvailable: () =>
    safeStorage.isEncryptionAvailable() &&
    (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
  encrypt: (plain) => safeStorage.encryptString(plain),
  decrypt: (sealed) => safeStorage.decryptString(sealed),
}
