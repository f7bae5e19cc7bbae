/** Version of ehr-geomask written into run reports; keep it equal to package.json's. */
export const VERSION = '0.1.0';
