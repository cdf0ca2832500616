// How close the browser's transcript must be to the Node CLI's. These bound PIPELINE equivalence (same models, same
// front end and decoder code), not model quality: the reference is whatever the CLI says, right or wrong.
//
// File input: the CLI reads the 16 kHz wav directly; the browser's decodeAudioData may resample it to the
// AudioContext rate and the core resamples back to 16 kHz, so features differ by ~1e-3 and a near-tie greedy argmax
// can flip. The chunk grid is identical (the file starts at sample 0), so at most a character or two moves: 5 %.
export const FILE_CER_BOUND = 0.05;
//
// The same, for a clip with an endpoint in the middle (CLIPS.twoPart) transcribed by an embedded element while a
// second element dictates: model family v2 gives CER 0.095 there, deterministically (3 runs), where the single-
// utterance clip gives 0. The texts differ right after the pause ("lasid oh by" vs "lasid so sels by"), i.e. in how
// the stream resumes after an endpoint when frames arrive in blocks rather than all at once: a real difference, left
// open for the robustness work (issue 16) rather than hidden. A broken pipeline still scores near 1.
export const ENDPOINTED_FILE_CER_BOUND = 0.15;
//
// Fake microphone: Chromium plays the wav at 44.1 kHz stereo (two resamplings) and the capture starts at an arbitrary
// offset, so the 160 ms chunk grid and the encoder's limited left context see different windows of audio. A young
// streaming model reacts strongly to that: the CLI itself gives 16 different transcripts for the 16 delays of
// GRID_SHIFTS_MS (0-150 ms) of the same clip. So the browser is scored against the CLI transcript at the closest
// grid offset (closestCer). Measured: session-1 model 0.11 (dictation) and 0.08 (widget), where a single unshifted
// reference gave 0.26-0.39; session-2 model 0.017-0.035 (dictation, 3 runs) and 0.03-0.22 (widget, 3 runs). A broken
// pipeline (wrong rate, wrong features) gives CER near 1 against every reference. Bound 0.3: what is left is the
// resampling and endpointing, plus run-to-run jitter.
export const MIC_CER_BOUND = 0.3;
//
// WebGPU vs WASM on the same file: identical audio path, only fp32 kernels differ (accumulation order): 5 %.
export const BACKEND_CER_BOUND = 0.05;
