import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { createAuthenticator, parseTokenFile } from './authenticator.js';

describe('parseTokenFile', () => {
  // Upstream's TestTokenFile (plugin/pkg/authenticator/token/tokenfile).
  const upstream = [
    'token1,user1,uid1',
    'token2,user2,uid2',
    'token3,user3,uid3,"group1,group2"',
    'token4,user4,uid4,"group2"',
    'token5,user5,uid5,group5',
    'token6,user6,uid6,group5,otherdata',
    'token7,user7,uid7,"group1,group2",otherdata',
  ].join('\n');

  test('reads token, user, uid and groups from upstream\'s CSV cases', () => {
    const tokens = parseTokenFile(upstream);
    assert.deepEqual(tokens.get('token1'), { name: 'user1', uid: 'uid1', groups: [] });
    assert.deepEqual(tokens.get('token2'), { name: 'user2', uid: 'uid2', groups: [] });
    assert.deepEqual(tokens.get('token3'), { name: 'user3', uid: 'uid3', groups: ['group1', 'group2'] });
    assert.deepEqual(tokens.get('token4'), { name: 'user4', uid: 'uid4', groups: ['group2'] });
    assert.deepEqual(tokens.get('token5'), { name: 'user5', uid: 'uid5', groups: ['group5'] });
    assert.deepEqual(tokens.get('token6'), { name: 'user6', uid: 'uid6', groups: ['group5'] });
    assert.deepEqual(tokens.get('token7'), { name: 'user7', uid: 'uid7', groups: ['group1', 'group2'] });
    assert.equal(tokens.get('token8'), undefined);
    assert.equal(tokens.size, 7);
  });

  test('blank lines and CRLF line ends are fine', () => {
    const tokens = parseTokenFile('\r\ntokenA,alice,1\r\n\r\ntokenB,bob,2\r\n');
    assert.deepEqual([...tokens.keys()], ['tokenA', 'tokenB']);
  });

  test('a later line with the same token wins', () => {
    assert.equal(parseTokenFile('t,first,1\nt,second,2').get('t')?.name, 'second');
  });

  test('a line with fewer than three columns is an error naming the line', () => {
    assert.throws(() => parseTokenFile('token1,user1,uid1\ntoken7', 'tokens.csv'), (e: unknown) => e instanceof Error && e.message.includes('tokens.csv, line 2') && e.message.includes('must have at least 3 columns (token, user name, user uid), found 1'));
  });

  test('a quoted group list with spaces keeps each group', () => {
    assert.deepEqual(parseTokenFile('t,u,1,"system:masters,dev"').get('t')?.groups, ['system:masters', 'dev']);
  });

  // Upstream logs a warning and skips a record whose token is empty; the file still loads.
  test('a line with an empty token is skipped, as upstream does', () => {
    const tokens = parseTokenFile(',user,uid\ngood,user2,uid2');
    assert.deepEqual([...tokens.keys()], ['good']);
  });
});

function request(headers: Record<string, string>): IncomingMessage {
  const msg = new IncomingMessage(new Socket());
  msg.headers = headers;
  return msg;
}

describe('createAuthenticator', () => {
  const tokens = parseTokenFile('secret,alice,uid-1,"dev,ops"');
  const authenticate = createAuthenticator(() => tokens);

  test('a known bearer token authenticates its user, also in the system:authenticated group', () => {
    assert.deepEqual(authenticate(request({ authorization: 'Bearer secret' })), { name: 'alice', uid: 'uid-1', groups: ['dev', 'ops', 'system:authenticated'] });
  });

  test('the Bearer scheme is case-insensitive', () => {
    assert.equal(authenticate(request({ authorization: 'bearer secret' }))?.name, 'alice');
  });

  test('an unknown token authenticates nobody', () => {
    assert.equal(authenticate(request({ authorization: 'Bearer wrong' })), undefined);
  });

  test('a plain connection without a token or certificate authenticates nobody', () => {
    assert.equal(authenticate(request({})), undefined);
  });

  test('the token file is read through the getter on every request (reloads apply)', () => {
    let current = parseTokenFile('a,first,1');
    const auth = createAuthenticator(() => current);
    assert.equal(auth(request({ authorization: 'Bearer a' }))?.name, 'first');
    current = parseTokenFile('a,second,1');
    assert.equal(auth(request({ authorization: 'Bearer a' }))?.name, 'second');
  });
});
