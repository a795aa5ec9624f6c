// The Node.js/ali-oss equivalent of the Go function, for the side-by-side
// measurement of tools/cmd/bench. It is not a product: it does the same
// work per record as handler/ (filter, HEAD image, HEAD result for the
// dedupe, V4 signed GET URL for the public endpoint, multipart POST of
// imgUrl + cardSide, HEAD image again (replaced meanwhile?), PUT of
// <key><RESULT_SUFFIX> with the source ETag and Content-MD5), with
// the same environment variables, clients built once per instance and one
// JSON log line per decision.
//
// It talks to the FC runtime API itself (GET .../invocation/next, POST
// .../{id}/response or /error), the loop the go1 runtime's SDK runs, so the
// bench runs it under the same FC emulator as the Go binary and measures
// both the same way (cold start = process start to the first poll).
//
// Signing: ali-oss >= 6.20 signs requests with V4 (authorizationV4: true)
// and URLs with signatureUrlV4, which is what the local OSS accepts.
'use strict';

const http = require('node:http');
const net = require('node:net');
const OSS = require('ali-oss');

const env = process.env;

function log(level, msg, attrs) {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...attrs }) + '\n');
}

function parseDuration(s, name) {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  const unit = { ms: 1, s: 1000, m: 60000, h: 3600000 };
  let total = 0;
  let seen = '';
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]];
    seen += m[0];
  }
  if (seen !== s || total <= 0) throw new Error(`${name}: not a duration: ${s}`);
  return total;
}

function loadConfig() {
  const get = (k, d) => (env[k] === undefined || env[k] === '' ? d : env[k]);
  const region = get('OSS_REGION', env.FC_REGION);
  const cfg = {
    ocrEndpoint: get('OCR_ENDPOINT'),
    appCode: get('OCR_APPCODE'),
    ossEndpoint: get('OSS_ENDPOINT', `https://oss-${region}-internal.aliyuncs.com`),
    ossPublicEndpoint: get('OSS_PUBLIC_ENDPOINT', `https://oss-${region}.aliyuncs.com`),
    region,
    cardSide: get('CARD_SIDE', 'FRONT').toUpperCase(),
    resultSuffix: get('RESULT_SUFFIX', '.json'),
    imageExtensions: get('IMAGE_EXTENSIONS', '.jpg,.jpeg,.png,.bmp')
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean)
      .map((e) => (e.startsWith('.') ? e : '.' + e)),
    signedUrlTtlMs: parseDuration(get('SIGNED_URL_TTL', '5m'), 'SIGNED_URL_TTL'),
    ocrTimeoutMs: parseDuration(get('OCR_TIMEOUT', '10s'), 'OCR_TIMEOUT'),
    ocrMaxAttempts: Number(get('OCR_MAX_ATTEMPTS', '3')),
    concurrency: Number(get('CONCURRENCY', '4')),
    sourceBuckets: get('SOURCE_BUCKETS', '').split(',').map((b) => b.trim()).filter(Boolean),
    sourcePrefix: get('SOURCE_PREFIX', ''),
  };
  const bad = [];
  if (!cfg.ocrEndpoint) bad.push('OCR_ENDPOINT is required');
  if (!cfg.appCode) bad.push('OCR_APPCODE is required');
  if (!region) bad.push('OSS_REGION (or FC_REGION) is required');
  if (!(cfg.concurrency >= 1 && cfg.concurrency <= 64)) bad.push('CONCURRENCY must be 1 to 64');
  if (!(cfg.ocrMaxAttempts >= 1 && cfg.ocrMaxAttempts <= 10)) bad.push('OCR_MAX_ATTEMPTS must be 1 to 10');
  if (bad.length) throw new Error(bad.join('; '));
  return cfg;
}

// Clients are built once per instance and bucket (ali-oss binds a client
// to a bucket): at start for SOURCE_BUCKETS, as the Go function builds its
// clients at start, and each invocation's STS credentials are swapped into
// them.
let credentials = {
  accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID || '',
  accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET || '',
  stsToken: env.ALIBABA_CLOUD_SECURITY_TOKEN || '',
};
const clients = new Map();

