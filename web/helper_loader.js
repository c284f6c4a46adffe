// A helper worker (see src/engine/helpers): the compute worker's own
// module, which the compute worker hands over already compiled as the
// first message, so a helper starts without compiling it again.
importScripts("./worker.js");
self.onmessage = (event) => {
  self.onmessage = null;
  wasm_bindgen({ module_or_path: event.data });
};
