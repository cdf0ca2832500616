// AudioWorkletProcessor: copies the microphone's render quanta (128 frames) into 20 ms mono blocks and posts them
// to the main thread as transferable buffers. Kept trivial on purpose: this runs on the real-time audio thread.
// Why 20 ms: a chunk can only run once the block holding its last right-context sample is posted; 100 ms blocks
// added 0-80 ms (about 40 on average) to every chunk, and so to the first text on screen.

declare abstract class AudioWorkletProcessor {
  readonly port: MessagePort;
  abstract process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean;
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;
declare const sampleRate: number;

const BLOCKS_PER_SECOND = 50;

class CaptureProcessor extends AudioWorkletProcessor {
  // The size lives apart from the buffer: posting transfers (detaches) the buffer, and a detached array has length 0.
  private readonly blockSize = Math.round(sampleRate / BLOCKS_PER_SECOND);
  private block = new Float32Array(this.blockSize);
  private filled = 0;

  constructor() {
    super();
    // On stop the main thread asks for the partial block, which would otherwise be dropped.
    this.port.onmessage = (e: MessageEvent) => {
      if (e.data !== 'flush') return;
      const part = this.block.slice(0, this.filled);
      this.filled = 0;
      this.port.postMessage({ flushed: part }, [part.buffer]);
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0];
    const first = channels?.[0];
    if (!channels || !first) return true;
    for (let i = 0; i < first.length; i++) {
      let s = 0;
      for (const ch of channels) s += ch[i] ?? 0;
      this.block[this.filled++] = s / channels.length;
      if (this.filled === this.blockSize) {
        this.port.postMessage(this.block, [this.block.buffer]);
        this.block = new Float32Array(this.blockSize);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('omnisparse-capture', CaptureProcessor);
