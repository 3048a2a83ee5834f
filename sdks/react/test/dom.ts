// A browser-like global environment (jsdom) for the component tests; import it first.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { url: "https://app.test/", pretendToBeVisual: true });
const window = dom.window as unknown as Window & typeof globalThis;
const g = globalThis as Record<string, unknown>;
for (const key of Object.getOwnPropertyNames(window)) {
  if (key in g) continue;
  try {
    g[key] = (window as unknown as Record<string, unknown>)[key];
  } catch {
    // some accessors throw outside a real window
  }
}
g["window"] = window;
g["document"] = window.document;
Object.defineProperty(globalThis, "navigator", { value: window.navigator, configurable: true, writable: true });
g["IS_REACT_ACT_ENVIRONMENT"] = true;

export { dom };
