// Web Worker entry for circuit work: the CircuitRunner (circuitRunner.ts) served over the worker RPC.
import { serveRpc, type WorkerScopeLike } from '../engine/rpc';
import { type CircuitApi, CircuitRunner } from './circuitRunner';

serveRpc<CircuitApi>(self as unknown as WorkerScopeLike, new CircuitRunner());
