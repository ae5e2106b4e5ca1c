// Preloaded (`node --require bench/memory-probe.js`) into the worker processes bench/open-cases.ts starts: answers
// 'memory' on the IPC channel with the process's own figures (process.memoryUsage(), the V8 heap limit that sizes the
// SDK's default workflow cache), and 'memory-after-gc' the same after a full collection (needs --expose-gc).
const v8 = require('node:v8');

if (process.send) {
  process.on('message', (message) => {
    if (message !== 'memory' && message !== 'memory-after-gc') return;
    if (message === 'memory-after-gc' && typeof globalThis.gc === 'function') globalThis.gc();
    process.send({ memory: process.memoryUsage(), heapSizeLimit: v8.getHeapStatistics().heap_size_limit });
  });
  // The channel must not keep a stopped worker alive.
  process.channel.unref();
}