// endpointHost is the endpoint's host name, an IPv6 address without its
// brackets.
function endpointHost(endpoint) {
  return new URL(endpoint.includes('://') ? endpoint : 'http://' + endpoint).hostname.replace(/^\[(.*)\]$/, '$1');
}

// pathStyle tells whether a client on endpoint must name the bucket in the
// path (sldEnable) rather than in the host. Real OSS endpoints are names
// and take the bucket in the host. The local servers' endpoints (an IP, or
// localhost) have no <bucket>.<endpoint> name to resolve:
//   - for an IP, ali-oss already addresses the bucket by the Host header
//     itself: it connects to the IP and sends Host:
//     <bucket>.oss-<region>.aliyuncs.com, whatever sldEnable says. Its
//     requests must then keep the path /<key>: with sldEnable the path
//     would be /<bucket>/<key> as well, which OSS (and the local server)
//     read as the key <bucket>/<key> in that bucket, while the signature
//     covers /<bucket>/<key>: SignatureDoesNotMatch.
//   - for localhost, ali-oss would connect to <bucket>.localhost: path
//     style, Host: localhost.
//   - a URL (signatureUrlV4) carries no Host header, so for either the
//     bucket must be in its path: /<bucket>/<key> on the IP.
function pathStyle(endpoint, forURLs) {
  const host = endpointHost(endpoint);
  return host === 'localhost' || (forURLs && net.isIP(host) !== 0);
}

// newClient builds a client for bucket on endpoint; forURLs marks one that
// only signs URLs and sends no requests.
function newClient(endpoint, bucket, forURLs) {
  const c = new OSS({
    endpoint,
    region: 'oss-' + config.region,
    bucket,
    accessKeyId: credentials.accessKeyId || 'unset',
    accessKeySecret: credentials.accessKeySecret || 'unset',
    authorizationV4: true,
    secure: endpoint.startsWith('https'),
    sldEnable: pathStyle(endpoint, forURLs),
    timeout: 30000,
  });
  applyCredentials(c);
  return c;
}

function applyCredentials(c) {
  c.options.accessKeyId = credentials.accessKeyId;
  c.options.accessKeySecret = credentials.accessKeySecret;
  c.options.stsToken = credentials.stsToken || undefined;
}

function clientsFor(bucket) {
  let c = clients.get(bucket);
  if (!c) {
    // internal sends the requests; public only signs the image URLs.
    c = { internal: newClient(config.ossEndpoint, bucket, false), public: newClient(config.ossPublicEndpoint, bucket, true) };
    clients.set(bucket, c);
  }
  return c;
}

function setCredentials(creds) {
  if (!creds.accessKeyId) return;
  credentials = creds;
  for (const c of clients.values()) {
    applyCredentials(c.internal);
    applyCredentials(c.public);
  }
}

function redact(url) {
  const u = new URL(url);
  for (const p of ['x-oss-signature', 'x-oss-security-token']) {
    if (u.searchParams.has(p)) u.searchParams.set(p, 'REDACTED');
  }
  return u.toString();
}

// filter returns why a record is not ours, or ''.
function filter(rec) {
  const key = rec.oss.object.key;
  const lower = key.toLowerCase();
  if (!String(rec.eventName).startsWith('ObjectCreated:')) return `not an ObjectCreated event (${rec.eventName})`;
  if (config.sourceBuckets.length && !config.sourceBuckets.includes(rec.oss.bucket.name)) return 'bucket not served by this function';
  if (!key.startsWith(config.sourcePrefix)) return 'key outside SOURCE_PREFIX';
  if (key.endsWith('/')) return 'folder marker';
  if (key.endsWith(config.resultSuffix)) return 'our own result document';
  if (!config.imageExtensions.some((e) => lower.endsWith(e))) return 'not an image';
  if (!(rec.oss.object.size > 0)) return 'empty object';
  return '';
}

