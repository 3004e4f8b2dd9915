'use strict';
// The savepoint GitHub Action runs on the runner itself, like a `run:` step:
// commands such as pg_dump and psql, the runner's network (service
// containers on localhost) and its files are all within reach. This
// launcher finds the action's entrypoint, savepoint-action (the Go program
// in actions/), for the runner's platform and runs it with the step's
// environment (INPUT_*, GITHUB_*, STATE_*) and standard streams.
//
// Where the binary comes from:
//   - a release of the action names, in release.json beside this file, one
//     gzip'ed binary per platform with its SHA-256; the launcher downloads
//     it from the release (or from SAVEPOINT_ACTION_DOWNLOAD_URL, a mirror
//     of the release assets), refuses it unless the SHA-256 matches, and
//     keeps it in the runner's tool cache for later steps and jobs;
//   - a checkout without release binaries (a fork, a branch) builds it from
//     source with the Go toolchain on PATH, once per job.
// Node's standard library only: the action ships no node_modules.

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { spawn, spawnSync } = require('child_process');

const releases = 'https://github.com/savepoint-ci/savepoint/releases/download';
// The repository checkout the runner fetched for `uses: savepoint-ci/savepoint@REF`.
const actionRoot = path.resolve(__dirname, '..', '..');

// escapeData escapes a workflow command's message.
function escapeData(s) {
  return String(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

// platform is the runner's GOOS-GOARCH; savepoint runs on Linux.
function platform() {
  const goos = { linux: 'linux' }[process.platform];
  const goarch = { x64: 'amd64', arm64: 'arm64' }[process.arch];
  if (!goos || !goarch) {
    throw new Error(`savepoint runs on Linux runners (x64 or arm64); this runner is ${process.platform}/${process.arch}`);
  }
  return `${goos}-${goarch}`;
}

function manifest() {
  const file = path.join(__dirname, 'release.json');
  let m;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${err.message}`);
  }
  return { version: m.version || '', assets: m.assets || {} };
}

// get fetches url into a buffer, following redirects (release assets
// redirect to their storage), with a timeout per request.
function get(url, redirects) {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : url.startsWith('http:') ? http : null;
    if (!lib) {
      reject(new Error(`${url}: not an http(s) URL`));
      return;
    }
    const req = lib.get(url, { headers: { 'User-Agent': 'savepoint-action-launcher' }, timeout: 60000 }, (res) => {
      const status = res.statusCode;
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        res.resume();
        if (redirects <= 0) {
          reject(new Error(`${url}: too many redirects`));
          return;
        }
        resolve(get(new URL(res.headers.location, url).toString(), redirects - 1));
        return;
      }
      if (status !== 200) {
        res.resume();
        const err = new Error(`${url}: HTTP ${status}`);
        err.retry = status >= 500 || status === 429;
        reject(err);
        return;
      }
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 60s`)));
    req.on('error', (err) => {
      err.retry = err.retry !== false;
      reject(err);
    });
  });
}

// download tries three times on network errors and 5xx answers.
async function download(url) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await get(url, 5);
    } catch (err) {
      if (!err.retry || attempt === 3) {
        throw new Error(`downloading savepoint-action: ${err.message}`);
      }
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

// writeExecutable writes data to file atomically (a concurrent job on the
// same runner sees the old file or the whole new one).
function writeExecutable(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o755 });
  fs.renameSync(tmp, file);
}

// released returns the release's binary for plat, from the tool cache or
// downloaded and verified.
async function released(m, plat) {
  const asset = m.assets[plat];
  if (!asset.file || !/^[0-9a-f]{64}$/.test(asset.sha256 || '')) {
    throw new Error(`release.json: the ${plat} asset needs a file and a SHA-256`);
  }
  const cache = process.env.RUNNER_TOOL_CACHE || process.env.RUNNER_TEMP || os.tmpdir();
  const bin = path.join(cache, 'savepoint-action', `${m.version}-${asset.sha256.slice(0, 16)}`, plat, 'savepoint-action');
  if (fs.existsSync(bin)) {
    return bin;
  }
  const base = (process.env.SAVEPOINT_ACTION_DOWNLOAD_URL || releases).replace(/\/+$/, '');
  const url = `${base}/${m.version}/${asset.file}`;
  console.log(`savepoint: downloading savepoint-action ${m.version} for ${plat}`);
  const gz = await download(url);
  const sum = sha256(gz);
  if (sum !== asset.sha256) {
    throw new Error(`${url} has SHA-256 ${sum}, not the release's ${asset.sha256}: refusing to run it`);
  }
  writeExecutable(bin, zlib.gunzipSync(gz));
  return bin;
}

// fromSource builds savepoint-action from the action's checkout with the Go
// toolchain on PATH, once per job (RUNNER_TEMP is emptied between jobs).
function fromSource(plat) {
  if (!fs.existsSync(path.join(actionRoot, 'go.mod'))) {
    throw new Error(`no savepoint-action for ${plat}: release.json names none and ${actionRoot} holds no source to build it from`);
  }
  const bin = path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'savepoint-action-source', plat, 'savepoint-action');
  if (fs.existsSync(bin)) {
    return bin;
  }
  const version = `${process.env.GITHUB_ACTION_REF || 'source'}-source`;
  console.log(`::group::savepoint: building savepoint-action from source (this checkout of the action has no release binaries)`);
  const r = spawnSync('go', ['build', '-trimpath', '-ldflags', `-s -w -X main.version=${version}`, '-o', bin, './actions'], {
    cwd: actionRoot, stdio: 'inherit', env: { ...process.env, CGO_ENABLED: '0' },
  });
  console.log('::endgroup::');
  if (r.error && r.error.code === 'ENOENT') {
    throw new Error('this checkout of the action has no release binaries and no Go toolchain is on PATH to build savepoint-action: use a release (savepoint-ci/savepoint@v1) or run actions/setup-go first');
  }
  if (r.status !== 0) {
    throw new Error(`building savepoint-action from source failed (go build exit ${r.status})`);
  }
  return bin;
}

async function binary() {
  const plat = platform();
  const m = manifest();
  if (m.version && m.assets[plat]) {
    return released(m, plat);
  }
  if (m.version) {
    throw new Error(`release ${m.version} of the action has no savepoint-action for ${plat}`);
  }
  return fromSource(plat);
}

// exec runs the entrypoint and resolves to its exit code; SIGINT and
// SIGTERM (a cancelled job) are passed on, so that it stops cleanly.
function exec(bin, args) {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: 'inherit' });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (err) => {
      console.log(`::error title=savepoint::${escapeData(`starting ${bin}: ${err.message}`)}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      resolve(code !== null ? code : 128 + (os.constants.signals[signal] || 0));
    });
  });
}

// run is the main step ("main") or the post step ("post").
async function run(step) {
  if (step === 'post' && !process.env.STATE_post) {
    // The main step asked for nothing (no save_on: post, no on_failure:
    // rollback, or it failed before): nothing to download or run.
    console.log('savepoint: nothing to do in the post step');
    return;
  }
  let bin;
  try {
    bin = await binary();
  } catch (err) {
    console.log(`::error title=savepoint: no entrypoint::${escapeData(err.message)}`);
    process.exitCode = 1;
    return;
  }
  process.exitCode = await exec(bin, step === 'post' ? ['post'] : []);
}

module.exports = { run };
