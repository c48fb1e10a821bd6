import { safeStorage } from 'electron'
import type { SecretStore } from '../app/secret-store'

/** Tokens sealed with the OS keychain (Keychain, DPAPI, Secret Service) through safeStorage. */
export const safeStorageSecrets: SecretStore = {
  isAvailable: () => safeStorage.isEncryptionAvailable(),
  encrypt: (plain) => safeStorage.encryptString(plain),
  decrypt: (sealed) => safeStorage.decryptString(sealed),
}