async function head(client, key) {
  try {
    const r = await client.head(key);
    return {
      etag: String(r.res.headers.etag || '').replace(/"/g, '').toUpperCase(),
      size: Number(r.res.headers['content-length'] || 0),
      meta: r.meta || {},
    };
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// recognise POSTs the form, retrying transient answers with full jitter.
async function recognise(imgUrl, cardSide) {
  let last;
  for (let attempt = 1; ; attempt++) {
    last = await attemptOnce(imgUrl, cardSide);
    last.attempts = attempt;
    if (last.class !== 'transient' || attempt >= config.ocrMaxAttempts) return last;
    await sleep(Math.random() * Math.min(200 * 2 ** (attempt - 1), 5000));
  }
}

async function attemptOnce(imgUrl, cardSide) {
  const form = new FormData();
  form.append('imgUrl', imgUrl);
  form.append('cardSide', cardSide);
  let resp;
  let text;
  try {
    resp = await fetch(config.ocrEndpoint, {
      method: 'POST',
      body: form,
      headers: { Authorization: 'APPCODE ' + config.appCode, Accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(config.ocrTimeoutMs),
    });
    text = await resp.text();
  } catch (e) {
    return { class: 'transient', reason: 'connection error: ' + e.message };
  }
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const gateway = resp.headers.get('x-ca-error-message');
  const status = resp.status;
  if (status === 200 && body && body.status === 200) return { class: 'succeeded', httpStatus: status, body, raw: text };
  if ((status === 400 && !gateway && body) || status === 413) {
    return { class: 'rejected', httpStatus: status, body, raw: text, code: body && body.code, message: body && body.message };
  }
  if (status >= 500 || (status === 403 && gateway && gateway.includes('Throttled')) || (status === 200 && !body)) {
    return { class: 'transient', reason: `HTTP ${status} from the recognition API` };
  }
  return { class: 'misconfigured', reason: `HTTP ${status} from the recognition API` };
}

async function processRecord(rec, reqLog) {
  const bucket = rec.oss.bucket.name;
  const key = rec.oss.object.key;
  const out = { bucket, key };
  const l = (level, msg, attrs) => reqLog(level, msg, { bucket, key, ...attrs });
  const why = filter(rec);
  if (why) {
    l('INFO', 'skipped', { reason: why });
    return { ...out, outcome: 'skipped', reason: why };
  }
  try {
    const c = clientsFor(bucket);
    const image = await head(c.internal, key);
    if (!image || image.size === 0) {
      l('INFO', 'skipped', { reason: 'the image no longer exists' });
      return { ...out, outcome: 'skipped', reason: 'the image no longer exists' };
    }
    const resultKey = key + config.resultSuffix;
    const existing = await head(c.internal, resultKey);
    const final = [undefined, '', 'succeeded', 'rejected'].includes(existing && existing.meta.outcome);
    if (existing && existing.meta['source-etag'] === image.etag && final) {
      l('INFO', 'skipped', { reason: 'already recognised for this ETag', etag: image.etag });
      return { ...out, outcome: 'skipped', reason: 'already recognised for this ETag' };
    }
    const metaSide = String(image.meta['card-side'] || '').toUpperCase();
    const side = metaSide === 'FRONT' || metaSide === 'BACK' ? metaSide : config.cardSide;
    const url = await c.public.signatureUrlV4('GET', Math.floor(config.signedUrlTtlMs / 1000), { headers: {} }, key);
    l('INFO', 'recognising', { etag: image.etag, size: image.size, card_side: side, url: redact(url) });

    const r = await recognise(url, side);
    if (r.class === 'transient' || r.class === 'misconfigured') {
      l('ERROR', 'record failed', { outcome: r.class, reason: r.reason });
      return { ...out, outcome: r.class, reason: r.reason, attempts: r.attempts };
    }
    // The URL names the key, not the version: HEAD the image again and
    // write nothing if it was replaced meanwhile (as the Go function does).
    const now = await head(c.internal, key);
    if (!now || now.etag !== image.etag) {
      l('INFO', 'skipped', { reason: 'the image was replaced during recognition' });
      return { ...out, outcome: 'skipped', reason: 'the image was replaced during recognition' };
    }
    const doc = {
      schemaVersion: 1,
      status: r.class === 'succeeded' ? 'succeeded' : 'failed',
      source: { bucket, key, etag: image.etag, size: image.size, eventName: rec.eventName, eventTime: rec.eventTime },
      cardSide: side,
      recognizedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      attempts: r.attempts,
      response: r.body,
    };
    if (r.class === 'rejected') doc.error = { httpStatus: r.httpStatus, status: r.body && r.body.status, code: r.code, message: r.message };
    await c.internal.put(resultKey, Buffer.from(JSON.stringify(doc, null, 2) + '\n'), {
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      meta: { 'source-etag': image.etag, 'result-status': doc.status, outcome: r.class },
    });
    l('INFO', 'result written', { outcome: r.class, result_key: resultKey, attempts: r.attempts, http_status: r.httpStatus });
    return { ...out, outcome: r.class, resultKey, attempts: r.attempts };
  } catch (e) {
    const status = e.status || 0;
    const outcome = status === 403 || status === 400 ? 'misconfigured' : 'transient';
    l('ERROR', 'record failed', { outcome, reason: `oss: ${e.code || e.name} ${status}` });
    return { ...out, outcome, reason: `oss: ${e.code || e.name} ${status}` };
  }
}

async function handle(event, ctx) {
  if (!event || !Array.isArray(event.events) || event.events.length === 0) {
    throw new Error('payload has no events: expected an OSS trigger event {"events":[...]}');
  }
  setCredentials(ctx.credentials);
  const reqLog = (level, msg, attrs) => log(level, msg, { request_id: ctx.requestId, ...attrs });
  const records = event.events;
  const results = new Array(records.length);
  let next = 0;
  const worker = async () => {
    while (next < records.length) {
      const i = next++;
      results[i] = await processRecord(records[i], reqLog);
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, records.length) }, worker));
  const counts = { succeeded: 0, rejected: 0, skipped: 0, transient: 0, misconfigured: 0 };
  for (const r of results) counts[r.outcome]++;
  reqLog('INFO', 'invocation finished', counts);
  const summary = { requestId: ctx.requestId, counts, records: results };
  if (counts.transient + counts.misconfigured > 0) {
    const err = new Error(`${counts.transient + counts.misconfigured} of ${results.length} records not done, FC will retry the event`);
    err.summary = summary;
    throw err;
  }
  return summary;
}

// The FC runtime API loop.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const api = `http://${env.FC_RUNTIME_API}/2020-11-11/runtime/invocation/`;

function request(method, url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function serve() {
  for (;;) {
    let inv;
    try {
      inv = await request('GET', api + 'next');
    } catch (e) {
      await sleep(10);
      continue;
    }
    if (inv.status !== 200) {
      await sleep(10);
      continue;
    }
    const h = inv.headers;
    const ctx = {
      requestId: h['x-fc-request-id'],
      deadline: Number(h['x-fc-function-deadline']),
      credentials: {
        accessKeyId: h['x-fc-access-key-id'] || '',
        accessKeySecret: h['x-fc-access-key-secret'] || '',
        stsToken: h['x-fc-security-token'] || '',
      },
    };
    let path = 'response';
    let out;
    try {
      out = JSON.stringify(await handle(JSON.parse(inv.body.toString('utf8')), ctx));
    } catch (e) {
      path = 'error';
      out = JSON.stringify({ errorMessage: e.message, errorType: e.name || 'Error' });
    }
    try {
      await request('POST', api + encodeURIComponent(ctx.requestId) + '/' + path, out);
    } catch (e) {
      log('ERROR', 'posting the result failed', { error: e.message });
    }
  }
}

let config;
try {
  config = loadConfig();
} catch (e) {
  log('ERROR', 'function not started', { error: e.message });
  process.exit(1);
}
for (const bucket of config.sourceBuckets) clientsFor(bucket);
serve();
