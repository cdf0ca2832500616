// One utterance through the app's real streaming path (EncoderSession + GreedyDecoder from src/asr, FeaturePipeline
// from src/audio), timed per chunk. Runtime-agnostic: used by the Node bench and by the browser bench page.

import { decoderConfigOf, GreedyDecoder } from '../../src/asr/decoder';
import type { LevelModels } from '../../src/asr/engine';
import { EncoderSession, geometryOf } from '../../src/asr/session';
import type { FrontendSpec, Manifest } from '../../src/asr/types';
import { FeaturePipeline } from '../../src/audio/pipeline';
import { mean, percentile, round, sum } from './stats';
import { timedEncoder, timedTransducer, zeroTimes, type CallTimes, type Clock } from './timed-models';

export interface ChunkRecord extends CallTimes {
  /** session.step + decoder.decode wall time, exactly what the recognizer reports as computeMs */
  computeMs: number;
  emissions: number;
}

export interface UtteranceRun {
  chunks: ChunkRecord[];
  tokens: number[];
}

export interface Features {
  frames: Float32Array[];
  /** wall ms of each FeaturePipeline.push of one chunk's worth (160 ms) of input audio */
  blockMs: number[];
  audioMs: number;
}

/** Runs the front end the way live capture does: one segment (160 ms) of input audio per push. */
export function featurize(channels: readonly Float32Array[], sampleRate: number, spec: FrontendSpec, segmentFrames: number, now: Clock): Features {
  const pipeline = new FeaturePipeline(sampleRate, spec);
  const total = channels[0]?.length ?? 0;
  const block = Math.max(1, Math.round((sampleRate * segmentFrames * spec.hopLength) / spec.sampleRate));
  const frames: Float32Array[] = [];
  const blockMs: number[] = [];
  for (let pos = 0; pos < total; pos += block) {
    const t0 = now();
    frames.push(...pipeline.pushChannels(channels.map((c) => c.subarray(pos, pos + block))));
    blockMs.push(now() - t0);
  }
  frames.push(...pipeline.flush());
  return { frames, blockMs, audioMs: (total / sampleRate) * 1000 };
}

/**
 * Fresh session + decoder (zero states), frames fed one segment at a time and every ready chunk run immediately,
 * then the end-of-stream flush: the same sequence of session.run calls the recognizer makes on live audio.
 */
export async function runUtterance(models: LevelModels, manifest: Manifest, frames: readonly Float32Array[], now: Clock): Promise<UtteranceRun> {
  const acc = zeroTimes();
  const session = new EncoderSession(timedEncoder(models.encoder, acc, now), models.level.state, geometryOf(manifest));
  const decoder = new GreedyDecoder(timedTransducer(models.transducer, acc, now), decoderConfigOf(manifest));
  const chunks: ChunkRecord[] = [];
  const tokens: number[] = [];
  const drain = async (endOfStream: boolean): Promise<void> => {
    for (;;) {
      const before = { ...acc };
      const t0 = now();
      const chunk = await session.step(endOfStream);
      if (!chunk) return;
      const emitted = await decoder.decode(chunk.encoderOut, chunk.frames);
      const computeMs = now() - t0;
      tokens.push(...emitted.map((e) => e.token));
      chunks.push({
        computeMs,
        emissions: emitted.length,
        encoderMs: acc.encoderMs - before.encoderMs,
        predictorMs: acc.predictorMs - before.predictorMs,
        joinerMs: acc.joinerMs - before.joinerMs,
        predictorCalls: acc.predictorCalls - before.predictorCalls,
        joinerCalls: acc.joinerCalls - before.joinerCalls,
      });
    }
  };
  const step = manifest.segmentFrames;
  for (let i = 0; i < frames.length; i += step) {
    session.push(frames.slice(i, i + step));
    await drain(false);
  }
  await drain(true);
  return { chunks, tokens };
}

export interface Breakdown {
  encoderMsPerChunk: number;
  predictorMsPerChunk: number;
  joinerMsPerChunk: number;
  /** compute minus the three ONNX calls: tensor wrapping, state copies, argmax, tiling */
  otherMsPerChunk: number;
  joinerCallsPerChunk: number;
  predictorCallsPerChunk: number;
  emissionsPerChunk: number;
}

export interface LevelTiming {
  chunkMsP50: number;
  chunkMsP95: number;
  /** total chunk compute / total audio over the timed runs */
  rtf: number;
  chunks: number;
  breakdown: Breakdown;
}

export function summarizeRuns(runs: readonly UtteranceRun[], audioMs: number): LevelTiming {
  const all = runs.flatMap((r) => r.chunks);
  const perChunk = (pick: (c: ChunkRecord) => number): number => round(mean(all.map(pick)));
  const encoder = perChunk((c) => c.encoderMs);
  const predictor = perChunk((c) => c.predictorMs);
  const joiner = perChunk((c) => c.joinerMs);
  return {
    chunkMsP50: round(percentile(all.map((c) => c.computeMs), 50)),
    chunkMsP95: round(percentile(all.map((c) => c.computeMs), 95)),
    rtf: round(sum(all.map((c) => c.computeMs)) / (audioMs * runs.length), 5),
    chunks: all.length,
    breakdown: {
      encoderMsPerChunk: encoder,
      predictorMsPerChunk: predictor,
      joinerMsPerChunk: joiner,
      otherMsPerChunk: round(perChunk((c) => c.computeMs) - encoder - predictor - joiner),
      joinerCallsPerChunk: perChunk((c) => c.joinerCalls),
      predictorCallsPerChunk: perChunk((c) => c.predictorCalls),
      emissionsPerChunk: perChunk((c) => c.emissions),
    },
  };
}
