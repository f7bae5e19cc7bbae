/** A file imported with the `?base64` query (web/base64_plugin.ts): its bytes in base64. */
declare module '*?base64' {
  const base64: string;
  export default base64;
}
