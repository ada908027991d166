/** The SDK's version, reported in support reports. Keep in step with package.json. */
export const VERSION = '0.1.0';
