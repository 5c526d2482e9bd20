import { PathRouter } from '../../src/http/path-router';

describe('PathRouter', () => {
  const routes = [
    { method: 'get', path: '/api/{okmsId}/v1/servicekey', name: 'list' },
    { method: 'post', path: '/api/{okmsId}/v1/servicekey', name: 'create' },
    { method: 'get', path: '/api/{okmsId}/v1/servicekey/{keyId}', name: 'get' },
    { method: 'post', path: '/api/{okmsId}/v1/servicekey/{keyId}/datakey', name: 'datakey' },
    { method: 'post', path: '/api/{okmsId}/v1/servicekey/{keyId}/datakey/decrypt', name: 'datakey-decrypt' },
  ];
  const router = new PathRouter(routes);
  const match = (method: string, path: string) => {
    const found = router.match(method, path);
    return found && { name: found.route.name, params: found.params };
  };

  it.each([
    ['GET', '/api/d/v1/servicekey', { name: 'list', params: { okmsId: 'd' } }],
    ['POST', '/api/d/v1/servicekey', { name: 'create', params: { okmsId: 'd' } }],
    ['GET', '/api/d/v1/servicekey/k', { name: 'get', params: { okmsId: 'd', keyId: 'k' } }],
    ['GET', '/api/d/v1/servicekey/k/', { name: 'get', params: { okmsId: 'd', keyId: 'k' } }],
    ['POST', '/api/d/v1/servicekey/k/datakey', { name: 'datakey', params: { okmsId: 'd', keyId: 'k' } }],
    ['POST', '/api/d/v1/servicekey/k/datakey/decrypt', { name: 'datakey-decrypt', params: { okmsId: 'd', keyId: 'k' } }],
    ['GET', '/api/d%2Fx/v1/servicekey/a%20b', { name: 'get', params: { okmsId: 'd/x', keyId: 'a b' } }],
  ])('%s %s matches', (method, path, expected) => {
    expect(match(method, path)).toEqual(expected);
  });

  it.each([
    ['DELETE', '/api/d/v1/servicekey/k'], // no such method on that path
    ['get', '/api/d/v1/servicekey'], // methods are upper case on the wire
    ['GET', '/api//v1/servicekey'], // an empty parameter
    ['GET', '/api/d/v1/servicekey/%E0%A4%A'], // a segment that does not decode
    ['GET', '/api/d/v1/ServiceKey'], // literals are case-sensitive
    ['POST', '/api/d/v1/servicekey/k/datakey/decrypt/x'],
    ['GET', 'api/d/v1/servicekey'],
    ['GET', '/'],
  ])('%s %s matches nothing', (method, path) => {
    expect(router.match(method, path)).toBeUndefined();
  });
});

describe('PathRouter: a last {name+} takes the rest of the path', () => {
  const routes = [
    { method: 'GET', path: '/api/{okmsId}/v1/secret/metadata', name: 'list-root' },
    { method: 'GET', path: '/api/{okmsId}/v1/secret/metadata/{path+}', name: 'metadata' },
    { method: 'GET', path: '/api/{okmsId}/v1/secret/data/{path+}', name: 'data' },
    { method: 'GET', path: '/api/{okmsId}/v2/secret/{path}/version', name: 'versions' },
  ];
  const greedy = new PathRouter(routes);
  const match = (method: string, path: string) => {
    const found = greedy.match(method, path);
    return found && { name: found.route.name, params: found.params };
  };

  it.each([
    ['/api/d/v1/secret/data/app', { name: 'data', params: { okmsId: 'd', path: 'app' } }],
    ['/api/d/v1/secret/data/app/db/replica', { name: 'data', params: { okmsId: 'd', path: 'app/db/replica' } }],
    ['/api/d/v1/secret/data/app%2Fdb', { name: 'data', params: { okmsId: 'd', path: 'app/db' } }],
    ['/api/d/v1/secret/metadata/app/', { name: 'metadata', params: { okmsId: 'd', path: 'app' } }],
    ['/api/d/v1/secret/metadata', { name: 'list-root', params: { okmsId: 'd' } }],
    ['/api/d/v2/secret/app%2Fdb/version', { name: 'versions', params: { okmsId: 'd', path: 'app/db' } }],
  ])('GET %s', (path, expected) => {
    expect(match('GET', path)).toEqual(expected);
  });

  it('needs at least one segment, refuses empty ones and segments that do not decode, and reports its methods', () => {
    expect(greedy.match('GET', '/api/d/v1/secret/data')).toBeUndefined();
    expect(greedy.match('GET', '/api/d/v1/secret/data/a//b')).toBeUndefined();
    expect(greedy.match('GET', '/api/d/v1/secret/data/a/%E0%A4%A')).toBeUndefined();
    expect(greedy.match('POST', '/api/d/v1/secret/data/a')).toBeUndefined();
    expect(greedy.allowedMethods('/api/d/v1/secret/data/a/b')).toEqual(['GET']);
  });
});
