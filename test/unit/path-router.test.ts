import { PathRouter } from '../../src/http/gateway/path-router';

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
