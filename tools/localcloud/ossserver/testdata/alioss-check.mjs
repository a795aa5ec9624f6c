// alioss-check.mjs drives the local OSS server with the official Node.js
// SDK, ali-oss, as a user's script would, and prints what it saw as one
// JSON object on stdout; the Go test TestAliOSS runs it and checks that.
//
// Environment:
//   ALIOSS_NODE_MODULES  a node_modules directory holding ali-oss
//   OSS_ENDPOINT         e.g. http://127.0.0.1:34567
//   OSS_REGION           e.g. oss-cn-hangzhou
//   OSS_BUCKET, OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_STS_TOKEN (optional)
//   OSS_SIGN             v1 (ali-oss's default) or v4 (authorizationV4)
//   OSS_KEY              the object key to work on
//   OSS_CHECK            sdk (the default): the SDK's operations, below;
//                        function: the calls of tools/bench/node/index.js,
//                        with its clients (see the end of this file)
//   OSS_PUBLIC_ENDPOINT  for OSS_CHECK=function: the endpoint of signed URLs
//
// With an IP endpoint ali-oss sends requests to the IP with
// Host: <bucket>.<region>.aliyuncs.com (virtual-hosted style). It refuses
// to sign URLs for an IP endpoint (V1), or signs them without the bucket
// (V4), so URLs are signed by a second client on http://localhost:<port>
// with sldEnable (path style, /<bucket>/<key>), which a plain fetch can
// use as it is.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const OSS = require(path.join(process.env.ALIOSS_NODE_MODULES, 'ali-oss'));

const env = name => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const bucket = env('OSS_BUCKET');
const key = env('OSS_KEY');
const v4 = env('OSS_SIGN') === 'v4';
const options = {
  region: env('OSS_REGION'),
  bucket,
  accessKeyId: env('OSS_ACCESS_KEY_ID'),
  accessKeySecret: env('OSS_ACCESS_KEY_SECRET'),
  stsToken: process.env.OSS_STS_TOKEN || undefined,
  authorizationV4: v4,
  timeout: 20000,
};

const fetchText = async url => {
  const r = await fetch(url);
  return { status: r.status, body: await r.text() };
};

// failure runs a call that should fail and returns its status and error
// code (code '' if it succeeded after all).
const failure = async call => {
  try {
    const r = await call();
    return { status: r.res.status, code: '' };
  } catch (e) {
    return { status: e.status, code: e.code };
  }
};

if (process.env.OSS_CHECK === 'function') {
  await checkFunction();
  process.exit(0);
}

const client = new OSS({ ...options, endpoint: env('OSS_ENDPOINT') });
const localhost = new URL(env('OSS_ENDPOINT'));
localhost.hostname = 'localhost';
const signer = new OSS({ ...options, endpoint: localhost.origin, sldEnable: true });

const out = {};
const body = Buffer.from('0123456789abcdefghij');

let r = await client.put(key, body, { headers: { 'x-oss-object-acl': 'public-read' } });
out.put = { status: r.res.status, etag: r.res.headers.etag };

r = await client.get(key);
out.get = { status: r.res.status, body: r.content.toString() };

r = await client.get(key, { headers: { Range: 'bytes=2-5' } });
out.range = { status: r.res.status, contentRange: r.res.headers['content-range'], body: r.content.toString() };

r = await client.get(key, { headers: { Range: 'bytes=-3' } });
out.suffixRange = { status: r.res.status, contentRange: r.res.headers['content-range'], body: r.content.toString() };

r = await client.head(key);
out.head = { status: r.res.status, contentLength: r.res.headers['content-length'], etag: r.res.headers.etag };

r = await client.getACL(key);
out.acl = r.acl;

const dir = key.slice(0, key.lastIndexOf('/') + 1);
r = await client.list({ prefix: dir, delimiter: '/', 'max-keys': 100, 'encoding-type': 'url' });
out.list = (r.objects || []).map(o => decodeURIComponent(o.name));

r = await client.listV2({ prefix: dir, 'max-keys': 100 });
out.listV2 = (r.objects || []).map(o => o.name);

