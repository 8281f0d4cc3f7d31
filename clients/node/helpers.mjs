// Shared by the *.test.mjs files: the gateway under test, client factories,
// request ids and the fixtures the fake upstreams serve.
//
//   LLMUX_GATEWAY_URL     the gateway, without /v1 (default http://127.0.0.1:4000)
//   LLMUX_GATEWAY_KEY     its master key, if it has one
//   LLMUX_CLIENTS_EXPECT  file to append {"id", "want"} lines to: each request id and the terminal
//                         event it must produce ("success", "failure", "none"); clients/go checks them
import { appendFileSync, readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

export const gatewayURL = (process.env.LLMUX_GATEWAY_URL || 'http://127.0.0.1:4000').replace(/\/+$/, '');
export const gatewayKey = process.env.LLMUX_GATEWAY_KEY || '';
const clientKey = gatewayKey || 'sk-client-anything';

/** openai-node pointed at the gateway, without retries: one client request is one gateway request. */
export function openai(opts = {}) {
  return new OpenAI({ baseURL: `${gatewayURL}/v1`, apiKey: clientKey, maxRetries: 0, timeout: 30_000, ...opts });
}

/** @anthropic-ai/sdk pointed at the gateway, likewise. */
export function anthropic(opts = {}) {
  return new Anthropic({ baseURL: gatewayURL, apiKey: clientKey, maxRetries: 0, timeout: 30_000, ...opts });
}

let seq = 0;

/**
 * A new request id for a test's next request, recorded with the terminal event the gateway must
 * log for it.
 */
export function requestID(t, want) {
  const id = `node-${t.name}-${process.pid}-${++seq}`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
  if (process.env.LLMUX_CLIENTS_EXPECT) {
    appendFileSync(process.env.LLMUX_CLIENTS_EXPECT, JSON.stringify({ id, want }) + '\n');
  }
  return id;
}

/** Request options sending the request id. */
export function withID(id, opts = {}) {
  return { ...opts, headers: { 'x-request-id': id, ...opts.headers } };
}

/** The `skip` option of a group the gateway may not serve yet: false, or why it is skipped. */

export function fixture(name) {
  return readFileSync(new URL(`../testdata/${name}`, import.meta.url), 'utf8');
}

export function fixtureJSON(name) {
  return JSON.parse(fixture(name));
}

/** The JSON of each data event of an SSE fixture, [DONE] left out. */
export function sseJSON(name) {
  return fixture(name)
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)));
}

/** A fetch that records each request's headers and body before sending it. */
export function recordingFetch(sent) {
  return async (url, init) => {
    sent.push({ url: String(url), headers: new Headers(init?.headers), body: init?.body });
    return fetch(url, init);
  };
}
