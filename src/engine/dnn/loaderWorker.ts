// Web Worker entry of a layered network's reading and parsing (loader.ts).
import { serveRpc, type WorkerScopeLike } from '../rpc';
import { DnnLoader, type DnnLoaderApi, loaderReplyTransfer } from './loader';

serveRpc<DnnLoaderApi>(self as unknown as WorkerScopeLike, new DnnLoader(), loaderReplyTransfer);
