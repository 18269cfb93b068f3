/** Wharf's version, reported by `/_wharf/version` and the `x-wharf-version` header. */
export const VERSION = "0.1.0";
