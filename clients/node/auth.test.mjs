// The official clients against a gateway with a master key (LLMUX_GATEWAY_KEY). clients/go runs
// this file against such a gateway; without the key it skips.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { anthropic, gatewayKey, gatewayURL, openai, recordingFetch, requestID, withID } from './helpers.mjs';

const skip = gatewayKey ? false : 'skipped: needs a gateway with a master key in LLMUX_GATEWAY_KEY';
const wrongKey = 'sk-wrong-key-0123456789';
const user = (content) => [{ role: 'user', content }];

describe('master key', { skip }, () => {
  test('openai: the master key as a bearer token', async (t) => {
    const id = requestID(t, 'success');
    const r = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: user(`Hi ${id}`) }, withID(id));
    assert.equal(r.choices[0].message.content, 'Hello! How can I assist you today?');
  });

  test('openai: a wrong key is an AuthenticationError that does not echo it', async (t) => {
    const id = requestID(t, 'none');
    await assert.rejects(
      openai({ apiKey: wrongKey }).chat.completions.create({ model: 'gpt-4o-mini', messages: user(`Hi ${id}`) }, withID(id)),
      (err) => {
        assert.ok(err instanceof OpenAI.AuthenticationError, `got ${err?.constructor?.name}: ${err}`);
        assert.equal(err.status, 401);
        assert.equal(err.code, 'invalid_api_key');
        assert.ok(!JSON.stringify(err.error).includes(wrongKey), 'the 401 echoes the key');
        return true;
      },
    );
  });

  // The key is checked before the route runs: this holds while /v1/messages is not served.
  test('anthropic: a wrong key is an AuthenticationError', async (t) => {
    const id = requestID(t, 'none');
    await assert.rejects(
      anthropic({ apiKey: wrongKey }).messages.create(
        { model: 'claude-sonnet-4-6', max_tokens: 1024, messages: user(`Hi ${id}`) },
        withID(id),
      ),
      (err) => {
        assert.ok(err instanceof Anthropic.AuthenticationError, `got ${err?.constructor?.name}: ${err}`);
        assert.equal(err.status, 401);
        assert.equal(err.type, 'authentication_error');
        return true;
      },
    );
  });

  describe('messages', () => {
    test('anthropic: the master key as the SDK sends it (Authorization: Bearer)', async (t) => {
      const id = requestID(t, 'success');
      const sent = [];
      const m = await anthropic({ fetch: recordingFetch(sent) }).messages.create(
        { model: 'claude-sonnet-4-6', max_tokens: 1024, messages: user(`Hi ${id}`) },
        withID(id),
      );
      assert.equal(sent[0].headers.get('authorization'), `Bearer ${gatewayKey}`);
      assert.equal(m.content[0].text, 'Hello! How can I help you today?');
    });

    test('anthropic: the master key as x-api-key', async (t) => {
      const id = requestID(t, 'success');
      const sent = [];
      const client = new Anthropic({
        baseURL: gatewayURL,
        apiKey: 'unused',
        maxRetries: 0,
        fetch: recordingFetch(sent),
        defaultHeaders: { 'x-api-key': gatewayKey, authorization: null },
      });
      const m = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 1024, messages: user(`Hi ${id}`) }, withID(id));
      assert.equal(sent[0].headers.get('x-api-key'), gatewayKey);
      assert.equal(sent[0].headers.get('authorization'), null);
      assert.equal(m.content[0].text, 'Hello! How can I help you today?');
    });
  });
});
