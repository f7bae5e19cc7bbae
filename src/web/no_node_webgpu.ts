/**
 * Stands in for Dawn's Node package ("webgpu") in the browser bundle. The device code
 * loads that package only on Node without navigator.gpu, so a page never calls this.
 */
export function create(): never {
  throw new Error("Dawn's Node bindings do not run in a browser; the page uses navigator.gpu");
}

export const globals = {};