const big = Buffer.alloc(250 * 1024, 'x');
r = await client.multipartUpload(`${key}.multipart`, big, { partSize: 100 * 1024 });
out.multipart = { status: r.res.status, name: r.name };

out.signedGet = await fetchText(
  v4 ? await signer.signatureUrlV4('GET', 60, {}, key) : signer.signatureUrl(key, { expires: 60 })
);
// The object is public-read: no signature needed.
out.anonymousGet = await fetchText(`${localhost.origin}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`);

r = await client.delete(key);
out.delete = { status: r.res.status };

process.stdout.write(JSON.stringify(out));


// checkFunction makes the calls tools/bench/node/index.js makes for one
// record, with its clients on the IP endpoints the bench gives it:
//   - requests: authorizationV4 on the IP, sldEnable off. ali-oss sends
//     Host: <bucket>.<region>.aliyuncs.com itself for an IP endpoint, so the
//     path is /<key> (virtual-hosted style);
//   - signed URLs: signatureUrlV4 by a client on the public IP with
//     sldEnable, so that the URL's path is /<bucket>/<key>.
// It also keeps what index.js sent before, sldEnable on the IP for
// requests: the Host names the bucket and the path /<bucket>/<key> as well,
// which OSS reads as the key <bucket>/<key>, so the signature (over
// /<bucket>/<key>) does not match.
async function checkFunction() {
  const endpoint = env('OSS_ENDPOINT');
  const fnOptions = { ...options, authorizationV4: true, secure: false, timeout: 30000 };
  const internal = new OSS({ ...fnOptions, endpoint, sldEnable: false });
  const urls = new OSS({ ...fnOptions, endpoint: env('OSS_PUBLIC_ENDPOINT'), sldEnable: true });
  const pathAndHost = new OSS({ ...fnOptions, endpoint, sldEnable: true });
  const head = async k => {
    const r = await internal.head(k);
    return { status: r.res.status, etag: r.res.headers.etag, contentLength: r.res.headers['content-length'], meta: r.meta || {} };
  };
  const out = {};
  const image = Buffer.from('not really a JPEG');
  const md5 = b => createHash('md5').update(b).digest('base64');

  // The upload the event is about (the bench's uploader does it with Go):
  // an ACL header, user metadata and an explicit Content-MD5.
  let r = await internal.put(key, image, {
    headers: { 'x-oss-object-acl': 'private', 'Content-MD5': md5(image) },
    meta: { 'card-side': 'back' },
  });
  out.putImage = { status: r.res.status, etag: r.res.headers.etag };
  out.badDigest = await failure(() =>
    internal.put(`${key}.bad`, image, { headers: { 'Content-MD5': md5(Buffer.from('other')) } })
  );

  // processRecord: HEAD the image, HEAD the result (missing), sign the URL
  // the recognition API fetches, HEAD the image again, PUT the result with
  // its metadata (ali-oss adds Content-MD5 itself).
  out.headImage = await head(key);
  const resultKey = `${key}.json`;
  out.headMissing = await failure(() => internal.head(resultKey));
  out.signedGet = await fetchText(await urls.signatureUrlV4('GET', 300, { headers: {} }, key));
  out.headAgain = await head(key);
  const doc = Buffer.from(JSON.stringify({ schemaVersion: 1, status: 'succeeded' }, null, 2) + '\n');
  r = await internal.put(resultKey, doc, {
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    meta: { 'source-etag': String(out.headImage.etag).replace(/"/g, ''), 'result-status': 'succeeded', outcome: 'succeeded' },
  });
  out.putResult = { status: r.res.status, etag: r.res.headers.etag };
  out.headResult = await head(resultKey);

  // sldEnable on the IP endpoint for requests: refused, as OSS does.
  out.pathAndHost = {
    head: await failure(() => pathAndHost.head(key)),
    put: await failure(() => pathAndHost.put(resultKey, doc, { meta: { outcome: 'succeeded' } })),
  };
  // Written before the process.exit that follows.
  await new Promise(resolve => process.stdout.write(JSON.stringify(out), resolve));
}
